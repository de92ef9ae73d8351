/*
 * Vectors of the benchmark's second vCPU. Its IRQ vector's first
 * instruction reads the virtual counter (shared by all vCPUs, unlike the
 * per-CPU cycle counter), so that "vCPU 0 writes GICD_SGIR -> vCPU 1's
 * handler" is measured across CPUs. It then acknowledges and completes the
 * SGI, answers with SGI IPI_PONG to vCPU 0 and returns.
 */
#define GICD 0x08000000
#define GICD_SGIR 0xf00
#define GICC 0x08010000
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
/* GICD_SGIR: CPUTargetList [23:16] = vCPU 0, SGIINTID = 2 (IPI_PONG). */
#define SGIR_PONG_TO_VCPU0 ((1 << 16) | 2)

	.section .text.vectors, "ax"
	.balign	0x800
	.global ipi_vectors
ipi_vectors:
	.rept	5
	.balign	0x80
	b	.
	.endr
	.balign	0x80
	mrs	x9, cntvct_el0		/* 0x280 IRQ, SPx: first instruction */
	ldr	x10, =ipi_t1
	str	x9, [x10]
	mov	x10, #GICC
	ldr	w11, [x10, #GICC_IAR]
	str	w11, [x10, #GICC_EOIR]
	mov	x10, #GICD
	ldr	w11, =SGIR_PONG_TO_VCPU0
	str	w11, [x10, #GICD_SGIR]
	eret
	.rept	10
	.balign	0x80
	b	.
	.endr

/* Secondary vCPU entry (PSCI CPU_ON): x0 = stack top. Sleeps in WFI with
 * interrupts unmasked; the vector does the work. */
	.text
	.global ipi_secondary_entry
ipi_secondary_entry:
	mov	sp, x0
	ldr	x1, =ipi_vectors
	msr	vbar_el1, x1
	mov	x1, #GICC
	mov	w2, #0xf0
	str	w2, [x1, #0x004]	/* GICC_PMR */
	mov	w2, #1
	str	w2, [x1, #0x000]	/* GICC_CTLR */
	ldr	x1, =ipi_ready
	mov	x2, #1
	str	x2, [x1]
	msr	daifclr, #2
	isb
1:	wfi
	b	1b

	.data
	.balign	8
	.global ipi_t1, ipi_ready
ipi_t1:
	.quad	0
ipi_ready:
	.quad	0
