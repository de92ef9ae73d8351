#pragma once
/**
 * Ticket spinlock: FIFO fair, so no CPU starves under contention. The lock
 * word holds two 16-bit counters, `owner` (the ticket being served, low
 * half) and `next` (the next ticket to hand out, high half); the
 * architecture takes and releases it (hyp/arch.h: arch_spin_lock()).
 */
#include <stdint.h>

#include "hyp/arch.h"

struct spinlock {
	volatile uint32_t word;
};

#define SPINLOCK_INIT { 0 }

static inline __attribute__((always_inline)) void spin_lock(struct spinlock *l)
{
	arch_spin_lock(&l->word);
}

static inline __attribute__((always_inline)) void spin_unlock(struct spinlock *l)
{
	arch_spin_unlock(&l->word);
}
