/**
 * Unit tests of the kernel half of the virtual GIC (kernel/core/vgic.c with
 * the real vgic_lr.c and vm_window.c) against a fake physical GIC
 * (tests/fake/fake_gic.c: each CPU's list registers and banked active
 * state) on two physical CPUs.
 *
 * The rule checked throughout (IHI 0048B 5.3.4, GICH_LRn.HW): while a
 * virtual interrupt is linked to a physical one, the physical interrupt
 * stays active until the guest completes the virtual one, and only that
 * completion deactivates it. Whoever drops a hardware-linked virtual
 * interrupt another way (ICPENDR, ICACTIVER, a service's call, a merge
 * into a software copy of the same ID) must deactivate the physical
 * interrupt itself, on the CPU it is banked on; otherwise the virtual
 * timer PPI stays active on that CPU for every VM that runs there.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/ipc.h"
#include "abi/vgic.h"
#include "hyp/arch_gic.h"
#include "hyp/bitmap.h"
#include "arch/vcpu_arch.h"
#include "fake_gic.h"
#include "hyp/cpu.h"
#include "hyp/ipc.h"
#include "hyp/irq.h"
#include "hyp/sched.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"

#define VTIMER 27U
#define PPI_OTHER 20U
#define SPI_FIRST 40U
#define QEMU_LRS 4U
#define UART_SPI 33U
#define PT_SPI 34U
#define PRIO 0xa0U
#define VGIC_OK ((uint64_t)IPC_OK)
#define DENIED ((uint64_t)(int64_t)IPC_ERR_DENIED)
#define INVALID ((uint64_t)(int64_t)IPC_ERR_INVALID)

/* --- The world: two CPUs, a guest with two vCPUs, two services ----------- */

enum { SVC_VGIC, SVC_UART, GUEST, VMS };

struct cpu cpu_table[CPU_MAX];

static struct vm vms[VMS];
/** Each guest vCPU's virtual timer line, and whether it was read live. */
static bool vtimer_line[2], vtimer_read_live[2];
static struct cfg_vm cfgs[VMS];
static unsigned kicks[CPU_MAX];

uint32_t vm_count(void)
{
	return VMS;
}

struct vm *vm_get(uint32_t i)
{
	assert_true(i < VMS);
	return &vms[i];
}

void cpu_kick(const struct cpu *cpu)
{
	(void)cpu;
	fail_msg("a new virtual interrupt needs no reschedule: cpu_kick_entry");
}

void cpu_kick_entry(const struct cpu *cpu)
{
	kicks[cpu->id]++;
}

void sched_wake(struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
}

bool arch_vtimer_asserted(const struct vcpu *vcpu, bool live)
{
	vtimer_read_live[vcpu->index] = live;
	return vtimer_line[vcpu->index];
}

/* The physical timer's line (kernel vptimer.c): its model's state. */
bool vptimer_line(const struct vcpu *v)
{
	return v->ptimer.asserted;
}

/* irq.c: the owner of an SPI may acknowledge it (any owner, guest or
 * service: the caller decides who may ask). */
static unsigned ack_calls;

bool irq_ack_owned(const struct vm *vm, uint32_t intid)
{
	(void)vm;
	(void)intid;
	ack_calls++;
	return true;
}

static void run_on(uint32_t cpu)
{
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&cpu_table[cpu];
}

static struct vcpu *gvcpu(uint32_t i)
{
	return &vms[GUEST].vcpus[i];
}

/* What the scheduler does when it loads @p v on its home CPU. */
static void load(struct vcpu *v)
{
	run_on(v->home->id);
	v->home->loaded = v;
	arch_vgic_lrs_write(&v->vgic, false);
}

static void add_window(struct vm *svc, bool distributor, uint32_t irq)
{
	struct vm *g = &vms[GUEST];
	struct mmio_window *win = &g->mmio[g->mmio_count++];

	*win = (struct mmio_window){
		.name = "win",
		.client = g,
		.ep = &svc->ep,
		.kernel_sgir = distributor,
		.irq = irq,
	};
}

