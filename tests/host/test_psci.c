/**
 * Unit tests of PSCI for partitions (kernel/core/psci.c, Arm DEN 0022D)
 * with the real vCPU reset (vcpu.c): a VM of VCPUS vCPUs whose MPIDRs are
 * Aff0 = index, RAM at [RAM_IPA, RAM_IPA + RAM_BYTES). The scheduler and
 * the VM's stop and reset are recorded, not run.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/hypercall.h"
#include "arch/sysreg_bits.h"
#include "arch/vcpu_arch.h"
#include "fake_arch.h"
#include "hyp/cpu.h"
#include "hyp/hypercall.h"
#include "hyp/sched.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"
#include "hyp/vptimer.h"
#include "hyp/vtimer.h"

#define VCPUS 3
#define RAM_IPA 0x40000000ULL
#define RAM_BYTES 0x1000ULL
#define CONTEXT 0x1234abcdULL
#define LRS 4
/* Return value of a call as x0 holds it (two's complement). */
#define RET(v) ((uint64_t)(int64_t)(v))
/* MPIDR Aff1 / Aff3 fields (Arm ARM D13.2.86). */
#define AFF1(v) ((uint64_t)(v) << 8)
#define AFF3(v) ((uint64_t)(v) << 32)

/* --- Neighbours ------------------------------------------------------------ */

struct cpu cpu_table[CPU_MAX];
static struct vm vm;
static struct vcpu other; /* What the scheduler picks next. */

static struct {
	struct vcpu *woken[VCPUS];
	unsigned wakes, nexts, stops, resets, timer_resets;
	enum vm_stop_reason why;
	bool irq_pending;
} rec;

uint64_t vm_read_guest(struct vm *v, ipaddr_t ipa, void *buf, uint64_t len)
{
	uint64_t a = ipa_addr(ipa);

	assert_ptr_equal(v, &vm);
	if (a < RAM_IPA || a >= RAM_IPA + RAM_BYTES || len > RAM_IPA + RAM_BYTES - a) {
		return 0;
	}
	memset(buf, 0, len);
	return len;
}

void sched_wake(struct vcpu *v)
{
	rec.woken[rec.wakes++] = v;
}

struct vcpu *sched_next(struct vcpu *current)
{
	(void)current;
	rec.nexts++;
	return &other;
}

bool vgic_vcpu_has_pending(struct vcpu *vcpu)
{
	(void)vcpu;
	return rec.irq_pending;
}

void vm_stop(struct vm *v, enum vm_stop_reason why)
{
	assert_ptr_equal(v, &vm);
	rec.stops++;
	rec.why = why;
}

void vm_reset(struct vm *v)
{
	assert_ptr_equal(v, &vm);
	rec.resets++;
}

void vptimer_reset(struct vcpu *v)
{
	(void)v;
	rec.timer_resets++;
}

uint64_t vtimer_deadline(const struct vcpu *v)
{
	(void)v;
	return VCPU_NO_DEADLINE;
}

void arch_vcpu_ctx_reset(struct vcpu *vcpu)
{
	(void)vcpu;
}

void arch_service_leave(struct vcpu *service, struct vcpu *parked)
{
	(void)service;
	(void)parked;
	fail_msg("no service runs in these tests");
}

/* --- Fixture --------------------------------------------------------------- */

static int setup(void **unused)
{
	(void)unused;
	memset(&vm, 0, sizeof(vm));
	memset(&rec, 0, sizeof(rec));
	memset(cpu_table, 0, sizeof(cpu_table));
	fake_arch_reset();
	cpu_table[0].lr_count = LRS;
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&cpu_table[0];
	vm.vcpu_count = VCPUS;
	vm.state = VM_RUNNING;
	for (uint32_t i = 0; i < VCPUS; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].index = i;
		vm.vcpus[i].state = VCPU_OFF;
	}
	vm.vcpus[0].state = VCPU_RUNNABLE;
	return 0;
}

/* vCPU 0 calls @p fid with x1..x3; returns what it resumes (next). */
static struct vcpu *call(uint32_t fid, uint64_t x1, uint64_t x2, uint64_t x3)
{
	struct vcpu *v = &vm.vcpus[0];
	struct vcpu *next = NULL;

