#pragma once
/**
 * The build-time scenario validator (tools/config_validate.c), linked into
 * cfgcheck, the host tests and the fuzzer; not into the kernel, which
 * checks at boot only its own bounds (hyp/config.h, cfg_check_bounds()).
 */
#include <stddef.h>

#include "hyp/config.h"

/**
 * What the kernel itself uses of the platform's PCIe (pvpanic.c): bus 0's
 * configuration space (ECAM: bus number at address bit 20, PCIe base spec
 * 7.2.2, so one bus is 1 MiB) and the page at pci_mmio_base where it
 * places the pvpanic device's BAR. Never granted to a partition (D10).
 */
#define CFG_PCI_ECAM_BUS_SIZE 0x100000ULL
#define CFG_PCI_BAR_SIZE 0x1000ULL

/** Sink for validation messages (one complete sentence per call). */
typedef void (*cfg_report_fn)(void *ctx, const char *msg);

/**
 * Check @p sc against the rules in docs/architecture.md ("Scenario
 * rules"): names, counts, alignment, overlaps inside a partition's IPA
 * space, RAM and images fitting, entry inside the image, device windows
 * and services, passthrough windows inside platform MMIO and not the
 * kernel's UART nor granted twice, IRQs in range and owned once (a guest's
 * with a distributor to deliver them), total RAM within the platform,
 * grants only of RAM of guests a service serves. Every problem is
 * reported; returns the number found (0 = valid).
 */
size_t cfg_validate(const struct cfg_scenario *sc,
		    const struct cfg_image *images, size_t image_count,
		    cfg_report_fn report, void *ctx);
