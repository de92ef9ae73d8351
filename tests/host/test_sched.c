/**
 * Unit tests of the scheduler (kernel/core/sched.c) on the host fake of
 * the arch contract, in virtual time. The world, homed once by the real
 * sched_assign_homes(): two online CPUs; guest "a" with four vCPUs and
 * guest "b" with one, homed round robin (cpu 0: a0 a2 b0, cpu 1: a1 a3);
 * two services "s" and "t". The EL1 context switch is recorded, not done.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "arch/vcpu_arch.h"
#include "fake_arch.h"
#include "fake_log.h"
#include "hyp/cpu.h"
#include "hyp/irq.h"
#include "hyp/klock.h"
#include "hyp/mmio.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/service_event.h"
#include "hyp/vtimer.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"

enum { VM_A, VM_B, VM_S, VM_T, VMS };
#define NCPU 2
/* One time slice in counter ticks (hyp/sched.h). */
#define SLICE (FAKE_COUNTER_HZ / SCHED_SLICE_HZ)

static const struct cfg_vm cfgs[VMS] = {
	[VM_A] = { .name = "a", .kind = CFG_VM_GUEST, .vcpu_count = 4 },
	[VM_B] = { .name = "b", .kind = CFG_VM_GUEST, .vcpu_count = 1 },
	[VM_S] = { .name = "s", .kind = CFG_VM_SERVICE, .vcpu_count = 1 },
	[VM_T] = { .name = "t", .kind = CFG_VM_SERVICE, .vcpu_count = 1 },
};

struct cpu cpu_table[CPU_MAX];
static struct vm vms[VMS];
static uint64_t deadline_of[VMS][CFG_MAX_VCPUS];

static struct {
	unsigned loads, saves, discards, enters, leaves, syncs, restarts;
	unsigned kicks, unmasks, pendings;
	struct vcpu *loaded_last;
	const struct cpu *kicked_last;
	bool shares_cpu[VMS][CFG_MAX_VCPUS];
	unsigned shares_cpu_calls;
} rec;

#define A(i) (&vms[VM_A].vcpus[i])
#define B0 (&vms[VM_B].vcpus[0])
#define S (&vms[VM_S].vcpus[0])
#define T (&vms[VM_T].vcpus[0])

/* --- Neighbours ------------------------------------------------------------ */

uint32_t vm_count(void)
{
	return VMS;
}

struct vm *vm_get(uint32_t i)
{
	assert_true(i < VMS);
	return &vms[i];
}

uint32_t cpu_count(void)
{
	return NCPU;
}

void cpu_kick(const struct cpu *cpu)
{
	rec.kicks++;
	rec.kicked_last = cpu;
}

/* irq.c: every CPU has a guest here, so the services' interrupts stay. */
void irq_route_owned(uint32_t cpu_mask)
{
	(void)cpu_mask;
	fail_msg("no CPU is free of guests in this world");
}

const char *vcpu_vm_name(const struct vcpu *vcpu)
{
	return vcpu->vm->cfg->name;
}

uint64_t vcpu_wake_deadline(const struct vcpu *vcpu)
{
	return deadline_of[vcpu->vm->id][vcpu->index];
}

void arch_vcpu_load(struct vcpu *vcpu)
{
	rec.loads++;
	rec.loaded_last = vcpu;
}

void arch_vcpu_save(struct vcpu *vcpu)
{
	(void)vcpu;
	rec.saves++;
}

void arch_vcpu_discard(void)
{
	rec.discards++;
}

void arch_vcpu_timer_sync(struct vcpu *vcpu)
{
	(void)vcpu;
	rec.syncs++;
}

void arch_service_enter(struct vcpu *service, struct vcpu *parked)
{
	(void)service;
	(void)parked;
	rec.enters++;
}

void arch_service_leave(struct vcpu *service, struct vcpu *parked)
{
	(void)service;
	(void)parked;
	rec.leaves++;
}

void arch_vcpu_set_shares_cpu(struct vcpu *vcpu, bool shares)
{
	vcpu->shares_cpu = shares;
	rec.shares_cpu[vcpu->vm->id][vcpu->index] = shares;
	rec.shares_cpu_calls++;
}

void arch_vcpu_enter(struct vcpu *vcpu)
{
	(void)vcpu;
	fail_msg("sched_start is not tested here");
	abort();
}

struct vcpu *vgic_prepare_entry(struct vcpu *vcpu)
{
	return vcpu;
}

void vtimer_unmask(void)
{
	rec.unmasks++;
}

void irq_handle_pending(void)
{
}

void vcpu_apply_pending(struct vcpu *vcpu)
{
	vcpu->pending = 0;
	rec.pendings++;
}

/* service.c: past its deadline, the service is restarted. */
bool service_overdue(struct vcpu *service, uint64_t now)
{
	if (now < service->vm->ep.deadline) {
		return false;
	}
	rec.restarts++;
	service->state = VCPU_BLOCKED_RECV;
	return true;
}

/*
 * service_event.c: service S's timer deadline (0: none), which CPU 0
 * watches; due, it wakes S as the real one wakes a service in RECV.
 */
static uint64_t s_timer_at;

