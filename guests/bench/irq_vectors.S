/*
 * Benchmark IRQ vector: its first instruction reads the cycle counter, so
 * that "virtual timer fires -> handler" is measured to the instruction.
 * Then it acknowledges (GICC_IAR), stops the timer, completes the interrupt
 * (GICC_EOIR) timing that store alone, and returns.
 */
#define GICC 0x08010000
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010

	.section .text.vectors, "ax"
	.balign	0x800
	.global bench_vectors
bench_vectors:
	.balign	0x80
	b	.			/* 0x000 */
	.balign	0x80
	b	.
	.balign	0x80
	b	.
	.balign	0x80
	b	.
	.balign	0x80
	b	.			/* 0x200 sync, SPx */
	.balign	0x80
	mrs	x9, pmccntr_el0		/* 0x280 IRQ, SPx: first instruction */
	ldr	x10, =bench_irq_t1
	str	x9, [x10]
	mov	x10, #GICC
	ldr	w11, [x10, #GICC_IAR]
	msr	cntv_ctl_el0, xzr
	isb
	mrs	x12, pmccntr_el0
	str	w11, [x10, #GICC_EOIR]
	mrs	x13, pmccntr_el0
	sub	x13, x13, x12
	ldr	x10, =bench_eoi_cycles
	str	x13, [x10]
	ldr	x10, =bench_irq_count
	ldr	x11, [x10]
	add	x11, x11, #1
	str	x11, [x10]
	eret
	.balign	0x80
	b	.
	.balign	0x80
	b	.
	.rept	8
	.balign	0x80
	b	.
	.endr
	.balign	0x80

	.data
	.balign	8
	.global bench_irq_t1, bench_eoi_cycles, bench_irq_count
bench_irq_t1:
	.quad	0
bench_eoi_cycles:
	.quad	0
bench_irq_count:
	.quad	0
