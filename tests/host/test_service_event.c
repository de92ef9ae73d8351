/**
 * Unit tests of the events the kernel tells services
 * (kernel/core/service_event.c, with the real ipc.c and service.c): the
 * service timer (HYP_IPC_TIMER_SET, IPC_MSG_TIMER) and client resets
 * (IPC_MSG_RESET), on the fake arch contract in virtual time. The world:
 * services "s" and "t", guest "g" (uses s), guest "h" (uses nothing); two
 * CPUs, CPU 0 watches the deadlines. The scheduler is recorded.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/ipc.h"
#include "fake_arch.h"
#include "hyp/cpu.h"
#include "hyp/ipc.h"
#include "hyp/mmio.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/service_event.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"

enum { VM_S, VM_T, VM_G, VM_H, VMS };
#define ST(v) ((uint64_t)(int64_t)(v))
#define NOW 1000

static const struct cfg_vm cfgs[VMS] = {
	[VM_S] = { .name = "s", .kind = CFG_VM_SERVICE, .vcpu_count = 1 },
	[VM_T] = { .name = "t", .kind = CFG_VM_SERVICE, .vcpu_count = 1 },
	[VM_G] = { .name = "g", .kind = CFG_VM_GUEST, .vcpu_count = 1 },
	[VM_H] = { .name = "h", .kind = CFG_VM_GUEST, .vcpu_count = 1 },
};
static struct vm vms[VMS];
static struct mmio_window win;
struct cpu cpu_table[CPU_MAX];

#define S (&vms[VM_S].vcpus[0])
#define T (&vms[VM_T].vcpus[0])
#define G0 (&vms[VM_G].vcpus[0])
#define EP (&vms[VM_S].ep)
#define EPT (&vms[VM_T].ep)

static struct idle_marker { int unused; } idle;
#define IDLE ((struct vcpu *)&idle)

static struct {
	unsigned wakes, kicks, restarts;
	const struct cpu *kicked;
} rec;

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

void vm_ram_grant_ready(struct vm *vm, size_t k, uint64_t ipa, uint64_t size)
{
	(void)vm;
	(void)k;
	(void)ipa;
	(void)size;
	fail_msg("no PA is asked for in these tests");
}

bool vm_uses_endpoint(const struct vm *vm, const struct endpoint *ep)
{
	return vm == &vms[VM_G] && ep == EP;
}

void cpu_kick(const struct cpu *cpu)
{
	rec.kicks++;
	rec.kicked = cpu;
}

void sched_wake(struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
	rec.wakes++;
}

struct vcpu *sched_next(struct vcpu *current)
{
	(void)current;
	return IDLE;
}

struct vcpu *sched_switch_direct(struct vcpu *next)
{
	return next;
}

void sched_exit_by(uint64_t when)
{
	(void)when;
}

bool sched_cpu_idle_elsewhere(void)
{
	return false;
}

bool sched_runs_here(const struct vcpu *v)
{
	(void)v;
	return false;
}

bool mmio_element_done(struct vcpu *vcpu, uint64_t status, uint64_t value)
{
	(void)vcpu;
	(void)status;
	(void)value;
	return false;
}

void mmio_fail_or_finish(struct vcpu *vcpu, bool failed)
{
	(void)vcpu;
	(void)failed;
}

void vm_console_flush(struct vm *vm)
{
	(void)vm;
}

void vm_map_shadows(struct endpoint *ep)
{
	(void)ep;
}

void vm_reset_resume(struct vm *vm)
{
	vm->reset_held = false;
}

void vm_reload(struct vm *vm)
{
	(void)vm;
	rec.restarts++;
}

void irq_unmask_owned(const struct vm *vm)
{
	(void)vm;
}

/* vgic.c: window_isr.c drives lines (tests/host/test_window_isr.c). */
void vgic_line_set(struct vm *vm, uint32_t intid, bool level)
{
	(void)vm;
	(void)intid;
	(void)level;
}

void vm_stop(struct vm *vm, enum vm_stop_reason why)
{
	(void)vm;
	(void)why;
	fail_msg("no VM stops in these tests");
}

const char *vcpu_vm_name(const struct vcpu *vcpu)
{
	return vcpu->vm->cfg->name;
}

/* --- Fixture --------------------------------------------------------------- */

static void run_on(uint32_t cpu)
{
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&cpu_table[cpu];
}

