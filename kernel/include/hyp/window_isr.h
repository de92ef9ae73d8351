#pragma once
/**
 * Interrupt status registers the kernel keeps for a service
 * (HYP_IPC_WINDOW_ISR, abi/ipc.h): a write-1-to-clear status word in a
 * window's register shadow page and the window's interrupt line, which
 * follows it. A client's acknowledge store completes in the trap, so that
 * a virtio driver's InterruptACK costs no switch to the service (under
 * QEMU's TCG each switch flushes the guest's TLB: docs/benchmarks.md).
 * The word is written through the kernel's Non-cacheable alias, as the
 * service and the client map the page (vm.c).
 */
#include <stdbool.h>
#include <stdint.h>

struct mmio_window;
struct vcpu;

/**
 * A client's store of @p width bytes of @p value at @p offset of @p win:
 * true if it acknowledged @p win's kept status register (the caller
 * completes the instruction), false if it is an ordinary access.
 */
bool window_isr_ack(const struct mmio_window *win, uint64_t offset,
		    uint8_t width, uint64_t value);

/** HYP_IPC_WINDOW_ISR of service vCPU @p vcpu; returns it. */
struct vcpu *window_isr_declare(struct vcpu *vcpu);

/** HYP_IPC_ISR_UPDATE of service vCPU @p vcpu; returns it. */
struct vcpu *window_isr_update(struct vcpu *vcpu);
