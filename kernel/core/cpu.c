/** Per-CPU state. Only the boot CPU runs until SMP support arrives. */
#include "hyp/cpu.h"

struct cpu cpu_table[CPU_MAX];
