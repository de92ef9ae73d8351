#pragma once
/**
 * AArch64 implementation of the hot-path part of the arch contract
 * (hyp/arch.h). Only hyp/arch.h includes it.
 */
#include <stdint.h>

#include "arch/sysreg.h"

static inline __attribute__((always_inline)) struct cpu *arch_cpu_this(void)
{
	/* TPIDR_EL2 points at this CPU's struct cpu (boot.S); it never
	 * changes under running code, so one read may be reused. */
	return (struct cpu *)(uintptr_t)read_sysreg_pure(tpidr_el2);
}

/*
 * Ticket spinlock. The lock word holds two 16-bit counters: `owner` (the
 * ticket being served, low half) and `next` (the next ticket to hand out,
 * high half). Taking it is an exclusive fetch-and-increment of `next` with
 * acquire semantics (LDAXR/STXR, Arm ARM B2.9); a waiter sleeps in WFE
 * until the owner's release store (STLRH) clears its exclusive monitor,
 * which is a wake-up event (Arm ARM D1.16.1 "The Event Register"). In
 * assembly because the target is Armv8.0 (no LSE atomics) and C11 atomics
 * would call out-of-line helpers.
 */
static inline __attribute__((always_inline)) void
arch_spin_lock(volatile uint32_t *word)
{
	uint32_t ticket, tmp, fail;

	__asm__ volatile(
		"	prfm	pstl1strm, %3\n"
		"1:	ldaxr	%w0, %3\n"
		"	add	%w1, %w0, #0x10000\n"
		"	stxr	%w2, %w1, %3\n"
		"	cbnz	%w2, 1b\n"
		/* Our ticket (high half) is being served (low half)? */
		"	eor	%w1, %w0, %w0, ror #16\n"
		"	cbz	%w1, 3f\n"
		"	sevl\n"
		"2:	wfe\n"
		"	ldaxrh	%w2, %3\n"
		"	eor	%w1, %w2, %w0, lsr #16\n"
		"	cbnz	%w1, 2b\n"
		"3:"
		: "=&r"(ticket), "=&r"(tmp), "=&r"(fail), "+Q"(*word)
		:
		: "memory");
}

static inline __attribute__((always_inline)) void
arch_spin_unlock(volatile uint32_t *word)
{
	uint32_t owner;

	__asm__ volatile("	ldrh	%w0, %1\n"
			 "	add	%w0, %w0, #1\n"
			 "	stlrh	%w0, %1\n"
			 : "=&r"(owner), "+Q"(*word)
			 :
			 : "memory");
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
