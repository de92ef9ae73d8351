#pragma once
/** C entry points of the exception vectors (vectors.S). */
#include "hyp/klock.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"

struct vcpu;

/** Synchronous exception from a guest; returns the vCPU to resume. */
struct vcpu *trap_lower_sync(struct vcpu *vcpu);
/** Physical IRQ/FIQ while a guest ran. */
struct vcpu *trap_lower_irq(struct vcpu *vcpu);
/** SError while a guest ran: the VM is stopped. */
struct vcpu *trap_lower_serror(struct vcpu *vcpu);

/**
 * Last step before any return to a partition: move its queued virtual
 * interrupts into list registers, then drop the kernel lock. Returns
 * @p next. Inline: it is on every exit.
 */
static inline __attribute__((always_inline)) struct vcpu *
kernel_exit(struct vcpu *next)
{
	if (next->vgic_dirty) {
		vgic_prepare_entry(next);
	}
#ifdef HYP_PERTURB_NOPS
	/* scons perturb=N (tools/perturb.py): N more instructions per exit,
	 * another interleaving of the CPUs under -icount. */
	__asm__ volatile(".rept %c0\n\tnop\n\t.endr" : : "i"(HYP_PERTURB_NOPS));
#endif
	kernel_unlock();
	return next;
}
