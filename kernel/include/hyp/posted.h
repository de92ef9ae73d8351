#pragma once
/**
 * Posted writes (HYP_IPC_WINDOW_READS x5, abi/ipc.h): a guest's store to a
 * register its service posts completes in the trap, appended to the ring of
 * the window's page, with no message and no switch (as Xen's buffered
 * ioreqs). A console's transmit register is the use: Linux prints each byte
 * with one store.
 *
 * Order. The service takes the ring before anything else of that window
 * (its rule). The kernel keeps the rest: any other exit of a vCPU whose VM
 * has writes in a ring (a hypercall, WFI, a trapped instruction, an access
 * outside its devices, the end of its slice, whether it goes on or yields)
 * first sends the service IPC_MSG_POSTED and waits for its reply, so that
 * nothing the guest does next (a kernel log line about it, its debug
 * console, a power-off) overtakes its earlier stores; its instruction then
 * runs again. An access forwarded to another device's service does not
 * wait (trap.c: the MMIO fast path), nor does an interrupt exit within
 * the slice. A vCPU that posts arms its CPU's EL2 timer
 * IPC_POSTED_DELAY_US ahead, so the writes wait no longer than that.
 */
#include <stdbool.h>
#include <stdint.h>

struct mmio_window;
struct vcpu;

/**
 * @p v stores @p width bytes of @p value at @p offset of @p win. Returns
 * true if the store was posted (the caller completes the instruction);
 * false if it is not a posted register, the ring is full, or another
 * window of its VM has writes waiting: it is then an ordinary access.
 */
bool posted_write(struct vcpu *v, struct mmio_window *win, uint64_t offset,
		  uint8_t width, uint64_t value);

/** When writes posted now must have been taken: IPC_POSTED_DELAY_US
 * ahead on the physical counter. */
uint64_t posted_deadline(void);

/**
 * An exit of guest @p v other than a posted write, a served read or a quiet
 * store (hyp/window_quiet.h), with
 * v->vm->posted set: must its VM's posted writes be taken first? False if
 * none waits, or they were just taken for @p v (its exit goes on then).
 */
bool posted_pending(struct vcpu *v);

/**
 * After posted_pending(): @p v waits for the service's reply to
 * IPC_MSG_POSTED, then runs its trapped instruction again (the caller has
 * set its PC back to it). Returns the vCPU to run.
 */
struct vcpu *posted_take(struct vcpu *v);
