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
 * A waiter spins through KLOCK_WAITS_BEFORE_NAP wake-ups (WFE: a
 * release or any other event; under TCG each WFE is one poll) without
 * getting the lock, then naps in WFI for up to KLOCK_NAP_US between tries
 * (kernel_lock_wait()): the holder may be a host thread the host does not
 * run (QEMU's MTTCG on fewer free cores than CPUs), and a waiter spinning
 * through the host's time slices keeps it from running, while under TCG
 * a WFI with nothing pending gives the host thread away. The release
 * costs nothing more: nobody is woken, a napper wakes by its timer. See
 * docs/architecture.md, "Physical CPUs and the kernel lock".
 *
 * Lock order: the kernel lock is the only lock. Per-CPU state (struct cpu)
 * is written only by its own CPU and needs none. A handful of vCPU-local
 * hypercalls (hypercall_local()) run without it.
 */
#include "hyp/spinlock.h"

/**
 * WFE wake-ups without the lock that a waiter sits through before it naps:
 * far more than contention with running holders makes (a kernel path is a
 * few hundred instructions), so that only a holder the host does not run
 * makes its waiters nap. Fewer (16) made boots beside other host work
 * slower: a napping thread gives its core to that work too.
 */
#define KLOCK_WAITS_BEFORE_NAP 1024U
/** Longest nap between tries: short against a host's time slice
 * (milliseconds). */
#define KLOCK_NAP_US 100U

extern struct spinlock kernel_lock_word;

/** The slow path of kernel_lock(): spin, then nap between tries, until
 * taken. */
void kernel_lock_wait(void);

static inline __attribute__((always_inline)) void kernel_lock(void)
{
	if (__builtin_expect(!arch_spin_trylock(&kernel_lock_word.word), 0)) {
		kernel_lock_wait();
	}
}

static inline __attribute__((always_inline)) void kernel_unlock(void)
{
	arch_spin_unlock(&kernel_lock_word.word);
}
