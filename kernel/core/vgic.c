/** Virtual GIC: distributor configuration and injection (see hyp/vgic.h). */
#include "hyp/vgic.h"

#include "abi/ipc.h"
#include "abi/gicd_sgir.h"
#include "abi/vgic.h"
#include "hyp/arch_gic.h"
#include "hyp/bitmap.h"
#include "arch/vcpu_arch.h"
#include "hyp/cpu.h"
#include "hyp/irq.h"
#include "hyp/sched.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"
#include "hyp/vptimer.h"
#include "hyp/vtimer.h"

#define VGIC_RESET_PRIORITY 0xa0
#define VGIC_CFG_BYTE_MASK 0xffU
#define VGIC_CPU0 0x1U

void vgic_dist_init(struct vgic_dist *d)
{
	/* The lines services hold (spi_level) are the devices' state, and
	 * the passed-through SPIs (spi_hw) configuration: a guest's reset
	 * keeps them. Every configuration entry is rewritten below. */
	d->ctlr = 0;
	for (uint32_t w = 0; w < VGIC_INTID_WORDS; w++) {
		d->spi_owed[w] = 0;
	}
	for (uint32_t c = 0; c < CFG_MAX_VCPUS; c++) {
		for (uint32_t i = 0; i < VGIC_PRIVATE_INTIDS; i++) {
			d->priv[c][i] = (struct vgic_irq_cfg){
				/* SGIs are always enabled and edge (model). */
				.enabled = i < VGIC_SGI_COUNT,
				.edge = i < VGIC_SGI_COUNT,
				.priority = VGIC_RESET_PRIORITY,
			};
		}
	}
	for (uint32_t i = 0; i < VGIC_INTIDS; i++) {
		d->spi[i] = (struct vgic_irq_cfg){
			.priority = VGIC_RESET_PRIORITY,
			.targets = VGIC_CPU0,
		};
	}
}

