/** Loading, saving and resetting a vCPU's EL1 context (see vcpu_arch.h). */
#include "arch/vcpu_arch.h"

#include "arch/gic.h"
#include "arch/gich.h"
#include "arch/ptimer_arch.h"
#include "arch/sysreg.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

/*
 * HCR_EL2 for every partition: Stage 2 on, EL1 AArch64, physical interrupts
 * and SErrors to EL2, WFI, SMC, ACTLR_EL1 and implementation-defined
 * registers trapped, TLB/cache maintenance broadcast inner-shareable.
 * WFE is trapped only for a vCPU that shares its CPU with other guest
 * vCPUs (vcpu->trap_wfe), where a spinning vCPU must yield to the lock
 * holder; alone on a CPU, Linux would exit in every spin loop for nothing
 * (160,000 exits to reach its shell prompt).
 */
#define HCR_EL2_GUEST                                                        \
	(HCR_EL2_VM | HCR_EL2_SWIO | HCR_EL2_FMO | HCR_EL2_IMO | HCR_EL2_AMO | \
	 HCR_EL2_FB | HCR_EL2_BSU_IS | HCR_EL2_TWI | HCR_EL2_TSC |            \
	 HCR_EL2_TIDCP | HCR_EL2_TACR | HCR_EL2_RW)

/*
 * Service partitions: also HCR_EL2.DC (stage 1 off but cacheable) and
 * TVM/TRVM (the guest's translation registers are neither written nor read).
 */
#define HCR_EL2_SERVICE (HCR_EL2_GUEST | HCR_EL2_DC | HCR_EL2_TVM | HCR_EL2_TRVM)
#define CPTR_EL2_GUEST CPTR_EL2_RES1
#define CPTR_EL2_SERVICE (CPTR_EL2_RES1 | CPTR_EL2_TFP)

/* CPACR_EL1.FPEN [21:20] = 0b11: FP/SIMD not trapped at EL1/EL0. A freshly
 * reset guest sees 0 (trapped to its EL1), as on hardware. */
#define CPACR_EL1_RESET 0ULL

void arch_vcpu_ctx_reset(struct vcpu *vcpu)
{
	struct arch_vcpu_ctx *c = &vcpu->ctx;

	*c = (struct arch_vcpu_ctx){
		.sctlr_el1 = SCTLR_EL1_RESET,
		.cpacr_el1 = CPACR_EL1_RESET,
		.vmpidr_el2 = VMPIDR_EL2_RES1 | vcpu->index,
		.hcr_el2 = vcpu_is_service(vcpu) ? HCR_EL2_SERVICE
			   : vcpu->trap_wfe       ? HCR_EL2_GUEST | HCR_EL2_TWE
						  : HCR_EL2_GUEST,
		.vttbr_el2 = s2_vttbr(&vcpu->vm->s2),
	};
}

void arch_vcpu_set_trap_wfe(struct vcpu *vcpu, bool trap)
{
	vcpu->trap_wfe = trap;
	vcpu->ctx.hcr_el2 = trap ? vcpu->ctx.hcr_el2 | HCR_EL2_TWE
				 : vcpu->ctx.hcr_el2 & ~HCR_EL2_TWE;
}

