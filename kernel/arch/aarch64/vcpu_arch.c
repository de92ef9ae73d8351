/** Loading, saving and resetting a vCPU's EL1 context (see vcpu_arch.h). */
#include "arch/vcpu_arch.h"

#include "arch/ptimer_arch.h"
#include "hyp/vm.h"

/*
 * HCR_EL2 for every partition: Stage 2 on, EL1 AArch64, physical interrupts
 * and SErrors to EL2, SMC, ACTLR_EL1 and implementation-defined registers
 * trapped, TLB/cache maintenance broadcast inner-shareable.
 *
 * WFI and WFE (TWI, TWE) trap for a guest vCPU that shares its CPU with
 * other guest vCPUs (vcpu->shares_cpu): a waiting or spinning vCPU gives
 * the CPU to the others. Alone on its CPU, a vCPU waits in hardware: Linux
 * would exit in every spin loop for nothing (160,000 exits to reach its
 * shell prompt when WFE trapped), and a WFI sleeps until an interrupt
 * reaches the CPU, which then enters the kernel as it would from the
 * kernel's own idle loop, minus the trap, the block and the pick (as
 * Gunyah lets a vCPU alone on its CPU idle without the trap). Its WFI
 * still traps while its virtual timer needs watching (vcpu->wfi_watch,
 * hyp/vtimer.h). A service's WFI always traps: it waits for work only in
 * HYP_IPC_RECV.
 */
#define HCR_EL2_GUEST                                                        \
	(HCR_EL2_VM | HCR_EL2_SWIO | HCR_EL2_FMO | HCR_EL2_IMO | HCR_EL2_AMO | \
	 HCR_EL2_FB | HCR_EL2_BSU_IS | HCR_EL2_TSC | HCR_EL2_TIDCP |          \
	 HCR_EL2_TACR | HCR_EL2_RW)
#define HCR_EL2_WFX_TRAPS (HCR_EL2_TWI | HCR_EL2_TWE)

/*
 * Service partitions: also HCR_EL2.DC (stage 1 off but cacheable) and
 * TVM/TRVM (the guest's translation registers are neither written nor
 * read); WFI traps.
 */
#define HCR_EL2_SERVICE                                                   \
	(HCR_EL2_GUEST | HCR_EL2_TWI | HCR_EL2_DC | HCR_EL2_TVM |         \
	 HCR_EL2_TRVM)
#define CPTR_EL2_GUEST CPTR_EL2_RES1
/* Services: FP/SIMD and CPACR_EL1 (the guest's, D13.2.31) trap. */
#define CPTR_EL2_SERVICE (CPTR_EL2_RES1 | CPTR_EL2_TFP | CPTR_EL2_TCPAC)

/*
 * MDCR_EL2 (D13.2.96). Guests own the PMU (TPM/TPMCR clear, every counter
 * below HPMN = PMCR_EL0.N, EL2 counted: HPMD clear), the debug registers
 * and the OS lock (TDA/TDOSA clear); all of it is switched with the vCPU
 * (pmu.c, debug.c). A service runs on top of the loaded guest's PMU, debug
 * and OS-lock registers (the guest's cycle counter keeps counting the
 * service's work for it, shared/MEASURE.md), so every access it makes to
 * them traps: PMU (TPM, TPMCR), debug (TDA: DBGB*, DBGW*, MDSCR_EL1,
 * MDCCINT_EL1, OSDTR*, OSECCR_EL1, DBGCLAIM*), OS lock (TDOSA: OSLAR,
 * OSLSR, OSDLR, DBGPRCR) and MDRAR_EL1 (TDRA); the kernel makes them
 * read as zero and ignores writes (trap.c).
 */
#define MDCR_EL2_SERVICE_TRAPS                                            \
	(MDCR_EL2_TPM | MDCR_EL2_TPMCR | MDCR_EL2_TDA | MDCR_EL2_TDOSA |  \
	 MDCR_EL2_TDRA)

/* CPACR_EL1.FPEN [21:20] = 0b11: FP/SIMD not trapped at EL1/EL0. A freshly
 * reset guest sees 0 (trapped to its EL1), as on hardware. */
#define CPACR_EL1_RESET 0ULL
/* arch_nap()'s microseconds per counter second. */
#define NAP_US_PER_S 1000000U

