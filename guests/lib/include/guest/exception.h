#pragma once
/**
 * The guest's EL1 exception vectors save a struct guest_frame and call one C
 * handler. A test announces the exception it provokes with
 * exception_expect(); the handler records it and resumes after the faulting
 * instruction (or at frame->x[30] for a fault on a branch target).
 * Anything unexpected fails the test.
 */
#include <stdbool.h>
#include <stdint.h>

/** Registers saved by the guest vectors (layout shared with vectors.S). */
struct guest_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
	uint64_t vector; /**< Offset of the vector entry taken (0x000..0x780). */
};

/** What the last expected exception looked like. */
struct exception_record {
	uint32_t count;
	uint64_t esr, far, elr, vector;
};

/** How to resume after an expected exception. */
enum exception_resume {
	RESUME_NEXT_INSN,  /**< ELR + 4: skip the faulting instruction. */
	RESUME_AT_LR,      /**< x30: return from a call to a bad address. */
};

void exception_expect(enum exception_resume how);
/** The record of exceptions seen since the last exception_expect(). */
const struct exception_record *exception_seen(void);

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)
