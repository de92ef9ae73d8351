/**
 * libFuzzer harness of the PL011 model (uart/pl011_model.h), linked with the
 * real services/uart/pl011_model.c.
 *
 * The input is a sequence of operations: guest register reads and writes at
 * chosen or arbitrary offsets and widths, bytes arriving on the line, and
 * resets. Beside the model the harness keeps a reference of what the header
 * promises, written from the header's behaviour notes and the PL011 TRM
 * (Arm DDI 0183G): the RX FIFO contents in order, the sticky interrupt bits
 * (TXRIS, OERIS), RSR and the bytes transmitted. After every operation:
 *  - FIFO counts bounded (never more than PL011_FIFO_DEPTH entries);
 *  - FR consistent with the FIFO: TXFE = 1, TXFF = BUSY = 0, RXFE iff empty,
 *    RXFF iff at the depth in force (32 with LCR_H.FEN, else 1);
 *  - RIS is the reference: TX/OE as raised and acknowledged, RX iff the fill
 *    level reached the trigger, RT iff data waits below it;
 *    MIS == RIS & IMSC and the IRQ level is MIS != 0;
 *  - bytes read from DR are the bytes received, in order, the first one after
 *    an overrun with the OE flag;
 *  - refused accesses (bad width, misaligned, outside the window, sub-word
 *    writes off a register boundary) return -1 and change nothing; so do
 *    writes to read-only and reserved offsets; reserved offsets read 0.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "uart/pl011_model.h"

/* UARTIFLS.RXIFLSEL [5:3] (DDI 0183G 3.3.11). */
#define IFLS_RX_SHIFT 3U
#define IFLS_RX_MASK  0x7U
/** Registers are a word apart (DDI 0183G table 3-1). */
#define REG_ALIGN 4U
/** PrimeCell ID, UARTPCellID0-3 (DDI 0183G 3.3.18): 0xb105f00d. */
#define PCELL_ID 0xb105f00dU
/** Interrupt bits the model can raise (header: TX, OE, RX, RT). */
#define INT_RAISED (PL011_INT_TX | PL011_INT_OE | PL011_INT_RX | PL011_INT_RT)

/** The named registers of the header; everything else is reserved. */
static const uint32_t known_regs[] = {
    PL011_DR,
    PL011_RSR_ECR,
    PL011_FR,
    PL011_ILPR,
    PL011_IBRD,
    PL011_FBRD,
    PL011_LCR_H,
    PL011_CR,
    PL011_IFLS,
    PL011_IMSC,
    PL011_RIS,
    PL011_MIS,
    PL011_ICR,
    PL011_DMACR,
    PL011_PERIPHID0,
    PL011_PERIPHID0 + 4,
    PL011_PERIPHID0 + 8,
    PL011_PERIPHID0 + 12,
    PL011_CELLID0,
    PL011_CELLID0 + 4,
    PL011_CELLID0 + 8,
    PL011_CELLID0 + 12,
};

#define KNOWN_REGS (sizeof(known_regs) / sizeof(known_regs[0]))

/** Access widths to try: mostly legal ones. */
static const unsigned int widths[] = {4, 4, 4, 1, 2, 8, 0, 3};

/** What the model must look like, built from the header alone. */
struct reference {
	uint16_t fifo[PL011_FIFO_DEPTH]; /**< Received bytes, oldest first. */
	uint32_t count;
	bool overrun_pending;
	uint32_t sticky; /**< RIS bits other than RX/RT: TX and OE. */
	uint32_t rsr;
	uint32_t cr, lcr_h, ifls, imsc; /**< Last values written. */
	uint64_t tx_count;
	uint8_t last_tx;
	uint64_t tx_calls; /**< Calls of the tx callback seen. */
};

/** The model, its reference and the callback's record. */
struct harness {
	struct pl011_model m;
	struct reference ref;
	uint64_t tx_calls;
	uint8_t last_tx;
};

