/**
 * cmocka tests of the PL011 model (services/uart/pl011_model.c), driven
 * through its register window with a tx callback that captures bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uart/pl011_model.h"

/* Values the header does not name (DDI 0183G 3.3). */
#define CR_RESET      (PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE)
#define IFLS_RESET    0x12U
#define IFLS_RX_SHIFT 3U
#define IFLS_TX_HALF  0x2U
#define DR_DATA_MASK  0xffU
#define RX_RT	      (PL011_INT_RX | PL011_INT_RT)
/** FR after reset: TX FIFO empty, RX FIFO empty, nothing else. */
#define FR_IDLE	 (PL011_FR_TXFE | PL011_FR_RXFE)
#define SENT_MAX 64

/** Fixture: a model and the bytes its tx callback received. */
struct fixture {
	struct pl011_model m;
	uint8_t sent[SENT_MAX];
	size_t sent_count;
};

/** The tx callback: record @p byte in the fixture @p ctx. */
static void capture_tx(void *ctx, uint8_t byte)
{
	struct fixture *f = ctx;

	assert_true(f->sent_count < SENT_MAX);
	f->sent[f->sent_count++] = byte;
}

static int setup(void **state)
{
	struct fixture *f = malloc(sizeof(*f));

	if (f == NULL) {
		return -1;
	}
	/* Garbage first, so init must set every field itself. */
	memset(f, 0xa5, sizeof(*f));
	f->sent_count = 0;
	pl011_model_init(&f->m, capture_tx, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/** A 32-bit read that must succeed. */
static uint32_t rd(struct pl011_model *m, uint64_t offset)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(pl011_model_read(m, offset, 4, &v), 0);
	return v;
}

/** A 32-bit write that must succeed. */
static void wr(struct pl011_model *m, uint64_t offset, uint32_t value)
{
	assert_int_equal(pl011_model_write(m, offset, 4, value), 0);
}

/** A read of @p width bytes that must succeed. */
static uint32_t rd_w(struct pl011_model *m, uint64_t offset, unsigned width)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(pl011_model_read(m, offset, width, &v), 0);
	return v;
}

/** Enable the 32-entry FIFO with RX trigger level @p rxsel. */
static void fifo_on(struct pl011_model *m, uint32_t rxsel)
{
	wr(m, PL011_IFLS, (rxsel << IFLS_RX_SHIFT) | IFLS_TX_HALF);
	wr(m, PL011_LCR_H, PL011_LCR_H_FEN);
}

/** Receive @p n bytes 0, 1, ..., all of which must be accepted. */
static void rx_n(struct pl011_model *m, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		assert_true(pl011_model_rx(m, (uint8_t)i));
	}
}

static void test_pl011_model_init_reset_values(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_int_equal(rd(m, PL011_RSR_ECR), 0);
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
	assert_int_equal(rd(m, PL011_ILPR), 0);
	assert_int_equal(rd(m, PL011_IBRD), 0);
	assert_int_equal(rd(m, PL011_FBRD), 0);
	assert_int_equal(rd(m, PL011_LCR_H), 0);
	assert_int_equal(rd(m, PL011_CR), 0x301);
	assert_int_equal(rd(m, PL011_IFLS), IFLS_RESET);
	assert_int_equal(rd(m, PL011_IMSC), 0);
	assert_int_equal(rd(m, PL011_RIS), 0);
	assert_int_equal(rd(m, PL011_MIS), 0);
	assert_int_equal(rd(m, PL011_ICR), 0);
	assert_int_equal(rd(m, PL011_DMACR), 0);
	assert_int_equal(rd(m, PL011_DR), 0);
	assert_false(m->overrun_pending);
	assert_int_equal(m->tx_count, 0);
	assert_int_equal(pl011_model_rx_space(m), 1);
	assert_false(pl011_model_irq_level(m));
}

static void test_pl011_model_init_resets_dirty_model(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	fifo_on(m, 0);
	wr(m, PL011_IBRD, 0x1234);
	wr(m, PL011_IMSC, PL011_INT_ALL);
	wr(m, PL011_DR, 'x');
	rx_n(m, PL011_FIFO_DEPTH);
	assert_false(pl011_model_rx(m, 0));

	pl011_model_init(m, capture_tx, f);
	assert_int_equal(rd(m, PL011_IBRD), 0);
	assert_int_equal(rd(m, PL011_LCR_H), 0);
	assert_int_equal(rd(m, PL011_IFLS), IFLS_RESET);
	assert_int_equal(rd(m, PL011_RIS), 0);
	assert_int_equal(rd(m, PL011_RSR_ECR), 0);
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
	assert_false(m->overrun_pending);
	assert_int_equal(m->tx_count, 0);
}

