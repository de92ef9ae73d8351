#pragma once
/** System register access for guests. */
#include <stdint.h>

#define read_sysreg(reg)                                          \
	({                                                        \
		uint64_t __v;                                     \
		__asm__ volatile("mrs %0, " #reg : "=r"(__v));    \
		__v;                                              \
	})
#define write_sysreg(reg, v)                                      \
	do {                                                      \
		uint64_t __v = (uint64_t)(v);                     \
		__asm__ volatile("msr " #reg ", %0" : : "r"(__v)); \
	} while (0)
#define isb() __asm__ volatile("isb" ::: "memory")
