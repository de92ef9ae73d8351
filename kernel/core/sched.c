/**
 * Round-robin vCPU scheduling on one physical CPU (see sched.h). A vCPU
 * blocked in WFI wakes when its virtual timer would fire; with nothing
 * runnable the CPU sleeps in WFI until the earliest such deadline.
 */
#include "hyp/sched.h"

#include "arch/sysreg.h"
#include "hyp/cpu.h"
#include "hyp/irq.h"
#include "hyp/log.h"
#include "hyp/mmio.h"
#include "hyp/panic.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

static bool vcpu_can_run(const struct vcpu *v)
{
	return v->state == VCPU_RUNNABLE && v->vm->state == VM_RUNNING;
}

/* Wake @p v if it waits in WFI and its deadline has passed. */
static void wake_if_due(struct vcpu *v, uint64_t now)
{
	if (v->state == VCPU_BLOCKED_WFI && v->vm->state == VM_RUNNING &&
	    vcpu_wake_deadline(v) <= now) {
		v->state = VCPU_RUNNABLE;
	}
}

/* Flat index over all vCPUs of all VMs, for round robin. */
static struct vcpu *vcpu_at(uint32_t flat, uint32_t *total)
{
	uint32_t n = 0;
	struct vcpu *found = NULL;

	for (uint32_t i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		if (flat >= n && flat < n + vm->vcpu_count) {
			found = &vm->vcpus[flat - n];
		}
		n += vm->vcpu_count;
	}
	*total = n;
	return found;
}

static uint32_t flat_index(const struct vcpu *v)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < v->vm->id; i++) {
		n += vm_get(i)->vcpu_count;
	}
	return n + v->index;
}

/* The next vCPU able to run after @p after (NULL: from the start). With
 * @p skip_after, @p after itself is only chosen last. */
static struct vcpu *pick(const struct vcpu *after, bool skip_after)
{
	uint32_t total;
	uint64_t now = arch_counter_now();
	uint32_t start = after ? flat_index(after) + 1 : 0;

	vcpu_at(0, &total);
	for (uint32_t k = 0; k < total; k++) {
		uint32_t total_unused;
		struct vcpu *v = vcpu_at((start + k) % total, &total_unused);

		if (skip_after && v == after) {
			continue;
		}
		wake_if_due(v, now);
		if (vcpu_can_run(v)) {
			return v;
		}
	}
	return NULL;
}

static uint64_t earliest_deadline(void)
{
	uint64_t best = VCPU_NO_DEADLINE;
	uint32_t total;

	vcpu_at(0, &total);
	for (uint32_t k = 0; k < total; k++) {
		uint32_t unused;
		struct vcpu *v = vcpu_at(k, &unused);

		if (v->state == VCPU_BLOCKED_WFI && v->vm->state == VM_RUNNING) {
			uint64_t d = vcpu_wake_deadline(v);

			best = d < best ? d : best;
		}
	}
	return best;
}

/* Is a guest vCPU other than @p v waiting for the CPU? */
static bool other_guest_runnable(const struct vcpu *v)
{
	uint32_t total;

	vcpu_at(0, &total);
	for (uint32_t k = 0; k < total; k++) {
		uint32_t unused;
		const struct vcpu *o = vcpu_at(k, &unused);

		if (o != v && !o->is_service && vcpu_can_run(o)) {
			return true;
		}
	}
	return false;
}

/* Bound the loaded guest's time on the CPU while another guest waits. */
static void arm_slice(const struct vcpu *guest)
{
	uint64_t ticks = read_sysreg(cntfrq_el0) / SCHED_SLICE_HZ;

	arch_slice_arm(other_guest_runnable(guest) ? ticks : 0);
}

/*
 * Make @p next the running vCPU. Guests get a full EL1 context switch; a
 * service runs on top of the loaded guest with a light one (vcpu_arch.h),
 * so that an MMIO round trip never pays for the full switch.
 */
static struct vcpu *switch_to(struct vcpu *next)
{
	struct cpu *cpu = cpu_this();

	if (cpu->light != NULL && cpu->light != next) {
		arch_service_leave(cpu->light, cpu->loaded);
		cpu->light = NULL;
	}
	if (vcpu_is_service(next)) {
		if (cpu->light != next) {
			arch_service_enter(next, cpu->loaded);
			cpu->light = next;
		}
	} else if (cpu->loaded != next) {
		if (cpu->loaded != NULL) {
			arch_vcpu_save(cpu->loaded);
		}
		arch_vcpu_load(next);
		cpu->loaded = next;
		arm_slice(next);
	}
	cpu->current = next;
	if (next->pending != 0) {
		vcpu_apply_pending(next);
	}
	return next;
}

struct vcpu *sched_light_enter_fp(struct vcpu *service)
{
	struct cpu *cpu = cpu_this();

	arch_service_enter(service, cpu->loaded);
	cpu->light = service;
	cpu->current = service;
	return service;
}

struct vcpu *sched_light_leave_fp(struct vcpu *guest)
{
	struct cpu *cpu = cpu_this();

	arch_service_leave(cpu->light, guest);
	cpu->light = NULL;
	cpu->current = guest;
	return guest;
}

struct vcpu *sched_switch_direct(struct vcpu *next)
{
	CHECK(vcpu_can_run(next));
	return switch_to(next);
}

/* Sleep until some vCPU can run; never spins. */
static struct vcpu *idle_until_runnable(void)
{
	bool reported = false;

	for (;;) {
		struct vcpu *v = pick(NULL, false);

		if (v != NULL) {
			return v;
		}
		uint64_t deadline = earliest_deadline();

		if (deadline == VCPU_NO_DEADLINE && !reported) {
			log_warn("every vCPU waits in WFI with no wake-up source; "
				 "CPU idle");
			reported = true;
		}
		arch_sleep_until(deadline);
		irq_handle_pending();
		cpu_this()->slice_expired = false;
	}
}

struct vcpu *sched_next(struct vcpu *current)
{
	if (vcpu_can_run(current)) {
		return switch_to(current);
	}
	if (cpu_this()->loaded == current && current->state == VCPU_BLOCKED_WFI) {
		arch_vcpu_timer_sync(current);
	}
	struct vcpu *next = pick(current, false);

	if (next == NULL) {
		next = idle_until_runnable();
	}
	return switch_to(next);
}

struct vcpu *sched_preempt(struct vcpu *current)
{
	struct cpu *cpu = cpu_this();

	if (cpu->slice_expired) {
		cpu->slice_expired = false;
		/* Never preempt a service in the middle of a request. */
		if (!current->is_service) {
			return sched_yield(current);
		}
		arm_slice(cpu->loaded);
	}
	for (uint32_t i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		if (vm->cfg->kind == CFG_VM_SERVICE && vm->vcpus[0].state == VCPU_RUNNABLE &&
		    vm->state == VM_RUNNING && &vm->vcpus[0] != current) {
			return switch_to(&vm->vcpus[0]);
		}
	}
	return sched_next(current);
}

struct vcpu *sched_yield(struct vcpu *current)
{
	struct vcpu *next = pick(current, true);

	if (next == NULL || next == cpu_this()->loaded) {
		/* Nobody else: keep going, with a new slice if one is due. */
		if (!current->is_service) {
			arm_slice(current);
		}
		return switch_to(next != NULL ? next : current);
	}
	return switch_to(next);
}

_Noreturn void sched_start(void)
{
	struct vcpu *first = pick(NULL, false);

	log_info("partitions start at counter %llu",
		 (unsigned long long)arch_counter_now());

	if (first == NULL) {
		first = idle_until_runnable();
	}
	arch_vcpu_enter(switch_to(first));
}
