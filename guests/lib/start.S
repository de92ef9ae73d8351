/* Guest entry: EL1h, MMU off, DAIF masked (set up by the hypervisor). */
#define PSCI_SYSTEM_OFF 0x84000008

	.section .text.start, "ax"
	.global _start
_start:
	ldr	x1, =guest_stack_top
	mov	sp, x1
	ldr	x1, =guest_vectors
	msr	vbar_el1, x1
	isb
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	bl	guest_main
	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
3:	wfi
	b	3b

	.section .bss.stack, "aw", %nobits
	.balign	16
	.space	16384
guest_stack_top:
