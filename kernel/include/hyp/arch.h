#pragma once
/**
 * The arch contract: everything core code (kernel/core, kernel/include/hyp)
 * needs from the processor, and the only way it reaches it. Core code
 * reads no system register and holds no assembly; the architecture
 * implements this header (Hafnium's inc/hf/arch pattern):
 *
 * - at EL2, kernel/arch/aarch64: the hot-path primitives below are static
 *   inline in arch/arch_inline.h, the rest are functions in
 *   kernel/arch/aarch64 (the kernel is built with LTO, so they inline
 *   too);
 * - on the host, tests/fake: tests/fake/arch/arch_inline.h and
 *   tests/fake/fake_arch.c, for cmocka tests and fuzz harnesses that link
 *   real core units.
 *
 * The GIC hooks live in hyp/arch_gic.h; vCPU context switching in
 * arch/vcpu_arch.h.
 */
#include <stdbool.h>
#include <stdint.h>

struct cpu;

/* --- Hot path: static inline, defined by arch/arch_inline.h. --- */

/** The struct cpu of the physical CPU executing this code. */
static inline struct cpu *arch_cpu_this(void);

/**
 * Take a test-and-set lock word (hyp/spinlock.h), waiting through at most
 * @p waits releases that another CPU won (0: one try); true if taken.
 */
static inline bool arch_spin_lock_bounded(volatile uint32_t *word,
					  uint32_t waits);
/** One try of arch_spin_lock_bounded(), for the uncontended path. */
static inline bool arch_spin_trylock(volatile uint32_t *word);
/** Release a lock word taken by either. */
static inline void arch_spin_unlock(volatile uint32_t *word);

/** Busy-wait hint: another CPU is expected to make progress. */
static inline void arch_cpu_relax(void);

/**
 * Full memory barrier: every memory access before it, including device
 * writes, completes before any after it.
 */
static inline void arch_mem_barrier(void);

/* --- Functions. --- */

/** The physical counter (ticks since reset), read in program order. */
uint64_t arch_counter_now(void);

/** Frequency of the physical counter in Hz. */
uint64_t arch_counter_freq(void);

/**
 * Arm this CPU's slice timer to fire when the physical counter reaches
 * @p when (end of a time slice or a wake-up), or disarm it (UINT64_MAX).
 */
void arch_slice_arm_at(uint64_t when);

/** Disarm this CPU's slice timer (it fired; nothing is pending). */
void arch_slice_disarm(void);

/**
 * Sleep until the physical counter reaches @p deadline (or, with
 * UINT64_MAX, until any interrupt), using the slice timer.
 */
void arch_sleep_until(uint64_t deadline);

/** Affinity fields of this CPU's MPIDR (what PSCI CPU_ON names it by). */
uint64_t arch_cpu_mpidr(void);

/**
 * Wait (WFI, interrupts masked) for about @p us microseconds at most, or
 * until an interrupt is pending, whichever comes first; the slice timer
 * keeps its deadline (an earlier one ends the nap).
 */
void arch_nap(uint32_t us);

#include "arch/arch_inline.h"
