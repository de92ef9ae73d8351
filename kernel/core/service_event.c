/** Timer and client-reset events for services (see hyp/service_event.h). */
#include "hyp/service_event.h"

#include "hyp/cpu.h"
#include "hyp/ipc.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

_Static_assert(CFG_MAX_VMS + SERVICE_EVENT_RESET_SHIFT <= 32,
	       "a reset bit per VM id beside the timer's");

bool service_event_take(struct endpoint *ep, uint64_t msg[IPC_MSG_WORDS])
{
	uint32_t resets = ep->events & ~SERVICE_EVENT_TIMER;
	uint32_t handled = ep->resets_told;

	ep->resets_told = 0;
	if (handled != 0) {
		struct vm *client = vm_get((uint32_t)__builtin_ctz(handled) -
					   SERVICE_EVENT_RESET_SHIFT);

		if (!service_reset_pending(client)) {
			vm_reset_resume(client);
		}
	}
	if (resets != 0) {
		uint32_t bit = (uint32_t)__builtin_ctz(resets);

		ep->resets_told = 1U << bit;
		ep->events &= ~ep->resets_told;
		msg[0] = IPC_MSG_RESET;
		msg[1] = bit - SERVICE_EVENT_RESET_SHIFT;
		return true;
	}
	if (ep->events & SERVICE_EVENT_TIMER) {
		ep->events &= ~SERVICE_EVENT_TIMER;
		msg[0] = IPC_MSG_TIMER;
		msg[1] = ep->timer_fired;
		/* CNTVCT of the service: CNTVOFF_EL2 is 0. */
		msg[2] = arch_counter_now();
		return true;
	}
	return false;
}

static void timer_fire(struct endpoint *ep)
{
	ep->timer_fired = ep->timer_at;
	ep->timer_at = 0;
	ep->events |= SERVICE_EVENT_TIMER;
	ipc_wake_receiver(ep);
}

struct vcpu *service_timer_set(struct vcpu *vcpu)
{
	struct endpoint *ep = &vcpu->vm->ep;
	struct cpu *cpu = cpu_this();
	const struct cpu *watcher = &cpu_table[SERVICE_TIMER_CPU];

	vcpu->regs.x[0] = IPC_OK;
	ep->timer_at = vcpu->regs.x[1];
	ep->events &= ~SERVICE_EVENT_TIMER;
	if (ep->timer_at == 0) {
		return vcpu;
	}
	if (ep->timer_at <= arch_counter_now()) {
		timer_fire(ep);
	} else if (cpu->id == SERVICE_TIMER_CPU) {
		/* Re-armed from the deadlines once it fires (next_deadline). */
		cpu_arm_by(cpu, ep->timer_at);
	} else if (!watcher->slice_armed || ep->timer_at < watcher->slice_at) {
		/* Its EL2 timer (read under the kernel lock) fires too late:
		 * a later one re-polls the deadlines when it fires. */
		cpu_kick(watcher);
	}
	return vcpu;
}

/* service_timer_poll() once some running service has a timer set. */
static __attribute__((noinline)) uint64_t timer_poll_set(bool *woke)
{
	uint64_t next = VCPU_NO_DEADLINE;
	uint64_t now = 0;

	for (uint32_t i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);
		struct endpoint *ep = &vm->ep;

		/* Only a service sets a timer (service_timer_set). */
		if (vm->state != VM_RUNNING || ep->timer_at == 0) {
			continue;
		}
		/* The counter is read only if some timer is set. */
		now = now != 0 ? now : arch_counter_now();
		if (ep->timer_at > now) {
			next = ep->timer_at < next ? ep->timer_at : next;
			continue;
		}
		timer_fire(ep);
		if (woke != NULL) {
			*woke = true;
		}
	}
	return next;
}

uint64_t service_timer_poll(const struct cpu *cpu, bool *woke)
{
	/* Called whenever a CPU goes idle: the common case (no timer set)
	 * stays a short loop without a stack frame. */
	for (uint32_t i = 0; cpu->id == SERVICE_TIMER_CPU && i < vm_count();
	     i++) {
		const struct vm *vm = vm_get(i);

		if (vm->state == VM_RUNNING && vm->ep.timer_at != 0) {
			return timer_poll_set(woke);
		}
	}
	return VCPU_NO_DEADLINE;
}

bool service_reset_pending(const struct vm *client)
{
	for (uint32_t i = 0; i < vm_count(); i++) {
		const struct vm *vm = vm_get(i);

		if (vm->state == VM_RUNNING &&
		    ((vm->ep.events | vm->ep.resets_told) &
		     SERVICE_EVENT_RESET(client->id)) != 0) {
			return true;
		}
	}
	return false;
}

void service_client_reset(const struct vm *client)
{
	for (uint32_t i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		/* Only a service has windows (rule D7). */
		if (vm->state == VM_RUNNING &&
		    vm_uses_endpoint(client, &vm->ep)) {
			vm->ep.events |= SERVICE_EVENT_RESET(client->id);
			ipc_wake_receiver(&vm->ep);
		}
	}
}
