/**
 * The PL011 model behind uart/pl011_model.h: a table of register descriptors
 * (offset, name, accessors, reset value) and a few accessors with side
 * effects (DR, RSR/ECR, ICR, and the registers that move the RX trigger).
 *
 * Register map and fields: Arm PrimeCell UART (PL011) Technical Reference
 * Manual, Arm DDI 0183G, section 3.2 (summary, table 3-1) and 3.3 (register
 * descriptions). Freestanding: no libc, no division, no struct copies (which
 * the compiler could lower to memset/memcpy).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uart/pl011_model.h"

/* Writable bits of each register (DDI 0183G 3.3, register descriptions). */
#define PL011_ILPR_MASK	 0xffU	 /**< UARTILPR.ILPDVSR, 8 bits. */
#define PL011_IBRD_MASK	 0xffffU /**< UARTIBRD.BAUD DIVINT, 16 bits. */
#define PL011_FBRD_MASK	 0x3fU	 /**< UARTFBRD.BAUD DIVFRAC, 6 bits. */
#define PL011_LCR_H_MASK 0xffU	 /**< UARTLCR_H.SPS..BRK, 8 bits. */
#define PL011_CR_MASK	 0xffffU /**< UARTCR.CTSEn..UARTEN, 16 bits. */
#define PL011_IFLS_MASK	 0x3fU	 /**< UARTIFLS.RXIFLSEL, TXIFLSEL. */
#define PL011_DMACR_MASK 0x7U	 /**< UARTDMACR.DMAONERR..RXDMAE. */

/** Reset value of CR: enabled as if by firmware (see the header). */
#define PL011_CR_RESET (PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE)
/** Reset value of IFLS: both trigger levels at 1/2 (UARTIFLS). */
#define PL011_IFLS_RESET 0x12U

/* UARTIFLS.RXIFLSEL, bits [5:3]. */
#define PL011_IFLS_RX_SHIFT 3U
#define PL011_IFLS_RX_MASK  (0x7U << PL011_IFLS_RX_SHIFT)
/** Trigger level used for the reserved RXIFLSEL encodings 5..7: 1/2. */
#define PL011_RX_TRIGGER_DEFAULT (PL011_FIFO_DEPTH / 2U)

/* UARTDR read error flags, bits [11:8], and UARTRSR bits [3:0]. */
#define PL011_DR_DATA_MASK 0xffU
#define PL011_DR_ERR_SHIFT 8U
#define PL011_RSR_MASK	   0xfU

/*
 * UARTPeriphID0..3 and UARTPCellID0..3: part 0x011, designer 0x41 ('A'),
 * revision 3 (r1p5), from which Linux sizes the FIFO at 32 entries; the
 * cell ID reads 0xb105f00d as the AMBA bus expects.
 */
#define PL011_PERIPHID0_RESET 0x11U
#define PL011_PERIPHID1_RESET 0x10U
#define PL011_PERIPHID2_RESET 0x34U
#define PL011_PERIPHID3_RESET 0x00U
#define PL011_CELLID0_RESET   0x0dU
#define PL011_CELLID1_RESET   0xf0U
#define PL011_CELLID2_RESET   0x05U
#define PL011_CELLID3_RESET   0xb1U

/** Registers are 32 bits wide and 32-bit aligned (DDI 0183G 3.2). */
#define PL011_REG_ALIGN_MASK 0x3U
#define BITS_PER_BYTE	     8U

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct pl011_reg;

/** Reads the whole 32-bit register (may have side effects, e.g. DR). */
typedef uint32_t (*pl011_reg_read_fn)(struct pl011_model *m,
				      const struct pl011_reg *r);
/** Writes the whole 32-bit register. */
typedef void (*pl011_reg_write_fn)(struct pl011_model *m,
				   const struct pl011_reg *r, uint32_t value);

