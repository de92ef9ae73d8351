/**
 * PSCI 1.0 for partitions (Arm DEN 0022D): VERSION, FEATURES, SYSTEM_OFF and
 * SYSTEM_RESET, accepted over HVC and SMC. CPU power management arrives with
 * SMP; until then its IDs are NOT_SUPPORTED, which FEATURES reports too.
 */
#include "abi/hypercall.h"
#include "hyp/hypercall.h"
#include "hyp/log.h"
#include "hyp/sched.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

static bool psci_supported(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_FEATURES:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	/* SMCCC 1.1 discovery goes through PSCI_FEATURES (SMCCC 1.1, 7.1). */
	case SMCCC_VERSION:
		return true;
	default:
		return false;
	}
}

bool psci_handle(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	uint64_t *x = vcpu->regs.x;

	*next = vcpu;
	switch (fid) {
	case PSCI_VERSION:
		x[0] = PSCI_VERSION_1_0;
		return true;
	case PSCI_FEATURES:
		/* DEN 0022D 5.1.14: 0 (no feature flags) if implemented. */
		x[0] = (uint64_t)(int64_t)(psci_supported((uint32_t)x[1])
						   ? PSCI_RET_SUCCESS
						   : PSCI_RET_NOT_SUPPORTED);
		return true;
	case PSCI_SYSTEM_OFF:
		vm_stop(vcpu->vm, VM_STOP_SYSTEM_OFF);
		*next = sched_next(vcpu);
		return true;
	case PSCI_SYSTEM_RESET:
		vm_reset(vcpu->vm);
		*next = sched_next(vcpu);
		return true;
	default:
		return false;
	}
}
