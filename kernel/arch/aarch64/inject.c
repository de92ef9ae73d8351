/** Exception injection into the loaded vCPU (see inject.h). */
#include "arch/inject.h"

#include "hyp/cpu.h"
#include "hyp/panic.h"
#include "hyp/vcpu.h"

/* Take a synchronous exception to the guest's EL1 (Arm ARM D1.10.1). */
static void take_sync_exception(struct vcpu *vcpu, uint64_t esr)
{
	struct cpu *cpu = cpu_this();

	/* The vCPU's EL1 exception registers must be the live ones. */
	CHECK(cpu->light == vcpu || (cpu->light == NULL && cpu->loaded == vcpu));

	write_sysreg(esr_el1, esr);
	write_sysreg(elr_el1, vcpu->regs.pc);
	write_sysreg(spsr_el1, vcpu->regs.spsr);
	vcpu->regs.pc = read_sysreg(vbar_el1) +
			esr_vector_offset_sync(vcpu->regs.spsr);
	vcpu->regs.spsr = SPSR_M_EL1H | SPSR_DAIF;
}

void inject_undef(struct vcpu *vcpu)
{
	take_sync_exception(vcpu, esr_make_undef());
}

void inject_data_abort(struct vcpu *vcpu, uint64_t va, bool write)
{
	write_sysreg(far_el1, va);
	take_sync_exception(vcpu, esr_make_ext_abort(spsr_is_el1(vcpu->regs.spsr),
						     false, write));
}

void inject_instruction_abort(struct vcpu *vcpu, uint64_t va)
{
	write_sysreg(far_el1, va);
	take_sync_exception(vcpu, esr_make_ext_abort(spsr_is_el1(vcpu->regs.spsr),
						     true, false));
}
