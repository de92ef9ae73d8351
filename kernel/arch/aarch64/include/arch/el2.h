#pragma once
/** EL2 control registers: traps, Stage-2 format, PMU and timer access. */
void arch_el2_init(void);
