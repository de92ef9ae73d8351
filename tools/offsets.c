/**
 * Struct offsets for the kernel's assembly, at build time: compiled for the
 * target to assembly only (never linked); the build turns
 * every "->NAME value" marker into "#define NAME value" in arch/offsets.h
 * (site_scons/hyp_gen.py, offsets_header()), so no offset is ever typed by hand.
 */
#include <stddef.h>

#include "arch/mmu.h"
#include "arch/regs.h"
#include "hyp/cpu.h"
#include "hyp/vcpu.h"

#define DEFINE(sym, val) \
	__asm__ volatile("\n.ascii \"->" #sym " %0\"" : : "i"(val))

void offsets_generate(void);

/* vectors.S reaches the saved registers from the vCPU pointer itself, and
 * el2_fault stores SP right after x30. */
_Static_assert(offsetof(struct vcpu, regs) == 0, "regs must open struct vcpu");
_Static_assert(offsetof(struct arch_el2_frame, sp) ==
		       offsetof(struct arch_el2_frame, x[30]) +
			       sizeof(uint64_t),
	       "sp must follow x30 in struct arch_el2_frame");

void offsets_generate(void)
{
	DEFINE(REGS_X0, offsetof(struct arch_regs, x[0]));
	DEFINE(REGS_X30, offsetof(struct arch_regs, x[30]));
	DEFINE(REGS_PC, offsetof(struct arch_regs, pc));
	DEFINE(REGS_SPSR, offsetof(struct arch_regs, spsr));
	DEFINE(FRAME_SIZE, sizeof(struct arch_el2_frame));
	DEFINE(FRAME_X30, offsetof(struct arch_el2_frame, x[30]));
	DEFINE(FRAME_ELR, offsetof(struct arch_el2_frame, elr));
	DEFINE(FRAME_ESR, offsetof(struct arch_el2_frame, esr));
	DEFINE(FPSIMD_FPSR, offsetof(struct arch_fpsimd, fpsr));
	DEFINE(CPU_CURRENT, offsetof(struct cpu, current));
	DEFINE(CPU_ID, offsetof(struct cpu, id));
	DEFINE(CPU_SIZE, sizeof(struct cpu));
	DEFINE(CPU_MAX_COUNT, CPU_MAX);
	DEFINE(CPU_STACK_SIZE, CPU_STACK_BYTES);
	DEFINE(MMU_REGS_MAIR, offsetof(struct mmu_boot_regs, mair));
	DEFINE(MMU_REGS_TTBR, offsetof(struct mmu_boot_regs, ttbr));
}
