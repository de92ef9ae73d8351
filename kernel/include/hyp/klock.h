#pragma once
/**
 * The kernel lock: one test-and-set lock (hyp/spinlock.h) guarding all shared
 * kernel state (VMs, vCPUs, endpoints, the virtual GIC, the page pool, the log).
 *
 * Every trap takes it on entry and drops it just before the ERET (trap.c,
 * kernel_exit()); the idle loop drops it around WFI. Kernel paths are a
 * few hundred instructions, so one lock keeps them simple to reason about
 * (seL4 makes the same choice); guests and services still run in
 * parallel on every CPU.
 *
 * Lock order: the kernel lock is the only lock. Per-CPU state (struct cpu)
 * is written only by its own CPU and needs none. A handful of vCPU-local
 * hypercalls (hypercall_local()) run without it.
 */
#include "hyp/spinlock.h"

extern struct spinlock kernel_lock_word;

static inline __attribute__((always_inline)) void kernel_lock(void)
{
	spin_lock(&kernel_lock_word);
}

static inline __attribute__((always_inline)) void kernel_unlock(void)
{
	spin_unlock(&kernel_lock_word);
}
