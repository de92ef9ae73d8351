/** Virtual GIC: distributor configuration and injection (see hyp/vgic.h). */
#include "hyp/vgic.h"

#include "abi/ipc.h"
#include "abi/gicd_sgir.h"
#include "abi/vgic.h"
#include "arch/gic.h"
#include "arch/gich.h"
#include "hyp/cpu.h"
#include "hyp/irq.h"
#include "hyp/sched.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

#define VGIC_PRIVATE_IRQS 32
#define VGIC_SGI_COUNT 16
#define VGIC_RESET_PRIORITY 0xa0
#define VGIC_CFG_BYTE_MASK 0xffU
#define VGIC_CPU0 0x1U

void vgic_dist_init(struct vgic_dist *d)
{
	*d = (struct vgic_dist){ 0 };
	for (uint32_t c = 0; c < CFG_MAX_VCPUS; c++) {
		for (uint32_t i = 0; i < VGIC_PRIVATE_IRQS; i++) {
			d->priv[c][i] = (struct vgic_irq_cfg){
				/* SGIs are always enabled and edge (model). */
				.enabled = i < VGIC_SGI_COUNT,
				.edge = i < VGIC_SGI_COUNT,
				.priority = VGIC_RESET_PRIORITY,
			};
		}
	}
	for (uint32_t i = 0; i < VGIC_NR_IRQS; i++) {
		d->spi[i] = (struct vgic_irq_cfg){
			.priority = VGIC_RESET_PRIORITY,
			.targets = VGIC_CPU0,
		};
	}
}

static struct vgic_irq_cfg *irq_cfg(struct vm *vm, uint32_t cpu, uint32_t intid)
{
	if (intid >= VGIC_NR_IRQS || cpu >= vm->vcpu_count) {
		return NULL;
	}
	return intid < VGIC_PRIVATE_IRQS ? &vm->vgic.priv[cpu][intid]
					 : &vm->vgic.spi[intid];
}

/* The vCPU an SPI goes to: the lowest-numbered target. */
static uint32_t spi_target(const struct vm *vm, const struct vgic_irq_cfg *c)
{
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		if (c->targets & (1U << i)) {
			return i;
		}
	}
	return 0;
}

#define BITS_PER_WORD 64

/* A guest vCPU whose list registers belong to another CPU. */
static bool is_remote(const struct vcpu *v)
{
	return !v->is_service && v->home != NULL && v->home != cpu_this();
}

static bool inbox_has(const struct vcpu *v, uint32_t intid)
{
	return (v->inbox.pending[intid / BITS_PER_WORD] >>
		(intid % BITS_PER_WORD)) & 1U;
}

/* Record @p intid for remote vCPU @p v and kick its home CPU. */
static void inbox_post(struct vcpu *v, uint32_t intid, uint32_t source)
{
	v->inbox.pending[intid / BITS_PER_WORD] |= 1ULL << (intid % BITS_PER_WORD);
	if (intid < VGIC_SGI_COUNT) {
		v->inbox.sgi_sources[intid] |= (uint8_t)(1U << source);
	}
	v->vgic_dirty = true;
	if (v->state == VCPU_BLOCKED_WFI) {
		sched_wake(v);
	} else {
		cpu_kick(v->home);
	}
}

static void inbox_clear(struct vcpu *v, uint32_t intid)
{
	v->inbox.pending[intid / BITS_PER_WORD] &= ~(1ULL << (intid % BITS_PER_WORD));
	if (intid < VGIC_SGI_COUNT) {
		v->inbox.sgi_sources[intid] = 0;
	}
}

/*
 * A level source the kernel itself emulates (the EL1 physical timer,
 * hyp/vptimer.h): the guest's completion must be seen, so that the
 * interrupt is pending again while its line is still high. (Ignored for
 * a hardware-linked LR: the GIC deactivates that one itself.)
 */