uint64_t service_timer_poll(const struct cpu *cpu, bool *woke)
{
	if (cpu->id != 0 || s_timer_at == 0) {
		return VCPU_NO_DEADLINE;
	}
	if (arch_counter_now() < s_timer_at) {
		return s_timer_at;
	}
	s_timer_at = 0;
	S->state = VCPU_RUNNABLE;
	*woke = true;
	return VCPU_NO_DEADLINE;
}

/*
 * posted.c: the guest's posted writes are waiting while v->vm->posted is
 * set; taking them makes the service S run (it is handed the message).
 */
static uint32_t posted_takes;

bool posted_pending(struct vcpu *v)
{
	return v->vm->posted != NULL;
}

/* posted.c: writes posted now are taken by then (500 us at 1 MHz). */
#define POSTED_TICKS 500U

uint64_t posted_deadline(void)
{
	return arch_counter_now() + POSTED_TICKS;
}

struct vcpu *posted_take(struct vcpu *v)
{
	posted_takes++;
	v->vm->posted = NULL;
	v->state = VCPU_BLOCKED_REPLY;
	S->state = VCPU_RUNNABLE;
	return S;
}

/* --- Fixture --------------------------------------------------------------- */

static void run_on(uint32_t cpu)
{
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&cpu_table[cpu];
}

/* The world, homed once: sched_assign_homes() lists the services once. */
static int world(void **unused)
{
	(void)unused;
	fake_arch_reset();
	for (uint32_t c = 0; c < NCPU; c++) {
		cpu_table[c].id = c;
		cpu_table[c].online = true;
	}
	for (uint32_t i = 0; i < VMS; i++) {
		vms[i].id = (uint16_t)i;
		vms[i].cfg = &cfgs[i];
		vms[i].vcpu_count = cfgs[i].vcpu_count;
		for (uint32_t j = 0; j < vms[i].vcpu_count; j++) {
			vms[i].vcpus[j].vm = &vms[i];
			vms[i].vcpus[j].index = j;
			vms[i].vcpus[j].is_service =
				cfgs[i].kind == CFG_VM_SERVICE;
		}
	}
	run_on(0);
	sched_assign_homes();
	return 0;
}

static int setup(void **unused)
{
	(void)unused;
	fake_arch_reset();
	fake_log_reset();
	memset(&rec, 0, sizeof(rec));
	memset(deadline_of, 0xff, sizeof(deadline_of)); /* No deadline. */
	s_timer_at = 0;
	for (uint32_t c = 0; c < NCPU; c++) {
		struct cpu *cpu = &cpu_table[c];

		cpu->current = cpu->loaded = cpu->light = NULL;
		cpu->slice_expired = cpu->slice_armed = false;
		cpu->slice_stale = cpu->kicked = false;
		cpu->service_due = cpu->slice_over = false;
		cpu->turn_ended = NULL;
		cpu->slice_at = 0;
	}
	for (uint32_t i = 0; i < VMS; i++) {
		vms[i].state = VM_RUNNING;
		vms[i].ep.caller = NULL;
		vms[i].ep.deadline = UINT64_MAX;
		for (uint32_t j = 0; j < vms[i].vcpu_count; j++) {
			struct vcpu *v = &vms[i].vcpus[j];

			v->state = v->is_service ? VCPU_BLOCKED_RECV
						 : VCPU_RUNNABLE;
			v->on_cpu = NULL;
			v->ctx_fresh = false;
			v->pending = 0;
		}
	}
	fake_sysreg_cntpct_el0 = 1000;
	run_on(0);
	kernel_lock();
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	/* Every test leaves the kernel lock as it found it: held. */
	kernel_unlock();
	return 0;
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* @p v becomes the running vCPU of this CPU (loaded, current). */
static struct vcpu *start(struct vcpu *v)
{
	struct vcpu *r = sched_switch_direct(v);

	assert_ptr_equal(r, v);
	return r;
}

/* --- Tests ----------------------------------------------------------------- */

static void test_sched_assign_homes_round_robin(void **unused)
{
	(void)unused;
	assert_int_equal(cpu_table[0].runq_len, 3);
	assert_ptr_equal(cpu_table[0].runq[0], A(0));
	assert_ptr_equal(cpu_table[0].runq[1], A(2));
	assert_ptr_equal(cpu_table[0].runq[2], B0);
	assert_int_equal(cpu_table[1].runq_len, 2);
	assert_ptr_equal(cpu_table[1].runq[0], A(1));
	assert_ptr_equal(cpu_table[1].runq[1], A(3));
	for (uint32_t c = 0; c < NCPU; c++) {
		for (uint32_t k = 0; k < cpu_table[c].runq_len; k++) {
			assert_ptr_equal(cpu_table[c].runq[k]->home,
					 &cpu_table[c]);
			assert_int_equal(cpu_table[c].runq[k]->runq_index, k);
			/* Every CPU is shared: WFI and WFE yield. */
			assert_true(cpu_table[c].runq[k]->shares_cpu);
		}
	}
	assert_null(S->home);
	assert_null(T->home);
	assert_false(S->shares_cpu);
}

static void test_sched_next_keeps_runnable_current(void **unused)
{
	(void)unused;
	start(A(0));
	assert_ptr_equal(sched_next(A(0)), A(0));
	assert_int_equal(rec.loads, 1);
	assert_ptr_equal(cpu_table[0].current, A(0));
	assert_ptr_equal(A(0)->on_cpu, &cpu_table[0]);
}

static void test_sched_yield_round_robin(void **unused)
{
	(void)unused;
	start(A(0));
	assert_ptr_equal(sched_yield(A(0)), A(2));
	assert_ptr_equal(sched_yield(A(2)), B0);
	assert_ptr_equal(sched_yield(B0), A(0));
	assert_ptr_equal(sched_yield(A(0)), A(2));
	/* Each switch saved the old guest and loaded the new one. */
	assert_int_equal(rec.loads, 5);
	assert_int_equal(rec.saves, 4);
	assert_null(B0->on_cpu);
	assert_ptr_equal(A(2)->on_cpu, &cpu_table[0]);
}

static void test_sched_blocked_vcpu_not_picked(void **unused)
{
	(void)unused;
	start(A(0));
	A(2)->state = VCPU_BLOCKED_WFI;
	assert_ptr_equal(sched_yield(A(0)), B0);
	B0->state = VCPU_BLOCKED_SEND;
	assert_ptr_equal(sched_yield(B0), A(0));
	/* A guest of the other CPU is never picked here. */
	A(0)->state = VCPU_BLOCKED_WFI;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	deadline_of[VM_A][0] = 5000;
	assert_ptr_equal(sched_next(A(0)), A(0));
	assert_int_equal(A(0)->state, VCPU_RUNNABLE);
}

static void test_sched_stopped_vm_not_picked(void **unused)
{
	(void)unused;
	start(A(0));
	vms[VM_A].state = VM_STOPPED;
	assert_ptr_equal(sched_next(A(0)), B0);
	assert_ptr_equal(sched_yield(B0), B0);
}

static void test_sched_yield_alone_keeps_running(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	start(A(0));
	assert_ptr_equal(sched_yield(A(0)), A(0));
	assert_int_equal(rec.loads, 1);
}

static void test_sched_slice_armed_only_when_shared(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_BLOCKED_RECV;
	start(A(0));
	/* Alone on the CPU: no slice, the EL2 timer stays off. */
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, 0);
	assert_false(cpu_table[0].slice_armed);
	/* B0 wakes: now they share it, one slice from now. */
	sched_wake(B0);
	assert_int_equal(rec.kicks, 0);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 1000 + SLICE);
	assert_true(cpu_table[0].slice_armed);
	assert_int_equal(cpu_table[0].slice_at, 1000 + SLICE);
}