void arch_vcpu_load(struct vcpu *vcpu)
{
	const struct arch_vcpu_ctx *c = &vcpu->ctx;

	write_sysreg(vttbr_el2, c->vttbr_el2);
	write_sysreg(hcr_el2, c->hcr_el2);
	write_sysreg(cptr_el2, CPTR_EL2_GUEST);
	write_sysreg(vmpidr_el2, c->vmpidr_el2);
	write_sysreg(cntvoff_el2, c->cntvoff_el2);
	write_sysreg(sctlr_el1, c->sctlr_el1);
	write_sysreg(ttbr0_el1, c->ttbr0_el1);
	write_sysreg(ttbr1_el1, c->ttbr1_el1);
	write_sysreg(tcr_el1, c->tcr_el1);
	write_sysreg(mair_el1, c->mair_el1);
	write_sysreg(amair_el1, c->amair_el1);
	write_sysreg(vbar_el1, c->vbar_el1);
	write_sysreg(contextidr_el1, c->contextidr_el1);
	write_sysreg(tpidr_el0, c->tpidr_el0);
	write_sysreg(tpidrro_el0, c->tpidrro_el0);
	write_sysreg(tpidr_el1, c->tpidr_el1);
	write_sysreg(sp_el0, c->sp_el0);
	write_sysreg(sp_el1, c->sp_el1);
	write_sysreg(elr_el1, c->elr_el1);
	write_sysreg(spsr_el1, c->spsr_el1);
	write_sysreg(esr_el1, c->esr_el1);
	write_sysreg(far_el1, c->far_el1);
	write_sysreg(afsr0_el1, c->afsr0_el1);
	write_sysreg(afsr1_el1, c->afsr1_el1);
	write_sysreg(par_el1, c->par_el1);
	write_sysreg(cpacr_el1, c->cpacr_el1);
	write_sysreg(csselr_el1, c->csselr_el1);
	write_sysreg(cntkctl_el1, c->cntkctl_el1);
	write_sysreg(mdscr_el1, c->mdscr_el1);
	arch_debug_load(&c->dbg);
	write_sysreg(cntv_cval_el0, c->cntv_cval_el0);
	write_sysreg(cntv_ctl_el0, c->cntv_ctl_el0);
	/* Its physical timer's alarm: the previous vCPU's is replaced (or
	 * stopped) even if that one was never saved (reset meanwhile). */
	arch_ptimer_arm(&vcpu->ptimer);
	arch_fpsimd_restore(&c->fp);
	if (vcpu->vtimer_phys_active) {
		gic_set_active(GIC_INTID_VTIMER);
		vcpu->vtimer_phys_active = false;
	}
	gich_restore_ctrl(vcpu->vgic_vmcr, vcpu->vgic_apr);
	gich_write(&vcpu->vgic, vcpu->vgic.queue_len > 0);
	isb();
}

void arch_vcpu_save(struct vcpu *vcpu)
{
	struct arch_vcpu_ctx *c = &vcpu->ctx;

	c->sctlr_el1 = read_sysreg(sctlr_el1);
	c->ttbr0_el1 = read_sysreg(ttbr0_el1);
	c->ttbr1_el1 = read_sysreg(ttbr1_el1);
	c->tcr_el1 = read_sysreg(tcr_el1);
	c->mair_el1 = read_sysreg(mair_el1);
	c->amair_el1 = read_sysreg(amair_el1);
	c->vbar_el1 = read_sysreg(vbar_el1);
	c->contextidr_el1 = read_sysreg(contextidr_el1);
	c->tpidr_el0 = read_sysreg(tpidr_el0);
	c->tpidrro_el0 = read_sysreg(tpidrro_el0);
	c->tpidr_el1 = read_sysreg(tpidr_el1);
	c->sp_el0 = read_sysreg(sp_el0);
	c->sp_el1 = read_sysreg(sp_el1);
	c->elr_el1 = read_sysreg(elr_el1);
	c->spsr_el1 = read_sysreg(spsr_el1);
	c->esr_el1 = read_sysreg(esr_el1);
	c->far_el1 = read_sysreg(far_el1);
	c->afsr0_el1 = read_sysreg(afsr0_el1);
	c->afsr1_el1 = read_sysreg(afsr1_el1);
	c->par_el1 = read_sysreg(par_el1);
	c->cpacr_el1 = read_sysreg(cpacr_el1);
	c->csselr_el1 = read_sysreg(csselr_el1);
	c->cntkctl_el1 = read_sysreg(cntkctl_el1);
	c->mdscr_el1 = read_sysreg(mdscr_el1);
	arch_debug_save(&c->dbg);
	c->cntv_ctl_el0 = read_sysreg(cntv_ctl_el0);
	c->cntv_cval_el0 = read_sysreg(cntv_cval_el0);
	/* Stop the virtual timer so it cannot fire for another vCPU. */
	write_sysreg(cntv_ctl_el0, 0);
	arch_fpsimd_save(&c->fp);
	gich_sync(&vcpu->vgic);
	gich_save_ctrl(&vcpu->vgic_vmcr, &vcpu->vgic_apr);
	/*
	 * Its timer interrupt, linked to the physical one (GICH_LR.HW), may
	 * still be pending or active in the guest: the physical PPI is then
	 * active and would block the next vCPU's timer. Deactivate it and
	 * make it active again when this vCPU comes back (as KVM does), so
	 * that the guest's EOI still finds it active.
	 */
	vcpu->vtimer_phys_active = vgic_cpu_holds_hw(&vcpu->vgic);
	if (vcpu->vtimer_phys_active) {
		gic_deactivate(GIC_INTID_VTIMER);
	}
}