/** One register of the window. */
struct pl011_reg {
	uint32_t offset;	  /**< Byte offset in the window. */
	const char *name;	  /**< Name in DDI 0183G, for debugging. */
	pl011_reg_read_fn read;	  /**< Guest read of the register. */
	pl011_reg_write_fn write; /**< Guest write of the register. */
	uint32_t reset;		  /**< Reset value (constant of ID regs). */
	uint32_t mask;		  /**< Writable bits, for write_field(). */
	bool stored;		  /**< Backed by the model field @c field. */
	size_t field;		  /**< offsetof() the field when @c stored. */
};

/** The model field backing @p r. */
static uint32_t *reg_field(struct pl011_model *m, const struct pl011_reg *r)
{
	return (uint32_t *)((uint8_t *)m + r->field);
}

/** RX FIFO depth in force: 32 entries with LCR_H.FEN, else 1. */
static uint32_t rx_depth(const struct pl011_model *m)
{
	return (m->lcr_h & PL011_LCR_H_FEN) != 0 ? PL011_FIFO_DEPTH : 1U;
}

/**
 * Fill level at which RXRIS rises: IFLS.RXIFLSEL of 32 with the FIFO
 * enabled (1/8, 1/4, 1/2, 3/4, 7/8; reserved encodings as 1/2), 1 without.
 */
static uint32_t rx_trigger(const struct pl011_model *m)
{
	static const uint32_t levels[] = {4U, 8U, 16U, 24U, 28U};
	uint32_t sel = (m->ifls & PL011_IFLS_RX_MASK) >> PL011_IFLS_RX_SHIFT;

	if ((m->lcr_h & PL011_LCR_H_FEN) == 0) {
		return 1U;
	}
	if (sel >= ARRAY_SIZE(levels)) {
		return PL011_RX_TRIGGER_DEFAULT;
	}
	return levels[sel];
}

/**
 * Recompute RXRIS and RTRIS from the FIFO: RX at or above the trigger level,
 * RT while data waits below it (a receive timeout that expires at once).
 * Called after every change of fill level, trigger level and after ICR, so
 * both bits are a pure function of the FIFO state.
 */
static void rx_irq_update(struct pl011_model *m)
{
	m->ris &= ~(PL011_INT_RX | PL011_INT_RT);
	if (m->rx_count >= rx_trigger(m)) {
		m->ris |= PL011_INT_RX;
	} else if (m->rx_count != 0) {
		m->ris |= PL011_INT_RT;
	}
}

/** True while CR lets the receiver take bytes. */
static bool rx_enabled(const struct pl011_model *m)
{
	uint32_t need = PL011_CR_UARTEN | PL011_CR_RXE;

	return (m->cr & need) == need;
}

/** True while CR lets the transmitter send bytes. */
static bool tx_enabled(const struct pl011_model *m)
{
	uint32_t need = PL011_CR_UARTEN | PL011_CR_TXE;

	return (m->cr & need) == need;
}

/**
 * Push a received byte. A full FIFO loses it and records an overrun:
 * RSR.OE, RIS.OERIS, and the OE flag on the next byte read from DR.
 */
static bool rx_push(struct pl011_model *m, uint8_t byte)
{
	uint32_t tail;

	if (m->rx_count >= rx_depth(m)) {
		m->rsr |= PL011_RSR_OE;
		m->ris |= PL011_INT_OE;
		m->overrun_pending = true;
		return false;
	}
	tail = (m->rx_head + m->rx_count) % PL011_FIFO_DEPTH;
	m->rx_fifo[tail] = byte;
	m->rx_count++;
	rx_irq_update(m);
	return true;
}

/** Pop the oldest entry (data | flags << 8); the FIFO must not be empty. */
static uint32_t rx_pop(struct pl011_model *m)
{
	uint32_t entry = m->rx_fifo[m->rx_head];

	m->rx_head = (m->rx_head + 1U) % PL011_FIFO_DEPTH;
	m->rx_count--;
	if (m->overrun_pending) {
		entry |= PL011_DR_OE;
		m->overrun_pending = false;
	}
	rx_irq_update(m);
	return entry;
}

/** Read of a plain register kept in a model field. */
static uint32_t read_field(struct pl011_model *m, const struct pl011_reg *r)
{
	return *reg_field(m, r);
}