static void on_tx(void *ctx, uint8_t byte)
{
	struct harness *h = ctx;

	h->tx_calls++;
	h->last_tx = byte;
}

/** Reset model and reference to the documented reset state. */
static void reset(struct harness *h)
{
	memset(&h->m, 0x5a, sizeof(h->m));
	pl011_model_init(&h->m, on_tx, h);
	memset(&h->ref, 0, sizeof(h->ref));
	/* "Enabled by firmware": UARTEN | TXE | RXE; IFLS 1/2 (0x12). */
	h->ref.cr = PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE;
	h->ref.ifls = 0x12U;
	h->tx_calls = 0;
	h->ref.tx_calls = 0;
}

static uint32_t ref_depth(const struct reference *r)
{
	return (r->lcr_h & PL011_LCR_H_FEN) != 0 ? PL011_FIFO_DEPTH : 1U;
}

/** RX trigger level: 1/8, 1/4, 1/2, 3/4, 7/8 of 32, reserved as 1/2. */
static uint32_t ref_trigger(const struct reference *r)
{
	static const uint32_t levels[] = {4, 8, 16, 24, 28};
	uint32_t sel = (r->ifls >> IFLS_RX_SHIFT) & IFLS_RX_MASK;

	if ((r->lcr_h & PL011_LCR_H_FEN) == 0) {
		return 1U;
	}
	return sel < 5 ? levels[sel] : PL011_FIFO_DEPTH / 2U;
}

static uint32_t ref_ris(const struct reference *r)
{
	uint32_t ris = r->sticky;

	if (r->count >= ref_trigger(r)) {
		ris |= PL011_INT_RX;
	} else if (r->count != 0) {
		ris |= PL011_INT_RT;
	}
	return ris;
}

static bool cr_has(const struct reference *r, uint32_t bits)
{
	return (r->cr & bits) == bits;
}

/** A byte reaches the receiver (line or loopback); false if lost. */
static bool ref_push(struct reference *r, uint8_t byte)
{
	if (r->count >= ref_depth(r)) {
		r->rsr |= PL011_RSR_OE;
		r->sticky |= PL011_INT_OE;
		r->overrun_pending = true;
		return false;
	}
	r->fifo[r->count++] = byte;
	return true;
}

/** DR read: the oldest entry with its flags, 0 when empty. */
static uint32_t ref_pop(struct reference *r)
{
	uint32_t entry;

	if (r->count == 0) {
		return 0;
	}
	entry = r->fifo[0];
	memmove(&r->fifo[0], &r->fifo[1], (r->count - 1) * sizeof(r->fifo[0]));
	r->count--;
	if (r->overrun_pending) {
		entry |= PL011_DR_OE;
		r->overrun_pending = false;
	}
	/* RSR accumulates the error flags (bits [11:8]) of bytes read. */
	r->rsr |= (entry >> 8) & 0xfU;
	return entry;
}

static bool is_known(uint64_t word_offset)
{
	for (size_t i = 0; i < KNOWN_REGS; i++) {
		if (known_regs[i] == word_offset) {
			return true;
		}
	}
	return false;
}

/** The header's access rule: 1, 2 or 4 bytes, aligned, in the window. */
static bool access_ok(uint64_t offset, unsigned int width, bool write)
{
	if (width != 1 && width != 2 && width != 4) {
		return false;
	}
	if (offset % width != 0 || offset >= PL011_WINDOW_SIZE) {
		return false;
	}
	return !write || offset % REG_ALIGN == 0;
}

/** Side-effect-free read of a whole register. */
static uint32_t peek(struct harness *h, uint32_t offset)
{
	uint32_t v = 0xdeadbeefU;

	FUZZ_CHECK(pl011_model_read(&h->m, offset, 4, &v) == 0,
		   "read of 0x%x refused", offset);
	return v;
}

