#pragma once
/**
 * The system register fields the kernel uses, one named constant per field
 * (no code: host builds of kernel units include this through a fake
 * arch/sysreg.h). References are to the Arm ARM (DDI 0487), chapter D13
 * "AArch64 System Register Descriptions", unless stated otherwise.
 */
#define BIT(n) (1ULL << (n))

/* HCR_EL2, Hypervisor Configuration Register (D13.2.48). */
#define HCR_EL2_VM BIT(0)     /* Stage-2 translation enable. */
#define HCR_EL2_SWIO BIT(1)   /* Set/way invalidate -> clean+invalidate. */
#define HCR_EL2_FMO BIT(3)    /* Physical FIQ to EL2. */
#define HCR_EL2_IMO BIT(4)    /* Physical IRQ to EL2. */
#define HCR_EL2_AMO BIT(5)    /* Physical SError to EL2. */
#define HCR_EL2_FB BIT(9)     /* Force broadcast of TLB/cache ops. */
#define HCR_EL2_BSU_IS (1ULL << 10) /* Barrier shareability: inner. */
#define HCR_EL2_TWI BIT(13)   /* Trap WFI. */
#define HCR_EL2_TWE BIT(14)   /* Trap WFE. */
#define HCR_EL2_TSC BIT(19)   /* Trap SMC. */
#define HCR_EL2_TIDCP BIT(20) /* Trap implementation-defined sysregs. */
#define HCR_EL2_TACR BIT(21)  /* Trap ACTLR_EL1. */
#define HCR_EL2_TVM BIT(26)   /* Trap writes of EL1 translation regs. */
#define HCR_EL2_RW BIT(31)    /* EL1 is AArch64. */
#define HCR_EL2_TRVM BIT(30)  /* Trap reads of EL1 translation regs. */
#define HCR_EL2_DC BIT(12)    /* Default cacheable when stage 1 is off. */

/* SCTLR_EL2 (D13.2.114), non-VHE layout. */
#define SCTLR_EL2_M BIT(0)
#define SCTLR_EL2_C BIT(2)
#define SCTLR_EL2_SA BIT(3)
#define SCTLR_EL2_I BIT(12)
/* RES1 bits of SCTLR_EL2 when HCR_EL2.E2H == 0: 4,5,11,16,18,22,23,28,29. */
#define SCTLR_EL2_RES1                                                  \
	(BIT(4) | BIT(5) | BIT(11) | BIT(16) | BIT(18) | BIT(22) |      \
	 BIT(23) | BIT(28) | BIT(29))

/* SCTLR_EL1 reset value: RES1 bits 11,20,22,23,28,29, MMU/caches off. */
#define SCTLR_EL1_RESET                                                 \
	(BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))
/* SCTLR_EL1 (D13.2.118): SA [3] SP alignment check, I [12] instruction
 * cacheability. */
#define SCTLR_EL1_SA BIT(3)
#define SCTLR_EL1_I BIT(12)
/*
 * What a service runs under, or a guest value that differs from it only in
 * SCTLR_EL1_SERVICE_IGNORES: little endian (EE = 0), no alignment checks
 * (A = 0), SP alignment checked, MMU off (HCR_EL2.DC makes its data
 * cacheable), instructions cacheable.
 */
#define SCTLR_EL1_SERVICE (SCTLR_EL1_RESET | SCTLR_EL1_SA | SCTLR_EL1_I)
/*
 * SCTLR_EL1 fields that cannot change how a service runs (D13.2.118), so
 * that a guest's value differing from SCTLR_EL1_SERVICE only in them may
 * stay in place under it (arch_service_enter). A service runs only at EL1,
 * with stage 1 disabled by HCR_EL2.DC, which also fixes its memory type
 * (Normal Write-Back for data and instruction fetches whatever M, C and I
 * say: AArch64.TranslateAddressS1Off) and leaves it untagged (DCT = 0):
 * - stage-1 and cacheability controls: M [0], C [2], I [12], WXN [19],
 *   SPAN [23], EPAN [57];
 * - SA [3]: only adds a fault for a misaligned SP, which compiled code
 *   never makes;
 * - EL0 controls: SA0 [4], CP15BEN [5], ITD [7], SED [8], UMA [9],
 *   EnRCTX [10], DZE [14], UCT [15], nTWI [16], nTWE [18], TSCXT [20],
 *   E0E [24], UCI [26], nTLSMD [28], LSMAOE [29];
 * - IESB [21] (error synchronization only) and ITFSB [37] (tag check
 *   faults, which untagged memory never raises).
 * Not here, so always the service's own: A [1], nAA [6], EOS [11], EIS [22],
 * EE [25], the pointer-authentication enables and every field a later
 * architecture adds.
 */
#define SCTLR_EL1_SERVICE_IGNORES                                         \
	(BIT(0) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(7) | BIT(8) |  \
	 BIT(9) | BIT(10) | BIT(12) | BIT(14) | BIT(15) | BIT(16) |       \
	 BIT(18) | BIT(19) |                                              \
	 BIT(20) | BIT(21) | BIT(23) | BIT(24) | BIT(26) | BIT(28) |      \
	 BIT(29) | BIT(37) | BIT(57))

