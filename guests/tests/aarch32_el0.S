/*
 * Running a few AArch32 instructions at EL0 for guests/tests/aarch32.c.
 *
 * a32_run(ctx) enters AArch32 User mode with ELR_EL1 = ctx->pc, SPSR_EL1 =
 * ctx->spsr and R0-R14 = ctx->r[0..14] (X0-X14: the AArch32 User registers
 * in the AArch64 view, Arm ARM D1.x "Mapping of AArch32 registers"), and
 * returns when the code takes any exception to EL1 from AArch32 (an SVC,
 * an abort): a32_vectors then saves R0-R14, ESR_EL1, ELR_EL1, SPSR_EL1
 * and FAR_EL1 into ctx and resumes a32_run's caller. Exceptions from EL1
 * go to the library's vectors.
 */
/* struct a32_ctx offsets (guests/tests/aarch32.c checks them). */
#define CTX_PC 120
#define CTX_SPSR 128
#define CTX_ESR 136
#define CTX_ELR 144
#define CTX_FAR 152
#define CTX_SPSR_OUT 160

	.text
	.global	a32_run
a32_run:
	stp	x19, x20, [sp, #-96]!
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	adrp	x1, a32_state
	add	x1, x1, :lo12:a32_state
	mov	x2, sp
	str	x2, [x1]
	str	x0, [x1, #8]
	mrs	x2, vbar_el1
	str	x2, [x1, #16]
	adrp	x2, a32_vectors
	add	x2, x2, :lo12:a32_vectors
	msr	vbar_el1, x2
	ldr	x2, [x0, #CTX_PC]
	msr	elr_el1, x2
	ldr	x2, [x0, #CTX_SPSR]
	msr	spsr_el1, x2
	isb
	ldp	x1, x2, [x0, #8]
	ldp	x3, x4, [x0, #24]
	ldp	x5, x6, [x0, #40]
	ldp	x7, x8, [x0, #56]
	ldp	x9, x10, [x0, #72]
	ldp	x11, x12, [x0, #88]
	ldp	x13, x14, [x0, #104]
	ldr	x0, [x0]
	eret

a32_back:
	stp	x0, x1, [sp, #-16]!
	adrp	x0, a32_state
	add	x0, x0, :lo12:a32_state
	ldr	x0, [x0, #8]
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	str	x14, [x0, #112]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0]
	mrs	x1, esr_el1
	str	x1, [x0, #CTX_ESR]
	mrs	x1, elr_el1
	str	x1, [x0, #CTX_ELR]
	mrs	x1, far_el1
	str	x1, [x0, #CTX_FAR]
	mrs	x1, spsr_el1
	str	x1, [x0, #CTX_SPSR_OUT]
	adrp	x1, a32_state
	add	x1, x1, :lo12:a32_state
	ldr	x2, [x1, #16]
	msr	vbar_el1, x2
	isb
	ldr	x2, [x1]
	mov	sp, x2
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	x19, x20, [sp], #96
	ret

.macro forward offset
	.balign	0x80
	b	guest_vectors + \offset
.endm

.macro back
	.balign	0x80
	b	a32_back
.endm

	.section .text.vectors, "ax"
	.balign	0x800
a32_vectors:
	forward	0x000
	forward	0x080
	forward	0x100
	forward	0x180
	forward	0x200
	forward	0x280
	forward	0x300
	forward	0x380
	forward	0x400
	forward	0x480
	forward	0x500
	forward	0x580
	back
	back
	back
	back

	.bss
	.balign	8
/* Saved SP, the running ctx, the library's VBAR_EL1. */
a32_state:
	.space	24