/*
 * Save a group of the register table (vcpu_arch.h) into *@p ctx, or load
 * it from there. Each group is read into locals first and stored after
 * (and loaded before it is written), so that the stores and loads of
 * neighbouring fields pair into STP/LDP: an MMIO round trip passes the
 * light switch twice. The compiler would sink each load next to its MSR;
 * one empty asm taking them all (LOADED) tells it the values are needed
 * together (its first operand, an unused output, only starts the list).
 */
#define READ_LOCAL(reg) uint64_t reg = read_sysreg(reg);
#define STORE_LOCAL(reg) group->reg = reg;
#define LOAD_LOCAL(reg) uint64_t reg = group->reg;
#define LOADED_OPERAND(reg) , "+r"(reg)
#define LOADED(list)                                               \
	do {                                                       \
		uint64_t first;                                    \
		__asm__("" : "=r"(first) list(LOADED_OPERAND));    \
	} while (0)
#define WRITE_LOCAL(reg) write_sysreg(reg, reg);
#define CLEAR_REG(reg) write_sysreg(reg, 0);
#define SAVE_GROUP(ctx, list)                                      \
	do {                                                       \
		struct arch_vcpu_ctx *group = (ctx);               \
		list(READ_LOCAL)                                   \
		list(STORE_LOCAL)                                  \
	} while (0)
#define LOAD_GROUP(ctx, list)                                      \
	do {                                                       \
		const struct arch_vcpu_ctx *group = (ctx);         \
		list(LOAD_LOCAL)                                   \
		LOADED(list);                                      \
		list(WRITE_LOCAL)                                  \
	} while (0)

/* A partition's EL2 controls: its traps, its stage 2 and @p cptr. */
static inline void el2_controls_load(const struct arch_vcpu_ctx *c,
				     uint64_t cptr)
{
	write_sysreg(hcr_el2, c->hcr_el2);
	write_sysreg(vttbr_el2, c->vttbr_el2);
	write_sysreg(cptr_el2, cptr);
	write_sysreg(mdcr_el2, c->mdcr_el2);
}

/* A guest vCPU's HCR_EL2: its WFx traps as vcpu->shares_cpu and
 * vcpu->wfi_watch say. */
static uint64_t guest_hcr(const struct vcpu *vcpu)
{
	if (vcpu->shares_cpu) {
		return HCR_EL2_GUEST | HCR_EL2_WFX_TRAPS;
	}
	return vcpu->wfi_watch ? HCR_EL2_GUEST | HCR_EL2_TWI : HCR_EL2_GUEST;
}

void arch_vcpu_ctx_reset(struct vcpu *vcpu)
{
	struct arch_vcpu_ctx *c = &vcpu->ctx;
	/* HPMN as arch_el2_init set it: every counter to EL1. */
	uint64_t hpmn = read_sysreg(mdcr_el2) & MDCR_EL2_HPMN_MASK;

	/* What its timer left in the GIC is not known after a reset: its
	 * WFI traps until one finds nothing to watch (hyp/vtimer.h). */
	vcpu->wfi_watch = true;
	*c = (struct arch_vcpu_ctx){
		.sctlr_el1 = vcpu_is_service(vcpu) ? SCTLR_EL1_SERVICE
						    : SCTLR_EL1_RESET,
		.cpacr_el1 = CPACR_EL1_RESET,
		.vmpidr_el2 = VMPIDR_EL2_RES1 | vcpu->index,
		.hcr_el2 = vcpu_is_service(vcpu) ? HCR_EL2_SERVICE
						  : guest_hcr(vcpu),
		.mdcr_el2 = vcpu_is_service(vcpu) ? hpmn | MDCR_EL2_SERVICE_TRAPS
						  : hpmn,
		.vttbr_el2 = s2_vttbr(&vcpu->vm->s2),
		/* The OS lock is locked on a cold reset (D13.3.22). */
		.dbg = { .oslsr = OSLSR_EL1_OSLK },
	};
}

void arch_vcpu_set_shares_cpu(struct vcpu *vcpu, bool shares)
{
	vcpu->shares_cpu = shares;
	vcpu->ctx.hcr_el2 = guest_hcr(vcpu);
}

void arch_vcpu_watch_wfi(struct vcpu *vcpu, bool watch, bool live)
{
	vcpu->wfi_watch = watch;
	vcpu->ctx.hcr_el2 = guest_hcr(vcpu);
	if (live) {
		/* In force from the ERET to the guest (a context
		 * synchronization event, D1.x): no ISB. */
		write_sysreg(hcr_el2, vcpu->ctx.hcr_el2);
	}
}

