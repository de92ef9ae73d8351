/** Completing a trapped guest instruction (see arch/insn_skip.h). */
#include "arch/insn_skip.h"

/* ConditionHolds() (Arm ARM J1 shared pseudocode): cond[3:1] selects the
 * test, cond[0] inverts it except for 0b1111. */
#define COND_TEST_SHIFT 1
#define COND_TEST_MASK 0x7U
#define COND_INVERT 1U
#define COND_NEVER_INVERTED 0xfU

uint32_t aarch32_itstate(uint64_t spsr)
{
	uint64_t lo = (spsr >> SPSR32_IT_LO_SHIFT) & SPSR32_IT_LO_MASK;
	uint64_t hi = (spsr >> SPSR32_IT_HI_SHIFT) & SPSR32_IT_HI_MASK;

	return (uint32_t)(lo | (hi << AARCH32_IT_HI_POS));
}

uint64_t aarch32_set_itstate(uint64_t spsr, uint32_t it)
{
	spsr &= ~((SPSR32_IT_LO_MASK << SPSR32_IT_LO_SHIFT) |
		  (SPSR32_IT_HI_MASK << SPSR32_IT_HI_SHIFT));
	spsr |= ((uint64_t)it & SPSR32_IT_LO_MASK) << SPSR32_IT_LO_SHIFT;
	spsr |= (((uint64_t)it >> AARCH32_IT_HI_POS) & SPSR32_IT_HI_MASK)
		<< SPSR32_IT_HI_SHIFT;
	return spsr;
}

bool aarch32_cond_holds(uint32_t cond, uint64_t spsr)
{
	bool n = (spsr & SPSR32_N) != 0;
	bool z = (spsr & SPSR32_Z) != 0;
	bool c = (spsr & SPSR32_C) != 0;
	bool v = (spsr & SPSR32_V) != 0;
	/* By cond[3:1]: EQ, CS, MI, VS, HI, GE, GT, AL. */
	const bool holds[COND_TEST_MASK + 1] = {
		z, c, n, v, c && !z, n == v, n == v && !z, true,
	};
	bool result = holds[(cond >> COND_TEST_SHIFT) & COND_TEST_MASK];

	if ((cond & COND_INVERT) && cond != COND_NEVER_INVERTED) {
		result = !result;
	}
	return result;
}

uint64_t aarch32_it_advance(uint64_t spsr)
{
	uint32_t it = aarch32_itstate(spsr);

	/* ITAdvance(): the block ends after the instruction whose IT[2:0] is
	 * 0; otherwise the mask IT[4:0] shifts left, keeping IT[7:5]. */
	if ((it & AARCH32_IT_LAST_MASK) == 0) {
		it = 0;
	} else {
		it = (it & AARCH32_IT_BASE_MASK) |
		     ((it << 1) & AARCH32_IT_ADVANCE_MASK);
	}
	return aarch32_set_itstate(spsr, it);
}

bool arch_trap_cond_passed_aarch32(uint64_t esr, uint64_t spsr)
{
	uint32_t cond = AARCH32_COND_AL;

	if (!esr_ec_has_cond(esr_ec(esr))) {
		return true;
	}
	if (esr & ESR_CV) {
		cond = (uint32_t)(esr >> ESR_COND_SHIFT) & ESR_COND_MASK;
	} else {
		/* CV = 0 is allowed for T32 only: the condition is the IT
		 * block's, and an instruction outside one is unconditional. */
		uint32_t it = aarch32_itstate(spsr);

		if (it & AARCH32_IT_ACTIVE_MASK) {
			cond = it >> AARCH32_IT_COND_SHIFT;
		}
	}
	return aarch32_cond_holds(cond, spsr);
}

void arch_skip_insn_general(struct arch_regs *regs, uint64_t esr)
{
	uint64_t spsr = regs->spsr & ~SPSR_SS;

	if (spsr & SPSR_NRW) {
		/* An AArch32 PC is 32 bits wide. */
		regs->pc = (uint32_t)(regs->pc + esr_insn_bytes(esr));
		spsr = aarch32_it_advance(spsr);
	} else {
		regs->pc += esr_insn_bytes(esr);
	}
	regs->spsr = spsr;
}
