/* FP/SIMD register save/restore for vCPU switches (struct arch_fpsimd). */
#include "arch/asm_pairs.h"
#include "arch/offsets.h"

	.arch_extension fp
	.arch_extension simd
	.text

/* x0 = struct arch_fpsimd * */
	.global arch_fpsimd_save
arch_fpsimd_save:
	reg_pairs stp, q, 0, 1, 31, x0, 0, 16
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x3, x0, #FPSIMD_FPSR
	stp	x1, x2, [x3]
	ret

	.global arch_fpsimd_restore
arch_fpsimd_restore:
	reg_pairs ldp, q, 0, 1, 31, x0, 0, 16
	add	x3, x0, #FPSIMD_FPSR
	ldp	x1, x2, [x3]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
