#pragma once
/**
 * Completing an instruction the kernel emulated or skipped for a guest:
 * the one place a guest PC moves past a trapped instruction (MMIO
 * completion, a trapped SMC, WFI/WFE, a virtual IPI, an emulated system
 * register). As the PE would after executing the instruction:
 *
 *  - the PC advances by the instruction's length, ESR_ELx.IL (2 bytes for
 *    a 16-bit T32 instruction, else 4; D13.2.37);
 *  - PSTATE.SS becomes 0: a debugger stepping the instruction takes its
 *    Software Step exception before the next one (D2.12 "Software Step
 *    exceptions": an instruction that completes moves the step state
 *    machine from active-not-pending to active-pending);
 *  - in AArch32 state, ITSTATE advances (ITAdvance(), Arm ARM J1 shared
 *    pseudocode; PSTATE.IT is SPSR [15:10] and [26:25]).
 *
 * A trapped AArch32 instruction whose condition fails must be skipped
 * without its effect (D1.x "Conditional execution of AArch32 instructions":
 * a PE may trap a conditional instruction before checking its condition);
 * arch_trap_cond_passed() tells.
 *
 * Pure functions over struct arch_regs: host-tested in
 * tests/host/test_insn_skip.c.
 */

#include "arch/esr.h"
#include "arch/regs.h"

/* AArch32 PSTATE in an SPSR (C5.2.19, "SPSR_EL2 when exception taken from
 * AArch32 state"): N, Z, C, V [31:28]; IT[1:0] [26:25]; IT[7:2] [15:10]. */
#define SPSR32_N (1ULL << 31)
#define SPSR32_Z (1ULL << 30)
#define SPSR32_C (1ULL << 29)
#define SPSR32_V (1ULL << 28)
#define SPSR32_IT_LO_SHIFT 25
#define SPSR32_IT_LO_MASK 0x3ULL
#define SPSR32_IT_HI_SHIFT 10
#define SPSR32_IT_HI_MASK 0x3fULL
/* IT[7:2] land at ITSTATE bit 2. */
#define AARCH32_IT_HI_POS 2
/* ITSTATE: IT[7:4] the current instruction's condition inside an IT
 * block, IT[3:0] non-zero inside one, IT[4:0] the mask ITAdvance shifts,
 * IT[2:0] zero on the block's last instruction. */
#define AARCH32_IT_COND_SHIFT 4
#define AARCH32_IT_ACTIVE_MASK 0xfU
#define AARCH32_IT_LAST_MASK 0x7U
#define AARCH32_IT_ADVANCE_MASK 0x1fU
#define AARCH32_IT_BASE_MASK 0xe0U
/* Condition "always" (AL). */
#define AARCH32_COND_AL 0xeU

/** ITSTATE (IT[7:0]) of an AArch32 SPSR. */
uint32_t aarch32_itstate(uint64_t spsr);

/** @p spsr with ITSTATE replaced by @p it. */
uint64_t aarch32_set_itstate(uint64_t spsr, uint32_t it);

/** ConditionHolds(@p cond) for the flags N, Z, C, V of @p spsr. */
bool aarch32_cond_holds(uint32_t cond, uint64_t spsr);

/** @p spsr after ITAdvance(). */
uint64_t aarch32_it_advance(uint64_t spsr);

/**
 * The AArch32 part of arch_trap_cond_passed(): @p spsr is AArch32 state.
 */
bool arch_trap_cond_passed_aarch32(uint64_t esr, uint64_t spsr);

/**
 * False if the instruction trapped with syndrome @p esr from PSTATE
 * @p spsr is an AArch32 instruction whose condition fails: its condition
 * is COND when ESR.CV = 1, else the current IT block's (AL outside one).
 * True for anything unconditional or taken from AArch64 (inline: one
 * test on the trap path of an AArch64 guest).
 */
static inline bool arch_trap_cond_passed(uint64_t esr, uint64_t spsr)
{
	return !(spsr & SPSR_NRW) || arch_trap_cond_passed_aarch32(esr, spsr);
}

/**
 * True if skipping the instruction trapped from PSTATE @p spsr is only
 * PC + 4: an A64 instruction (always 4 bytes, IL = 1) not being stepped.
 */
static inline bool arch_skip_is_pc4(uint64_t spsr)
{
	return !(spsr & SPSR_SS) && !(spsr & SPSR_NRW);
}

/** arch_skip_insn() for what arch_skip_is_pc4() does not cover. */
void arch_skip_insn_general(struct arch_regs *regs, uint64_t esr);

/**
 * Resume @p regs after the instruction that trapped with syndrome @p esr,
 * of which only IL is used (see the file comment). Inline for the common
 * case; the MMIO fast path checks arch_skip_is_pc4() among its guards
 * instead.
 */
static inline void arch_skip_insn(struct arch_regs *regs, uint64_t esr)
{
	if (__builtin_expect(arch_skip_is_pc4(regs->spsr), 1)) {
		regs->pc += INSN_BYTES_32;
	} else {
		arch_skip_insn_general(regs, esr);
	}
}
