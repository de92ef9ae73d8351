/** Per-CPU state. Only the boot CPU runs until SMP support arrives. */
#include "hyp/cpu.h"

#define CPU_MAX 1

/** One entry per physical CPU: the only per-CPU mutable state. */
static struct cpu cpu_table[CPU_MAX];

struct cpu *cpu_this(void)
{
	return &cpu_table[0];
}
