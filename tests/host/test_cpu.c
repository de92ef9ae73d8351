/**
 * Unit tests of physical CPU bring-up and kicks (kernel/core/cpu.c) on the
 * host fake of the arch contract. The fake firmware plays PSCI CPU_ON (Arm
 * DEN 0022D 5.6): a CPU it starts runs kmain_secondary() at once, on its own
 * struct cpu (TPIDR_EL2) and MPIDR, until it reaches the scheduler; one it
 * accepts but never starts lets the boot CPU's wait run out in virtual time.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/hypercall.h"
#include "arch/el2.h"
#include "fake_arch.h"
#include "fake_log.h"
#include "hyp/arch_gic.h"
#include "hyp/cpu.h"
#include "hyp/hypercall.h"
#include "hyp/klock.h"
#include "hyp/sched.h"

/* An MPIDR with other affinity levels set, to see the mask applied. */
#define MPIDR_OF(i) (0x80000000ULL | (i))
#define LRS 4
#define GIC_MASK_OF(i) (1u << (i))

/* --- The fake firmware and GIC --------------------------------------------- */

enum fw_answer { FW_STARTS, FW_SILENT, FW_REFUSES, FW_NO_SUCH_CPU };

static struct {
	enum fw_answer answer[CPU_MAX];
	uint32_t lrs[CPU_MAX]; /**< What arch_vgic_init() finds per CPU. */
	uint64_t entry[CPU_MAX], context[CPU_MAX];
	unsigned calls;
	unsigned el2_inits;
	uint32_t sgi, sgi_mask;
	unsigned sgis;
} fw;

/** Where the started secondary's sched_start() returns to. */
static jmp_buf secondary_done;

char secondary_entry[4];

/* cpu.c: a started secondary's C entry (boot.S calls it). */
void kmain_secondary(uint64_t id);

static struct cpu *running(void)
{
	return (struct cpu *)(uintptr_t)fake_sysreg_tpidr_el2;
}

static void run_on(uint32_t i)
{
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&cpu_table[i];
	fake_sysreg_mpidr_el1 = MPIDR_OF(i);
}

int64_t platform_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	fw.calls++;
	assert_true(mpidr < CPU_MAX);
	fw.entry[mpidr] = entry;
	fw.context[mpidr] = context;
	switch (fw.answer[mpidr]) {
	case FW_STARTS:
		/* The kernel's CPU index is the context; MPIDR the board's. */
		run_on((uint32_t)context);
		fake_sysreg_mpidr_el1 = MPIDR_OF(mpidr);
		if (setjmp(secondary_done) == 0) {
			kmain_secondary(context);
		}
		run_on(0);
		return PSCI_RET_SUCCESS;
	case FW_SILENT:
		return PSCI_RET_SUCCESS;
	case FW_REFUSES:
		return PSCI_RET_DENIED;
	case FW_NO_SUCH_CPU:
		break;
	}
	return PSCI_RET_INVALID_PARAMS;
}

void sched_start(void)
{
	/* The secondary reached its scheduler holding the kernel lock. */
	kernel_unlock();
	longjmp(secondary_done, 1);
}

void arch_el2_init(void)
{
	fw.el2_inits++;
}

uint32_t gic_cpu_init(void)
{
	return GIC_MASK_OF(running()->id);
}

uint32_t arch_vgic_init(void)
{
	return fw.lrs[running() - cpu_table];
}

void gic_send_sgi(uint32_t sgi, uint32_t cpu_mask)
{
	fw.sgi = sgi;
	fw.sgi_mask = cpu_mask;
	fw.sgis++;
}

/* --- Fixture --------------------------------------------------------------- */

static int setup(void **unused)
{
	(void)unused;
	memset(cpu_table, 0, sizeof(cpu_table));
	memset(&fw, 0, sizeof(fw));
	for (uint32_t i = 0; i < CPU_MAX; i++) {
		fw.answer[i] = FW_NO_SUCH_CPU;
		fw.lrs[i] = LRS;
	}
	fake_arch_reset();
	fake_log_reset();
	run_on(0);
	cpu_init(0);
	return 0;
}

