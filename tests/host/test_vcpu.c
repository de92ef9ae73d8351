/**
 * Unit tests of the vCPU reset and wake-up deadlines (kernel/core/vcpu.c)
 * with the real virtual timer (vtimer.c), EL1 physical timer model
 * (ptimer.c) and LR allocator (vgic_lr.c). A vCPU waiting in WFI wakes when its virtual timer
 * (CNTV, Arm ARM D11.2.4: ENABLE = 1, IMASK = 0, CNTVCT >= CVAL with
 * CNTVCT = CNTPCT - CNTVOFF) or its EL1 physical timer would fire.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "arch/sysreg_bits.h"
#include "arch/vcpu_arch.h"
#include "fake_arch.h"
#include "fake_gic.h"
#include "hyp/cpu.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"
#include "hyp/vgic.h"
#include "hyp/vptimer.h"

#define LRS 4

struct cpu cpu_table[CPU_MAX];
static struct vm vm;
static const struct cfg_vm cfg = { .name = "guest-x", .vcpu_count = 2 };

static struct {
	unsigned timer_resets, ctx_resets, leaves;
	struct vcpu *left, *parked;
} rec;

void vptimer_reset(struct vcpu *v)
{
	(void)v;
	rec.timer_resets++;
}

/* What the real ones do to the context, in one field: the reset writes
 * the reset vectors, the light switch's leave saves the live ones. */
#define RESET_VBAR 0x0ULL
#define LIVE_VBAR 0x20000800ULL

void arch_vcpu_ctx_reset(struct vcpu *vcpu)
{
	vcpu->ctx.vbar_el1 = RESET_VBAR;
	rec.ctx_resets++;
}

void arch_service_leave(struct vcpu *service, struct vcpu *parked)
{
	service->ctx.vbar_el1 = LIVE_VBAR;
	rec.leaves++;
	rec.left = service;
	rec.parked = parked;
}

/* The virtual timer's neighbours: never reached from these tests. */
bool vgic_inject(struct vm *v, uint32_t cpu, uint32_t intid, bool hw,
		 uint32_t phys, uint32_t source)
{
	(void)v;
	(void)cpu;
	(void)intid;
	(void)hw;
	(void)phys;
	(void)source;
	fail_msg("no interrupt is injected here");
	return false;
}

void cpu_kick(const struct cpu *cpu)
{
	(void)cpu;
	fail_msg("nobody is kicked here");
}

void cpu_kick_entry(const struct cpu *cpu)
{
	(void)cpu;
	fail_msg("nobody is kicked here");
}

bool arch_vtimer_asserted(const struct vcpu *vcpu, bool live)
{
	(void)vcpu;
	(void)live;
	fail_msg("no timer line is read here");
	return false;
}

static int setup(void **unused)
{
	(void)unused;
	memset(&vm, 0, sizeof(vm));
	memset(&rec, 0, sizeof(rec));
	memset(cpu_table, 0, sizeof(cpu_table));
	fake_arch_reset();
	cpu_table[0].lr_count = LRS;
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&cpu_table[0];
	vm.cfg = &cfg;
	vm.vcpu_count = 2;
	for (uint32_t i = 0; i < 2; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].index = i;
	}
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

static struct vcpu *v0(void)
{
	return &vm.vcpus[0];
}

static void vtimer(uint64_t ctl, uint64_t cval, uint64_t off)
{
	v0()->ctx.cntv_ctl_el0 = ctl;
	v0()->ctx.cntv_cval_el0 = cval;
	v0()->ctx.cntvoff_el2 = off;
}

static void test_vcpu_wake_deadline_none_without_timers(void **unused)
{
	(void)unused;
	assert_int_equal(vcpu_wake_deadline(v0()), VCPU_NO_DEADLINE);
	/* Disabled, or enabled and masked: no interrupt, no wake-up. */
	vtimer(0, 100, 0);
	assert_int_equal(vcpu_wake_deadline(v0()), VCPU_NO_DEADLINE);
	vtimer(CNT_CTL_ENABLE | CNT_CTL_IMASK, 100, 0);
	assert_int_equal(vcpu_wake_deadline(v0()), VCPU_NO_DEADLINE);
}

static void test_vcpu_wake_deadline_virtual_timer_in_physical_time(void **unused)
{
	(void)unused;
	vtimer(CNT_CTL_ENABLE, 100, 5000);
	assert_int_equal(vcpu_wake_deadline(v0()), 5100);
	/* ISTATUS (read only) does not matter. */
	vtimer(CNT_CTL_ENABLE | CNT_CTL_ISTATUS, 7, 0);
	assert_int_equal(vcpu_wake_deadline(v0()), 7);
}

static void test_vcpu_wake_deadline_past_counter_range_is_none(void **unused)
{
	(void)unused;
	/* CVAL + CNTVOFF beyond 2^64: the counter never gets there. */
	vtimer(CNT_CTL_ENABLE, UINT64_MAX - 10, 11);
	assert_int_equal(vcpu_wake_deadline(v0()), VCPU_NO_DEADLINE);
	vtimer(CNT_CTL_ENABLE, UINT64_MAX - 10, 10);
	assert_int_equal(vcpu_wake_deadline(v0()), UINT64_MAX);
}

