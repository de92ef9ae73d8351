/* struct smccc_res hvc_call(fid, a1, a2, a3): x8 holds the result pointer
 * (AAPCS64 indirect result). */
	.text
	.global hvc_call
hvc_call:
	hvc	#0
	stp	x0, x1, [x8]
	stp	x2, x3, [x8, #16]
	ret

	.global smc_call
smc_call:
	smc	#0
	stp	x0, x1, [x8]
	stp	x2, x3, [x8, #16]
	ret
