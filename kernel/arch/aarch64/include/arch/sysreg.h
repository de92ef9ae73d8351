#pragma once
/**
 * System register access, barriers and address translation instructions,
 * plus the register fields (arch/sysreg_bits.h). The only file with the
 * mrs/msr inline assembly: host builds of kernel units (cmocka tests and
 * fuzz harnesses) replace it with tests/fake/arch/sysreg.h, which routes
 * every access to the test.
 */
#include <stdint.h>

#include "arch/sysreg_bits.h"

#define read_sysreg(reg)                                                 \
	({                                                               \
		uint64_t __val;                                          \
		__asm__ volatile("mrs %0, " #reg : "=r"(__val));         \
		__val;                                                   \
	})

/* A constant 0 is written from XZR ("rZ"), with no register to set up. */
#define write_sysreg(reg, val)                                           \
	do {                                                             \
		uint64_t __val = (uint64_t)(val);                        \
		__asm__ volatile("msr " #reg ", %x0" : : "rZ"(__val));   \
	} while (0)

/**
 * Like read_sysreg() for a register that never changes under the running
 * code (TPIDR_EL2): not volatile, so the compiler may reuse one read.
 */
#define read_sysreg_pure(reg)                                            \
	({                                                               \
		uint64_t __val;                                          \
		__asm__("mrs %0, " #reg : "=r"(__val));                  \
		__val;                                                   \
	})

/* Stage-1 translation of @p va for an EL1 / EL0 read (C5.5.x AT S1E1R,
 * AT S1E0R); the result lands in PAR_EL1 after an ISB. */
#define at_s1e1r(va) __asm__ volatile("at s1e1r, %0" : : "r"(va) : "memory")
#define at_s1e0r(va) __asm__ volatile("at s1e0r, %0" : : "r"(va) : "memory")

/* Barriers and WFI, each one instruction (and a compiler barrier). */
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb_sy() __asm__ volatile("dsb sy" ::: "memory")
#define dsb_ish() __asm__ volatile("dsb ish" ::: "memory")
#define dsb_ishst() __asm__ volatile("dsb ishst" ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
