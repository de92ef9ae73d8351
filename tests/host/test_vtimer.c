/**
 * Unit tests of the guests' virtual timer routing (kernel/core/vtimer.c)
 * on the fake physical GIC (tests/fake/fake_gic.c). When the physical PPI
 * 27 fires it is injected into the loaded guest as virtual PPI 27 in a
 * hardware-linked LR (IHI 0048B 5.3.4: the guest's EOI deactivates it),
 * else it is masked and deactivated on this CPU until a guest that enables
 * it is entered. A vCPU's wake-up deadline is its CNTV_CVAL + CNTVOFF in
 * physical time when the timer signals (Arm ARM D11.2.4: ENABLE = 1,
 * IMASK = 0). vgic_inject(), cpu_kick() and the arch's timer line read are
 * recorded.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/vgic.h"
#include "arch/sysreg_bits.h"
#include "arch/vcpu_arch.h"
#include "fake_arch.h"
#include "fake_gic.h"
#include "hyp/arch_gic.h"
#include "hyp/cpu.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"
#include "hyp/vtimer.h"

#define HERE 0
#define OTHER 1
#define VT GIC_INTID_VTIMER

struct cpu cpu_table[CPU_MAX];
static struct vm vm;

static struct {
	unsigned injects, kicks, reads;
	bool refuse;                 /* vgic_inject() finds no room. */
	uint32_t cpu, intid, phys, source;
	bool hw, live, line;
	const struct cpu *kicked;
} rec;

bool vgic_inject(struct vm *v, uint32_t cpu, uint32_t intid, bool hw,
		 uint32_t phys, uint32_t source)
{
	assert_ptr_equal(v, &vm);
	rec.injects++;
	rec.cpu = cpu;
	rec.intid = intid;
	rec.hw = hw;
	rec.phys = phys;
	rec.source = source;
	return !rec.refuse;
}

void cpu_kick(const struct cpu *cpu)
{
	(void)cpu;
	fail_msg("enabling the timer needs no reschedule: cpu_kick_entry");
}

void cpu_kick_entry(const struct cpu *cpu)
{
	rec.kicks++;
	rec.kicked = cpu;
}

bool arch_vtimer_asserted(const struct vcpu *vcpu, bool live)
{
	(void)vcpu;
	rec.reads++;
	rec.live = live;
	return rec.line;
}

static int setup(void **unused)
{
	(void)unused;
	memset(&vm, 0, sizeof(vm));
	memset(&rec, 0, sizeof(rec));
	memset(cpu_table, 0, sizeof(cpu_table));
	fake_arch_reset();
	fake_gic_reset();
	for (uint32_t i = 0; i < CPU_MAX; i++) {
		cpu_table[i].id = i;
	}
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&cpu_table[HERE];
	vm.vcpu_count = 2;
	for (uint32_t i = 0; i < 2; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].index = i;
	}
	/* The PPI is enabled at boot (irq.c). */
	fake_gic[HERE].enabled[VT] = true;
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

static struct vcpu *v(uint32_t i)
{
	return &vm.vcpus[i];
}

static struct cpu *here(void)
{
	return &cpu_table[HERE];
}

/* The physical PPI fires on this CPU and the kernel handles it. */
static void fire(void)
{
	fake_gic_fire(HERE, VT);
	vtimer_fired();
}

/* The PPI was masked and deactivated here, nothing injected after @p
 * injects tries. */
static void assert_masked(unsigned injects)
{
	assert_true(here()->vtimer_masked);
	assert_false(fake_gic[HERE].enabled[VT]);
	assert_false(fake_gic[HERE].active[VT]);
	assert_int_equal(fake_gic[HERE].deactivations, 1);
	assert_int_equal(rec.injects, injects);
}

static void guest_enables_timer(uint32_t i)
{
	vm.vgic.ctlr = VGIC_CTLR_ENABLE_MASK;
	vm.vgic.priv[i][VT].enabled = true;
}

