#pragma once
/**
 * Scenario building blocks for the UART service: the service partition
 * itself (with the physical PL011 passed through) and the emulated PL011
 * window a client guest gets at the QEMU virt UART address.
 */
#include "hyp/config.h"
#include "hyp/units.h"

/** Where guests find their (virtual) PL011: QEMU virt's UART address. */
#define GUEST_UART_IPA 0x09000000ULL

/** The service's RAM kept across restarts (its device state). */
#define UART_KEPT_IPA 0x20200000ULL

#define UART_SERVICE_PARTITION                                               \
	{                                                                    \
		.name = "uart",                                              \
		.kind = CFG_VM_SERVICE,                                      \
		.vcpu_count = 1,                                             \
		.image = "uart",                                             \
		.image_ipa = 0x20000000,                                     \
		.entry = 0x20000000,                                         \
		.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M },           \
			 /* Device state, kept across restarts. */           \
			 { .ipa = UART_KEPT_IPA, .size = 2 * SZ_1M,          \
			   .keep = true } },                                 \
		.ram_count = 2,                                              \
		.devices = { {                                               \
			.name = "pl011",                                     \
			.kind = CFG_DEV_PASSTHROUGH,                         \
			.ipa = 0x09000000,                                   \
			.pa = 0x09000000,                                    \
			.size = SZ_4K,                                       \
		} },                                                         \
		.device_count = 1,                                           \
		/* The physical PL011's interrupt, SPI 1. */                 \
		.irqs = { 33 },                                              \
		.irq_count = 1,                                              \
	}

#define GUEST_UART_WINDOW                                                    \
	{                                                                    \
		.name = "uart0",                                             \
		.kind = CFG_DEV_EMULATED,                                    \
		.ipa = GUEST_UART_IPA,                                       \
		.size = SZ_4K,                                               \
		.service = "uart",                                           \
		/* Its PL011 interrupt (SPI 1), raised by the service. */    \
		.irq = 33,                                                   \
		.compatible = "arm,pl011",                                   \
	}
