/*
 * EL2 exception vectors (Arm ARM D1.10.2: 2 KiB aligned table, 16 entries of
 * 128 bytes). Exceptions from the guests save the full GPR state into the
 * running vCPU (TPIDR_EL2), call the C handler, and resume whichever vCPU it
 * returns. Exceptions from EL2 itself are kernel bugs: they dump and halt.
 */
#include "arch/asm_pairs.h"
#include "arch/offsets.h"

/* Save x0-x30, ELR_EL2, SPSR_EL2 into this CPU's current vCPU (TPIDR_EL2
 * holds the struct cpu); x0 = vCPU. */
.macro save_vcpu_regs
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	ldr	x0, [x0, #CPU_CURRENT]
	reg_pairs stp, x, 2, 3, 29, x0, REGS_X0, 8
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

/*
 * An exception entry is the outermost kernel frame: x29 and x30 still hold
 * the guest's values, so a debugger that followed them would unwind into
 * the guest's stack (gdb showed lower_sync thousands of times). The CFI
 * (DWARF 6.4, in .debug_frame: not loaded) says the return address is
 * undefined here, which ends the backtrace at the entry.
 */
	.cfi_sections .debug_frame
.macro lower_entry handler
	.cfi_startproc
	.cfi_undefined x30
	save_vcpu_regs
	bl	\handler
	b	vcpu_resume
	.cfi_endproc
.endm

	.text
/* The C handlers return the vCPU to resume, already this CPU's current
 * one, with the kernel lock dropped (kernel_exit()). */
lower_sync:
	lower_entry trap_lower_sync

lower_irq:
	lower_entry trap_lower_irq

lower_serror:
	lower_entry trap_lower_serror

/* x0 = vCPU to run (cpu->current): return to it. */
	.global vcpu_resume
vcpu_resume:
	ldp	x2, x3, [x0, #REGS_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldr	x30, [x0, #REGS_X30]
	reg_pairs ldp, x, 2, 3, 29, x0, REGS_X0, 8
	/* x0 last: it is the base. */
	ldp	x0, x1, [x0, #REGS_X0]
	eret

/* An exception taken at EL2: build a struct arch_el2_frame and panic. */
el2_fault:
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	reg_pairs stp, x, 2, 3, 29, sp, 0, 8
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

/* x0 = vCPU, after kernel_exit(): enter it on this CPU's fresh stack, as
 * boot.S set it up (x19 is free: nothing returns here). */
	.global arch_vcpu_enter
arch_vcpu_enter:
	mov	x19, x0
	mrs	x0, tpidr_el2
	ldr	w0, [x0, #CPU_ID]
	bl	set_cpu_and_stack
	mov	x0, x19
	b	vcpu_resume