static void test_vcpu_wake_deadline_earlier_of_both_timers(void **unused)
{
	(void)unused;
	v0()->ptimer.ctl = CNT_CTL_ENABLE;
	v0()->ptimer.cval = 300;
	assert_int_equal(vcpu_wake_deadline(v0()), 300);
	vtimer(CNT_CTL_ENABLE, 100, 100);
	assert_int_equal(vcpu_wake_deadline(v0()), 200);
	vtimer(CNT_CTL_ENABLE, 400, 0);
	assert_int_equal(vcpu_wake_deadline(v0()), 300);
	/* An EL1 physical timer already asserted wakes nothing more. */
	v0()->ptimer.asserted = true;
	assert_int_equal(vcpu_wake_deadline(v0()), 400);
}

static void test_vcpu_reset_architectural_state(void **unused)
{
	struct vcpu *v = &vm.vcpus[1];

	(void)unused;
	memset(&v->regs, 0xa5, sizeof(v->regs));
	v->ipc.kind = IPC_KIND_MMIO;
	v->pending = 3;
	v->vgic_dirty = true;
	v->vgic_ctx.vmcr = 1;
	v->vgic_ctx.apr = 2;
	v->vtimer_phys_active = true;
	v->state = VCPU_OFF;
	vcpu_reset(v, 0x40080000ULL, 0x4400ULL);
	assert_int_equal(v->regs.pc, 0x40080000ULL);
	assert_int_equal(v->regs.x[0], 0x4400ULL);
	for (int i = 1; i < 31; i++) {
		assert_int_equal(v->regs.x[i], 0);
	}
	assert_int_equal(v->regs.spsr, SPSR_M_EL1H | SPSR_DAIF);
	assert_int_equal(v->ipc.kind, IPC_KIND_NONE);
	assert_int_equal(v->pending, 0);
	assert_false(v->vgic_dirty);
	assert_int_equal(v->vgic_ctx.vmcr, 0);
	assert_int_equal(v->vgic_ctx.apr, 0);
	assert_false(v->vtimer_phys_active);
	assert_int_equal(v->vgic.lr_count, LRS);
	assert_true(v->ctx_fresh);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(rec.timer_resets, 1);
	assert_int_equal(rec.ctx_resets, 1);
	assert_int_equal(rec.leaves, 0);
}

/*
 * A vCPU switched off and on again (PSCI CPU_OFF, CPU_ON) with a
 * passed-through SPI in a hardware LR or queued: the reset drops both, so
 * it deactivates their physical interrupts, which no guest completion will
 * now; a hardware PPI (the virtual timer) is not an SPI and keeps its own
 * bookkeeping (vtimer_phys_active). Before, both SPIs stayed active for
 * ever (review of issue 15).
 */
static void test_vcpu_reset_deactivates_dropped_passthru_spis(void **unused)
{
	struct vcpu *v = &vm.vcpus[1];
	const struct vgic_pending_irq in_lr = {
		.intid = 40, .priority = 0xa0, .hw = true, .phys = 40 };
	const struct vgic_pending_irq queued = {
		.intid = 41, .priority = 0xa0, .hw = true, .phys = 41 };
	const struct vgic_pending_irq ppi = {
		.intid = 27, .priority = 0xa0, .hw = true, .phys = 27 };

	(void)unused;
	fake_gic_reset();
	vgic_cpu_init(&v->vgic, LRS);
	assert_true(vgic_cpu_place(&v->vgic, &in_lr, false));
	assert_true(vgic_cpu_queue(&v->vgic, &queued));
	assert_true(vgic_cpu_queue(&v->vgic, &ppi));
	fake_gic_fire(0, 40);
	fake_gic_fire(0, 41);
	fake_gic_fire(0, 27);
	v->state = VCPU_OFF;
	vcpu_reset(v, 0x1000, 0);
	assert_false(fake_spi[40].active);
	assert_false(fake_spi[41].active);
	assert_true(fake_gic[0].active[27]);
	assert_int_equal(v->vgic.queue_len, 0);
}

static void test_vcpu_reset_of_running_service_leaves_light(void **unused)
{
	struct vcpu guest = { 0 };

	(void)unused;
	v0()->is_service = true;
	cpu_table[0].light = v0();
	cpu_table[0].loaded = &guest;
	vcpu_reset(v0(), 0x1000, 0);
	assert_int_equal(rec.leaves, 1);
	assert_ptr_equal(rec.left, v0());
	assert_ptr_equal(rec.parked, &guest);
	assert_null(cpu_table[0].light);
	/* Left before the reset: leaving saves the old instance's exception
	 * registers (SP, ELR, SPSR, ESR, FAR, VBAR of EL1) into its context,
	 * which the restarted instance would otherwise start with. */
	assert_int_equal(v0()->ctx.vbar_el1, RESET_VBAR);
	/* Another CPU's service: nothing to give back here. */
	cpu_table[0].light = &vm.vcpus[1];
	vcpu_reset(v0(), 0x1000, 0);
	assert_int_equal(rec.leaves, 1);
}

static void test_vcpu_vm_name(void **unused)
{
	(void)unused;
	assert_string_equal(vcpu_vm_name(&vm.vcpus[1]), "guest-x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_vcpu_wake_deadline_none_without_timers),
		TEST(test_vcpu_wake_deadline_virtual_timer_in_physical_time),
		TEST(test_vcpu_wake_deadline_past_counter_range_is_none),
		TEST(test_vcpu_wake_deadline_earlier_of_both_timers),
		TEST(test_vcpu_reset_architectural_state),
		TEST(test_vcpu_reset_of_running_service_leaves_light),
		TEST(test_vcpu_reset_deactivates_dropped_passthru_spis),
		TEST(test_vcpu_vm_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