static void test_sched_wake_does_not_extend_slice(void **unused)
{
	(void)unused;
	B0->state = VCPU_BLOCKED_RECV;
	start(A(0));
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 1000 + SLICE);
	fake_sysreg_cntpct_el0 += SLICE / 2;
	sched_wake(B0);
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 1000 + SLICE);
}

static void test_sched_slice_expiry_preempts_guest(void **unused)
{
	(void)unused;
	start(A(0));
	fake_sysreg_cntpct_el0 += SLICE;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), A(2));
	assert_false(cpu_table[0].slice_expired);
	/* The next slice of A2 runs from now. */
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 1000 + 2 * SLICE);
	/* Without expiry, no switch. */
	assert_ptr_equal(sched_preempt(A(2)), A(2));
}

/* Any window: posted_pending() above only tests for one. */
static struct mmio_window posted_window;

static void test_sched_slice_end_takes_posted_writes(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	start(A(0));
	posted_takes = 0;
	vms[VM_A].posted = &posted_window;
	/* The timer posted_write() armed: A0 goes on, after the service. */
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), S);
	assert_int_equal(posted_takes, 1);
	assert_false(cpu_table[0].slice_expired);
	/* Nothing waits: the next expiry is an ordinary one. */
	A(0)->state = VCPU_RUNNABLE;
	S->state = VCPU_BLOCKED_RECV;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), A(0));
	assert_int_equal(posted_takes, 1);
}

/*
 * Regression (review of the WFI change): the timer a posted write armed
 * fired while a service ran on top of the guest; the re-arm for the
 * service dropped it, and a lone vCPU waiting in WFI in hardware kept
 * its writes in the ring until its next exit. Still waiting, they are
 * due again: the timer comes back for the guest.
 */
static void test_sched_posted_writes_keep_a_timer_under_a_service(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	start(A(0));
	vms[VM_A].posted = &posted_window;
	/* S runs on top of A0 (woken by its device's interrupt). */
	vms[VM_S].ep.deadline = fake_sysreg_cntpct_el0 + 100 * SLICE;
	S->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_preempt(A(0)), S);
	fake_sysreg_cntpct_el0 += 10;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(S), S);
	assert_true(cpu_table[0].slice_armed);
	assert_int_equal(cpu_table[0].slice_at,
			 fake_sysreg_cntpct_el0 + POSTED_TICKS);
	assert_int_equal(fake_sysreg_cnthp_cval_el2,
			 fake_sysreg_cntpct_el0 + POSTED_TICKS);
	vms[VM_A].posted = NULL;
}

