/**
 * vCPU scheduling on every physical CPU (see sched.h).
 *
 * Run queues: every guest vCPU has a home CPU, fixed at boot
 * (sched_assign_homes(), round robin; no migration), and only its home CPU
 * runs it, so its EL1 state and list registers never leave that CPU.
 * A CPU's run queue is the set of guest vCPUs homed on it, served round
 * robin. Service vCPUs have no home: any CPU runs a runnable service that
 * is not current on another CPU, on its light context.
 *
 * Priorities: services before guests (a service holds up the guests it
 * serves). Guests of one CPU share it in time slices of the EL2 timer
 * (CNTHP) while more than one is runnable. A vCPU blocked in WFI wakes
 * when its virtual timer would fire; with nothing runnable the CPU sleeps
 * in WFI (never a busy loop) until that deadline or a kick from another
 * CPU. Everything here runs under the kernel lock (hyp/klock.h).
 */
#include "hyp/sched.h"

#include "arch/trap.h"
#include "hyp/arch_gic.h"
#include "hyp/cpu.h"
#include "hyp/irq.h"
#include "hyp/log.h"
#include "hyp/mmio.h"
#include "hyp/panic.h"
#include "hyp/service.h"
#include "hyp/service_event.h"
#include "hyp/posted.h"
#include "hyp/vtimer.h"

static bool vcpu_can_run(const struct vcpu *v)
{
	return v->state == VCPU_RUNNABLE && v->vm->state == VM_RUNNING;
}

/* May @p cpu run @p v: its home, or a service current nowhere else. */
static bool runs_on(const struct vcpu *v, const struct cpu *cpu)
{
	return v->is_service ? v->on_cpu == NULL || v->on_cpu == cpu
			     : v->home == cpu;
}

/*
 * Service vCPUs, listed once at boot (sched_assign_homes(), before any
 * other CPU schedules) and read-only afterwards.
 */
static struct vcpu *service_vcpus[CFG_MAX_VMS];
static uint32_t service_count;
/** The CPU no guest calls home that the services' interrupts go to
 * (route_service_irqs()), or NULL; set with the list above. */
static struct cpu *service_home;

/*
 * Wake @p v if it waits in WFI and its virtual timer is due (*now: the
 * counter, read on first need). Returns its deadline if still ahead,
 * else VCPU_NO_DEADLINE.
 */
static uint64_t wake_if_due(struct vcpu *v, uint64_t *now)
{
	uint64_t deadline;

	if (v->state != VCPU_BLOCKED_WFI || v->vm->state != VM_RUNNING) {
		return VCPU_NO_DEADLINE;
	}
	deadline = vcpu_wake_deadline(v);
	if (deadline == VCPU_NO_DEADLINE) {
		return VCPU_NO_DEADLINE;
	}
	if (*now == 0) {
		*now = arch_counter_now();
	}
	if (deadline <= *now) {
		v->state = VCPU_RUNNABLE;
		return VCPU_NO_DEADLINE;
	}
	return deadline;
}

/* A runnable service @p cpu may run, other than @p except. */
static struct vcpu *pick_service(const struct cpu *cpu, const struct vcpu *except)
{
	for (uint32_t i = 0; i < service_count; i++) {
		struct vcpu *s = service_vcpus[i];

		/* Its state first: most services wait, and that ends it. */
		if (vcpu_can_run(s) && s != except && runs_on(s, cpu)) {
			return s;
		}
	}
	return NULL;
}

/*
 * The next vCPU of @p cpu's run queue able to run, round robin after
 * @p after (NULL or not in this queue: from the first). With
 * @p skip_after, @p after itself is never chosen. If none can and
 * @p ahead is not NULL, *ahead is the earliest wake-up deadline still
 * ahead among them (what next_deadline() would find in the run queue).
 */
