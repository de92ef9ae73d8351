/** Report of an exception taken at EL2 itself: always a kernel bug. */

#include "arch/esr.h"
#include "arch/regs.h"
#include "hyp/hypercall.h"
#include "hyp/log.h"
#include "hyp/panic.h"
#include "lib/fmt.h"

noreturn void panic_el2_exception(const struct arch_el2_frame *f);

#define REGS_PER_LINE 4

noreturn void panic_el2_exception(const struct arch_el2_frame *f)
{
	log_err("PANIC: exception at EL2: %s", esr_ec_name(esr_ec(f->esr)));
	log_err("  ESR 0x%016lx  FAR 0x%016lx", f->esr, f->far);
	log_err("  ELR 0x%016lx  SPSR 0x%016lx  SP 0x%016lx", f->elr, f->spsr,
		f->sp);
	for (int i = 0; i < ARCH_GPR_COUNT; i += REGS_PER_LINE) {
		char line[128];
		int n = 0;

		for (int j = i; j < i + REGS_PER_LINE && j < ARCH_GPR_COUNT; j++) {
			n += fmt_snprintf(line + n, sizeof(line) - (size_t)n,
					  "x%-2d 0x%016lx  ", j, f->x[j]);
		}
		log_err("  %s", line);
	}
	platform_power_off_failure();
}
