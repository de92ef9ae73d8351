/**
 * Unit tests of synchronous IPC and MMIO forwarding (kernel/core/ipc.c):
 * the fast path (service waiting), the queue (FIFO), replies, notifications
 * (delivered first, never empty), cancel, shutdown and restart. The world:
 * service "s" (VM 0), guest "g" (VM 1, two vCPUs) that uses it, guest "h"
 * (VM 2) that does not. The scheduler and the MMIO instruction completion
 * are recorded; time is the fake counter.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/hypercall.h"
#include "abi/ipc.h"
#include "fake_arch.h"
#include "fake_log.h"
#include "fake_mm.h"
#include "hyp/cpu.h"
#include "hyp/ipc.h"
#include "hyp/mm.h"
#include "hyp/mmio.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"
#include "hyp/window_doorbell.h"

enum { VM_S, VM_G, VM_H, VMS };
#define ST(v) ((uint64_t)(int64_t)(v))
#define NOW 1000

static const struct cfg_vm cfgs[VMS] = {
	[VM_S] = { .name = "s", .kind = CFG_VM_SERVICE, .vcpu_count = 1,
		   /* The kept region between two others. */
		   .ram = { { .ipa = 0x10000000ULL, .size = 0x200000ULL },
			    { .ipa = 0x10200000ULL, .size = 0x200000ULL,
			      .keep = true },
			    { .ipa = 0x10400000ULL, .size = 0x400000ULL } },
		   .ram_count = 3,
		   .grants = { { .client = "g", .client_ipa = 0x40001000ULL,
				 .size = 0x3000ULL, .ipa = 0x100000000ULL },
			       { .client = "g", .client_ipa = 0x48000000ULL,
				 .size = 0x1000ULL, .ipa = 0x140000000ULL } },
		   .grant_count = 2 },
	[VM_G] = { .name = "a-guest-name-of-31-characters-x",
		   .kind = CFG_VM_GUEST, .vcpu_count = 2 },
	[VM_H] = { .name = "h", .kind = CFG_VM_GUEST, .vcpu_count = 1 },
};
static struct vm vms[VMS];
static struct mmio_window win = { .id = 3 };

#define S (&vms[VM_S].vcpus[0])
#define EP (&vms[VM_S].ep)
#define G0 (&vms[VM_G].vcpus[0])
#define G1 (&vms[VM_G].vcpus[1])
#define H0 (&vms[VM_H].vcpus[0])

static struct idle_marker { int unused; } idle;
#define IDLE ((struct vcpu *)&idle)

/* The last sender queued on the endpoint, or NULL (its queue's end). */
static struct vcpu *queue_last(void)
{
	struct vcpu *last = EP->queue_head;

	while (last != NULL && last->ipc.queue_next != NULL) {
		last = last->ipc.queue_next;
	}
	return last;
}

static struct {
	unsigned wakes, nexts, directs, bounds, finishes, fails;
	struct vcpu *woken[8], *direct;
	bool elements_left;
	bool runs_here;
	bool idle_elsewhere; /**< What sched_cpu_idle_elsewhere() says. */
	unsigned readies; /**< vm_ram_grant_ready() calls, the last below. */
	size_t ready_grant;
	uint64_t ready_ipa, ready_size;
} rec;

/* --- Neighbours ------------------------------------------------------------ */

/* service_event.c: no timer is set in these tests. */
struct cpu cpu_table[CPU_MAX];

void cpu_kick(const struct cpu *cpu)
{
	(void)cpu;
	fail_msg("no CPU is kicked in these tests");
}

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
	assert_ptr_equal(vm, &vms[VM_S]);
	rec.readies++;
	rec.ready_grant = k;
	rec.ready_ipa = ipa;
	rec.ready_size = size;
}

bool vm_uses_endpoint(const struct vm *vm, const struct endpoint *ep)
{
	return vm == &vms[VM_G] && ep == EP;
}

void sched_wake(struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
	rec.woken[rec.wakes++ % 8] = v;
}

struct vcpu *sched_next(struct vcpu *current)
{
	(void)current;
	rec.nexts++;
	return IDLE;
}

struct vcpu *sched_switch_direct(struct vcpu *next)
{
	rec.directs++;
	rec.direct = next;
	return next;
}

void sched_exit_by(uint64_t when)
{
	/* Only the running service's reply deadline (wait_or_take). */
	assert_int_equal(when, EP->deadline);
	rec.bounds++;
}

bool sched_cpu_idle_elsewhere(void)
{
	return rec.idle_elsewhere;
}

bool sched_runs_here(const struct vcpu *v)
{
	(void)v;
	return rec.runs_here;
}

bool mmio_element_done(struct vcpu *vcpu, uint64_t status, uint64_t value)
{
	(void)status;
	vcpu->ipc.mmio.value[vcpu->ipc.mmio.index] = value;
	if (rec.elements_left) {
		rec.elements_left = false;
		vcpu->ipc.mmio.index++;
		return true;
	}
	return false;
}

void mmio_fail_or_finish(struct vcpu *vcpu, bool failed)
{
	(void)vcpu;
	if (failed) {
		rec.fails++;
	} else {
		rec.finishes++;
	}
}

/* service.c's restart around the endpoint's: recorded. */
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