static int setup(void **unused)
{
	(void)unused;
	memset(vms, 0, sizeof(vms));
	memset(cfgs, 0, sizeof(cfgs));
	memset(cpu_table, 0, sizeof(cpu_table));
	memset(kicks, 0, sizeof(kicks));
	ack_calls = 0;
	memset(vtimer_line, 0, sizeof(vtimer_line));
	memset(vtimer_read_live, 0, sizeof(vtimer_read_live));
	fake_gic_reset();
	for (uint32_t c = 0; c < 2; c++) {
		cpu_table[c] = (struct cpu){ .id = c, .lr_count = QEMU_LRS,
					     .gic_mask = 1U << c };
	}
	for (uint32_t i = 0; i < VMS; i++) {
		struct vm *vm = &vms[i];

		cfgs[i].kind = i == GUEST ? CFG_VM_GUEST : CFG_VM_SERVICE;
		vm->id = (uint16_t)i;
		vm->cfg = &cfgs[i];
		vm->state = VM_RUNNING;
		vm->vcpu_count = i == GUEST ? 2 : 1;
		vm->ep.service = vm;
		vgic_dist_init(&vm->vgic);
		for (uint32_t k = 0; k < vm->vcpu_count; k++) {
			struct vcpu *v = &vm->vcpus[k];

			v->vm = vm;
			v->index = k;
			v->is_service = i != GUEST;
			v->state = VCPU_RUNNABLE;
			/* Guest vCPU k is homed on CPU k; services have none. */
			v->home = i == GUEST ? &cpu_table[k] : NULL;
			vgic_cpu_init(&v->vgic, QEMU_LRS);
		}
	}
	add_window(&vms[SVC_VGIC], true, 0);
	add_window(&vms[SVC_UART], false, UART_SPI);
	vms[GUEST].vgic.ctlr = VGIC_CTLR_ENABLE_MASK;
	/* The guest has physical PT_SPI passed through (irq.c's irq_init). */
	bitmap_assign(vms[GUEST].vgic.spi_hw, PT_SPI, true);
	load(gvcpu(0));
	load(gvcpu(1));
	run_on(0);
	return 0;
}

/* A service vCPU calls @p fid with x1 = the guest, then x2..x5. */
static uint64_t call(uint32_t svc, uint32_t fid, uint64_t x2, uint64_t x3,
		     uint64_t x4, uint64_t x5)
{
	struct vcpu *s = &vms[svc].vcpus[0];
	struct vcpu *next = NULL;

	s->regs.x[0] = fid;
	s->regs.x[1] = GUEST;
	s->regs.x[2] = x2;
	s->regs.x[3] = x3;
	s->regs.x[4] = x4;
	s->regs.x[5] = x5;
	assert_true(vgic_hypercall(s, fid, &next));
	assert_ptr_equal(next, s);
	return s->regs.x[0];
}

static void enable(uint32_t vcpu, uint32_t intid)
{
	uint64_t word = VGIC_CFG_ENABLED | (uint64_t)PRIO << VGIC_CFG_PRIORITY_SHIFT |
			1ULL << (VGIC_CFG_TARGETS_SHIFT + vcpu);

	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CONFIG, vcpu, intid, word, 0),
			 VGIC_OK);
}

/* vtimer.c's vtimer_fired() on @p v's home CPU, with @p v loaded there. */
static void vtimer_fires(struct vcpu *v)
{
	run_on(v->home->id);
	fake_gic_fire(v->home->id, VTIMER);
	assert_true(vgic_inject(v->vm, v->index, VTIMER, true, VTIMER, 0));
}

static bool hw_queued(const struct vcpu *v)
{
	for (uint32_t i = 0; i < v->vgic.queue_len; i++) {
		if (v->vgic.queue[i].hw) {
			return true;
		}
	}
	return false;
}

/*
 * The rule on @p cpu, whose loaded vCPU is @p v: physical PPI 27 is active
 * exactly while a hardware-linked virtual timer interrupt of @p v is live
 * (in a hardware LR or queued for one), and no deactivation ever named an
 * inactive interrupt.
 */
static void assert_hw_rule(uint32_t cpu, const struct vcpu *v)
{
	bool live = fake_gic_hw_lrs(cpu, VTIMER) > 0 || hw_queued(v);

	assert_int_equal(fake_gic[cpu].bad_dir, 0);
	assert_int_equal(fake_gic[cpu].active[VTIMER], live);
}

/* The guest on @p cpu takes and completes every pending @p intid. */
static unsigned guest_takes_all(uint32_t cpu, uint32_t intid)
{
	unsigned n = 0;

	while (fake_gic_guest_ack(cpu, intid)) {
		assert_true(fake_gic_guest_eoi(cpu, intid));
		n++;
		/* The next exit reads the LRs back and refills them. */
		gvcpu(cpu)->vgic_dirty = true;
		run_on(cpu);
		vgic_prepare_entry(gvcpu(cpu));
	}
	return n;
}

/* --- Item 1: no path drops a hardware-linked interrupt ------------------- */

/* Guest timer fired with IRQs masked: the HW LR is pending in hardware. */
static void timer_pending_in_lr(void)
{
	enable(0, VTIMER);
	vtimer_fires(gvcpu(0));
	assert_int_equal(fake_gic_hw_lrs(0, VTIMER), 1);
	assert_true(fake_gic[0].active[VTIMER]);
}

