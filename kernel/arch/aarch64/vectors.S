/*
 * EL2 exception vectors (Arm ARM D1.10.2: 2 KiB aligned table, 16 entries of
 * 128 bytes). Exceptions from the guests save the full GPR state into the
 * running vCPU (TPIDR_EL2), call the C handler, and resume whichever vCPU it
 * returns. Exceptions from EL2 itself are kernel bugs: they dump and halt.
 */
#include "arch/offsets.h"

/* Save x0-x30, ELR_EL2, SPSR_EL2 into this CPU's current vCPU (TPIDR_EL2
 * holds the struct cpu); x0 = vCPU. */
.macro save_vcpu_regs
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	ldr	x0, [x0, #CPU_CURRENT]
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
/* The C handlers return the vCPU to resume, already this CPU's current
 * one, with the kernel lock dropped (kernel_exit()). */
lower_sync:
	save_vcpu_regs
	bl	trap_lower_sync
	b	vcpu_resume

lower_irq:
	save_vcpu_regs
	bl	trap_lower_irq
	b	vcpu_resume

lower_serror:
	save_vcpu_regs
	bl	trap_lower_serror
	b	vcpu_resume

/* x0 = vCPU to run (cpu->current): return to it. */
	.global vcpu_resume
vcpu_resume:
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

/* x0 = vCPU, after kernel_exit(): enter it on this CPU's fresh stack
 * (cpu_stacks + (id + 1) * CPU_STACK_SIZE, as boot.S set it up). */
	.global arch_vcpu_enter
arch_vcpu_enter:
	mrs	x1, tpidr_el2
	ldr	w1, [x1, #CPU_ID]
	add	x1, x1, #1
	mov	x2, #CPU_STACK_SIZE
	ldr	x3, =cpu_stacks
	madd	x1, x1, x2, x3
	mov	sp, x1
	b	vcpu_resume