/** Everything the header promises about the current state. */
static void check_state(struct harness *h)
{
	const struct reference *r = &h->ref;
	uint32_t depth = ref_depth(r);
	uint32_t fr = peek(h, PL011_FR);
	uint32_t ris = peek(h, PL011_RIS);
	uint32_t imsc = peek(h, PL011_IMSC);
	uint32_t space = r->count >= depth ? 0 : depth - r->count;

	FUZZ_CHECK(h->m.rx_count <= PL011_FIFO_DEPTH &&
		       h->m.rx_head < PL011_FIFO_DEPTH,
		   "FIFO count %u head %u", h->m.rx_count, h->m.rx_head);
	FUZZ_CHECK(h->m.rx_count == r->count, "FIFO holds %u, want %u",
		   h->m.rx_count, r->count);
	/* What the UART service checks after a restart holds all along. */
	FUZZ_CHECK(pl011_model_valid(&h->m), "model state fails pl011_model_valid");
	FUZZ_CHECK((fr & PL011_FR_TXFE) && !(fr & PL011_FR_TXFF) &&
		       !(fr & PL011_FR_BUSY),
		   "FR 0x%x: the TX FIFO is always empty", fr);
	FUZZ_CHECK(((fr & PL011_FR_RXFE) != 0) == (r->count == 0),
		   "FR.RXFE with %u entries", r->count);
	FUZZ_CHECK(((fr & PL011_FR_RXFF) != 0) == (r->count >= depth),
		   "FR.RXFF with %u of %u entries", r->count, depth);
	FUZZ_CHECK(ris == ref_ris(r), "RIS 0x%x, want 0x%x (count %u)", ris,
		   ref_ris(r), r->count);
	FUZZ_CHECK((ris & ~INT_RAISED) == 0, "RIS 0x%x", ris);
	FUZZ_CHECK(imsc == (r->imsc & PL011_INT_ALL), "IMSC 0x%x, want 0x%x",
		   imsc, r->imsc & PL011_INT_ALL);
	FUZZ_CHECK(peek(h, PL011_MIS) == (ris & imsc), "MIS != RIS & IMSC");
	FUZZ_CHECK(pl011_model_irq_level(&h->m) == ((ris & imsc) != 0),
		   "IRQ level");
	FUZZ_CHECK(peek(h, PL011_RSR_ECR) == r->rsr, "RSR 0x%x, want 0x%x",
		   peek(h, PL011_RSR_ECR), r->rsr);
	FUZZ_CHECK(pl011_model_rx_space(&h->m) == space, "rx space %u, want %u",
		   pl011_model_rx_space(&h->m), space);
	FUZZ_CHECK(h->m.tx_count == r->tx_count && h->tx_calls == r->tx_calls,
		   "transmitted %llu (%llu calls), want %llu",
		   (unsigned long long)h->m.tx_count,
		   (unsigned long long)h->tx_calls,
		   (unsigned long long)r->tx_count);
	FUZZ_CHECK(r->tx_calls == 0 || h->last_tx == r->last_tx,
		   "transmitted 0x%x, want 0x%x", h->last_tx, r->last_tx);
}

/**
 * The register bits the header names must hold what was written, and no
 * register may hold a bit that was not written.
 */
static void check_written(struct harness *h, uint32_t offset, uint32_t value,
			  uint32_t named)
{
	uint32_t got = peek(h, offset);

	FUZZ_CHECK((got & ~value) == 0 && (got & named) == (value & named),
		   "register 0x%x reads 0x%x after writing 0x%x", offset, got,
		   value);
}