/*
 * An interrupt injected into the vCPU loaded on this CPU is in its list
 * registers at once, so the exit back to it needs no refill
 * (vgic_prepare_entry): the timer's delivery is that cheap path.
 */
static void test_vgic_inject_to_loaded_vcpu_needs_no_refill(void **unused)
{
	(void)unused;
	enable(0, VTIMER);
	gvcpu(0)->vgic_dirty = false;
	vtimer_fires(gvcpu(0));
	assert_int_equal(fake_gic_hw_lrs(0, VTIMER), 1);
	assert_false(gvcpu(0)->vgic_dirty);
	assert_true(fake_gic_guest_ack(0, VTIMER));
	assert_true(fake_gic_guest_eoi(0, VTIMER));
	assert_hw_rule(0, gvcpu(0));
}

/* Regression: GICD_ICPENDR0 bit 27 (HYP_VGIC_PENDING clear) dropped the
 * pending HW LR and left physical PPI 27 active on the CPU for good. */
static void test_vgic_icpendr_of_hw_timer_deactivates_physical(void **unused)
{
	(void)unused;
	timer_pending_in_lr();
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, VTIMER, 0, 0), VGIC_OK);
	assert_int_equal(fake_gic_hw_lrs(0, VTIMER), 0);
	assert_hw_rule(0, gvcpu(0));
}

/* Regression: the same through GICD_ICACTIVER0 (HYP_VGIC_ACTIVE clear). */
static void test_vgic_icactiver_of_hw_timer_deactivates_physical(void **unused)
{
	(void)unused;
	timer_pending_in_lr();
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_ACTIVE, 0, VTIMER, 0, 0), VGIC_OK);
	assert_hw_rule(0, gvcpu(0));
}

/* The guest has acknowledged it (active in the LR): ICPENDR leaves the
 * active HW LR alone, and the guest's EOI still deactivates it. */
static void test_vgic_icpendr_keeps_active_hw_timer(void **unused)
{
	(void)unused;
	timer_pending_in_lr();
	assert_true(fake_gic_guest_ack(0, VTIMER));
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, VTIMER, 0, 0), VGIC_OK);
	assert_hw_rule(0, gvcpu(0));
	assert_true(fake_gic_guest_eoi(0, VTIMER));
	assert_false(fake_gic[0].active[VTIMER]);
	assert_int_equal(fake_gic[0].bad_dir, 0);
}

/* Every LR busy: the HW entry waits in the queue; ICPENDR drops it. */
static void test_vgic_icpendr_of_queued_hw_timer_deactivates(void **unused)
{
	(void)unused;
	enable(0, VTIMER);
	for (uint32_t i = 0; i < QEMU_LRS; i++) {
		enable(0, SPI_FIRST + i);
		assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, SPI_FIRST + i,
				      1, 0), VGIC_OK);
	}
	vtimer_fires(gvcpu(0));
	assert_true(hw_queued(gvcpu(0)));
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, VTIMER, 0, 0), VGIC_OK);
	assert_false(hw_queued(gvcpu(0)));
	assert_hw_rule(0, gvcpu(0));
}

/* Regression: a software-pending INTID 27 (GICD_ISPENDR0, HYP_VGIC_PENDING
 * set) swallowed the HW injection that followed; the guest's EOI of the
 * software LR did not deactivate the physical PPI. */
static void test_vgic_sw_pending_timer_does_not_swallow_hw(void **unused)
{
	(void)unused;
	enable(0, VTIMER);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, VTIMER, 1, 0), VGIC_OK);
	vtimer_fires(gvcpu(0));
	assert_hw_rule(0, gvcpu(0));
	assert_true(guest_takes_all(0, VTIMER) >= 1);
	assert_hw_rule(0, gvcpu(0));
	assert_false(fake_gic[0].active[VTIMER]);
}

/* The same with the software copy already acknowledged (active). */
static void test_vgic_sw_active_timer_does_not_swallow_hw(void **unused)
{
	(void)unused;
	enable(0, VTIMER);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, VTIMER, 1, 0), VGIC_OK);
	assert_true(fake_gic_guest_ack(0, VTIMER));
	vtimer_fires(gvcpu(0));
	assert_hw_rule(0, gvcpu(0));
	assert_true(fake_gic_guest_eoi(0, VTIMER));
	gvcpu(0)->vgic_dirty = true;
	vgic_prepare_entry(gvcpu(0));
	assert_int_equal(guest_takes_all(0, VTIMER), 1);
	assert_hw_rule(0, gvcpu(0));
	assert_false(fake_gic[0].active[VTIMER]);
}