/*
 * Regression: with another guest runnable, a slice's end yielded first and
 * left the writes for A0's next exit, which a guest that only computes
 * never makes: two such guests on one CPU handed it to each other with
 * their lines never out. The writes are taken first; the slice stays over,
 * so that after the service's answer the CPU turns to A2.
 */
static void test_sched_slice_end_takes_posted_before_yielding(void **unused)
{
	(void)unused;
	start(A(0));
	posted_takes = 0;
	vms[VM_A].posted = &posted_window;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), S);
	assert_int_equal(posted_takes, 1);
	assert_true(cpu_table[0].slice_over);
	vms[VM_A].posted = NULL;
}

static void test_sched_wfi_deadline_wakes_and_arms(void **unused)
{
	(void)unused;
	B0->state = VCPU_OFF;
	A(2)->state = VCPU_BLOCKED_WFI;
	deadline_of[VM_A][2] = 1500;
	start(A(0));
	/* A0 runs alone; the timer wakes A2 at its deadline. */
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 1500);
	fake_sysreg_cntpct_el0 = 1500;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), A(2));
	assert_int_equal(A(2)->state, VCPU_RUNNABLE);
}

static void test_sched_idle_sleeps_until_deadline(void **unused)
{
	(void)unused;
	start(A(0));
	A(0)->state = VCPU_BLOCKED_WFI;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_BLOCKED_WFI;
	deadline_of[VM_B][0] = 9000;
	deadline_of[VM_A][0] = 7000;
	assert_ptr_equal(sched_next(A(0)), A(0));
	/* Slept once, to the earlier deadline, with the lock dropped. */
	assert_int_equal(fake_sleep_count, 1);
	assert_int_equal(fake_sysreg_cntpct_el0, 7000);
	assert_int_equal(B0->state, VCPU_BLOCKED_WFI);
	assert_int_equal(rec.syncs, 1);
	/* The sleep consumed the EL2 timer: re-armed for B0 at entry. */
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 9000);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
}

/* Whether the virtual CPU interface signalled while the CPU slept. */
static bool sleep_seen_vgic_on;

static void record_vgic_sleep(uint64_t deadline)
{
	sleep_seen_vgic_on = fake_vgic_hcr != 0;
	fake_sysreg_cntpct_el0 = deadline;
}

/*
 * A guest that waits for a service's answer stays loaded while its CPU
 * idles, with a virtual interrupt pending in its LRs: its virtual CPU
 * interface must not signal during the sleep (QEMU ends an EL2 WFI for a
 * pending virtual IRQ, and the idle loop spun: a 4-vCPU Linux boot took
 * 1.7x its virtual time in CI), and its next entry turns it on again.
 */
static void test_sched_idle_quiets_the_loaded_guests_vgic(void **unused)
{
	(void)unused;
	start(A(0));
	fake_vgic_hcr = 1; /* GICH_HCR.En */
	A(0)->state = VCPU_BLOCKED_SEND;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	A(0)->vgic_dirty = false;
	s_timer_at = 4000;
	fake_sleep_hook = record_vgic_sleep;
	sleep_seen_vgic_on = true;
	assert_ptr_equal(sched_next(A(0)), S);
	fake_sleep_hook = NULL;
	assert_false(sleep_seen_vgic_on);
	assert_ptr_equal(cpu_table[0].loaded, A(0));
	assert_true(A(0)->vgic_dirty);
}

/* A0 alone on CPU 0, service S woken and running on top of it. */
static void s_on_top_of_lone_a0(void)
{
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	start(A(0));
	S->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_preempt(A(0)), S);
}

/*
 * A service's timer fires while the CPU turns from that very service back
 * to its guest (the slice re-armed on the way, load_guest()): the service
 * is still current then, but waits no longer. Nobody else would run it
 * until some exit: the EL2 timer fires at once (review of the lone-vCPU
 * WFI change: every other CPU may sleep in its guest's WFI for seconds).
 */
static void test_sched_service_woken_on_its_way_out_gets_the_cpu(void **unused)
{
	(void)unused;
	s_on_top_of_lone_a0();
	/* S waits again; its timer is due as A0's slice is re-armed. */
	cpu_table[0].slice_stale = true;
	s_timer_at = fake_sysreg_cntpct_el0;
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_next(S), A(0));
	assert_int_equal(S->state, VCPU_RUNNABLE);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
	assert_true(fake_sysreg_cnthp_cval_el2 <= fake_sysreg_cntpct_el0);
}

/*
 * A guest wakes a service and goes on (sched_next() keeps it, no pick):
 * with no idle CPU, the service relies on this CPU's EL2 timer firing at
 * once. Re-arming the guest's slice on the way (slice_stale) must not
 * push that back.
 */
