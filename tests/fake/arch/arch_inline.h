#pragma once
/**
 * Host fake of the hot-path part of the arch contract (hyp/arch.h), in
 * place of kernel/arch/aarch64/include/arch/arch_inline.h: tests/fake
 * comes first on the include path of host tests and fuzz harnesses. The
 * rest of the contract is tests/fake/fake_arch.c.
 *
 * The host runs one thread, so a lock that is taken while held can never
 * be released: the fake reports that deadlock instead of hanging.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/sysreg.h"

/** Values of the lock word (hyp/spinlock.h). */
#define FAKE_SPIN_FREE 0u
#define FAKE_SPIN_HELD 1u

/** Times arch_cpu_relax() was called (a wait loop spun). */
extern unsigned fake_relax_count;

/** Times arch_mem_barrier() was called. */
extern unsigned fake_barrier_count;

static inline struct cpu *arch_cpu_this(void)
{
	return (struct cpu *)(uintptr_t)fake_sysreg_tpidr_el2;
}

/**
 * Contention played by a test: the next this many tries of a lock word
 * that is free find it held by another CPU (each counts down one); a test
 * that sets it plays the holder (hyp/klock.h's nap, tests/host/test_klock.c).
 */
extern unsigned fake_spin_contended;

static inline bool arch_spin_lock_bounded(volatile uint32_t *word,
					  uint32_t waits)
{
	(void)waits;
	if (fake_spin_contended > 0) {
		fake_spin_contended--;
		return false;
	}
	if (*word != FAKE_SPIN_FREE) {
		fprintf(stderr, "fake arch: spin lock %p taken while held\n",
			(void *)word);
		abort();
	}
	*word = FAKE_SPIN_HELD;
	return true;
}

static inline bool arch_spin_trylock(volatile uint32_t *word)
{
	return arch_spin_lock_bounded(word, 0);
}

static inline void arch_spin_unlock(volatile uint32_t *word)
{
	if (*word != FAKE_SPIN_HELD) {
		fprintf(stderr, "fake arch: spin lock %p released while free\n",
			(void *)word);
		abort();
	}
	*word = FAKE_SPIN_FREE;
}

static inline void arch_cpu_relax(void)
{
	fake_relax_count++;
}

static inline void arch_mem_barrier(void)
{
	fake_barrier_count++;
}