/*
 * Regression: ICPENDR for a vCPU loaded on another CPU cleared that
 * vCPU's stale LR shadow; its home CPU then reused the "free" LR for the
 * next interrupt, overwriting the pending HW LR with PPI 27 still active
 * there. Only the home CPU can read its LRs and deactivate its banked PPI.
 */
static void test_vgic_icpendr_of_remote_hw_timer_deactivates_at_home(void **unused)
{
	(void)unused;
	enable(1, VTIMER);
	enable(1, PPI_OTHER);
	vtimer_fires(gvcpu(1));
	assert_int_equal(fake_gic_hw_lrs(1, VTIMER), 1);
	run_on(0);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 2, VTIMER, 0, 0), VGIC_OK);
	/* CPU 0 cannot touch CPU 1's GIC: CPU 1 was asked to. */
	assert_true(kicks[1] > 0);
	/* CPU 1 takes another interrupt for it before entering it. */
	run_on(1);
	assert_true(vgic_inject(&vms[GUEST], 1, PPI_OTHER, false, 0, 0));
	assert_hw_rule(1, gvcpu(1));
	vgic_prepare_entry(gvcpu(1));
	assert_hw_rule(1, gvcpu(1));
	assert_int_equal(fake_gic_hw_lrs(1, VTIMER), 0);
	assert_int_equal(guest_takes_all(1, PPI_OTHER), 1);
}

/* An ICPENDR of an interrupt the remote vCPU does not hold (Linux clears
 * every SPI at boot) does not disturb its CPU. */
static void test_vgic_icpendr_of_remote_absent_irq_does_not_kick(void **unused)
{
	(void)unused;
	run_on(0);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 2, PPI_OTHER, 0, 0), VGIC_OK);
	assert_int_equal(kicks[1], 0);
	assert_false(gvcpu(1)->vgic_dirty);
}

/* ISPENDR of the remote vCPU after that ICPENDR: not pending any more. */
static void test_vgic_query_after_remote_clear(void **unused)
{
	(void)unused;
	enable(1, VTIMER);
	vtimer_fires(gvcpu(1));
	run_on(0);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 2, VTIMER, 0, 0), VGIC_OK);
	struct vcpu *s = &vms[SVC_VGIC].vcpus[0];

	assert_int_equal(call(SVC_VGIC, HYP_VGIC_QUERY, 1, VTIMER, 0, 0), VGIC_OK);
	assert_int_equal(s->regs.x[1], 0);
}

/* A vCPU switched out with its timer interrupt pending (its home CPU
 * deactivated the PPI then, vcpu_arch.c): cleared meanwhile, it must not
 * be made active again when it comes back. */
static void test_vgic_icpendr_of_switched_out_hw_timer(void **unused)
{
	(void)unused;
	timer_pending_in_lr();
	/* arch_vcpu_save() on CPU 0. */
	arch_vgic_lrs_read(&gvcpu(0)->vgic);
	gvcpu(0)->vtimer_phys_active = vgic_cpu_holds_hw(&gvcpu(0)->vgic, VTIMER);
	gic_deactivate(VTIMER);
	cpu_table[0].loaded = NULL;
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, VTIMER, 0, 0), VGIC_OK);
	assert_false(gvcpu(0)->vtimer_phys_active);
	assert_false(vgic_cpu_holds_hw(&gvcpu(0)->vgic, VTIMER));
}

/* --- Item 5: interrupt ownership and ranges --------------------------------- */

/* The UART service drives its window's SPI, and nothing else: not another
 * device's SPI, not the timer PPI (raise or lower), no distributor call. */
static void test_vgic_irq_level_only_for_the_windows_spi(void **unused)
{
	(void)unused;
	enable(0, UART_SPI);
	enable(0, UART_SPI + 1);
	assert_int_equal(call(SVC_UART, HYP_IRQ_LEVEL, UART_SPI, 1, 0, 0), VGIC_OK);
	assert_int_equal(fake_gic_guest_ack(0, UART_SPI), true);
	assert_int_equal(call(SVC_UART, HYP_IRQ_LEVEL, UART_SPI + 1, 1, 0, 0), DENIED);
	assert_false(fake_gic_guest_ack(0, UART_SPI + 1));
	timer_pending_in_lr();
	assert_int_equal(call(SVC_UART, HYP_IRQ_LEVEL, VTIMER, 0, 0, 0), DENIED);
	assert_int_equal(call(SVC_UART, HYP_IRQ_LEVEL, VTIMER, 1, 0, 0), DENIED);
	assert_int_equal(fake_gic_hw_lrs(0, VTIMER), 1);
	assert_hw_rule(0, gvcpu(0));
	assert_int_equal(call(SVC_UART, HYP_VGIC_PENDING, 1, VTIMER, 0, 0), DENIED);
	assert_int_equal(call(SVC_UART, HYP_VGIC_CONFIG, 0, UART_SPI, 0, 0), DENIED);
	assert_int_equal(fake_gic_hw_lrs(0, VTIMER), 1);
	/* The distributor service has no device SPI of its own. */
	assert_int_equal(call(SVC_VGIC, HYP_IRQ_LEVEL, UART_SPI, 1, 0, 0), DENIED);
	/* No SPI 0 either: 0 means "no interrupt" in a window. */
	assert_int_equal(call(SVC_VGIC, HYP_IRQ_LEVEL, 0, 1, 0, 0), DENIED);
}

