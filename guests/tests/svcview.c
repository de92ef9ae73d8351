/**
 * System test (issue 12, item 4): a service runs on top of the guest it
 * serves ("light" switch) and must neither see nor change that guest's EL1
 * registers. This guest gives each register of the probe service's list
 * (services/regprobe: one 8-byte window register per system register) a
 * value of its own, then for each: reads what the service sees (must not
 * be its value), makes the service write 0 to it, and checks that its own
 * value is still there.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest/sysreg.h"
#include "guest/test.h"

#define PROBE 0x0a000000UL

/* Field values (Arm ARM D13): CNTV_CTL ENABLE|IMASK (never fires);
 * CPACR_EL1.FPEN = 0b11; MDSCR_EL1.MDE bit 15; PMUSERENR EN|SW|CR|ER;
 * PMEVTYPER/PMCCFILTR P bit 31, U bit 30; event 0x11 CPU_CYCLES. */
#define CNTV_ENABLE_MASKED 0x3ULL
#define CPACR_FPEN (3ULL << 20)
#define MDSCR_MDE (1ULL << 15)
#define PMUSERENR_ALL 0xfULL
#define FILTER_P (1ULL << 31)
#define FILTER_U (1ULL << 30)
#define EVENT_CPU_CYCLES 0x11ULL

/* The probe service's register list, by index (services/regprobe). */
enum probe_reg {
	TPIDR_EL0, TPIDRRO_EL0, TPIDR_EL1, SP_EL0, PAR_EL1, CNTKCTL_EL1,
	CSSELR_EL1, CNTV_CTL_EL0, CNTV_CVAL_EL0, CPACR_EL1, MDSCR_EL1,
	DBGBVR0_EL1, DBGWVR0_EL1, OSLSR_EL1, PMCCNTR_EL0, PMUSERENR_EL0,
	PMSELR_EL0, PMINTENSET_EL1, PMEVTYPER0_EL0, PMCCFILTR_EL0, REG_COUNT
};

static const char *const names[REG_COUNT] = {
	"TPIDR_EL0", "TPIDRRO_EL0", "TPIDR_EL1", "SP_EL0", "PAR_EL1",
	"CNTKCTL_EL1", "CSSELR_EL1", "CNTV_CTL_EL0", "CNTV_CVAL_EL0",
	"CPACR_EL1", "MDSCR_EL1", "DBGBVR0_EL1", "DBGWVR0_EL1", "OSLSR_EL1",
	"PMCCNTR_EL0", "PMUSERENR_EL0", "PMSELR_EL0", "PMINTENSET_EL1",
	"PMEVTYPER0_EL0", "PMCCFILTR_EL0",
};

static void set_own_values(void)
{
	write_sysreg(tpidr_el0, 0x7e57000000000001ULL);
	write_sysreg(tpidrro_el0, 0x7e57000000000002ULL);
	write_sysreg(tpidr_el1, 0x7e57000000000003ULL);
	write_sysreg(sp_el0, 0x7e57000000000010ULL);
	write_sysreg(par_el1, 0x0000000040abc000ULL);
	write_sysreg(cntkctl_el1, 0x3ULL);
	write_sysreg(csselr_el1, 0x2ULL);
	write_sysreg(cntv_cval_el0, 0x7fffffff12345678ULL);
	write_sysreg(cntv_ctl_el0, CNTV_ENABLE_MASKED);
	write_sysreg(cpacr_el1, CPACR_FPEN);
	write_sysreg(mdscr_el1, MDSCR_MDE);
	write_sysreg(dbgbvr0_el1, 0x40c0ffe0ULL);
	write_sysreg(dbgwvr0_el1, 0x40c0ff00ULL);
	/* OSLSR_EL1 reads the lock the vCPU was reset with (locked). */
	write_sysreg(pmcr_el0, 0);  /* counters stay still */
	write_sysreg(pmccntr_el0, 0x123456789abcULL);
	write_sysreg(pmuserenr_el0, PMUSERENR_ALL);
	write_sysreg(pmselr_el0, 0x3ULL);
	write_sysreg(pmintenset_el1, 0x8ULL);
	write_sysreg(pmevtyper0_el0, EVENT_CPU_CYCLES | FILTER_P);
	write_sysreg(pmccfiltr_el0, FILTER_U);
	isb();
}

static void read_own_values(uint64_t v[REG_COUNT])
{
	v[TPIDR_EL0] = read_sysreg(tpidr_el0);
	v[TPIDRRO_EL0] = read_sysreg(tpidrro_el0);
	v[TPIDR_EL1] = read_sysreg(tpidr_el1);
	v[SP_EL0] = read_sysreg(sp_el0);
	v[PAR_EL1] = read_sysreg(par_el1);
	v[CNTKCTL_EL1] = read_sysreg(cntkctl_el1);
	v[CSSELR_EL1] = read_sysreg(csselr_el1);
	v[CNTV_CTL_EL0] = read_sysreg(cntv_ctl_el0);
	v[CNTV_CVAL_EL0] = read_sysreg(cntv_cval_el0);
	v[CPACR_EL1] = read_sysreg(cpacr_el1);
	v[MDSCR_EL1] = read_sysreg(mdscr_el1);
	v[DBGBVR0_EL1] = read_sysreg(dbgbvr0_el1);
	v[DBGWVR0_EL1] = read_sysreg(dbgwvr0_el1);
	v[OSLSR_EL1] = read_sysreg(oslsr_el1);
	v[PMCCNTR_EL0] = read_sysreg(pmccntr_el0);
	v[PMUSERENR_EL0] = read_sysreg(pmuserenr_el0);
	v[PMSELR_EL0] = read_sysreg(pmselr_el0);
	v[PMINTENSET_EL1] = read_sysreg(pmintenset_el1);
	v[PMEVTYPER0_EL0] = read_sysreg(pmevtyper0_el0);
	v[PMCCFILTR_EL0] = read_sysreg(pmccfiltr_el0);
}

void test_main(void)
{
	volatile uint64_t *probe = (volatile uint64_t *)PROBE;
	uint64_t own[REG_COUNT], now[REG_COUNT];
	unsigned seen = 0, changed = 0;

	set_own_values();
	read_own_values(own);
	for (unsigned i = 0; i < REG_COUNT; i++) {
		/* A value the service could not have by chance. */
		CHECK(own[i] != 0);
	}
	for (unsigned i = 0; i < REG_COUNT; i++) {
		uint64_t service_view = probe[i];

		if (service_view == own[i]) {
			printf("svcview: the service reads my %s (0x%llx)\n",
			       names[i], (unsigned long long)own[i]);
			seen++;
		}
		probe[i] = 0;
		read_own_values(now);
		if (now[i] != own[i]) {
			printf("svcview: the service changed my %s: 0x%llx, was 0x%llx\n",
			       names[i], (unsigned long long)now[i],
			       (unsigned long long)own[i]);
			changed++;
		}
	}
	CHECK_EQ(seen, 0);
	CHECK_EQ(changed, 0);
	/* None of it leaked into the rest of the run either. */
	read_own_values(now);
	for (unsigned i = 0; i < REG_COUNT; i++) {
		if (now[i] != own[i]) {
			printf("svcview: %s is 0x%llx at the end, was 0x%llx\n",
			       names[i], (unsigned long long)now[i],
			       (unsigned long long)own[i]);
		}
		CHECK(now[i] == own[i]);
	}
}
