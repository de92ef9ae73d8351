/** ESR decoding and construction of injected syndromes (see esr.h). */
#include "arch/esr.h"

#include "arch/sysreg.h"

struct esr_sysreg esr_decode_sysreg(uint64_t esr)
{
	return (struct esr_sysreg){
		.op0 = (uint8_t)((esr >> ESR_SYSREG_OP0_SHIFT) & 0x3),
		.op2 = (uint8_t)((esr >> ESR_SYSREG_OP2_SHIFT) & 0x7),
		.op1 = (uint8_t)((esr >> ESR_SYSREG_OP1_SHIFT) & 0x7),
		.crn = (uint8_t)((esr >> ESR_SYSREG_CRN_SHIFT) & 0xf),
		.reg = (uint8_t)((esr >> ESR_SYSREG_RT_SHIFT) & 0x1f),
		.crm = (uint8_t)((esr >> ESR_SYSREG_CRM_SHIFT) & 0xf),
		.read = (esr & ESR_SYSREG_READ) != 0,
	};
}

bool esr_ec_has_cond(uint32_t ec)
{
	switch (ec) {
	case EC_WFX:
	case EC_CP15_32:
	case EC_CP15_64:
	case EC_CP14_32:
	case EC_CP14_LS:
	case EC_FP_ASIMD:
	case EC_CP10_ID:
	case EC_CP14_64:
		return true;
	default:
		return false;
	}
}

bool esr_fsc_is_s2_fault(uint8_t fsc)
{
	/* DFSC encodings (D13.2.37): translation fault 0x04-0x07, access
	 * flag fault 0x08-0x0b, permission fault 0x0c-0x0f (levels 0-3). */
	return fsc >= 0x04 && fsc <= 0x0f;
}

const char *esr_ec_name(uint32_t ec)
{
	switch (ec) {
	case EC_UNKNOWN:
		return "unknown instruction";
	case EC_WFX:
		return "WFI/WFE";
	case EC_FP_ASIMD:
		return "FP/SIMD access";
	case EC_ILLEGAL_STATE:
		return "illegal execution state";
	case EC_SVC64:
		return "SVC";
	case EC_HVC64:
		return "HVC";
	case EC_SMC64:
		return "SMC";
	case EC_SYSREG:
		return "MSR/MRS trap";
	case EC_SVE:
		return "SVE access";
	case EC_IABT_LOW:
	case EC_IABT_CUR:
		return "instruction abort";
	case EC_PC_ALIGN:
		return "PC alignment";
	case EC_DABT_LOW:
	case EC_DABT_CUR:
		return "data abort";
	case EC_SP_ALIGN:
		return "SP alignment";
	case EC_SERROR:
		return "SError";
	case EC_BRK64:
		return "BRK";
	default:
		return "unhandled exception class";
	}
}

uint64_t esr_make_undef(void)
{
	return ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL;
}

uint64_t esr_make_ext_abort(bool same_el, bool instruction, bool write)
{
	uint64_t ec;

	if (instruction) {
		ec = same_el ? EC_IABT_CUR : EC_IABT_LOW;
	} else {
		ec = same_el ? EC_DABT_CUR : EC_DABT_LOW;
	}

	uint64_t esr = (ec << ESR_EC_SHIFT) | ESR_IL | FSC_SYNC_EXTERNAL;

	if (write && !instruction) {
		esr |= ESR_DABT_WNR;
	}
	return esr;
}

/* Vector offsets within VBAR_EL1 (Arm ARM D1.10.2). */
#define VECTOR_CUR_SP0 0x000ULL
#define VECTOR_CUR_SPX 0x200ULL
#define VECTOR_LOWER_A64 0x400ULL
#define VECTOR_LOWER_A32 0x600ULL

uint64_t esr_vector_offset_sync(uint64_t spsr)
{
	if (spsr & SPSR_NRW) {
		return VECTOR_LOWER_A32;
	}
	switch (spsr & SPSR_M_MASK) {
	case SPSR_M_EL1T:
		return VECTOR_CUR_SP0;
	case SPSR_M_EL1H:
		return VECTOR_CUR_SPX;
	default:
		return VECTOR_LOWER_A64;
	}
}