static bool kernel_level_source(uint32_t intid)
{
	return intid == GIC_INTID_PTIMER;
}

/* Queue @p intid in @p v's LR shadow, which must reflect the hardware. */
static bool queue_irq(struct vcpu *v, const struct vgic_irq_cfg *c,
		      uint32_t intid, bool hw, uint32_t phys, uint32_t source)
{
	struct vgic_pending_irq p = {
		.intid = (uint16_t)intid,
		.priority = c->priority,
		.source_cpu = (uint8_t)source,
		.hw = hw,
		.phys = (uint16_t)phys,
		.group1 = c->group1,
		.resample = kernel_level_source(intid),
	};

	return vgic_cpu_place(&v->vgic, &p) || vgic_cpu_queue(&v->vgic, &p);
}

/* On @p v's home CPU, its LR shadow fresh: queue what other CPUs posted
 * (straight into the shadow; the caller writes the LRs). */
static void inbox_drain(struct vcpu *v)
{
	for (uint32_t w = 0; w < VCPU_INBOX_WORDS; w++) {
		uint64_t bits = v->inbox.pending[w];

		v->inbox.pending[w] = 0;
		while (bits != 0) {
			uint32_t intid = w * BITS_PER_WORD + (uint32_t)__builtin_ctzll(bits);
			struct vgic_irq_cfg *c = irq_cfg(v->vm, v->index, intid);
			uint32_t sources = 1;

			bits &= bits - 1;
			if (intid < VGIC_SGI_COUNT) {
				sources = v->inbox.sgi_sources[intid];
				v->inbox.sgi_sources[intid] = 0;
			}
			if (!c->enabled || !(v->vm->vgic.ctlr & VGIC_CTLR_ENABLE_MASK)) {
				c->latched = true;
				continue;
			}
			for (uint32_t src = 0; sources != 0; src++, sources >>= 1) {
				if (sources & 1U) {
					queue_irq(v, c, intid, false, 0,
						  intid < VGIC_SGI_COUNT ? src : 0);
				}
			}
		}
	}
}

/* The vCPU's LRs as the guest left them (read from hardware if loaded). */
static void sync_lrs(struct vcpu *v)
{
	if (cpu_this()->loaded == v) {
		gich_sync(&v->vgic);
	}
	vgic_cpu_sync(&v->vgic);
}

bool vgic_inject(struct vm *vm, uint32_t cpu, uint32_t intid, bool hw,
		 uint32_t phys, uint32_t source)
{
	struct vgic_irq_cfg *c = irq_cfg(vm, cpu, intid);

	if (c == NULL) {
		return false;
	}
	if (intid >= VGIC_PRIVATE_IRQS) {
		cpu = spi_target(vm, c);
	}
	if (!c->enabled || !(vm->vgic.ctlr & VGIC_CTLR_ENABLE_MASK)) {
		c->latched = !hw;
		return false;
	}
	struct vcpu *v = &vm->vcpus[cpu];

	if (is_remote(v)) {
		/* Its LRs are in another CPU's GICH: that CPU queues it. */
		inbox_post(v, intid, source);
		return true;
	}
	/* The guest may have completed LRs since the last exit: without a
	 * fresh view a new interrupt would look like one still pending. */
	sync_lrs(v);
	if (!queue_irq(v, c, intid, hw, phys, source)) {
		return false;
	}
	if (cpu_this()->loaded == v) {
		/* Queueing may have changed a live LR (active -> pending and
		 * active): write it back now, or the next sync from hardware
		 * would undo it and lose the interrupt. */
		gich_write(&v->vgic, v->vgic.queue_len > 0);
	}
	v->vgic_dirty = true;
	if (v->state == VCPU_BLOCKED_WFI) {
		sched_wake(v);
	}
	return true;
}