static void test_pl011_model_read_id_registers(void **state)
{
	static const uint32_t ids[] = {0x11, 0x10, 0x34, 0x00,
				       0x0d, 0xf0, 0x05, 0xb1};
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	uint32_t i;

	for (i = 0; i < 8; i++) {
		uint64_t off = PL011_PERIPHID0 + 4U * i;

		assert_int_equal(rd(m, off), ids[i]);
		wr(m, off, 0xff);
		assert_int_equal(rd(m, off), ids[i]);
		assert_int_equal(rd_w(m, off, 1), ids[i]);
	}
	/* Nothing else moved either. */
	assert_int_equal(rd(m, PL011_CR), CR_RESET);
	assert_int_equal(rd(m, PL011_LCR_H), 0);
	assert_int_equal(rd(m, PL011_IFLS), IFLS_RESET);
}

static void test_pl011_model_write_dr_transmits(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	wr(m, PL011_DR, 0x141);
	assert_int_equal(pl011_model_write(m, PL011_DR, 1, 'B'), 0);
	assert_int_equal(f->sent_count, 2);
	assert_int_equal(f->sent[0], 'A');
	assert_int_equal(f->sent[1], 'B');
	assert_int_equal(m->tx_count, 2);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_TX);
	/* The TX FIFO never fills: earlycon's TXFF poll never spins. */
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
}

static void test_pl011_model_write_dr_dropped_when_disabled(void **state)
{
	static const uint32_t crs[] = {0, PL011_CR_TXE | PL011_CR_RXE,
				       PL011_CR_UARTEN | PL011_CR_RXE};
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	size_t i;

	for (i = 0; i < sizeof(crs) / sizeof(crs[0]); i++) {
		wr(m, PL011_CR, crs[i]);
		wr(m, PL011_DR, 'x');
	}
	assert_int_equal(f->sent_count, 0);
	assert_int_equal(m->tx_count, 0);
	assert_int_equal(rd(m, PL011_RIS), 0);
}

static void test_pl011_model_write_dr_without_callback(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	pl011_model_init(m, NULL, NULL);
	wr(m, PL011_DR, 'x');
	assert_int_equal(m->tx_count, 1);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_TX);
	assert_int_equal(f->sent_count, 0);
}

static void test_pl011_model_write_icr_clears_tx(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	wr(m, PL011_DR, 'x');
	wr(m, PL011_IMSC, PL011_INT_ALL);
	/* ICR is write-only: it reads as zero even with MIS set. */
	assert_int_equal(rd(m, PL011_ICR), 0);
	wr(m, PL011_ICR, PL011_INT_ALL & ~PL011_INT_TX);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_TX);
	wr(m, PL011_ICR, PL011_INT_TX);
	assert_int_equal(rd(m, PL011_RIS), 0);
	wr(m, PL011_DR, 'y');
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_TX);
}

static void test_pl011_model_write_dr_loopback(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	wr(m, PL011_CR, CR_RESET | PL011_CR_LBE);
	wr(m, PL011_DR, 'z');
	assert_int_equal(f->sent_count, 0);
	assert_int_equal(m->tx_count, 0);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_TX | PL011_INT_RX);
	assert_int_equal(rd(m, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(rd(m, PL011_DR), 'z');
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);

	/* A full FIFO overruns as on the line; no receiver, no byte. */
	wr(m, PL011_DR, '1');
	wr(m, PL011_DR, '2');
	assert_int_equal(rd(m, PL011_RIS) & PL011_INT_OE, PL011_INT_OE);
	assert_int_equal(rd(m, PL011_DR), '1' | PL011_DR_OE);
	wr(m, PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_LBE);
	wr(m, PL011_DR, '3');
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
	assert_int_equal(f->sent_count, 0);
}

