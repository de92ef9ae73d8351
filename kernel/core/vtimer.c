/** Guest vCPUs' virtual timer (see hyp/vtimer.h). */
#include "hyp/vtimer.h"

#include "hyp/cpu.h"
#include "hyp/vm.h"

void vtimer_unmask(void)
{
	struct cpu *cpu = cpu_this();

	if (cpu->vtimer_masked) {
		cpu->vtimer_masked = false;
		gic_enable(GIC_INTID_VTIMER);
	}
}

/* Trap loaded guest @p g's WFI from now on (hyp/vtimer.h, watching). Its
 * HCR_EL2 is in force unless a service runs on top of it. */
static void watch_wfi(struct vcpu *g, const struct cpu *cpu)
{
	if (!g->wfi_watch) {
		arch_vcpu_watch_wfi(g, true, cpu->light == NULL);
	}
}

void vtimer_fired(void)
{
	struct cpu *cpu = cpu_this();
	struct vcpu *g = cpu->loaded;

	gic_eoi(GIC_INTID_VTIMER);
	/* The guest's EOI of the linked virtual interrupt deactivates it. A
	 * loaded vCPU that was reset (ctx_fresh) is not the timer's owner:
	 * its old timer still runs in hardware until the next load. */
	if (g != NULL && !g->ctx_fresh &&
	    vgic_inject(g->vm, g->index, GIC_INTID_VTIMER, true,
			GIC_INTID_VTIMER, 0)) {
		watch_wfi(g, cpu);
		return;
	}
	/* Nobody takes it: keep a level interrupt from storming until the
	 * guest enables it or another guest is loaded (the PPI is banked:
	 * this CPU only). */
	gic_disable(GIC_INTID_VTIMER);
	gic_deactivate(GIC_INTID_VTIMER);
	cpu->vtimer_masked = true;
	if (g != NULL) {
		watch_wfi(g, cpu);
	}
}

void vtimer_wfi_blocks(struct vcpu *v)
{
	/* Its LR shadow is fresh (vgic_vcpu_has_pending() found nothing). */
	if (v->wfi_watch && !cpu_this()->vtimer_masked &&
	    !vgic_cpu_holds_hw(&v->vgic, GIC_INTID_VTIMER)) {
		arch_vcpu_watch_wfi(v, false, true);
	}
}

/*
 * The guest's completion of the hardware-linked timer interrupt
 * deactivates the physical PPI (IHI 0048B 5.3.4); if the timer still
 * asserts it, it is pending again at once (1.4.2) and must interrupt this
 * CPU. QEMU's GICv2 model (hw/intc/arm_gic.c) clears the physical active
 * bit then but re-evaluates only the virtual interface, so the physical
 * PPI stays unsignalled (GICC_HPPIR 1023) until the distributor's next
 * event; a guest waiting for it in WFI would come back at once (its
 * deadline is past, sched.c) again and again. A write to GICD_ISENABLER
 * of the enabled PPI changes nothing in the architecture (4.3.5) and
 * makes the model look again.
 */
bool vtimer_wfi_resample(const struct vcpu *v)
{
	/* @p v trapped here: its timer is live (no service on top). */
	if (!arch_vtimer_asserted(v, true) || cpu_this()->vtimer_masked) {
		return false;
	}
	gic_enable(GIC_INTID_VTIMER);
	return gic_highest_pending() == GIC_INTID_VTIMER;
}

void vtimer_prepare_masked(const struct vcpu *v)
{
	/* @p v's guest has its timer interrupt enabled. */
	if (v->vm->vgic.priv[v->index][GIC_INTID_VTIMER].enabled &&
	    (v->vm->vgic.ctlr & VGIC_CTLR_ENABLE_MASK)) {
		vtimer_unmask();
	}
}

void vtimer_enabled(struct vcpu *v)
{
	/* Its CPU unmasks the physical PPI on the next entry. */
	v->vgic_dirty = true;
	if (v->home != NULL && v->home != cpu_this()) {
		cpu_kick_entry(v->home);
	}
}

bool vtimer_line(const struct vcpu *v)
{
	/* Live only with no service on top: a service runs with the guest's
	 * CNTV_* saved in its context and cleared (arch_service_enter); the
	 * distributor service asking is exactly that case. */
	return arch_vtimer_asserted(v, cpu_this()->loaded == v &&
					       cpu_this()->light == NULL &&
					       !v->ctx_fresh);
}

uint64_t vtimer_deadline(const struct vcpu *v)
{
	const struct arch_vcpu_ctx *c = &v->ctx;

	/* An interrupt is signalled only if ENABLE=1 and IMASK=0 (D11.2.4). */
	if (!(c->cntv_ctl_el0 & CNT_CTL_ENABLE) ||
	    (c->cntv_ctl_el0 & CNT_CTL_IMASK)) {
		return VCPU_NO_DEADLINE;
	}
	/* CNTVCT = CNTPCT - CNTVOFF, so the physical deadline is CVAL + OFF. */
	uint64_t deadline = c->cntv_cval_el0 + c->cntvoff_el2;

	return deadline < c->cntv_cval_el0 ? VCPU_NO_DEADLINE : deadline;
}
