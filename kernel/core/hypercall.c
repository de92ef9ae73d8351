/** SMCCC call dispatch (see hypercall.h). */
#include "hyp/hypercall.h"

#include "hyp/sched.h"
#include "hyp/service.h"

static bool smccc_arch_call(struct vcpu *vcpu, uint32_t fid)
{
	switch (fid) {
	case SMCCC_VERSION:
		vcpu_answer(vcpu, SMCCC_VERSION_1_1);
		return true;
	case SMCCC_ARCH_FEATURES:
		/* No firmware workarounds are offered (SMCCC 1.1, 7.2). */
		vcpu_answer(vcpu, vcpu->regs.x[1] == SMCCC_VERSION
					  ? SMCCC_SUCCESS
					  : SMCCC_NOT_SUPPORTED);
		return true;
	default:
		return false;
	}
}

bool hypercall_local(struct vcpu *vcpu, uint16_t imm)
{
	uint32_t fid = (uint32_t)vcpu->regs.x[0];

	if (imm != 0) {
		return false;
	}
	switch (fid) {
	case HYP_CALL_VERSION:
		vcpu_answer(vcpu, HYP_ABI_VERSION);
		return true;
	case SMCCC_VERSION:
		vcpu_answer(vcpu, SMCCC_VERSION_1_1);
		return true;
	case PSCI_VERSION:
		vcpu_answer(vcpu, PSCI_VERSION_1_0);
		return true;
	default:
		return false;
	}
}

/* HYP_CALL_EXIT (abi/hypercall.h): a guest ends with its own status. */
static struct vcpu *guest_exit(struct vcpu *vcpu)
{
	uint64_t status = vcpu->regs.x[1];
	int64_t err = vcpu_is_service(vcpu) ? HYP_RET_DENIED :
		      status > HYP_EXIT_STATUS_MAX ? HYP_RET_INVALID_PARAMS :
						     SMCCC_SUCCESS;

	if (err != SMCCC_SUCCESS) {
		return vcpu_answer(vcpu, err);
	}
	vcpu->vm->exit_status = (uint32_t)status;
	vm_stop(vcpu->vm, VM_STOP_EXIT);
	return sched_next(vcpu);
}

struct vcpu *hypercall_dispatch(struct vcpu *vcpu, uint16_t imm, bool smc)
{
	uint32_t fid = (uint32_t)vcpu->regs.x[0];
	struct vcpu *next = vcpu;

	/* SMCCC: the immediate of HVC/SMC must be 0 for these services. */
	if (imm != 0) {
		return vcpu_answer(vcpu, SMCCC_NOT_SUPPORTED);
	}
	/* Our own calls first: they are the frequent ones (the versions
	 * are answered before the lock, trap.c, but not for every caller). */
	if (!smc && (hypercall_local(vcpu, imm) || vm_console_call(vcpu, fid))) {
		return vcpu;
	}
	/* Calls that may switch to another vCPU: @p next is the one to run. */
	if (!smc && (ipc_hypercall(vcpu, fid, &next) ||
		     vgic_hypercall(vcpu, fid, &next))) {
		return next;
	}
	if (!smc && fid == HYP_CALL_EXIT) {
		return guest_exit(vcpu);
	}
	/* A service's power calls first: some are faults for it. */
	if ((vcpu_is_service(vcpu) && service_psci(vcpu, fid, &next)) ||
	    psci_handle(vcpu, fid, &next)) {
		return next;
	}
	if (smccc_arch_call(vcpu, fid)) {
		return vcpu;
	}
	return vcpu_answer(vcpu, SMCCC_NOT_SUPPORTED);
}