uint64_t arch_counter_now(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

void arch_slice_arm_at(uint64_t when)
{
	if (when == UINT64_MAX) {
		write_sysreg(cnthp_ctl_el2, 0);
		return;
	}
	write_sysreg(cnthp_cval_el2, when);
	write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE);
}

void arch_sleep_until(uint64_t deadline)
{
	if (deadline != UINT64_MAX) {
		write_sysreg(cnthp_cval_el2, deadline);
		write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE);
		isb();
	}
	/* IRQs stay masked at EL2: a pending one still ends WFI (D1.16.2). */
	wfi();
	write_sysreg(cnthp_ctl_el2, 0);
	isb();
}

void arch_vcpu_timer_sync(struct vcpu *vcpu)
{
	vcpu->ctx.cntv_ctl_el0 = read_sysreg(cntv_ctl_el0);
	vcpu->ctx.cntv_cval_el0 = read_sysreg(cntv_cval_el0);
}

void arch_service_enter(struct vcpu *service, struct vcpu *parked)
{
	const struct arch_vcpu_ctx *s = &service->ctx;

	if (parked != NULL) {
		struct arch_vcpu_ctx *g = &parked->ctx;

		g->sp_el1 = read_sysreg(sp_el1);
		g->vbar_el1 = read_sysreg(vbar_el1);
		g->elr_el1 = read_sysreg(elr_el1);
		g->spsr_el1 = read_sysreg(spsr_el1);
		g->esr_el1 = read_sysreg(esr_el1);
		g->far_el1 = read_sysreg(far_el1);
	}
	write_sysreg(hcr_el2, s->hcr_el2);
	write_sysreg(vttbr_el2, s->vttbr_el2);
	write_sysreg(cptr_el2, CPTR_EL2_SERVICE);
	write_sysreg(vbar_el1, s->vbar_el1);
	write_sysreg(sp_el1, s->sp_el1);
	write_sysreg(elr_el1, s->elr_el1);
	write_sysreg(spsr_el1, s->spsr_el1);
	/* Never let the service read the guest's syndrome. */
	write_sysreg(esr_el1, s->esr_el1);
	write_sysreg(far_el1, s->far_el1);
}

void arch_service_leave(struct vcpu *service, struct vcpu *parked)
{
	struct arch_vcpu_ctx *s = &service->ctx;

	s->sp_el1 = read_sysreg(sp_el1);
	s->vbar_el1 = read_sysreg(vbar_el1);
	s->elr_el1 = read_sysreg(elr_el1);
	s->spsr_el1 = read_sysreg(spsr_el1);
	s->esr_el1 = read_sysreg(esr_el1);
	s->far_el1 = read_sysreg(far_el1);
	if (parked == NULL) {
		return;
	}
	const struct arch_vcpu_ctx *g = &parked->ctx;

	write_sysreg(hcr_el2, g->hcr_el2);
	write_sysreg(vttbr_el2, g->vttbr_el2);
	write_sysreg(cptr_el2, CPTR_EL2_GUEST);
	write_sysreg(sp_el1, g->sp_el1);
	write_sysreg(vbar_el1, g->vbar_el1);
	write_sysreg(elr_el1, g->elr_el1);
	write_sysreg(spsr_el1, g->spsr_el1);
	write_sysreg(esr_el1, g->esr_el1);
	write_sysreg(far_el1, g->far_el1);
}
