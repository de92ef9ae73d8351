/*
 * EL2 exception vectors (Arm ARM D1.10.2: 2 KiB aligned table, 16 entries of
 * 128 bytes). Exceptions from the guests save the full GPR state into the
 * running vCPU (TPIDR_EL2), call the C handler, and resume whichever vCPU it
 * returns. Exceptions from EL2 itself are kernel bugs: they dump and halt.
 */
#include "arch/offsets.h"

/* x0 = vCPU about to run: refill its list registers if anything is queued
 * (vgic_prepare_entry), testing the flag here to keep the common exit to
 * two instructions. */
.macro prepare_entry
	ldrb	w1, [x0, #VCPU_VGIC_DIRTY]
	cbz	w1, 1f
	bl	vgic_prepare_entry
1:
.endm

/* Save x0-x30, ELR_EL2, SPSR_EL2 into the vCPU at TPIDR_EL2; x0 = vCPU. */
.macro save_vcpu_regs
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	stp	x2, x3, [x0, #REGS_X0 + 16]
	stp	x4, x5, [x0, #REGS_X0 + 32]
	stp	x6, x7, [x0, #REGS_X0 + 48]
	stp	x8, x9, [x0, #REGS_X0 + 64]
	stp	x10, x11, [x0, #REGS_X0 + 80]
	stp	x12, x13, [x0, #REGS_X0 + 96]
	stp	x14, x15, [x0, #REGS_X0 + 112]
	stp	x16, x17, [x0, #REGS_X0 + 128]
	stp	x18, x19, [x0, #REGS_X0 + 144]
	stp	x20, x21, [x0, #REGS_X0 + 160]
	stp	x22, x23, [x0, #REGS_X0 + 176]
	stp	x24, x25, [x0, #REGS_X0 + 192]
	stp	x26, x27, [x0, #REGS_X0 + 208]
	stp	x28, x29, [x0, #REGS_X0 + 224]
	mrs	x2, elr_el2
	stp	x30, x2, [x0, #REGS_X30]
	mrs	x3, spsr_el2
	str	x3, [x0, #REGS_SPSR]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #REGS_X0]
.endm

.macro vector_entry target
	.balign	0x80
	b	\target
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global el2_vectors
el2_vectors:
	/* Current EL with SP_EL0: never used by the kernel. */
	vector_entry el2_fault
	vector_entry el2_fault
	vector_entry el2_fault
	vector_entry el2_fault
	/* Current EL with SP_EL2: kernel faults. */
	vector_entry el2_fault
	vector_entry el2_fault
	vector_entry el2_fault
	vector_entry el2_fault
	/* Lower EL, AArch64. */
	vector_entry lower_sync
	vector_entry lower_irq
	vector_entry lower_irq
	vector_entry lower_serror
	/* Lower EL, AArch32 (EL0 of a guest only; EL1 is AArch64). */
	vector_entry lower_sync
	vector_entry lower_irq
	vector_entry lower_irq
	vector_entry lower_serror

	.text
lower_sync:
	save_vcpu_regs
	bl	trap_lower_sync
	prepare_entry
	b	vcpu_resume

lower_irq:
	save_vcpu_regs
	bl	trap_lower_irq
	prepare_entry
	b	vcpu_resume

lower_serror:
	save_vcpu_regs
	bl	trap_lower_serror
	prepare_entry
	b	vcpu_resume

/* x0 = vCPU to run: make it current and return to it. */
	.global vcpu_resume
vcpu_resume:
	msr	tpidr_el2, x0
	ldp	x2, x3, [x0, #REGS_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldr	x30, [x0, #REGS_X30]
	ldp	x28, x29, [x0, #REGS_X0 + 224]
	ldp	x26, x27, [x0, #REGS_X0 + 208]
	ldp	x24, x25, [x0, #REGS_X0 + 192]
	ldp	x22, x23, [x0, #REGS_X0 + 176]
	ldp	x20, x21, [x0, #REGS_X0 + 160]
	ldp	x18, x19, [x0, #REGS_X0 + 144]
	ldp	x16, x17, [x0, #REGS_X0 + 128]
	ldp	x14, x15, [x0, #REGS_X0 + 112]
	ldp	x12, x13, [x0, #REGS_X0 + 96]
	ldp	x10, x11, [x0, #REGS_X0 + 80]
	ldp	x8, x9, [x0, #REGS_X0 + 64]
	ldp	x6, x7, [x0, #REGS_X0 + 48]
	ldp	x4, x5, [x0, #REGS_X0 + 32]
	ldp	x2, x3, [x0, #REGS_X0 + 16]
	ldp	x0, x1, [x0, #REGS_X0]
	eret

/* An exception taken at EL2: build a struct arch_el2_frame and panic. */
el2_fault:
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x0, sp, #FRAME_SIZE
	stp	x30, x0, [sp, #FRAME_X30]
	mrs	x0, elr_el2
	mrs	x1, spsr_el2
	stp	x0, x1, [sp, #FRAME_ELR]
	mrs	x0, esr_el2
	mrs	x1, far_el2
	stp	x0, x1, [sp, #FRAME_ESR]
	mov	x0, sp
	bl	panic_el2_exception
	b	halt

/* x0 = vCPU: enter it for the first time on a fresh stack. */
	.global arch_vcpu_enter
arch_vcpu_enter:
	ldr	x1, =boot_stack_top
	mov	sp, x1
	prepare_entry
	b	vcpu_resume