static struct vcpu *pick_guest(const struct cpu *cpu, const struct vcpu *after,
			       bool skip_after, uint64_t *ahead)
{
	uint64_t now = 0;
	uint64_t best = VCPU_NO_DEADLINE;
	uint32_t n = cpu->runq_len;
	bool mine = after != NULL && after->home == cpu;
	uint32_t start = mine ? after->runq_index + 1 : 0;

	for (uint32_t k = 0; k < n; k++) {
		struct vcpu *v = cpu->runq[(start + k) % n];

		if (skip_after && v == after) {
			continue;
		}
		uint64_t d = wake_if_due(v, &now);

		if (vcpu_can_run(v)) {
			return v;
		}
		best = d < best ? d : best;
	}
	if (ahead != NULL) {
		*ahead = best;
	}
	return NULL;
}

/* A service, else a guest (pick_guest(), @p ahead as there). */
static struct vcpu *pick(const struct cpu *cpu, const struct vcpu *after,
			 uint64_t *ahead)
{
	struct vcpu *s = pick_service(cpu, NULL);

	return s != NULL ? s : pick_guest(cpu, after, false, ahead);
}

/*
 * Wake @p cpu's guests waiting in WFI whose virtual timer is due, and
 * services whose timer is due (*woke tells if any did), and return the
 * earliest deadline still ahead, or
 * VCPU_NO_DEADLINE. A deadline already past is never returned: armed on
 * the EL2 timer it would fire at once, again and again.
 */
static uint64_t next_deadline(const struct cpu *cpu, bool *woke)
{
	uint64_t best = VCPU_NO_DEADLINE;
	uint64_t now = 0;

	*woke = false;
	for (uint32_t k = 0; k < cpu->runq_len; k++) {
		struct vcpu *v = cpu->runq[k];
		bool waiting = v->state == VCPU_BLOCKED_WFI;
		uint64_t d = wake_if_due(v, &now);

		*woke = *woke || (waiting && v->state == VCPU_RUNNABLE);
		best = d < best ? d : best;
	}
	/* And services' timers, if this CPU watches them. */
	uint64_t s = service_timer_poll(cpu, woke);

	return s < best ? s : best;
}

/* Is a guest vCPU homed with @p v, other than @p v, waiting for the CPU? */
static bool other_guest_runnable(const struct vcpu *v)
{
	const struct cpu *cpu = v->home;

	for (uint32_t k = 0; cpu != NULL && k < cpu->runq_len; k++) {
		if (cpu->runq[k] != v && vcpu_can_run(cpu->runq[k])) {
			return true;
		}
	}
	return false;
}

/*
 * Is a service runnable here, while none runs on top of the guest? A
 * service on its way out (switch_to() a guest from it, the light context
 * left already) that was woken meanwhile counts. While one runs, the next
 * waits for it to wait again (after_service()): an EL2 timer at once
 * would only bounce the CPU between the two. Clears cpu->service_due
 * once none is runnable.
 */
static bool service_waits(struct cpu *cpu)
{
	if (cpu->light != NULL) {
		return false;
	}
	if (pick_service(cpu, NULL) != NULL) {
		return true;
	}
	cpu->service_due = false;
	return false;
}

/* service_due_soon() when something may be due (out of the hot path). */
static __attribute__((noinline)) void due_now(struct cpu *cpu)
{
	bool service = cpu->service_due && service_waits(cpu);

	if (service || cpu->slice_over) {
		cpu_arm_by(cpu, arch_counter_now());
	}
}

/*
 * This CPU turns to a guest from a service without a pick (a reply's
 * direct switch, the fast path): a service woken or displaced here that
 * still waits gets the CPU at once, through the EL2 timer, and so does
 * the next guest if this one's slice ended under the service.
 */
static inline void service_due_soon(struct cpu *cpu)
{
	if (__builtin_expect(cpu->service_due | cpu->slice_over, 0)) {
		due_now(cpu);
	}
}

/*
 * Program the EL2 timer while @p guest has the CPU: the end of its time
 * slice if another guest of this CPU is runnable, or the wake-up deadline
 * of another guest here waiting in WFI (its virtual timer is not live in
 * hardware, so nothing else would wake it), whichever comes first. A new
 * slice (@p fresh) replaces the armed time; otherwise it is only brought
 * forward, so that wake-ups cannot keep extending the running guest's turn.
 */
