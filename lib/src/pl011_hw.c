/** Physical PL011 driver (see lib/pl011_hw.h). */
#include "lib/pl011_hw.h"

#include <stddef.h>

/** PL011 register map (DDI 0183G, table 3-1). */
struct pl011_regs {
	uint32_t dr;	  /* 0x000 data */
	uint32_t rsr_ecr; /* 0x004 receive status / error clear */
	uint32_t reserved0[4];
	uint32_t fr; /* 0x018 flags */
	uint32_t reserved1;
	uint32_t ilpr;	/* 0x020 IrDA low-power counter */
	uint32_t ibrd;	/* 0x024 integer baud rate divisor */
	uint32_t fbrd;	/* 0x028 fractional baud rate divisor */
	uint32_t lcr_h; /* 0x02c line control */
	uint32_t cr;	/* 0x030 control */
	uint32_t ifls;	/* 0x034 interrupt FIFO level select */
	uint32_t imsc;	/* 0x038 interrupt mask set/clear */
};

_Static_assert(offsetof(struct pl011_regs, fr) == 0x018, "PL011 FR offset");
_Static_assert(offsetof(struct pl011_regs, ibrd) == 0x024, "PL011 IBRD offset");
_Static_assert(offsetof(struct pl011_regs, lcr_h) == 0x02c,
	       "PL011 LCR_H offset");
_Static_assert(offsetof(struct pl011_regs, cr) == 0x030, "PL011 CR offset");
_Static_assert(offsetof(struct pl011_regs, imsc) == 0x038, "PL011 IMSC offset");

#define PL011_FR_RXFE (1U << 4) /* Receive FIFO empty. */
#define PL011_FR_TXFF (1U << 5) /* Transmit FIFO full. */
#define PL011_DR_DATA_MASK 0xffU
#define PL011_FR_BUSY (1U << 3)
#define PL011_LCR_H_FEN (1U << 4)    /* FIFOs enabled. */
#define PL011_LCR_H_WLEN_8 (3U << 5) /* 8 data bits. */
#define PL011_IMSC_RXIM (1U << 4)    /* Receive interrupt. */
#define PL011_IMSC_RTIM (1U << 6)    /* Receive timeout interrupt. */
#define PL011_CR_UARTEN (1U << 0)
#define PL011_CR_TXE (1U << 8)
#define PL011_CR_RXE (1U << 9)
/* 115200 baud from QEMU virt's 24 MHz UART clock: 24e6 / (16 * 115200) =
 * 13.02 -> IBRD 13, FBRD round(0.02 * 64) = 1. */
#define PL011_IBRD_115200 13U
#define PL011_FBRD_115200 1U

static volatile struct pl011_regs *regs(uintptr_t base)
{
	return (volatile struct pl011_regs *)base;
}

void pl011_init(uintptr_t base)
{
	volatile struct pl011_regs *u = regs(base);

	/* Disable, let the FIFO drain, program, enable (DDI 0183G 3.3.8). */
	u->cr = 0;
	while (u->fr & PL011_FR_BUSY) {
	}
	u->ibrd = PL011_IBRD_115200;
	u->fbrd = PL011_FBRD_115200;
	u->lcr_h = PL011_LCR_H_FEN | PL011_LCR_H_WLEN_8;
	u->cr = PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE;
}

void pl011_write(uintptr_t base, const char *s, uint32_t len)
{
	volatile struct pl011_regs *u = regs(base);

	for (uint32_t i = 0; i < len; i++) {
		while (u->fr & PL011_FR_TXFF) {
		}
		u->dr = (uint32_t)(unsigned char)s[i];
	}
}

void pl011_putc(uintptr_t base, char c)
{
	pl011_write(base, &c, 1);
}

void pl011_enable_rx_irq(uintptr_t base)
{
	regs(base)->imsc = PL011_IMSC_RXIM | PL011_IMSC_RTIM;
}

bool pl011_rx_ready(uintptr_t base)
{
	return !(regs(base)->fr & PL011_FR_RXFE);
}

int pl011_getc(uintptr_t base)
{
	volatile struct pl011_regs *u = regs(base);

	if (u->fr & PL011_FR_RXFE) {
		return -1;
	}
	return (int)(u->dr & PL011_DR_DATA_MASK);
}
