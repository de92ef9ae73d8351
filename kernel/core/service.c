/** The life cycle of service partitions (see hyp/service.h). */
#include "hyp/service.h"

#include "hyp/irq.h"
#include "hyp/log.h"
#include "hyp/mmio.h"
#include "hyp/panic.h"
#include "hyp/sched.h"
#include "hyp/service_event.h"

/* Put @p s back first in line: the restarted service gets its message
 * again (rebuilt: the fast path writes it straight into the service). */
static void resend_first(struct endpoint *ep, struct vcpu *s)
{
	s->ipc.mmio.resent = true;
	mmio_message(s, s->ipc.msg);
	s->ipc.queue_next = ep->queue_head;
	ep->queue_head = s;
	s->state = VCPU_BLOCKED_SEND;
}

void service_endpoint_close(struct endpoint *ep, bool restart)
{
	struct vcpu *s = ep->caller;
	struct vcpu **link = &ep->queue_head;

	ep->caller = NULL;
	/* Calls waiting in the queue never reached the service: they fail,
	 * as documented, and may be retried; accesses stay queued for a
	 * restarted service. */
	while (*link != NULL) {
		struct vcpu *q = *link;

		if (!restart || q->ipc.kind == IPC_KIND_CALL) {
			*link = q->ipc.queue_next;
			q->ipc.queue_next = NULL;
			ipc_complete(q, (uint64_t)(int64_t)IPC_ERR_DEAD, NULL);
		} else {
			link = &q->ipc.queue_next;
		}
	}
	if (s != NULL) {
		if (restart && s->ipc.kind == IPC_KIND_MMIO &&
		    !s->ipc.mmio.resent) {
			resend_first(ep, s);
		} else {
			ipc_complete(s, (uint64_t)(int64_t)IPC_ERR_DEAD, NULL);
		}
	}
	ep->receiver = NULL;
	ep->notify_bits = 0;
	/* A doorbell it died handling is told to the next instance. */
	ep->doorbells |= ep->doorbells_told;
	ep->doorbells_told = 0;
	ipc_forget_reads(ep);
	/* Its timer is cancelled, as at boot; client resets are told to the
	 * new instance, the one it died handling again (service_event.h). */
	ep->timer_at = 0;
	ep->events = (ep->events | ep->resets_told) & ~SERVICE_EVENT_TIMER;
	ep->resets_told = 0;
}

void service_restart(struct vm *vm)
{
	CHECK(vm->cfg->kind == CFG_VM_SERVICE);
	vm_console_flush(vm);
	if (vm->reset_count >= SERVICE_RESTART_MAX) {
		log_warn("service '%s' failed %u times: not restarted again",
			 vm->cfg->name, vm->reset_count);
		vm_stop(vm, VM_STOP_FAILED);
		return;
	}
	service_endpoint_close(&vm->ep, true);
	vm->reset_count++;
	log_warn("service '%s' restarted from its image (restart %u of at most "
		 "%u)",
		 vm->cfg->name, vm->reset_count, SERVICE_RESTART_MAX);
	vm_reload(vm);
	irq_unmask_owned(vm);
}

void service_stalled(struct vm *vm, const char *what)
{
	log_warn("service '%s' faulted: %s while it has work (a service waits "
		 "only in HYP_IPC_RECV)",
		 vm->cfg->name, what);
	service_restart(vm);
}

bool service_overdue(struct vcpu *service, uint64_t now)
{
	if (now < service->vm->ep.deadline) {
		return false;
	}
	log_warn(service->vm->ep.caller != NULL
			 ? "service '%s' did not answer within %u ms"
			 : "service '%s' ran %u ms without waiting for work",
		 vcpu_vm_name(service), IPC_REPLY_TIMEOUT_MS);
	service_restart(service->vm);
	return true;
}

struct vcpu *service_fault_call(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;

	log_warn("service '%s' faulted: ESR_EL1 0x%lx ELR_EL1 0x%lx FAR_EL1 "
		 "0x%lx",
		 vcpu_vm_name(vcpu), x[1], x[2], x[3]);
	service_restart(vcpu->vm);
	return sched_next(vcpu);
}

/*
 * PSCI power calls from a service (false for the others, which psci.c
 * answers as for any partition). A service waits for work only in
 * HYP_IPC_RECV and its clients wait for its answers: idling (CPU_SUSPEND)
 * or powering its only vCPU off (CPU_OFF) would block them for ever, out
 * of reach of its reply deadline, so it is a fault; a reset is a restart,
 * with the access in flight sent again (never a made-up answer) and its
 * interrupts unmasked; SYSTEM_OFF ends it for good (its clients are
 * stopped, vm_stop).
 */
bool service_psci(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	switch (fid) {
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		service_stalled(vcpu->vm, "PSCI CPU_SUSPEND");
		break;
	case PSCI_CPU_OFF:
		service_stalled(vcpu->vm, "PSCI CPU_OFF");
		break;
	case PSCI_SYSTEM_RESET:
		log_warn("service '%s' asked for a reset (PSCI SYSTEM_RESET)",
			 vcpu_vm_name(vcpu));
		service_restart(vcpu->vm);
		break;
	default:
		return false;
	}
	*next = sched_next(vcpu);
	return true;
}

void service_dead(struct vm *service, enum vm_stop_reason why)
{
	for (uint32_t i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		if (vm->state != VM_RUNNING || vm->cfg->kind != CFG_VM_GUEST ||
		    !vm_uses_endpoint(vm, &service->ep)) {
			continue;
		}
		log_warn(why == VM_STOP_SYSTEM_OFF
				 ? "vm '%s' stopped: its service '%s' is dead "
				   "(it powered off with PSCI SYSTEM_OFF)"
				 : "vm '%s' stopped: its service '%s' is dead "
				   "(restarted %u times)",
			 vm->cfg->name, service->cfg->name,
			 service->reset_count);
		vm_stop(vm, VM_STOP_SERVICE_DEAD);
	}
}
