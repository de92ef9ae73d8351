#pragma once
/**
 * Fixed addresses of the QEMU virt board the kernel needs before it has read
 * the scenario (docs: QEMU hw/arm/virt.c memory map). Usable from assembly.
 */
#define PLATFORM_UART_BASE 0x09000000
#define PLATFORM_GICD_BASE 0x08000000
#define PLATFORM_GICC_BASE 0x08010000
/* GICv2 virtualization: hypervisor control and the virtual CPU interface. */
#define PLATFORM_GICH_BASE 0x08030000
#define PLATFORM_GICV_BASE 0x08040000
#define PLATFORM_GICV_SIZE 0x2000
#define PLATFORM_RAM_BASE 0x40000000