	v->regs.x[0] = fid;
	v->regs.x[1] = x1;
	v->regs.x[2] = x2;
	v->regs.x[3] = x3;
	assert_true(psci_handle(v, fid, &next));
	assert_non_null(next);
	return next;
}

static uint64_t ret(void)
{
	return vm.vcpus[0].regs.x[0];
}

/* --- Tests ----------------------------------------------------------------- */

static void test_psci_version_is_1_0(void **unused)
{
	(void)unused;
	assert_ptr_equal(call(PSCI_VERSION, 0, 0, 0), &vm.vcpus[0]);
	assert_int_equal(ret(), PSCI_VERSION_1_0);
}

static void test_psci_features(void **unused)
{
	static const uint32_t supported[] = {
		PSCI_VERSION, PSCI_FEATURES, PSCI_CPU_SUSPEND_32,
		PSCI_CPU_SUSPEND_64, PSCI_CPU_OFF, PSCI_CPU_ON_32,
		PSCI_CPU_ON_64, PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64,
		PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET,
		SMCCC_VERSION,
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++) {
		call(PSCI_FEATURES, supported[i], 0, 0);
		assert_int_equal(ret(), RET(PSCI_RET_SUCCESS));
	}
	/* SYSTEM_SUSPEND (DEN 0022D 5.1.18) is not implemented. */
	call(PSCI_FEATURES, 0xc400000eU, 0, 0);
	assert_int_equal(ret(), RET(PSCI_RET_NOT_SUPPORTED));
	call(PSCI_FEATURES, SMCCC_ARCH_FEATURES, 0, 0);
	assert_int_equal(ret(), RET(PSCI_RET_NOT_SUPPORTED));
}

static void test_psci_cpu_on_starts_off_vcpu(void **unused)
{
	struct vcpu *t = &vm.vcpus[2];

	(void)unused;
	t->regs.x[5] = 0xdead;
	assert_ptr_equal(call(PSCI_CPU_ON_64, 2, RAM_IPA + 0x80, CONTEXT),
			 &vm.vcpus[0]);
	assert_int_equal(ret(), RET(PSCI_RET_SUCCESS));
	assert_int_equal(t->state, VCPU_RUNNABLE);
	assert_int_equal(t->regs.pc, RAM_IPA + 0x80);
	assert_int_equal(t->regs.x[0], CONTEXT);
	assert_int_equal(t->regs.x[5], 0);
	/* Entered at EL1h with DAIF masked (DEN 0022D 6.4.3). */
	assert_int_equal(t->regs.spsr, SPSR_M_EL1H | SPSR_DAIF);
	assert_true(t->ctx_fresh);
	assert_int_equal(t->vgic.lr_count, LRS);
	assert_int_equal(rec.timer_resets, 1);
	assert_int_equal(rec.wakes, 1);
	assert_ptr_equal(rec.woken[0], t);
}

static void test_psci_cpu_on_of_running_vcpu_is_already_on(void **unused)
{
	(void)unused;
	vm.vcpus[1].state = VCPU_BLOCKED_WFI;
	vm.vcpus[1].regs.pc = 0x5000;
	call(PSCI_CPU_ON_64, 1, RAM_IPA, 0);
	assert_int_equal(ret(), RET(PSCI_RET_ALREADY_ON));
	assert_int_equal(vm.vcpus[1].state, VCPU_BLOCKED_WFI);
	assert_int_equal(vm.vcpus[1].regs.pc, 0x5000);
	/* Itself, too. */
	call(PSCI_CPU_ON_64, 0, RAM_IPA, 0);
	assert_int_equal(ret(), RET(PSCI_RET_ALREADY_ON));
	assert_int_equal(rec.wakes, 0);
}

static void test_psci_cpu_on_bad_target_is_invalid_parameters(void **unused)
{
	static const uint64_t bad[] = {
		VCPUS, 0xff, AFF1(1) | 1, AFF3(1) | 1, 1ULL << 16,
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call(PSCI_CPU_ON_64, bad[i], RAM_IPA, 0);
		assert_int_equal(ret(), RET(PSCI_RET_INVALID_PARAMS));
	}
	assert_int_equal(rec.wakes, 0);
	for (uint32_t i = 1; i < VCPUS; i++) {
		assert_int_equal(vm.vcpus[i].state, VCPU_OFF);
	}
}