static void test_sched_service_woken_by_a_guest_keeps_its_timer(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	start(A(0));
	cpu_table[1].current = A(1); /* CPU 1 is busy: nobody idle. */
	S->state = VCPU_RUNNABLE;
	sched_wake(S);
	assert_true(cpu_table[0].service_due);
	cpu_table[0].slice_stale = true;
	assert_ptr_equal(sched_next(A(0)), A(0));
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
	assert_true(fake_sysreg_cnthp_cval_el2 <= fake_sysreg_cntpct_el0);
	/* It ran: the next slice is an ordinary one again. */
	fake_sysreg_cntpct_el0 += 10;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), S);
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_next(S), A(0));
	cpu_table[0].slice_stale = true;
	assert_ptr_equal(sched_next(A(0)), A(0));
	assert_false(cpu_table[0].service_due);
	assert_false(fake_sysreg_cnthp_ctl_el2 == CNT_CTL_ENABLE &&
		     fake_sysreg_cnthp_cval_el2 <= fake_sysreg_cntpct_el0);
}

/*
 * A service that displaces another in the middle of its work (an
 * interrupt for it while the other ran) answers its caller by the fast
 * path, straight back to the guest: the displaced one still gets the CPU
 * at once, not at some other CPU's exit (review of the lone-vCPU WFI
 * change).
 */
static void test_sched_displaced_service_runs_after_the_fast_path(void **unused)
{
	(void)unused;
	s_on_top_of_lone_a0();
	T->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_preempt(S), T);
	assert_int_equal(S->state, VCPU_RUNNABLE);
	assert_null(S->on_cpu);
	/* While T runs, no timer at once: it would bounce the CPU. */
	assert_false(fake_sysreg_cnthp_ctl_el2 == CNT_CTL_ENABLE &&
		     fake_sysreg_cnthp_cval_el2 <= fake_sysreg_cntpct_el0);
	T->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_light_leave_fp(A(0)), A(0));
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
	assert_true(fake_sysreg_cnthp_cval_el2 <= fake_sysreg_cntpct_el0);
	/* The timer fires: S goes on. */
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), S);
}

/*
 * Regression (tests/system/test_vblk_starve.py, -smp 1): A0's slice ends
 * while a service runs on top of it. A0's turn is over: once the service
 * answers, A2 gets the CPU. A new slice for A0 there let a guest that is
 * nearly always inside a service call (so its slices end there) keep its
 * neighbour off the CPU for seconds.
 */
static void test_sched_slice_ended_under_a_service_is_over(void **unused)
{
	(void)unused;
	B0->state = VCPU_OFF;
	start(A(0));
	vms[VM_S].ep.deadline = fake_sysreg_cntpct_el0 + 100 * SLICE;
	S->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_preempt(A(0)), S);
	fake_sysreg_cntpct_el0 += SLICE;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(S), S);
	/* S answers A0 by the fast path: the EL2 timer fires at once. */
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_light_leave_fp(A(0)), A(0));
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
	assert_true(fake_sysreg_cnthp_cval_el2 <= fake_sysreg_cntpct_el0);
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), A(2));
	/* A2's slice is an ordinary one. */
	assert_false(cpu_table[0].slice_over);
	assert_int_equal(cpu_table[0].slice_at, fake_sysreg_cntpct_el0 + SLICE);
}

/* Is the EL2 timer armed to fire at once (an exit on the next entry)? */
static bool timer_fires_now(void)
{
	return fake_sysreg_cnthp_ctl_el2 == CNT_CTL_ENABLE &&
	       fake_sysreg_cnthp_cval_el2 <= fake_sysreg_cntpct_el0;
}

/* A0's slice ends while S runs on top of it, B0 waiting for the CPU. */
static void a0_slice_ends_under_s(void)
{
	A(2)->state = VCPU_OFF;
	start(A(0));
	vms[VM_S].ep.deadline = fake_sysreg_cntpct_el0 + 100 * SLICE;
	S->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_preempt(A(0)), S);
	fake_sysreg_cntpct_el0 += SLICE;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(S), S);
	assert_true(cpu_table[0].slice_over);
}

/*
 * (review of cpu.slice_over) Its turn over, A0 is the only guest left to
 * run (B's VM stopped from another CPU meanwhile): the timer at once finds
 * nobody else and A0 goes on. Its next service calls must not fire the
 * timer at once again, one interrupt per MMIO round trip for as long as
 * it runs alone (sched_preempt() clears slice_over at A0's own expiry).
 */
static void test_sched_slice_over_ends_with_the_guests_expiry(void **unused)
{
	(void)unused;
	a0_slice_ends_under_s();
	vms[VM_B].state = VM_STOPPED;
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_light_leave_fp(A(0)), A(0));
	assert_true(timer_fires_now());
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), A(0));
	/* A0 calls S again, by the fast path both ways. */
	S->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_light_enter_fp(S), S);
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_light_leave_fp(A(0)), A(0));
	assert_false(timer_fires_now());
}

/*
 * (review of cpu.slice_over) A0's slice ends under S while A0 waits (in
 * WFI); once S waits again the CPU loads B0. B0's turn is a fresh one:
 * its first service call answered by the fast path must not end it
 * (load_guest() clears slice_over).
 */
static void test_sched_slice_over_is_the_loaded_guests_only(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	start(A(0));
	A(0)->state = VCPU_BLOCKED_WFI;
	vms[VM_S].ep.deadline = fake_sysreg_cntpct_el0 + 100 * SLICE;
	S->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_next(A(0)), S);
	fake_sysreg_cntpct_el0 += SLICE;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(S), S);
	assert_true(cpu_table[0].slice_over);
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_next(S), B0);
	assert_false(timer_fires_now());
	S->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_light_enter_fp(S), S);
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_light_leave_fp(B0), B0);
	assert_false(timer_fires_now());
}

