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

#include "arch/sysreg.h"

#define DFR0_BRPS_SHIFT 12
#define DFR0_WRPS_SHIFT 20
#define DFR0_FIELD_MASK 0xfU

static uint32_t brps(void)
{
	return ((read_sysreg(id_aa64dfr0_el1) >> DFR0_BRPS_SHIFT) & DFR0_FIELD_MASK) + 1;
}

static uint32_t wrps(void)
{
	return ((read_sysreg(id_aa64dfr0_el1) >> DFR0_WRPS_SHIFT) & DFR0_FIELD_MASK) + 1;
}

/* One case per register pair; falls through to the lower numbers. */
#define SAVE_BP(n)                                                        \
	case (n) + 1:                                                     \
		d->bvr[n] = read_sysreg(dbgbvr##n##_el1);                 \
		d->bcr[n] = read_sysreg(dbgbcr##n##_el1);                 \
		__attribute__((fallthrough));
#define LOAD_BP(n)                                                        \
	case (n) + 1:                                                     \
		write_sysreg(dbgbvr##n##_el1, d->bvr[n]);                 \
		write_sysreg(dbgbcr##n##_el1, d->bcr[n]);                 \
		__attribute__((fallthrough));
#define SAVE_WP(n)                                                        \
	case (n) + 1:                                                     \
		d->wvr[n] = read_sysreg(dbgwvr##n##_el1);                 \
		d->wcr[n] = read_sysreg(dbgwcr##n##_el1);                 \
		__attribute__((fallthrough));
#define LOAD_WP(n)                                                        \
	case (n) + 1:                                                     \
		write_sysreg(dbgwvr##n##_el1, d->wvr[n]);                 \
		write_sysreg(dbgwcr##n##_el1, d->wcr[n]);                 \
		__attribute__((fallthrough));
#define ALL_PAIRS(X)                                                      \
	X(15) X(14) X(13) X(12) X(11) X(10) X(9) X(8)                     \
	X(7) X(6) X(5) X(4) X(3) X(2) X(1) X(0)

void arch_debug_save(struct arch_debug *d)
{
	d->oslsr = read_sysreg(oslsr_el1);
	d->osdlr = read_sysreg(osdlr_el1);
	switch (brps()) {
	ALL_PAIRS(SAVE_BP)
	default:
		break;
	}
	switch (wrps()) {
	ALL_PAIRS(SAVE_WP)
	default:
		break;
	}
}

void arch_debug_load(const struct arch_debug *d)
{
	write_sysreg(oslar_el1, (d->oslsr & OSLSR_EL1_OSLK) ? OSLAR_EL1_OSLK : 0);
	write_sysreg(osdlr_el1, d->osdlr);
	switch (brps()) {
	ALL_PAIRS(LOAD_BP)
	default:
		break;
	}
	switch (wrps()) {
	ALL_PAIRS(LOAD_WP)
	default:
		break;
	}
}
