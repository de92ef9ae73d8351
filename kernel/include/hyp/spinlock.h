#pragma once
/**
 * Test-and-set spinlock: the word is 0 when free, 1 when held; the
 * architecture takes and releases it (hyp/arch.h:
 * arch_spin_lock_bounded()). Not FIFO: a CPU that runs takes a free lock
 * at once, rather than waiting for a waiter ahead of it whose CPU may not
 * be running (a vCPU thread of a host); see docs/architecture.md,
 * "Physical CPUs and the kernel lock". The kernel lock (hyp/klock.h) adds
 * napping waiters to it.
 */

#include "hyp/arch.h"

struct spinlock {
	volatile uint32_t word;
};

#define SPINLOCK_INIT { 0 }
