#pragma once
/**
 * The life cycle of a service partition, in one place: how it faults
 * (HYP_IPC_FAULT, an exception the trap path will not deliver to it, or
 * stopping to answer: WFI, PSCI CPU_SUSPEND/CPU_OFF), its reply deadline,
 * its restart from its image with the access in flight sent again, and
 * the policy once it is gone for good (its clients stop).
 *
 * Where each step is triggered: trap.c (exceptions, WFI), hypercall.c
 * (PSCI), ipc.c (HYP_IPC_FAULT), sched.c (the deadline, armed on the EL2
 * timer while the service runs; ipc_begin_work() in hyp/ipc.h sets it),
 * vm.c (vm_stop of a service). Everything runs under the kernel lock.
 */

#include "hyp/vm.h"

struct vcpu;

/** A service may be restarted this many times before it stays stopped. */
#define SERVICE_RESTART_MAX 64

/**
 * The service of @p ep stops for good (vm_stop) or is being restarted
 * (@p restart): what it was given and has not answered is settled. Calls,
 * queued or in flight, get IPC_ERR_DEAD, as their callers can retry them.
 * A stopped service's MMIO accesses fail too (the guest takes an abort).
 * A restarted one's accesses it had not yet received stay queued for the
 * new instance, and the element it was serving goes first in line again
 * (its guest stays blocked and never sees the crash; a pair resumes at
 * the element in flight). That element is sent again only once: if the
 * restarted service dies on it too, the access aborts (a poison access
 * cannot crash a service for ever). Its reads go to it as messages again
 * and its timer is cancelled.
 */
void service_endpoint_close(struct endpoint *ep, bool restart);

/**
 * A service faulted: its MMIO accesses in flight or queued go to the
 * restarted service (the one it died on only once, then it aborts) and
 * calls return IPC_ERR_DEAD; it restarts from its pristine image with
 * fresh RAM, except RAM regions marked @c keep, and its interrupts
 * unmasked. After SERVICE_RESTART_MAX restarts it is given up instead:
 * stopped, with its clients (vm_stop, service_dead).
 */
void service_restart(struct vm *vm);

/**
 * A service stopped answering without faulting: it idled (@p what: WFI,
 * PSCI CPU_SUSPEND) or powered its only vCPU off (PSCI CPU_OFF). It waits
 * for work only in HYP_IPC_RECV, and nothing else would wake it, nor reach
 * its reply deadline (checked only while it runs): logged as a fault and
 * restarted (service_restart).
 */
void service_stalled(struct vm *vm, const char *what);

/**
 * The running @p service was given work and is still busy at counter
 * @p now, past its deadline (IPC_REPLY_TIMEOUT_MS): logged and restarted,
 * returns true. False if it still has time.
 */
bool service_overdue(struct vcpu *service, uint64_t now);

/** HYP_IPC_FAULT: a service reports a fault its vectors caught (a guest
 * is denied by ipc_hypercall()). */
struct vcpu *service_fault_call(struct vcpu *vcpu);

/**
 * PSCI power calls from a service (false for the others, which psci.c
 * answers as for any partition): CPU_SUSPEND and CPU_OFF are a stall,
 * SYSTEM_RESET a restart. SYSTEM_OFF ends it for good (psci.c, vm_stop).
 */
bool service_psci(struct vcpu *vcpu, uint32_t fid, struct vcpu **next);

/**
 * @p service is gone for good (@p why; vm_stop calls this once it is
 * stopped): every guest that uses it is stopped too, with one log line
 * naming the service and the reason (VM_STOP_SERVICE_DEAD).
 */
void service_dead(struct vm *service, enum vm_stop_reason why);
