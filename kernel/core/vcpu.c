/** vCPU reset and wake-up deadlines. */
#include "hyp/vcpu.h"

#include "hyp/cpu.h"
#include "hyp/vptimer.h"
#include "hyp/vtimer.h"
#include "hyp/vm.h"

/*
 * A reset drops every LR and queued entry of @p c: a passed-through SPI
 * among them is still active, which only the guest's completion of its
 * hardware LR would have undone (IHI 0048B 5.3.4), so it is deactivated
 * here as vgic.c clear_local() does (GICD_ICACTIVER, not banked for SPIs,
 * 4.3.10). The shadow holds at least what the LRs hold (the guest only
 * completes them); deactivating an inactive SPI changes nothing.
 */
static void drop_hw_spis(const struct vgic_cpu *c)
{
	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (arch_lr_is_hw(c->lr[i]) &&
		    arch_lr_state(c->lr[i]) != VGIC_LR_INVALID &&
		    arch_lr_phys(c->lr[i]) >= VGIC_PRIVATE_INTIDS) {
			gic_clear_active(arch_lr_phys(c->lr[i]));
		}
	}
	for (uint32_t i = 0; i < c->queue_len; i++) {
		if (c->queue[i].hw && c->queue[i].phys >= VGIC_PRIVATE_INTIDS) {
			gic_clear_active(c->queue[i].phys);
		}
	}
}

void vcpu_reset(struct vcpu *vcpu, uint64_t entry, uint64_t arg)
{
	struct cpu *cpu = cpu_this();

	vcpu->regs = (struct arch_regs){
		.pc = entry,
		/* Linux boot protocol and ours: EL1h, DAIF masked, x0 = arg. */
		.spsr = SPSR_M_EL1H | SPSR_DAIF,
	};
	vcpu->regs.x[0] = arg;
	vcpu->ipc = (struct vcpu_ipc){ .kind = IPC_KIND_NONE };
	vcpu->pending = 0;
	vptimer_reset(vcpu);
	drop_hw_spis(&vcpu->vgic);
	vgic_cpu_init(&vcpu->vgic, cpu->lr_count);
	vcpu->vgic_dirty = false;
	vcpu->vgic_ctx = (struct arch_vgic_ctx){ 0 };
	vcpu->inbox = (struct vcpu_inbox){ 0 };
	vcpu->vtimer_phys_active = false;
	if (cpu->light == vcpu) {
		/* Give the guest under it its EL1 registers back first, before
		 * the reset: leaving saves the old instance's exception
		 * registers into the context the reset then replaces. */
		arch_service_leave(vcpu, cpu->loaded);
		cpu->light = NULL;
	}
	arch_vcpu_ctx_reset(vcpu);
	/* A copy of its old state may sit in its home CPU's registers: the
	 * next switch there reloads instead of trusting (or saving) it. */
	vcpu->ctx_fresh = true;
	vcpu->state = VCPU_RUNNABLE;
}

const char *vcpu_vm_name(const struct vcpu *vcpu)
{
	return vcpu->vm->cfg->name;
}

uint64_t vcpu_wake_deadline(const struct vcpu *vcpu)
{
	uint64_t v = vtimer_deadline(vcpu);
	/* The physical timer's: its counter is CNTPCT itself (no offset). */
	uint64_t p = ptimer_deadline(&vcpu->ptimer);

	_Static_assert(PTIMER_NO_DEADLINE == VCPU_NO_DEADLINE,
		       "one value means no deadline");
	return p < v ? p : v;
}
