/**
 * System test: single-stepping instructions the hypervisor emulates.
 *
 * The guest debugs itself at EL1 (MDSCR_EL1.SS and KDE, OS lock cleared,
 * PSTATE.D = 0; Arm ARM D2.12 "Software Step exceptions") and steps one
 * instruction at a time: an MMIO load (fast path), store, and load pair
 * (decoded by the kernel) on its emulated PL011, a trapped SMC and an
 * HVC. For each, the Software Step exception must report
 * ELR_EL1 = the next instruction, as on hardware: an emulated instruction
 * has completed, so the kernel must leave PSTATE.SS = 0 (a step landing
 * one instruction late, ELR = target + 8, was the bug). A stepped NOP
 * checks the harness itself; the HVC checks that the kernel leaves alone
 * what the PE already did (an HVC completes when it takes its exception).
 * A stepped WFI is not here: QEMU 7.2 completes it as a NOP while stepping
 * ("single stepping WFI doesn't halt the CPU"), so it never traps; the
 * kernel's WFI skip is the same arch_skip_insn(), tested on the host.
 */
#include <stdint.h>

#include "abi/hypercall.h"
#include "guest/exception.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define UART 0x09000000UL
#define FR 0x018
#define IMSC 0x038
#define PERIPHID0 0xfe0
#define FR_TXFE_RXFE 0x90U
/* MDSCR_EL1 (D13.3.x): SS bit 0, KDE bit 13. */
#define MDSCR_SS (1ULL << 0)
#define MDSCR_KDE (1ULL << 13)
#define EC_SOFTSTEP_CUR 0x33

/** What step_vectors.S recorded. */
struct step_record {
	uint64_t count, elr, esr;
};

struct step_record step_seen;
extern char step_vectors[];

#define STEP_CASE(name)                                              \
	uint64_t step_##name(uint64_t x0, uint64_t x1);              \
	extern char step_##name##_next[]
STEP_CASE(nop);
STEP_CASE(ldr);
STEP_CASE(str);
STEP_CASE(ldp);
STEP_CASE(smc);
STEP_CASE(hvc);

static void check_step(const char *what, const char *next)
{
	printf("step %s: %llu exception(s), ELR 0x%llx, expected 0x%llx\n", what,
	       (unsigned long long)step_seen.count,
	       (unsigned long long)step_seen.elr,
	       (unsigned long long)(uintptr_t)next);
	CHECK_EQ(step_seen.count, 1);
	CHECK_EQ(ESR_EC(step_seen.esr), EC_SOFTSTEP_CUR);
	CHECK_EQ(step_seen.elr, (uintptr_t)next);
	step_seen = (struct step_record){ 0 };
}

void test_main(void)
{
	uint64_t v;

	write_sysreg(vbar_el1, (uintptr_t)step_vectors);
	/* Software step of EL1 by EL1 needs the OS lock clear (it is set at
	 * reset) and the kernel debug enable. */
	write_sysreg(oslar_el1, 0);
	write_sysreg(mdscr_el1, MDSCR_SS | MDSCR_KDE);
	isb();

	step_nop(0, 0);
	check_step("nop", step_nop_next);

	v = step_ldr(UART + FR, 0);
	check_step("ldr (MMIO, fast path)", step_ldr_next);
	CHECK_EQ(v, FR_TXFE_RXFE);

	step_str(UART + IMSC, 0);
	check_step("str (MMIO, fast path)", step_str_next);

	v = step_ldp(UART + PERIPHID0, 0);
	check_step("ldp (MMIO, decoded)", step_ldp_next);
	CHECK_EQ(v, 0x11);

	v = step_smc(PSCI_VERSION, 0);
	check_step("smc (trapped)", step_smc_next);
	CHECK_EQ(v, PSCI_VERSION_1_0);

	v = step_hvc(PSCI_VERSION, 0);
	check_step("hvc", step_hvc_next);
	CHECK_EQ(v, PSCI_VERSION_1_0);

	write_sysreg(mdscr_el1, 0);
	isb();
}
