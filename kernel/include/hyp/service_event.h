#pragma once
/**
 * Events the kernel tells a service, as messages of their own (abi/ipc.h):
 * its one timer fired (IPC_MSG_TIMER; HYP_IPC_TIMER_SET) and a client VM
 * reset (IPC_MSG_RESET). They wait in the endpoint (events) and are taken
 * before notifications and queued messages, so a reset is told before
 * any access of the client's next run, which can only queue behind it.
 *
 * Timer deadlines are physical counter values (services run with
 * CNTVOFF_EL2 = 0). The boot CPU (SERVICE_TIMER_CPU) watches them: the
 * earliest one joins the deadlines its EL2 timer (CNTHP) is armed for,
 * running or idle (sched.c, next_deadline), and when that timer fires the
 * services whose deadline passed are woken (irq.c). A deadline therefore
 * fires at the first CNTHP interrupt at or after it, never before.
 *
 * Across a restart of the service (service.c, service_endpoint_close): its timer
 * is cancelled and a fired one not yet taken dropped, as at boot (a
 * service that keeps an alarm in kept RAM sets it again); client resets
 * not yet told, and the one it died handling, are told to the new
 * instance. Everything runs under the kernel lock.
 */
#include <stdbool.h>
#include <stdint.h>

#include "abi/ipc.h"

struct cpu;
struct endpoint;
struct vcpu;
struct vm;

/** Bit of endpoint.events: the timer fired (timer_fired says which). */
#define SERVICE_EVENT_TIMER 1U
/** Bit of endpoint.events: client VM @p id (vm.id) reset. */
#define SERVICE_EVENT_RESET_SHIFT 1U
#define SERVICE_EVENT_RESET(id) (1U << ((id) + SERVICE_EVENT_RESET_SHIFT))
/** The CPU that watches service deadlines: the boot CPU, always online. */
#define SERVICE_TIMER_CPU 0U

/**
 * The service of @p ep asks for its next message: forget the reset it was
 * handling, and if an event waits, write its message into @p msg (zeroed
 * by the caller) and return true (resets first, lowest VM id first, then
 * the timer).
 */
bool service_event_take(struct endpoint *ep, uint64_t msg[IPC_MSG_WORDS]);

/** HYP_IPC_TIMER_SET from service @p vcpu (x1 = deadline, 0 = cancel;
 * ipc_hypercall() refuses a guest). */
struct vcpu *service_timer_set(struct vcpu *vcpu);

/**
 * On @p cpu, if it is SERVICE_TIMER_CPU: fire every running service's
 * deadline that has passed (waking a service waiting in RECV; *woke, if
 * not NULL, becomes true) and return the earliest deadline still ahead.
 * Otherwise, and with none ahead, VCPU_NO_DEADLINE.
 */
uint64_t service_timer_poll(const struct cpu *cpu, bool *woke);

/** Guest @p client is being reset: tell every running service that
 * serves one of its windows (IPC_MSG_RESET). */
void service_client_reset(const struct vm *client);

/** Has a running service not yet handled @p client's reset (told, or
 * being told)? Its vCPUs wait until none has (vm_reset_resume()): a
 * service stops what it does for the client (a disk's DMA into its RAM)
 * before the client runs again. Handled = it came back for more work. */
bool service_reset_pending(const struct vm *client);