static void test_pl011_model_rx_fills_32_with_fen(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	uint32_t i;

	fifo_on(m, 2);
	assert_int_equal(pl011_model_rx_space(m), PL011_FIFO_DEPTH);
	rx_n(m, PL011_FIFO_DEPTH - 1);
	assert_int_equal(rd(m, PL011_FR), PL011_FR_TXFE);
	assert_int_equal(pl011_model_rx_space(m), 1);
	rx_n(m, 1);
	assert_int_equal(rd(m, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(pl011_model_rx_space(m), 0);
	for (i = 0; i < PL011_FIFO_DEPTH - 1; i++) {
		assert_int_equal(rd(m, PL011_DR), i);
	}
	/* The last entry was pushed as byte 0 by rx_n(m, 1). */
	assert_int_equal(rd(m, PL011_DR), 0);
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
	assert_int_equal(rd(m, PL011_RSR_ECR), 0);
}

static void test_pl011_model_rx_wraps_around_fifo(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	uint32_t i;

	fifo_on(m, 2);
	for (i = 0; i < 3 * PL011_FIFO_DEPTH; i++) {
		assert_true(pl011_model_rx(m, (uint8_t)i));
		assert_true(pl011_model_rx(m, (uint8_t)(i + 100)));
		assert_int_equal(rd(m, PL011_DR), (uint8_t)i);
		assert_int_equal(rd(m, PL011_DR), (uint8_t)(i + 100));
	}
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
}

static void test_pl011_model_rx_holds_one_without_fen(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_true(pl011_model_rx(m, 'a'));
	assert_int_equal(rd(m, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(pl011_model_rx_space(m), 0);
	assert_false(pl011_model_rx(m, 'b'));
	assert_int_equal(rd(m, PL011_DR) & DR_DATA_MASK, 'a');
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
	assert_int_equal(pl011_model_rx_space(m), 1);
}

static void test_pl011_model_rx_overrun_sets_oe(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_true(pl011_model_rx(m, 'a'));
	assert_false(pl011_model_rx(m, 'b'));
	assert_int_equal(rd(m, PL011_RSR_ECR), PL011_RSR_OE);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_OE | PL011_INT_RX);
	assert_int_equal(rd(m, PL011_DR), 'a' | PL011_DR_OE);
	/* Only the first byte read after the overrun carries OE. */
	assert_true(pl011_model_rx(m, 'c'));
	assert_int_equal(rd(m, PL011_DR), 'c');
	/* RIS.OE waits for ICR, RSR.OE for a write to ECR. */
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_OE);
	assert_int_equal(rd(m, PL011_RSR_ECR), PL011_RSR_OE);
	wr(m, PL011_ICR, PL011_INT_OE);
	assert_int_equal(rd(m, PL011_RIS), 0);
}

static void test_pl011_model_rx_overrun_with_fen(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	fifo_on(m, 2);
	rx_n(m, PL011_FIFO_DEPTH);
	assert_false(pl011_model_rx(m, 0xee));
	assert_true(m->overrun_pending);
	assert_int_equal(rd(m, PL011_DR), 0 | PL011_DR_OE);
	assert_int_equal(rd(m, PL011_DR), 1);
	assert_true(pl011_model_rx(m, 0xee));
}

static void test_pl011_model_rx_dropped_when_disabled(void **state)
{
	static const uint32_t crs[] = {PL011_CR_UARTEN | PL011_CR_TXE,
				       PL011_CR_TXE | PL011_CR_RXE};
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	size_t i;

	for (i = 0; i < sizeof(crs) / sizeof(crs[0]); i++) {
		wr(m, PL011_CR, crs[i]);
		assert_false(pl011_model_rx(m, 'x'));
		assert_false(pl011_model_rx(m, 'y'));
	}
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
	assert_int_equal(rd(m, PL011_RSR_ECR), 0);
	assert_int_equal(rd(m, PL011_RIS), 0);
	assert_false(m->overrun_pending);
}

static void test_pl011_model_read_dr_empty_returns_zero(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_int_equal(rd(m, PL011_DR), 0);
	assert_int_equal(rd(m, PL011_RSR_ECR), 0);
	assert_int_equal(rd(m, PL011_RIS), 0);
}

static void test_pl011_model_read_dr_disabled_still_drains(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_true(pl011_model_rx(m, 'q'));
	wr(m, PL011_CR, 0);
	assert_int_equal(rd(m, PL011_DR), 'q');
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
}

static void test_pl011_model_write_rsr_ecr_clears(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_true(pl011_model_rx(m, 'a'));
	assert_false(pl011_model_rx(m, 'b'));
	assert_int_equal(rd(m, PL011_RSR_ECR), PL011_RSR_OE);
	assert_int_equal(pl011_model_write(m, PL011_RSR_ECR, 1, 0), 0);
	assert_int_equal(rd(m, PL011_RSR_ECR), 0);
	/* Reading the flagged byte sets RSR from its flags again. */
	assert_int_equal(rd(m, PL011_DR), 'a' | PL011_DR_OE);
	assert_int_equal(rd(m, PL011_RSR_ECR), PL011_RSR_OE);
	wr(m, PL011_RSR_ECR, 0xffffffff);
	assert_int_equal(rd(m, PL011_RSR_ECR), 0);
}

static void test_pl011_model_rx_trigger_each_ifls_level(void **state)
{
	static const uint32_t levels[] = {4, 8, 16, 24, 28, 16, 16, 16};
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	uint32_t sel;

	for (sel = 0; sel < 8; sel++) {
		uint32_t n = levels[sel];

		pl011_model_init(m, capture_tx, f);
		fifo_on(m, sel);
		rx_n(m, n - 1);
		assert_int_equal(rd(m, PL011_RIS), PL011_INT_RT);
		rx_n(m, 1);
		assert_int_equal(rd(m, PL011_RIS), PL011_INT_RX);
		rd(m, PL011_DR);
		assert_int_equal(rd(m, PL011_RIS), PL011_INT_RT);
		/* RT holds down to the last byte, then both clear. */
		while (pl011_model_rx_space(m) < PL011_FIFO_DEPTH - 1) {
			rd(m, PL011_DR);
		}
		assert_int_equal(rd(m, PL011_RIS), PL011_INT_RT);
		rd(m, PL011_DR);
		assert_int_equal(rd(m, PL011_FR), FR_IDLE);
		assert_int_equal(rd(m, PL011_RIS), 0);
	}
}

static void test_pl011_model_rx_trigger_one_without_fen(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	/* IFLS says 7/8, but without FEN one byte is the trigger level. */
	wr(m, PL011_IFLS, 4U << IFLS_RX_SHIFT);
	assert_true(pl011_model_rx(m, 'a'));
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_RX);
	rd(m, PL011_DR);
	assert_int_equal(rd(m, PL011_RIS), 0);
}

static void test_pl011_model_write_ifls_moves_trigger(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	fifo_on(m, 2);
	rx_n(m, 4);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_RT);
	wr(m, PL011_IFLS, 0U << IFLS_RX_SHIFT);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_RX);
	wr(m, PL011_IFLS, 1U << IFLS_RX_SHIFT);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_RT);
}