static void arm_slice(struct cpu *cpu, const struct vcpu *guest, bool fresh)
{
	bool woke;
	uint64_t at = next_deadline(cpu, &woke);

	if ((woke || cpu->service_due) && service_waits(cpu)) {
		/* A service woken here (a timer of it fired just now, or
		 * sched_wake() found no idle CPU) runs first: a new slice must
		 * not push its timer back, and no other CPU may have an exit
		 * soon (lone guests wait in WFI in hardware). */
		at = arch_counter_now();
	} else if (guest != NULL && other_guest_runnable(guest)) {
		uint64_t end = arch_counter_now() +
			       arch_counter_freq() / SCHED_SLICE_HZ;

		at = end < at ? end : at;
	}
	if (guest != NULL && guest->vm->posted != NULL) {
		/* Its VM's posted writes still wait (the timer their first
		 * write armed was replaced, e.g. while a service ran on top):
		 * the timer takes them, a lone vCPU's WFI would not. */
		uint64_t due = posted_deadline();

		at = due < at ? due : at;
	}
	if (!fresh && cpu->slice_armed && cpu->slice_at <= at) {
		return;
	}
	cpu->slice_armed = at != VCPU_NO_DEADLINE;
	cpu->slice_at = at;
	cpu->slice_stale = false;
	arch_slice_arm_at(at);
}

/* A fresh slice replaces the armed time only at an exit of the running
 * vCPU, which is all the caller waits for. */
void sched_exit_by(uint64_t when)
{
	cpu_arm_by(cpu_this(), when);
}

static void set_current(struct cpu *cpu, struct vcpu *next)
{
	if (cpu->current != next) {
		if (cpu->current != NULL && cpu->current->on_cpu == cpu) {
			cpu->current->on_cpu = NULL;
		}
		if (next != NULL) {
			next->on_cpu = cpu;
		}
		cpu->current = next;
	}
}

/* Give the loaded guest its EL1 registers back from a service on top. */
static void leave_light(struct cpu *cpu)
{
	if (cpu->light != NULL) {
		arch_service_leave(cpu->light, cpu->loaded);
		cpu->light = NULL;
	}
}

/* Full EL1 switch to guest @p next (a reset vCPU reloads even if loaded). */
static void load_guest(struct cpu *cpu, struct vcpu *next)
{
	struct vcpu *old = cpu->loaded;

	if (old == next && !next->ctx_fresh) {
		/* Back from a service on top, or a yield with nobody else: the
		 * guest's slice (or a waiting guest's wake-up) may have been
		 * consumed meanwhile. */
		if (cpu->slice_stale) {
			arm_slice(cpu, next, true);
		}
		return;
	}
	if (old != NULL && old->ctx_fresh) {
		/* Reset meanwhile (CPU_ON, SYSTEM_RESET): nothing to save. */
		arch_vcpu_discard();
	} else if (old != NULL && old != next) {
		arch_vcpu_save(old);
	}
	arch_vcpu_load(next);
	next->ctx_fresh = false;
	cpu->loaded = next;
	cpu->slice_over = false;
	vtimer_unmask();
	arm_slice(cpu, next, true);
}

/*
 * Make @p next the running vCPU. Guests get a full EL1 context switch; a
 * service runs on top of the loaded guest with a light one (vcpu_arch.h),
 * so that an MMIO round trip never pays for the full switch.
 */
static struct vcpu *switch_to(struct vcpu *next)
{
	struct cpu *cpu = cpu_this();

	CHECK(runs_on(next, cpu));
	if (cpu->light != next) {
		leave_light(cpu);
	}
	if (vcpu_is_service(next)) {
		if (cpu->light != next) {
			arch_service_enter(next, cpu->loaded);
			cpu->light = next;
		}
		cpu_arm_by(cpu, next->vm->ep.deadline);
	} else {
		load_guest(cpu, next);
		cpu->turn_ended = NULL;
		service_due_soon(cpu);
	}
	set_current(cpu, next);
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
	service->on_cpu = cpu;
	cpu_arm_by(cpu, service->vm->ep.deadline);
	return service;
}

struct vcpu *sched_light_leave_fp(struct vcpu *guest)
{
	struct cpu *cpu = cpu_this();

	cpu->light->on_cpu = NULL;
	arch_service_leave(cpu->light, guest);
	cpu->light = NULL;
	cpu->current = guest;
	service_due_soon(cpu);
	return guest;
}

