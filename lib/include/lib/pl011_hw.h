#pragma once
/**
 * Driver for a physical Arm PrimeCell UART (PL011; Arm DDI 0183G, chapter 3
 * "Programmers model"): the kernel's log console and the UART service's
 * line both use it.
 */
#include <stdbool.h>
#include <stdint.h>

/** Enable the UART, 8N1 with FIFOs, transmit and receive. */
void pl011_init(uintptr_t base);

/** Send one byte, waiting while the transmit FIFO is full. */
void pl011_putc(uintptr_t base, char c);

/** Send the @p len bytes at @p s, each as pl011_putc() does (one call:
 * the UART service passes each byte a guest transmits through it). */
void pl011_write(uintptr_t base, const char *s, uint32_t len);

/** Interrupt on received data (RXIM) and receive timeout (RTIM). */
void pl011_enable_rx_irq(uintptr_t base);

/** True if a received byte is waiting. */
bool pl011_rx_ready(uintptr_t base);

/** One received byte, or -1 if the receive FIFO is empty. */
int pl011_getc(uintptr_t base);
