/**
 * QEMU's virt board as the kernel sees it (QEMU hw/arm/virt.c memory map),
 * started by tools/hypqemu.py with -m 1G, gic-version=2 and highmem=off.
 */
#include "platform.h"

#include "hyp/units.h"

const struct cfg_platform platform_qemu_virt = {
	.name = "qemu-virt",
	.ram_base = 0x40000000,
	.ram_size = SZ_1G,
	/* Device tree (2 MiB), kernel image, and its tables. */
	.hyp_reserved = 64 * SZ_1M,
	/* Everything below RAM is device space on virt (flash at 0 excluded). */
	.mmio_base = 0x08000000,
	.mmio_size = 0x38000000,
	.uart_base = 0x09000000,
	/* GICv2 virtual CPU interface, two 4 KiB pages (IHI 0048B 5.4). */
	.gicv_base = 0x08040000,
	.gicv_size = 0x2000,
	/* GICv2: SPIs are INTIDs 32..1019 (IHI 0048B 2.2.1). */
	.spi_first = 32,
	.spi_last = 1019,
	/* PCIe (virt's gpex): the ECAM below 4 GiB with highmem=off, and the
	 * start of the 32-bit memory window, where the kernel places the
	 * pvpanic-pci device's BAR to report a failure at power-off. */
	.pci_ecam_base = 0x3f000000,
	.pci_mmio_base = 0x10000000,
	/* GICv2 distributor, CPU interface and hypervisor control interface
	 * (virt's VIRT_GIC_DIST, VIRT_GIC_CPU, VIRT_GIC_HYP): the kernel's own;
	 * the virtual CPU interface (gicv_base) follows them. */
	.gic_base = 0x08000000,
	.gic_size = 0x40000,
};