static void give_cpus(uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		fw.answer[i] = FW_STARTS;
	}
}

/* The board's CPUs as its device tree lists them: MPIDR n for CPU n. */
static const uint64_t board_mpidr[CPU_MAX] = { 0, 1, 2, 3, 4, 5, 6, 7 };

/* --- Tests ----------------------------------------------------------------- */

static void test_cpu_init_sets_up_cpu_0(void **unused)
{
	(void)unused;
	assert_int_equal(cpu_table[0].id, 0);
	assert_true(cpu_table[0].online);
	assert_int_equal(cpu_table[0].lr_count, LRS);
	assert_int_equal(cpu_table[0].gic_mask, GIC_MASK_OF(0));
	/* MPIDR_EL1 bit 31 is RES1, not affinity (Arm ARM D13.2.86). */
	assert_int_equal(cpu_table[0].mpidr, 0);
	assert_int_equal(fw.el2_inits, 1);
	assert_int_equal(cpu_count(), 1);
}

static void test_cpu_start_secondaries_stops_at_invalid_params(void **unused)
{
	(void)unused;
	give_cpus(3);
	assert_int_equal(cpu_start_secondaries(board_mpidr, CPU_MAX), 3);
	assert_int_equal(cpu_count(), 3);
	/* CPU 3 was asked and does not exist; nobody after it. */
	assert_int_equal(fw.calls, 3);
	for (uint32_t i = 1; i < 3; i++) {
		assert_ptr_equal((void *)(uintptr_t)fw.entry[i],
				 secondary_entry);
		assert_int_equal(fw.context[i], i);
		assert_int_equal(cpu_table[i].id, i);
		assert_int_equal(cpu_table[i].mpidr, i);
		assert_int_equal(cpu_table[i].gic_mask, GIC_MASK_OF(i));
		assert_true(cpu_table[i].online);
	}
	assert_false(cpu_table[3].online);
	assert_int_equal(fake_log_count[LOG_LEVEL_WARN], 0);
	assert_int_equal(kernel_lock_word.word >> 16,
			 kernel_lock_word.word & 0xffff);
}

static void test_cpu_start_secondaries_all_cpus(void **unused)
{
	(void)unused;
	give_cpus(CPU_MAX);
	assert_int_equal(cpu_start_secondaries(board_mpidr, CPU_MAX), CPU_MAX);
	assert_int_equal(cpu_count(), CPU_MAX);
	assert_int_equal(fw.calls, CPU_MAX - 1);
}

/* Only the CPUs the board lists, by their MPIDRs, though the firmware
 * would start more. */
static void test_cpu_start_secondaries_board_cpus(void **unused)
{
	(void)unused;
	static const uint64_t listed[] = { 0, 3 };

	give_cpus(4);
	assert_int_equal(cpu_start_secondaries(listed, 2), 2);
	assert_int_equal(fw.calls, 1);
	/* MPIDR 3 became the kernel's CPU 1. */
	assert_int_equal(fw.context[3], 1);
	assert_int_equal(cpu_table[1].mpidr, 3);
	assert_true(cpu_table[1].online);
	assert_false(cpu_table[2].online);
	assert_int_equal(cpu_count(), 2);
}

/*
 * The device tree may list the boot CPU anywhere (/cpus in any order):
 * its entry, by MPIDR affinity, is skipped, not taken for the first
 * secondary. Before, the first entry was skipped whatever it was, and the
 * boot CPU asked to start again (review of issue 15).
 */
static void test_cpu_start_secondaries_boot_cpu_not_first(void **unused)
{
	(void)unused;
	static const uint64_t listed[] = { 1, 0x80000000ULL, 2 };

	give_cpus(3);
	assert_int_equal(cpu_start_secondaries(listed, 3), 3);
	assert_int_equal(fw.calls, 2);
	assert_int_equal(fw.context[1], 1);
	assert_int_equal(fw.context[2], 2);
	assert_int_equal(cpu_table[1].mpidr, 1);
	assert_int_equal(cpu_table[2].mpidr, 2);
	assert_int_equal(cpu_count(), 3);
}

