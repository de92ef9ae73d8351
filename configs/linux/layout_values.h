#pragma once
/**
 * The Linux VM's layout as the build's DTS generator needs it. The build
 * compiles a scenario's config.c followed by this file to assembly only
 * (configs/SConscript, layout_values()), and reads each "->NAME value"
 * marker back (site_scons/hyp_gen.py, read_markers()), the way
 * kernel/arch/aarch64/offsets.c gives assembly its struct offsets: the
 * values are the ones that scenario's config.c was compiled with, so
 * linux_up's LINUX_VCPUS 1 reaches its DTB, and no header is parsed.
 */
#include "layout.h"

#define LAYOUT_VALUE(sym) \
	__asm__ volatile("\n.ascii \"->" #sym " %0\"" : : "i"(sym))

void layout_values(void);

void layout_values(void)
{
	LAYOUT_VALUE(LINUX_VCPUS);
	LAYOUT_VALUE(LINUX_RAM_SIZE);
	LAYOUT_VALUE(LINUX_INITRD_IPA);
}
