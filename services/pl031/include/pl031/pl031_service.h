#pragma once
/**
 * The PL031 RTC service's contract with scenarios
 * (configs/common/pl031_service.h).
 *
 * The scenario maps the board's PL031 into the service at PL031_PHYS_IPA
 * (a passthrough window the service only reads: RTCDR, once, at its first
 * start) and gives each client guest an emulated 4 KiB window served by
 * "pl031", whose interrupt is the guest's SPI PL031_GUEST_INTID.
 */
/** IPA of the board's PL031 inside the service partition (QEMU virt's). */
#define PL031_PHYS_IPA 0x09010000UL
/** The guest's RTC interrupt: QEMU virt's (SPI 2), as a guest device tree
 * for QEMU virt expects. */
#define PL031_GUEST_INTID 34U