/** Read of a write-only register: zero. */
static uint32_t read_zero(struct pl011_model *m, const struct pl011_reg *r)
{
	(void)m;
	(void)r;
	return 0;
}

/** Read of an identification register: its constant value. */
static uint32_t read_const(struct pl011_model *m, const struct pl011_reg *r)
{
	(void)m;
	return r->reset;
}

/**
 * DR read: pop the RX FIFO, 0 when empty. The error flags of the
 * popped byte accumulate in RSR, which only a write to ECR clears (UARTRSR).
 */
static uint32_t read_dr(struct pl011_model *m, const struct pl011_reg *r)
{
	uint32_t entry;

	(void)r;
	if (m->rx_count == 0) {
		return 0;
	}
	entry = rx_pop(m);
	m->rsr |= (entry >> PL011_DR_ERR_SHIFT) & PL011_RSR_MASK;
	return entry;
}

/** FR: TX FIFO always empty; RXFE/RXFF from the fill level. */
static uint32_t read_fr(struct pl011_model *m, const struct pl011_reg *r)
{
	(void)r;
	return pl011_model_fr(m);
}

uint32_t pl011_model_cr(const struct pl011_model *m)
{
	return m->cr;
}

uint32_t pl011_model_fr(const struct pl011_model *m)
{
	uint32_t fr = PL011_FR_TXFE;

	if (m->rx_count == 0) {
		fr |= PL011_FR_RXFE;
	}
	if (m->rx_count >= rx_depth(m)) {
		fr |= PL011_FR_RXFF;
	}
	return fr;
}

/** MIS: RIS masked by IMSC. */
static uint32_t read_mis(struct pl011_model *m, const struct pl011_reg *r)
{
	(void)r;
	return m->ris & m->imsc;
}

/** Write of a plain register: keep the writable bits. */
static void write_field(struct pl011_model *m, const struct pl011_reg *r,
			uint32_t value)
{
	*reg_field(m, r) = value & r->mask;
}

/** Write of LCR_H or IFLS: both move the RX trigger level. */
static void write_rx_level(struct pl011_model *m, const struct pl011_reg *r,
			   uint32_t value)
{
	write_field(m, r, value);
	rx_irq_update(m);
}

/** Write of a read-only register or of ID space: ignored. */
static void write_ignore(struct pl011_model *m, const struct pl011_reg *r,
			 uint32_t value)
{
	(void)m;
	(void)r;
	(void)value;
}

/**
 * DR write: with UARTEN and TXE the byte leaves at once through the
 * callback, or into the RX FIFO with CR.LBE (loopback). Either way
 * the TX FIFO is empty again, so TXRIS rises.
 */
static void write_dr(struct pl011_model *m, const struct pl011_reg *r,
		     uint32_t value)
{
	(void)r;
	if (pl011_model_transmits(m)) {
		uint8_t byte = pl011_model_tx(m, value);

		if (m->tx != NULL) {
			m->tx(m->tx_ctx, byte);
		}
		return;
	}
	if (!tx_enabled(m)) {
		return;
	}
	/* Loopback (CR.LBE). */
	m->ris |= PL011_INT_TX;
	if (rx_enabled(m)) {
		(void)rx_push(m, (uint8_t)(value & PL011_DR_DATA_MASK));
	}
}

bool pl011_model_transmits(const struct pl011_model *m)
{
	return tx_enabled(m) && (m->cr & PL011_CR_LBE) == 0;
}

uint8_t pl011_model_tx(struct pl011_model *m, uint32_t value)
{
	m->ris |= PL011_INT_TX;
	m->tx_count++;
	return (uint8_t)(value & PL011_DR_DATA_MASK);
}

/** ECR write: any value clears the error status. */
static void write_ecr(struct pl011_model *m, const struct pl011_reg *r,
		      uint32_t value)
{
	(void)r;
	(void)value;
	m->rsr = 0;
}

