#pragma once
/**
 * Doorbell registers (HYP_IPC_WINDOW_DOORBELL, abi/ipc.h): a client's store
 * to a window's doorbell, virtio-mmio's QueueNotify, completes in the trap
 * when the service waits for work and another CPU idles, and the service
 * takes IPC_MSG_DOORBELL there while the client goes on, as KVM's ioeventfd
 * lets a guest go on while the device model works. Otherwise the store is
 * an ordinary access: with no idle CPU a round trip to the service on this
 * CPU, which starts the work soonest (the CPU would switch to the service
 * either way); with the service busy, served in its turn. The store faults
 * on the read-only register shadow page (trap.c, isr_store).
 */
#include <stdbool.h>
#include <stdint.h>

struct mmio_window;
struct vcpu;

/**
 * A client's store of @p width bytes at @p offset of @p win: true if it
 * rang @p win's doorbell (the caller completes the instruction), false if
 * it is an ordinary access.
 */
bool window_doorbell_ring(const struct mmio_window *win, uint64_t offset,
			  uint8_t width);

/** HYP_IPC_WINDOW_DOORBELL of service vCPU @p vcpu; returns it. */
struct vcpu *window_doorbell_declare(struct vcpu *vcpu);