static int setup(void **unused)
{
	(void)unused;
	memset(vms, 0, sizeof(vms));
	memset(&rec, 0, sizeof(rec));
	fake_arch_reset();
	for (uint32_t i = 0; i < VMS; i++) {
		vms[i].id = (uint16_t)i;
		vms[i].cfg = &cfgs[i];
		vms[i].state = VM_RUNNING;
		vms[i].vcpu_count = cfgs[i].vcpu_count;
		for (uint32_t j = 0; j < vms[i].vcpu_count; j++) {
			vms[i].vcpus[j].vm = &vms[i];
			vms[i].vcpus[j].index = j;
			vms[i].vcpus[j].is_service = cfgs[i].kind == CFG_VM_SERVICE;
			vms[i].vcpus[j].state = VCPU_RUNNABLE;
		}
	}
	ipc_endpoint_init(EP, &vms[VM_S]);
	fake_sysreg_cntpct_el0 = NOW;
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

/* The service waits in RECV with nothing pending. */
static void service_waits(void)
{
	assert_ptr_equal(ipc_recv(S), IDLE);
	assert_ptr_equal(EP->receiver, S);
	assert_int_equal(S->state, VCPU_BLOCKED_RECV);
}

/* HYP_IPC_CALL of @p v to endpoint @p id (x1). */
static struct vcpu *call_ep(struct vcpu *v, uint64_t id)
{
	v->regs.x[1] = id;
	return ipc_call(v);
}

/* @p v calls the service with x2..x5 = tag + 2..5. */
static struct vcpu *call(struct vcpu *v, uint64_t tag)
{
	for (int i = 2; i < IPC_MSG_WORDS; i++) {
		v->regs.x[i] = tag + (uint64_t)i;
	}
	return call_ep(v, VM_S);
}

/* The service replies @p status with results r, r+1, r+2. */
static struct vcpu *reply(uint64_t status, uint64_t r)
{
	S->regs.x[1] = status;
	S->regs.x[2] = r;
	S->regs.x[3] = r + 1;
	S->regs.x[4] = r + 2;
	return ipc_reply_recv(S);
}

static void mmio_sender(struct vcpu *v)
{
	v->ipc.kind = IPC_KIND_MMIO;
	v->ipc.mmio = (struct mmio_pending){ .win = &win };
	v->ipc.mmio.offset[0] = 0x18;
	v->ipc.mmio.insn.size = 4;
}

/* --- Tests ----------------------------------------------------------------- */

static void test_ipc_endpoint_timeout_in_ticks(void **unused)
{
	(void)unused;
	assert_int_equal(EP->timeout_ticks,
			 FAKE_COUNTER_HZ / 1000 * IPC_REPLY_TIMEOUT_MS);
	assert_ptr_equal(EP->service, &vms[VM_S]);
}

static void test_ipc_call_to_waiting_service_switches_directly(void **unused)
{
	(void)unused;
	service_waits();
	assert_ptr_equal(call(G1, 0x100), S);
	assert_int_equal(rec.directs, 1);
	/* [CALL, caller VM, x2..x5] (abi/ipc.h). */
	assert_int_equal(S->regs.x[0], IPC_MSG_CALL);
	assert_int_equal(S->regs.x[1], VM_G);
	for (int i = 2; i < IPC_MSG_WORDS; i++) {
		assert_int_equal(S->regs.x[i], 0x100 + i);
	}
	assert_int_equal(S->state, VCPU_RUNNABLE);
	assert_int_equal(G1->state, VCPU_BLOCKED_REPLY);
	assert_ptr_equal(EP->caller, G1);
	assert_null(EP->receiver);
	assert_int_equal(EP->deadline, NOW + EP->timeout_ticks);
}

static void test_ipc_reply_completes_caller(void **unused)
{
	(void)unused;
	service_waits();
	call(G0, 0);
	rec.runs_here = true;
	/* The caller runs here: the reply switches straight back to it. */
	assert_ptr_equal(reply(ST(-7), 0x50), G0);
	assert_int_equal(G0->regs.x[0], ST(-7));
	assert_int_equal(G0->regs.x[1], 0x50);
	assert_int_equal(G0->regs.x[2], 0x51);
	assert_int_equal(G0->regs.x[3], 0x52);
	assert_int_equal(G0->state, VCPU_RUNNABLE);
	assert_int_equal(G0->ipc.kind, IPC_KIND_NONE);
	assert_null(G0->ipc.ep);
	assert_null(EP->caller);
	assert_ptr_equal(EP->receiver, S);
	assert_int_equal(S->state, VCPU_BLOCKED_RECV);
}

static void test_ipc_busy_service_queues_in_order(void **unused)
{
	(void)unused;
	/* Nobody receiving: both wait, in order. */
	assert_ptr_equal(call(G0, 0x10), IDLE);
	assert_ptr_equal(call(G1, 0x20), IDLE);
	assert_int_equal(G0->state, VCPU_BLOCKED_SEND);
	assert_int_equal(G1->state, VCPU_BLOCKED_SEND);
	assert_ptr_equal(EP->queue_head, G0);
	assert_ptr_equal(queue_last(), G1);
	/* RECV takes the first at once, and bounds the service's turn. */
	fake_sysreg_cntpct_el0 = NOW + 5;
	assert_ptr_equal(ipc_recv(S), S);
	assert_int_equal(rec.bounds, 1);
	assert_int_equal(S->regs.x[2], 0x12);
	assert_ptr_equal(EP->caller, G0);
	assert_int_equal(G0->state, VCPU_BLOCKED_REPLY);
	assert_int_equal(EP->deadline, NOW + 5 + EP->timeout_ticks);
	/* The reply answers G0 and hands over G1's message. */
	assert_ptr_equal(reply(IPC_OK, 1), S);
	assert_int_equal(G0->state, VCPU_RUNNABLE);
	assert_int_equal(S->regs.x[2], 0x22);
	assert_ptr_equal(EP->caller, G1);
	assert_null(EP->queue_head);
	assert_null(queue_last());
}

static void test_ipc_call_checks(void **unused)
{
	(void)unused;
	/* Not a partition, not a service, not one it uses. */
	assert_ptr_equal(call_ep(G0, VMS), G0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	assert_ptr_equal(call_ep(G0, 1ULL << 32), G0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	assert_ptr_equal(call_ep(G0, VM_H), G0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	assert_ptr_equal(call_ep(H0, VM_S), H0);
	assert_int_equal(H0->regs.x[0], ST(IPC_ERR_DENIED));
	assert_null(EP->queue_head);
}

static void test_ipc_call_to_stopped_service_is_dead(void **unused)
{
	(void)unused;
	vms[VM_S].state = VM_STOPPED;
	assert_ptr_equal(call(G0, 0), IDLE);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_DEAD));
	assert_int_equal(G0->state, VCPU_RUNNABLE);
	assert_null(EP->queue_head);
}

/* @p v makes the IPC hypercall @p fid with x1 = @p x1. */
static struct vcpu *hc(struct vcpu *v, uint32_t fid, uint64_t x1)
{
	struct vcpu *next = NULL;

	v->regs.x[0] = fid;
	v->regs.x[1] = x1;
	assert_true(ipc_hypercall(v, fid, &next));
	return next;
}

/* A guest making a call only a service may make gets its error, and
 * nothing else happens (abi/ipc.h). */
static void test_ipc_service_only_calls(void **unused)
{
	static const struct {
		uint32_t fid;
		int64_t error;
	} calls[] = {
		{ HYP_IPC_RECV, IPC_ERR_INVALID },
		{ HYP_IPC_REPLY_RECV, IPC_ERR_INVALID },
		{ HYP_IPC_WINDOW_COUNT, IPC_ERR_INVALID },
		{ HYP_IPC_WINDOW_INFO, IPC_ERR_INVALID },
		{ HYP_IPC_WINDOW_READS, IPC_ERR_INVALID },
		{ HYP_IPC_FAULT, IPC_ERR_DENIED },
		{ HYP_IPC_SELF_INFO, IPC_ERR_INVALID },
		{ HYP_IPC_CLIENT_NAME, IPC_ERR_INVALID },
		{ HYP_IPC_TIMER_SET, IPC_ERR_INVALID },
		{ HYP_IPC_TRANSLATE, IPC_ERR_DENIED },
		{ HYP_IPC_GRANT_INFO, IPC_ERR_INVALID },
		{ HYP_IPC_WINDOW_DOORBELL, IPC_ERR_INVALID },
		{ HYP_IPC_WINDOW_QUIET, IPC_ERR_INVALID },
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		G0->regs.x[2] = 0;
		assert_ptr_equal(hc(G0, calls[i].fid, 0), G0);
		assert_int_equal(G0->regs.x[0], ST(calls[i].error));
		/* Untouched: no result words, no restart, no timer. */
		assert_int_equal(G0->regs.x[1], 0);
		assert_int_equal(G0->regs.x[2], 0);
	}
	assert_int_equal(vms[VM_S].reset_count, 0);
	assert_int_equal(vms[VM_G].reset_count, 0);
	assert_int_equal(vms[VM_G].ep.timer_at, 0);
}

static void test_ipc_recv_checks(void **unused)
{
	(void)unused;
	assert_ptr_equal(hc(G0, HYP_IPC_RECV, 0), G0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	/* REPLY_RECV checks the caller itself: the fast path calls it. */
	assert_ptr_equal(ipc_reply_recv(G0), G0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	/* RECV while serving a caller would strand it. */
	service_waits();
	call(G0, 0);
	assert_ptr_equal(ipc_recv(S), S);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_STATE));
	assert_ptr_equal(EP->caller, G0);
}

static void test_ipc_notify_wakes_waiting_service(void **unused)
{
	(void)unused;
	service_waits();
	ipc_notify(EP, 0x4);
	assert_int_equal(S->regs.x[0], IPC_MSG_NOTIFY);
	assert_int_equal(S->regs.x[1], 0x4);
	assert_int_equal(rec.wakes, 1);
	assert_ptr_equal(rec.woken[0], S);
	assert_null(EP->receiver);
	assert_int_equal(EP->notify_bits, 0);
	assert_int_equal(EP->deadline, NOW + EP->timeout_ticks);
}

static void test_ipc_empty_notify_does_not_wake(void **unused)
{
	(void)unused;
	service_waits();
	ipc_notify(EP, 0);
	assert_int_equal(rec.wakes, 0);
	assert_ptr_equal(EP->receiver, S);
}

static void test_ipc_notifications_accumulate_and_go_first(void **unused)
{
	(void)unused;
	call(G0, 0);
	ipc_notify(EP, 0x1);
	ipc_notify(EP, 0x8);
	assert_ptr_equal(ipc_recv(S), S);
	assert_int_equal(S->regs.x[0], IPC_MSG_NOTIFY);
	assert_int_equal(S->regs.x[1], 0x9);
	/* Then the queued call. */
	assert_ptr_equal(ipc_recv(S), S);
	assert_int_equal(S->regs.x[0], IPC_MSG_CALL);
}

static void test_ipc_notify_call_checks(void **unused)
{
	(void)unused;
	G0->regs.x[1] = VM_S;
	G0->regs.x[2] = 0x2;
	assert_ptr_equal(ipc_notify_call(G0), G0);
	assert_int_equal(G0->regs.x[0], IPC_OK);
	assert_int_equal(EP->notify_bits, 0x2);
	H0->regs.x[1] = VM_S;
	ipc_notify_call(H0);
	assert_int_equal(H0->regs.x[0], ST(IPC_ERR_DENIED));
	G0->regs.x[1] = VM_G;
	ipc_notify_call(G0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
}

static void test_ipc_cancel_unqueues_and_forgets(void **unused)
{
	(void)unused;
	call(G0, 0);
	call(G1, 0);
	call(H0, 0); /* Denied: not queued. */
	ipc_cancel(G1);
	assert_ptr_equal(EP->queue_head, G0);
	assert_ptr_equal(queue_last(), G0);
	assert_null(G1->ipc.ep);
	assert_int_equal(G1->ipc.kind, IPC_KIND_NONE);
	ipc_cancel(G1); /* Nothing to do. */
	/* G0 is taken; cancelling it forgets the caller. */
	ipc_recv(S);
	assert_ptr_equal(EP->caller, G0);
	ipc_cancel(G0);
	assert_null(EP->caller);
	assert_null(EP->queue_head);
	assert_null(queue_last());
	/* The service's reply then answers nobody. */
	assert_ptr_equal(reply(IPC_OK, 0), IDLE);
	assert_int_equal(rec.wakes, 0);
}

static void test_ipc_cancel_head_keeps_tail(void **unused)
{
	(void)unused;
	call(G0, 0);
	call(G1, 0);
	ipc_cancel(G0);
	assert_ptr_equal(EP->queue_head, G1);
	assert_ptr_equal(queue_last(), G1);
	call(G0, 0);
	assert_ptr_equal(queue_last(), G0);
	assert_ptr_equal(G1->ipc.queue_next, G0);
}

static void test_ipc_cancel_only_sender_empties_queue(void **unused)
{
	(void)unused;
	call(G0, 0);
	ipc_cancel(G0);
	assert_null(EP->queue_head);
	assert_null(queue_last());
	/* The next sender is first and last. */
	call(G1, 0);
	assert_ptr_equal(EP->queue_head, G1);
	assert_null(G1->ipc.queue_next);
}

static void test_ipc_shutdown_fails_everyone(void **unused)
{
	(void)unused;
	service_waits();
	call(G0, 0);
	mmio_sender(G1);
	ipc_send(G1, EP);
	ipc_notify(EP, 1);
	service_endpoint_close(EP, false);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_DEAD));
	assert_int_equal(rec.fails, 1);
	assert_int_equal(rec.wakes, 2);
	assert_null(EP->caller);
	assert_null(EP->queue_head);
	assert_null(EP->receiver);
	assert_int_equal(EP->notify_bits, 0);
}

static void test_ipc_restart_resends_mmio_once_and_fails_calls(void **unused)
{
	(void)unused;
	mmio_sender(G0);
	ipc_send(G0, EP);
	call(G1, 0);
	ipc_recv(S);
	assert_ptr_equal(EP->caller, G0);
	/* The service dies serving G0's access: G1's queued call fails,
	 * G0's access goes first in line again. */
	service_restart(&vms[VM_S]);
	assert_int_equal(G1->regs.x[0], ST(IPC_ERR_DEAD));
	assert_ptr_equal(EP->queue_head, G0);
	assert_ptr_equal(queue_last(), G0);
	assert_int_equal(G0->state, VCPU_BLOCKED_SEND);
	assert_true(G0->ipc.mmio.resent);
	assert_int_equal(G0->ipc.msg[0], IPC_MSG_MMIO);
	assert_int_equal(G0->ipc.msg[1], 3);
	assert_int_equal(G0->ipc.msg[2], 0x18);
	assert_int_equal(rec.fails, 0);
	/* It dies on it again: the access aborts. */
	ipc_recv(S);
	assert_ptr_equal(EP->caller, G0);
	service_restart(&vms[VM_S]);
	assert_int_equal(rec.fails, 1);
	assert_null(EP->queue_head);
	assert_null(EP->caller);
}

static void test_ipc_restart_keeps_queued_accesses(void **unused)
{
	(void)unused;
	call(G0, 0);
	mmio_sender(G1);
	ipc_send(G1, EP);
	service_restart(&vms[VM_S]);
	assert_ptr_equal(EP->queue_head, G1);
	assert_ptr_equal(queue_last(), G1);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_DEAD));
	assert_null(G0->ipc.queue_next);
}

