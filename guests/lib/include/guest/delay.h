#pragma once
/**
 * Waiting on the virtual counter (CNTVCT_EL0) for the bare-metal test
 * guests: under -icount this is virtual time, so a test's waits hold on a
 * busy host.
 */
#include <stdint.h>

/** CNTVCT_EL0 after an ISB (no earlier read may be reordered past it). */
uint64_t guest_now(void);

/** The counter value @p ms milliseconds from now. */
uint64_t guest_ms_ahead(uint64_t ms);

/** Runs without a trap until the counter reaches @p t. */
void guest_spin_until(uint64_t t);

/**
 * Waits in WFI until the counter reaches @p t: the virtual timer
 * (CNTV_CVAL_EL0) wakes the vCPU, its interrupt masked in PSTATE, so no
 * handler runs; the timer is disabled again before the return.
 */
void guest_idle_until(uint64_t t);

/** guest_idle_until() @p ms milliseconds from now. */
void guest_idle_ms(uint64_t ms);
