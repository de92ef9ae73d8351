#pragma once
/** The kernel's EL2 stage-1 identity map and cache maintenance. */
#include <stdbool.h>
#include <stdint.h>

/**
 * The Normal Non-cacheable alias of RAM: PA p is also at VA MMU_NC_ALIAS + p
 * (half the 39-bit VA space; RAM must end below it).
 */
#define MMU_NC_ALIAS (1ULL << 38)

/**
 * EL2 translation registers as the boot CPU set them, for secondary CPUs
 * to load before their first C code (boot.S: secondary_entry).
 */
struct mmu_boot_regs {
	uint64_t mair, tcr;
	uint64_t ttbr, sctlr;
};

extern struct mmu_boot_regs mmu_boot_regs;

/** Load mmu_boot_regs into the EL2 translation registers, MMU on (boot.S). */
void mmu_enable(void);

/**
 * Data cache operation @p op ("zva", "civac") on the four blocks or lines of
 * @p step bytes from address @p p: loops over large ranges unroll by four.
 */
#define DC_X4(op, p, step)                                                   \
	__asm__ volatile("dc " op ", %0\n"                                   \
			 "dc " op ", %1\n"                                   \
			 "dc " op ", %2\n"                                   \
			 "dc " op ", %3"                                     \
			 :                                                   \
			 : "r"(p), "r"((p) + (step)), "r"((p) + 2 * (step)), \
			   "r"((p) + 3 * (step))                             \
			 : "memory")

/**
 * Build the identity map of the devices below RAM and of the RAM blocks
 * holding [@p ram_base, + @p ram_size) (at boot: the device tree and the
 * kernel image), turn on MMU and caches.
 */
void mmu_init(uint64_t ram_base, uint64_t ram_size);

/**
 * Add RAM [@p ram_base, + @p ram_size) to the map mmu_init() made (the
 * board's RAM, once read), and its Non-cacheable alias: false if it ends
 * at or beyond MMU_NC_ALIAS.
 */
bool mmu_map_ram(uint64_t ram_base, uint64_t ram_size);

/**
 * Clean and invalidate [va, va+size) to the point of coherency (DC CIVAC),
 * so that a guest running with its MMU off (non-cacheable accesses) sees what
 * the kernel wrote, and no line left in a cache hides what a non-cacheable
 * writer (that guest, a device) puts there later from a cacheable reader (as
 * KVM does for guest memory). While only
 * the boot CPU runs, ranges of 16 MiB and more clean the whole data cache by
 * set/way instead (a superset, far fewer operations); once other CPUs run,
 * set/way maintenance would miss their caches, so it is always by VA.
 */
void mmu_clean_dcache_range(const void *va, uint64_t size);

/** Invalidate every CPU's instruction cache (after loading guest code). */
void mmu_invalidate_icache(void);