/* Regression (UBSan): 1U << x2 with a service's vCPU number of 32 or more,
 * and other numbers out of range, are refused before use. */
static void test_vgic_calls_refuse_out_of_range_numbers(void **unused)
{
	(void)unused;
	const uint64_t huge = UINT64_MAX;

	assert_int_equal(call(SVC_VGIC, HYP_VGIC_ACTIVE, 40, VTIMER, 0, 0), INVALID);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_ACTIVE, 2, VTIMER, 0, 0), INVALID);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_ACTIVE, 0, VGIC_INTIDS, 0, 0), INVALID);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CONFIG, huge, 40, 0, 0), INVALID);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CONFIG, 0, huge, 0, 0), INVALID);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_QUERY, 2, 40, 0, 0), INVALID);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1ULL << 32, 40, 1, 0), INVALID);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, 1020, 1, 0), INVALID);
	/* An SGI from source CPU 8: GICH_LR.CPUID has three bits. */
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, 3, 1, 8), INVALID);
	/* In range: fine, including mask bits of vCPUs that do not exist. */
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 0xff, 40, 0, 0), VGIC_OK);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_ACTIVE, 1, 40, 0, 0), VGIC_OK);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CTLR, huge, 0, 0, 0), VGIC_OK);
}

/* --- Item 11: level-sensitive pending state -------------------------------- */

static uint64_t query_pending(uint32_t vcpu, uint32_t intid)
{
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_QUERY, vcpu, intid, 0, 0), VGIC_OK);
	return vms[SVC_VGIC].vcpus[0].regs.x[1];
}

/* An SGI number, enabled by default as on a GICv2 (IHI 0048B 4.3.5). */
#define SOME_SGI 3U

/*
 * Regression (review): SGIs and PPIs that became pending while the guest's
 * distributor was disabled (GICD_CTLR) were latched but never forwarded
 * once it was enabled again; only SPIs were (IHI 0048B 4.3.1: disabling
 * the distributor stops forwarding, it does not drop pending state).
 */
static void test_vgic_ctlr_enable_forwards_latched_sgis(void **unused)
{
	(void)unused;
	enable(0, SOME_SGI);
	enable(1, SOME_SGI);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CTLR, 0, 0, 0, 0), VGIC_OK);
	assert_false(vgic_inject(&vms[GUEST], 0, SOME_SGI, false, 0, 1));
	assert_false(vgic_inject(&vms[GUEST], 1, SOME_SGI, false, 0, 0));
	assert_false(fake_gic_guest_ack(0, SOME_SGI));
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CTLR, VGIC_CTLR_ENABLE_MASK, 0, 0,
			      0), VGIC_OK);
	assert_true(fake_gic_guest_ack(0, SOME_SGI));
	assert_true(fake_gic_guest_eoi(0, SOME_SGI));
	/* vCPU 1's too, on its home CPU (query_pending() would say 1 for a
	 * latched one as well: it proves nothing here). */
	assert_false(vms[GUEST].vgic.priv[1][SOME_SGI].latched);
	assert_true(kicks[1] > 0);
	run_on(1);
	vgic_prepare_entry(gvcpu(1));
	assert_int_equal(guest_takes_all(1, SOME_SGI), 1);
}

/*
 * A second SGI of one ID, from another source, waits in the queue while
 * the guest handles the first (one LR per SGI ID): it cannot be signalled
 * yet, so it does not end the guest's WFI, which would otherwise return at
 * once until the guest completes the first (a WFI trap storm). Once the
 * guest has completed it, it does.
 */