static void test_psci_cpu_on_ignores_mpidr_non_affinity_bits(void **unused)
{
	(void)unused;
	/* Bit 31 (RES1) and U (bit 30) are not affinity (D13.2.86). */
	call(PSCI_CPU_ON_64, (1ULL << 31) | (1ULL << 30) | 1, RAM_IPA, 0);
	assert_int_equal(ret(), RET(PSCI_RET_SUCCESS));
	assert_int_equal(vm.vcpus[1].state, VCPU_RUNNABLE);
}

static void test_psci_cpu_on_entry_outside_ram_is_invalid_address(void **unused)
{
	(void)unused;
	call(PSCI_CPU_ON_64, 1, RAM_IPA + RAM_BYTES, 0);
	assert_int_equal(ret(), RET(PSCI_RET_INVALID_ADDRESS));
	call(PSCI_CPU_ON_64, 1, RAM_IPA - 4, 0);
	assert_int_equal(ret(), RET(PSCI_RET_INVALID_ADDRESS));
	assert_int_equal(vm.vcpus[1].state, VCPU_OFF);
	assert_int_equal(rec.wakes, 0);
}

static void test_psci_cpu_on_32_uses_low_words(void **unused)
{
	(void)unused;
	/* SMC32: the upper halves of x1..x3 are ignored (SMCCC 2.6). */
	call(PSCI_CPU_ON_32, AFF3(1) | 1, (1ULL << 32) | RAM_IPA,
	     (1ULL << 32) | 7);
	assert_int_equal(ret(), RET(PSCI_RET_SUCCESS));
	assert_int_equal(vm.vcpus[1].regs.pc, RAM_IPA);
	assert_int_equal(vm.vcpus[1].regs.x[0], 7);
	/* The same as SMC64 names Aff3 = 1: no such vCPU. */
	call(PSCI_CPU_ON_64, AFF3(1) | 2, RAM_IPA, 0);
	assert_int_equal(ret(), RET(PSCI_RET_INVALID_PARAMS));
}

static void test_psci_affinity_info_level_0(void **unused)
{
	(void)unused;
	call(PSCI_AFFINITY_INFO_64, 0, 0, 0);
	assert_int_equal(ret(), PSCI_AFFINITY_ON);
	call(PSCI_AFFINITY_INFO_64, 1, 0, 0);
	assert_int_equal(ret(), PSCI_AFFINITY_OFF);
	vm.vcpus[1].state = VCPU_BLOCKED_WFI;
	call(PSCI_AFFINITY_INFO_32, 1, 0, 0);
	assert_int_equal(ret(), PSCI_AFFINITY_ON);
	call(PSCI_AFFINITY_INFO_64, VCPUS, 0, 0);
	assert_int_equal(ret(), RET(PSCI_RET_INVALID_PARAMS));
	call(PSCI_AFFINITY_INFO_64, AFF1(1), 0, 0);
	assert_int_equal(ret(), RET(PSCI_RET_INVALID_PARAMS));
}

static void test_psci_affinity_info_higher_levels(void **unused)
{
	(void)unused;
	/* Level 1: the cluster of vCPU 2 holds vCPU 0, which is on; the
	 * level-0 field of the target does not matter. */
	call(PSCI_AFFINITY_INFO_64, 2, 1, 0);
	assert_int_equal(ret(), PSCI_AFFINITY_ON);
	call(PSCI_AFFINITY_INFO_64, 0xff, 1, 0);
	assert_int_equal(ret(), PSCI_AFFINITY_ON);
	/* No vCPU in cluster 1, nor in Aff3 = 1. */
	call(PSCI_AFFINITY_INFO_64, AFF1(1), 1, 0);
	assert_int_equal(ret(), RET(PSCI_RET_INVALID_PARAMS));
	call(PSCI_AFFINITY_INFO_64, AFF3(1), 3, 0);
	assert_int_equal(ret(), RET(PSCI_RET_INVALID_PARAMS));
	call(PSCI_AFFINITY_INFO_64, 0, 3, 0);
	assert_int_equal(ret(), PSCI_AFFINITY_ON);
	/* Above level 3 there is none (DEN 0022D 5.1.9). */
	call(PSCI_AFFINITY_INFO_64, 0, 4, 0);
	assert_int_equal(ret(), RET(PSCI_RET_INVALID_PARAMS));
	/* Everything off: OFF at every level. */
	vm.vcpus[0].state = VCPU_OFF;
	for (uint64_t level = 0; level <= 3; level++) {
		call(PSCI_AFFINITY_INFO_64, 1, level, 0);
		assert_int_equal(ret(), PSCI_AFFINITY_OFF);
	}
}