static void test_vtimer_fired_injected_hw_linked(void **unused)
{
	(void)unused;
	here()->loaded = v(1);
	fire();
	assert_int_equal(rec.injects, 1);
	assert_int_equal(rec.cpu, 1);
	assert_int_equal(rec.intid, VT);
	assert_true(rec.hw);
	assert_int_equal(rec.phys, VT);
	assert_int_equal(rec.source, 0);
	/* Left active for the guest's EOI to deactivate, and enabled. */
	assert_true(fake_gic[HERE].active[VT]);
	assert_true(fake_gic[HERE].enabled[VT]);
	assert_int_equal(fake_gic[HERE].deactivations, 0);
	assert_false(here()->vtimer_masked);
}

static void test_vtimer_fired_idle_cpu_masks(void **unused)
{
	(void)unused;
	fire();
	assert_masked(0);
}

/* A vCPU reset since it was loaded does not own the timer in hardware. */
static void test_vtimer_fired_fresh_vcpu_masks(void **unused)
{
	(void)unused;
	here()->loaded = v(0);
	v(0)->ctx_fresh = true;
	fire();
	assert_masked(0);
}

static void test_vtimer_fired_refused_masks(void **unused)
{
	(void)unused;
	here()->loaded = v(0);
	rec.refuse = true;
	fire();
	assert_masked(1);
}

static void test_vtimer_unmasked_on_entry_of_enabling_guest(void **unused)
{
	(void)unused;
	fire();
	assert_true(here()->vtimer_masked);
	/* Its guest has not enabled the timer interrupt: stays masked. */
	vtimer_prepare_entry(v(0));
	assert_true(here()->vtimer_masked);
	vm.vgic.priv[0][VT].enabled = true;
	vtimer_prepare_entry(v(0));
	assert_true(here()->vtimer_masked);
	/* The distributor enabled too: unmasked. */
	vm.vgic.ctlr = VGIC_CTLR_ENABLE_MASK;
	vtimer_prepare_entry(v(1));
	assert_true(here()->vtimer_masked);
	vtimer_prepare_entry(v(0));
	assert_false(here()->vtimer_masked);
	assert_true(fake_gic[HERE].enabled[VT]);
}

/* Unmasking only undoes a mask: a PPI the kernel did not mask is left as
 * it is. */
static void test_vtimer_unmask_only_when_masked(void **unused)
{
	(void)unused;
	fake_gic[HERE].enabled[VT] = false;
	guest_enables_timer(0);
	vtimer_prepare_entry(v(0));
	vtimer_unmask();
	assert_false(fake_gic[HERE].enabled[VT]);
	here()->vtimer_masked = true;
	vtimer_unmask();
	assert_true(fake_gic[HERE].enabled[VT]);
	assert_false(here()->vtimer_masked);
}

static void test_vtimer_enabled_kicks_other_home(void **unused)
{
	(void)unused;
	vtimer_enabled(v(0));
	assert_true(v(0)->vgic_dirty);
	assert_int_equal(rec.kicks, 0);
	v(0)->home = here();
	vtimer_enabled(v(0));
	assert_int_equal(rec.kicks, 0);
	v(1)->home = &cpu_table[OTHER];
	vtimer_enabled(v(1));
	assert_true(v(1)->vgic_dirty);
	assert_int_equal(rec.kicks, 1);
	assert_ptr_equal(rec.kicked, &cpu_table[OTHER]);
}

/*
 * Watching a lone vCPU's WFI (hyp/vtimer.h): a delivery or a mask makes
 * its WFI trap, written live unless a service runs on top of it (then only
 * its context, which the service's leaving loads).
 */
static void test_vtimer_fired_watches_wfi(void **unused)
{
	(void)unused;
	here()->loaded = v(0);
	fire();
	assert_int_equal(rec.injects, 1);
	assert_true(v(0)->wfi_watch);
	assert_int_equal(fake_wfi_watch_writes, 1);
	/* Already watched: nothing written again. */
	fire();
	assert_int_equal(fake_wfi_watch_writes, 1);
	/* A service on top: its HCR_EL2 is in force, not the guest's. */
	v(1)->wfi_watch = false;
	here()->loaded = v(1);
	here()->light = v(0);
	fire();
	assert_true(v(1)->wfi_watch);
	assert_int_equal(fake_wfi_watch_writes, 1);
}

/* Nobody takes it: masked, and the loaded vCPU's WFI traps, so that the
 * kernel's WFI still wakes it at the timer's deadline. */
