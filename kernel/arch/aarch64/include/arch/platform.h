#pragma once
/**
 * The QEMU virt board's PL011, for boot.S's one message before any C code
 * runs (entered at the wrong exception level): everything else the kernel
 * reads from the board's device tree (hyp/board.h). Usable from assembly.
 */
#define PLATFORM_UART_BASE 0x09000000

#ifndef __ASSEMBLY__
#include <stdint.h>

/** The GICv2 frames the kernel drives, from the board (set by gic_init()). */
struct gic_frames {
	uintptr_t gicd; /**< Distributor. */
	uintptr_t gicc; /**< CPU interface. */
	uintptr_t gich; /**< Virtual interface control. */
};
extern struct gic_frames gic_frames;
#endif
