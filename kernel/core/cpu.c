/**
 * Physical CPUs: per-CPU state, bring-up of the secondaries through the
 * firmware's PSCI CPU_ON, and cross-CPU kicks (see hyp/cpu.h).
 */
#include "hyp/cpu.h"

#include "arch/el2.h"
#include "hyp/arch_gic.h"
#include "hyp/hypercall.h"
#include "hyp/klock.h"
#include "hyp/log.h"
#include "hyp/panic.h"
#include "hyp/sched.h"

struct cpu cpu_table[CPU_MAX];

/* How long the boot CPU waits for a started CPU to check in. */
#define CPU_BOOT_TIMEOUT_HZ 1

/** boot.S: where a started secondary CPU enters (MMU off, x0 = index). */
extern char secondary_entry[];

void kmain_secondary(uint64_t id);

uint32_t cpu_count(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < CPU_MAX; i++) {
		n += __atomic_load_n(&cpu_table[i].online, __ATOMIC_ACQUIRE);
	}
	return n;
}

void cpu_init(uint32_t id)
{
	struct cpu *cpu = cpu_this();

	arch_el2_init();
	cpu->id = id;
	cpu->mpidr = arch_cpu_mpidr();
	cpu->gic_mask = gic_cpu_init();
	cpu->lr_count = arch_vgic_init();
	if (id != 0 && cpu->lr_count != cpu_table[0].lr_count) {
		panic("cpu %u has %u list registers, cpu 0 has %u", id,
		      cpu->lr_count, cpu_table[0].lr_count);
	}
	__atomic_store_n(&cpu->online, true, __ATOMIC_RELEASE);
}

void kmain_secondary(uint64_t id)
{
	cpu_init((uint32_t)id);
	kernel_lock();
	log_info("cpu %u online (MPIDR 0x%lx, GIC interface mask 0x%x)",
		 (unsigned)id, cpu_this()->mpidr, cpu_this()->gic_mask);
	sched_start();
}

static bool wait_online(const struct cpu *cpu)
{
	uint64_t freq = arch_counter_freq();
	uint64_t start = arch_counter_now();

	while (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE)) {
		if (arch_counter_now() - start > freq / CPU_BOOT_TIMEOUT_HZ) {
			return false;
		}
	}
	return true;
}

/*
 * The board's CPUs other than the boot CPU, by the MPIDRs its device tree
 * lists in any order (the boot CPU's entry, by its affinity fields, is
 * skipped); each started one is the next kernel index. A PSCI
 * INVALID_PARAMETERS (no such CPU, Arm DEN 0022D 5.1.4) ends the list.
 */
uint32_t cpu_start_secondaries(const uint64_t *mpidr, uint32_t count)
{
	uint32_t n = 1;

	for (uint32_t i = 0; i < count && n < CPU_MAX; i++) {
		if ((mpidr[i] & MPIDR_AFF_MASK) == cpu_table[0].mpidr) {
			continue;
		}
		int64_t r =
			platform_cpu_on(mpidr[i], (uint64_t)secondary_entry, n);

		if (r == PSCI_RET_INVALID_PARAMS) {
			break;
		}
		if (r != PSCI_RET_SUCCESS) {
			log_warn("cpu %u: firmware refused CPU_ON (%ld): not used",
				 n, r);
			break;
		}
		if (!wait_online(&cpu_table[n])) {
			log_warn("cpu %u did not come up within 1 s: not used", n);
			break;
		}
		n++;
	}
	return n;
}

/* SGI @p sgi to @p cpu, unless it is this CPU or not running. */
static void kick(const struct cpu *cpu, uint32_t sgi)
{
	if (cpu != cpu_this() && cpu->online) {
		gic_send_sgi(sgi, cpu->gic_mask);
	}
}

void cpu_kick(const struct cpu *cpu)
{
	kick(cpu, GIC_INTID_KICK);
}

void cpu_kick_entry(const struct cpu *cpu)
{
	kick(cpu, GIC_INTID_KICK_ENTRY);
}
