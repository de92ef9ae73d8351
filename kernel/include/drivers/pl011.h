#pragma once
/**
 * Arm PrimeCell UART (PL011) driver for the kernel's own console (Arm DDI
 * 0183G, chapter 3 "Programmers model").
 */
#include <stdint.h>

/** Enable the UART, 8N1 with FIFOs, transmit and receive. */
void pl011_init(uintptr_t base);

/** Send one byte, waiting while the transmit FIFO is full. */
void pl011_putc(uintptr_t base, char c);