static void test_pl011_model_write_lcr_h_fen_keeps_data(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	uint32_t i;

	fifo_on(m, 2);
	rx_n(m, 5);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_RT);
	wr(m, PL011_LCR_H, 0);
	/* Depth and trigger level are now 1: full, and at the trigger. */
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_RX);
	assert_int_equal(rd(m, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(pl011_model_rx_space(m), 0);
	assert_false(pl011_model_rx(m, 0x55));
	assert_int_equal(rd(m, PL011_DR), 0 | PL011_DR_OE);
	for (i = 1; i < 5; i++) {
		assert_int_equal(rd(m, PL011_DR), i);
	}
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
}

static void test_pl011_model_read_mis_masks_ris(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	wr(m, PL011_DR, 'x');
	assert_true(pl011_model_rx(m, 'y'));
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_TX | PL011_INT_RX);
	assert_int_equal(rd(m, PL011_MIS), 0);
	assert_false(pl011_model_irq_level(m));

	wr(m, PL011_IMSC, PL011_INT_RX);
	assert_int_equal(rd(m, PL011_MIS), PL011_INT_RX);
	assert_true(pl011_model_irq_level(m));

	wr(m, PL011_IMSC, PL011_INT_TX | PL011_INT_RT);
	assert_int_equal(rd(m, PL011_MIS), PL011_INT_TX);
	assert_true(pl011_model_irq_level(m));

	wr(m, PL011_IMSC, PL011_INT_ALL & ~(PL011_INT_TX | PL011_INT_RX));
	assert_int_equal(rd(m, PL011_MIS), 0);
	assert_false(pl011_model_irq_level(m));
}

static void test_pl011_model_irq_level_follows_rx(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	wr(m, PL011_IMSC, RX_RT);
	assert_false(pl011_model_irq_level(m));
	assert_true(pl011_model_rx(m, 'a'));
	assert_true(pl011_model_irq_level(m));
	rd(m, PL011_DR);
	assert_false(pl011_model_irq_level(m));
}