void arch_vcpu_load(struct vcpu *vcpu)
{
	const struct arch_vcpu_ctx *c = &vcpu->ctx;

	el2_controls_load(c, CPTR_EL2_GUEST);
	write_sysreg(vmpidr_el2, c->vmpidr_el2);
	write_sysreg(cntvoff_el2, c->cntvoff_el2);
	LOAD_GROUP(c, ARCH_EL1_GUEST_REGS);
	LOAD_GROUP(c, ARCH_EL1_EXC_REGS);
	LOAD_GROUP(c, ARCH_EL1_HIDDEN_REGS);
	arch_debug_load(&c->dbg);
	arch_pmu_load(&c->pmu);
	/* Its physical timer's alarm: the previous vCPU's is replaced (or
	 * stopped) even if that one was never saved (reset meanwhile). */
	arch_ptimer_arm(&vcpu->ptimer);
	arch_fpsimd_restore(&c->fp);
	if (vcpu->vtimer_phys_active) {
		gic_set_active(GIC_INTID_VTIMER);
		vcpu->vtimer_phys_active = false;
	}
	arch_vgic_ctx_restore(&vcpu->vgic_ctx);
	arch_vgic_lrs_write(&vcpu->vgic, vcpu->vgic.queue_len > 0);
	isb();
}

void arch_vcpu_save(struct vcpu *vcpu)
{
	struct arch_vcpu_ctx *c = &vcpu->ctx;

	SAVE_GROUP(c, ARCH_EL1_GUEST_REGS);
	SAVE_GROUP(c, ARCH_EL1_EXC_REGS);
	SAVE_GROUP(c, ARCH_EL1_HIDDEN_REGS);
	arch_debug_save(&c->dbg);
	arch_pmu_save(&c->pmu);
	/* Stop the virtual timer so it cannot fire for another vCPU. */
	write_sysreg(cntv_ctl_el0, 0);
	arch_fpsimd_save(&c->fp);
	arch_vgic_lrs_read(&vcpu->vgic);
	arch_vgic_ctx_save(&vcpu->vgic_ctx);
	/*
	 * Its timer interrupt, linked to the physical one (GICH_LR.HW), may
	 * still be pending or active in the guest: the physical PPI is then
	 * active and would block the next vCPU's timer. Deactivate it and
	 * make it active again when this vCPU comes back (as KVM does), so
	 * that the guest's EOI still finds it active.
	 */
	vcpu->vtimer_phys_active =
		vgic_cpu_holds_hw(&vcpu->vgic, GIC_INTID_VTIMER);
	if (vcpu->vtimer_phys_active) {
		gic_deactivate(GIC_INTID_VTIMER);
	}
}

void arch_vcpu_discard(void)
{
	/* Stop its timer, as arch_vcpu_save() does. */
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	/*
	 * The vCPU was reset with its timer interrupt pending or active in a
	 * hardware-linked LR (GICH_LR.HW): the physical PPI stays active
	 * until deactivated, and the guest that would have completed it is
	 * gone, so no timer interrupt would reach any vCPU of this CPU again.
	 * Its hardware LRs are stale (the reset emptied its shadow), so
	 * deactivate unconditionally: a write of 1 to GICD_ICACTIVER has no
	 * effect on an inactive interrupt (IHI 0048B 4.3.10).
	 */
	gic_clear_active(GIC_INTID_VTIMER);
}

bool arch_vtimer_asserted(const struct vcpu *vcpu, bool live)
{
	const uint64_t on = CNT_CTL_ENABLE | CNT_CTL_ISTATUS;
	const uint64_t mask = on | CNT_CTL_IMASK;

	if (live) {
		return (read_sysreg(cntv_ctl_el0) & mask) == on;
	}
	const struct arch_vcpu_ctx *c = &vcpu->ctx;

	if ((c->cntv_ctl_el0 & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE) {
		return false;
	}
	/* CNTVCT = CNTPCT - CNTVOFF; the condition is CNTVCT >= CVAL. */
	return arch_counter_now() - c->cntvoff_el2 >= c->cntv_cval_el0;
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
		arch_slice_arm_at(deadline);
		isb();
	}
	/* IRQs stay masked at EL2: a pending one still ends WFI (D1.16.2). */
	wfi();
	write_sysreg(cnthp_ctl_el2, 0);
	isb();
}