/* A service's timer wakes an idle CPU: it sleeps until the deadline. */
static void test_sched_idle_sleeps_until_service_deadline(void **unused)
{
	(void)unused;
	start(A(0));
	A(0)->state = VCPU_BLOCKED_WFI;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	deadline_of[VM_A][0] = 9000;
	s_timer_at = 4000;
	assert_ptr_equal(sched_next(A(0)), S);
	assert_int_equal(fake_sleep_count, 1);
	assert_int_equal(fake_sysreg_cntpct_el0, 4000);
}

/* What the sleeping CPU's EL2 timer is armed for, seen while it sleeps. */
static bool sleep_seen_armed;
static uint64_t sleep_seen_at;

static void record_sleep(uint64_t deadline)
{
	sleep_seen_armed = cpu_table[0].slice_armed;
	sleep_seen_at = cpu_table[0].slice_at;
	fake_sysreg_cntpct_el0 = deadline;
}

/*
 * While idle, the CPU records the time its EL2 timer sleeps until:
 * service_timer_set() on another CPU reads it to kick the watcher only for
 * an earlier deadline (review of issue 15).
 */
static void test_sched_idle_records_what_it_sleeps_until(void **unused)
{
	(void)unused;
	start(A(0));
	A(0)->state = VCPU_BLOCKED_WFI;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	deadline_of[VM_A][0] = 9000;
	s_timer_at = 4000;
	fake_sleep_hook = record_sleep;
	assert_ptr_equal(sched_next(A(0)), S);
	fake_sleep_hook = NULL;
	assert_true(sleep_seen_armed);
	assert_int_equal(sleep_seen_at, 4000);
}

/* While CPU 0 sleeps with nothing to wait for, another CPU wakes its
 * guest and sets a service timer, which CPU 0 watches, and kicks it (the
 * kick's interrupt sets cpu->kicked, as irq.c does). */
static void wake_and_set_timer_elsewhere(uint64_t deadline)
{
	(void)deadline;
	A(0)->state = VCPU_RUNNABLE;
	s_timer_at = fake_sysreg_cntpct_el0 + 5000;
	cpu_table[0].kicked = true;
}

/*
 * Regression (tests/system/test_vblk_starve.py): the idle loop cleared the
 * kick that woke it and went back to the same guest without re-arming its
 * EL2 timer, so a service timer set from another CPU meanwhile never fired
 * (a vblk client's request left to that timer waited for ever).
 */
static void test_sched_idle_kick_arms_service_timer(void **unused)
{
	(void)unused;
	start(A(0));
	A(0)->state = VCPU_BLOCKED_WFI;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	/* Nothing armed: alone, no wake-up, no service timer. */
	cpu_table[0].slice_armed = cpu_table[0].slice_stale = false;
	fake_sleep_hook = wake_and_set_timer_elsewhere;
	assert_ptr_equal(sched_next(A(0)), A(0));
	fake_sleep_hook = NULL;
	assert_true(cpu_table[0].slice_armed);
	assert_int_equal(cpu_table[0].slice_at, s_timer_at);
	assert_int_equal(fake_sysreg_cnthp_cval_el2, s_timer_at);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
}

/* As wake_and_set_timer_elsewhere(), but the kick also brings service T
 * woken there for an idle CPU (sched_wake(): one pending SGI for both). */
static void wake_t_and_set_timer_elsewhere(uint64_t deadline)
{
	(void)deadline;
	T->state = VCPU_RUNNABLE;
	s_timer_at = fake_sysreg_cntpct_el0 + 5000;
	cpu_table[0].kicked = true;
}

/*
 * (review, demonstration: fails on main) The kick that wakes the idle
 * watcher also brings a service to run there: the loop picks T and the
 * EL2 timer is armed only for T's reply deadline; the service timer set
 * elsewhere (slice_stale) is armed only when the CPU next turns to a guest,
 * so it fires up to T's whole run late (IPC_REPLY_TIMEOUT_MS at most).
 */
static void test_sched_idle_kick_to_a_service_arms_service_timer(void **unused)
{
	(void)unused;
	start(A(0));
	A(0)->state = VCPU_BLOCKED_WFI;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	vms[VM_T].ep.deadline = fake_sysreg_cntpct_el0 + 100 * SLICE;
	cpu_table[0].slice_armed = cpu_table[0].slice_stale = false;
	fake_sleep_hook = wake_t_and_set_timer_elsewhere;
	assert_ptr_equal(sched_next(A(0)), T);
	fake_sleep_hook = NULL;
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
	assert_int_equal(fake_sysreg_cnthp_cval_el2, s_timer_at);
}

/* A guest alone on the watching CPU: its EL2 timer is armed for the
 * service deadline, though no time slice is due. */
static void test_sched_guest_alone_arms_service_deadline(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	s_timer_at = 4000;
	start(A(0));
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 4000);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
	/* CPU 1 does not watch service deadlines. */
	A(3)->state = VCPU_OFF;
	run_on(1);
	start(A(1));
	assert_int_equal(cpu_table[1].slice_armed, false);
}