/**
 * ICR write: clear the RIS bits written as 1. RXRIS and RTRIS are
 * then recomputed from the FIFO, so they stay set while data still calls
 * for them: a guest that acknowledges and leaves data behind is interrupted
 * again rather than stranding bytes (Linux acknowledges RX|RT through ICR
 * only before draining DR, so it sees no difference).
 */
static void write_icr(struct pl011_model *m, const struct pl011_reg *r,
		      uint32_t value)
{
	(void)r;
	m->ris &= ~(value & PL011_INT_ALL);
	rx_irq_update(m);
}

/** The registers of the window (DDI 0183G table 3-1), by offset. */
/** Position of each register in pl011_regs[]. */
enum pl011_reg_index {
	REG_DR,
	REG_RSR_ECR,
	REG_FR,
	REG_ILPR,
	REG_IBRD,
	REG_FBRD,
	REG_LCR_H,
	REG_CR,
	REG_IFLS,
	REG_IMSC,
	REG_RIS,
	REG_MIS,
	REG_ICR,
	REG_DMACR,
	REG_PERIPHID0,
	REG_PERIPHID1,
	REG_PERIPHID2,
	REG_PERIPHID3,
	REG_CELLID0,
	REG_CELLID1,
	REG_CELLID2,
	REG_CELLID3,
	REG_COUNT,
};

static const struct pl011_reg pl011_regs[REG_COUNT] = {
    [REG_DR] = {
	.offset = PL011_DR,
	.name = "UARTDR",
	.read = read_dr,
	.write = write_dr,
    },
    [REG_RSR_ECR] = {
	.offset = PL011_RSR_ECR,
	.name = "UARTRSR/UARTECR",
	.read = read_field,
	.write = write_ecr,
	.reset = 0,
	.stored = true,
	.field = offsetof(struct pl011_model, rsr),
    },
    [REG_FR] = {
	.offset = PL011_FR,
	.name = "UARTFR",
	.read = read_fr,
	.write = write_ignore,
    },
    [REG_ILPR] = {
	.offset = PL011_ILPR,
	.name = "UARTILPR",
	.read = read_field,
	.write = write_field,
	.reset = 0,
	.mask = PL011_ILPR_MASK,
	.stored = true,
	.field = offsetof(struct pl011_model, ilpr),
    },
    [REG_IBRD] = {
	.offset = PL011_IBRD,
	.name = "UARTIBRD",
	.read = read_field,
	.write = write_field,
	.reset = 0,
	.mask = PL011_IBRD_MASK,
	.stored = true,
	.field = offsetof(struct pl011_model, ibrd),
    },
    [REG_FBRD] = {
	.offset = PL011_FBRD,
	.name = "UARTFBRD",
	.read = read_field,
	.write = write_field,
	.reset = 0,
	.mask = PL011_FBRD_MASK,
	.stored = true,
	.field = offsetof(struct pl011_model, fbrd),
    },
    [REG_LCR_H] = {
	.offset = PL011_LCR_H,
	.name = "UARTLCR_H",
	.read = read_field,
	.write = write_rx_level,
	.reset = 0,
	.mask = PL011_LCR_H_MASK,
	.stored = true,
	.field = offsetof(struct pl011_model, lcr_h),
    },
    [REG_CR] = {
	.offset = PL011_CR,
	.name = "UARTCR",
	.read = read_field,
	.write = write_field,
	.reset = PL011_CR_RESET,
	.mask = PL011_CR_MASK,
	.stored = true,
	.field = offsetof(struct pl011_model, cr),
    },
    [REG_IFLS] = {
	.offset = PL011_IFLS,
	.name = "UARTIFLS",
	.read = read_field,
	.write = write_rx_level,
	.reset = PL011_IFLS_RESET,
	.mask = PL011_IFLS_MASK,
	.stored = true,
	.field = offsetof(struct pl011_model, ifls),
    },
    [REG_IMSC] = {
	.offset = PL011_IMSC,
	.name = "UARTIMSC",
	.read = read_field,
	.write = write_field,
	.reset = 0,
	.mask = PL011_INT_ALL,
	.stored = true,
	.field = offsetof(struct pl011_model, imsc),
    },
    [REG_RIS] = {
	.offset = PL011_RIS,
	.name = "UARTRIS",
	.read = read_field,
	.write = write_ignore,
	.reset = 0,
	.stored = true,
	.field = offsetof(struct pl011_model, ris),
    },
    [REG_MIS] = {
	.offset = PL011_MIS,
	.name = "UARTMIS",
	.read = read_mis,
	.write = write_ignore,
    },
    [REG_ICR] = {
	.offset = PL011_ICR,
	.name = "UARTICR",
	.read = read_zero,
	.write = write_icr,
    },
    [REG_DMACR] = {
	.offset = PL011_DMACR,
	.name = "UARTDMACR",
	.read = read_field,
	.write = write_field,
	.reset = 0,
	.mask = PL011_DMACR_MASK,
	.stored = true,
	.field = offsetof(struct pl011_model, dmacr),
    },
    [REG_PERIPHID0] = {
	.offset = PL011_PERIPHID0,
	.name = "UARTPeriphID0",
	.read = read_const,
	.write = write_ignore,
	.reset = PL011_PERIPHID0_RESET,
    },
    [REG_PERIPHID1] = {
	.offset = PL011_PERIPHID0 + 0x4,
	.name = "UARTPeriphID1",
	.read = read_const,
	.write = write_ignore,
	.reset = PL011_PERIPHID1_RESET,
    },
    [REG_PERIPHID2] = {
	.offset = PL011_PERIPHID0 + 0x8,
	.name = "UARTPeriphID2",
	.read = read_const,
	.write = write_ignore,
	.reset = PL011_PERIPHID2_RESET,
    },
    [REG_PERIPHID3] = {
	.offset = PL011_PERIPHID0 + 0xc,
	.name = "UARTPeriphID3",
	.read = read_const,
	.write = write_ignore,
	.reset = PL011_PERIPHID3_RESET,
    },
    [REG_CELLID0] = {
	.offset = PL011_CELLID0,
	.name = "UARTPCellID0",
	.read = read_const,
	.write = write_ignore,
	.reset = PL011_CELLID0_RESET,
    },
    [REG_CELLID1] = {
	.offset = PL011_CELLID0 + 0x4,
	.name = "UARTPCellID1",
	.read = read_const,
	.write = write_ignore,
	.reset = PL011_CELLID1_RESET,
    },
    [REG_CELLID2] = {
	.offset = PL011_CELLID0 + 0x8,
	.name = "UARTPCellID2",
	.read = read_const,
	.write = write_ignore,
	.reset = PL011_CELLID2_RESET,
    },
    [REG_CELLID3] = {
	.offset = PL011_CELLID0 + 0xc,
	.name = "UARTPCellID3",
	.read = read_const,
	.write = write_ignore,
	.reset = PL011_CELLID3_RESET,
    },
};