static void test_vgic_sgi_waiting_for_its_lr_does_not_end_wfi(void **unused)
{
	(void)unused;
	enable(0, SOME_SGI);
	(void)vgic_inject(&vms[GUEST], 0, SOME_SGI, false, 0, 1);
	vgic_prepare_entry(gvcpu(0));
	assert_true(fake_gic_guest_ack(0, SOME_SGI));
	(void)vgic_inject(&vms[GUEST], 0, SOME_SGI, false, 0, 0);
	vgic_prepare_entry(gvcpu(0));
	assert_int_equal(gvcpu(0)->vgic.queue_len, 1);
	assert_false(vgic_vcpu_has_pending(gvcpu(0)));
	assert_true(fake_gic_guest_eoi(0, SOME_SGI));
	assert_true(vgic_vcpu_has_pending(gvcpu(0)));
	/* The LR's EOI maintenance interrupt has the LRs refilled. */
	gvcpu(0)->vgic_dirty = true;
	vgic_prepare_entry(gvcpu(0));
	assert_true(fake_gic_guest_ack(0, SOME_SGI));
}

/* A level SPI the service holds asserted reads pending while disabled,
 * stays pending through ICPENDR, and is delivered when enabled. */
static void test_vgic_asserted_level_spi_is_pending(void **unused)
{
	(void)unused;
	assert_int_equal(call(SVC_UART, HYP_IRQ_LEVEL, UART_SPI, 1, 0, 0), VGIC_OK);
	assert_int_equal(query_pending(0, UART_SPI), 1);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, UART_SPI, 0, 0), VGIC_OK);
	assert_int_equal(query_pending(0, UART_SPI), 1);
	enable(0, UART_SPI);
	assert_true(fake_gic_guest_ack(0, UART_SPI));
	assert_true(fake_gic_guest_eoi(0, UART_SPI));
	assert_int_equal(call(SVC_UART, HYP_IRQ_LEVEL, UART_SPI, 0, 0, 0), VGIC_OK);
	assert_int_equal(query_pending(0, UART_SPI), 0);
}

/* An edge-configured SPI is not pending for a line held high. */
static void test_vgic_asserted_edge_spi_is_not_level_pending(void **unused)
{
	(void)unused;
	uint64_t edge = VGIC_CFG_EDGE | 1ULL << VGIC_CFG_TARGETS_SHIFT;

	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CONFIG, 0, UART_SPI, edge, 0), VGIC_OK);
	assert_int_equal(call(SVC_UART, HYP_IRQ_LEVEL, UART_SPI, 1, 0, 0), VGIC_OK);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, UART_SPI, 0, 0), VGIC_OK);
	assert_int_equal(query_pending(0, UART_SPI), 0);
}

/* The virtual timer's line, read live for the vCPU loaded on this CPU and
 * from its context for the other. */
static void test_vgic_asserted_vtimer_is_pending(void **unused)
{
	(void)unused;
	assert_int_equal(query_pending(0, VTIMER), 0);
	vtimer_line[0] = true;
	assert_int_equal(query_pending(0, VTIMER), 1);
	assert_true(vtimer_read_live[0]);
	assert_int_equal(query_pending(1, VTIMER), 0);
	vtimer_line[1] = true;
	assert_int_equal(query_pending(1, VTIMER), 1);
	assert_false(vtimer_read_live[1]);
	/* Its PPI 27 only: another PPI is not the timer's. */
	assert_int_equal(query_pending(0, PPI_OTHER), 0);
}

/* --- Passed-through SPIs: hardware-linked, physical side follows ------- */

static void disable(uint32_t vcpu, uint32_t intid)
{
	uint64_t word = (uint64_t)PRIO << VGIC_CFG_PRIORITY_SHIFT |
			1ULL << (VGIC_CFG_TARGETS_SHIFT + vcpu);

	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CONFIG, vcpu, intid, word, 0),
			 VGIC_OK);
}

/* Physical PT_SPI fires on @p cpu and the kernel offers it to the guest. */
static bool pt_fires(uint32_t cpu)
{
	run_on(cpu);
	fake_gic_fire(cpu, PT_SPI);
	return vgic_passthru_fired(&vms[GUEST], PT_SPI);
}

/* The physical SPI is forwarded only while the guest's distributor would
 * take it, to the home CPU of the vCPU it targets (GICD_ITARGETSR). */
static void test_vgic_passthru_spi_follows_the_guest_distributor(void **unused)
{
	(void)unused;
	assert_false(fake_spi[PT_SPI].enabled);
	enable(0, PT_SPI);
	assert_true(fake_spi[PT_SPI].enabled);
	assert_int_equal(fake_spi[PT_SPI].target, cpu_table[0].gic_mask);
	enable(1, PT_SPI);                  /* retargeted to vCPU 1 */
	assert_int_equal(fake_spi[PT_SPI].target, cpu_table[1].gic_mask);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CTLR, 0, 0, 0, 0), VGIC_OK);
	assert_false(fake_spi[PT_SPI].enabled);
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_CTLR, VGIC_CTLR_ENABLE_MASK, 0, 0,
			      0), VGIC_OK);
	assert_true(fake_spi[PT_SPI].enabled);
	disable(1, PT_SPI);
	assert_false(fake_spi[PT_SPI].enabled);
	/* An emulated device's SPI has no physical side. */
	enable(0, UART_SPI);
	assert_false(fake_spi[UART_SPI].enabled);
}

