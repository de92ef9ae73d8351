/**
 * Synchronous IPC and MMIO forwarding (see hyp/ipc.h).
 *
 * The fast path is ipc_send() finding the service waiting and
 * ipc_reply_recv() finding nothing queued: each is a handful of checks
 * (guards), then a commit that cannot fail: copy registers, flip states,
 * switch directly to the other side.
 */
#include "hyp/ipc.h"

#include <string.h>

#include "arch/vcpu_arch.h"
#include "hyp/arch.h"
#include "hyp/log.h"
#include "hyp/mm.h"
#include "hyp/mmio.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/service_event.h"
#include "hyp/units.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"
#include "hyp/window_doorbell.h"
#include "hyp/window_quiet.h"
#include "hyp/window_isr.h"

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

/* Behind the others: the queue holds at most the guest vCPUs, so the
 * walk to its end is short, and no tail pointer has to be kept in step. */
static void enqueue(struct endpoint *ep, struct vcpu *sender)
{
	struct vcpu **link = &ep->queue_head;

	while (*link != NULL) {
		link = &(*link)->ipc.queue_next;
	}
	sender->ipc.ep = ep;
	sender->ipc.queue_next = NULL;
	*link = sender;
}

static struct vcpu *dequeue(struct endpoint *ep)
{
	struct vcpu *s = ep->queue_head;

	if (s != NULL) {
		ep->queue_head = s->ipc.queue_next;
		s->ipc.queue_next = NULL;
	}
	return s;
}