void vgic_sgir_write(struct vcpu *sender, uint32_t value)
{
	struct vm *vm = sender->vm;
	uint32_t sgi, targets;

	if (!gicd_sgir_decode(value, sender->index, &sgi, &targets)) {
		return;   /* Reserved filter: the write is ignored. */
	}
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		if (targets & (1U << i)) {
			vgic_inject(vm, i, sgi, false, 0, sender->index);
		}
	}
}

void vgic_clear_pending(struct vm *vm, uint32_t cpu_mask, uint32_t intid)
{
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct vgic_irq_cfg *c = irq_cfg(vm, i, intid);

		if (!(cpu_mask & (1U << i)) || c == NULL) {
			continue;
		}
		c->latched = false;
		inbox_clear(v, intid);
		/* A remote vCPU's shadow LRs may be stale: cleared as seen at
		 * its last exit (approximate, like ICPENDR racing an EOI). */
		sync_lrs(v);
		vgic_cpu_clear_pending(&v->vgic, intid);
		if (cpu_this()->loaded == v) {
			gich_write(&v->vgic, v->vgic.queue_len > 0);
		}
	}
}

void vgic_query(struct vm *vm, uint32_t cpu, uint32_t intid, bool *pending,
		bool *active)
{
	struct vgic_irq_cfg *c = irq_cfg(vm, cpu, intid);

	*pending = false;
	*active = false;
	if (c == NULL) {
		return;
	}
	sync_lrs(&vm->vcpus[cpu]);
	vgic_cpu_state(&vm->vcpus[cpu].vgic, intid, pending, active);
	*pending = *pending || c->latched || inbox_has(&vm->vcpus[cpu], intid);
}

void vgic_configure(struct vm *vm, uint32_t cpu, uint32_t intid, uint64_t word)
{
	struct vgic_irq_cfg *c = irq_cfg(vm, cpu, intid);

	if (c == NULL) {
		return;
	}
	bool was_enabled = c->enabled;

	c->enabled = (word & VGIC_CFG_ENABLED) != 0;
	c->group1 = (word & VGIC_CFG_GROUP1) != 0;
	c->edge = (word & VGIC_CFG_EDGE) != 0;
	c->priority = (uint8_t)((word >> VGIC_CFG_PRIORITY_SHIFT) & VGIC_CFG_BYTE_MASK);
	c->targets = (uint8_t)((word >> VGIC_CFG_TARGETS_SHIFT) & VGIC_CFG_BYTE_MASK);
	if (intid == GIC_INTID_VTIMER && c->enabled && !was_enabled) {
		/* Its CPU unmasks the physical PPI on the next entry. */
		vm->vcpus[cpu].vgic_dirty = true;
		if (is_remote(&vm->vcpus[cpu])) {
			cpu_kick(vm->vcpus[cpu].home);
		}
	}
	if (c->enabled && !was_enabled && c->latched) {
		c->latched = false;
		vgic_inject(vm, cpu, intid, false, 0, 0);
	}
}

bool vgic_vcpu_has_pending(struct vcpu *v)
{
	if (v->vgic.queue_len > 0) {
		return true;
	}
	for (uint32_t w = 0; w < VCPU_INBOX_WORDS; w++) {
		if (v->inbox.pending[w] != 0) {
			return true;
		}
	}
	sync_lrs(v);
	for (uint32_t i = 0; i < v->vgic.lr_count; i++) {
		uint32_t state = (v->vgic.lr[i] >> GICH_LR_STATE_SHIFT) &
				 GICH_LR_STATE_MASK;

		if (state & GICH_LR_STATE_PENDING) {
			return true;
		}
	}
	return false;
}

/* Has @p v's guest its virtual timer interrupt enabled? */
static bool vtimer_wanted(const struct vcpu *v)
{
	return v->vm->vgic.priv[v->index][GIC_INTID_VTIMER].enabled &&
	       (v->vm->vgic.ctlr & VGIC_CTLR_ENABLE_MASK);
}

