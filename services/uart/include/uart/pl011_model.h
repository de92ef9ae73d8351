#pragma once
/**
 * A model of the Arm PrimeCell UART PL011 (Arm DDI 0183G) as a guest sees
 * it, complete enough for Linux's amba-pl011 driver and earlycon. Pure logic
 * with no I/O: transmitted bytes leave through a callback, received bytes
 * come in through pl011_model_rx(). Host-tested in
 * tests/host/test_pl011_model.c; used by services/uart.
 *
 * Behaviour choices (documented in docs/architecture.md):
 *  - reset state is "enabled by firmware": CR = UARTEN | TXE | RXE, so early
 *    console code that never programs the UART can print;
 *  - bytes are transmitted only while CR.UARTEN and CR.TXE are set, and leave
 *    at once: the TX FIFO is always empty (FR.TXFE = 1, TXFF = 0, BUSY = 0);
 *  - TXRIS is set by every transmitted byte and cleared through ICR (as
 *    QEMU's model does; Linux relies on it);
 *  - with CR.LBE the byte goes to the RX FIFO (if CR.RXE) instead of the
 *    callback, still setting TXRIS; tx_count counts only callback bytes;
 *  - the RX FIFO holds 32 entries with FEN, 1 without; RXRIS is set when the
 *    fill level reaches the IFLS RX trigger level (always 1 without FEN),
 *    RTRIS while data waits below it (a receive timeout that is immediate);
 *    reading DR until the level drops clears them. Both are recomputed from
 *    the FIFO after every push, pop, LCR_H/IFLS write and ICR write, so ICR
 *    clears them only once the FIFO no longer calls for them: a guest that
 *    acknowledges and leaves data behind is interrupted again instead of
 *    stranding bytes (Linux writes ICR RX|RT and then drains DR, and is not
 *    affected). Changing LCR_H.FEN keeps the FIFO contents;
 *  - a byte received while the FIFO is full is lost and sets RSR.OE and
 *    RIS.OERIS; the next byte read from DR carries the OE flag (bit 11);
 *  - RSR accumulates the error flags of the bytes read from DR and of
 *    overruns until any write to ECR clears it (DDI 0183G, UARTRSR);
 *  - accesses: 1, 2 or 4 bytes, naturally aligned; sub-word reads return the
 *    addressed bytes of the 32-bit register (any read of DR pops the FIFO);
 *    sub-word writes must start at a register boundary and write the
 *    zero-extended value; 8-byte, misaligned, out-of-window or sub-word
 *    writes off a register boundary fail (the caller reports an external
 *    abort) without side effects; reserved offsets are RAZ/WI, as are
 *    writes to read-only registers.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PL011_WINDOW_SIZE 0x1000U
#define PL011_FIFO_DEPTH 32U

/* Register offsets (DDI 0183G table 3-1). */
#define PL011_DR 0x000
#define PL011_RSR_ECR 0x004
#define PL011_FR 0x018
#define PL011_ILPR 0x020
#define PL011_IBRD 0x024
#define PL011_FBRD 0x028
#define PL011_LCR_H 0x02c
#define PL011_CR 0x030
#define PL011_IFLS 0x034
#define PL011_IMSC 0x038
#define PL011_RIS 0x03c
#define PL011_MIS 0x040
#define PL011_ICR 0x044
#define PL011_DMACR 0x048
#define PL011_PERIPHID0 0xfe0
#define PL011_CELLID0 0xff0

/* FR bits. */
#define PL011_FR_BUSY (1U << 3)
#define PL011_FR_RXFE (1U << 4)
#define PL011_FR_TXFF (1U << 5)
#define PL011_FR_RXFF (1U << 6)
#define PL011_FR_TXFE (1U << 7)
/* CR bits. */
#define PL011_CR_UARTEN (1U << 0)
#define PL011_CR_LBE (1U << 7)
#define PL011_CR_TXE (1U << 8)
#define PL011_CR_RXE (1U << 9)
/* LCR_H bits. */
#define PL011_LCR_H_FEN (1U << 4)
/* Interrupt bits (IMSC/RIS/MIS/ICR). */
#define PL011_INT_RX (1U << 4)
#define PL011_INT_TX (1U << 5)
#define PL011_INT_RT (1U << 6)
#define PL011_INT_FE (1U << 7)
#define PL011_INT_PE (1U << 8)
#define PL011_INT_BE (1U << 9)
#define PL011_INT_OE (1U << 10)
#define PL011_INT_ALL 0x7ffU
/* DR read error flags and RSR bits. */
#define PL011_DR_OE (1U << 11)
#define PL011_RSR_OE (1U << 3)

