#pragma once
/**
 * Host stand-in for kernel/arch/aarch64/include/arch/sysreg.h, for host
 * tests and fuzz harnesses that link kernel units which touch system
 * registers: the register fields
 * are the real ones (arch/sysreg_bits.h); each register access becomes an
 * access to a variable fake_sysreg_<name> that the harness defines (a
 * register a unit starts to use is an undeclared identifier here until it
 * is added below), and barriers and address translation do nothing but
 * record. tests/fake/fake_arch.c defines the variables.
 *
 * Every host test and fuzz harness puts tests/fake first on its include
 * path (tests/fuzz/SConscript, tests/host/SConscript).
 */
#include <stdint.h>

#include "arch/sysreg_bits.h"

/* The registers the faked units use (defined in fake_arch.c). */
extern uint64_t fake_sysreg_cntfrq_el0, fake_sysreg_cntpct_el0;
extern uint64_t fake_sysreg_far_el2, fake_sysreg_sctlr_el1;
extern uint64_t fake_sysreg_par_el1, fake_sysreg_sp_el1, fake_sysreg_sp_el0;
extern uint64_t fake_sysreg_tpidr_el2, fake_sysreg_cnthp_ctl_el2;
extern uint64_t fake_sysreg_cnthp_cval_el2, fake_sysreg_mpidr_el1;

#define read_sysreg(reg) ((uint64_t)fake_sysreg_##reg)
#define read_sysreg_pure(reg) ((uint64_t)fake_sysreg_##reg)
#define write_sysreg(reg, val) ((void)(fake_sysreg_##reg = (uint64_t)(val)))

/** Address translations asked for (AT S1E1R / S1E0R): the last VA. */
extern uint64_t fake_at_va;
extern unsigned fake_at_count;

static inline void at_s1e1r(uint64_t va)
{
	fake_at_va = va;
	fake_at_count++;
}

static inline void at_s1e0r(uint64_t va)
{
	fake_at_va = va;
	fake_at_count++;
}

static inline void isb(void)
{
}

static inline void dsb_sy(void)
{
}

static inline void dsb_ish(void)
{
}

static inline void dsb_ishst(void)
{
}