void ipc_complete(struct vcpu *s, uint64_t status, const uint64_t *result)
{
	if (s->ipc.kind == IPC_KIND_MMIO) {
		mmio_fail_or_finish(s, status != IPC_OK);
	} else if (s->ipc.kind == IPC_KIND_POSTED) {
		/* Its instruction runs again, and this time goes on. */
		s->ipc.posted_taken = true;
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

/* Give the service its next message: events, notifications, the queue. */
static bool take_next_message(struct endpoint *ep, struct vcpu *service)
{
	uint64_t msg[IPC_MSG_WORDS] = { 0 };

	/* It asks for more: done with the doorbells it was told. */
	ep->doorbells_told = 0;
	if (service_event_take(ep, msg) || ep->notify_bits != 0 ||
	    ep->doorbells != 0) {
		if (msg[0] == 0 && ep->notify_bits != 0) {
			msg[0] = IPC_MSG_NOTIFY;
			msg[1] = ep->notify_bits;
			ep->notify_bits = 0;
		} else if (msg[0] == 0) {
			msg[0] = IPC_MSG_DOORBELL;
			msg[1] = ep->doorbells;
			ep->doorbells_told = ep->doorbells;
			ep->doorbells = 0;
		}
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
		ipc_complete(sender, (uint64_t)(int64_t)IPC_ERR_DEAD, NULL);
		return sched_next(sender);
	}
	/* A service waits in RECV only with no caller (wait_or_take()), so
	 * a receiver is free to take this message. */
	if (ep->receiver == NULL) {
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

static struct vcpu *wait_or_take(struct endpoint *ep, struct vcpu *service,
				 struct vcpu *completed)
{
	if (take_next_message(ep, service)) {
		/* It runs on with the message: nothing else arms its deadline. */
		sched_exit_by(ep->deadline);
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
	struct endpoint *ep = &service->vm->ep;

	if (ep->caller != NULL) {
		/* Its caller would wait forever: reply first. */
		return vcpu_answer(service, IPC_ERR_STATE);
	}
	vm_map_shadows(ep);
	return wait_or_take(ep, service, NULL);
}

struct vcpu *ipc_reply_recv(struct vcpu *service)
{
	struct endpoint *ep = &service->vm->ep;

	/* Reached from the fast path (trap.c) for any partition. */
	if (!vcpu_is_service(service)) {
		return vcpu_answer(service, IPC_ERR_INVALID);
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
		ipc_complete(s, status, &service->regs.x[2]);
		ep->caller = NULL;
	}
	return wait_or_take(ep, service, s);
}

/*
 * The endpoint of service @p id if @p caller may call it (one of its
 * windows is served there), else NULL with the error in x0.
 */
static struct endpoint *usable_endpoint(struct vcpu *caller, uint64_t id)
{
	struct vm *vm = id < vm_count() ? vm_get((uint32_t)id) : NULL;

	if (vm == NULL || vm->cfg->kind != CFG_VM_SERVICE) {
		caller->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
		return NULL;
	}
	if (!vm_uses_endpoint(caller->vm, &vm->ep)) {
		caller->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_DENIED;
		return NULL;
	}
	return &vm->ep;
}

struct vcpu *ipc_call(struct vcpu *caller)
{
	struct endpoint *ep = usable_endpoint(caller, caller->regs.x[1]);

	if (ep == NULL) {
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

void ipc_wake_receiver(struct endpoint *ep)
{
	struct vcpu *service = ep->receiver;

	/* It waits only with nothing pending: nothing to take (an empty
	 * notification) leaves it waiting. */
	if (service != NULL && take_next_message(ep, service)) {
		ep->receiver = NULL;
		sched_wake(service);
	}
}

void ipc_notify(struct endpoint *ep, uint64_t bits)
{
	ep->notify_bits |= bits;
	ipc_wake_receiver(ep);
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
	v->ipc.ep = NULL;
	v->ipc.kind = IPC_KIND_NONE;
	v->ipc.queue_next = NULL;
}

struct vcpu *ipc_notify_call(struct vcpu *caller)
{
	struct endpoint *ep = usable_endpoint(caller, caller->regs.x[1]);

	if (ep != NULL) {
		ipc_notify(ep, caller->regs.x[2]);
		caller->regs.x[0] = IPC_OK;
	}
	return caller;
}

/* The calling service's own window x[1], or NULL: x0 says invalid. */
static struct mmio_window *own_window(struct vcpu *vcpu)
{
	struct mmio_window *w = ep_window(&vcpu->vm->ep, vcpu->regs.x[1]);

	if (w == NULL) {
		vcpu->regs.x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
	}
	return w;
}

static struct vcpu *window_info(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	const struct mmio_window *w = own_window(vcpu);

	if (w != NULL) {
		x[0] = IPC_OK;
		x[1] = w->size;
		x[2] = w->client->id;
		x[3] = w->client->vcpu_count;
		x[4] = w->shadow_ipa;
	}
	return vcpu;
}

/* HYP_IPC_WINDOW_READS: a page of one of the service's RAM regions
 * (page aligned, whole pages: rule R1). */
static struct vcpu *window_reads(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	const struct cfg_vm *cfg = vcpu->vm->cfg;

	struct mmio_window *w = own_window(vcpu);

	if (w == NULL) {
		return vcpu;
	}

	x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
	for (size_t r = 0; r < cfg->ram_count && x[2] % PAGE_SIZE == 0 &&
			   x[4] <= IPC_READS_REG_BYTES &&
			   x[5] >> IPC_POSTED_REGS == 0;
	     r++) {
		if (x[2] >= cfg->ram[r].ipa &&
		    x[2] - cfg->ram[r].ipa < cfg->ram[r].size) {
			w->reads_pa = pa_add(vcpu->vm->ram_pa[r],
					     x[2] - cfg->ram[r].ipa);
			w->reads_mask = x[3];
			w->reads_min_bytes = (uint8_t)x[4];
			w->posted_mask = (uint32_t)x[5];
			/* Quiet registers stay answered, never posted. */
			w->quiet_mask &= x[3] & ~x[5];
			/* The ring starts empty where the service left it
			 * (cons), whatever prod says. */
			struct ipc_window_page *pg = mm_va(w->reads_pa);

			w->posted_prod = pg->cons;
			pg->prod = w->posted_prod;
			x[0] = IPC_OK;
		}
	}
	if ((x[3] | x[5]) == 0) {
		w->reads_mask = 0;
		w->posted_mask = 0;
		w->quiet_mask = 0;
		x[0] = IPC_OK;
	}
	return vcpu;
}

void ipc_forget_reads(struct endpoint *ep)
{
	for (uint32_t i = 0; i < ep->window_count; i++) {
		ep->windows[i]->reads_mask = 0;
		ep->windows[i]->posted_mask = 0;
		ep->windows[i]->quiet_mask = 0;
		ep->windows[i]->isr_kept = false;
		ep->windows[i]->has_doorbell = false;
	}
}

static struct vcpu *self_info(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	const struct cfg_vm *cfg = vcpu->vm->cfg;

	x[0] = IPC_OK;
	x[1] = vcpu->vm->reset_count;
	x[2] = 0;
	x[3] = 0;
	for (size_t r = 0; r < cfg->ram_count; r++) {
		if (cfg->ram[r].keep) {
			x[2] = cfg->ram[r].ipa;
			x[3] = cfg->ram[r].size;
		}
	}
	return vcpu;
}

/* [@p ipa, +@p len) inside [@p base, +@p size), backed from @p pa: x0 and
 * x1 answer it. */
static bool translate_in(uint64_t *x, uint64_t ipa, uint64_t len,
			 uint64_t base, uint64_t size, paddr_t pa)
{
	if (ipa < base || ipa - base >= size || len > size - (ipa - base)) {
		return false;
	}
	x[0] = IPC_OK;
	x[1] = pa_addr(pa) + (ipa - base);
	return true;
}

/* HYP_IPC_TRANSLATE: a range of a service's RAM (palloc'd contiguous per
 * region) or of a grant, whose client blocks are made ready first: a device
 * writing there by PA passes every Stage 2 (vm_ram.c). */
static struct vcpu *translate(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	uint64_t ipa = x[1], len = x[2];
	struct vm *vm = vcpu->vm;
	const struct cfg_vm *cfg = vm->cfg;

	if (len == 0) {
		return vcpu_answer(vcpu, IPC_ERR_INVALID);
	}
	for (size_t r = 0; r < cfg->ram_count; r++) {
		if (translate_in(x, ipa, len, cfg->ram[r].ipa, cfg->ram[r].size,
				 vm->ram_pa[r])) {
			return vcpu;
		}
	}
	for (size_t k = 0; k < cfg->grant_count; k++) {
		if (translate_in(x, ipa, len, cfg->grants[k].ipa,
				 cfg->grants[k].size, vm->grant_pa[k])) {
			vm_ram_grant_ready(vm, k, ipa, len);
			return vcpu;
		}
	}
	return vcpu_answer(vcpu, IPC_ERR_INVALID);
}

/* HYP_IPC_GRANT_INFO: grant x1 of the calling service. */
static struct vcpu *grant_info(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	const struct cfg_vm *cfg = vcpu->vm->cfg;

	if (x[1] >= cfg->grant_count) {
		return vcpu_answer(vcpu, IPC_ERR_INVALID);
	}
	const struct cfg_grant *g = &cfg->grants[x[1]];

	x[0] = IPC_OK;
	x[3] = vcpu->vm->grant_client[x[1]];
	x[1] = g->ipa;
	x[2] = g->size;
	x[4] = g->client_ipa;
	return vcpu;
}

static struct vcpu *client_name(struct vcpu *vcpu)
{
	const struct mmio_window *w = own_window(vcpu);
	char name[IPC_NAME_WORDS * sizeof(uint64_t)] = { 0 };

	_Static_assert(sizeof(name) > CFG_NAME_MAX, "a name fits, with its NUL");
	if (w == NULL) {
		return vcpu;
	}
	const char *src = w->client->cfg->name;

	for (size_t i = 0; i < CFG_NAME_MAX && src[i] != '\0'; i++) {
		name[i] = src[i];
	}
	vcpu->regs.x[0] = IPC_OK;
	memcpy(&vcpu->regs.x[1], name, sizeof(name));
	return vcpu;
}

static struct vcpu *window_count(struct vcpu *vcpu)
{
	return vcpu_answer(vcpu, vcpu->vm->ep.window_count);
}

/* The HYP_IPC_* calls are numbered from HYP_IPC_RECV on (abi/ipc.h). */
#define IPC_FN(fid) ((fid) - HYP_IPC_RECV)

/** A HYP_IPC_* call: its handler, and the error a guest making it gets (0:
 * any partition may make it; the others are a service's, abi/ipc.h). */
struct ipc_call {
	struct vcpu *(*handler)(struct vcpu *vcpu);
	int64_t guest_error;
};

bool ipc_hypercall(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	static const struct ipc_call calls[] = {
		[IPC_FN(HYP_IPC_RECV)] = { ipc_recv, IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_REPLY_RECV)] = { ipc_reply_recv, IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_CALL)] = { ipc_call, 0 },
		[IPC_FN(HYP_IPC_NOTIFY)] = { ipc_notify_call, 0 },
		[IPC_FN(HYP_IPC_WINDOW_COUNT)] = { window_count, IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_WINDOW_INFO)] = { window_info, IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_WINDOW_READS)] = { window_reads, IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_FAULT)] = { service_fault_call, IPC_ERR_DENIED },
		[IPC_FN(HYP_IPC_SELF_INFO)] = { self_info, IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_CLIENT_NAME)] = { client_name, IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_TIMER_SET)] = { service_timer_set,
						IPC_ERR_INVALID },
		/* A guest never learns a PA. */
		[IPC_FN(HYP_IPC_TRANSLATE)] = { translate, IPC_ERR_DENIED },
		[IPC_FN(HYP_IPC_GRANT_INFO)] = { grant_info, IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_WINDOW_ISR)] = { window_isr_declare,
						 IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_ISR_UPDATE)] = { window_isr_update,
						 IPC_ERR_INVALID },
		[IPC_FN(HYP_IPC_WINDOW_DOORBELL)] = { window_doorbell_declare,
						      IPC_ERR_INVALID },
		/* 0x20-0x26 are the vgic's (abi/vgic.h): empty slots. */
		[IPC_FN(HYP_IPC_WINDOW_QUIET)] = { window_quiet_declare,
						   IPC_ERR_INVALID },
	};
	uint32_t i = IPC_FN(fid);

	_Static_assert(ARRAY_SIZE(calls) == IPC_FN(HYP_IPC_WINDOW_QUIET) + 1,
		       "one handler per HYP_IPC_* call");
	if (i >= ARRAY_SIZE(calls) || calls[i].handler == NULL) {
		return false;
	}
	if (calls[i].guest_error != 0 && !vcpu_is_service(vcpu)) {
		*next = vcpu_answer(vcpu, calls[i].guest_error);
	} else {
		*next = calls[i].handler(vcpu);
	}
	return true;
}
