#pragma once
/**
 * The EL1 context of a vCPU that the kernel switches when another vCPU gets
 * the physical CPU: EL1 system registers, virtual timer, and FP/SIMD
 * registers. While a vCPU is loaded these live in hardware; the copy here is
 * only current after arch_vcpu_save().
 */
#include <stdbool.h>
#include <stdint.h>

#include "hyp/arch.h"

#define ARCH_FPSIMD_QREGS 32

/** FP/SIMD registers: q0..q31 as two 64-bit halves each, FPSR, FPCR. */
struct arch_fpsimd {
	uint64_t q[ARCH_FPSIMD_QREGS * 2];
	uint64_t fpsr;
	uint64_t fpcr;
};

/** EL1 state of one vCPU. */
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

struct arch_vcpu_ctx {
	/*
	 * What the light switch to a service moves (arch_service_enter), kept
	 * together in the order it is moved, so that it takes STP/LDP pairs:
	 * the exception context, which a service has its own of, then the
	 * EL1 registers no trap protects from a service on top of this guest,
	 * which the service gets cleared.
	 */
	uint64_t sp_el1, elr_el1, spsr_el1, esr_el1, far_el1, vbar_el1;
	uint64_t tpidr_el0, tpidrro_el0, tpidr_el1, sp_el0, par_el1;
	uint64_t cntkctl_el1, csselr_el1, cntv_ctl_el0, cntv_cval_el0;
	uint64_t sctlr_el1, ttbr0_el1, ttbr1_el1, tcr_el1, mair_el1;
	uint64_t amair_el1, contextidr_el1;
	uint64_t afsr0_el1, afsr1_el1;
	uint64_t cpacr_el1, mdscr_el1;
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
 * arch_vcpu_ctx), which it clears for the service; and it sets HCR_EL2,
 * VTTBR_EL2, CPTR_EL2 and MDCR_EL2 for the service. @p parked may be NULL
 * (no guest loaded yet).
 */
void arch_service_enter(struct vcpu *service, struct vcpu *parked);
void arch_service_leave(struct vcpu *service, struct vcpu *parked);

/** Enter @p vcpu (already loaded) for the first time; never returns. */
_Noreturn void arch_vcpu_enter(struct vcpu *vcpu);

/** Trap @p vcpu's WFE (HCR_EL2.TWE) from now on, and after resets. */
void arch_vcpu_set_trap_wfe(struct vcpu *vcpu, bool trap);

/** FP/SIMD save/restore (fpsimd.S). */
void arch_fpsimd_save(struct arch_fpsimd *fp);
void arch_fpsimd_restore(const struct arch_fpsimd *fp);

/* arch_counter_now(), arch_slice_arm_at(), arch_sleep_until(): the arch
 * contract (hyp/arch.h); here the physical counter CNTPCT_EL0 and the EL2
 * physical timer CNTHP. */