struct vcpu *sched_switch_direct(struct vcpu *next)
{
	CHECK(vcpu_can_run(next));
	return switch_to(next);
}

bool sched_runs_here(const struct vcpu *v)
{
	return runs_on(v, cpu_this());
}

/*
 * The guest still loaded on idle @p cpu (blocked, e.g. waiting for a
 * service's answer) may hold pending interrupts in its LRs: they must not
 * end the idle WFI (arch_vgic_quiet(); what it returns is not needed).
 * Its next entry refills them and turns the interface on again
 * (vgic_prepare_entry()). Before every sleep: an injection into it
 * meanwhile wrote its LRs, turning it on.
 */
static void quiesce_loaded(struct cpu *cpu)
{
	if (cpu->loaded != NULL) {
		(void)arch_vgic_quiet();
		cpu->loaded->vgic_dirty = true;
	}
}

/*
 * Sleep until some vCPU can run here; never spins. The caller has just
 * found nothing to run, and @p ahead is the run queue's earliest wake-up
 * deadline that pick() found (under the lock since: the first round need
 * not walk the run queue again, only the services' timers).
 */
static struct vcpu *idle_until_runnable(struct cpu *cpu, uint64_t ahead)
{
	bool first = true;

	/* Another CPU may pick the service up: its state must be saved. */
	leave_light(cpu);
	set_current(cpu, NULL);
	for (;;) {
		bool woke = false;
		uint64_t deadline;

		if (first) {
			uint64_t s = service_timer_poll(cpu, &woke);

			deadline = s < ahead ? s : ahead;
			first = false;
		} else {
			deadline = next_deadline(cpu, &woke);
		}

		if (!woke) {
			/* The sleep uses (and disarms) the EL2 timer, if
			 * anything had it armed; slice_at is what it sleeps
			 * until, for service_timer_set() on another CPU. A
			 * kick sent after the unlock stays pending and ends
			 * WFI. */
			cpu->slice_stale = cpu->slice_stale || cpu->slice_armed ||
					   deadline != VCPU_NO_DEADLINE;
			cpu->slice_armed = deadline != VCPU_NO_DEADLINE;
			cpu->slice_at = deadline;
			quiesce_loaded(cpu);
			kernel_unlock();
			arch_sleep_until(deadline);
			kernel_lock();
			irq_handle_pending();
			/* A kick may bring a deadline set on another CPU (a
			 * service timer this CPU watches): re-armed before any
			 * guest runs, also the one loaded already. */
			cpu->slice_stale = cpu->slice_stale || cpu->kicked;
			cpu->slice_armed = false;
			cpu->slice_expired = false;
			cpu->kicked = false;
		}

		struct vcpu *v = pick(cpu, NULL, NULL);

		if (v != NULL && v->is_service && cpu->slice_stale) {
			/* What a kick brought (a service timer set elsewhere)
			 * and the loaded guest's wake-up stay armed while the
			 * service runs, up to its reply deadline. */
			arm_slice(cpu, cpu->loaded, false);
		}
		if (v != NULL) {
			return v;
		}
	}
}

/*
 * The service that ran waits again: the guest it ran on top of goes on
 * with its turn, unless that turn ended (cpu->turn_ended, sched_yield()):
 * then the round robin goes on after it. Another runnable service comes
 * first either way. (Not inlined: off the guest-only paths.)
 */
static __attribute__((noinline)) struct vcpu *
after_service(struct cpu *cpu, uint64_t *ahead)
{
	struct vcpu *g = cpu->loaded;

	if (cpu->turn_ended == NULL && g != NULL && vcpu_can_run(g) &&
	    pick_service(cpu, NULL) == NULL) {
		return g;
	}
	return pick(cpu, cpu->turn_ended, ahead);
}

struct vcpu *sched_next(struct vcpu *current)
{
	struct cpu *cpu = cpu_this();