/* TCR_EL2 (D13.2.127), non-VHE layout: RES1 bits; its other fields are
 * VTCR_EL2's (arch/pte.h, TCR_WALK_4K_40BIT). */
#define TCR_EL2_RES1 (BIT(23) | BIT(31))

/* MAIR_ELx attribute encodings (D13.2.95). */
#define MAIR_NORMAL_WB 0xffULL   /* Normal, inner/outer WB RW-allocate. */
#define MAIR_DEVICE_nGnRE 0x04ULL
#define MAIR_NORMAL_NC 0x44ULL   /* Normal, inner/outer Non-cacheable. */
#define MAIR_ATTR_SHIFT(idx) ((idx) * 8)

/* SPSR_EL2 / PSTATE (C5.2.19). */
#define SPSR_M_MASK 0xfULL
#define SPSR_M_EL0T 0x0ULL
#define SPSR_M_EL1T 0x4ULL
#define SPSR_M_EL1H 0x5ULL
/* M[4], nRW: the interrupted context was in AArch32 state (C5.2.19). */
#define SPSR_NRW BIT(4)
#define SPSR_F BIT(6)
#define SPSR_I BIT(7)
#define SPSR_A BIT(8)
#define SPSR_D BIT(9)
#define SPSR_DAIF (SPSR_D | SPSR_A | SPSR_I | SPSR_F)
/* SS, software step, bit 21 in both the AArch64 and the AArch32 layout
 * (C5.2.19; D2.12 "Software Step exceptions"). */
#define SPSR_SS BIT(21)

/* CPTR_EL2 (D13.2.31), non-VHE: RES1 bits [13:12] and [9:0]; TFP bit 10. */
#define CPTR_EL2_RES1 (0x3000ULL | 0x3ffULL)
#define CPTR_EL2_TFP BIT(10)
#define CPTR_EL2_TCPAC BIT(31) /* Trap CPACR_EL1 accesses from EL1. */

/* MDCR_EL2 (D13.2.96): HPMN [4:0], TPMCR 5, TPM 6, HPME 7, HPMD 17. */
#define MDCR_EL2_HPMN_MASK 0x1fULL
#define MDCR_EL2_TPMCR BIT(5)  /* Trap PMCR_EL0 from EL0/EL1. */
#define MDCR_EL2_TPM BIT(6)    /* Trap every PMU register from EL0/EL1. */
#define MDCR_EL2_TDA BIT(9)    /* Trap debug registers (DBG*, MDSCR...). */
#define MDCR_EL2_TDOSA BIT(10) /* Trap OSLAR/OSLSR/OSDLR/DBGPRCR_EL1. */
#define MDCR_EL2_TDRA BIT(11)  /* Trap MDRAR_EL1. */
/* PMCR_EL0 (D13.3.6): E 0, P 1 and C 2 (write-only resets), N [15:11]. */
#define PMCR_EL0_N_SHIFT 11
#define PMCR_EL0_N_MASK 0x1fULL
#define PMCR_EL0_P BIT(1)
#define PMCR_EL0_C BIT(2)
/* PMCNTENSET/CLR, PMINTENSET/CLR, PMOVSSET/CLR: bit n = event counter n,
 * bit 31 = the cycle counter (D13.3.x); all counters of PMUv3. */
#define PMU_ALL_COUNTERS 0xffffffffULL

/* OSLSR_EL1.OSLK bit 1 (D13.3.22); OSLAR_EL1.OSLK bit 0 (D13.3.21). */
#define OSLSR_EL1_OSLK BIT(1)
#define OSLAR_EL1_OSLK BIT(0)

/* CNTHCTL_EL2 (D13.8.1), non-VHE: EL1PCTEN bit 0 (EL1PCEN, bit 1, stays 0). */
#define CNTHCTL_EL2_EL1PCTEN BIT(0)

/* CNTx_CTL_EL0 timer control (D13.8.x): ENABLE, IMASK, ISTATUS. */
#define CNT_CTL_ENABLE BIT(0)
#define CNT_CTL_IMASK BIT(1)
#define CNT_CTL_ISTATUS BIT(2)

/* VMPIDR_EL2 (D13.2.149): bit 31 is RES1. */
#define VMPIDR_EL2_RES1 BIT(31)
/* MPIDR_EL1 affinity fields (D13.2.86): Aff0 [7:0], Aff1 [15:8],
 * Aff2 [23:16], Aff3 [39:32]. */
#define MPIDR_AFF_MASK 0xff00ffffffULL

/* ID_AA64MMFR0_EL1.PARange [3:0] (D13.2.64). */
#define ID_AA64MMFR0_PARANGE_MASK 0xfULL
#define ID_AA64MMFR0_PARANGE_40 0x2ULL

/* CTR_EL0 (D13.2.34): DminLine [19:16], log2 words. */
#define CTR_EL0_DMINLINE_SHIFT 16
#define CTR_EL0_LINE_MASK 0xfULL
