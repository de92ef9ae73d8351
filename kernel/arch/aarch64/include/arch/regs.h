#pragma once
/**
 * The trap frame: a vCPU's general-purpose registers, PC and PSTATE as the
 * exception vectors save them. The layout is used by assembly through
 * offsets generated from this struct (tools/offsets.c), never typed by hand.
 */
#include <stdint.h>

#define ARCH_GPR_COUNT 31
/** Register number 31 in the Rt field of a trapped load, store or system
 * register access (ESR ISS SRT, Rt): XZR, reads 0 and ignores writes (as
 * a base register, Rn, the same number is SP: MMIO_REG_ZR_OR_SP). */
#define ZERO_REG 31

/** Saved general-purpose state of a vCPU. */
struct arch_regs {
	uint64_t x[ARCH_GPR_COUNT]; /**< x0..x30. */
	uint64_t pc;                /**< ELR_EL2: where the guest resumes. */
	uint64_t spsr;              /**< SPSR_EL2: the guest's PSTATE. */
};

/** Frame saved for an exception taken from EL2 itself (a kernel bug). */
struct arch_el2_frame {
	uint64_t x[ARCH_GPR_COUNT];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};
