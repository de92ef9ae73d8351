/**
 * Unit tests of the service life cycle (kernel/core/service.c): a service
 * that faults, stalls or overruns its reply deadline with work is
 * restarted from its image; the MMIO access it was serving is sent again
 * first in line, once (if the restarted service dies on it too, it
 * aborts), queued accesses wait for the new service, and calls get
 * IPC_ERR_DEAD. After SERVICE_RESTART_MAX restarts the service is given
 * up: stopped, and with it every running guest that uses it.
 *
 * The world: service "s" (VM 0), guest "g" (VM 1, four vCPUs, an emulated
 * window on s), guest "h" (VM 2, no window on s). The real window lookup
 * (vm_window.c); completions, stops, reloads and the scheduler are
 * recorded, and so is every log line; vm_stop() of a service calls
 * service_dead(), as vm.c does.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "abi/hypercall.h"
#include "abi/ipc.h"
#include "fake_arch.h"
#include "hyp/log.h"
#include "hyp/panic.h"
#include "hyp/ipc.h"
#include "hyp/irq.h"
#include "hyp/mmio.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

enum { VM_S, VM_G, VM_H, VMS };
#define ST(v) ((uint64_t)(int64_t)(v))
#define G_VCPUS 4
#define DEADLINE 5000
#define WIN_ID 2
#define WIN_OFFSET 0x18
#define STORED 0xab
#define MAX_DONE 8
#define LINES 8
#define LINE_MAX 256

static const struct cfg_vm cfgs[VMS] = {
	[VM_S] = { .name = "s", .kind = CFG_VM_SERVICE, .vcpu_count = 1 },
	[VM_G] = { .name = "g", .kind = CFG_VM_GUEST, .vcpu_count = G_VCPUS },
	[VM_H] = { .name = "h", .kind = CFG_VM_GUEST, .vcpu_count = 1 },
};
static struct vm vms[VMS];

#define S (&vms[VM_S].vcpus[0])
#define SVC (&vms[VM_S])
#define EP (&vms[VM_S].ep)
#define G(i) (&vms[VM_G].vcpus[i])

static struct idle_marker { int unused; } idle;
#define IDLE ((struct vcpu *)&idle)

static struct {
	unsigned flushes, reloads, unmasks, nexts, stops, done, forgets;
	struct vcpu *completed[MAX_DONE];
	uint64_t status[MAX_DONE];
	struct vm *stopped[VMS];
	enum vm_stop_reason why[VMS];
} rec;

/* Every warning logged, in order (the last LINES). */
static struct {
	char line[LINES][LINE_MAX];
	unsigned n;
} warn;
static char panic_msg[LINE_MAX];
static jmp_buf panic_jmp;

/* --- Neighbours ------------------------------------------------------------ */

