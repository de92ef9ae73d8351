/** Guest vCPUs' EL1 physical timer (see hyp/vptimer.h). */
#include "hyp/vptimer.h"

#include "arch/ptimer_arch.h"
#include "hyp/cpu.h"
#include "hyp/panic.h"
#include "hyp/vm.h"

/*
 * Follow the interrupt line of @p v's timer at counter @p now: make INTID
 * 30 pending while it is high, withdraw it when it falls, and arm the
 * hardware CNTP for the next rise. @p v is loaded on this CPU.
 */
static void sync_level(struct vcpu *v, uint64_t now)
{
	struct ptimer *t = &v->ptimer;

	if (ptimer_irq_level(t, now)) {
		t->asserted = true;
		/* Disabled in its distributor: latched, delivered on enable. */
		vgic_inject(v->vm, v->index, GIC_INTID_PTIMER, false, 0, 0);
	} else if (t->asserted) {
		t->asserted = false;
		vgic_clear_pending(v->vm, 1U << v->index, GIC_INTID_PTIMER);
	}
	arch_ptimer_arm(t);
}

bool vptimer_access(struct vcpu *v, const struct esr_sysreg *s)
{
	enum ptimer_reg reg;
	uint64_t *x = v->regs.x;
	uint64_t now;

	if (!arch_ptimer_reg(s, &reg)) {
		return false;
	}
	CHECK(cpu_this()->loaded == v);
	now = arch_counter_now();
	if (s->read) {
		if (s->reg != ZERO_REG) {
			x[s->reg] = ptimer_read(&v->ptimer, reg, now);
		}
		return true;
	}
	ptimer_write(&v->ptimer, reg, s->reg == ZERO_REG ? 0 : x[s->reg], now);
	sync_level(v, now);
	return true;
}

bool vptimer_line(const struct vcpu *v)
{
	return ptimer_irq_level(&v->ptimer, arch_counter_now());
}

void vptimer_fired(void)
{
	struct vcpu *g = cpu_this()->loaded;

	/* CNTP is armed only for the loaded vCPU; a stale alarm (that vCPU
	 * was reset or stopped meanwhile) just stops here. */
	arch_ptimer_disarm();
	if (g == NULL || g->state == VCPU_OFF || g->vm->state != VM_RUNNING) {
		return;
	}
	sync_level(g, arch_counter_now());
}

void vptimer_resample(struct vcpu *v)
{
	if (v->ptimer.asserted && v->vm->state == VM_RUNNING) {
		vgic_inject(v->vm, v->index, GIC_INTID_PTIMER, false, 0, 0);
	}
}

void vptimer_reset(struct vcpu *v)
{
	if (v->ptimer.asserted) {
		vgic_clear_pending(v->vm, 1U << v->index, GIC_INTID_PTIMER);
	}
	v->ptimer = (struct ptimer){0};
}
