/*
 * EL0 entry and return for guests/tests/vnetshadow.c: el0_call(pc, addr,
 * value) runs the EL0 code at @pc (MMU on, SP_EL1 kept) with x0 = addr,
 * x1 = value; that code ends in SVC. Any synchronous exception from EL0
 * (the SVC, or an abort the hypervisor injects) comes back through
 * el0_vectors' "lower EL, AArch64, synchronous" entry (offset 0x400)
 * and returns ESR_EL1 from el0_call. Other entries go to guest_vectors.
 */
	.text
	.global el0_call
el0_call:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mov	x3, sp
	ldr	x4, =el0_saved_sp
	str	x3, [x4]
	mrs	x4, vbar_el1
	ldr	x5, =el0_saved_vbar
	str	x4, [x5]
	ldr	x4, =el0_vectors
	msr	vbar_el1, x4
	msr	elr_el1, x0
	mov	x4, #0x3c0		/* EL0t, DAIF masked (SPSR_EL1.M = 0) */
	msr	spsr_el1, x4
	mov	x0, x1
	mov	x1, x2
	isb
	eret

el0_return:
	ldr	x4, =el0_saved_vbar
	ldr	x4, [x4]
	msr	vbar_el1, x4
	ldr	x4, =el0_saved_sp
	ldr	x4, [x4]
	mov	sp, x4
	mrs	x0, esr_el1
	isb
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

/* EL0 code (run at its EL0-executable alias): one 32-bit store, SVC. */
	.balign	8
	.global el0_store32
el0_store32:
	str	w1, [x0]
	svc	#0
1:	b	1b

	.balign	2048
el0_vectors:
	.irp	off, 0x000, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380
	.balign	0x80
	b	guest_vectors + \off
	.endr
	.balign	0x80
	b	el0_return		/* 0x400: lower EL, AArch64, sync */
	.irp	off, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
	.balign	0x80
	b	guest_vectors + \off
	.endr

	.bss
	.balign	8
el0_saved_sp:
	.skip	8
el0_saved_vbar:
	.skip	8