static void test_ipc_pair_access_serves_next_element(void **unused)
{
	(void)unused;
	service_waits();
	mmio_sender(G0);
	G0->ipc.mmio.offset[1] = 0x20;
	ipc_send(G0, EP);
	rec.elements_left = true;
	S->regs.x[1] = IPC_OK;
	S->regs.x[2] = 0xaa;
	assert_ptr_equal(ipc_reply_recv(S), S);
	/* The second element goes to the service without a switch. */
	assert_int_equal(S->regs.x[0], IPC_MSG_MMIO);
	assert_int_equal(S->regs.x[2], 0x20);
	assert_ptr_equal(EP->caller, G0);
	assert_int_equal(rec.finishes, 0);
	assert_ptr_equal(reply(IPC_OK, 0xbb), IDLE);
	assert_int_equal(rec.finishes, 1);
	assert_int_equal(G0->ipc.mmio.value[1], 0xbb);
}

static void add_window(void)
{
	win.size = 0x1000;
	win.client = &vms[VM_G];
	win.ep = EP;
	EP->windows[0] = &win;
	EP->window_count = 1;
}

static void test_ipc_window_count_and_info(void **unused)
{
	(void)unused;
	add_window();
	hc(S, HYP_IPC_WINDOW_COUNT, 0);
	assert_int_equal(S->regs.x[0], 1);
	hc(G0, HYP_IPC_WINDOW_COUNT, 0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	hc(S, HYP_IPC_WINDOW_INFO, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(S->regs.x[1], 0x1000);
	assert_int_equal(S->regs.x[2], VM_G);
	assert_int_equal(S->regs.x[3], 2);
	hc(S, HYP_IPC_WINDOW_INFO, 1);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	hc(G0, HYP_IPC_WINDOW_INFO, 0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
}

/* HYP_IPC_WINDOW_READS(window, page, mask, narrowest, posted): x2..x5. */
static void window_page(struct vcpu *v, uint64_t window, uint64_t page,
			uint64_t mask, uint64_t narrowest, uint64_t posted)
{
	v->regs.x[2] = page;
	v->regs.x[3] = mask;
	v->regs.x[4] = narrowest;
	v->regs.x[5] = posted;
	hc(v, HYP_IPC_WINDOW_READS, window);
}

static void window_reads_min(struct vcpu *v, uint64_t window, uint64_t page,
			     uint64_t mask, uint64_t narrowest)
{
	window_page(v, window, page, mask, narrowest, 0);
}

/* ... any width. */
static void window_reads(struct vcpu *v, uint64_t window, uint64_t page,
			 uint64_t mask)
{
	window_reads_min(v, window, page, mask, 0);
}

/* A page of the service's RAM, any region; nothing else; forgotten at a
 * restart and a shutdown. */
static void test_ipc_window_reads(void **unused)
{
	(void)unused;
	add_window();
	/* Regions 0 and 2 back to back in the fake's memory: the kernel
	 * reads and writes the page's ring indexes. */
	paddr_t ram = fake_mm_init(0x600000ULL);

	vms[VM_S].ram_pa[0] = ram;
	vms[VM_S].ram_pa[2] = pa_add(ram, 0x200000ULL);
	window_reads(S, 0, 0x10001000ULL, 0x40);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(pa_addr(win.reads_pa), pa_addr(ram) + 0x1000ULL);
	assert_int_equal(win.reads_mask, 0x40);
	/* The last page of the last region. */
	window_reads(S, 0, 0x107ff000ULL, 0x41);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(pa_addr(win.reads_pa), pa_addr(ram) + 0x5ff000ULL);
	assert_int_equal(win.reads_mask, 0x41);
	assert_int_equal(win.reads_min_bytes, 0);
	/* Words only (a GIC distributor refuses narrower accesses). */
	window_reads_min(S, 0, 0x107ff000ULL, 0x41, 4);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(win.reads_min_bytes, 4);
	/* Not page aligned, past its RAM, no such window, not a service, a
	 * narrowest load wider than a register: refused, and what was set
	 * stays. */
	window_reads_min(S, 0, 0x107ff000ULL, 0x1, 8);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	assert_int_equal(win.reads_min_bytes, 4);
	window_reads(S, 0, 0x10001004ULL, 1);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	window_reads(S, 0, 0x10800000ULL, 1);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	window_reads(S, 1, 0x10001000ULL, 1);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	window_reads(G0, 0, 0x10001000ULL, 1);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	assert_int_equal(win.reads_mask, 0x41);
	/* Mask 0: every read is a message again. */
	window_reads(S, 0, 0, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(win.reads_mask, 0);
	/* A restarted service names its page again: until then, messages. */
	window_reads(S, 0, 0x10001000ULL, 0x40);
	service_restart(&vms[VM_S]);
	assert_int_equal(win.reads_mask, 0);
	window_reads(S, 0, 0x10001000ULL, 0x40);
	service_endpoint_close(EP, false);
	assert_int_equal(win.reads_mask, 0);
	fake_mm_fini();
}

/* Posted writes (x4): registers 0..31 only; the ring starts empty where
 * the service's cons stands; a restart forgets them with the reads. */
static void test_ipc_window_posted(void **unused)
{
	(void)unused;
	add_window();
	paddr_t ram = fake_mm_init(0x200000ULL);
	struct ipc_window_page *page = mm_va(pa_add(ram, 0x1000ULL));

	vms[VM_S].ram_pa[0] = ram;
	page->cons = 77;
	page->prod = 12345;
	window_page(S, 0, 0x10001000ULL, 0x40, 0, 1);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(win.posted_mask, 1);
	assert_int_equal(win.posted_prod, 77);
	assert_int_equal(page->prod, 77);
	/* A register past IPC_POSTED_REGS: refused, nothing changed. */
	window_page(S, 0, 0x10001000ULL, 0x40, 0, 1ULL << IPC_POSTED_REGS);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	assert_int_equal(win.posted_mask, 1);
	/* Both masks 0: neither. */
	window_page(S, 0, 0, 0, 0, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(win.posted_mask, 0);
	window_page(S, 0, 0x10001000ULL, 0, 0, 1);
	assert_int_equal(win.posted_mask, 1);
	service_restart(&vms[VM_S]);
	assert_int_equal(win.posted_mask, 0);
	fake_mm_fini();
}

/* Quiet registers (HYP_IPC_WINDOW_QUIET, window_quiet.c): reached through
 * the call table, a service's only; a register HYP_IPC_WINDOW_READS stops
 * answering or starts posting is quiet no more; a restart forgets all. */
static void test_ipc_window_quiet(void **unused)
{
	(void)unused;
	add_window();
	paddr_t ram = fake_mm_init(0x200000ULL);

	vms[VM_S].ram_pa[0] = ram;
	window_page(S, 0, 0x10001000ULL, 0x1003, 0, 0);
	S->regs.x[2] = 0x1001;
	hc(S, HYP_IPC_WINDOW_QUIET, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(win.quiet_mask, 0x1001);
	/* A guest may not. */
	G0->regs.x[2] = 0;
	hc(G0, HYP_IPC_WINDOW_QUIET, 0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	assert_int_equal(win.quiet_mask, 0x1001);
	/* A refused WINDOW_READS (not page aligned) changes nothing. */
	window_page(S, 0, 0x10001004ULL, 0x1, 0, 0);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	assert_int_equal(win.quiet_mask, 0x1001);
	/* Register 12 no longer answered, register 0 now posted. */
	window_page(S, 0, 0x10001000ULL, 0x3, 0, 0);
	assert_int_equal(win.quiet_mask, 0x1);
	window_page(S, 0, 0x10001000ULL, 0x3, 0, 0x1);
	assert_int_equal(win.quiet_mask, 0);
	S->regs.x[2] = 0x2;
	hc(S, HYP_IPC_WINDOW_QUIET, 0);
	assert_int_equal(win.quiet_mask, 0x2);
	/* Both masks 0: nothing answered, nothing quiet. */
	window_page(S, 0, 0, 0, 0, 0);
	assert_int_equal(win.quiet_mask, 0);
	window_page(S, 0, 0x10001000ULL, 0x3, 0, 0);
	S->regs.x[2] = 0x2;
	hc(S, HYP_IPC_WINDOW_QUIET, 0);
	service_restart(&vms[VM_S]);
	assert_int_equal(win.quiet_mask, 0);
	S->regs.x[2] = 0x2;
	hc(S, HYP_IPC_WINDOW_QUIET, 0);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	fake_mm_fini();
}

/* A status register the kernel keeps (HYP_IPC_WINDOW_ISR, window_isr.c):
 * reached through the call table, a service's only; a restart gives it
 * back to the service, whose acknowledges then come as messages again. */
static void test_ipc_window_isr_forgotten_at_restart(void **unused)
{
	(void)unused;
	add_window();
	paddr_t shadow = fake_mm_init(0x1000ULL);

	win.shadow_ipa = 0x20400000ULL;
	win.shadow_pa = shadow;
	win.irq = 48;
	S->regs.x[2] = 0x60;
	S->regs.x[3] = 0x64;
	hc(S, HYP_IPC_WINDOW_ISR, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_true(win.isr_kept);
	G0->regs.x[2] = 0x60;
	G0->regs.x[3] = 0x64;
	hc(G0, HYP_IPC_WINDOW_ISR, 0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	hc(G0, HYP_IPC_ISR_UPDATE, 0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	service_restart(&vms[VM_S]);
	assert_false(win.isr_kept);
	win.shadow_ipa = 0;
	win.irq = 0;
	fake_mm_fini();
}

/* virtio-mmio's QueueNotify (virtio 1.2 4.2.2), and the next register. */
#define QUEUE_NOTIFY 0x50U
#define AFTER_NOTIFY 0x54U

/* Window 0 with a shadow page, its doorbell declared at QueueNotify. */
static void add_doorbell_window(void)
{
	add_window();
	win.shadow_ipa = 0x20400000ULL;
	S->regs.x[2] = QUEUE_NOTIFY;
	hc(S, HYP_IPC_WINDOW_DOORBELL, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_true(win.has_doorbell);
}

/* What a service may declare a doorbell (HYP_IPC_WINDOW_DOORBELL): a
 * register of a window with a shadow page, aligned, in the page and the
 * window; IPC_DOORBELL_NONE gives it back; a guest may not. */
static void test_ipc_window_doorbell_declare(void **unused)
{
	static const uint64_t bad[] = { 0x52, 0x1000, 0x2000 };

	(void)unused;
	add_window();
	S->regs.x[2] = QUEUE_NOTIFY;
	hc(S, HYP_IPC_WINDOW_DOORBELL, 0);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID)); /* No shadow. */
	win.shadow_ipa = 0x20400000ULL;
	win.size = 0x200;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		S->regs.x[2] = bad[i];
		hc(S, HYP_IPC_WINDOW_DOORBELL, 0);
		assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	}
	S->regs.x[2] = 0x200; /* Past the window of 0x200 bytes. */
	hc(S, HYP_IPC_WINDOW_DOORBELL, 0);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	win.isr_kept = true; /* Its acknowledge is the kernel's. */
	win.isr_ack = QUEUE_NOTIFY;
	S->regs.x[2] = QUEUE_NOTIFY;
	hc(S, HYP_IPC_WINDOW_DOORBELL, 0);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	win.isr_kept = false;
	S->regs.x[2] = QUEUE_NOTIFY;
	hc(S, HYP_IPC_WINDOW_DOORBELL, 1); /* No window 1. */
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	assert_false(win.has_doorbell);
	G0->regs.x[2] = QUEUE_NOTIFY;
	hc(G0, HYP_IPC_WINDOW_DOORBELL, 0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
	assert_false(win.has_doorbell);
	hc(S, HYP_IPC_WINDOW_DOORBELL, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_true(win.has_doorbell);
	assert_int_equal(win.doorbell, QUEUE_NOTIFY);
	S->regs.x[2] = IPC_DOORBELL_NONE;
	hc(S, HYP_IPC_WINDOW_DOORBELL, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_false(win.has_doorbell);
	win.shadow_ipa = 0;
}

/* A store rings only as the register's aligned 32-bit store, only while
 * another CPU idles and the service waits for work (else it is the
 * ordinary round trip, served in its turn); the service is woken with the
 * window's bit. */
static void test_ipc_doorbell_rings_only_with_an_idle_cpu(void **unused)
{
	(void)unused;
	add_doorbell_window();
	rec.idle_elsewhere = true;
	assert_false(window_doorbell_ring(&win, QUEUE_NOTIFY, 4)); /* Busy. */
	service_waits();
	rec.idle_elsewhere = false;
	assert_false(window_doorbell_ring(&win, QUEUE_NOTIFY, 4));
	rec.idle_elsewhere = true;
	assert_false(window_doorbell_ring(&win, AFTER_NOTIFY, 4));
	assert_false(window_doorbell_ring(&win, QUEUE_NOTIFY, 8));
	assert_false(window_doorbell_ring(&win, QUEUE_NOTIFY, 2));
	assert_false(window_doorbell_ring(&win, QUEUE_NOTIFY + 2, 2));
	assert_int_equal(rec.wakes, 0);
	assert_true(window_doorbell_ring(&win, QUEUE_NOTIFY, 4));
	assert_int_equal(rec.wakes, 1);
	assert_ptr_equal(rec.woken[0], S);
	assert_int_equal(S->regs.x[0], IPC_MSG_DOORBELL);
	assert_int_equal(S->regs.x[1], 1ULL << win.id);
	assert_int_equal(EP->doorbells, 0);
	assert_null(EP->receiver);
	win.has_doorbell = false;
	assert_false(window_doorbell_ring(&win, QUEUE_NOTIFY, 4));
	win.shadow_ipa = 0;
}

/* Doorbells are told after a notification and before an access queued
 * after the store (a guest's reset right after its kick is served after
 * the kick). */
static void test_ipc_doorbell_told_between_notify_and_queue(void **unused)
{
	(void)unused;
	add_doorbell_window();
	EP->doorbells = 1ULL << win.id; /* Rung while it waited, then: */
	call(G0, 0);
	ipc_notify(EP, 0x2);
	assert_ptr_equal(ipc_recv(S), S);
	assert_int_equal(S->regs.x[0], IPC_MSG_NOTIFY);
	assert_ptr_equal(ipc_recv(S), S);
	assert_int_equal(S->regs.x[0], IPC_MSG_DOORBELL);
	assert_int_equal(S->regs.x[1], 1ULL << win.id);
	assert_ptr_equal(ipc_recv(S), S);
	assert_int_equal(S->regs.x[0], IPC_MSG_CALL);
	win.shadow_ipa = 0;
}

/* A service that dies handling a doorbell: the new instance is told it
 * again (the kick would be lost); one it had finished (it asked for more)
 * is not. A restart forgets the declaration. */
static void test_ipc_doorbell_survives_a_crash_in_its_handler(void **unused)
{
	(void)unused;
	add_doorbell_window();
	rec.idle_elsewhere = true;
	service_waits();
	assert_true(window_doorbell_ring(&win, QUEUE_NOTIFY, 4));
	assert_int_equal(S->regs.x[0], IPC_MSG_DOORBELL);
	assert_int_equal(EP->doorbells, 0);
	service_restart(&vms[VM_S]);
	assert_false(win.has_doorbell);
	assert_int_equal(EP->doorbells, 1ULL << win.id);
	assert_ptr_equal(ipc_recv(S), S);
	assert_int_equal(S->regs.x[0], IPC_MSG_DOORBELL);
	/* Handled: it asks for more, and dies later on nothing. */
	assert_ptr_equal(ipc_recv(S), IDLE);
	service_restart(&vms[VM_S]);
	assert_int_equal(EP->doorbells, 0);
	win.shadow_ipa = 0;
}

static void test_ipc_client_name(void **unused)
{
	char name[IPC_NAME_WORDS * sizeof(uint64_t)];

	(void)unused;
	add_window();
	hc(S, HYP_IPC_CLIENT_NAME, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	memcpy(name, &S->regs.x[1], sizeof(name));
	/* The longest name, NUL-terminated in x1..x4. */
	assert_string_equal(name, cfgs[VM_G].name);
	hc(S, HYP_IPC_CLIENT_NAME, 1);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	hc(G0, HYP_IPC_CLIENT_NAME, 0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
}

static void test_ipc_self_info(void **unused)
{
	(void)unused;
	vms[VM_S].reset_count = 4;
	hc(S, HYP_IPC_SELF_INFO, 0);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(S->regs.x[1], 4);
	assert_int_equal(S->regs.x[2], 0x10200000ULL);
	assert_int_equal(S->regs.x[3], 0x200000ULL);
	hc(G0, HYP_IPC_SELF_INFO, 0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
}

/* HYP_IPC_TRANSLATE x1 = IPA, x2 = length. */
static uint64_t *translate(struct vcpu *v, uint64_t ipa, uint64_t len)
{
	v->regs.x[2] = len;
	hc(v, HYP_IPC_TRANSLATE, ipa);
	return v->regs.x;
}

/* HYP_IPC_TRANSLATE: a range inside one RAM region, its PA. */
static void test_ipc_translate_own_ram(void **unused)
{
	(void)unused;
	vms[VM_S].ram_pa[0] = pa_init(0x80000000ULL);
	vms[VM_S].ram_pa[1] = pa_init(0x90000000ULL);
	vms[VM_S].ram_pa[2] = pa_init(0x70000000ULL);
	assert_int_equal(translate(S, 0x10000000ULL, 0x200000ULL)[0], IPC_OK);
	assert_int_equal(S->regs.x[1], 0x80000000ULL);
	assert_int_equal(translate(S, 0x107fffffULL, 1)[0], IPC_OK);
	assert_int_equal(S->regs.x[1], 0x703fffffULL);
	assert_int_equal(translate(S, 0x10201234ULL, 16)[1], 0x90001234ULL);
	/* No RAM of a service waits to be zeroed. */
	assert_int_equal(rec.readies, 0);
	/* A range running past its region, even into the next one: refused
	 * (the regions are not contiguous in PA). */
	assert_int_equal(translate(S, 0x10000000ULL, 0x200001ULL)[0],
			 ST(IPC_ERR_INVALID));
	assert_int_equal(translate(S, 0x101fffffULL, 2)[0],
			 ST(IPC_ERR_INVALID));
	assert_int_equal(translate(S, 0x10000000ULL, ~0ULL)[0],
			 ST(IPC_ERR_INVALID));
	/* No bytes; just past the last region, below the first, far away. */
	assert_int_equal(translate(S, 0x10000000ULL, 0)[0],
			 ST(IPC_ERR_INVALID));
	assert_int_equal(translate(S, 0x10800000ULL, 1)[0],
			 ST(IPC_ERR_INVALID));
	assert_int_equal(translate(S, 0x0fffffffULL, 1)[0],
			 ST(IPC_ERR_INVALID));
	assert_int_equal(translate(S, ~0ULL, 1)[0], ST(IPC_ERR_INVALID));
	/* A guest never learns a PA, even of its own RAM. */
	assert_int_equal(translate(G0, 0x10000000ULL, 1)[0],
			 ST(IPC_ERR_DENIED));
}

/* HYP_IPC_GRANT_INFO: each grant in scenario order, then invalid. */
static void test_ipc_grant_info(void **unused)
{
	(void)unused;
	vms[VM_S].grant_client[1] = VM_G;
	hc(S, HYP_IPC_GRANT_INFO, 1);
	assert_int_equal(S->regs.x[0], IPC_OK);
	assert_int_equal(S->regs.x[1], 0x140000000ULL);
	assert_int_equal(S->regs.x[2], 0x1000ULL);
	assert_int_equal(S->regs.x[3], VM_G);
	assert_int_equal(S->regs.x[4], 0x48000000ULL);
	hc(S, HYP_IPC_GRANT_INFO, 2);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	hc(S, HYP_IPC_GRANT_INFO, ~0ULL);
	assert_int_equal(S->regs.x[0], ST(IPC_ERR_INVALID));
	hc(G0, HYP_IPC_GRANT_INFO, 0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_INVALID));
}

/* HYP_IPC_TRANSLATE covers grants, up to their end (not the region's), and
 * makes the client's memory in the range ready before the PA is given. */
static void test_ipc_translate_grant(void **unused)
{
	(void)unused;
	vms[VM_S].grant_pa[0] = pa_init(0x60001000ULL);
	vms[VM_S].grant_pa[1] = pa_init(0x68000000ULL);
	assert_int_equal(translate(S, 0x100000010ULL, 0x3000ULL - 0x10)[0],
			 IPC_OK);
	assert_int_equal(S->regs.x[1], 0x60001010ULL);
	assert_int_equal(rec.readies, 1);
	assert_int_equal(rec.ready_grant, 0);
	assert_int_equal(rec.ready_ipa, 0x100000010ULL);
	assert_int_equal(rec.ready_size, 0x3000ULL - 0x10);
	assert_int_equal(translate(S, 0x140000800ULL, 0x100)[1], 0x68000800ULL);
	assert_int_equal(rec.readies, 2);
	assert_int_equal(rec.ready_grant, 1);
	assert_int_equal(rec.ready_ipa, 0x140000800ULL);
	assert_int_equal(rec.ready_size, 0x100);
	/* Its last byte. */
	assert_int_equal(translate(S, 0x100002fffULL, 1)[1], 0x60003fffULL);
	assert_int_equal(rec.readies, 3);
	/* Past the grant's end, or no bytes: refused, nothing made ready. */
	assert_int_equal(translate(S, 0x100000010ULL, ~0ULL)[0],
			 ST(IPC_ERR_INVALID));
	assert_int_equal(translate(S, 0x100000010ULL, 0x3000ULL - 0xf)[0],
			 ST(IPC_ERR_INVALID));
	assert_int_equal(translate(S, 0x100003000ULL, 1)[0],
			 ST(IPC_ERR_INVALID));
	assert_int_equal(translate(S, 0x100000000ULL, 0)[0],
			 ST(IPC_ERR_INVALID));
	assert_int_equal(rec.readies, 3);
}

static void test_ipc_service_fault_restarts(void **unused)
{
	(void)unused;
	fake_log_reset();
	assert_ptr_equal(hc(G0, HYP_IPC_FAULT, 0x96000045), G0);
	assert_int_equal(G0->regs.x[0], ST(IPC_ERR_DENIED));
	assert_int_equal(vms[VM_S].reset_count, 0);
	assert_ptr_equal(hc(S, HYP_IPC_FAULT, 0x96000045), IDLE);
	assert_int_equal(vms[VM_S].reset_count, 1);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_WARN],
			       "restarted from its image (restart 1"));
}

static void test_ipc_service_power_calls(void **unused)
{
	struct vcpu *next = NULL;

	(void)unused;
	fake_log_reset();
	assert_true(service_psci(S, PSCI_CPU_OFF, &next));
	assert_ptr_equal(next, IDLE);
	assert_int_equal(vms[VM_S].reset_count, 1);
	assert_true(service_psci(S, PSCI_CPU_SUSPEND_64, &next));
	assert_true(service_psci(S, PSCI_SYSTEM_RESET, &next));
	assert_int_equal(vms[VM_S].reset_count, 3);
	/* Each logged why, then the restart. */
	assert_int_equal(fake_log_count[LOG_LEVEL_WARN], 6);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_WARN], "(restart 3 of"));
	/* The others are PSCI's, as for any partition. */
	assert_false(service_psci(S, PSCI_SYSTEM_OFF, &next));
	assert_false(service_psci(S, PSCI_AFFINITY_INFO_64, &next));
	assert_int_equal(vms[VM_S].reset_count, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_ipc_endpoint_timeout_in_ticks),
		TEST(test_ipc_call_to_waiting_service_switches_directly),
		TEST(test_ipc_reply_completes_caller),
		TEST(test_ipc_busy_service_queues_in_order),
		TEST(test_ipc_call_checks),
		TEST(test_ipc_call_to_stopped_service_is_dead),
		TEST(test_ipc_recv_checks),
		TEST(test_ipc_service_only_calls),
		TEST(test_ipc_notify_wakes_waiting_service),
		TEST(test_ipc_empty_notify_does_not_wake),
		TEST(test_ipc_notifications_accumulate_and_go_first),
		TEST(test_ipc_notify_call_checks),
		TEST(test_ipc_cancel_unqueues_and_forgets),
		TEST(test_ipc_cancel_head_keeps_tail),
		TEST(test_ipc_cancel_only_sender_empties_queue),
		TEST(test_ipc_shutdown_fails_everyone),
		TEST(test_ipc_restart_resends_mmio_once_and_fails_calls),
		TEST(test_ipc_restart_keeps_queued_accesses),
		TEST(test_ipc_pair_access_serves_next_element),
		TEST(test_ipc_window_count_and_info),
		TEST(test_ipc_window_isr_forgotten_at_restart),
		TEST(test_ipc_window_doorbell_declare),
		TEST(test_ipc_doorbell_rings_only_with_an_idle_cpu),
		TEST(test_ipc_doorbell_told_between_notify_and_queue),
		TEST(test_ipc_doorbell_survives_a_crash_in_its_handler),
		TEST(test_ipc_client_name),
		TEST(test_ipc_self_info),
		TEST(test_ipc_translate_own_ram),
		TEST(test_ipc_window_reads),
		TEST(test_ipc_window_quiet),
		TEST(test_ipc_window_posted),
		TEST(test_ipc_grant_info),
		TEST(test_ipc_translate_grant),
		TEST(test_ipc_service_fault_restarts),
		TEST(test_ipc_service_power_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