void log_line(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	assert_int_equal(level, LOG_LEVEL_WARN);
	va_start(ap, fmt);
	vsnprintf(warn.line[warn.n++ % LINES], LINE_MAX, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	longjmp(panic_jmp, 1);
}

/* Warning @p i (from 0) since the test started. */
static const char *warning(unsigned i)
{
	assert_true(i < warn.n);
	return warn.line[i % LINES];
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

void ipc_complete(struct vcpu *s, uint64_t status, const uint64_t *result)
{
	assert_null(result);
	assert_true(rec.done < MAX_DONE);
	rec.completed[rec.done] = s;
	rec.status[rec.done++] = status;
	s->state = VCPU_RUNNABLE;
}

void ipc_forget_reads(struct endpoint *ep)
{
	assert_ptr_equal(ep, &SVC->ep);
	rec.forgets++;
}

void vm_console_flush(struct vm *vm)
{
	assert_ptr_equal(vm, SVC);
	rec.flushes++;
}

void vm_reset_resume(struct vm *vm)
{
	vm->reset_held = false;
}

void vm_reload(struct vm *vm)
{
	assert_ptr_equal(vm, SVC);
	rec.reloads++;
}

void irq_unmask_owned(const struct vm *vm)
{
	assert_ptr_equal(vm, SVC);
	rec.unmasks++;
}

/* vm.c's: stopped, and a service's clients with it. */
void vm_stop(struct vm *vm, enum vm_stop_reason why)
{
	assert_int_equal(vm->state, VM_RUNNING);
	rec.stopped[rec.stops] = vm;
	rec.why[rec.stops++] = why;
	vm->state = VM_STOPPED;
	if (vm->cfg->kind == CFG_VM_SERVICE) {
		service_dead(vm, why);
	}
}

struct vcpu *sched_next(struct vcpu *current)
{
	(void)current;
	rec.nexts++;
	return IDLE;
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
	memset(&warn, 0, sizeof(warn));
	for (uint32_t i = 0; i < VMS; i++) {
		vms[i].id = (uint16_t)i;
		vms[i].cfg = &cfgs[i];
		vms[i].state = VM_RUNNING;
		vms[i].vcpu_count = cfgs[i].vcpu_count;
		for (uint32_t c = 0; c < cfgs[i].vcpu_count; c++) {
			vms[i].vcpus[c].vm = &vms[i];
			vms[i].vcpus[c].index = c;
		}
	}
	S->is_service = true;
	EP->service = SVC;
	EP->deadline = DEADLINE;
	vms[VM_G].mmio[0] = (struct mmio_window){ .ep = EP, .id = WIN_ID,
						  .client = &vms[VM_G],
						  .size = 0x1000 };
	vms[VM_G].mmio_count = 1;
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

/* @p v sends an MMIO store (its message already taken by the service if
 * @p served) or a call. */
static void access(struct vcpu *v)
{
	v->ipc.kind = IPC_KIND_MMIO;
	v->ipc.ep = EP;
	v->ipc.mmio.win = &vms[VM_G].mmio[0];
	v->ipc.mmio.insn.size = 4;
	v->ipc.mmio.insn.write = true;
	v->ipc.mmio.offset[0] = WIN_OFFSET;
	v->ipc.mmio.value[0] = STORED;
	v->state = VCPU_BLOCKED_REPLY;
}

static void a_call(struct vcpu *v)
{
	v->ipc.kind = IPC_KIND_CALL;
	v->ipc.ep = EP;
	v->state = VCPU_BLOCKED_REPLY;
}

/* Queue @p v on the endpoint behind the others. */
static void enqueue(struct vcpu *v)
{
	struct vcpu **link = &EP->queue_head;

	while (*link != NULL) {
		link = &(*link)->ipc.queue_next;
	}
	v->state = VCPU_BLOCKED_SEND;
	*link = v;
}

static void assert_restarts(uint32_t n)
{
	assert_int_equal(SVC->reset_count, n);
	assert_int_equal(rec.reloads, n);
	assert_int_equal(rec.unmasks, n);
}

/* --- Restart --------------------------------------------------------------- */

static void test_service_restart_resends_access_fails_calls(void **unused)
{
	(void)unused;
	access(G(0));
	EP->caller = G(0);
	/* Stale: the service is no longer waiting. */
	EP->receiver = S;
	EP->notify_bits = 0x5;
	a_call(G(1));
	enqueue(G(1));
	access(G(2));
	enqueue(G(2));
	a_call(G(3));
	enqueue(G(3));

	service_restart(SVC);
	assert_restarts(1);
	assert_int_equal(rec.flushes, 1);
	/* Reads go to the restarted service until it names its pages. */
	assert_int_equal(rec.forgets, 1);
	/* The calls fail, the caller may retry them. */
	assert_int_equal(rec.done, 2);
	assert_ptr_equal(rec.completed[0], G(1));
	assert_ptr_equal(rec.completed[1], G(3));
	assert_int_equal(rec.status[0], ST(IPC_ERR_DEAD));
	assert_int_equal(rec.status[1], ST(IPC_ERR_DEAD));
	/* The access in flight first, then the queued one. */
	assert_null(EP->caller);
	assert_ptr_equal(EP->queue_head, G(0));
	assert_ptr_equal(G(0)->ipc.queue_next, G(2));
	assert_null(G(2)->ipc.queue_next);
	assert_int_equal(G(0)->state, VCPU_BLOCKED_SEND);
	assert_true(G(0)->ipc.mmio.resent);
	/* Its message rebuilt for the new service. */
	assert_int_equal(G(0)->ipc.msg[0], IPC_MSG_MMIO);
	assert_int_equal(G(0)->ipc.msg[1], WIN_ID);
	assert_int_equal(G(0)->ipc.msg[2], WIN_OFFSET);
	assert_int_equal(G(0)->ipc.msg[3],
			 4 | IPC_MMIO_WRITE |
				 ((uint64_t)VM_G << IPC_MMIO_CLIENT_SHIFT));
	assert_int_equal(G(0)->ipc.msg[4], STORED);
	assert_int_equal(EP->notify_bits, 0);
	assert_null(EP->receiver);
	assert_int_equal(warn.n, 1);
	assert_string_equal(warning(0), "service 's' restarted from its image "
					"(restart 1 of at most 64)");
}

/* The access the restarted service died on too aborts: a poison access
 * cannot crash a service for ever. */
static void test_service_access_resent_only_once(void **unused)
{
	(void)unused;
	access(G(0));
	EP->caller = G(0);
	service_restart(SVC);
	assert_int_equal(rec.done, 0);
	/* The new service takes it and dies on it. */
	EP->queue_head = NULL;
	G(0)->ipc.queue_next = NULL;
	G(0)->state = VCPU_BLOCKED_REPLY;
	EP->caller = G(0);
	service_restart(SVC);
	assert_restarts(2);
	assert_int_equal(rec.done, 1);
	assert_ptr_equal(rec.completed[0], G(0));
	assert_int_equal(rec.status[0], ST(IPC_ERR_DEAD));
	assert_null(EP->queue_head);
}

static void test_service_call_in_flight_dead(void **unused)
{
	(void)unused;
	a_call(G(1));
	EP->caller = G(1);
	a_call(G(2));
	enqueue(G(2));
	service_restart(SVC);
	assert_int_equal(rec.done, 2);
	assert_ptr_equal(rec.completed[1], G(1));
	assert_int_equal(rec.status[1], ST(IPC_ERR_DEAD));
	assert_null(EP->caller);
	assert_null(EP->queue_head);
}

/* SERVICE_RESTART_MAX restarts, then the service is given up and every
 * running guest that uses it stops with it. */
static void test_service_budget_then_dead_stops_clients(void **unused)
{
	(void)unused;
	for (uint32_t i = 0; i < SERVICE_RESTART_MAX; i++) {
		service_restart(SVC);
	}
	assert_restarts(SERVICE_RESTART_MAX);
	assert_int_equal(rec.stops, 0);
	access(G(0));
	EP->caller = G(0);
	service_restart(SVC);
	assert_restarts(SERVICE_RESTART_MAX);
	assert_int_equal(rec.flushes, SERVICE_RESTART_MAX + 1);
	/* Not restarted: the endpoint is left to vm_stop's shutdown. */
	assert_ptr_equal(EP->caller, G(0));
	assert_int_equal(rec.stops, 2);
	assert_ptr_equal(rec.stopped[0], SVC);
	assert_int_equal(rec.why[0], VM_STOP_FAILED);
	assert_ptr_equal(rec.stopped[1], &vms[VM_G]);
	assert_int_equal(rec.why[1], VM_STOP_SERVICE_DEAD);
	assert_int_equal(vms[VM_H].state, VM_RUNNING);
	assert_int_equal(warn.n, SERVICE_RESTART_MAX + 2);
	assert_string_equal(warning(SERVICE_RESTART_MAX),
			    "service 's' failed 64 times: not restarted again");
	assert_string_equal(warning(SERVICE_RESTART_MAX + 1),
			    "vm 'g' stopped: its service 's' is dead "
			    "(restarted 64 times)");
}

static void test_service_restart_of_guest_panics(void **unused)
{
	(void)unused;
	if (setjmp(panic_jmp) == 0) {
		service_restart(&vms[VM_G]);
		fail_msg("the restart of a guest did not panic");
	}
	assert_non_null(strstr(panic_msg, "check failed: "));
	assert_int_equal(rec.reloads, 0);
}

/* --- The dead-service policy ------------------------------------------------ */

static void test_service_dead_stops_running_clients_only(void **unused)
{
	(void)unused;
	/* h uses it too but is stopped already; a service is no client. */
	vms[VM_H].mmio[0] = vms[VM_G].mmio[0];
	vms[VM_H].mmio_count = 1;
	vms[VM_H].state = VM_STOPPED;
	SVC->mmio[0] = vms[VM_G].mmio[0];
	SVC->mmio_count = 1;
	service_dead(SVC, VM_STOP_SYSTEM_OFF);
	assert_int_equal(rec.stops, 1);
	assert_ptr_equal(rec.stopped[0], &vms[VM_G]);
	assert_int_equal(rec.why[0], VM_STOP_SERVICE_DEAD);
	assert_int_equal(warn.n, 1);
	assert_string_equal(warning(0), "vm 'g' stopped: its service 's' is "
					"dead (it powered off with PSCI "
					"SYSTEM_OFF)");
	/* Nobody left to stop. */
	service_dead(SVC, VM_STOP_FAILED);
	assert_int_equal(rec.stops, 1);
}

/* --- What triggers a restart ------------------------------------------------- */

static void test_service_overdue_reply(void **unused)
{
	(void)unused;
	access(G(0));
	EP->caller = G(0);
	assert_false(service_overdue(S, DEADLINE - 1));
	assert_int_equal(SVC->reset_count, 0);
	assert_int_equal(warn.n, 0);
	assert_true(service_overdue(S, DEADLINE));
	assert_restarts(1);
	assert_ptr_equal(EP->queue_head, G(0));
	assert_int_equal(warn.n, 2);
	assert_string_equal(warning(0),
			    "service 's' did not answer within 1000 ms");
	assert_non_null(strstr(warning(1), "(restart 1 of"));
}

/* Busy past its deadline without a message: work it was given (a
 * notification, its start) without waiting again. */
static void test_service_overdue_without_message(void **unused)
{
	(void)unused;
	assert_true(service_overdue(S, DEADLINE + 1));
	assert_restarts(1);
	assert_int_equal(warn.n, 2);
	assert_string_equal(warning(0), "service 's' ran 1000 ms without "
					"waiting for work");
}

static void test_service_fault_call(void **unused)
{
	(void)unused;
	/* A guest is denied by ipc_hypercall() (test_ipc.c). */
	S->regs.x[1] = 0x96000045;
	S->regs.x[2] = 0x80001234;
	S->regs.x[3] = 0xdead0000;
	assert_ptr_equal(service_fault_call(S), IDLE);
	assert_restarts(1);
	assert_int_equal(rec.nexts, 1);
	assert_int_equal(warn.n, 2);
	assert_string_equal(warning(0), "service 's' faulted: ESR_EL1 "
					"0x96000045 ELR_EL1 0x80001234 "
					"FAR_EL1 0xdead0000");
}

static void test_service_psci_power_calls(void **unused)
{
	(void)unused;
	const uint32_t stalls[] = { PSCI_CPU_SUSPEND_32, PSCI_CPU_SUSPEND_64,
				    PSCI_CPU_OFF, PSCI_SYSTEM_RESET };
	struct vcpu *next = NULL;

	for (uint32_t i = 0; i < sizeof(stalls) / sizeof(stalls[0]); i++) {
		next = NULL;
		assert_true(service_psci(S, stalls[i], &next));
		assert_ptr_equal(next, IDLE);
		assert_restarts(i + 1);
	}
	/* Each logged why, then the restart. */
	assert_int_equal(warn.n, 8);
	assert_string_equal(warning(0), "service 's' faulted: PSCI "
					"CPU_SUSPEND while it has work (a "
					"service waits only in HYP_IPC_RECV)");
	assert_non_null(strstr(warning(2), "PSCI CPU_SUSPEND while"));
	assert_non_null(strstr(warning(4), "faulted: PSCI CPU_OFF while"));
	assert_string_equal(warning(6), "service 's' asked for a reset "
					"(PSCI SYSTEM_RESET)");
	/* The others are PSCI's, as for any partition. */
	next = NULL;
	assert_false(service_psci(S, PSCI_SYSTEM_OFF, &next));
	assert_false(service_psci(S, PSCI_VERSION, &next));
	assert_null(next);
	assert_restarts(4);
}

static void test_service_stalled_logs_what(void **unused)
{
	(void)unused;
	service_stalled(SVC, "WFI");
	assert_restarts(1);
	assert_int_equal(warn.n, 2);
	assert_string_equal(warning(0), "service 's' faulted: WFI while it "
					"has work (a service waits only in "
					"HYP_IPC_RECV)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_service_restart_resends_access_fails_calls),
		TEST(test_service_access_resent_only_once),
		TEST(test_service_call_in_flight_dead),
		TEST(test_service_budget_then_dead_stops_clients),
		TEST(test_service_restart_of_guest_panics),
		TEST(test_service_dead_stops_running_clients_only),
		TEST(test_service_overdue_reply),
		TEST(test_service_overdue_without_message),
		TEST(test_service_fault_call),
		TEST(test_service_psci_power_calls),
		TEST(test_service_stalled_logs_what),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
