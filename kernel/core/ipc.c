/**
 * Synchronous IPC and MMIO forwarding (see hyp/ipc.h).
 *
 * The fast path is ipc_send() finding the service waiting and
 * ipc_reply_recv() finding nothing queued: each is a handful of checks
 * (guards), then a commit that cannot fail: copy registers, flip states,
 * switch directly to the other side.
 */
#include "hyp/ipc.h"

#include "arch/vcpu_arch.h"
#include "hyp/arch.h"
#include "hyp/log.h"
#include "hyp/mmio.h"
#include "hyp/sched.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

/* Result words of a reply / call: x2..x4 of REPLY_RECV, x1..x3 of CALL. */
#define IPC_RESULT_WORDS 3

void ipc_endpoint_init(struct endpoint *ep, struct vm *service)
{
	*ep = (struct endpoint){
		.service = service,
		.timeout_ticks = arch_counter_freq() / IPC_MS_PER_S *
				 IPC_REPLY_TIMEOUT_MS,
	};
}

static void deliver(struct vcpu *service, const uint64_t msg[IPC_MSG_WORDS])
{
	for (int i = 0; i < IPC_MSG_WORDS; i++) {
		service->regs.x[i] = msg[i];
	}
}

static void enqueue(struct endpoint *ep, struct vcpu *sender)
{
	sender->ipc.ep = ep;
	sender->ipc.queue_next = NULL;
	if (ep->queue_tail != NULL) {
		ep->queue_tail->ipc.queue_next = sender;
	} else {
		ep->queue_head = sender;
	}
	ep->queue_tail = sender;
}

static struct vcpu *dequeue(struct endpoint *ep)
{
	struct vcpu *s = ep->queue_head;

	if (s != NULL) {
		ep->queue_head = s->ipc.queue_next;
		if (ep->queue_head == NULL) {
			ep->queue_tail = NULL;
		}
		s->ipc.queue_next = NULL;
	}
	return s;
}

/* Complete a sender whose message failed or was answered. */
static void complete_sender(struct vcpu *s, uint64_t status,
			    const uint64_t result[IPC_RESULT_WORDS])
{
	if (s->ipc.kind == IPC_KIND_MMIO) {
		mmio_fail_or_finish(s, status != IPC_OK);
	} else {
		s->regs.x[0] = status;
		for (int i = 0; i < IPC_RESULT_WORDS; i++) {
			s->regs.x[1 + i] = result ? result[i] : 0;
		}
	}
	s->ipc.kind = IPC_KIND_NONE;
	s->ipc.ep = NULL;
	/* It may belong to another CPU (its home), which is kicked. */
	sched_wake(s);
}

/* Give the service its next message (notifications first). */
static bool take_next_message(struct endpoint *ep, struct vcpu *service)
{
	if (ep->notify_bits != 0) {
		uint64_t msg[IPC_MSG_WORDS] = { IPC_MSG_NOTIFY, ep->notify_bits };

		ep->notify_bits = 0;
		ipc_begin_work(ep, arch_counter_now());
		deliver(service, msg);
		return true;
	}
	struct vcpu *s = dequeue(ep);

	if (s == NULL) {
		return false;
	}
	ipc_begin_request(ep, s, arch_counter_now());
	s->state = VCPU_BLOCKED_REPLY;
	deliver(service, s->ipc.msg);
	return true;
}

struct vcpu *ipc_send(struct vcpu *sender, struct endpoint *ep)
{
	if (ep->service->state != VM_RUNNING) {
		complete_sender(sender, (uint64_t)(int64_t)IPC_ERR_DEAD, NULL);
		return sched_next(sender);
	}
	if (ep->receiver == NULL || ep->caller != NULL) {
		enqueue(ep, sender);
		sender->state = VCPU_BLOCKED_SEND;
		return sched_next(sender);
	}
	/* Point of no return: hand the message over and switch. */
	struct vcpu *service = ep->receiver;

	ep->receiver = NULL;
	ipc_begin_request(ep, sender, arch_counter_now());
	sender->ipc.ep = ep;
	deliver(service, sender->ipc.msg);
	service->state = VCPU_RUNNABLE;
	sender->state = VCPU_BLOCKED_REPLY;
	return sched_switch_direct(service);
}

static struct endpoint *own_endpoint(struct vcpu *v)
{
	return vcpu_is_service(v) ? &v->vm->ep : NULL;
}

static struct vcpu *wait_or_take(struct endpoint *ep, struct vcpu *service,
				 struct vcpu *completed)
{
	if (take_next_message(ep, service)) {
		/* It runs on with the message: nothing else arms its deadline. */
		sched_bound_reply(service);
		return service;
	}
	ep->receiver = service;
	service->state = VCPU_BLOCKED_RECV;
	if (completed != NULL && completed->state == VCPU_RUNNABLE &&
	    completed->vm->state == VM_RUNNING && sched_runs_here(completed)) {
		return sched_switch_direct(completed);
	}
	return sched_next(service);
}

struct vcpu *ipc_recv(struct vcpu *service)
{
	struct endpoint *ep = own_endpoint(service);

	if (ep == NULL) {
		service->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
		return service;
	}
	if (ep->caller != NULL) {
		/* Its caller would wait forever: reply first. */
		service->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_STATE;
		return service;
	}
	return wait_or_take(ep, service, NULL);
}

struct vcpu *ipc_reply_recv(struct vcpu *service)
{
	struct endpoint *ep = own_endpoint(service);

	if (ep == NULL) {
		service->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
		return service;
	}
	struct vcpu *s = ep->caller;
	uint64_t status = service->regs.x[1];