static void test_pl011_model_write_icr_keeps_rx_while_data(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	fifo_on(m, 0);
	rx_n(m, 2);
	wr(m, PL011_ICR, RX_RT);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_RT);
	rx_n(m, 2);
	wr(m, PL011_ICR, PL011_INT_ALL);
	assert_int_equal(rd(m, PL011_RIS), PL011_INT_RX);
	while ((rd(m, PL011_FR) & PL011_FR_RXFE) == 0) {
		rd(m, PL011_DR);
	}
	assert_int_equal(rd(m, PL011_RIS), 0);
}

static void test_pl011_model_write_icr_linux_rx_sequence(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	uint32_t mis;

	/* pl011_startup(): FIFO, interrupts cleared and unmasked. */
	wr(m, PL011_LCR_H, PL011_LCR_H_FEN);
	wr(m, PL011_ICR, PL011_INT_ALL);
	wr(m, PL011_IMSC, RX_RT);
	rx_n(m, 3);
	assert_true(pl011_model_irq_level(m));

	/* pl011_int(): ack all but TX/RT/RX, then drain DR while !RXFE. */
	mis = rd(m, PL011_MIS);
	assert_int_equal(mis, PL011_INT_RT);
	wr(m, PL011_ICR, mis & ~(PL011_INT_TX | RX_RT));
	assert_true(pl011_model_irq_level(m));
	while ((rd(m, PL011_FR) & PL011_FR_RXFE) == 0) {
		rd(m, PL011_DR);
	}
	assert_int_equal(rd(m, PL011_MIS), 0);
	assert_false(pl011_model_irq_level(m));
}

static void test_pl011_model_read_sub_word(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_int_equal(rd_w(m, PL011_CR, 1), 0x01);
	assert_int_equal(rd_w(m, PL011_CR + 1, 1), 0x03);
	assert_int_equal(rd_w(m, PL011_CR + 2, 1), 0);
	assert_int_equal(rd_w(m, PL011_CR, 2), 0x301);
	assert_int_equal(rd_w(m, PL011_CR + 2, 2), 0);
	assert_int_equal(rd_w(m, PL011_FR, 1), FR_IDLE);
	assert_int_equal(rd_w(m, PL011_IFLS, 2), IFLS_RESET);
	wr(m, PL011_IBRD, 0xbeef);
	assert_int_equal(rd_w(m, PL011_IBRD + 1, 1), 0xbe);
	assert_int_equal(rd_w(m, PL011_IBRD, 1), 0xef);
}

static void test_pl011_model_read_dr_byte1_is_error_flags(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_true(pl011_model_rx(m, 'a'));
	assert_false(pl011_model_rx(m, 'b'));
	/* A read of byte 1 of DR pops the byte and returns its flags. */
	assert_int_equal(rd_w(m, PL011_DR + 1, 1), PL011_DR_OE >> 8);
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
}

static void test_pl011_model_write_sub_word_at_boundary(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_int_equal(pl011_model_write(m, PL011_IBRD, 2, 0x1234), 0);
	assert_int_equal(rd(m, PL011_IBRD), 0x1234);
	/* A narrow write carries only its own bytes of the value. */
	assert_int_equal(pl011_model_write(m, PL011_IBRD, 1, 0xabcd), 0);
	assert_int_equal(rd(m, PL011_IBRD), 0xcd);
	assert_int_equal(pl011_model_write(m, PL011_IMSC, 2, 0x10030), 0);
	assert_int_equal(rd(m, PL011_IMSC), 0x30);

	/* Not at a register boundary: rejected, nothing written. */
	assert_int_equal(pl011_model_write(m, PL011_IBRD + 2, 2, 0x55), -1);
	assert_int_equal(pl011_model_write(m, PL011_CR + 1, 1, 0), -1);
	assert_int_equal(pl011_model_write(m, PL011_CR + 3, 1, 0), -1);
	assert_int_equal(rd(m, PL011_IBRD), 0xcd);
	assert_int_equal(rd(m, PL011_CR), CR_RESET);
}

/* pl011_model_cr() is what a CR read gives (the UART service publishes it
 * where the kernel answers CR reads): at reset, after a write, after a
 * narrow write and after a refused one. */