static int setup(void **unused)
{
	(void)unused;
	memset(vms, 0, sizeof(vms));
	memset(cpu_table, 0, sizeof(cpu_table));
	memset(&rec, 0, sizeof(rec));
	fake_arch_reset();
	for (uint32_t c = 0; c < 2; c++) {
		cpu_table[c].id = c;
		cpu_table[c].online = true;
	}
	for (uint32_t i = 0; i < VMS; i++) {
		vms[i].id = (uint16_t)i;
		vms[i].cfg = &cfgs[i];
		vms[i].state = VM_RUNNING;
		vms[i].vcpu_count = 1;
		vms[i].vcpus[0].vm = &vms[i];
		vms[i].vcpus[0].is_service = cfgs[i].kind == CFG_VM_SERVICE;
		vms[i].vcpus[0].state = VCPU_RUNNABLE;
		ipc_endpoint_init(&vms[i].ep, &vms[i]);
	}
	win = (struct mmio_window){ .client = &vms[VM_G], .ep = EP };
	fake_sysreg_cntpct_el0 = NOW;
	run_on(0);
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

/* @p v (running) calls HYP_IPC_TIMER_SET(@p deadline); returns x0. */
static uint64_t timer_set(struct vcpu *v, uint64_t deadline)
{
	v->regs.x[0] = HYP_IPC_TIMER_SET;
	v->regs.x[1] = deadline;
	struct vcpu *next = NULL;

	assert_true(ipc_hypercall(v, HYP_IPC_TIMER_SET, &next));
	assert_ptr_equal(next, v);
	return v->regs.x[0];
}

/* The service waits in RECV with nothing pending. */
static void waits(struct vcpu *svc)
{
	assert_ptr_equal(ipc_recv(svc), IDLE);
	assert_int_equal(svc->state, VCPU_BLOCKED_RECV);
}

static uint64_t poll_at(uint64_t now, bool *woke)
{
	fake_sysreg_cntpct_el0 = now;
	*woke = false;
	return service_timer_poll(&cpu_table[0], woke);
}

static void assert_timer_msg(const struct vcpu *svc, uint64_t deadline,
			     uint64_t now)
{
	assert_int_equal(svc->regs.x[0], IPC_MSG_TIMER);
	assert_int_equal(svc->regs.x[1], deadline);
	assert_int_equal(svc->regs.x[2], now);
	for (int i = 3; i < IPC_MSG_WORDS; i++) {
		assert_int_equal(svc->regs.x[i], 0);
	}
}

/* --- Timer ----------------------------------------------------------------- */

static void test_timer_set_only_by_a_service(void **unused)
{
	(void)unused;
	assert_int_equal(timer_set(G0, 2000), ST(IPC_ERR_INVALID));
	assert_int_equal(vms[VM_G].ep.timer_at, 0);
	assert_int_equal(timer_set(S, 2000), IPC_OK);
	assert_int_equal(EP->timer_at, 2000);
}

static void test_timer_fires_at_its_deadline_not_before(void **unused)
{
	bool woke;

	(void)unused;
	assert_int_equal(timer_set(S, 2000), IPC_OK);
	/* Set on the watching CPU: its EL2 timer fires by then. */
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 2000);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, CNT_CTL_ENABLE);
	assert_int_equal(rec.kicks, 0);
	waits(S);
	assert_int_equal(poll_at(1999, &woke), 2000);
	assert_false(woke);
	assert_int_equal(S->state, VCPU_BLOCKED_RECV);
	assert_int_equal(poll_at(2003, &woke), VCPU_NO_DEADLINE);
	assert_true(woke);
	/* Woken with the message, as by a notification; one shot. */
	assert_int_equal(S->state, VCPU_RUNNABLE);
	assert_null(EP->receiver);
	assert_timer_msg(S, 2000, 2003);
	assert_int_equal(EP->deadline, 2003 + EP->timeout_ticks);
	assert_int_equal(EP->timer_at, 0);
	assert_int_equal(poll_at(9000, &woke), VCPU_NO_DEADLINE);
	assert_false(woke);
}

static void test_timer_of_a_busy_service_waits_for_its_recv(void **unused)
{
	bool woke;

	(void)unused;
	timer_set(S, 2000);
	poll_at(2500, &woke);
	assert_int_equal(rec.wakes, 0);
	assert_int_equal(EP->events, SERVICE_EVENT_TIMER);
	fake_sysreg_cntpct_el0 = 2600;
	assert_ptr_equal(ipc_recv(S), S);
	assert_timer_msg(S, 2000, 2600);
	assert_int_equal(EP->events, 0);
}

