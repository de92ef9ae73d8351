#pragma once
/**
 * The EL1 context of a vCPU that the kernel switches when another vCPU gets
 * the physical CPU: EL1 system registers, virtual timer, and FP/SIMD
 * registers. While a vCPU is loaded these live in hardware; the copy here is
 * only current after arch_vcpu_save().
 */
#include <stdbool.h>

#include "hyp/arch.h"

#define ARCH_FPSIMD_QREGS 32

/** FP/SIMD registers: q0..q31 as two 64-bit halves each, FPSR, FPCR. */
struct arch_fpsimd {
	uint64_t q[ARCH_FPSIMD_QREGS * 2];
	uint64_t fpsr;
	uint64_t fpcr;
};

/** Most breakpoint / watchpoint register pairs Armv8 defines. */
#define ARCH_DEBUG_PAIRS 16

/**
 * EL1 hardware breakpoints and watchpoints (value and control), and the OS
 * lock (OSLSR_EL1.OSLK, OSDLR_EL1.DLK).
 */
struct arch_debug {
	uint64_t bvr[ARCH_DEBUG_PAIRS], bcr[ARCH_DEBUG_PAIRS];
	uint64_t wvr[ARCH_DEBUG_PAIRS], wcr[ARCH_DEBUG_PAIRS];
	uint64_t oslsr, osdlr;
};

/** Save / load the implemented pairs and the OS lock (debug.c). */
void arch_debug_save(struct arch_debug *d);
void arch_debug_load(const struct arch_debug *d);

/** Most event counters PMUv3 defines (PMCR_EL0.N, D13.3.6). */
#define ARCH_PMU_COUNTERS 31

/** The Performance Monitors state of one vCPU (PMUv3, D13.3). */
struct arch_pmu {
	uint64_t pmcr, cntenset, intenset, ovsset;
	uint64_t selr, userenr, ccfiltr, ccntr;
	uint64_t evcntr[ARCH_PMU_COUNTERS], evtyper[ARCH_PMU_COUNTERS];
};

/** Save (and stop) / load the implemented counters (pmu.c). */
void arch_pmu_save(struct arch_pmu *p);
void arch_pmu_load(const struct arch_pmu *p);

/*
 * The EL1 registers a vCPU owns, as one table (X-macros: each group calls
 * X(reg) once per register; reg names both the system register and its
 * field of struct arch_vcpu_ctx). Saving, loading and clearing walk these
 * lists, so a register added here is switched everywhere. Three groups:
 * - EXC: the exception context, which a service has its own of;
 * - HIDDEN: the registers no trap keeps from a service on top of a guest
 *   (arch_service_enter clears them for it; without FEAT_ECV, CNTHCTL_EL2
 *   cannot trap the virtual timer, D13.8.1), CVAL before CTL so that an
 *   enabled timer is never loaded against a stale compare value;
 * - GUEST: the rest, which traps keep from a service (HCR_EL2.TVM/TRVM,
 *   CPTR_EL2.TCPAC, MDCR_EL2.TDA), switched only between vCPUs.
 */
#define ARCH_EL1_EXC_REGS(X) \
	X(sp_el1) X(elr_el1) X(spsr_el1) X(esr_el1) X(far_el1) X(vbar_el1)
#define ARCH_EL1_SCRATCH_REGS(X)                                         \
	X(tpidr_el0) X(tpidrro_el0) X(tpidr_el1) X(sp_el0) X(par_el1)     \
	X(cntkctl_el1) X(csselr_el1)
#define ARCH_VTIMER_REGS(X) X(cntv_cval_el0) X(cntv_ctl_el0)
#define ARCH_EL1_HIDDEN_REGS(X) ARCH_EL1_SCRATCH_REGS(X) ARCH_VTIMER_REGS(X)
#define ARCH_EL1_GUEST_REGS(X)                                           \
	X(sctlr_el1) X(ttbr0_el1) X(ttbr1_el1) X(tcr_el1) X(mair_el1)     \
	X(amair_el1) X(contextidr_el1) X(afsr0_el1) X(afsr1_el1)         \
	X(cpacr_el1) X(mdscr_el1)

#define ARCH_CTX_FIELD(reg) uint64_t reg;