void arch_nap(uint32_t us)
{
	uint64_t ctl = read_sysreg(cnthp_ctl_el2);
	uint64_t cval = read_sysreg(cnthp_cval_el2);
	uint64_t until = arch_counter_now() +
			 arch_counter_freq() * us / NAP_US_PER_S;
	/* The slice timer (CNTHP, D11.2.4) ends the nap when it is armed
	 * earlier (and not masked: then it would not end the WFI). */
	bool slice_first =
		(ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) == CNT_CTL_ENABLE &&
		cval <= until;

	arch_sleep_until(slice_first ? UINT64_MAX : until);
	/* Its own deadline back: a passed one fires, as it would have. The
	 * timer is off (arch_sleep_until), so that an old CVAL never meets
	 * the nap's ENABLE. */
	write_sysreg(cnthp_cval_el2, cval);
	write_sysreg(cnthp_ctl_el2, ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK));
	isb();
}

void arch_vcpu_timer_sync(struct vcpu *vcpu)
{
	vcpu->ctx.cntv_ctl_el0 = read_sysreg(cntv_ctl_el0);
	vcpu->ctx.cntv_cval_el0 = read_sysreg(cntv_cval_el0);
}

/*
 * The hidden group of the guest under a service (ARCH_EL1_HIDDEN_REGS).
 * The service gets them cleared (its virtual timer off first, so that
 * the guest's cannot fire under it) and what it writes there is dropped
 * when it leaves: for a service they are scratch, never the guest's. The
 * guest's timer stands still while the service runs and fires on its
 * return if due.
 */
static inline void hidden_clear(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntv_cval_el0, 0);
	ARCH_EL1_SCRATCH_REGS(CLEAR_REG)
}

void arch_service_enter(struct vcpu *service, struct vcpu *parked)
{
	const struct arch_vcpu_ctx *s = &service->ctx;
	uint64_t sctlr = read_sysreg(sctlr_el1);

	/*
	 * A parked vCPU that was reset meanwhile (ctx_fresh: PSCI CPU_ON or
	 * SYSTEM_RESET from another CPU) has only stale values in these
	 * registers: saving them would overwrite its reset context, and it
	 * would restart with its old SCTLR_EL1 (MMU on) and vectors. Its
	 * next entry reloads everything (load_guest).
	 */
	if (parked != NULL && !parked->ctx_fresh) {
		SAVE_GROUP(&parked->ctx, ARCH_EL1_EXC_REGS);
		SAVE_GROUP(&parked->ctx, ARCH_EL1_HIDDEN_REGS);
		parked->ctx.sctlr_el1 = sctlr;
	}
	hidden_clear();
	/*
	 * The guest's SCTLR_EL1 would govern the service's own execution
	 * (EE: big-endian data, A: alignment faults): a guest could make
	 * every service it calls crash (found by review). The service runs
	 * under its own, fixed value (TVM keeps it from writing it), unless
	 * the one in place differs only in fields that cannot affect it:
	 * under QEMU's TCG every write that changes SCTLR_EL1 flushes the
	 * whole TLB, about a sixth of a round trip's host time.
	 */
	if (((sctlr ^ s->sctlr_el1) & ~SCTLR_EL1_SERVICE_IGNORES) != 0) {
		write_sysreg(sctlr_el1, s->sctlr_el1);
	}
	el2_controls_load(s, CPTR_EL2_SERVICE);
	/* Never let the service read the guest's syndrome. */
	LOAD_GROUP(s, ARCH_EL1_EXC_REGS);
}

void arch_service_leave(struct vcpu *service, struct vcpu *parked)
{
	SAVE_GROUP(&service->ctx, ARCH_EL1_EXC_REGS);
	if (parked == NULL) {
		return;
	}
	const struct arch_vcpu_ctx *g = &parked->ctx;

	el2_controls_load(g, CPTR_EL2_GUEST);
	/* Left in place under the service (arch_service_enter) if it could. */
	if (read_sysreg(sctlr_el1) != g->sctlr_el1) {
		write_sysreg(sctlr_el1, g->sctlr_el1);
	}
	LOAD_GROUP(g, ARCH_EL1_HIDDEN_REGS);
	LOAD_GROUP(g, ARCH_EL1_EXC_REGS);
}
