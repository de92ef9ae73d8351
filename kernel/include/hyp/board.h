#pragma once
/**
 * The board the kernel runs on, read at boot from the flattened device tree
 * (DTB) QEMU hands it (core/board.c; docs/architecture.md, "Boot"). From the
 * DTB: RAM (the first memory node's first range), the CPUs (/cpus, their
 * MPIDRs), the GICv2 frames (arm,cortex-a15-gic: GICD, GICC, GICH, GICV),
 * the kernel's UART (/chosen stdout-path, else the first arm,pl011) and the
 * PCIe ECAM with its 32-bit memory window (pci-host-ecam-generic; optional,
 * for pvpanic). Kept from the board the scenario was built for: its name,
 * the MMIO window a partition may be granted, the SPI range and the GICV
 * size (architectural: 8 KiB, IHI 0048B 5.4).
 */

#include "hyp/config.h"

/**
 * Read the board from the DTB at @p fdt (at most @p max bytes: the blob
 * must end inside). Returns NULL, and board() is the board read; or what is
 * missing or malformed, and board() stays the scenario's platform.
 */
const char *board_read(const void *fdt, size_t max);

/** The board read by board_read(), else the scenario's own platform. */
const struct cfg_platform *board(void);

/**
 * Whether the board read can host @p sc, whose partitions get their RAM
 * from a pool of @p pool_bytes: their RAM fits in it, and every passthrough
 * window lies inside the registers of a device the DTB lists. Otherwise
 * false and the first problem in @p why.
 */
bool board_check(const struct cfg_scenario *sc, uint64_t pool_bytes, char *why,
		 size_t why_size);