static void test_timer_cancel_and_replace(void **unused)
{
	bool woke;

	(void)unused;
	timer_set(S, 2000);
	assert_int_equal(timer_set(S, 0), IPC_OK);
	waits(S);
	assert_int_equal(poll_at(5000, &woke), VCPU_NO_DEADLINE);
	assert_false(woke);
	/* A replaced deadline fires once, at the new time. */
	S->state = VCPU_RUNNABLE;
	EP->receiver = NULL;
	cpu_table[0].slice_armed = false; /* The EL2 timer fired at 2000. */
	timer_set(S, 8000);
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 8000);
	timer_set(S, 6000);
	assert_int_equal(fake_sysreg_cnthp_cval_el2, 6000);
	waits(S);
	assert_int_equal(poll_at(7000, &woke), VCPU_NO_DEADLINE);
	assert_timer_msg(S, 6000, 7000);
	assert_int_equal(poll_at(9000, &woke), VCPU_NO_DEADLINE);
	assert_false(woke);
}

static void test_timer_set_drops_a_fired_one_not_taken(void **unused)
{
	bool woke;

	(void)unused;
	timer_set(S, 2000);
	poll_at(2000, &woke);
	assert_int_equal(EP->events, SERVICE_EVENT_TIMER);
	timer_set(S, 0);
	assert_int_equal(EP->events, 0);
	waits(S);
}

static void test_timer_in_the_past_fires_at_once(void **unused)
{
	(void)unused;
	timer_set(S, NOW - 1);
	assert_int_equal(EP->timer_at, 0);
	assert_int_equal(EP->events, SERVICE_EVENT_TIMER);
	/* The service's next RECV takes it. */
	assert_ptr_equal(ipc_recv(S), S);
	assert_timer_msg(S, NOW - 1, NOW);
}

static void test_timer_set_elsewhere_kicks_the_watcher(void **unused)
{
	(void)unused;
	run_on(1);
	timer_set(S, 2000);
	assert_int_equal(rec.kicks, 1);
	assert_ptr_equal(rec.kicked, &cpu_table[0]);
	/* This CPU's EL2 timer is not the watcher's. */
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, 0);
}

/*
 * A service on another CPU that sets its timer again and again, each
 * deadline after the one the watcher's EL2 timer is already armed for (a
 * guest writing the PL031's RTCMR or RTCLR in a loop: pl031_mmio() sets the
 * timer on every change of its match): the watcher need not be interrupted,
 * its EL2 timer fires first and the deadlines are looked at again then
 * (sched.c next_deadline). Today every call sends CPU 0 a kick, which
 * interrupts whatever guest runs there: a guest on CPU 1 makes its
 * neighbour on CPU 0 trap once per MMIO write (review of issue 15).
 */
static void test_timer_set_elsewhere_later_than_armed_does_not_kick(void **unused)
{
	(void)unused;
	cpu_table[0].slice_armed = true;
	cpu_table[0].slice_at = 1500;
	run_on(1);
	for (uint64_t i = 0; i < 100; i++) {
		assert_int_equal(timer_set(S, 2000 + i), IPC_OK);
	}
	assert_int_equal(rec.kicks, 0);
	assert_int_equal(EP->timer_at, 2099);
}

static void test_timer_set_keeps_an_earlier_el2_time(void **unused)
{
	(void)unused;
	cpu_table[0].slice_armed = true;
	cpu_table[0].slice_at = 1500;
	timer_set(S, 2000);
	assert_int_equal(cpu_table[0].slice_at, 1500);
	assert_int_equal(fake_sysreg_cnthp_ctl_el2, 0);
}

static void test_timer_poll_earliest_of_running_services(void **unused)
{
	bool woke;

	(void)unused;
	timer_set(S, 5000);
	timer_set(T, 3000);
	assert_int_equal(poll_at(NOW, &woke), 3000);
	/* Only the watching CPU polls. */
	woke = false;
	assert_int_equal(service_timer_poll(&cpu_table[1], &woke), VCPU_NO_DEADLINE);
	assert_false(woke);
	assert_int_equal(EPT->timer_at, 3000);
	/* A stopped service's deadline is not watched. */
	vms[VM_T].state = VM_STOPPED;
	assert_int_equal(poll_at(4000, &woke), 5000);
	assert_false(woke);
	assert_int_equal(EPT->events, 0);
	/* Without a woke flag (the EL2 timer's interrupt, irq.c). */
	fake_sysreg_cntpct_el0 = 5000;
	assert_int_equal(service_timer_poll(&cpu_table[0], NULL), VCPU_NO_DEADLINE);
	assert_int_equal(EP->events, SERVICE_EVENT_TIMER);
}

/* --- Client reset ------------------------------------------------------------ */