static void test_sched_service_before_guests(void **unused)
{
	(void)unused;
	start(A(0));
	S->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_preempt(A(0)), S);
	assert_int_equal(rec.enters, 1);
	assert_ptr_equal(cpu_table[0].light, S);
	/* Still loaded under it: the guest keeps its EL1 state. */
	assert_ptr_equal(cpu_table[0].loaded, A(0));
	/* S waits again: back to the guest without a full switch. */
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_next(S), A(0));
	assert_int_equal(rec.leaves, 1);
	assert_int_equal(rec.loads, 1);
}

/*
 * A kick to the watching CPU (a service deadline set on another CPU) arms
 * its EL2 timer even when a runnable service is picked first: else the
 * deadline waited for the next interrupt, up to the service's reply
 * timeout (review of issue 15).
 */
static void test_sched_kick_armed_before_a_service_runs(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	start(A(0));
	assert_false(cpu_table[0].slice_armed);
	s_timer_at = 4000;
	cpu_table[0].kicked = true;
	T->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_preempt(A(0)), T);
	assert_false(cpu_table[0].kicked);
	assert_int_equal(cpu_table[0].slice_at, 4000);
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 4000);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
}

static void test_sched_service_current_elsewhere_not_picked(void **unused)
{
	(void)unused;
	start(A(0));
	S->state = VCPU_RUNNABLE;
	S->on_cpu = &cpu_table[1];
	assert_ptr_equal(sched_preempt(A(0)), A(0));
	T->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_preempt(A(0)), T);
}

static void test_sched_overdue_service_restarted(void **unused)
{
	(void)unused;
	start(A(0));
	S->state = VCPU_RUNNABLE;
	vms[VM_S].ep.deadline = 2000;
	vms[VM_S].ep.caller = A(0);
	assert_ptr_equal(sched_preempt(A(0)), S);
	/* The reply deadline is armed on the EL2 timer. */
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 2000);
	/* Its slice ends before the deadline: it keeps running. */
	fake_sysreg_cntpct_el0 = 1999;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(S), S);
	assert_int_equal(rec.restarts, 0);
	fake_sysreg_cntpct_el0 = 2000;
	cpu_table[0].slice_expired = true;
	A(0)->state = VCPU_BLOCKED_REPLY;
	assert_ptr_equal(sched_preempt(S), A(2));
	assert_int_equal(rec.restarts, 1);
}

static void test_sched_wake_kicks_home_or_idle_cpu(void **unused)
{
	(void)unused;
	start(A(0));
	A(1)->state = VCPU_BLOCKED_WFI;
	sched_wake(A(1));
	assert_int_equal(A(1)->state, VCPU_RUNNABLE);
	assert_int_equal(rec.kicks, 1);
	assert_ptr_equal(rec.kicked_last, &cpu_table[1]);
	/* A service: the idle CPU 1 is kicked, not this one. */
	sched_wake(S);
	assert_int_equal(S->state, VCPU_RUNNABLE);
	assert_int_equal(rec.kicks, 2);
	assert_ptr_equal(rec.kicked_last, &cpu_table[1]);
	/* Nobody idle: no kick. */
	cpu_table[1].current = A(1);
	sched_wake(T);
	assert_int_equal(rec.kicks, 2);
}

/*
 * A service woken on a CPU that idles (its device's interrupt woke it):
 * that CPU's idle loop runs it; kicking another idle CPU too would only
 * race the two for it. Doorbells ring only while another CPU idles.
 */
static void test_sched_wake_on_idle_cpu_kicks_nobody(void **unused)
{
	(void)unused;
	assert_true(sched_cpu_idle_elsewhere());
	sched_wake(S);
	assert_int_equal(S->state, VCPU_RUNNABLE);
	assert_int_equal(rec.kicks, 0);
	assert_false(cpu_table[0].slice_armed);
	cpu_table[1].current = A(1);
	assert_false(sched_cpu_idle_elsewhere());
	cpu_table[1].online = false;
	cpu_table[1].current = NULL;
	assert_false(sched_cpu_idle_elsewhere());
	cpu_table[1].online = true;
}

/*
 * A service woken while every CPU is busy: services before guests, so the
 * waking CPU's EL2 timer fires at once and the guest there gives it the
 * CPU, instead of its next trap (a guest spinning without one outlasted the
 * service's reply deadline, and the kernel restarted the service).
 */
static void test_sched_woken_service_preempts_busy_guest(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	start(A(0));
	assert_false(cpu_table[0].slice_armed);
	cpu_table[1].current = A(1);
	sched_wake(S);
	assert_int_equal(rec.kicks, 0);
	assert_true(cpu_table[0].slice_armed);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
	assert_true(fake_sysreg_cnthp_cval_el2 <= fake_sysreg_cntpct_el0);
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), S);
}

/*
 * A service woken by a guest's interrupt exit (a device's interrupt to its
 * driver domain): sched_preempt() runs next and picks it, so no timer is
 * armed (two EL2 timer writes and one more interrupt per wake before).
 */