/** The register at word-aligned @p offset, or NULL if reserved. */
static const struct pl011_reg *reg_find(uint64_t offset)
{
	/* A switch, not a search: this runs on every guest access. */
	switch (offset) {
	case PL011_DR:
		return &pl011_regs[REG_DR];
	case PL011_RSR_ECR:
		return &pl011_regs[REG_RSR_ECR];
	case PL011_FR:
		return &pl011_regs[REG_FR];
	case PL011_ILPR:
		return &pl011_regs[REG_ILPR];
	case PL011_IBRD:
		return &pl011_regs[REG_IBRD];
	case PL011_FBRD:
		return &pl011_regs[REG_FBRD];
	case PL011_LCR_H:
		return &pl011_regs[REG_LCR_H];
	case PL011_CR:
		return &pl011_regs[REG_CR];
	case PL011_IFLS:
		return &pl011_regs[REG_IFLS];
	case PL011_IMSC:
		return &pl011_regs[REG_IMSC];
	case PL011_RIS:
		return &pl011_regs[REG_RIS];
	case PL011_MIS:
		return &pl011_regs[REG_MIS];
	case PL011_ICR:
		return &pl011_regs[REG_ICR];
	case PL011_DMACR:
		return &pl011_regs[REG_DMACR];
	case PL011_PERIPHID0:
		return &pl011_regs[REG_PERIPHID0];
	case PL011_PERIPHID0 + 0x4:
		return &pl011_regs[REG_PERIPHID1];
	case PL011_PERIPHID0 + 0x8:
		return &pl011_regs[REG_PERIPHID2];
	case PL011_PERIPHID0 + 0xc:
		return &pl011_regs[REG_PERIPHID3];
	case PL011_CELLID0:
		return &pl011_regs[REG_CELLID0];
	case PL011_CELLID0 + 0x4:
		return &pl011_regs[REG_CELLID1];
	case PL011_CELLID0 + 0x8:
		return &pl011_regs[REG_CELLID2];
	case PL011_CELLID0 + 0xc:
		return &pl011_regs[REG_CELLID3];
	default:
		return NULL;
	}
}