/* Injected with GICH_LR.HW naming the same physical INTID: the guest's
 * EOI deactivates the physical SPI (IHI 0048B 5.3.4), nobody else does. */
static void test_vgic_passthru_spi_guest_eoi_deactivates_it(void **unused)
{
	(void)unused;
	enable(0, PT_SPI);
	assert_true(pt_fires(0));
	assert_int_equal(fake_gic_hw_lrs(0, PT_SPI), 1);
	assert_true(fake_spi[PT_SPI].active);
	assert_int_equal(guest_takes_all(0, PT_SPI), 1);
	assert_false(fake_spi[PT_SPI].active);
	assert_int_equal(fake_gic[0].bad_dir, 0);
	/* Not the timer's: switching the vCPU out leaves PPI 27 alone. */
	assert_true(pt_fires(0));
	assert_false(vgic_cpu_holds_hw(&gvcpu(0)->vgic, VTIMER));
}

/* Disabled in the guest's distributor: not taken (the caller completes
 * it) and masked, not latched as a software interrupt. */
static void test_vgic_passthru_spi_disabled_is_masked(void **unused)
{
	(void)unused;
	fake_spi[PT_SPI].enabled = true;
	assert_false(pt_fires(0));
	assert_false(fake_spi[PT_SPI].enabled);
	assert_int_equal(fake_gic_hw_lrs(0, PT_SPI), 0);
	assert_false(vms[GUEST].vgic.spi[PT_SPI].latched);
}

/* Acknowledged on a CPU that is not its target vCPU's home (the guest
 * just moved it): not taken there, where another CPU's LR could not
 * deactivate it; the caller completes it and it comes back at home. */
static void test_vgic_passthru_spi_for_a_remote_vcpu_is_not_taken(void **unused)
{
	(void)unused;
	enable(1, PT_SPI);
	assert_false(pt_fires(0));
	assert_int_equal(fake_gic_hw_lrs(0, PT_SPI), 0);
	assert_false(bitmap_test(gvcpu(1)->inbox.pending, PT_SPI));
	assert_true(pt_fires(1));
	assert_int_equal(fake_gic_hw_lrs(1, PT_SPI), 1);
}

/* ICPENDR drops the pending hardware LR: the physical SPI, not banked, is
 * deactivated in the distributor, so a still-asserted line comes back. */
static void test_vgic_icpendr_of_passthru_spi_deactivates(void **unused)
{
	(void)unused;
	enable(0, PT_SPI);
	assert_true(pt_fires(0));
	assert_int_equal(call(SVC_VGIC, HYP_VGIC_PENDING, 1, PT_SPI, 0, 0), VGIC_OK);
	assert_int_equal(fake_gic_hw_lrs(0, PT_SPI), 0);
	assert_false(fake_spi[PT_SPI].active);
}

/*
 * Enabled, but its vCPU's queue is full: not masked (before, only a later
 * guest distributor write unmasked it again; review of issue 15) and not
 * deactivated (a level line still high would fire again at once); it stays
 * active and is offered again at the vCPU's next entry.
 */
static void test_vgic_passthru_spi_on_a_full_queue_is_retried(void **unused)
{
	struct vgic_cpu *q = &gvcpu(0)->vgic;

	(void)unused;
	enable(0, PT_SPI);
	for (uint32_t i = 0; i < VGIC_INTIDS; i++) {
		/* Every other INTID, and SGI 0 from a second source. */
		uint32_t intid = i == PT_SPI ? 0 : i;

		q->queue[i] = (struct vgic_pending_irq){
			.intid = (uint16_t)intid, .priority = PRIO,
			.source_cpu = i == PT_SPI ? 1 : 0 };
	}
	q->queue_len = VGIC_INTIDS;
	assert_true(pt_fires(0));
	assert_true(fake_spi[PT_SPI].enabled);
	assert_true(fake_spi[PT_SPI].active);
	assert_int_equal(fake_gic_hw_lrs(0, PT_SPI), 0);
	/* The guest drained its queue; its next entry offers it. */
	q->queue_len = 0;
	run_on(0);
	vgic_prepare_entry(gvcpu(0));
	assert_int_equal(fake_gic_hw_lrs(0, PT_SPI), 1);
	assert_int_equal(guest_takes_all(0, PT_SPI), 1);
	assert_false(fake_spi[PT_SPI].active);
	assert_int_equal(fake_gic[0].bad_dir, 0);
}