static void test_sched_wake_in_irq_exit_arms_nothing(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	start(A(0));
	cpu_table[1].current = A(1);
	cpu_table[0].in_irq = true;
	sched_wake(S);
	cpu_table[0].in_irq = false;
	assert_false(cpu_table[0].slice_armed);
	assert_int_equal(S->state, VCPU_RUNNABLE);
	assert_ptr_equal(sched_preempt(A(0)), S);
}

/*
 * A guest whose slice ended while a service ran on top does not get the
 * CPU back before the other guests of its CPU: the round robin goes on
 * after it. Else a guest that wakes a service once per slice keeps the
 * CPU and starves its neighbours (found with the starve scenario's review).
 */
static void test_sched_slice_ended_under_service_goes_round(void **unused)
{
	(void)unused;
	start(A(0));
	S->state = VCPU_RUNNABLE;
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), S);
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_next(S), A(2));
	/* The next service round trip of A(2) comes back to A(2). */
	S->state = VCPU_RUNNABLE;
	assert_ptr_equal(sched_preempt(A(2)), S);
	S->state = VCPU_BLOCKED_RECV;
	assert_ptr_equal(sched_next(S), A(2));
}

/* A service timer that fires while a guest's slice is armed runs first. */
static void test_sched_service_timer_fired_on_arming_runs_first(void **unused)
{
	(void)unused;
	A(2)->state = VCPU_OFF;
	B0->state = VCPU_OFF;
	s_timer_at = 900; /* Already past: it fires as the slice is armed. */
	start(A(0));
	assert_int_equal(S->state, VCPU_RUNNABLE);
	assert_true(cpu_table[0].slice_armed);
	assert_true(fake_sysreg_cnthp_cval_el2 <= fake_sysreg_cntpct_el0);
	cpu_table[0].slice_expired = true;
	assert_ptr_equal(sched_preempt(A(0)), S);
}

static void test_sched_reset_vcpu_is_reloaded(void **unused)
{
	(void)unused;
	start(A(0));
	A(0)->ctx_fresh = true;
	assert_ptr_equal(sched_next(A(0)), A(0));
	/* Its old registers are dropped, not saved over the reset ones. */
	assert_int_equal(rec.discards, 1);
	assert_int_equal(rec.saves, 0);
	assert_int_equal(rec.loads, 2);
	assert_false(A(0)->ctx_fresh);
}

static void test_sched_pending_work_applied_on_switch(void **unused)
{
	(void)unused;
	start(A(0));
	A(2)->pending = 1;
	assert_ptr_equal(sched_yield(A(0)), A(2));
	assert_int_equal(rec.pendings, 1);
	assert_int_equal(A(2)->pending, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_sched_assign_homes_round_robin),
		TEST(test_sched_next_keeps_runnable_current),
		TEST(test_sched_yield_round_robin),
		TEST(test_sched_blocked_vcpu_not_picked),
		TEST(test_sched_stopped_vm_not_picked),
		TEST(test_sched_yield_alone_keeps_running),
		TEST(test_sched_slice_armed_only_when_shared),
		TEST(test_sched_wake_does_not_extend_slice),
		TEST(test_sched_slice_expiry_preempts_guest),
		TEST(test_sched_slice_end_takes_posted_writes),
		TEST(test_sched_slice_end_takes_posted_before_yielding),
		TEST(test_sched_posted_writes_keep_a_timer_under_a_service),
		TEST(test_sched_wfi_deadline_wakes_and_arms),
		TEST(test_sched_idle_sleeps_until_deadline),
		TEST(test_sched_idle_sleeps_until_service_deadline),
		TEST(test_sched_idle_records_what_it_sleeps_until),
		TEST(test_sched_idle_kick_arms_service_timer),
		TEST(test_sched_idle_kick_to_a_service_arms_service_timer),
		TEST(test_sched_slice_ended_under_a_service_is_over),
		TEST(test_sched_slice_over_ends_with_the_guests_expiry),
		TEST(test_sched_slice_over_is_the_loaded_guests_only),
		TEST(test_sched_idle_quiets_the_loaded_guests_vgic),
		TEST(test_sched_service_woken_on_its_way_out_gets_the_cpu),
		TEST(test_sched_service_woken_by_a_guest_keeps_its_timer),
		TEST(test_sched_displaced_service_runs_after_the_fast_path),
		TEST(test_sched_guest_alone_arms_service_deadline),
		TEST(test_sched_service_before_guests),
		TEST(test_sched_kick_armed_before_a_service_runs),
		TEST(test_sched_service_current_elsewhere_not_picked),
		TEST(test_sched_overdue_service_restarted),
		TEST(test_sched_wake_kicks_home_or_idle_cpu),
		TEST(test_sched_wake_on_idle_cpu_kicks_nobody),
		TEST(test_sched_woken_service_preempts_busy_guest),
		TEST(test_sched_wake_in_irq_exit_arms_nothing),
		TEST(test_sched_service_timer_fired_on_arming_runs_first),
		TEST(test_sched_slice_ended_under_service_goes_round),
		TEST(test_sched_reset_vcpu_is_reloaded),
		TEST(test_sched_pending_work_applied_on_switch),
	};

	return cmocka_run_group_tests(tests, world, NULL);
}
