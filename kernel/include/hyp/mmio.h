#pragma once
/**
 * Emulated MMIO: a guest data abort inside a window owned by a service is
 * decoded once (syndrome, or the instruction itself when ISV = 0) into a
 * struct mmio_pending, forwarded element by element as IPC messages, and
 * completed (loaded values written back with their extension, base register
 * writeback, PC advanced) when the service has answered every element.
 */
#include <stdbool.h>
#include <stdint.h>

#include "abi/ipc.h"

struct vcpu;
struct mmio_window;

/** Decode the access and send it to the window's service. */
struct vcpu *mmio_forward(struct vcpu *vcpu, uint64_t esr, uint64_t ipa,
			  const struct mmio_window *win);

/** The IPC message for the element being served. */
void mmio_message(const struct vcpu *vcpu, uint64_t msg[IPC_MSG_WORDS]);

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
