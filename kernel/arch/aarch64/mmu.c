/**
 * The kernel's own EL2 stage-1 translation: an identity map with 1 GiB level-1
 * blocks, Normal write-back for RAM and Device-nGnRE for the low 1 GiB where
 * QEMU virt has its devices (Arm ARM D8: VMSAv8-64, 4 KiB granule, 39-bit VA
 * starting at level 1), and a Normal Non-cacheable alias of RAM at
 * MMU_NC_ALIAS up (mm_va_nc()).
 */
#include "arch/mmu.h"

#include "arch/pte.h"
#include "hyp/cpu.h"
#include "hyp/units.h"

#define EL2_VA_BITS 39
#define EL2_L1_ENTRIES 512
#define EL2_L1_SHIFT 30
/* The level-1 entry where the Non-cacheable alias of RAM begins. */
#define NC_ALIAS_ENTRY (MMU_NC_ALIAS >> EL2_L1_SHIFT)

/* Block descriptor fields (D8.3.1): valid block [1:0] = 0b01, AttrIndx
 * [4:2], SH [9:8], AF [10], XN [54] (EL2 single VA range). */
#define DESC_BLOCK 0x1ULL
#define DESC_ATTRINDX_SHIFT 2
#define DESC_SH_INNER (3ULL << 8)
#define DESC_AF (1ULL << 10)
#define DESC_XN (1ULL << 54)

/* MAIR_EL2 slots. */
#define MAIR_IDX_NORMAL 0
#define MAIR_IDX_DEVICE 1
#define MAIR_IDX_NC 2

/** The level-1 table: the only table of the EL2 map, shared by all CPUs. */
static uint64_t el2_l1_table[EL2_L1_ENTRIES] __attribute__((aligned(4096)));

struct mmu_boot_regs mmu_boot_regs;

static uint64_t block_desc(uint64_t pa, uint64_t attr_idx)
{
	uint64_t d = pa | DESC_BLOCK | DESC_AF | attr_idx << DESC_ATTRINDX_SHIFT;

	return attr_idx == MAIR_IDX_NORMAL ? d | DESC_SH_INNER : d | DESC_XN;
}

static void build_identity_map(uint64_t ram_base, uint64_t ram_size)
{
	uint64_t first = ram_base >> EL2_L1_SHIFT;
	uint64_t last = (ram_base + ram_size - 1) >> EL2_L1_SHIFT;

	/* Everything below RAM on QEMU virt is device space. */
	for (uint64_t i = 0; i < first; i++) {
		el2_l1_table[i] = block_desc(i << EL2_L1_SHIFT, MAIR_IDX_DEVICE);
	}
	for (uint64_t i = first; i <= last && i < NC_ALIAS_ENTRY; i++) {
		el2_l1_table[i] = block_desc(i << EL2_L1_SHIFT, MAIR_IDX_NORMAL);
		el2_l1_table[NC_ALIAS_ENTRY + i] =
			block_desc(i << EL2_L1_SHIFT, MAIR_IDX_NC);
	}
}

bool mmu_map_ram(uint64_t ram_base, uint64_t ram_size)
{
	if (ram_base + ram_size > MMU_NC_ALIAS ||
	    ram_base + ram_size < ram_base) {
		return false;
	}
	/* Only invalid entries change (those already valid are rewritten
	 * as they are): a TLB never holds a translation that faulted, so no
	 * TLB maintenance (Arm ARM D8, "Translation Lookaside Buffers").
	 * Secondary CPUs read the table with their MMU off. */
	build_identity_map(ram_base, ram_size);
	dsb_sy();
	isb();
	mmu_clean_dcache_range(el2_l1_table, sizeof(el2_l1_table));
	return true;
}

void mmu_init(uint64_t ram_base, uint64_t ram_size)
{
	/* The boot CPU's values, which the secondaries load too (boot.S). */
	struct mmu_boot_regs *r = &mmu_boot_regs;

	*r = (struct mmu_boot_regs){
		.mair = (MAIR_NORMAL_WB << MAIR_ATTR_SHIFT(MAIR_IDX_NORMAL)) |
			(MAIR_DEVICE_nGnRE << MAIR_ATTR_SHIFT(MAIR_IDX_DEVICE)) |
			(MAIR_NORMAL_NC << MAIR_ATTR_SHIFT(MAIR_IDX_NC)),
		.tcr = TCR_EL2_RES1 | TCR_WALK_4K_40BIT(64U - EL2_VA_BITS),
		.ttbr = (uint64_t)el2_l1_table,
		.sctlr = read_sysreg(sctlr_el2) | SCTLR_EL2_RES1 | SCTLR_EL2_M |
			 SCTLR_EL2_C | SCTLR_EL2_I | SCTLR_EL2_SA,
	};
	build_identity_map(ram_base, ram_size);
	mmu_enable();
	/* Secondary CPUs read these with their MMU off: clean them (and the
	 * table, written before the MMU was on) to the point of coherency. */
	mmu_clean_dcache_range(r, sizeof(*r));
	mmu_clean_dcache_range(el2_l1_table, sizeof(el2_l1_table));
}

