#pragma once
/**
 * Delivering synchronous exceptions to a guest as the architecture would:
 * the kernel plays the part of the PE taking an exception to EL1 (Arm ARM
 * D1.10 "Exception entry"): ESR_EL1/FAR_EL1/ELR_EL1/SPSR_EL1 are written,
 * PSTATE becomes EL1h with DAIF masked, PC goes to the vector in VBAR_EL1.
 * The vCPU must be the loaded one (its EL1 registers live in hardware).
 */
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/** Undefined instruction at the current PC. */
void inject_undef(struct vcpu *vcpu);

/** Synchronous external abort on a data access to @p va. */
void inject_data_abort(struct vcpu *vcpu, uint64_t va, bool write);

/** Synchronous external abort on an instruction fetch from @p va. */
void inject_instruction_abort(struct vcpu *vcpu, uint64_t va);
