#pragma once
/** PSCI (Arm DEN 0022D) from a guest, over HVC. */
#include <stdint.h>

#include "guest/smccc.h"

/**
 * Wait until the vCPU named @p mpidr is OFF (AFFINITY_INFO, 5.1.8). A
 * vCPU that has said it is done may not have reached its CPU_OFF yet (its
 * host thread descheduled, say), and a CPU_ON before then is refused with
 * ALREADY_ON. No bound: the harness's timeout is the one clock.
 */
static inline void psci_wait_cpu_off(uint64_t mpidr)
{
	while (hvc_call(PSCI_AFFINITY_INFO_64, mpidr, 0, 0).a0 !=
	       PSCI_AFFINITY_OFF) {
	}
}
