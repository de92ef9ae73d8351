#pragma once
/**
 * vCPU scheduling on every physical CPU: per-CPU round robin over the
 * guest vCPUs homed there, services first; when none is runnable, the CPU
 * sleeps in WFI until the earliest virtual-timer deadline of a blocked
 * vCPU or a kick (never a busy loop). See sched.c for the policy.
 */
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/**
 * The vCPU to run after @p current trapped (NULL: none, sched_start()):
 * @p current if it can still run, otherwise the next runnable one,
 * sleeping if there is none. Loads the
 * chosen vCPU's state into the CPU. Never returns NULL; powers the machine
 * off when no guest is left.
 */
struct vcpu *sched_next(struct vcpu *current);

/** Length of a guest's time slice when others wait: 1/SCHED_SLICE_HZ s. */
#define SCHED_SLICE_HZ 100

/**
 * After an interrupt: a runnable service first; at the end of a time
 * slice the next runnable guest; else @p current.
 */
struct vcpu *sched_preempt(struct vcpu *current);

#ifdef HYP_HOST
/* POSIX has a sched_yield() the host's sanitizer runtime calls: host
 * tests link the kernel's under another name. */
#define sched_yield hyp_sched_yield
#endif
/** Give the CPU to another runnable vCPU if there is one (WFE, yield). */
struct vcpu *sched_yield(struct vcpu *current);

/**
 * Switch straight to @p next (IPC fast path: no scheduler pass). @p next
 * must be runnable.
 */
struct vcpu *sched_switch_direct(struct vcpu *next);

/**
 * Fast-path switches between the loaded guest and a service on top of it
 * (the light context): the caller has checked that no service is active
 * (enter) or that @p guest is the loaded guest under the active service
 * (leave). Their slow-path twin is sched_switch_direct().
 */
struct vcpu *sched_light_enter_fp(struct vcpu *service);
struct vcpu *sched_light_leave_fp(struct vcpu *guest);

/**
 * Make @p v runnable and tell the CPU that will run it: its home CPU
 * (guests), or an idle CPU (services). Callers hold the kernel lock.
 */
void sched_wake(struct vcpu *v);

/** Does another online CPU run nothing now (so that a service woken from
 * here would run there at once, sched_wake())? */
bool sched_cpu_idle_elsewhere(void);

/** The running vCPU of this CPU must exit by @p when (the counter): its
 * EL2 timer fires then at the latest. (A running service that took a new
 * message itself, RECV or REPLY_RECV finding one waiting, is bounded so
 * by its reply deadline, as a switch to it would.) */
void sched_exit_by(uint64_t when);

/** True if this CPU may run @p v now (its home, or a free service). */
bool sched_runs_here(const struct vcpu *v);

/** Give every guest vCPU its home CPU, round robin over online CPUs. */
void sched_assign_homes(void);

/** Start scheduling on this CPU; never returns. */
_Noreturn void sched_start(void);