/** Bits carried by an access of @p width bytes (1, 2 or 4). */
static uint32_t width_mask(unsigned width)
{
	if (width >= sizeof(uint32_t)) {
		return UINT32_MAX;
	}
	return (1U << (width * BITS_PER_BYTE)) - 1U;
}

/**
 * 1, 2 or 4 bytes, naturally aligned, inside the window. Alignment and
 * offset < window already keep offset + width inside; the width test
 * states the rule anyway, without a sum that could wrap.
 */
static bool access_valid(uint64_t offset, unsigned width)
{
	if (width != 1U && width != 2U && width != 4U) {
		return false;
	}
	if ((offset & (width - 1U)) != 0) {
		return false;
	}
	return offset < PL011_WINDOW_SIZE &&
	       width <= PL011_WINDOW_SIZE - offset;
}

void pl011_model_init(struct pl011_model *m, pl011_tx_fn tx, void *tx_ctx)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pl011_regs); i++) {
		if (pl011_regs[i].stored) {
			*reg_field(m, &pl011_regs[i]) = pl011_regs[i].reset;
		}
	}
	m->rx_head = 0;
	m->rx_count = 0;
	m->overrun_pending = false;
	m->tx = tx;
	m->tx_ctx = tx_ctx;
	m->tx_count = 0;
}

int pl011_model_read(struct pl011_model *m, uint64_t offset, unsigned width,
		     uint32_t *value)
{
	const struct pl011_reg *r;
	uint32_t word = 0;
	uint32_t shift;

	if (!access_valid(offset, width)) {
		return -1;
	}
	r = reg_find(offset & ~(uint64_t)PL011_REG_ALIGN_MASK);
	if (r != NULL) {
		word = r->read(m, r);
	}
	shift = (uint32_t)(offset & PL011_REG_ALIGN_MASK) * BITS_PER_BYTE;
	*value = (word >> shift) & width_mask(width);
	return 0;
}

int pl011_model_write(struct pl011_model *m, uint64_t offset, unsigned width,
		      uint32_t value)
{
	const struct pl011_reg *r;

	if (!access_valid(offset, width) ||
	    (offset & PL011_REG_ALIGN_MASK) != 0) {
		return -1;
	}
	r = reg_find(offset);
	if (r != NULL) {
		r->write(m, r, value & width_mask(width));
	}
	return 0;
}

bool pl011_model_rx(struct pl011_model *m, uint8_t byte)
{
	if (!rx_enabled(m)) {
		return false;
	}
	return rx_push(m, byte);
}

uint32_t pl011_model_rx_space(const struct pl011_model *m)
{
	uint32_t depth = rx_depth(m);

	return m->rx_count >= depth ? 0 : depth - m->rx_count;
}

bool pl011_model_valid(const struct pl011_model *m)
{
	return m->rx_head < PL011_FIFO_DEPTH && m->rx_count <= PL011_FIFO_DEPTH &&
	       (m->ris & ~PL011_INT_ALL) == 0 && (m->imsc & ~PL011_INT_ALL) == 0;
}

bool pl011_model_irq_level(const struct pl011_model *m)
{
	return (m->ris & m->imsc) != 0;
}