static void test_cpu_start_secondaries_firmware_refusal(void **unused)
{
	(void)unused;
	give_cpus(4);
	fw.answer[2] = FW_REFUSES;
	assert_int_equal(cpu_start_secondaries(board_mpidr, CPU_MAX), 2);
	assert_int_equal(fw.calls, 2);
	assert_int_equal(fake_log_count[LOG_LEVEL_WARN], 1);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_WARN], "cpu 2"));
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_WARN], "refused"));
	assert_int_equal(cpu_count(), 2);
}

static void test_cpu_start_secondaries_boot_timeout(void **unused)
{
	(void)unused;
	give_cpus(4);
	fw.answer[2] = FW_SILENT;
	/* Every counter read moves virtual time on by 1/8 s. */
	fake_counter_step = FAKE_COUNTER_HZ / 8;
	assert_int_equal(cpu_start_secondaries(board_mpidr, CPU_MAX), 2);
	assert_int_equal(fw.calls, 2);
	/* It waited a full second of counter time, no more than one step
	 * beyond, and then gave up on the CPU. */
	assert_true(fake_sysreg_cntpct_el0 > FAKE_COUNTER_HZ);
	assert_true(fake_sysreg_cntpct_el0 <=
		    FAKE_COUNTER_HZ + 3 * fake_counter_step);
	assert_int_equal(fake_log_count[LOG_LEVEL_WARN], 1);
	assert_non_null(
		strstr(fake_log_last[LOG_LEVEL_WARN], "cpu 2 did not come up"));
	assert_false(cpu_table[2].online);
	assert_int_equal(cpu_count(), 2);
}

static void test_cpu_secondary_with_other_lr_count_panics(void **unused)
{
	(void)unused;
	give_cpus(2);
	fw.lrs[1] = LRS - 1;
	FAKE_EXPECT_PANIC(cpu_start_secondaries(board_mpidr, CPU_MAX));
	assert_non_null(strstr(fake_panic_msg, "cpu 1 has 3 list registers"));
	assert_false(cpu_table[1].online);
}

static void test_cpu_kick_sends_sgi_to_other_online_cpu(void **unused)
{
	(void)unused;
	give_cpus(2);
	cpu_start_secondaries(board_mpidr, CPU_MAX);
	cpu_kick(&cpu_table[1]);
	assert_int_equal(fw.sgis, 1);
	assert_int_equal(fw.sgi, GIC_INTID_KICK);
	assert_int_equal(fw.sgi_mask, GIC_MASK_OF(1));
}

static void test_cpu_kick_skips_self_and_offline_cpus(void **unused)
{
	(void)unused;
	cpu_kick(&cpu_table[0]);
	cpu_kick(&cpu_table[1]);
	assert_int_equal(fw.sgis, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cpu_init_sets_up_cpu_0, setup),
		cmocka_unit_test_setup(
			test_cpu_start_secondaries_stops_at_invalid_params,
			setup),
		cmocka_unit_test_setup(test_cpu_start_secondaries_all_cpus,
				       setup),
		cmocka_unit_test_setup(test_cpu_start_secondaries_boot_cpu_not_first,
				       setup),
		cmocka_unit_test_setup(test_cpu_start_secondaries_board_cpus,
				       setup),
		cmocka_unit_test_setup(
			test_cpu_start_secondaries_firmware_refusal, setup),
		cmocka_unit_test_setup(test_cpu_start_secondaries_boot_timeout,
				       setup),
		cmocka_unit_test_setup(
			test_cpu_secondary_with_other_lr_count_panics, setup),
		cmocka_unit_test_setup(
			test_cpu_kick_sends_sgi_to_other_online_cpu, setup),
		cmocka_unit_test_setup(
			test_cpu_kick_skips_self_and_offline_cpus, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
