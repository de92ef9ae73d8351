/** vCPU reset and wake-up deadlines. */
#include "hyp/vcpu.h"

#include "arch/sysreg_bits.h"
#include "hyp/cpu.h"
#include "hyp/vgic_lr.h"
#include "hyp/vptimer.h"
#include "hyp/vtimer.h"
#include "hyp/vm.h"

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
	vgic_cpu_init(&vcpu->vgic, cpu->lr_count);
	vcpu->vgic_dirty = false;
	vcpu->vgic_ctx = (struct arch_vgic_ctx){ 0 };
	vcpu->inbox = (struct vcpu_inbox){ 0 };
	vcpu->vtimer_phys_active = false;
	arch_vcpu_ctx_reset(vcpu);
	/* A copy of its old state may sit in its home CPU's registers: the
	 * next switch there reloads instead of trusting (or saving) it. */
	vcpu->ctx_fresh = true;
	if (cpu->light == vcpu) {
		/* Give the guest under it its EL1 registers back first. */
		arch_service_leave(vcpu, cpu->loaded);
		cpu->light = NULL;
	}
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
