#pragma once
/**
 * Per-physical-CPU state. This is the only place that holds "what runs on
 * this CPU now"; everything else hangs off struct vm / struct vcpu.
 *
 * TPIDR_EL2 of each CPU points at its struct cpu (set in boot.S before any
 * C code runs), so cpu_this() is one register read. The exception vectors
 * find the trapped vCPU through cpu->current, which must stay first.
 */

#include "hyp/arch.h"
#include "hyp/config.h"

struct vcpu;

/** Most guest vCPUs one CPU can be home to. */
#define CPU_RUNQ_MAX (CFG_MAX_VMS * CFG_MAX_VCPUS)

/** State of one physical CPU. Only its own CPU writes it. */
struct cpu {
	struct vcpu *current;     /**< vCPU running or whose trap is handled;
				   NULL while idle. Must stay first. */
	struct vcpu *loaded;      /**< Guest vCPU whose EL1 state is in hardware
				   (parked while a service runs). */
	struct vcpu *light;       /**< Service vCPU running on top of it. */
	uint32_t id;              /**< Index, 0 = boot CPU. */
	uint32_t gic_mask;        /**< Its GICv2 CPU interface bit (SGI target). */
	uint64_t mpidr;           /**< MPIDR_EL1 affinity, for PSCI CPU_ON. */
	uint32_t lr_count;        /**< List registers of this CPU. */
	bool slice_expired;       /**< The EL2 timer ended a time slice. */
	bool slice_armed;         /**< The EL2 timer is armed (slice_at). */
	uint64_t slice_at;        /**< When: end of slice or a wake-up. */
	bool slice_stale;         /**< The EL2 timer fired or the idle loop
				   used it: re-arm before the next guest. */
	bool kicked;              /**< Another CPU asked it to reschedule. */
	bool in_irq;              /**< Telling a service of its interrupt
				   (irq.c): a reschedule follows, so it
				   needs no timer (sched_wake). */
	bool service_due;         /**< A service woken here waits for this
				   CPU: its EL2 timer fires at once until
				   one runs (sched_wake, arm_slice). */
	bool slice_over;          /**< The loaded guest's slice ended while a
				   service ran on top of it: it yields as
				   soon as the CPU turns back to it. */
	/** The guest that gave up its turn to a service (sched_yield()): the
	 * round robin goes on after it once the service waits again. */
	const struct vcpu *turn_ended;
	bool vtimer_masked;       /**< Physical vtimer PPI masked: the loaded
				   guest could not take it. */
	bool online;              /**< Entered the kernel and took part. */
	/** Run queue: the guest vCPUs homed here (fixed at boot), served
	 * round robin; vcpu->runq_index is a vCPU's place in it. */
	struct vcpu *runq[CPU_RUNQ_MAX];
	uint32_t runq_len;
	/** In platform_power_off_failure(): an EL2 fault there (its pvpanic
	 * probe) panics again, which must not enter it again. */
	bool powering_off;
};

/** One per CPU the board may have (hyp/config.h). */
#define CPU_MAX CFG_MAX_CPUS

/** Kernel stack of each CPU (boot.S: cpu_stacks). */
#define CPU_STACK_BYTES 16384

/** One entry per physical CPU: the only per-CPU mutable state. */
extern struct cpu cpu_table[CPU_MAX];

/** The physical CPU executing this code. */
static inline struct cpu *cpu_this(void)
{
	return arch_cpu_this();
}

/**
 * Make @p cpu's EL2 timer fire by @p when (a service's reply deadline or
 * timer); an earlier time armed stays. Called on @p cpu itself.
 */
static inline void cpu_arm_by(struct cpu *cpu, uint64_t when)
{
	if (!cpu->slice_armed || when < cpu->slice_at) {
		cpu->slice_armed = true;
		cpu->slice_at = when;
		arch_slice_arm_at(when);
	}
}

/** The calling CPU, number @p id (0: the boot CPU): its EL2 controls, GIC
 * CPU interface and list registers. */
void cpu_init(uint32_t id);

/** Number of CPUs brought up (online ones, set at boot, then fixed). */
uint32_t cpu_count(void);

/**
 * Bring up the board's other CPUs, @p mpidr[1..@p count) (index 0 is the
 * boot CPU); returns how many run, the boot CPU included.
 */
uint32_t cpu_start_secondaries(const uint64_t *mpidr, uint32_t count);

/**
 * Make @p cpu re-run its scheduler soon (a physical SGI): something it
 * owns became runnable or must stop. No-op for the calling CPU.
 */
void cpu_kick(const struct cpu *cpu);

/**
 * Make @p cpu leave the guest it runs (a physical SGI), nothing more: a
 * vCPU homed there has new virtual interrupts (vcpu->vgic_dirty), which
 * its next entry puts in its list registers; nothing to reschedule, so its
 * time slice is not looked at again (cheaper than cpu_kick() for the
 * hottest kick, a virtual IPI). No-op for the calling CPU.
 */
void cpu_kick_entry(const struct cpu *cpu);