static struct vgic_irq_cfg *irq_cfg(struct vm *vm, uint32_t cpu, uint32_t intid)
{
	if (intid >= VGIC_INTIDS || cpu >= vm->vcpu_count) {
		return NULL;
	}
	return intid < VGIC_PRIVATE_INTIDS ? &vm->vgic.priv[cpu][intid]
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

/* A guest vCPU whose list registers belong to another CPU. */
static bool is_remote(const struct vcpu *v)
{
	return !v->is_service && v->home != NULL && v->home != cpu_this();
}

/* Record @p intid for remote vCPU @p v and kick its home CPU. */
static void inbox_post(struct vcpu *v, uint32_t intid, uint32_t source)
{
	bitmap_assign(v->inbox.pending, intid, true);
	if (intid < VGIC_SGI_COUNT) {
		v->inbox.sgi_sources[intid] |= (uint8_t)(1U << source);
	}
	v->vgic_dirty = true;
	if (v->state == VCPU_BLOCKED_WFI) {
		sched_wake(v);
	} else {
		cpu_kick_entry(v->home);
	}
}

/*
 * Clear @p intid from @p v's LR shadow, fresh and on its home CPU. A
 * hardware-linked interrupt lost so, not by the guest's completion of its
 * LR (vgic_cpu_clear_pending() names its @c phys), is still active (IHI
 * 0048B 5.3.4, a hardware LR) and is deactivated here, where it is banked.
 * A loaded vCPU's is active in the GIC now (the guest cannot run before
 * the LRs are written); a switched-out one's was deactivated when it left
 * (arch_vcpu_save) and must not be made active again.
 */
static void clear_local(struct vcpu *v, uint32_t intid)
{
	uint32_t phys = vgic_cpu_clear_pending(&v->vgic, intid);
	bool loaded = cpu_this()->loaded == v;

	if (loaded) {
		arch_vgic_lrs_write(&v->vgic, vgic_cpu_needs_underflow(&v->vgic));
	}
	if (phys == VGIC_NO_PHYS) {
		return;
	}
	if (phys >= VGIC_PRIVATE_INTIDS) {
		/* A passed-through SPI stays active while its vCPU is switched
		 * out; GICD_ICACTIVER is not banked for SPIs (4.3.10). */
		gic_clear_active(phys);
	} else if (loaded) {
		gic_deactivate(phys);
	} else {
		v->vtimer_phys_active = vgic_cpu_holds_hw(&v->vgic, phys);
	}
}

static __attribute__((noinline)) void inbox_apply_clears_slow(struct vcpu *v)
{
	for (uint32_t w = 0; w < VGIC_INTID_WORDS; w++) {
		uint64_t bits = v->inbox.clear[w];

		v->inbox.clear[w] = 0;
		while (bits != 0) {
			uint32_t intid = w * BITMAP_WORD_BITS + (uint32_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			clear_local(v, intid);
		}
	}
}

/* On @p v's home CPU, its LR shadow fresh: apply what other CPUs cleared
 * (rare: the test inline, the work out of line). */
static inline void inbox_apply_clears(struct vcpu *v)
{
	uint64_t any = 0;

	for (uint32_t w = 0; w < VGIC_INTID_WORDS; w++) {
		any |= v->inbox.clear[w];
	}
	if (__builtin_expect(any != 0, 0)) {
		inbox_apply_clears_slow(v);
	}
}

/* Queue @p intid in @p v's LR shadow, which must reflect the hardware;
 * @p lrs_free: every LR of it is free (sync_lrs()). Inline, as
 * sync_lrs(): both are on every delivery (timer, virtual IPI). */
static inline __attribute__((always_inline)) bool
queue_irq(struct vcpu *v, const struct vgic_irq_cfg *c, uint32_t intid,
	  bool hw, uint32_t phys, uint32_t source, bool lrs_free)
{
	struct vgic_pending_irq p = {
		.intid = (uint16_t)intid,
		.priority = c->priority,
		.source_cpu = (uint8_t)source,
		.hw = hw,
		.phys = (uint16_t)phys,
		.group1 = c->group1,
		/* A level source the kernel emulates (the EL1 physical
		 * timer, hyp/vptimer.h): the guest's completion must be seen,
		 * so that it is pending again while its line is still high.
		 * (Ignored for a hardware-linked LR: the GIC deactivates that
		 * one itself.) */
		.resample = intid == GIC_INTID_PTIMER,
	};

	return vgic_cpu_place(&v->vgic, &p, lrs_free) ||
	       vgic_cpu_queue(&v->vgic, &p);
}

/* On @p v's home CPU, its LR shadow fresh: queue what other CPUs posted
 * (straight into the shadow; the caller writes the LRs); @p lrs_free as
 * for queue_irq(), until the first is queued. */
static void inbox_drain(struct vcpu *v, bool lrs_free)
{
	for (uint32_t w = 0; w < VGIC_INTID_WORDS; w++) {
		uint64_t bits = v->inbox.pending[w];

		v->inbox.pending[w] = 0;
		while (bits != 0) {
			uint32_t intid = w * BITMAP_WORD_BITS + (uint32_t)__builtin_ctzll(bits);
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
						  intid < VGIC_SGI_COUNT ? src : 0,
						  lrs_free);
					lrs_free = false;
				}
			}
		}
	}
}

/* The vCPU's LRs as the guest left them (read from hardware if loaded:
 * arch_vgic_lrs_read() keeps only live LRs), with what other CPUs cleared
 * meanwhile dropped if this is its home. True if it is loaded here and
 * every LR is free (applying clears only frees more). */
static inline __attribute__((always_inline)) bool sync_lrs(struct vcpu *v)
{
	bool lrs_free = false;

	if (cpu_this()->loaded == v) {
		lrs_free = arch_vgic_lrs_read(&v->vgic);
	} else {
		vgic_cpu_sync(&v->vgic);
	}
	if (!is_remote(v)) {
		inbox_apply_clears(v);
	}
	return lrs_free;
}