/*
 * Cache geometry registers (D13.2.26 CLIDR_EL1, D13.2.24 CCSIDR_EL1):
 * CLIDR.LoC [26:24], Ctype<n> [3n+2:3n] (>= 2: data or unified cache);
 * CCSIDR.LineSize [2:0] (log2 of the line size in bytes, minus 4),
 * Associativity [12:3] (ways - 1), NumSets [27:13] (sets - 1).
 */
#define CLIDR_LOC_SHIFT 24
#define CLIDR_FIELD_MASK 0x7ULL
#define CLIDR_CTYPE_BITS 3
#define CLIDR_CTYPE_DATA 2
#define CCSIDR_LINESIZE_MASK 0x7ULL
#define CCSIDR_LINESIZE_BIAS 4
#define CCSIDR_ASSOC_SHIFT 3
#define CCSIDR_ASSOC_MASK 0x3ffULL
#define CCSIDR_SETS_SHIFT 13
#define CCSIDR_SETS_MASK 0x7fffULL
#define DC_SW_LEVEL_SHIFT 1
/* Above this many bytes, cleaning the whole cache by set/way is cheaper. */
#define SETWAY_THRESHOLD (16 * SZ_1M)

/* Clean and invalidate one cache level by set/way (DC CISW, D4.4.8). */
static void clean_level_setway(uint64_t level)
{
	write_sysreg(csselr_el1, level << DC_SW_LEVEL_SHIFT);
	isb();
	uint64_t ccsidr = read_sysreg(ccsidr_el1);
	uint64_t line_shift = (ccsidr & CCSIDR_LINESIZE_MASK) + CCSIDR_LINESIZE_BIAS;
	uint64_t ways = ((ccsidr >> CCSIDR_ASSOC_SHIFT) & CCSIDR_ASSOC_MASK) + 1;
	uint64_t sets = ((ccsidr >> CCSIDR_SETS_SHIFT) & CCSIDR_SETS_MASK) + 1;
	/* The way index sits in the top bits of the 32-bit operand. */
	uint64_t way_shift = ways > 1 ? (uint64_t)__builtin_clz((uint32_t)(ways - 1)) : 0;

	for (uint64_t way = 0; way < ways; way++) {
		for (uint64_t set = 0; set < sets; set++) {
			uint64_t op = (way << way_shift) | (set << line_shift) |
				      (level << DC_SW_LEVEL_SHIFT);

			__asm__ volatile("dc cisw, %0" : : "r"(op) : "memory");
		}
	}
}

/*
 * Clean and invalidate every data cache level to the point of coherency by
 * set/way. Only valid while this is the only CPU running and caching (boot,
 * one CPU), the case set/way maintenance exists for; CSSELR_EL1 (a guest
 * register) is preserved.
 */
static void clean_dcache_all_setway(void)
{
	uint64_t clidr = read_sysreg(clidr_el1);
	uint64_t loc = (clidr >> CLIDR_LOC_SHIFT) & CLIDR_FIELD_MASK;
	uint64_t saved_csselr = read_sysreg(csselr_el1);

	dsb_sy();
	for (uint64_t level = 0; level < loc; level++) {
		uint64_t ctype = (clidr >> (level * CLIDR_CTYPE_BITS)) & CLIDR_FIELD_MASK;

		if (ctype >= CLIDR_CTYPE_DATA) {
			clean_level_setway(level);
		}
	}
	write_sysreg(csselr_el1, saved_csselr);
	dsb_sy();
	isb();
}

void mmu_clean_dcache_range(const void *va, uint64_t size)
{
	/* CTR_EL0.DminLine: log2 of the line size in 4-byte words. */
	uint64_t line = 4ULL << ((read_sysreg(ctr_el0) >> CTR_EL0_DMINLINE_SHIFT) &
				 CTR_EL0_LINE_MASK);

	if (size >= SETWAY_THRESHOLD && cpu_count() <= 1) {
		clean_dcache_all_setway();
		return;
	}
	uint64_t p = ALIGN_DOWN((uint64_t)va, line);
	uint64_t end = (uint64_t)va + size;

	/* Four lines per iteration while they fit (guest RAM: most of it). */
	for (; end - p >= 4 * line && p < end; p += 4 * line) {
		DC_X4("civac", p, line);
	}
	for (; p < end; p += line) {
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
	}
	dsb_sy();
}

void mmu_invalidate_icache(void)
{
	/* Inner Shareable: every CPU may run the loaded code (D7.5.9). */
	__asm__ volatile("ic ialluis" ::: "memory");
	dsb_sy();
	isb();
}
