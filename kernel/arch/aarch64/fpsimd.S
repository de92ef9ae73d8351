/* FP/SIMD register save/restore for vCPU switches (struct arch_fpsimd). */
#include "arch/offsets.h"

	.arch_extension fp
	.arch_extension simd
	.text

/* \op (stp or ldp) q0..q31 in pairs at [x0, #16 * n] for qn. */
.macro q_pairs op
	\op	q0, q1, [x0, #0]
	\op	q2, q3, [x0, #32]
	\op	q4, q5, [x0, #64]
	\op	q6, q7, [x0, #96]
	\op	q8, q9, [x0, #128]
	\op	q10, q11, [x0, #160]
	\op	q12, q13, [x0, #192]
	\op	q14, q15, [x0, #224]
	\op	q16, q17, [x0, #256]
	\op	q18, q19, [x0, #288]
	\op	q20, q21, [x0, #320]
	\op	q22, q23, [x0, #352]
	\op	q24, q25, [x0, #384]
	\op	q26, q27, [x0, #416]
	\op	q28, q29, [x0, #448]
	\op	q30, q31, [x0, #480]
.endm

/* x0 = struct arch_fpsimd * */
	.global arch_fpsimd_save
arch_fpsimd_save:
	q_pairs stp
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x3, x0, #FPSIMD_FPSR
	stp	x1, x2, [x3]
	ret

	.global arch_fpsimd_restore
arch_fpsimd_restore:
	q_pairs ldp
	add	x3, x0, #FPSIMD_FPSR
	ldp	x1, x2, [x3]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
