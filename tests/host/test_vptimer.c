/**
 * Unit tests of the kernel glue of guests' EL1 physical timer
 * (kernel/core/vptimer.c) with the real timer model (ptimer.c): trapped
 * CNTP_* accesses, the interrupt line (INTID 30) made pending while high
 * and withdrawn when it falls, the hardware alarm re-armed, stale alarms.
 * The register decoding (arch_ptimer_reg) and the virtual GIC are
 * recorded; the counter is the fake's virtual time.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "arch/esr.h"
#include "arch/ptimer_arch.h"
#include "arch/sysreg_bits.h"
#include "fake_arch.h"
#include "fake_log.h"
#include "hyp/arch_gic.h"
#include "hyp/cpu.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"
#include "hyp/vptimer.h"

/* A trapped MRS/MSR names Rt = 31 for XZR (Arm ARM C6.2). */
#define XZR 31
/* Fake encodings: CRm selects the register, anything else is not CNTP. */
#define CRM_CTL 1
#define CRM_CVAL 2
#define CRM_TVAL 3

struct cpu cpu_table[CPU_MAX];
static struct vm vm;

static struct {
	unsigned injects, clears, arms, disarms;
	uint32_t clear_mask;
	uint64_t armed_cval;
	uint32_t armed_ctl;
} rec;

bool arch_ptimer_reg(const struct esr_sysreg *s, enum ptimer_reg *reg)
{
	switch (s->crm) {
	case CRM_CTL:
		*reg = PTIMER_REG_CTL;
		return true;
	case CRM_CVAL:
		*reg = PTIMER_REG_CVAL;
		return true;
	case CRM_TVAL:
		*reg = PTIMER_REG_TVAL;
		return true;
	default:
		return false;
	}
}

void arch_ptimer_arm(const struct ptimer *t)
{
	rec.arms++;
	rec.armed_cval = t->cval;
	rec.armed_ctl = t->ctl;
}

void arch_ptimer_disarm(void)
{
	rec.disarms++;
}

bool vgic_inject(struct vm *v, uint32_t cpu, uint32_t intid, bool hw,
		 uint32_t phys, uint32_t source)
{
	assert_ptr_equal(v, &vm);
	assert_int_equal(cpu, 1);
	assert_int_equal(intid, GIC_INTID_PTIMER);
	assert_false(hw);
	(void)phys;
	(void)source;
	rec.injects++;
	return true;
}

void vgic_clear_pending(struct vm *v, uint32_t cpu_mask, uint32_t intid)
{
	assert_ptr_equal(v, &vm);
	assert_int_equal(intid, GIC_INTID_PTIMER);
	rec.clears++;
	rec.clear_mask = cpu_mask;
}

static struct vcpu *g(void)
{
	return &vm.vcpus[1];
}

static int setup(void **unused)
{
	(void)unused;
	memset(&vm, 0, sizeof(vm));
	memset(&rec, 0, sizeof(rec));
	memset(cpu_table, 0, sizeof(cpu_table));
	fake_arch_reset();
	fake_log_reset();
	fake_sysreg_cntpct_el0 = 1000;
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&cpu_table[0];
	vm.state = VM_RUNNING;
	vm.vcpu_count = 2;
	for (uint32_t i = 0; i < 2; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].index = i;
		vm.vcpus[i].state = VCPU_RUNNABLE;
	}
	cpu_table[0].loaded = g();
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

/* The loaded vCPU writes @p value (in x5) to the register @p crm. */
static bool msr(uint8_t crm, uint64_t value)
{
	struct esr_sysreg s = { .crm = crm, .reg = 5, .read = false };

	g()->regs.x[5] = value;
	return vptimer_access(g(), &s);
}

static uint64_t mrs(uint8_t crm)
{
	struct esr_sysreg s = { .crm = crm, .reg = 7, .read = true };

	g()->regs.x[7] = 0xdeadbeef;
	assert_true(vptimer_access(g(), &s));
	return g()->regs.x[7];
}

static void test_vptimer_other_registers_are_not_ours(void **unused)
{
	struct esr_sysreg s = { .crm = 9, .reg = 5 };

	(void)unused;
	assert_false(vptimer_access(g(), &s));
	assert_int_equal(rec.arms, 0);
}

static void test_vptimer_future_deadline_arms_without_interrupt(void **unused)
{
	(void)unused;
	assert_true(msr(CRM_CVAL, 5000));
	assert_true(msr(CRM_CTL, CNT_CTL_ENABLE));
	assert_int_equal(rec.injects, 0);
	assert_int_equal(rec.armed_cval, 5000);
	assert_int_equal(rec.armed_ctl, CNT_CTL_ENABLE);
	assert_int_equal(mrs(CRM_CVAL), 5000);
	assert_int_equal(mrs(CRM_CTL), CNT_CTL_ENABLE);
	/* TVAL = CVAL - counter (D11.2.4). */
	assert_int_equal(mrs(CRM_TVAL), 4000);
	assert_false(vptimer_line(g()));
}

