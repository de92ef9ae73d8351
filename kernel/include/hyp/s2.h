#pragma once
/**
 * Stage-2 translation tables of one partition.
 *
 * Format (ARM ARM D8, VMSAv8-64, 4 KiB granule): 40-bit IPA space, walk
 * starting at level 1 with two concatenated level-1 tables (VTCR_EL2.T0SZ=24,
 * SL0=1; ARM ARM D8.2.6 "concatenated translation tables"), levels 1-3.
 * s2_map() uses 2 MiB level-2 blocks wherever both IPA and PA are 2 MiB
 * aligned and the remaining size covers the block, 4 KiB level-3 pages
 * elsewhere; 1 GiB level-1 blocks are not used. A partition's mappings
 * are made at boot, except a guest's RAM blocks, mapped when first touched
 * (vm_ram.c); none is ever removed.
 */
#include <stdbool.h>

#include "hyp/palloc.h"

/** Bits of IPA translated by Stage 2 (VTCR_EL2.T0SZ = 64 - 40). */
#define S2_IPA_BITS 40
#define S2_IPA_LIMIT (1ULL << S2_IPA_BITS)
/** Level-1 root: two concatenated 4 KiB tables, 8 KiB aligned. */
#define S2_ROOT_PAGES 2

/** Access attributes of a Stage-2 mapping. */
enum s2_attr {
	S2_READ = 1U << 0,
	S2_WRITE = 1U << 1,
	S2_EXEC = 1U << 2,
	/** Device-nGnRE memory (otherwise Normal write-back cacheable). */
	S2_DEVICE = 1U << 3,
	/** Normal Non-cacheable: a register shadow page (vm.c). */
	S2_NC = 1U << 4,
};

#define S2_RW (S2_READ | S2_WRITE)
#define S2_RWX (S2_READ | S2_WRITE | S2_EXEC)
#define S2_RO (S2_READ)
#define S2_ATTR_ALL (S2_READ | S2_WRITE | S2_EXEC | S2_DEVICE | S2_NC)

/** One partition's Stage-2 address space. */
struct s2_space {
	paddr_t root;	     /**< Physical address of the level-1 root. */
	uint16_t vmid;	     /**< VMID tagging its TLB entries (8 bits). */
	struct palloc *pool; /**< Where its tables come from. */
};

/**
 * Allocate an empty root for @p vmid. Returns HYP_OK, HYP_ENOMEM, or
 * HYP_EINVAL for a VMID that does not fit in 8 bits or is 0 (reserved).
 */
int s2_init(struct s2_space *s2, struct palloc *pool, uint16_t vmid);

/**
 * Map [ipa, ipa+size) to [pa, pa+size) with @p attr. All of ipa, pa and size
 * must be page-aligned and size non-zero; the range must lie below
 * S2_IPA_LIMIT and must not overlap an existing mapping (HYP_EEXIST, nothing
 * changed). On HYP_ENOMEM the part already mapped stays: the only caller
 * (vm.c, at boot) gives the boot up, so nothing undoes it.
 */
int s2_map(struct s2_space *s2, ipaddr_t ipa, paddr_t pa, uint64_t size,
	   unsigned attr);

/**
 * Make the tables that 2 MiB blocks over [ipa, ipa+size) hang from (both
 * 2 MiB aligned), mapping nothing: a later s2_map() of such a block then
 * allocates nothing (vm_ram.c maps a guest's RAM a block at a time, when
 * it is first touched). HYP_OK, HYP_EINVAL, or HYP_ENOMEM.
 */
int s2_prepare_blocks(struct s2_space *s2, ipaddr_t ipa, uint64_t size);

/**
 * Walk the tables for @p ipa. Returns true and fills *@p pa (exact byte
 * address) and *@p attr if mapped.
 */
bool s2_translate(const struct s2_space *s2, ipaddr_t ipa, paddr_t *pa,
		  unsigned *attr);

/** VTTBR_EL2 value for this space: root BADDR | VMID << 48 (ARM ARM D13.2). */
uint64_t s2_vttbr(const struct s2_space *s2);

/** VTCR_EL2 value matching the table format above. */
uint64_t s2_vtcr(void);

/**
 * Provided by the architecture (or the host fake): invalidate all Stage-2
 * TLB entries of @p vmid after tables changed (TLBI VMALLS12E1IS).
 */
void arch_s2_tlb_flush_vmid(uint16_t vmid);
