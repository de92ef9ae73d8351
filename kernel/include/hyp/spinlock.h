#pragma once
/**
 * Ticket spinlock: FIFO fair, so no CPU starves under contention.
 *
 * The lock word holds two 16-bit counters: `owner` (the ticket being
 * served, low half) and `next` (the next ticket to hand out, high half).
 * Taking it is an exclusive fetch-and-increment of `next` with acquire
 * semantics (LDAXR/STXR, Arm ARM B2.9); a waiter sleeps in WFE until the
 * owner's release store (STLRH) clears its exclusive monitor, which is a
 * wake-up event (Arm ARM D1.16.1 "The Event Register"). Written in
 * assembly because the target is Armv8.0 (no LSE atomics) and C11 atomics
 * would call out-of-line helpers.
 */
#include <stdint.h>

struct spinlock {
	volatile uint32_t word;
};

#define SPINLOCK_INIT { 0 }

static inline __attribute__((always_inline)) void spin_lock(struct spinlock *l)
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
		: "=&r"(ticket), "=&r"(tmp), "=&r"(fail), "+Q"(l->word)
		:
		: "memory");
}

static inline __attribute__((always_inline)) void spin_unlock(struct spinlock *l)
{
	uint32_t owner;

	__asm__ volatile(
		"	ldrh	%w0, %1\n"
		"	add	%w0, %w0, #1\n"
		"	stlrh	%w0, %1\n"
		: "=&r"(owner), "+Q"(l->word)
		:
		: "memory");
}
