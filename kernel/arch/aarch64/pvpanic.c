/**
 * Power-off with a failure status on QEMU virt, for when the kernel had to
 * stop a guest (hyp/vm.h: vm_stop). QEMU's PSCI SYSTEM_OFF always exits
 * with status 0 and semihosting stays off (a guest at EL1 could reach host
 * files with it), so the kernel reports the failure through QEMU's
 * pvpanic-pci device (QEMU docs/specs/pvpanic.rst): writing PANICKED to
 * its BAR 0 is a guest panic, which `-action panic=exit-failure` turns into
 * exit status 1. tools/hypqemu.py adds both options and `highmem=off`, so
 * that the PCIe ECAM sits below RAM, inside the kernel's device mapping.
 * The kernel probes bus 0 only: QEMU puts the device there.
 */

#include "hyp/board.h"
#include "hyp/cpu.h"
#include "hyp/hypercall.h"
#include "hyp/log.h"

/* PCI configuration header (PCI Local Bus 3.0, 6.1): ID, command, BAR 0. */
#define PCI_CFG_ID 0x00          /* Device ID [31:16], Vendor ID [15:0] */
#define PCI_CFG_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2U  /* Memory Space enable */
#define PCI_CFG_BAR0 0x10
#define PCI_ID(vendor, device) (((uint32_t)(device) << 16) | (vendor))
/* ECAM: the device number is address bits [19:15] (PCIe base 7.2.2). */
#define PCIE_ECAM_DEVICE_SHIFT 15
#define PCI_DEVICES_PER_BUS 32
/* QEMU's pvpanic-pci: Red Hat vendor ID, device 0x0011 (pvpanic.rst). */
#define PVPANIC_PCI_ID PCI_ID(0x1b36, 0x0011)
#define PVPANIC_PANICKED 0x1U

static volatile uint32_t *pci_cfg(uint64_t ecam, uint32_t dev, uint32_t reg)
{
	return (volatile uint32_t *)(uintptr_t)(ecam +
		((uint64_t)dev << PCIE_ECAM_DEVICE_SHIFT) + reg);
}

/* The pvpanic device's number on bus 0, or PCI_DEVICES_PER_BUS. */
static uint32_t find_pvpanic(uint64_t ecam)
{
	uint32_t dev = 0;

	while (dev < PCI_DEVICES_PER_BUS &&
	       *pci_cfg(ecam, dev, PCI_CFG_ID) != PVPANIC_PCI_ID) {
		dev++;
	}
	return dev;
}

_Noreturn void platform_power_off_failure(void)
{
	const struct cfg_platform *p = board();
	struct cpu *cpu = cpu_this();
	/* A panic may come from the boot check that found no platform; an
	 * abort in the probe (nothing behind pci_ecam_base) comes back here
	 * through panic_el2_exception(): then power off without the device,
	 * instead of one exception frame deeper each time. Per CPU: another
	 * CPU's concurrent failure still reports through pvpanic. */
	bool probe = p != NULL && p->pci_ecam_base != 0 && !cpu->powering_off;

	cpu->powering_off = true;
	uint32_t dev = probe ? find_pvpanic(p->pci_ecam_base)
			     : PCI_DEVICES_PER_BUS;

	if (dev < PCI_DEVICES_PER_BUS) {
		/* Its BAR 0 at the start of the 32-bit PCI memory window, memory
		 * decoding on, then the event. */
		*pci_cfg(p->pci_ecam_base, dev, PCI_CFG_BAR0) =
			(uint32_t)p->pci_mmio_base;
		*pci_cfg(p->pci_ecam_base, dev, PCI_CFG_COMMAND) |=
			PCI_COMMAND_MEMORY;
		dsb_sy();
		*(volatile uint8_t *)(uintptr_t)p->pci_mmio_base = PVPANIC_PANICKED;
		dsb_sy();
	}
	log_warn("no pvpanic-pci device: the failure status is lost "
		 "(QEMU needs -device pvpanic-pci -action panic=exit-failure)");
	platform_power_off();
}
