#pragma once
/**
 * Exception Syndrome Register decoding (ESR_EL2, Arm ARM D13.2.37) and the
 * syndromes the kernel builds when it injects an exception into a guest.
 * Pure functions: host-tested in tests/host/test_esr.c.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch/sysreg_bits.h"

/* ESR_ELx layout: EC [31:26], IL [25], ISS [24:0]. */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3fULL
#define ESR_IL BIT(25)
#define ESR_ISS_MASK 0x1ffffffULL

/** Exception classes (ESR_ELx.EC) the kernel knows by name. */
enum esr_ec {
	EC_UNKNOWN = 0x00,
	EC_WFX = 0x01,
	EC_CP15_32 = 0x03,
	EC_CP15_64 = 0x04,
	EC_CP14_32 = 0x05,
	EC_CP14_LS = 0x06,
	EC_FP_ASIMD = 0x07,
	EC_CP10_ID = 0x08,
	EC_CP14_64 = 0x0c,
	EC_ILLEGAL_STATE = 0x0e,
	EC_SVC64 = 0x15,
	EC_HVC64 = 0x16,
	EC_SMC64 = 0x17,
	EC_SYSREG = 0x18,
	EC_SVE = 0x19,
	EC_IABT_LOW = 0x20,
	EC_IABT_CUR = 0x21,
	EC_PC_ALIGN = 0x22,
	EC_DABT_LOW = 0x24,
	EC_DABT_CUR = 0x25,
	EC_SP_ALIGN = 0x26,
	EC_SERROR = 0x2f,
	EC_BRK64 = 0x3c,
};

/* Data/instruction abort ISS (D13.2.37, "ISS encoding for an exception from
 * a Data Abort"). */
#define ESR_DABT_ISV BIT(24)
#define ESR_DABT_SAS_SHIFT 22
#define ESR_DABT_SAS_MASK 0x3ULL
#define ESR_DABT_SSE BIT(21)
#define ESR_DABT_SRT_SHIFT 16
#define ESR_DABT_SRT_MASK 0x1fULL
#define ESR_DABT_SF BIT(15)
#define ESR_DABT_CM BIT(8)
#define ESR_DABT_S1PTW BIT(7)
#define ESR_DABT_WNR BIT(6)
/* Fault status codes (xFSC, ISS [5:0]); the low two bits of a translation
 * or permission fault's code are the level (0b0001LL, 0b0011LL). */
#define ESR_FSC_MASK 0x3fULL
#define FSC_LEVEL_MASK 0x3ULL
#define FSC_TRANSLATION_L0 0x04 /* ..0x07 for levels 0-3 */
#define FSC_PERMISSION 0x0cULL /* ..0x0f */
#define FSC_SYNC_EXTERNAL 0x10

/* Instruction lengths ESR_ELx.IL distinguishes (D13.2.37): IL = 0 for a
 * 16-bit T32 instruction, 1 for every A64, A32 and 32-bit T32 one. */
#define INSN_BYTES_16 2U
#define INSN_BYTES_32 4U

/* ISS of the trapped AArch32 instructions (EC 0x01 and 0x03-0x0c, D13.2.37
 * "ISS encoding for an exception from ..."): CV [24], condition code valid;
 * COND [23:20], the instruction's condition. */
#define ESR_CV BIT(24)
#define ESR_COND_SHIFT 20
#define ESR_COND_MASK 0xfU

/* WFx ISS: TI [1:0], 0 = WFI, 1 = WFE (D13.2.37). */
#define ESR_WFX_TI_MASK 0x3ULL
#define ESR_WFX_TI_WFE 0x1ULL

/* HVC/SMC ISS: imm16 [15:0]. */
#define ESR_IMM16_MASK 0xffffULL

/* MSR/MRS trap ISS (EC 0x18): Op0 [21:20], Op2 [19:17], Op1 [16:14],
 * CRn [13:10], Rt [9:5], CRm [4:1], Direction [0] (1 = read). */
#define ESR_SYSREG_OP0_SHIFT 20
#define ESR_SYSREG_OP2_SHIFT 17
#define ESR_SYSREG_OP1_SHIFT 14
#define ESR_SYSREG_CRN_SHIFT 10
#define ESR_SYSREG_RT_SHIFT 5
#define ESR_SYSREG_CRM_SHIFT 1
#define ESR_SYSREG_READ BIT(0)

/** Decoded data abort. */
struct esr_dabt {
	bool isv;         /**< Syndrome below (size..sf) is valid. */
	uint8_t size;     /**< Access size in bytes (1, 2, 4, 8). */
	bool sign_extend; /**< SSE: sign-extend the loaded value. */
	uint8_t reg;      /**< SRT: transfer register, 31 = XZR. */
	bool reg64;       /**< SF: 64-bit register (else W, zero-extended). */
	bool write;       /**< WnR. */
	bool cache_op;    /**< CM: cache maintenance, not a load/store. */
};

