/*
 * Service partition entry: EL1h, stage 1 off (the kernel sets
 * HCR_EL2.DC), interrupts masked. Sets up the stack and the fault vectors,
 * clears .bss and calls service_main(), which normally never returns.
 */
	.section .text.start, "ax"
	.global _start
_start:
	ldr	x1, =service_stack_top
	mov	sp, x1
	ldr	x1, =ipc_fault_vectors
	msr	vbar_el1, x1
	isb
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	bl	service_main
	/* service_main returned: report it as a fault (ESR 0). */
	mov	x0, xzr
	adr	x1, 2b
	mov	x2, xzr
	bl	ipc_fault

	.section .bss.stack, "aw", %nobits
	.balign	16
	.space	16384
service_stack_top:
