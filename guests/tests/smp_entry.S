/*
 * Where a secondary vCPU of the SMP test starts (PSCI CPU_ON): EL1h, MMU
 * off, DAIF masked, x0 = the context ID, which the test sets to the top of
 * the vCPU's own stack.
 */
	.text
	.global smp_secondary_entry
smp_secondary_entry:
	mov	sp, x0
	ldr	x1, =guest_vectors
	msr	vbar_el1, x1
	isb
	bl	smp_secondary_main
1:	wfi
	b	1b