	if (current != NULL && vcpu_can_run(current) && runs_on(current, cpu)) {
		/* The guest that trapped goes on, loaded and alone (e.g. after
		 * an interrupt for it): of switch_to() only this is left. */
		if (current == cpu->current && current == cpu->loaded &&
		    cpu->light == NULL && !current->ctx_fresh &&
		    !cpu->slice_stale && current->pending == 0) {
			cpu->turn_ended = NULL;
			return current;
		}
		return switch_to(current);
	}
	if (current != NULL && cpu->loaded == current &&
	    current->state == VCPU_BLOCKED_WFI) {
		arch_vcpu_timer_sync(current);
	}
	uint64_t ahead = VCPU_NO_DEADLINE;
	struct vcpu *next = current != NULL && current->is_service
				    ? after_service(cpu, &ahead)
				    : pick(cpu, current, &ahead);

	if (next == NULL) {
		next = idle_until_runnable(cpu, ahead);
	}
	return switch_to(next);
}

/*
 * A guest's slice ended (or the timer posted_write() armed fired): its VM's
 * posted writes are taken first (hyp/posted.h), whether it goes on or
 * yields. Taking them only when it went on let two guests that make no
 * other exit hand the CPU to each other at every slice's end with their
 * writes never taken (test_posted.py, two spinners; IPC_POSTED_DELAY_US is
 * the bound). The slice stays over: once the service has answered, the CPU
 * turns to a runnable neighbour (slice_over).
 */
static struct vcpu *yield_or_take_posted(struct vcpu *current)
{
	if (current->vm->posted != NULL && posted_pending(current)) {
		cpu_this()->slice_over = other_guest_runnable(current);
		return posted_take(current);
	}
	return sched_yield(current);
}

struct vcpu *sched_preempt(struct vcpu *current)
{
	struct cpu *cpu = cpu_this();

	if (cpu->slice_expired) {
		cpu->slice_expired = false;
		cpu->slice_armed = false;
		cpu->slice_stale = true;
		/* Never preempt a service in the middle of a request, but
		 * never wait forever for its answer either. */
		if (!current->is_service) {
			cpu->slice_over = false;
			return yield_or_take_posted(current);
		}
		if (service_overdue(current, arch_counter_now())) {
			return sched_next(current);
		}
		/* The guest under it used its slice up: a new one would let
		 * a guest that is nearly always in a service call (its
		 * slices end there) keep the CPU from its neighbours. */
		cpu->slice_over = cpu->loaded != NULL &&
				  other_guest_runnable(cpu->loaded);
		arm_slice(cpu, cpu->loaded, true);
		cpu_arm_by(cpu, current->vm->ep.deadline);
	}
	if (cpu->kicked) {
		/* A guest of this CPU may have become runnable elsewhere, or
		 * a service deadline been set there: armed before a service
		 * is picked, which may run up to its reply timeout. */
		cpu->kicked = false;
		arm_slice(cpu, cpu->loaded, false);
	}
	struct vcpu *s = pick_service(cpu, current);

	if (s != NULL) {
		/* A service displaced in the middle of its work goes on when
		 * this CPU next turns to a guest, whichever way
		 * (service_due_soon()), not at some other CPU's exit. */
		bool displaced = current->is_service && vcpu_can_run(current);
		struct vcpu *next = switch_to(s);

		cpu->service_due = cpu->service_due || displaced;
		return next;
	}
	return sched_next(current);
}

struct vcpu *sched_yield(struct vcpu *current)
{
	struct cpu *cpu = cpu_this();
	struct vcpu *next = pick_service(cpu, current);

	if (next == NULL) {
		next = pick_guest(cpu, current, true, NULL);
	}
	if (next != NULL) {
		cpu->turn_ended = current->is_service ? NULL : current;
		return switch_to(next);
	}
	/* Nobody else: keep going, with a new slice if one is due. */
	if (!current->is_service && vcpu_can_run(current)) {
		arm_slice(cpu, current, true);
		return switch_to(current);
	}
	return sched_next(current);
}

/* An online CPU other than @p cpu that runs nothing, or NULL: the
 * services' own first (a guest homed on another may need it soon). */
static struct cpu *idle_cpu_but(const struct cpu *cpu)
{
	if (service_home != NULL && service_home->current == NULL &&
	    service_home != cpu) {
		return service_home;
	}
	for (uint32_t i = 0; i < CPU_MAX; i++) {
		struct cpu *c = &cpu_table[i];

		if (c->online && c->current == NULL && c != cpu) {
			return c;
		}
	}
	return NULL;
}

