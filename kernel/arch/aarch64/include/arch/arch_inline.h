#pragma once
/**
 * AArch64 implementation of the hot-path part of the arch contract
 * (hyp/arch.h). Only hyp/arch.h includes it.
 */

#include "arch/sysreg.h"

static inline __attribute__((always_inline)) struct cpu *arch_cpu_this(void)
{
	/* TPIDR_EL2 points at this CPU's struct cpu (boot.S); it never
	 * changes under running code, so one read may be reused. */
	return (struct cpu *)(uintptr_t)read_sysreg_pure(tpidr_el2);
}

/*
 * Test-and-test-and-set spinlock: the word is 0 when free, 1 when held.
 * Not FIFO, on purpose: a ticket lock hands itself to the next waiter in
 * line even when that waiter's CPU is not running (a vCPU thread of a
 * host, e.g. QEMU's MTTCG on fewer host cores than CPUs), and then every
 * other CPU waits for it; here whichever CPU runs takes the lock as soon
 * as it is free (docs/architecture.md, "Physical CPUs and the kernel
 * lock").
 *
 * Taking it: LDAXR (load-acquire exclusive) sees 0, STXR writes 1; the
 * pair is atomic (Arm ARM B2.9.5) and the acquire keeps the critical
 * section after it (B2.3.11). A waiter that saw 1 still holds the
 * exclusive monitor of the word, so it sleeps in WFE: the release store
 * clears that monitor, which is a wake-up event (D1.16.1 "The Event
 * Register"), even if it lands between the LDAXR and the WFE (the event
 * register is then already set and WFE returns at once). It gives up
 * after @p waits such wake-ups that found the word held again (0: one
 * try), so that the caller can nap in WFI instead (hyp/klock.h): under
 * QEMU's TCG a WFE only yields to QEMU's loop, never the host thread. In
 * assembly because the target is Armv8.0 (no LSE atomics) and C11
 * atomics would call out-of-line helpers. True if taken.
 */
/** The lock word's value while held (0: free). */
#define ARCH_SPIN_HELD 1u

static inline bool arch_spin_lock_bounded(volatile uint32_t *word,
					  uint32_t waits)
{
	uint32_t seen, fail;

	__asm__ volatile("	prfm	pstl1strm, %2\n"
			 "1:	ldaxr	%w0, %2\n"
			 "	cbnz	%w0, 2f\n"
			 "	stxr	%w1, %w4, %2\n"
			 "	cbnz	%w1, 1b\n"
			 "	b	3f\n"
			 "2:	cbz	%w3, 3f\n"
			 "	sub	%w3, %w3, #1\n"
			 "	wfe\n"
			 "	b	1b\n"
			 "3:"
			 : "=&r"(seen), "=&r"(fail), "+Q"(*word), "+r"(waits)
			 : "r"(ARCH_SPIN_HELD)
			 : "memory");
	return seen == 0;
}

/*
 * One try, as the first round of arch_spin_lock_bounded(), for the hot
 * path: asm goto, so that a caller's branch on the result is the CBNZ
 * itself (no flag materialised and tested again). x16/x17 (IP0/IP1, free
 * at any call boundary) are its scratch registers.
 */
static inline __attribute__((always_inline)) bool
arch_spin_trylock(volatile uint32_t *word)
{
	__asm__ goto("	prfm	pstl1strm, %0\n"
		     "	mov	w17, %1\n"
		     "1:	ldaxr	w16, %0\n"
		     "	cbnz	w16, %l[held]\n"
		     "	stxr	w16, w17, %0\n"
		     "	cbnz	w16, 1b\n"
		     :
		     : "Q"(*word), "i"(ARCH_SPIN_HELD)
		     : "x16", "x17", "memory"
		     : held);
	return true;
held:
	return false;
}

/*
 * Release: STLR (store-release, B2.3.11) makes every access of the
 * critical section visible before the word reads 0, and clears the
 * waiters' exclusive monitors (their WFE event).
 */
static inline __attribute__((always_inline)) void
arch_spin_unlock(volatile uint32_t *word)
{
	__asm__ volatile("	stlr	wzr, %0\n" : "=Q"(*word) : : "memory");
}

static inline void arch_cpu_relax(void)
{
	/* YIELD (Arm ARM C6.2.x): a hint that this thread spins. */
	__asm__ volatile("yield" ::: "memory");
}

static inline void arch_mem_barrier(void)
{
	dsb_sy();
}