/** EL1 state of one vCPU. */
struct arch_vcpu_ctx {
	/*
	 * What the light switch to a service moves comes first, in the order
	 * it is moved, so that it takes STP/LDP pairs.
	 */
	ARCH_EL1_EXC_REGS(ARCH_CTX_FIELD)
	ARCH_EL1_HIDDEN_REGS(ARCH_CTX_FIELD)
	ARCH_EL1_GUEST_REGS(ARCH_CTX_FIELD)
	uint64_t cntvoff_el2;
	uint64_t vmpidr_el2;
	uint64_t hcr_el2;
	uint64_t mdcr_el2;
	uint64_t vttbr_el2;
	struct arch_fpsimd fp;
	struct arch_debug dbg;
	struct arch_pmu pmu;
};

struct vcpu;

/** Reset values of the EL1 context (MMU off, timer off, FP enabled). */
void arch_vcpu_ctx_reset(struct vcpu *vcpu);

/** Write @p vcpu's context into the CPU (Stage 2, EL1 regs, FP). */
void arch_vcpu_load(struct vcpu *vcpu);

/** Read the CPU's EL1 context back into @p vcpu. */
void arch_vcpu_save(struct vcpu *vcpu);

/**
 * Drop the EL1 context in the CPU without saving it: its vCPU was reset
 * (vcpu->ctx_fresh). Stops its timer and deactivates the physical timer
 * PPI it may have left active through a hardware-linked LR.
 */
void arch_vcpu_discard(void);

/**
 * True if @p vcpu's virtual timer asserts its interrupt: CNTV_CTL_EL0 has
 * ENABLE = 1, IMASK = 0 and ISTATUS = 1 (Arm ARM D11.2.4). @p live: the
 * vCPU's timer is in this CPU's registers; otherwise its saved context is
 * read (ISTATUS from CVAL against the virtual count now).
 */
bool arch_vtimer_asserted(const struct vcpu *vcpu, bool live);

/** Copy the loaded vCPU's virtual-timer registers into its context. */
void arch_vcpu_timer_sync(struct vcpu *vcpu);

/**
 * Light context of service partitions. A service runs with stage 1 off
 * (HCR_EL2.DC=1 makes its memory cacheable), never uses FP/SIMD
 * (CPTR_EL2.TFP traps it), and cannot touch the guest's translation
 * registers (HCR_EL2.TVM/TRVM trap them), CPACR_EL1 (CPTR_EL2.TCPAC), nor
 * its debug, OS-lock and PMU registers (MDCR_EL2.TDA/TDOSA/TDRA/TPM/TPMCR).
 * So entering a service parks only the parked guest's SP_EL1, VBAR_EL1 and
 * exception registers (ELR, SPSR, ESR, FAR of EL1), which it loads with the
 * service's, and the untrapped registers of the light group (struct
 * arch_vcpu_ctx), which it clears for the service; it sets HCR_EL2,
 * VTTBR_EL2, CPTR_EL2 and MDCR_EL2 for the service, and SCTLR_EL1 unless
 * the one in place differs from the service's only in fields that cannot
 * affect it (SCTLR_EL1_SERVICE_IGNORES). @p parked may be NULL (no guest
 * loaded yet).
 */
void arch_service_enter(struct vcpu *service, struct vcpu *parked);
void arch_service_leave(struct vcpu *service, struct vcpu *parked);

/** Enter @p vcpu (already loaded) for the first time; never returns. */
_Noreturn void arch_vcpu_enter(struct vcpu *vcpu);

/** Guest @p vcpu shares its CPU with other guest vCPUs (@p shares): its
 * WFI and WFE trap (HCR_EL2.TWI/TWE) from now on, and after resets. */
void arch_vcpu_set_shares_cpu(struct vcpu *vcpu, bool shares);

/**
 * Guest @p vcpu's WFI traps while @p watch (HCR_EL2.TWI; always if it
 * shares its CPU). @p live: its HCR_EL2 is the one in force on this CPU
 * (it is loaded here with no service on top), written now.
 */
void arch_vcpu_watch_wfi(struct vcpu *vcpu, bool watch, bool live);

/** FP/SIMD save/restore (fpsimd.S). */
void arch_fpsimd_save(struct arch_fpsimd *fp);
void arch_fpsimd_restore(const struct arch_fpsimd *fp);

/* arch_counter_now(), arch_slice_arm_at(), arch_sleep_until(): the arch
 * contract (hyp/arch.h); here the physical counter CNTPCT_EL0 and the EL2
 * physical timer CNTHP. */
