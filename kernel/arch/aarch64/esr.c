/** ESR decoding and construction of injected syndromes (see esr.h). */
#include "arch/esr.h"

#include <stddef.h>

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
	static const bool has_cond[ESR_EC_MASK + 1] = {
		[EC_WFX] = true,     [EC_CP15_32] = true, [EC_CP15_64] = true,
		[EC_CP14_32] = true, [EC_CP14_LS] = true, [EC_FP_ASIMD] = true,
		[EC_CP10_ID] = true, [EC_CP14_64] = true,
	};

	return ec <= ESR_EC_MASK && has_cond[ec];
}

const char *esr_ec_name(uint32_t ec)
{
	static const char *const names[ESR_EC_MASK + 1] = {
		[EC_UNKNOWN] = "unknown instruction",
		[EC_WFX] = "WFI/WFE",
		[EC_FP_ASIMD] = "FP/SIMD access",
		[EC_ILLEGAL_STATE] = "illegal execution state",
		[EC_SVC64] = "SVC",
		[EC_HVC64] = "HVC",
		[EC_SMC64] = "SMC",
		[EC_SYSREG] = "MSR/MRS trap",
		[EC_SVE] = "SVE access",
		[EC_IABT_LOW] = "instruction abort",
		[EC_IABT_CUR] = "instruction abort",
		[EC_PC_ALIGN] = "PC alignment",
		[EC_DABT_LOW] = "data abort",
		[EC_DABT_CUR] = "data abort",
		[EC_SP_ALIGN] = "SP alignment",
		[EC_SERROR] = "SError",
		[EC_BRK64] = "BRK",
	};
	const char *name = ec <= ESR_EC_MASK ? names[ec] : NULL;

	return name != NULL ? name : "unhandled exception class";
}

uint64_t esr_make_undef(void)
{
	return ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL;
}

uint64_t esr_make_ext_abort(bool same_el, bool instruction, bool write)
{
	uint64_t ec = instruction ? (same_el ? EC_IABT_CUR : EC_IABT_LOW)
				  : (same_el ? EC_DABT_CUR : EC_DABT_LOW);

	return (ec << ESR_EC_SHIFT) | ESR_IL | FSC_SYNC_EXTERNAL |
	       (write && !instruction ? ESR_DABT_WNR : 0);
}

/* Vector offsets within VBAR_EL1 (Arm ARM D1.10.2). */
#define VECTOR_CUR_SP0 0x000ULL
#define VECTOR_CUR_SPX 0x200ULL
#define VECTOR_LOWER_A64 0x400ULL
#define VECTOR_LOWER_A32 0x600ULL

uint64_t esr_vector_offset_sync(uint64_t spsr)
{
	uint64_t m = spsr & SPSR_M_MASK;

	return (spsr & SPSR_NRW)  ? VECTOR_LOWER_A32
	       : m == SPSR_M_EL1T ? VECTOR_CUR_SP0
	       : m == SPSR_M_EL1H ? VECTOR_CUR_SPX
				  : VECTOR_LOWER_A64;
}