/*
 * Does the source of level-sensitive @p intid (configuration @p c) assert
 * it for vCPU @p cpu? Such an interrupt is pending while asserted, enabled
 * or not (IHI 0048B 1.4.2). The sources the kernel can see: SPIs a service
 * holds asserted (HYP_IRQ_LEVEL), and the virtual timer, read live if the
 * vCPU is loaded here and no service runs on top of it, else from its
 * saved context (as of its last exit if
 * it runs on another CPU). Another timer the kernel emulates (the EL1
 * physical timer, INTID 30, hyp/vptimer.h) has its own case.
 */
static bool line_asserted(struct vm *vm, uint32_t cpu, uint32_t intid,
			  const struct vgic_irq_cfg *c)
{
	if (intid >= VGIC_PRIVATE_INTIDS) {
		return !c->edge && bitmap_test(vm->vgic.spi_level, intid);
	}
	if (intid == GIC_INTID_VTIMER) {
		return vtimer_line(&vm->vcpus[cpu]);
	}
	if (intid == GIC_INTID_PTIMER) {
		return vptimer_line(&vm->vcpus[cpu]);
	}
	return false;
}

bool vgic_inject(struct vm *vm, uint32_t cpu, uint32_t intid, bool hw,
		 uint32_t phys, uint32_t source)
{
	struct vgic_irq_cfg *c = irq_cfg(vm, cpu, intid);

	if (c == NULL) {
		return false;
	}
	if (intid >= VGIC_PRIVATE_INTIDS) {
		cpu = spi_target(vm, c);
	}
	if (!c->enabled || !(vm->vgic.ctlr & VGIC_CTLR_ENABLE_MASK)) {
		c->latched = !hw;
		return false;
	}
	struct vcpu *v = &vm->vcpus[cpu];

	if (is_remote(v)) {
		/* Its LRs are in another CPU's GIC: that CPU queues it. */
		inbox_post(v, intid, source);
		return true;
	}
	/* The guest may have completed LRs since the last exit: without a
	 * fresh view a new interrupt would look like one still pending. */
	bool lrs_free = sync_lrs(v);

	if (!queue_irq(v, c, intid, hw, phys, source, lrs_free)) {
		return false;
	}
	if (lrs_free) {
		/* It went to LR 0 (vgic_cpu_place()) or the queue; LRs 1
		 * and up are invalid in the hardware (GICH_ELRSR said so) and
		 * the shadow: only LR 0 can change (IHI 0048B 5.3.4). */
		arch_vgic_lrs_write_first(&v->vgic, 1,
					  vgic_cpu_needs_underflow(&v->vgic));
		vtimer_prepare_entry(v);
	} else if (cpu_this()->loaded == v) {
		/* Queueing may have changed a live LR (active -> pending and
		 * active): write it back now, or the next sync from hardware
		 * would undo it and lose the interrupt. The LRs then hold the
		 * shadow, and what did not fit waits for the underflow
		 * interrupt: of vgic_prepare_entry() only the timer's unmask
		 * is left to do (a timer delivery skips the refill). */
		arch_vgic_lrs_write(&v->vgic, vgic_cpu_needs_underflow(&v->vgic));
		vtimer_prepare_entry(v);
	} else {
		v->vgic_dirty = true;
	}
	if (v->state == VCPU_BLOCKED_WFI) {
		sched_wake(v);
	}
	return true;
}

