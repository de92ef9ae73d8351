#pragma once
/**
 * A virtual CPU. The trap frame (struct arch_regs) comes first: the exception
 * vectors find it through TPIDR_EL2, which always points at the running vCPU.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch/regs.h"
#include "arch/vcpu_arch.h"

struct vm;

enum vcpu_state {
	VCPU_OFF = 0,      /**< Not started or powered off. */
	VCPU_RUNNABLE,     /**< Ready to run. */
	VCPU_BLOCKED_WFI,  /**< In WFI until an interrupt or its timer fires. */
};

/** One virtual CPU of a VM or service partition. */
struct vcpu {
	struct arch_regs regs;        /**< Must stay first (offset 0). */
	struct arch_vcpu_ctx ctx;     /**< EL1 system and FP/SIMD state. */
	struct vm *vm;
	uint32_t index;               /**< vCPU number within its VM. */
	enum vcpu_state state;
};

/** Put @p vcpu in its architectural reset state, to start at @p entry. */
void vcpu_reset(struct vcpu *vcpu, uint64_t entry, uint64_t arg);

/** Name of the VM owning @p vcpu, for logs. */
const char *vcpu_vm_name(const struct vcpu *vcpu);

/**
 * Physical counter value at which a vCPU blocked in WFI must wake because
 * its virtual timer fires, or VCPU_NO_DEADLINE.
 */
#define VCPU_NO_DEADLINE UINT64_MAX
uint64_t vcpu_wake_deadline(const struct vcpu *vcpu);