/** Reference effect of a write the model accepted. */
static void ref_write(struct harness *h, uint32_t offset, uint32_t value)
{
	struct reference *r = &h->ref;

	switch (offset) {
	case PL011_DR:
		if (!cr_has(r, PL011_CR_UARTEN | PL011_CR_TXE)) {
			break;
		}
		r->sticky |= PL011_INT_TX;
		if ((r->cr & PL011_CR_LBE) != 0) {
			if (cr_has(r, PL011_CR_UARTEN | PL011_CR_RXE)) {
				(void)ref_push(r, (uint8_t)value);
			}
			break;
		}
		r->tx_count++;
		r->tx_calls++;
		r->last_tx = (uint8_t)value;
		break;
	case PL011_RSR_ECR:
		r->rsr = 0;
		break;
	case PL011_ICR:
		r->sticky &= ~value;
		break;
	case PL011_CR:
		r->cr = value;
		check_written(h, offset, value,
			      PL011_CR_UARTEN | PL011_CR_LBE | PL011_CR_TXE |
				  PL011_CR_RXE);
		break;
	case PL011_LCR_H:
		r->lcr_h = value;
		check_written(h, offset, value, PL011_LCR_H_FEN);
		break;
	case PL011_IFLS:
		r->ifls = value;
		check_written(h, offset, value, IFLS_RX_MASK << IFLS_RX_SHIFT);
		break;
	case PL011_IMSC:
		r->imsc = value;
		break;
	case PL011_ILPR:
	case PL011_IBRD:
	case PL011_FBRD:
	case PL011_DMACR:
		check_written(h, offset, value, 0);
		break;
	default:
		break;
	}
}

/** True for offsets whose writes the header says are ignored. */
static bool write_ignored(uint32_t offset)
{
	return !is_known(offset) || offset == PL011_FR || offset == PL011_RIS ||
	       offset == PL011_MIS || offset >= PL011_PERIPHID0;
}

static void op_write(struct harness *h, uint64_t offset, unsigned int width,
		     uint32_t value)
{
	struct pl011_model before;
	bool ok = access_ok(offset, width, true);
	int ret;

	memcpy(&before, &h->m, sizeof(before));
	ret = pl011_model_write(&h->m, offset, width, value);
	FUZZ_CHECK(ret == (ok ? 0 : -1), "write of %u bytes at 0x%llx: %d",
		   width, (unsigned long long)offset, ret);
	if (!ok || write_ignored((uint32_t)offset)) {
		FUZZ_CHECK(memcmp(&before, &h->m, sizeof(before)) == 0,
			   "write at 0x%llx changed the model",
			   (unsigned long long)offset);
		return;
	}
	/* Sub-word writes write the zero-extended value. */
	ref_write(h, (uint32_t)offset, value & (uint32_t)fuzz_byte_mask(width));
}

/**
 * Value of the register at @p word_offset where the header or the TRM fixes
 * it (reserved and write-only: 0; UARTPCellID0-3); @p known false otherwise.
 */
static uint32_t expected_word(uint32_t word_offset, bool *known)
{
	*known = true;
	if (!is_known(word_offset) || word_offset == PL011_ICR) {
		return 0;
	}
	if (word_offset >= PL011_CELLID0) {
		uint32_t n = (word_offset - PL011_CELLID0) / REG_ALIGN;

		return (PCELL_ID >> (8U * n)) & 0xffU;
	}
	*known = false;
	return 0;
}

static void op_read(struct harness *h, uint64_t offset, unsigned int width)
{
	struct pl011_model before;
	bool ok = access_ok(offset, width, false);
	uint32_t word_offset = (uint32_t)(offset & ~(uint64_t)(REG_ALIGN - 1));
	uint32_t shift = (uint32_t)(offset % REG_ALIGN) * 8U;
	uint32_t mask = (uint32_t)fuzz_byte_mask(width);
	uint32_t value = 0;
	uint32_t want;
	bool known;
	int ret;

	memcpy(&before, &h->m, sizeof(before));
	ret = pl011_model_read(&h->m, offset, width, &value);
	FUZZ_CHECK(ret == (ok ? 0 : -1), "read of %u bytes at 0x%llx: %d",
		   width, (unsigned long long)offset, ret);
	if (!ok) {
		FUZZ_CHECK(memcmp(&before, &h->m, sizeof(before)) == 0,
			   "refused read changed the model");
		return;
	}
	FUZZ_CHECK((value & ~mask) == 0, "read of %u bytes returned 0x%x",
		   width, value);
	if (word_offset == PL011_DR) {
		/* Any read of DR pops the FIFO (the header). */
		want = (ref_pop(&h->ref) >> shift) & mask;
		FUZZ_CHECK(value == want, "DR read 0x%x, want 0x%x", value,
			   want);
		return;
	}
	FUZZ_CHECK(memcmp(&before, &h->m, sizeof(before)) == 0,
		   "read at 0x%llx changed the model",
		   (unsigned long long)offset);
	want = expected_word(word_offset, &known);
	if (!known) {
		/* Sub-word reads return the addressed bytes of the word. */
		want = peek(h, word_offset);
	}
	FUZZ_CHECK(value == ((want >> shift) & mask),
		   "read at 0x%llx: 0x%x, want 0x%x",
		   (unsigned long long)offset, value, (want >> shift) & mask);
}