bool vgic_passthru_fired(struct vm *vm, uint32_t intid)
{
	/* Its LR must be on the CPU that acknowledged it, whose interface
	 * the guest's completion deactivates it through (IHI 0048B 5.3.4).
	 * passthru_route() points it there: a stale target (the guest just
	 * moved it) comes back, still asserted, on the right CPU. */
	const struct vgic_irq_cfg *c = &vm->vgic.spi[intid];
	struct vcpu *v = &vm->vcpus[spi_target(vm, c)];

	if (is_remote(v)) {
		return false;
	}
	if (!c->enabled || !(vm->vgic.ctlr & VGIC_CTLR_ENABLE_MASK)) {
		/* Disabled in its distributor: passthru_route() unmasks it. */
		gic_disable(intid);
		return false;
	}
	if (!vgic_inject(vm, 0, intid, true, intid, 0)) {
		/* Its vCPU's queue is full: left active (deactivated, a level
		 * line still high would fire again at once and starve the
		 * guest that must drain it) and offered again at its next
		 * entry, once its LRs free up (underflow maintenance). */
		bitmap_assign(vm->vgic.spi_owed, intid, true);
		v->vgic_dirty = true;
	}
	return true;
}

/*
 * On @p v's home CPU, its LR shadow fresh: offer again the passed-through
 * SPIs that found a full queue. One the guest disabled or moved to another
 * vCPU meanwhile is deactivated (GICD_ICACTIVER, 4.3.10): a level line
 * still high comes back where passthru_route() now sends it.
 */
static void retry_owed(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool on = vm->vgic.ctlr & VGIC_CTLR_ENABLE_MASK;

	for (uint32_t w = 0; w < VGIC_INTID_WORDS; w++) {
		uint64_t bits = vm->vgic.spi_owed[w];

		while (bits != 0) {
			uint32_t i = w * BITMAP_WORD_BITS +
				     (uint32_t)__builtin_ctzll(bits);
			const struct vgic_irq_cfg *c = &vm->vgic.spi[i];

			bits &= bits - 1;
			if (!on || !c->enabled ||
			    &vm->vcpus[spi_target(vm, c)] != v) {
				gic_clear_active(i);
			} else if (!queue_irq(v, c, i, true, i, 0, false)) {
				continue;   /* Still full: the next entry. */
			}
			bitmap_assign(vm->vgic.spi_owed, i, false);
		}
	}
}

/*
 * The physical side of passed-through SPI @p intid follows the guest's
 * distributor: forwarded (GICD_ISENABLER) only while the guest can take
 * it, to the home CPU of its target vCPU (GICD_ITARGETSR, 4.3.12).
 */
static void passthru_route(struct vm *vm, uint32_t intid)
{
	const struct vgic_irq_cfg *c = &vm->vgic.spi[intid];

	if (!bitmap_test(vm->vgic.spi_hw, intid)) {
		return;
	}
	if (!c->enabled || !(vm->vgic.ctlr & VGIC_CTLR_ENABLE_MASK)) {
		gic_disable(intid);
		return;
	}
	gic_set_target(intid, vm->vcpus[spi_target(vm, c)].home->gic_mask);
	gic_enable(intid);
}

