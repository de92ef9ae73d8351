/**
 * PSCI 1.0 for partitions (Arm DEN 0022D), over HVC and SMC: VERSION,
 * FEATURES, CPU_ON, CPU_OFF, CPU_SUSPEND, AFFINITY_INFO,
 * MIGRATE_INFO_TYPE, SYSTEM_OFF and SYSTEM_RESET.
 *
 * A vCPU's MPIDR (VMPIDR_EL2) is Aff0 = its index, every other affinity
 * field 0, as the scenario's device trees describe the CPUs.
 */
#include "hyp/hypercall.h"
#include "hyp/sched.h"
#include "hyp/vm.h"

/* MPIDR affinity fields (arch/sysreg_bits.h: MPIDR_AFF_MASK): 8 bits per
 * level, Aff3 apart at [39:32]. */
#define MPIDR_LEVEL_BITS 8
#define MPIDR_AFF3_SHIFT 32
#define PSCI_AFF_LEVEL_MAX 3

_Static_assert(CFG_MAX_VCPUS <= (1U << MPIDR_LEVEL_BITS),
	       "every vCPU index fits in Aff0");

/* What PSCI_FEATURES reports implemented: the calls psci_handle() takes,
 * and SMCCC_VERSION (SMCCC 1.1 discovery goes through it, SMCCC 1.1 7.1). */
static const uint32_t psci_fids[] = {
	PSCI_VERSION,		PSCI_FEATURES,	       PSCI_CPU_SUSPEND_32,
	PSCI_CPU_SUSPEND_64,	PSCI_CPU_OFF,	       PSCI_CPU_ON_32,
	PSCI_CPU_ON_64,		PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64,
	PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF,       PSCI_SYSTEM_RESET,
	SMCCC_VERSION,
};

static bool psci_supported(uint32_t fid)
{
	for (size_t i = 0; i < ARRAY_SIZE(psci_fids); i++) {
		if (psci_fids[i] == fid) {
			return true;
		}
	}
	return false;
}

/*
 * The vCPU of @p vm whose MPIDR is @p mpidr, or NULL. A set bit above Aff0
 * makes the value larger than any vCPU index (static assert above).
 */
static struct vcpu *vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	uint64_t aff = mpidr & MPIDR_AFF_MASK;

	return aff < vm->vcpu_count ? &vm->vcpus[aff] : NULL;
}

/* Only the level-0 field (the vCPU number) varies in our topology. */
static uint64_t aff_above(uint64_t mpidr, uint64_t level)
{
	uint64_t aff = mpidr & MPIDR_AFF_MASK;
	uint64_t upper = aff >> MPIDR_AFF3_SHIFT;
	uint64_t low = aff & ((1ULL << (3 * MPIDR_LEVEL_BITS)) - 1);

	/* Aff3 sits apart; fold it above Aff2 and drop @p level fields. */
	return ((upper << (3 * MPIDR_LEVEL_BITS)) | low) >> (level * MPIDR_LEVEL_BITS);
}

static int64_t cpu_on(struct vcpu *caller, uint64_t target, uint64_t entry,
		      uint64_t context)
{
	struct vcpu *t = vcpu_by_mpidr(caller->vm, target);

	if (t == NULL) {
		return PSCI_RET_INVALID_PARAMS;
	}
	if (t->state != VCPU_OFF) {
		return PSCI_RET_ALREADY_ON;
	}
	/* The entry point must be in the VM's RAM (DEN 0022D 5.1.4). */
	uint8_t probe;

	if (vm_read_guest(caller->vm, ipa_init(entry), &probe, 1) != 1) {
		return PSCI_RET_INVALID_ADDRESS;
	}
	vcpu_reset(t, entry, context);
	sched_wake(t);
	return PSCI_RET_SUCCESS;
}

static int64_t affinity_info(struct vcpu *caller, uint64_t target,
			     uint64_t level)
{
	struct vm *vm = caller->vm;
	bool found = false;

	if (level > PSCI_AFF_LEVEL_MAX) {
		return PSCI_RET_INVALID_PARAMS;
	}
	/* ON if any vCPU in the affinity instance at @p level is on. */
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		if (aff_above(i, level) != aff_above(target, level)) {
			continue;
		}
		found = true;
		if (vm->vcpus[i].state != VCPU_OFF) {
			return PSCI_AFFINITY_ON;
		}
	}
	return found ? PSCI_AFFINITY_OFF : PSCI_RET_INVALID_PARAMS;
}

/* PSCI calls with 32-bit arguments (SMC32) use only the low words. */
static uint64_t arg(const struct vcpu *vcpu, uint32_t fid, int n)
{
	bool smc64 = (fid & SMCCC_64BIT) != 0;

	return smc64 ? vcpu->regs.x[n] : (uint32_t)vcpu->regs.x[n];
}

bool psci_handle(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	*next = vcpu;
	switch (fid) {
	case PSCI_VERSION:
		vcpu_answer(vcpu, PSCI_VERSION_1_0);
		return true;
	case PSCI_FEATURES:
		/* DEN 0022D 5.1.14: 0 (no feature flags) if implemented. */
		vcpu_answer(vcpu, psci_supported((uint32_t)vcpu->regs.x[1])
				     ? PSCI_RET_SUCCESS
				     : PSCI_RET_NOT_SUPPORTED);
		return true;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		vcpu_answer(vcpu, cpu_on(vcpu, arg(vcpu, fid, 1), arg(vcpu, fid, 2),
				    arg(vcpu, fid, 3)));
		return true;
	case PSCI_CPU_OFF:
		vcpu->state = VCPU_OFF;
		*next = sched_next(vcpu);
		return true;
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		/* Every power state is standby, like WFI: SUCCESS once an
		 * interrupt is pending (DEN 0022D 5.4.2 allows a power-down
		 * request to return as if woken at once). */
		vcpu_answer(vcpu, PSCI_RET_SUCCESS);
		if (!vgic_vcpu_has_pending(vcpu)) {
			vcpu->state = VCPU_BLOCKED_WFI;
			*next = sched_next(vcpu);
		}
		return true;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		vcpu_answer(vcpu, affinity_info(vcpu, arg(vcpu, fid, 1),
					   arg(vcpu, fid, 2)));
		return true;
	case PSCI_MIGRATE_INFO_TYPE:
		vcpu_answer(vcpu, PSCI_TOS_NOT_PRESENT);
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