typedef void (*pl011_tx_fn)(void *ctx, uint8_t byte);

/**
 * State of one emulated PL011.
 *
 * Undo property: an access or a received byte changes only the fields
 * before rx_fifo and FIFO entries that are free (outside rx_head ..
 * rx_head + rx_count): saving the first PL011_MODEL_UNDO_BYTES bytes is
 * enough to undo it (services/uart journals just that; host-tested).
 */
struct pl011_model {
	/* tx_count and ris first: what a transmitted byte changes
	 * (PL011_MODEL_TX_UNDO_BYTES). */
	uint64_t tx_count;      /**< Bytes sent to @c tx since reset. */
	uint32_t ris, cr, lcr_h, ibrd, fbrd, ifls, imsc, dmacr, ilpr, rsr;
	uint32_t rx_head, rx_count;
	bool overrun_pending;   /**< Flag the next byte read with OE. */
	uint16_t rx_fifo[PL011_FIFO_DEPTH]; /**< data | error flags << 8 */
	pl011_tx_fn tx;
	void *tx_ctx;
};

/** Bytes of a model that an access may change besides free FIFO slots. */
#define PL011_MODEL_UNDO_BYTES offsetof(struct pl011_model, rx_fifo)

/**
 * Bytes at the start of a model that pl011_model_tx() changes (tx_count
 * and RIS; two words, so that saving them is one pair of loads and stores).
 */
#define PL011_MODEL_TX_UNDO_BYTES (2 * sizeof(uint64_t))
_Static_assert(offsetof(struct pl011_model, tx_count) == 0 &&
	       offsetof(struct pl011_model, ris) + sizeof(uint32_t) <=
	       PL011_MODEL_TX_UNDO_BYTES,
	       "pl011_model_tx() changes only the first "
	       "PL011_MODEL_TX_UNDO_BYTES bytes");

/** Reset @p m; transmitted bytes go to @p tx (may be NULL) with @p tx_ctx. */
void pl011_model_init(struct pl011_model *m, pl011_tx_fn tx, void *tx_ctx);

/** Guest read of @p width bytes at @p offset. Returns 0 or -1 (abort). */
int pl011_model_read(struct pl011_model *m, uint64_t offset, unsigned width,
		     uint32_t *value);

/** Guest write. Returns 0 or -1 (abort). */
int pl011_model_write(struct pl011_model *m, uint64_t offset, unsigned width,
		      uint32_t value);

/**
 * A byte arrived on the line. Returns false if it was lost (FIFO full or
 * receiver disabled: CR.UARTEN or CR.RXE clear).
 */
/**
 * True if a DR write would transmit its byte through the callback:
 * CR.UARTEN and CR.TXE set, CR.LBE clear (a fast path's guard).
 */
bool pl011_model_transmits(const struct pl011_model *m);

/**
 * A DR write of @p value to a model that pl011_model_transmits(): sets
 * RIS.TXRIS and counts the byte (nothing beyond the first
 * PL011_MODEL_TX_UNDO_BYTES bytes changes) and returns the byte, which
 * the caller transmits (the callback is not called). pl011_model_write()
 * goes through it too, then calls the callback.
 */
uint8_t pl011_model_tx(struct pl011_model *m, uint32_t value);

/** The value of FR (a read of it changes nothing). */
uint32_t pl011_model_fr(const struct pl011_model *m);

/** The value of CR, as a read of it gives. */
uint32_t pl011_model_cr(const struct pl011_model *m);

bool pl011_model_rx(struct pl011_model *m, uint8_t byte);

/** Free RX FIFO entries (so a caller pulls no more than fits). */
uint32_t pl011_model_rx_space(const struct pl011_model *m);

/**
 * @p m (state read back from memory, e.g. after a restart) keeps the
 * model's invariants: FIFO index and fill level in range, no undefined
 * interrupt bits. Its callback is not checked.
 */
bool pl011_model_valid(const struct pl011_model *m);

/** Level of the combined interrupt line: (RIS & IMSC) != 0. */
bool pl011_model_irq_level(const struct pl011_model *m);
