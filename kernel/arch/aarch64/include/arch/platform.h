#pragma once
/**
 * Fixed addresses of the QEMU virt board the kernel needs before it has read
 * the scenario (docs: QEMU hw/arm/virt.c memory map). Usable from assembly.
 */
#define PLATFORM_UART_BASE 0x09000000
#define PLATFORM_GICD_BASE 0x08000000
#define PLATFORM_GICC_BASE 0x08010000
/* GICv2 virtualization: hypervisor control interface. */
#define PLATFORM_GICH_BASE 0x08030000
