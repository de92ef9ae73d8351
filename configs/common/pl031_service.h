#pragma once
/**
 * Scenario building blocks for the PL031 RTC service: the service
 * partition itself (reading the board's PL031, passed through, for the
 * time at its start) and the emulated PL031 window a client guest gets at
 * the QEMU virt RTC address (services/pl031/include/pl031/pl031_service.h
 * names the same addresses and interrupt for the service).
 */
#include "hyp/config.h"
#include "hyp/units.h"

/** Where guests find their (virtual) PL031: QEMU virt's RTC address. */
#define GUEST_RTC_IPA 0x09010000ULL

/** The service's RAM kept across restarts (its clock and devices). */
#define PL031_KEPT_IPA 0x20200000ULL

#define PL031_SERVICE_PARTITION                                              \
	{                                                                    \
		.name = "pl031",                                             \
		.kind = CFG_VM_SERVICE,                                      \
		.vcpu_count = 1,                                             \
		.image = "pl031",                                            \
		.image_ipa = 0x20000000,                                     \
		.entry = 0x20000000,                                         \
		.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M },           \
			 /* Clock base and devices, kept across restarts. */ \
			 { .ipa = PL031_KEPT_IPA, .size = 2 * SZ_1M,         \
			   .keep = true } },                                 \
		.ram_count = 2,                                              \
		/* The board's RTC: its RTCDR is read once, at start. */     \
		.devices = { {                                               \
			.name = "rtc",                                       \
			.kind = CFG_DEV_PASSTHROUGH,                         \
			.ipa = 0x09010000,                                   \
			.pa = 0x09010000,                                    \
			.size = SZ_4K,                                       \
		} },                                                         \
		.device_count = 1,                                           \
	}

#define GUEST_RTC_WINDOW                                                     \
	{                                                                    \
		.name = "rtc0",                                              \
		.kind = CFG_DEV_EMULATED,                                    \
		.ipa = GUEST_RTC_IPA,                                        \
		.size = SZ_4K,                                               \
		.service = "pl031",                                          \
		/* tools/dtgen: a PrimeCell node with its apb_pclk. */       \
		.compatible = "arm,pl031",                                   \
		/* Its PL031 interrupt (SPI 2), raised by the service. */    \
		.irq = 34,                                                   \
	}