void vgic_sgir_write(struct vcpu *sender, uint32_t value)
{
	struct vm *vm = sender->vm;
	uint32_t sgi, targets;

	if (!gicd_sgir_decode(value, sender->index, &sgi, &targets)) {
		return;   /* Reserved filter: the write is ignored. */
	}
	/* Only the VM's vCPUs; one at a time, lowest first. */
	_Static_assert(CFG_MAX_VCPUS < 32, "a vCPU mask is 32 bits");
	targets &= (1U << vm->vcpu_count) - 1U;
	while (targets != 0) {
		uint32_t i = (uint32_t)__builtin_ctz(targets);
		struct vcpu *v = &vm->vcpus[i];

		targets &= targets - 1U;
		/* The common virtual IPI first: to another CPU's vCPU,
		 * enabled there (vgic_inject()'s remote case, without its
		 * generic steps). */
		if (is_remote(v) && vm->vgic.priv[i][sgi].enabled &&
		    (vm->vgic.ctlr & VGIC_CTLR_ENABLE_MASK)) {
			inbox_post(v, sgi, sender->index);
		} else {
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
		bitmap_assign(v->inbox.pending, intid, false);
		if (intid < VGIC_SGI_COUNT) {
			v->inbox.sgi_sources[intid] = 0;
		}
		if (is_remote(v)) {
			/* Its LRs (and banked PPIs) are another CPU's: its
			 * home CPU clears them. Its shadow holds at least what
			 * they hold (the guest only consumes LRs): nothing
			 * there, nothing to ask. */
			bool in_lrs, active;

			vgic_cpu_state(&v->vgic, intid, &in_lrs, &active);
			if (in_lrs) {
				bitmap_assign(v->inbox.clear, intid, true);
				v->vgic_dirty = true;
				cpu_kick_entry(v->home);
			}
			continue;
		}
		sync_lrs(v);
		clear_local(v, intid);
	}
}

/*
 * The guest-visible pending/active state (@p cpu and @p intid exist:
 * args_valid()). A level-sensitive interrupt whose source asserts it reads
 * pending whatever its enable bit (IHI 0048B 1.4.2): the virtual timer,
 * and SPIs a service holds asserted.
 */
static void query(struct vm *vm, uint32_t cpu, uint32_t intid, bool *pending,
		  bool *active)
{
	struct vgic_irq_cfg *c = irq_cfg(vm, cpu, intid);
	struct vcpu *v = &vm->vcpus[cpu];

	sync_lrs(v);
	vgic_cpu_state(&v->vgic, intid, pending, active);
	*pending = (*pending && !bitmap_test(v->inbox.clear, intid)) || c->latched ||
		   bitmap_test(v->inbox.pending, intid) || line_asserted(vm, cpu, intid, c);
}

/* Apply a HYP_VGIC_CONFIG from the service (@p cpu and @p intid exist:
 * args_valid()). */
static void configure(struct vm *vm, uint32_t cpu, uint32_t intid, uint64_t word)
{
	struct vgic_irq_cfg *c = irq_cfg(vm, cpu, intid);
	bool was_enabled = c->enabled;

	c->enabled = (word & VGIC_CFG_ENABLED) != 0;
	c->group1 = (word & VGIC_CFG_GROUP1) != 0;
	c->edge = (word & VGIC_CFG_EDGE) != 0;
	c->priority = (uint8_t)((word >> VGIC_CFG_PRIORITY_SHIFT) & VGIC_CFG_BYTE_MASK);
	c->targets = (uint8_t)((word >> VGIC_CFG_TARGETS_SHIFT) & VGIC_CFG_BYTE_MASK);
	if (intid == GIC_INTID_VTIMER && c->enabled && !was_enabled) {
		vtimer_enabled(&vm->vcpus[cpu]);
	}
	if (intid >= VGIC_PRIVATE_INTIDS) {
		passthru_route(vm, intid);
	}
	/* Pending while disabled: latched, or a level SPI still asserted
	 * (the timer's physical PPI fires again once unmasked). */
	if (c->enabled && !was_enabled &&
	    (c->latched ||
	     (intid >= VGIC_PRIVATE_INTIDS && line_asserted(vm, cpu, intid, c)))) {
		c->latched = false;
		vgic_inject(vm, cpu, intid, false, 0, 0);
	}
}

bool vgic_vcpu_has_pending(struct vcpu *v)
{
	for (uint32_t w = 0; w < VGIC_INTID_WORDS; w++) {
		if (v->inbox.pending[w] != 0) {
			return true;
		}
	}
	bool lrs_free = sync_lrs(v);

	/*
	 * A queued interrupt is pending, but for an SGI waiting for the LR of
	 * its ID, which the guest is handling (one LR per SGI ID, vgic_lr.c):
	 * it cannot be signalled before the guest completes that one, so it
	 * must not end a WFI, which would return at once for as long as the
	 * guest waits (a WFI trap storm). The LR's EOI maintenance wakes it.
	 */
	if (v->vgic.queue_len > 0 &&
	    (lrs_free || vgic_cpu_queue_needs_lr(&v->vgic))) {
		return true;
	}
	if (lrs_free) {
		return false;   /* Every LR free: none pending. */
	}
	for (uint32_t i = 0; i < v->vgic.lr_count; i++) {
		if (arch_lr_state(v->vgic.lr[i]) & VGIC_LR_PENDING) {
			return true;
		}
	}
	return false;
}

__attribute__((noinline)) struct vcpu *vgic_prepare_entry(struct vcpu *v)
{
	if (!v->vgic_dirty) {
		return v;
	}
	/* v is loaded here: only live LRs kept. */
	bool lrs_free = arch_vgic_lrs_read(&v->vgic);
	uint64_t placed = v->vgic.injected;

	inbox_apply_clears(v);
	inbox_drain(v, lrs_free);
	retry_owed(v);
	vtimer_prepare_entry(v);
	bool more = vgic_cpu_flush(&v->vgic);

	placed = v->vgic.injected - placed;
	/* With every LR free (GICH_ELRSR), what was placed since took the
	 * lowest free LRs from LR 0 up (vgic_cpu_place(), free_lr(); none
	 * was displaced while one was free); the others are invalid in the
	 * hardware and the shadow (IHI 0048B 5.3.4): only those are written. */
	arch_vgic_lrs_write_first(&v->vgic,
				  lrs_free && placed < v->vgic.lr_count
					  ? (uint32_t)placed
					  : v->vgic.lr_count,
				  more);
	v->vgic_dirty = false;
	return v;
}

void vgic_line_set(struct vm *vm, uint32_t intid, bool level)
{
	bitmap_assign(vm->vgic.spi_level, intid, level);
	if (level) {
		vgic_inject(vm, 0, intid, false, 0, 0);
	} else {
		vgic_clear_pending(vm, UINT32_MAX, intid);
	}
}

/*
 * The VM @p x[1] names, if @p caller may make call @p fid for it: a
 * service serving that VM's distributor window for HYP_VGIC_*, or a window
 * whose guest SPI is @p x[2] for HYP_IRQ_LEVEL (a service drives only the
 * interrupts of the devices it serves; never a PPI, so never the
 * hardware-linked timer).
 */
static struct vm *client_of(struct vcpu *caller, uint32_t fid,
			    const uint64_t *x)
{
	if (!vcpu_is_service(caller) || x[1] >= vm_count()) {
		return NULL;
	}
	struct vm *vm = vm_get((uint32_t)x[1]);
	const struct endpoint *ep = &caller->vm->ep;
	bool allowed = fid == HYP_IRQ_LEVEL ? vm_window_irq(vm, ep, x[2])
					    : vm_window_distributor(vm, ep);

	return allowed ? vm : NULL;
}

/* GICD_ITARGETSR-style vCPU masks have one bit per CPU interface (IHI
 * 0048B 4.3.12); bits of vCPUs the VM does not have are ignored. */
#define VGIC_CPU_MASK_LIMIT (1ULL << CFG_MAX_VCPUS)

/* Every number a service passes in x2..x5 is in range for @p vm. */
static bool args_valid(const struct vm *vm, uint32_t fid, const uint64_t *x)
{
	bool vcpu_ok = x[2] < vm->vcpu_count;
	bool intid_ok = x[3] < VGIC_INTIDS;

	switch (fid) {
	case HYP_VGIC_CONFIG:
	case HYP_VGIC_ACTIVE:
	case HYP_VGIC_QUERY:
		return vcpu_ok && intid_ok;
	case HYP_VGIC_PENDING:
		/* An SGI's source is a CPU interface number (IHI 0048B
		 * 5.3.4). */
		return x[2] < VGIC_CPU_MASK_LIMIT && intid_ok &&
		       (x[4] == 0 || x[3] >= VGIC_SGI_COUNT ||
			x[5] < CFG_MAX_VCPUS);
	default:
		/* CTLR: any value, masked; IRQ_LEVEL: the SPI is the
		 * window's (client_of). */
		return true;
	}
}

static void pending_call(struct vm *vm, uint64_t *x)
{
	uint32_t mask = (uint32_t)x[2];
	uint32_t intid = (uint32_t)x[3];
	bool spi = intid >= VGIC_PRIVATE_INTIDS;

	if (!x[4]) {
		vgic_clear_pending(vm, mask, intid);
	}
	/* ICPENDR does not end the pending state of an asserted level SPI
	 * (IHI 0048B 4.3.8). */
	if (spi && (x[4] || line_asserted(vm, 0, intid, &vm->vgic.spi[intid]))) {
		vgic_inject(vm, 0, intid, false, 0, 0);
	}
	/* ISPENDR of a private interrupt: on each vCPU of @p mask. */
	for (uint32_t i = 0; x[4] && !spi && i < vm->vcpu_count; i++) {
		if (mask & (1U << i)) {
			vgic_inject(vm, i, intid, false, 0, (uint32_t)x[5]);
		}
	}
}

/* An interrupt of vCPU @p cpu that became pending while it or the
 * distributor was disabled goes to the guest now, if it is enabled. */
static void deliver_latched(struct vm *vm, uint32_t cpu, uint32_t intid)
{
	struct vgic_irq_cfg *c = irq_cfg(vm, cpu, intid);

	if (c->latched && c->enabled) {
		c->latched = false;
		vgic_inject(vm, cpu, intid, false, 0, 0);
	}
}

/*
 * GICD_CTLR. Pending state outlives a disabled distributor (IHI 0048B
 * 4.3.1: it only stops forwarding): once enabled, what became pending
 * meanwhile is forwarded, SGIs and PPIs of every vCPU as well as SPIs (an
 * SGI's source CPU is not kept: it comes as from CPU 0).
 */
static void ctlr_call(struct vm *vm, uint64_t ctlr)
{
	bool on = (ctlr & VGIC_CTLR_ENABLE_MASK) != 0;

	vm->vgic.ctlr = (uint32_t)ctlr;
	for (uint32_t i = VGIC_PRIVATE_INTIDS; i < VGIC_INTIDS; i++) {
		passthru_route(vm, i);
		if (on) {
			deliver_latched(vm, 0, i);
		}
	}
	for (uint32_t cpu = 0; on && cpu < vm->vcpu_count; cpu++) {
		for (uint32_t i = 0; i < VGIC_PRIVATE_INTIDS; i++) {
			deliver_latched(vm, cpu, i);
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
		/* A service's call: a guest's own passed-through SPIs follow
		 * its distributor (passthru_route), never this unmask. */
		x[0] = vcpu_is_service(caller) &&
			       irq_ack_owned(caller->vm, (uint32_t)x[1])
			       ? IPC_OK
			       : (uint64_t)(int64_t)IPC_ERR_DENIED;
		return true;
	}
	if (fid < HYP_VGIC_CONFIG || fid > HYP_IRQ_LEVEL) {
		return false;
	}
	vm = client_of(caller, fid, x);
	if (vm == NULL || !args_valid(vm, fid, x)) {
		vcpu_answer(caller, vm == NULL ? IPC_ERR_DENIED : IPC_ERR_INVALID);
		return true;
	}
	switch (fid) {
	case HYP_VGIC_CONFIG:
		configure(vm, (uint32_t)x[2], (uint32_t)x[3], x[4]);
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
		query(vm, (uint32_t)x[2], (uint32_t)x[3], &pending, &active);
		x[1] = pending;
		x[2] = active;
		break;
	case HYP_VGIC_CTLR:
		ctlr_call(vm, x[2]);
		break;
	case HYP_IRQ_LEVEL:
		/* The window's SPI (client_of), < VGIC_INTIDS (rule D9). */
		vgic_line_set(vm, (uint32_t)x[2], x[3] != 0);
		break;
	default:
		break;
	}
	x[0] = IPC_OK;
	return true;
}
