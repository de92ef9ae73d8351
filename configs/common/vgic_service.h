#pragma once
/**
 * Scenario building blocks for interrupts: the vgic service partition and
 * the two GIC windows of a guest: its distributor, emulated by "vgic", and
 * its CPU interface, the hardware virtual CPU interface (GICV) mapped where
 * QEMU virt's GICC is.
 */
#include "hyp/config.h"
#include "hyp/units.h"

/** The service's RAM kept across restarts (its distributors' state). */
#define VGIC_KEPT_IPA 0x20200000ULL

#define VGIC_SERVICE_PARTITION                                               \
	{                                                                    \
		.name = "vgic", .kind = CFG_VM_SERVICE, .vcpu_count = 1,     \
		.image = "vgic", .image_ipa = 0x20000000,                    \
		.entry = 0x20000000,                                         \
		.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M },           \
			 /* Distributor state, kept across restarts. */      \
			 { .ipa = VGIC_KEPT_IPA, .size = 2 * SZ_1M,          \
			   .keep = true } },                                 \
		.ram_count = 2,                                              \
	}

#define GUEST_GICD_WINDOW                                                    \
	{                                                                    \
		.name = "gicd", .kind = CFG_DEV_EMULATED, .ipa = 0x08000000, \
		.size = SZ_4K, .service = "vgic", .kernel_sgir = true,       \
		.compatible = "arm,cortex-a15-gic",                          \
	}

#define GUEST_GICC_WINDOW                                                    \
	{                                                                    \
		.name = "gicc", .kind = CFG_DEV_GICV, .ipa = 0x08010000,     \
		.size = 2 * SZ_4K,                                           \
	}