/** Decoded trapped MSR/MRS. */
struct esr_sysreg {
	uint8_t op0, op1, crn, crm, op2;
	uint8_t reg;      /**< Rt. */
	bool read;        /**< MRS (true) or MSR (false). */
};

static inline uint32_t esr_ec(uint64_t esr)
{
	return (uint32_t)((esr >> ESR_EC_SHIFT) & ESR_EC_MASK);
}

static inline uint32_t esr_iss(uint64_t esr)
{
	return (uint32_t)(esr & ESR_ISS_MASK);
}

/** Length in bytes of the instruction that took the exception (IL). */
static inline uint64_t esr_insn_bytes(uint64_t esr)
{
	return (esr & ESR_IL) ? INSN_BYTES_32 : INSN_BYTES_16;
}

/**
 * True for the exception classes whose ISS carries CV/COND when taken from
 * AArch32: WFI/WFE, MCR/MRC and MCRR/MRRC to CP15 and CP14, LDC/STC, the
 * FP/SIMD access trap and VMRS (D13.2.37).
 */
bool esr_ec_has_cond(uint32_t ec);

/* A translation fault at any level (an abort's xFSC, D13.2.39): at Stage 2,
 * HPFAR_EL2 holds the IPA (D13.2.49). */
static inline bool esr_is_translation_fault(uint64_t esr)
{
	return (esr & ESR_FSC_MASK & ~FSC_LEVEL_MASK) == FSC_TRANSLATION_L0;
}

/* A permission fault at any level (an abort's xFSC, D13.2.39). */
static inline bool esr_is_permission_fault(uint64_t esr)
{
	return (esr & ESR_FSC_MASK & ~FSC_LEVEL_MASK) == FSC_PERMISSION;
}

/**
 * Decode the ISS of a data abort (EC 0x24/0x25): the one decoder of the
 * syndrome, inline for the MMIO fast path (fastpath.c), the slow path
 * (mmio.c) and the GICD_SGIR path (trap.c) alike.
 */
static inline struct esr_dabt esr_decode_dabt(uint64_t esr)
{
	struct esr_dabt d = {
		.isv = (esr & ESR_DABT_ISV) != 0,
		.size = (uint8_t)(1U << ((esr >> ESR_DABT_SAS_SHIFT) &
					 ESR_DABT_SAS_MASK)),
		.sign_extend = (esr & ESR_DABT_SSE) != 0,
		.reg = (uint8_t)((esr >> ESR_DABT_SRT_SHIFT) &
				 ESR_DABT_SRT_MASK),
		.reg64 = (esr & ESR_DABT_SF) != 0,
		.write = (esr & ESR_DABT_WNR) != 0,
		.cache_op = (esr & ESR_DABT_CM) != 0,
	};

	if (!d.isv) {
		/* SAS, SSE, SRT and SF are RES0 without ISV. */
		d.size = 0;
		d.sign_extend = false;
		d.reg = 0;
		d.reg64 = false;
	}
	return d;
}

/** Decode the ISS of a trapped MSR/MRS (EC 0x18). */
struct esr_sysreg esr_decode_sysreg(uint64_t esr);

/** Short name of an exception class for logs ("data abort", ...). */
const char *esr_ec_name(uint32_t ec);

/** Syndrome of an undefined-instruction exception (EC 0, IL 1). */
uint64_t esr_make_undef(void);

/**
 * Syndrome of a synchronous external abort as the guest should see it.
 * @p same_el: the guest was at EL1 (EC "current EL") rather than EL0;
 * @p instruction: instruction rather than data abort; @p write: WnR.
 */
uint64_t esr_make_ext_abort(bool same_el, bool instruction, bool write);

/**
 * Offset into the guest's VBAR_EL1 of the synchronous vector for an
 * exception taken to EL1 from a context with PSTATE @p spsr (Arm ARM
 * D1.10.2 "Exception vectors": +0x000 current EL SP0, +0x200 current EL
 * SPx, +0x400 lower EL AArch64, +0x600 lower EL AArch32).
 */
uint64_t esr_vector_offset_sync(uint64_t spsr);

/** True if PSTATE @p spsr is EL1 (EL1t or EL1h) rather than EL0. */
static inline bool spsr_is_el1(uint64_t spsr)
{
	uint64_t m = spsr & SPSR_M_MASK;

	return m == SPSR_M_EL1T || m == SPSR_M_EL1H;
}