	if (s != NULL) {
		if (s->ipc.kind == IPC_KIND_MMIO &&
		    mmio_element_done(s, status, service->regs.x[2])) {
			/* A pair access: the service serves the next element
			 * as the answer to this reply, without a switch. */
			mmio_message(s, s->ipc.msg);
			deliver(service, s->ipc.msg);
			return service;
		}
		complete_sender(s, status, &service->regs.x[2]);
		ep->caller = NULL;
	}
	return wait_or_take(ep, service, s);
}

static struct endpoint *endpoint_by_id(uint64_t id)
{
	if (id >= vm_count()) {
		return NULL;
	}
	struct vm *vm = vm_get((uint32_t)id);

	return vm->cfg->kind == CFG_VM_SERVICE ? &vm->ep : NULL;
}

struct vcpu *ipc_call(struct vcpu *caller, uint64_t ep_id)
{
	struct endpoint *ep = endpoint_by_id(ep_id);

	if (ep == NULL) {
		caller->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
		return caller;
	}
	if (!vm_uses_endpoint(caller->vm, ep)) {
		caller->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_DENIED;
		return caller;
	}
	uint64_t *x = caller->regs.x;

	caller->ipc.kind = IPC_KIND_CALL;
	caller->ipc.msg[0] = IPC_MSG_CALL;
	caller->ipc.msg[1] = caller->vm->id;
	for (int i = 2; i < IPC_MSG_WORDS; i++) {
		caller->ipc.msg[i] = x[i];
	}
	return ipc_send(caller, ep);
}

void ipc_notify(struct endpoint *ep, uint64_t bits)
{
	ep->notify_bits |= bits;
	/* No bits, nothing to tell: a waiting service would wake without a
	 * message (it waits only with nothing pending, so bits == 0 here
	 * means an empty notification). */
	if (ep->receiver != NULL && ep->notify_bits != 0) {
		struct vcpu *service = ep->receiver;

		ep->receiver = NULL;
		take_next_message(ep, service);
		sched_wake(service);
	}
}

void ipc_cancel(struct vcpu *v)
{
	struct endpoint *ep = v->ipc.ep;

	if (ep == NULL) {
		return;
	}
	if (ep->caller == v) {
		/* The service's reply will find no caller and is dropped. */
		ep->caller = NULL;
	}
	for (struct vcpu **link = &ep->queue_head; *link != NULL;
	     link = &(*link)->ipc.queue_next) {
		if (*link == v) {
			*link = v->ipc.queue_next;
			break;
		}
	}
	ep->queue_tail = NULL;
	for (struct vcpu *s = ep->queue_head; s != NULL; s = s->ipc.queue_next) {
		ep->queue_tail = s;
	}
	v->ipc.ep = NULL;
	v->ipc.kind = IPC_KIND_NONE;
	v->ipc.queue_next = NULL;
}

struct vcpu *ipc_notify_call(struct vcpu *caller)
{
	struct endpoint *ep = endpoint_by_id(caller->regs.x[1]);

	if (ep == NULL) {
		caller->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
	} else if (!vm_uses_endpoint(caller->vm, ep)) {
		caller->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_DENIED;
	} else {
		ipc_notify(ep, caller->regs.x[2]);
		caller->regs.x[0] = IPC_OK;
	}
	return caller;
}

void ipc_endpoint_shutdown(struct endpoint *ep)
{
	struct vcpu *s;

	if (ep->caller != NULL) {
		complete_sender(ep->caller, (uint64_t)(int64_t)IPC_ERR_DEAD, NULL);
		ep->caller = NULL;
	}
	while ((s = dequeue(ep)) != NULL) {
		complete_sender(s, (uint64_t)(int64_t)IPC_ERR_DEAD, NULL);
	}
	ep->receiver = NULL;
	ep->notify_bits = 0;
}

/* Put @p s back first in line: the restarted service gets its message
 * again (rebuilt: the fast path writes it straight into the service). */
static void resend_first(struct endpoint *ep, struct vcpu *s)
{
	s->ipc.mmio.resent = true;
	mmio_message(s, s->ipc.msg);
	s->ipc.queue_next = ep->queue_head;
	ep->queue_head = s;
	if (ep->queue_tail == NULL) {
		ep->queue_tail = s;
	}
	s->state = VCPU_BLOCKED_SEND;
}

void ipc_endpoint_restart(struct endpoint *ep)
{
	struct vcpu *s = ep->caller;
	struct vcpu **link = &ep->queue_head;

	ep->caller = NULL;
	/* Calls waiting in the queue never reached the service: they fail,
	 * as documented, and may be retried; accesses stay queued. */
	while (*link != NULL) {
		struct vcpu *q = *link;

		if (q->ipc.kind == IPC_KIND_CALL) {
			*link = q->ipc.queue_next;
			q->ipc.queue_next = NULL;
			complete_sender(q, (uint64_t)(int64_t)IPC_ERR_DEAD, NULL);
		} else {
			ep->queue_tail = q;
			link = &q->ipc.queue_next;
		}
	}
	if (ep->queue_head == NULL) {
		ep->queue_tail = NULL;
	}
	if (s != NULL) {
		if (s->ipc.kind == IPC_KIND_MMIO && !s->ipc.mmio.resent) {
			resend_first(ep, s);
		} else {
			complete_sender(s, (uint64_t)(int64_t)IPC_ERR_DEAD, NULL);
		}
	}
	ep->receiver = NULL;
	ep->notify_bits = 0;
}