static void test_pl011_model_cr_is_what_a_read_gives(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	assert_int_equal(pl011_model_cr(m), CR_RESET);
	assert_int_equal(pl011_model_write(m, PL011_CR, 4, 0xffff0101), 0);
	assert_int_equal(pl011_model_cr(m), rd(m, PL011_CR));
	assert_int_equal(pl011_model_cr(m), 0x0101);
	assert_int_equal(pl011_model_write(m, PL011_CR, 2, 0x0301), 0);
	assert_int_equal(pl011_model_cr(m), 0x0301);
	assert_int_equal(pl011_model_write(m, PL011_CR + 1, 1, 0), -1);
	assert_int_equal(pl011_model_cr(m), rd(m, PL011_CR));
}

static void test_pl011_model_access_misaligned_rejected(void **state)
{
	static const struct {
		uint64_t offset;
		unsigned width;
	} bad[] = {
	    {PL011_CR + 2, 4}, {PL011_CR + 1, 4}, {PL011_CR + 1, 2},
	    {PL011_CR + 3, 2}, {PL011_DR, 8},	  {PL011_DR, 3},
	    {PL011_DR, 0},     {PL011_DR, 16},	  {PL011_DR + 1, 2},
	};
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	size_t i;

	assert_true(pl011_model_rx(m, 'a'));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t v = 0x12345678;

		assert_int_equal(
		    pl011_model_read(m, bad[i].offset, bad[i].width, &v), -1);
		assert_int_equal(v, 0x12345678);
		assert_int_equal(
		    pl011_model_write(m, bad[i].offset, bad[i].width, 'z'), -1);
	}
	/* Rejected accesses had no side effect: the byte is still there. */
	assert_int_equal(rd(m, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(f->sent_count, 0);
	assert_int_equal(rd(m, PL011_CR), CR_RESET);
}

static void test_pl011_model_access_out_of_window_rejected(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	uint32_t v = 0;

	assert_int_equal(pl011_model_read(m, PL011_WINDOW_SIZE, 4, &v), -1);
	assert_int_equal(pl011_model_read(m, PL011_WINDOW_SIZE, 1, &v), -1);
	assert_int_equal(
	    pl011_model_read(m, PL011_WINDOW_SIZE + PL011_DR, 4, &v), -1);
	assert_int_equal(pl011_model_read(m, UINT64_MAX, 1, &v), -1);
	assert_int_equal(pl011_model_read(m, UINT64_MAX - 3, 4, &v), -1);
	assert_int_equal(pl011_model_write(m, PL011_WINDOW_SIZE, 4, 'x'), -1);
	assert_int_equal(pl011_model_write(m, UINT64_MAX - 3, 4, 'x'), -1);
	assert_int_equal(f->sent_count, 0);

	/* The last bytes of the window are fine. */
	assert_int_equal(rd_w(m, PL011_WINDOW_SIZE - 1, 1), 0);
	assert_int_equal(rd_w(m, PL011_WINDOW_SIZE - 4, 4), 0xb1);
}

static void test_pl011_model_access_reserved_raz_wi(void **state)
{
	static const uint64_t reserved[] = {0x008, 0x00c, 0x010, 0x014,
					    0x01c, 0x04c, 0x080, 0x08c,
					    0x100, 0xfd0, 0xfdc};
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	size_t i;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		wr(m, reserved[i], 0xffffffff);
		assert_int_equal(pl011_model_write(m, reserved[i], 2, 0xffff),
				 0);
		assert_int_equal(pl011_model_write(m, reserved[i], 1, 0xff), 0);
		assert_int_equal(rd(m, reserved[i]), 0);
		assert_int_equal(rd_w(m, reserved[i] + 2, 2), 0);
		assert_int_equal(rd_w(m, reserved[i] + 3, 1), 0);
	}
	/* No register was touched. */
	assert_int_equal(rd(m, PL011_CR), CR_RESET);
	assert_int_equal(rd(m, PL011_IMSC), 0);
	assert_int_equal(rd(m, PL011_RIS), 0);
	assert_int_equal(rd(m, PL011_FR), FR_IDLE);
	assert_int_equal(f->sent_count, 0);
}

static void test_pl011_model_write_register_masks(void **state)
{
	static const struct {
		uint64_t offset;
		uint32_t mask;
	} regs[] = {
	    {PL011_ILPR, 0xff},	 {PL011_IBRD, 0xffff}, {PL011_FBRD, 0x3f},
	    {PL011_LCR_H, 0xff}, {PL011_CR, 0xffff},   {PL011_IFLS, 0x3f},
	    {PL011_IMSC, 0x7ff}, {PL011_DMACR, 0x7},
	};
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		wr(m, regs[i].offset, 0xffffffff);
		assert_int_equal(rd(m, regs[i].offset), regs[i].mask);
		wr(m, regs[i].offset, 0x5a5a5a5a);
		assert_int_equal(rd(m, regs[i].offset),
				 0x5a5a5a5a & regs[i].mask);
		wr(m, regs[i].offset, 0);
		assert_int_equal(rd(m, regs[i].offset), 0);
	}
}