static void assert_reset_msg(const struct vcpu *svc, uint32_t client)
{
	assert_int_equal(svc->regs.x[0], IPC_MSG_RESET);
	assert_int_equal(svc->regs.x[1], client);
	for (int i = 2; i < IPC_MSG_WORDS; i++) {
		assert_int_equal(svc->regs.x[i], 0);
	}
}

static void test_reset_wakes_a_waiting_service(void **unused)
{
	(void)unused;
	waits(S);
	waits(T);
	service_client_reset(&vms[VM_G]);
	assert_int_equal(S->state, VCPU_RUNNABLE);
	assert_reset_msg(S, vms[VM_G].id);
	assert_int_equal(EP->deadline, NOW + EP->timeout_ticks);
	/* T serves no window of g; nobody serves h. */
	assert_int_equal(T->state, VCPU_BLOCKED_RECV);
	service_client_reset(&vms[VM_H]);
	assert_int_equal(rec.wakes, 1);
	assert_int_equal(EP->events, 0);
}

static void test_reset_told_before_the_clients_next_access(void **unused)
{
	(void)unused;
	/* The service is busy; the reset client's first access queues. */
	service_client_reset(&vms[VM_G]);
	G0->ipc.kind = IPC_KIND_MMIO;
	G0->ipc.mmio = (struct mmio_pending){ .win = &win };
	G0->ipc.msg[0] = IPC_MSG_MMIO;
	assert_ptr_equal(ipc_send(G0, EP), IDLE);
	assert_ptr_equal(EP->queue_head, G0);
	/* And notifications wait behind the event too. */
	ipc_notify(EP, 0x4);
	assert_ptr_equal(ipc_recv(S), S);
	assert_reset_msg(S, vms[VM_G].id);
	assert_ptr_equal(ipc_reply_recv(S), S);
	assert_int_equal(S->regs.x[0], IPC_MSG_NOTIFY);
	assert_ptr_equal(ipc_reply_recv(S), S);
	assert_int_equal(S->regs.x[0], IPC_MSG_MMIO);
	assert_ptr_equal(EP->caller, G0);
}

static void test_reset_of_a_stopped_service_is_not_told(void **unused)
{
	(void)unused;
	vms[VM_S].state = VM_STOPPED;
	service_client_reset(&vms[VM_G]);
	assert_int_equal(EP->events, 0);
}

static void test_restart_cancels_timer_and_tells_resets_again(void **unused)
{
	bool woke;

	(void)unused;
	timer_set(S, 5000);
	service_client_reset(&vms[VM_G]);
	/* It takes the reset and dies handling it. */
	assert_ptr_equal(ipc_recv(S), S);
	assert_reset_msg(S, vms[VM_G].id);
	service_restart(&vms[VM_S]);
	assert_int_equal(rec.restarts, 1);
	assert_int_equal(EP->timer_at, 0);
	assert_int_equal(poll_at(6000, &woke), VCPU_NO_DEADLINE);
	assert_false(woke);
	/* The new instance is told again, and once handled, not again. */
	memset(S->regs.x, 0, sizeof(S->regs.x));
	assert_ptr_equal(ipc_recv(S), S);
	assert_reset_msg(S, vms[VM_G].id);
	assert_ptr_equal(ipc_reply_recv(S), IDLE);
	service_restart(&vms[VM_S]);
	assert_int_equal(EP->events, 0);
	/* A fired timer not yet taken is dropped by a restart too. */
	S->state = VCPU_RUNNABLE;
	EP->receiver = NULL;
	timer_set(S, 7000);
	poll_at(7000, &woke);
	service_restart(&vms[VM_S]);
	assert_int_equal(EP->events, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_timer_set_only_by_a_service),
		TEST(test_timer_fires_at_its_deadline_not_before),
		TEST(test_timer_of_a_busy_service_waits_for_its_recv),
		TEST(test_timer_cancel_and_replace),
		TEST(test_timer_set_drops_a_fired_one_not_taken),
		TEST(test_timer_in_the_past_fires_at_once),
		TEST(test_timer_set_elsewhere_kicks_the_watcher),
		TEST(test_timer_set_keeps_an_earlier_el2_time),
		TEST(test_timer_set_elsewhere_later_than_armed_does_not_kick),
		TEST(test_timer_poll_earliest_of_running_services),
		TEST(test_reset_wakes_a_waiting_service),
		TEST(test_reset_told_before_the_clients_next_access),
		TEST(test_reset_of_a_stopped_service_is_not_told),
		TEST(test_restart_cancels_timer_and_tells_resets_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
