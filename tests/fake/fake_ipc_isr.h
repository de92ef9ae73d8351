#pragma once
/**
 * Host fake of the kernel's side of a kept interrupt status register
 * (HYP_IPC_WINDOW_ISR, HYP_IPC_ISR_UPDATE; kernel/core/window_isr.c), and
 * of HYP_IPC_WINDOW_DOORBELL (recorded; refused as HYP_IPC_WINDOW_ISR), for
 * libipc's virtio tests: ipc_window_isr() and ipc_isr_update() act on the
 * word of fake_isr.page as the kernel would, and fake_isr_client_ack() is
 * what a client's acknowledge store does in the trap.
 */
#include <stdbool.h>
#include <stdint.h>

struct fake_isr {
	bool refuse;		 /**< ipc_window_isr() answers invalid. */
	volatile uint32_t *page; /**< The shadow page (set by the test). */
	bool kept;		 /**< Declared, not given back. */
	uint32_t window;
	uint64_t status, ack; /**< Byte offsets declared. */
	bool line;	      /**< The interrupt line. */
	unsigned line_changes;
	unsigned updates;
	uint32_t doorbell_window; /**< ipc_window_doorbell()'s last call. */
	uint64_t doorbell;
};

extern struct fake_isr fake_isr;

/** Forget everything (refuse false, no page). */
void fake_isr_reset(void);

/** A client's aligned 32-bit store of @p value to the acknowledge
 * register, as the kernel completes it while it keeps the word. */
void fake_isr_client_ack(uint32_t value);
