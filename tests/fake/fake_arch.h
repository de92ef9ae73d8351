#pragma once
/**
 * The host fake of the arch contract (hyp/arch.h): tests/fake/fake_arch.c
 * and tests/fake/arch/arch_inline.h. What a test can set and observe
 * besides the fake system registers (tests/fake/arch/sysreg.h).
 */
#include <stdint.h>

#include "arch/sysreg.h"

/** Counter frequency after fake_arch_reset(): 1 tick per microsecond. */
#define FAKE_COUNTER_HZ 1000000ULL

/** Ticks the counter advances after each arch_counter_now() (a wait loop
 * that polls the counter then times out); 0 after fake_arch_reset(). */
extern uint64_t fake_counter_step;

/** arch_cpu_relax(), arch_mem_barrier(), arch_sleep_until() calls. */
extern unsigned fake_relax_count, fake_barrier_count, fake_sleep_count;

/**
 * Called by arch_sleep_until() in place of the default sleep, which moves
 * the counter to the deadline and aborts the program if there is none
 * (UINT64_MAX) or after FAKE_SLEEP_MAX sleeps: on the host nothing else
 * runs, so such a CPU would never wake. A hook can play the interrupt
 * that ends the sleep.
 */
extern void (*fake_sleep_hook)(uint64_t deadline);

/** Sleeps after which the default sleep calls the CPU stuck. */
#define FAKE_SLEEP_MAX 1000u

/** arch_nap() calls, and the microseconds the last one was asked for (the
 * counter moves on by them). */
extern unsigned fake_nap_count;
extern uint32_t fake_nap_us;

/** The virtual interface's control word (GICH_HCR) arch_vgic_quiet()
 * saves and clears and arch_vgic_unquiet() restores, and the naps taken
 * while it was not 0 (a pending virtual interrupt would end them at once). */
extern uint32_t fake_vgic_hcr;
extern unsigned fake_loud_naps;

/** arch_vcpu_watch_wfi() calls that wrote the live HCR_EL2 (it sets
 * vcpu->wfi_watch, as the arch does). */
extern unsigned fake_wfi_watch_writes;

/** Contention a test plays: tries of a free lock word that fail
 * (tests/fake/arch/arch_inline.h). */
extern unsigned fake_spin_contended;

/** Counter at 0, FAKE_COUNTER_HZ, slice timer off, MPIDR 0, counts 0, no
 * sleep hook, no contention, virtual interface off. */
void fake_arch_reset(void);
