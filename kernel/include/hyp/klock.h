#pragma once
/**
 * The kernel lock: one test-and-set lock (hyp/spinlock.h) guarding all shared kernel state (VMs,
 * vCPUs, endpoints, the virtual GIC, the page pool, the log).
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

#include "hyp/cpu.h"
#include "arch/sysreg.h"

/* TEMPORARY instrumentation (issue 14 diagnosis). */
struct klock_stat {
	uint64_t acq, contended, spin_ticks, hold_ticks, t_acq, max_spin;
};
extern struct klock_stat klock_stats[CPU_MAX];

static inline __attribute__((always_inline)) void kernel_lock(void)
{
	struct klock_stat *st = &klock_stats[cpu_this()->id];
	uint32_t w = kernel_lock_word.word;
	uint64_t t0 = read_sysreg(cntpct_el0);

	spin_lock(&kernel_lock_word);
	uint64_t t1 = read_sysreg(cntpct_el0);
	st->acq++;
	if ((w & 0xffff) != (w >> 16)) {
		st->contended++;
		st->spin_ticks += t1 - t0;
		if (t1 - t0 > st->max_spin) {
			st->max_spin = t1 - t0;
		}
	}
	st->t_acq = t1;
}

static inline __attribute__((always_inline)) void kernel_unlock(void)
{
	struct klock_stat *st = &klock_stats[cpu_this()->id];

	st->hold_ticks += read_sysreg(cntpct_el0) - st->t_acq;
	spin_unlock(&kernel_lock_word);
}