/* Owed, then disabled by the guest: deactivated at the next entry, so a
 * line still high comes back once it is enabled again. */
static void test_vgic_passthru_spi_owed_then_disabled_is_deactivated(void **unused)
{
	(void)unused;
	enable(0, PT_SPI);
	fake_gic_fire(0, PT_SPI);
	bitmap_assign(vms[GUEST].vgic.spi_owed, PT_SPI, true);
	disable(0, PT_SPI);
	gvcpu(0)->vgic_dirty = true;
	run_on(0);
	vgic_prepare_entry(gvcpu(0));
	assert_false(fake_spi[PT_SPI].active);
	assert_false(bitmap_test(vms[GUEST].vgic.spi_owed, PT_SPI));
	assert_int_equal(fake_gic_hw_lrs(0, PT_SPI), 0);
}

/*
 * HYP_IRQ_ACK is a service's call: a guest acknowledging its own
 * passed-through SPI would unmask it while its distributor has it
 * disabled (review of issue 15).
 */
static void test_vgic_irq_ack_only_from_a_service(void **unused)
{
	struct vcpu *g = gvcpu(0);
	struct vcpu *next = NULL;

	(void)unused;
	g->regs.x[1] = PT_SPI;
	assert_true(vgic_hypercall(g, HYP_IRQ_ACK, &next));
	assert_int_equal(g->regs.x[0], DENIED);
	assert_int_equal(ack_calls, 0);
	assert_false(fake_spi[PT_SPI].enabled);
	struct vcpu *s = &vms[SVC_UART].vcpus[0];

	s->regs.x[1] = UART_SPI;
	assert_true(vgic_hypercall(s, HYP_IRQ_ACK, &next));
	assert_int_equal(s->regs.x[0], VGIC_OK);
	assert_int_equal(ack_calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_vgic_inject_to_loaded_vcpu_needs_no_refill, setup),
		cmocka_unit_test_setup(test_vgic_icpendr_of_hw_timer_deactivates_physical, setup),
		cmocka_unit_test_setup(test_vgic_icactiver_of_hw_timer_deactivates_physical, setup),
		cmocka_unit_test_setup(test_vgic_icpendr_keeps_active_hw_timer, setup),
		cmocka_unit_test_setup(test_vgic_icpendr_of_queued_hw_timer_deactivates, setup),
		cmocka_unit_test_setup(test_vgic_sw_pending_timer_does_not_swallow_hw, setup),
		cmocka_unit_test_setup(test_vgic_sw_active_timer_does_not_swallow_hw, setup),
		cmocka_unit_test_setup(test_vgic_icpendr_of_remote_hw_timer_deactivates_at_home, setup),
		cmocka_unit_test_setup(test_vgic_query_after_remote_clear, setup),
		cmocka_unit_test_setup(test_vgic_icpendr_of_remote_absent_irq_does_not_kick, setup),
		cmocka_unit_test_setup(test_vgic_icpendr_of_switched_out_hw_timer, setup),
		cmocka_unit_test_setup(test_vgic_irq_level_only_for_the_windows_spi, setup),
		cmocka_unit_test_setup(test_vgic_calls_refuse_out_of_range_numbers, setup),
		cmocka_unit_test_setup(test_vgic_ctlr_enable_forwards_latched_sgis, setup),
		cmocka_unit_test_setup(test_vgic_sgi_waiting_for_its_lr_does_not_end_wfi, setup),
		cmocka_unit_test_setup(test_vgic_asserted_level_spi_is_pending, setup),
		cmocka_unit_test_setup(test_vgic_asserted_edge_spi_is_not_level_pending, setup),
		cmocka_unit_test_setup(test_vgic_asserted_vtimer_is_pending, setup),
		cmocka_unit_test_setup(test_vgic_passthru_spi_follows_the_guest_distributor, setup),
		cmocka_unit_test_setup(test_vgic_passthru_spi_guest_eoi_deactivates_it, setup),
		cmocka_unit_test_setup(test_vgic_passthru_spi_disabled_is_masked, setup),
		cmocka_unit_test_setup(test_vgic_passthru_spi_for_a_remote_vcpu_is_not_taken, setup),
		cmocka_unit_test_setup(test_vgic_icpendr_of_passthru_spi_deactivates, setup),
		cmocka_unit_test_setup(test_vgic_irq_ack_only_from_a_service, setup),
		cmocka_unit_test_setup(test_vgic_passthru_spi_on_a_full_queue_is_retried, setup),
		cmocka_unit_test_setup(test_vgic_passthru_spi_owed_then_disabled_is_deactivated, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
