/** Doorbell registers (see hyp/window_doorbell.h). */
#include "hyp/window_doorbell.h"

#include "abi/ipc.h"
#include "hyp/ipc.h"
#include "hyp/sched.h"
#include "hyp/units.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

/* A doorbell is a 32-bit register (virtio 1.2 4.2.2: QueueNotify). */
#define DOORBELL_REG_BYTES 4U

_Static_assert(EP_MAX_WINDOWS <= 64, "a doorbell bit per window id");

/*
 * Only while the service waits in RECV (nothing else pending then,
 * wait_or_take()): a doorbell goes before queued accesses, so ringing a
 * busy service would let a client that rings in a loop keep every queued
 * access, and any guest on the service's CPU, waiting for ever (found by
 * review). Busy, the store is an ordinary access: it waits its turn.
 */
bool window_doorbell_ring(const struct mmio_window *win, uint64_t offset,
			  uint8_t width)
{
	if (!win->has_doorbell || offset != win->doorbell ||
	    width != DOORBELL_REG_BYTES || win->ep->receiver == NULL ||
	    !sched_cpu_idle_elsewhere()) {
		return false;
	}
	win->ep->doorbells |= 1ULL << win->id;
	/* It runs on the idle CPU (sched_wake()). */
	ipc_wake_receiver(win->ep);
	return true;
}

struct vcpu *window_doorbell_declare(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	struct mmio_window *w = ep_window(&vcpu->vm->ep, x[1]);

	if (w != NULL && x[2] == IPC_DOORBELL_NONE) {
		w->has_doorbell = false;
		return vcpu_answer(vcpu, IPC_OK);
	}
	/* In the page the client sees read-only: its store faults there. Not
	 * the acknowledge the kernel completes (window_isr.c). */
	if (w == NULL || w->shadow_ipa == 0 || x[2] % DOORBELL_REG_BYTES != 0 ||
	    x[2] >= PAGE_SIZE || x[2] >= w->size ||
	    (w->isr_kept && x[2] == w->isr_ack)) {
		return vcpu_answer(vcpu, IPC_ERR_INVALID);
	}
	w->doorbell = (uint16_t)x[2];
	w->has_doorbell = true;
	return vcpu_answer(vcpu, IPC_OK);
}