static void op_rx(struct harness *h, uint8_t byte)
{
	struct pl011_model before;
	bool enabled = cr_has(&h->ref, PL011_CR_UARTEN | PL011_CR_RXE);
	bool want = false;
	bool got;

	memcpy(&before, &h->m, sizeof(before));
	got = pl011_model_rx(&h->m, byte);
	if (enabled) {
		want = ref_push(&h->ref, byte);
	} else {
		FUZZ_CHECK(memcmp(&before, &h->m, sizeof(before)) == 0,
			   "byte taken with the receiver disabled");
	}
	FUZZ_CHECK(got == want, "rx returned %d, want %d", got, want);
}

/** An offset: mostly a register (plus a byte offset), else anything. */
static uint64_t pick_offset(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	if (sel == 0xff) {
		return fuzz_u64(in);
	}
	if ((sel & 0x80) != 0) {
		return fuzz_u16(in) & 0x1fffU;
	}
	return known_regs[(sel & 0x1fU) % KNOWN_REGS] + ((sel >> 5) & 3U);
}

/** Operation codes, from the low bits of an operation byte. */
enum op {
	OP_WRITE,
	OP_WRITE_ALIGNED,
	OP_READ,
	OP_READ_ALIGNED,
	OP_RX,
	OP_RX_BURST,
	OP_DRAIN,
	OP_RESET,
	OP_COUNT,
};

/** Up to this many bytes per burst: more than a full FIFO. */
#define BURST_MAX 40U

static void run_op(struct harness *h, struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);
	uint64_t offset;
	unsigned int width;

	switch (op % OP_COUNT) {
	case OP_WRITE:
		offset = pick_offset(in);
		width = widths[fuzz_u8(in) % 8];
		op_write(h, offset, width, fuzz_u32(in));
		break;
	case OP_WRITE_ALIGNED:
		offset = known_regs[fuzz_u8(in) % KNOWN_REGS];
		op_write(h, offset, 4, fuzz_u32(in));
		break;
	case OP_READ:
		offset = pick_offset(in);
		width = widths[fuzz_u8(in) % 8];
		op_read(h, offset, width);
		break;
	case OP_READ_ALIGNED:
		op_read(h, known_regs[fuzz_u8(in) % KNOWN_REGS], 4);
		break;
	case OP_RX:
		op_rx(h, fuzz_u8(in));
		break;
	case OP_RX_BURST: {
		uint32_t n = fuzz_u8(in) % BURST_MAX;

		for (uint32_t i = 0; i < n; i++) {
			op_rx(h, (uint8_t)(op + i));
		}
		break;
	}
	case OP_DRAIN: {
		uint32_t n = fuzz_u8(in) % BURST_MAX;

		for (uint32_t i = 0; i < n; i++) {
			op_read(h, PL011_DR, 4);
		}
		break;
	}
	default:
		reset(h);
		break;
	}
	check_state(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;
	struct fuzz_in in;

	fuzz_in_init(&in, data, size);
	reset(&h);
	check_state(&h);
	while (!fuzz_done(&in)) {
		run_op(&h, &in);
	}
	return 0;
}
