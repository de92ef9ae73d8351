#pragma once
/**
 * Emulated MMIO: a guest data abort inside a window owned by a service is
 * decoded once (syndrome, or the instruction itself when ISV = 0) into a
 * struct mmio_pending, forwarded element by element as IPC messages, and
 * completed (loaded values written back with their extension, base register
 * writeback, PC advanced) when the service has answered every element.
 */

#include "hyp/vm.h"

struct mmio_window;

/** Inject an external abort for an access not emulated, logged once. */
struct vcpu *mmio_reject(struct vcpu *vcpu, const char *why, uint64_t ipa,
			 bool write);

/** The IPA of FAR_EL2, through the guest's stage 1 (AT S1E1R/S1E0R). */
bool mmio_fault_ipa(const struct vcpu *vcpu, uint64_t *ipa);

/** Decode the access and send it to the window's service. */
struct vcpu *mmio_forward(struct vcpu *vcpu, uint64_t esr, uint64_t ipa,
			  const struct mmio_window *win);

/* Words of an MMIO message (abi/ipc.h): x0 kind, x1 window id, x2 offset,
 * x3 access info, x4 value; the message's other words are zero. */
#define MMIO_MSG_WORDS 5
_Static_assert(MMIO_MSG_WORDS <= IPC_MSG_WORDS,
	       "an MMIO message must fit in the IPC message registers");

/**
 * The IPC message for the element being served, from the access record:
 * the one builder, used by the fast path (straight into the service's
 * registers) and the slow path (into vcpu->ipc.msg). Every word is read
 * before any is written, so @p msg may be another vCPU's registers.
 */
static inline void mmio_message(const struct vcpu *vcpu,
				uint64_t msg[IPC_MSG_WORDS])
{
	const struct mmio_pending *p = &vcpu->ipc.mmio;
	const bool write = p->insn.write;
	const uint64_t window = p->win->id;
	const uint64_t offset = p->offset[p->index];
	const uint64_t info = p->insn.size | (write ? IPC_MMIO_WRITE : 0) |
			      ((uint64_t)vcpu->vm->id << IPC_MMIO_CLIENT_SHIFT) |
			      ((uint64_t)vcpu->index << IPC_MMIO_VCPU_SHIFT);
	/* A load's element holds 0 until answered (mmio_forward,
	 * fastpath_mmio, mmio_element_done): a read carries value 0. */
	const uint64_t value = p->value[p->index];

	msg[0] = IPC_MSG_MMIO;
	msg[1] = window;
	msg[2] = offset;
	msg[3] = info;
	msg[4] = value;
	for (unsigned i = MMIO_MSG_WORDS; i < IPC_MSG_WORDS; i++) {
		msg[i] = 0;
	}
}

/**
 * The service answered the current element with @p status and (for a load)
 * @p value. Returns true if another element remains to be served.
 */
bool mmio_element_done(struct vcpu *vcpu, uint64_t status, uint64_t value);

/**
 * Finish the instruction: on success write loads, base writeback and
 * advance the PC; on failure arrange an external abort for the guest.
 */
void mmio_fail_or_finish(struct vcpu *vcpu, bool failed);

/** Apply work deferred until @p vcpu's EL1 state is live (see vcpu.h). */
void vcpu_apply_pending(struct vcpu *vcpu);
