#pragma once
/** C entry points of the exception vectors (vectors.S). */
struct vcpu;

/** Synchronous exception from a guest; returns the vCPU to resume. */
struct vcpu *trap_lower_sync(struct vcpu *vcpu);
/** Physical IRQ/FIQ while a guest ran. */
struct vcpu *trap_lower_irq(struct vcpu *vcpu);
/** SError while a guest ran: the VM is stopped. */
struct vcpu *trap_lower_serror(struct vcpu *vcpu);