static void test_psci_cpu_off_switches_away(void **unused)
{
	(void)unused;
	assert_ptr_equal(call(PSCI_CPU_OFF, 0, 0, 0), &other);
	assert_int_equal(vm.vcpus[0].state, VCPU_OFF);
	assert_int_equal(rec.nexts, 1);
}

static void test_psci_cpu_suspend_blocks_without_pending_irq(void **unused)
{
	(void)unused;
	assert_ptr_equal(call(PSCI_CPU_SUSPEND_64, 0x10000, RAM_IPA, 0), &other);
	assert_int_equal(vm.vcpus[0].state, VCPU_BLOCKED_WFI);
	assert_int_equal(ret(), RET(PSCI_RET_SUCCESS));
}

static void test_psci_cpu_suspend_returns_with_pending_irq(void **unused)
{
	(void)unused;
	rec.irq_pending = true;
	assert_ptr_equal(call(PSCI_CPU_SUSPEND_32, 0, 0, 0), &vm.vcpus[0]);
	assert_int_equal(vm.vcpus[0].state, VCPU_RUNNABLE);
	assert_int_equal(ret(), RET(PSCI_RET_SUCCESS));
	assert_int_equal(rec.nexts, 0);
}

static void test_psci_migrate_info_type(void **unused)
{
	(void)unused;
	call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
	assert_int_equal(ret(), PSCI_TOS_NOT_PRESENT);
}

static void test_psci_system_off_and_reset(void **unused)
{
	(void)unused;
	assert_ptr_equal(call(PSCI_SYSTEM_OFF, 0, 0, 0), &other);
	assert_int_equal(rec.stops, 1);
	assert_int_equal(rec.why, VM_STOP_SYSTEM_OFF);
	assert_ptr_equal(call(PSCI_SYSTEM_RESET, 0, 0, 0), &other);
	assert_int_equal(rec.resets, 1);
}

static void test_psci_other_calls_are_not_psci(void **unused)
{
	struct vcpu *next = NULL;

	(void)unused;
	assert_false(psci_handle(&vm.vcpus[0], SMCCC_VERSION, &next));
	assert_false(psci_handle(&vm.vcpus[0], 0xc400000eU, &next));
	assert_false(psci_handle(&vm.vcpus[0], 0x86000000U, &next));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_psci_version_is_1_0, setup),
		cmocka_unit_test_setup(test_psci_features, setup),
		cmocka_unit_test_setup(test_psci_cpu_on_starts_off_vcpu, setup),
		cmocka_unit_test_setup(test_psci_cpu_on_of_running_vcpu_is_already_on, setup),
		cmocka_unit_test_setup(test_psci_cpu_on_bad_target_is_invalid_parameters, setup),
		cmocka_unit_test_setup(test_psci_cpu_on_ignores_mpidr_non_affinity_bits, setup),
		cmocka_unit_test_setup(test_psci_cpu_on_entry_outside_ram_is_invalid_address, setup),
		cmocka_unit_test_setup(test_psci_cpu_on_32_uses_low_words, setup),
		cmocka_unit_test_setup(test_psci_affinity_info_level_0, setup),
		cmocka_unit_test_setup(test_psci_affinity_info_higher_levels, setup),
		cmocka_unit_test_setup(test_psci_cpu_off_switches_away, setup),
		cmocka_unit_test_setup(test_psci_cpu_suspend_blocks_without_pending_irq, setup),
		cmocka_unit_test_setup(test_psci_cpu_suspend_returns_with_pending_irq, setup),
		cmocka_unit_test_setup(test_psci_migrate_info_type, setup),
		cmocka_unit_test_setup(test_psci_system_off_and_reset, setup),
		cmocka_unit_test_setup(test_psci_other_calls_are_not_psci, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