static void test_vtimer_masked_watches_wfi(void **unused)
{
	(void)unused;
	here()->loaded = v(0);
	rec.refuse = true;
	fire();
	assert_masked(1);
	assert_true(v(0)->wfi_watch);
	/* An idle CPU masks with no vCPU to watch. */
	memset(&rec, 0, sizeof(rec));
	here()->loaded = NULL;
	fire();
	assert_int_equal(rec.injects, 0);
}

/* A blocking WFI ends the watch only with the PPI unmasked and no linked
 * timer interrupt left in the vCPU's LRs. */
static void test_vtimer_wfi_blocks_ends_watch(void **unused)
{
	(void)unused;
	struct vgic_pending_irq timer = {
		.intid = VT, .hw = true, .phys = VT,
	};

	here()->loaded = v(0);
	v(0)->wfi_watch = true;
	v(0)->vgic.lr_count = 4;
	v(0)->vgic.lr[2] = arch_lr_make(&timer, VGIC_LR_ACTIVE);
	vtimer_wfi_blocks(v(0));
	assert_true(v(0)->wfi_watch);
	v(0)->vgic.lr[2] = 0;
	here()->vtimer_masked = true;
	vtimer_wfi_blocks(v(0));
	assert_true(v(0)->wfi_watch);
	here()->vtimer_masked = false;
	vtimer_wfi_blocks(v(0));
	assert_false(v(0)->wfi_watch);
	assert_int_equal(fake_wfi_watch_writes, 1);
	/* Not watched: nothing to write. */
	vtimer_wfi_blocks(v(0));
	assert_int_equal(fake_wfi_watch_writes, 1);
}

/* Read live only when the vCPU's timer is in hardware here. */
static void test_vtimer_line_live_or_saved(void **unused)
{
	(void)unused;
	rec.line = true;
	here()->loaded = v(0);
	assert_true(vtimer_line(v(0)));
	assert_true(rec.live);
	assert_true(vtimer_line(v(1)));
	assert_false(rec.live);
	here()->light = v(1);
	vtimer_line(v(0));
	assert_false(rec.live);
	here()->light = NULL;
	v(0)->ctx_fresh = true;
	vtimer_line(v(0));
	assert_false(rec.live);
	rec.line = false;
	assert_false(vtimer_line(v(0)));
	assert_int_equal(rec.reads, 5);
}

static void set_timer(uint64_t ctl, uint64_t cval, uint64_t off)
{
	v(0)->ctx.cntv_ctl_el0 = ctl;
	v(0)->ctx.cntv_cval_el0 = cval;
	v(0)->ctx.cntvoff_el2 = off;
}

static void test_vtimer_wake_deadline(void **unused)
{
	(void)unused;
	set_timer(CNT_CTL_ENABLE, 100, 5000);
	assert_int_equal(vtimer_deadline(v(0)), 5100);
	/* Disabled or masked: it never signals. */
	set_timer(0, 100, 5000);
	assert_int_equal(vtimer_deadline(v(0)), VCPU_NO_DEADLINE);
	set_timer(CNT_CTL_ENABLE | CNT_CTL_IMASK, 100, 5000);
	assert_int_equal(vtimer_deadline(v(0)), VCPU_NO_DEADLINE);
	/* Past the counter's range: never; at its end: the end. */
	set_timer(CNT_CTL_ENABLE, UINT64_MAX - 10, 11);
	assert_int_equal(vtimer_deadline(v(0)), VCPU_NO_DEADLINE);
	set_timer(CNT_CTL_ENABLE, UINT64_MAX - 10, 10);
	assert_int_equal(vtimer_deadline(v(0)), UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_vtimer_fired_injected_hw_linked),
		TEST(test_vtimer_fired_idle_cpu_masks),
		TEST(test_vtimer_fired_fresh_vcpu_masks),
		TEST(test_vtimer_fired_refused_masks),
		TEST(test_vtimer_unmasked_on_entry_of_enabling_guest),
		TEST(test_vtimer_unmask_only_when_masked),
		TEST(test_vtimer_enabled_kicks_other_home),
		TEST(test_vtimer_line_live_or_saved),
		TEST(test_vtimer_fired_watches_wfi),
		TEST(test_vtimer_masked_watches_wfi),
		TEST(test_vtimer_wfi_blocks_ends_watch),
		TEST(test_vtimer_wake_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
