#pragma once
/**
 * Per-physical-CPU state. This is the only place that holds "what runs on
 * this CPU now"; everything else hangs off struct vm / struct vcpu.
 */
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/** State of one physical CPU. */
struct cpu {
	uint32_t id;              /**< Index, 0 = boot CPU. */
	struct vcpu *current;     /**< vCPU whose trap is being handled. */
	struct vcpu *loaded;      /**< Guest vCPU whose EL1 state is in hardware
				   (parked while a service runs). */
	struct vcpu *light;       /**< Service vCPU running on top of it. */
	uint32_t lr_count;        /**< GICH list registers of this CPU. */
	bool slice_expired;       /**< The EL2 timer ended a time slice. */
};

#define CPU_MAX 1

/** One entry per physical CPU: the only per-CPU mutable state. */
extern struct cpu cpu_table[CPU_MAX];

/** The physical CPU executing this code (only the boot CPU runs yet). */
static inline struct cpu *cpu_this(void)
{
	return &cpu_table[0];
}