static void test_pl011_model_write_read_only_ignored(void **state)
{
	struct fixture *f = *state;
	struct pl011_model *m = &f->m;

	wr(m, PL011_DR, 'x');
	assert_true(pl011_model_rx(m, 'a'));
	assert_false(pl011_model_rx(m, 'b'));
	wr(m, PL011_IMSC, PL011_INT_TX);
	wr(m, PL011_RIS, 0);
	wr(m, PL011_MIS, PL011_INT_ALL);
	wr(m, PL011_FR, 0xffffffff);
	wr(m, PL011_RIS, PL011_INT_ALL);
	assert_int_equal(rd(m, PL011_RIS),
			 PL011_INT_TX | PL011_INT_RX | PL011_INT_OE);
	assert_int_equal(rd(m, PL011_MIS), PL011_INT_TX);
	assert_int_equal(rd(m, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(rd(m, PL011_RSR_ECR), PL011_RSR_OE);
	assert_int_equal(f->sent_count, 1);
}

/* --- Undo property (PL011_MODEL_UNDO_BYTES) ----------------------------- */

/* The live RX FIFO entries, oldest first, into @p out; returns how many. */
static uint32_t live_fifo(const struct pl011_model *m, uint16_t *out)
{
	for (uint32_t i = 0; i < m->rx_count; i++) {
		out[i] = m->rx_fifo[(m->rx_head + i) % PL011_FIFO_DEPTH];
	}
	return m->rx_count;
}

/* One pseudo-random operation: a write or read of a register, or a byte
 * received. */
static void random_op(struct pl011_model *m, uint32_t *seed)
{
	static const uint64_t regs[] = { PL011_DR, PL011_RSR_ECR, PL011_FR,
					 PL011_IBRD, PL011_LCR_H, PL011_CR,
					 PL011_IFLS, PL011_IMSC, PL011_RIS,
					 PL011_ICR, PL011_DMACR };
	uint32_t r, value;

	*seed = *seed * 1103515245U + 12345U;
	r = *seed >> 8;
	uint64_t off = regs[r % (sizeof(regs) / sizeof(regs[0]))];

	switch ((r >> 8) % 3) {
	case 0:
		value = r >> 12;
		/* Keep the UART mostly enabled so that data moves. */
		if (off == PL011_CR) {
			value |= PL011_CR_UARTEN | PL011_CR_RXE;
		}
		(void)pl011_model_write(m, off, 4, value);
		break;
	case 1:
		(void)pl011_model_read(m, off, 4, &value);
		break;
	default:
		(void)pl011_model_rx(m, (uint8_t)(r >> 16));
		break;
	}
}

/*
 * Restoring the first PL011_MODEL_UNDO_BYTES bytes undoes any operation:
 * what the UART service relies on to journal only those.
 */
static void test_pl011_model_undo_bytes_undo_any_operation(void **state)
{
	struct fixture *f = *state;
	uint32_t seed = 1;

	for (int i = 0; i < 20000; i++) {
		uint8_t saved[PL011_MODEL_UNDO_BYTES];
		uint16_t before[PL011_FIFO_DEPTH], after[PL011_FIFO_DEPTH];
		uint32_t n;
		uint32_t probe = seed;

		/* Apply and undo an operation... */
		memcpy(saved, &f->m, sizeof(saved));
		n = live_fifo(&f->m, before);
		f->sent_count = 0;
		random_op(&f->m, &probe);
		memcpy(&f->m, saved, sizeof(saved));
		/* ... and the model is what it was. */
		assert_int_equal(live_fifo(&f->m, after), n);
		assert_memory_equal(before, after, n * sizeof(before[0]));
		/* Then move on with the operation applied for real. */
		f->sent_count = 0;
		random_op(&f->m, &seed);
		assert_true(pl011_model_valid(&f->m));
	}
}

/*
 * pl011_model_tx() (the UART service's DR-write fast path) does what a
 * DR write does whenever pl011_model_transmits() says the byte leaves,
 * byte for byte, and changes nothing past PL011_MODEL_TX_UNDO_BYTES: the
 * service journals only those.
 */
static void test_pl011_model_tx_matches_dr_write(void **state)
{
	struct fixture *f = *state;
	uint32_t seed = 7;
	int transmitted = 0;

	for (int i = 0; i < 20000; i++) {
		struct pl011_model fast = f->m, slow = f->m;
		uint32_t value = seed >> 4;

		if (pl011_model_transmits(&f->m)) {
			uint8_t byte = pl011_model_tx(&fast, value);

			f->sent_count = 0;
			assert_int_equal(pl011_model_write(&slow, PL011_DR, 4,
							   value), 0);
			assert_int_equal(f->sent_count, 1);
			assert_int_equal(f->sent[0], byte);
			assert_memory_equal(&fast, &slow, sizeof(fast));
			assert_memory_equal(
				(const uint8_t *)&fast + PL011_MODEL_TX_UNDO_BYTES,
				(const uint8_t *)&f->m + PL011_MODEL_TX_UNDO_BYTES,
				sizeof(fast) - PL011_MODEL_TX_UNDO_BYTES);
			transmitted++;
		} else {
			f->sent_count = 0;
			(void)pl011_model_write(&slow, PL011_DR, 4, value);
			assert_int_equal(f->sent_count, 0);
		}
		f->sent_count = 0;
		random_op(&f->m, &seed);
	}
	/* Both sides of the guard were taken. */
	assert_true(transmitted > 100 && transmitted < 19900);
}

static void test_pl011_model_valid_rejects_broken_state(void **state)
{
	struct fixture *f = *state;

	assert_true(pl011_model_valid(&f->m));
	f->m.rx_head = PL011_FIFO_DEPTH;
	assert_false(pl011_model_valid(&f->m));
	f->m.rx_head = 0;
	f->m.rx_count = PL011_FIFO_DEPTH + 1;
	assert_false(pl011_model_valid(&f->m));
	f->m.rx_count = 0;
	f->m.imsc = 1U << 20;
	assert_false(pl011_model_valid(&f->m));
	f->m.imsc = 0;
	f->m.ris = ~0U;
	assert_false(pl011_model_valid(&f->m));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_pl011_model_init_reset_values),
	    T(test_pl011_model_init_resets_dirty_model),
	    T(test_pl011_model_read_id_registers),
	    T(test_pl011_model_write_dr_transmits),
	    T(test_pl011_model_write_dr_dropped_when_disabled),
	    T(test_pl011_model_write_dr_without_callback),
	    T(test_pl011_model_write_icr_clears_tx),
	    T(test_pl011_model_write_dr_loopback),
	    T(test_pl011_model_rx_fills_32_with_fen),
	    T(test_pl011_model_rx_wraps_around_fifo),
	    T(test_pl011_model_rx_holds_one_without_fen),
	    T(test_pl011_model_rx_overrun_sets_oe),
	    T(test_pl011_model_rx_overrun_with_fen),
	    T(test_pl011_model_rx_dropped_when_disabled),
	    T(test_pl011_model_read_dr_empty_returns_zero),
	    T(test_pl011_model_read_dr_disabled_still_drains),
	    T(test_pl011_model_write_rsr_ecr_clears),
	    T(test_pl011_model_rx_trigger_each_ifls_level),
	    T(test_pl011_model_rx_trigger_one_without_fen),
	    T(test_pl011_model_write_ifls_moves_trigger),
	    T(test_pl011_model_write_lcr_h_fen_keeps_data),
	    T(test_pl011_model_read_mis_masks_ris),
	    T(test_pl011_model_irq_level_follows_rx),
	    T(test_pl011_model_write_icr_keeps_rx_while_data),
	    T(test_pl011_model_write_icr_linux_rx_sequence),
	    T(test_pl011_model_read_sub_word),
	    T(test_pl011_model_read_dr_byte1_is_error_flags),
	    T(test_pl011_model_write_sub_word_at_boundary),
	    T(test_pl011_model_cr_is_what_a_read_gives),
	    T(test_pl011_model_access_misaligned_rejected),
	    T(test_pl011_model_access_out_of_window_rejected),
	    T(test_pl011_model_access_reserved_raz_wi),
	    T(test_pl011_model_write_register_masks),
	    T(test_pl011_model_write_read_only_ignored),
	    T(test_pl011_model_undo_bytes_undo_any_operation),
	    T(test_pl011_model_tx_matches_dr_write),
	    T(test_pl011_model_valid_rejects_broken_state),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