static void test_vptimer_met_condition_injects_then_withdraws(void **unused)
{
	(void)unused;
	msr(CRM_CVAL, 500);
	msr(CRM_CTL, CNT_CTL_ENABLE);
	assert_int_equal(rec.injects, 1);
	assert_true(g()->ptimer.asserted);
	assert_true(vptimer_line(g()));
	assert_int_equal(mrs(CRM_CTL), CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
	/* Masking drops the line: the pending interrupt is withdrawn from
	 * this vCPU only. */
	msr(CRM_CTL, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	assert_int_equal(rec.clears, 1);
	assert_int_equal(rec.clear_mask, 1u << 1);
	assert_false(g()->ptimer.asserted);
	assert_false(vptimer_line(g()));
}

static void test_vptimer_xzr_reads_and_writes(void **unused)
{
	struct esr_sysreg rd = { .crm = CRM_CVAL, .reg = XZR, .read = true };
	struct esr_sysreg wr = { .crm = CRM_CVAL, .reg = XZR, .read = false };

	(void)unused;
	msr(CRM_CVAL, 5000);
	/* MSR from XZR writes 0, MRS to XZR changes no register. */
	memset(&g()->regs, 0x77, sizeof(g()->regs));
	assert_true(vptimer_access(g(), &rd));
	for (int i = 0; i < 31; i++) {
		assert_int_equal(g()->regs.x[i], 0x7777777777777777ULL);
	}
	/* Nor the word after x30 (there is no x31). */
	assert_int_equal(g()->regs.pc, 0x7777777777777777ULL);
	assert_true(vptimer_access(g(), &wr));
	assert_int_equal(mrs(CRM_CVAL), 0);
}

static void test_vptimer_fired_syncs_the_loaded_vcpu(void **unused)
{
	(void)unused;
	msr(CRM_CVAL, 2000);
	msr(CRM_CTL, CNT_CTL_ENABLE);
	assert_int_equal(rec.injects, 0);
	fake_sysreg_cntpct_el0 = 2000;
	vptimer_fired();
	assert_int_equal(rec.disarms, 1);
	assert_int_equal(rec.injects, 1);
	assert_true(g()->ptimer.asserted);
}

static void test_vptimer_stale_alarm_stops(void **unused)
{
	(void)unused;
	msr(CRM_CVAL, 2000);
	msr(CRM_CTL, CNT_CTL_ENABLE);
	fake_sysreg_cntpct_el0 = 2000;
	g()->state = VCPU_OFF;
	vptimer_fired();
	vm.state = VM_STOPPED;
	g()->state = VCPU_RUNNABLE;
	vptimer_fired();
	cpu_table[0].loaded = NULL;
	vptimer_fired();
	assert_int_equal(rec.disarms, 3);
	assert_int_equal(rec.injects, 0);
}

static void test_vptimer_resample_and_reset(void **unused)
{
	(void)unused;
	vptimer_resample(g());
	assert_int_equal(rec.injects, 0);
	msr(CRM_CVAL, 500);
	msr(CRM_CTL, CNT_CTL_ENABLE);
	vptimer_resample(g());
	assert_int_equal(rec.injects, 2);
	vm.state = VM_STOPPED;
	vptimer_resample(g());
	assert_int_equal(rec.injects, 2);
	vptimer_reset(g());
	assert_int_equal(rec.clears, 1);
	assert_false(g()->ptimer.asserted);
	assert_int_equal(g()->ptimer.ctl, 0);
	assert_int_equal(g()->ptimer.cval, 0);
	vptimer_reset(g());
	assert_int_equal(rec.clears, 1);
}

static void test_vptimer_access_of_unloaded_vcpu_panics(void **unused)
{
	(void)unused;
	cpu_table[0].loaded = &vm.vcpus[0];
	FAKE_EXPECT_PANIC(msr(CRM_CTL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_vptimer_other_registers_are_not_ours),
		TEST(test_vptimer_future_deadline_arms_without_interrupt),
		TEST(test_vptimer_met_condition_injects_then_withdraws),
		TEST(test_vptimer_xzr_reads_and_writes),
		TEST(test_vptimer_fired_syncs_the_loaded_vcpu),
		TEST(test_vptimer_stale_alarm_stops),
		TEST(test_vptimer_resample_and_reset),
		TEST(test_vptimer_access_of_unloaded_vcpu_panics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
