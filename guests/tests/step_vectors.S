/*
 * Single-step harness for guests/tests/step.c.
 *
 * Each step_<case>(x0, x1) executes one instruction with software step
 * active at EL1 (MDSCR_EL1.SS = KDE = 1, set by the C side): ERET to the
 * instruction with SPSR_EL1.SS = 1 and D = 0 (Arm ARM D2.12 "Software Step
 * exceptions": the step state machine is active-not-pending, the
 * instruction executes, then a Software Step exception is taken with
 * ELR_EL1 = the next instruction). step_vectors records that ELR and
 * returns with PSTATE.D = 1, which ends stepping, so the code after the
 * instruction just runs: two NOPs and a return. Each case exports
 * step_<case>_next, the address the step exception must report.
 */
/* SPSR_EL1: EL1h, A/I/F masked, D = 0, SS (bit 21) = 1. */
#define STEP_SPSR_LO 0x1c5
#define STEP_SPSR_HI 0x20
/* PSTATE.D (bit 9) and ESR_ELx.EC 0x33: Software Step, same EL. */
#define SPSR_D_BIT 9
#define ESR_EC_SHIFT 26
#define EC_SOFTSTEP_CUR 0x33

.macro stepcase name
	.text
	.balign	4
	.global	step_\name
step_\name:
	adr	x9, 1f
	msr	elr_el1, x9
	mov	x9, #STEP_SPSR_LO
	movk	x9, #STEP_SPSR_HI, lsl #16
	msr	spsr_el1, x9
	isb
	eret
1:
.endm

.macro stepcase_end name
	.global	step_\name\()_next
step_\name\()_next:
	nop
	nop
	ret
.endm

/* A NOP: checks the harness itself. */
	stepcase nop
	nop
	stepcase_end nop

/* ldr w0, [x0]: ISV = 1, the MMIO fast path. */
	stepcase ldr
	ldr	w0, [x0]
	stepcase_end ldr

/* str w1, [x0]: ISV = 1, fast path, a store. */
	stepcase str
	str	w1, [x0]
	stepcase_end str

/* ldp w0, w1, [x0]: ISV = 0, decoded by the kernel, two messages. */
	stepcase ldp
	ldp	w0, w1, [x0]
	stepcase_end ldp

/* smc #0, trapped by HCR_EL2.TSC and answered by the kernel. */
	stepcase smc
	smc	#0
	stepcase_end smc

/* hvc #0: an exception-generating instruction. */
	stepcase hvc
	hvc	#0
	stepcase_end hvc

/* Vectors: a Software Step exception from EL1 is recorded; anything else
 * goes to the library's vectors (guests/lib/vectors.S). */
.macro forward offset
	.balign	0x80
	b	guest_vectors + \offset
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global	step_vectors
step_vectors:
	forward	0x000
	forward	0x080
	forward	0x100
	forward	0x180
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mrs	x0, esr_el1
	lsr	x0, x0, #ESR_EC_SHIFT
	cmp	x0, #EC_SOFTSTEP_CUR
	b.ne	2f
	adrp	x0, step_seen
	add	x0, x0, :lo12:step_seen
	mrs	x1, elr_el1
	str	x1, [x0, #8]
	mrs	x1, esr_el1
	str	x1, [x0, #16]
	ldr	x1, [x0]
	add	x1, x1, #1
	str	x1, [x0]
	mrs	x0, spsr_el1
	orr	x0, x0, #(1 << SPSR_D_BIT)
	msr	spsr_el1, x0
	ldp	x0, x1, [sp], #16
	eret
2:	ldp	x0, x1, [sp], #16
	b	guest_vectors + 0x200
	forward	0x280
	forward	0x300
	forward	0x380
	forward	0x400
	forward	0x480
	forward	0x500
	forward	0x580
	forward	0x600
	forward	0x680
	forward	0x700
	forward	0x780
