#pragma once
/**
 * Quiet registers (HYP_IPC_WINDOW_QUIET, abi/ipc.h): a client's store of
 * the value a register holds (its service's page says which) completes in
 * the trap, when the service said such a write changes
 * nothing. Linux's PL011 console writes CR twice per line it prints, each
 * time the value CR holds (pl011_console_write(): enable the transmitter,
 * print, restore): two round trips to the UART service per line, each two
 * VTTBR_EL2 writes (under TCG a full TLB flush each), for nothing.
 *
 * Exact: the page holds what a read of the register gives, which for a
 * quiet register is what it holds (the service writes it before it replies
 * to the write that changed it, as for every register the kernel answers
 * reads of). Only a store at the register's first byte whose value,
 * zero-extended to 32 bits, is the whole word completes: a device may
 * write a narrower store zero-extended over the whole register (a PL011
 * does), so a byte store equal to the low byte alone could still change
 * it. Any other store goes to the service. Quiet registers are never
 * posted, so no write to one waits in the page's ring.
 */
#include <stdbool.h>
#include <stdint.h>

struct mmio_window;
struct vcpu;

/**
 * A client's store of @p width bytes of @p value at byte @p offset of @p win
 * (ISV set): true if it is a quiet one (the caller completes the
 * instruction), false if it is an ordinary access.
 */
bool window_quiet_store(const struct mmio_window *win, uint64_t offset,
			uint8_t width, uint64_t value);

/** HYP_IPC_WINDOW_QUIET of service vCPU @p vcpu; returns it. */
struct vcpu *window_quiet_declare(struct vcpu *vcpu);