bool sched_cpu_idle_elsewhere(void)
{
	return idle_cpu_but(cpu_this()) != NULL;
}

void sched_wake(struct vcpu *v)
{
	struct cpu *cpu = cpu_this();

	v->state = VCPU_RUNNABLE;
	if (v->home == cpu && cpu->loaded != NULL && cpu->loaded != v) {
		/* Share this CPU with the guest running on it. */
		arm_slice(cpu, cpu->loaded, false);
		return;
	}
	if (v->home != NULL) {
		cpu_kick(v->home);
		return;
	}
	/* A service: this CPU, idle, takes it once the interrupt that woke
	 * it is handled (its idle loop picks again); another idle CPU can
	 * take it at once (a kick for both would only race them). */
	struct cpu *idle = cpu->current == NULL ? cpu : idle_cpu_but(cpu);

	if (idle != NULL) {
		if (idle != cpu) {
			cpu_kick(idle);
		}
		return;
	}
	/* Else this CPU, at once: services before guests, and a guest
	 * spinning without a trap must not outlast the service's deadline
	 * (armed from now). Its EL2 timer fires on the next entry, and
	 * sched_preempt() picks the service; woken by its device's
	 * interrupt, after which the trap path (sched_preempt) or the idle
	 * loop picks it anyway, the timer (two register writes and another
	 * interrupt) is not needed. */
	if (cpu->current != NULL && !cpu->in_irq) {
		cpu->service_due = true;
		cpu->slice_armed = true;
		cpu->slice_at = arch_counter_now();
		arch_slice_arm_at(cpu->slice_at);
	}
}

/*
 * The services' own interrupts (their devices') go to the last CPU that
 * no guest vCPU calls home, if there is one: a service woken there runs
 * there at once, and the guests' CPUs neither take the interrupt nor
 * switch to the service (each switch flushes QEMU TCG's TLB,
 * docs/benchmarks.md). Otherwise they stay with CPU 0 (gic.c).
 */
static void route_service_irqs(const uint32_t *guests_on, uint32_t ncpu)
{
	for (uint32_t i = ncpu; i-- > 1;) {
		if (guests_on[i] == 0) {
			service_home = &cpu_table[i];
			irq_route_owned(cpu_table[i].gic_mask);
			log_info("services' interrupts go to cpu %u", i);
			return;
		}
	}
}

void sched_assign_homes(void)
{
	uint32_t ncpu = cpu_count();
	uint32_t guests_on[CPU_MAX] = { 0 };
	uint32_t k = 0;

	for (uint32_t i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		if (vm->cfg->kind == CFG_VM_SERVICE) {
			service_vcpus[service_count++] = &vm->vcpus[0];
			continue;
		}
		for (uint32_t j = 0; j < vm->vcpu_count; j++) {
			struct cpu *home = &cpu_table[k++ % ncpu];
			struct vcpu *v = &vm->vcpus[j];

			v->home = home;
			v->runq_index = home->runq_len;
			home->runq[home->runq_len++] = v;
			guests_on[home->id]++;
		}
	}
	for (uint32_t i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		for (uint32_t j = 0; j < vm->vcpu_count && !vm->vcpus[j].is_service; j++) {
			struct vcpu *v = &vm->vcpus[j];

			/* A vCPU sharing its CPU yields in WFI and WFE. */
			arch_vcpu_set_shares_cpu(v, guests_on[v->home->id] > 1);
			if (ncpu == 1) {
				continue;
			}
			log_info("vm '%s' vcpu %u runs on cpu %u%s", vcpu_vm_name(v),
				 j, v->home->id,
				 v->shares_cpu ? " (shared: WFI and WFE yield)" : "");
		}
	}
	route_service_irqs(guests_on, ncpu);
}

_Noreturn void sched_start(void)
{
	if (cpu_this()->id == 0) {
		log_info("partitions start at counter %lu", arch_counter_now());
	}
	/* Nothing trapped: the first pick, as after a vCPU that stopped. */
	arch_vcpu_enter(kernel_exit(sched_next(NULL)));
}