__attribute__((noinline)) struct vcpu *vgic_prepare_entry(struct vcpu *v)
{
	if (!v->vgic_dirty) {
		return v;
	}
	gich_sync(&v->vgic);
	vgic_cpu_sync(&v->vgic);
	inbox_drain(v);
	if (cpu_this()->vtimer_masked && vtimer_wanted(v)) {
		irq_vtimer_unmask();
	}
	bool more = vgic_cpu_flush(&v->vgic);

	gich_write(&v->vgic, more);
	v->vgic_dirty = false;
	return v;
}

static struct vm *client_of(struct vcpu *caller, uint64_t vm_id)
{
	if (!vcpu_is_service(caller) || vm_id >= vm_count()) {
		return NULL;
	}
	struct vm *vm = vm_get((uint32_t)vm_id);

	return vm_uses_endpoint(vm, &caller->vm->ep) ? vm : NULL;
}

static void pending_call(struct vm *vm, uint64_t *x)
{
	uint32_t mask = (uint32_t)x[2];
	uint32_t intid = (uint32_t)x[3];

	if (!x[4]) {
		vgic_clear_pending(vm, mask, intid);
		return;
	}
	if (intid >= VGIC_PRIVATE_IRQS) {
		vgic_inject(vm, 0, intid, false, 0, 0);
		return;
	}
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		if (mask & (1U << i)) {
			vgic_inject(vm, i, intid, false, 0, (uint32_t)x[5]);
		}
	}
}

static void ctlr_call(struct vm *vm, uint64_t ctlr)
{
	vm->vgic.ctlr = (uint32_t)ctlr;
	if (!(ctlr & VGIC_CTLR_ENABLE_MASK)) {
		return;
	}
	for (uint32_t i = VGIC_PRIVATE_IRQS; i < VGIC_NR_IRQS; i++) {
		if (vm->vgic.spi[i].latched && vm->vgic.spi[i].enabled) {
			vm->vgic.spi[i].latched = false;
			vgic_inject(vm, 0, i, false, 0, 0);
		}
	}
}

bool vgic_hypercall(struct vcpu *caller, uint32_t fid, struct vcpu **next)
{
	uint64_t *x = caller->regs.x;
	struct vm *vm;
	bool pending, active;

	*next = caller;
	if (fid == HYP_IRQ_ACK) {
		x[0] = irq_ack_owned(caller->vm, (uint32_t)x[1])
			       ? IPC_OK
			       : (uint64_t)(int64_t)IPC_ERR_DENIED;
		return true;
	}
	if (fid < HYP_VGIC_CONFIG || fid > HYP_IRQ_LEVEL) {
		return false;
	}
	vm = client_of(caller, x[1]);
	if (vm == NULL) {
		x[0] = (uint64_t)(int64_t)IPC_ERR_DENIED;
		return true;
	}
	switch (fid) {
	case HYP_VGIC_CONFIG:
		vgic_configure(vm, (uint32_t)x[2], (uint32_t)x[3], x[4]);
		break;
	case HYP_VGIC_PENDING:
		pending_call(vm, x);
		break;
	case HYP_VGIC_ACTIVE:
		/* Only clearing is meaningful for a guest (ICACTIVER at boot). */
		if (!x[4]) {
			vgic_clear_pending(vm, 1U << x[2], (uint32_t)x[3]);
		}
		break;
	case HYP_VGIC_QUERY:
		vgic_query(vm, (uint32_t)x[2], (uint32_t)x[3], &pending, &active);
		x[1] = pending;
		x[2] = active;
		break;
	case HYP_VGIC_CTLR:
		ctlr_call(vm, x[2]);
		break;
	case HYP_IRQ_LEVEL:
		if (x[3]) {
			vgic_inject(vm, 0, (uint32_t)x[2], false, 0, 0);
		} else {
			vgic_clear_pending(vm, UINT32_MAX, (uint32_t)x[2]);
		}
		break;
	default:
		break;
	}
	x[0] = IPC_OK;
	return true;
}
