/**
 * System test: EL1 touching what it may not. An `msr` to an EL2 register is
 * UNDEFINED at EL1 (the CPU raises it at EL1 itself); registers the
 * hypervisor traps but does not emulate (ACTLR_EL1 via HCR_EL2.TACR, the EL1
 * physical timer via CNTHCTL_EL2) come back from the kernel as undefined
 * instructions at the faulting instruction. (HCR_EL2.TIDCP is set too, but
 * QEMU 7.2 does not implement that trap, so it is not checked here.)
 */
#include <stdint.h>

#include "guest/exception.h"
#include "guest/test.h"

#define EC_UNKNOWN 0x00
#define ESR_IL (1ULL << 25)
#define VECTOR_CUR_SPX_SYNC 0x200

/* Runs @insn once, expecting an undefined-instruction exception at it. */
#define EXPECT_UNDEF(insn)                                                \
	do {                                                              \
		uint64_t __pc;                                            \
		exception_expect(RESUME_NEXT_INSN);                       \
		__asm__ volatile("adr %0, 1f\n1: " insn                   \
				 : "=&r"(__pc) : : "x9", "memory");       \
		const struct exception_record *__r = exception_seen();    \
		CHECK_EQ(__r->count, 1);                                  \
		CHECK_EQ(ESR_EC(__r->esr), EC_UNKNOWN);                   \
		CHECK(__r->esr & ESR_IL);                                 \
		CHECK_EQ(__r->elr, __pc);                                 \
		CHECK_EQ(__r->vector, VECTOR_CUR_SPX_SYNC);               \
	} while (0)

void test_main(void)
{
	/* Architecturally UNDEFINED at EL1. */
	EXPECT_UNDEF("msr hcr_el2, xzr");
	EXPECT_UNDEF("mrs x9, vttbr_el2");
	EXPECT_UNDEF("msr vbar_el2, xzr");
	/* Trapped to EL2 and reflected. */
	EXPECT_UNDEF("msr actlr_el1, xzr");
	EXPECT_UNDEF("mrs x9, actlr_el1");
	/* (CNTP_* trap too, but the kernel emulates them: test_ptimer.) */
	/* A permanently undefined encoding. */
	EXPECT_UNDEF("udf #0");
	printf("undef: all reflected, hypervisor alive\n");
}
