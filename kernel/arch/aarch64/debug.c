/**
 * Switching the EL1 hardware breakpoint and watchpoint registers between
 * guest vCPUs that share a CPU (Arm ARM D2.9, D13.3.2-5). MDCR_EL2 does not
 * trap them (a guest's debugger uses them directly), so each vCPU's values
 * must follow it, or one guest could read or plant another's breakpoints.
 * The numbers implemented come from ID_AA64DFR0_EL1: BRPs [15:12] and
 * WRPs [23:20], each "number minus one" (D13.2.45).
 * The OS lock goes with them (D2.5, OSLSR_EL1 D13.3.22, OSLAR_EL1 D13.3.21,
 * OSDLR_EL1 D13.3.20): MDCR_EL2.TDOSA is clear for guests (Linux writes
 * OSLAR_EL1 at boot), so OSLK, which disables a vCPU's debug exceptions,
 * and the double lock DLK are per vCPU too.
 */
#include "arch/vcpu_arch.h"

#define DFR0_BRPS_SHIFT 12
#define DFR0_WRPS_SHIFT 20
#define DFR0_FIELD_MASK 0xfU

/* Breakpoints (kind b, BRPs) or watchpoints (kind w, WRPs) implemented. */
static uint32_t dfr0_count(unsigned shift)
{
	return ((read_sysreg(id_aa64dfr0_el1) >> shift) & DFR0_FIELD_MASK) + 1;
}

/* One case per register pair of a kind (b or w); falls through to the
 * lower numbers. */
#define SAVE_PAIR(kind, n)                                                \
	case (n) + 1:                                                     \
		d->kind##vr[n] = read_sysreg(dbg##kind##vr##n##_el1);     \
		d->kind##cr[n] = read_sysreg(dbg##kind##cr##n##_el1);     \
		__attribute__((fallthrough));
#define LOAD_PAIR(kind, n)                                                \
	case (n) + 1:                                                     \
		write_sysreg(dbg##kind##vr##n##_el1, d->kind##vr[n]);     \
		write_sysreg(dbg##kind##cr##n##_el1, d->kind##cr[n]);     \
		__attribute__((fallthrough));
#define ALL_PAIRS(X, kind)                                                \
	X(kind, 15) X(kind, 14) X(kind, 13) X(kind, 12) X(kind, 11)       \
	X(kind, 10) X(kind, 9) X(kind, 8) X(kind, 7) X(kind, 6)           \
	X(kind, 5) X(kind, 4) X(kind, 3) X(kind, 2) X(kind, 1) X(kind, 0)

/* Every implemented register pair of a kind, from its count's @p shift. */
#define EACH_PAIR(X, kind, shift)                                         \
	switch (dfr0_count(shift)) {                                      \
		ALL_PAIRS(X, kind)                                        \
	default:                                                          \
		break;                                                    \
	}

void arch_debug_save(struct arch_debug *d)
{
	d->oslsr = read_sysreg(oslsr_el1);
	d->osdlr = read_sysreg(osdlr_el1);
	EACH_PAIR(SAVE_PAIR, b, DFR0_BRPS_SHIFT)
	EACH_PAIR(SAVE_PAIR, w, DFR0_WRPS_SHIFT)
}

void arch_debug_load(const struct arch_debug *d)
{
	write_sysreg(oslar_el1, (d->oslsr & OSLSR_EL1_OSLK) ? OSLAR_EL1_OSLK : 0);
	write_sysreg(osdlr_el1, d->osdlr);
	EACH_PAIR(LOAD_PAIR, b, DFR0_BRPS_SHIFT)
	EACH_PAIR(LOAD_PAIR, w, DFR0_WRPS_SHIFT)
}
