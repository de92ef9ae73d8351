/**
 * Stage-2 translation tables (format described in hyp/s2.h and arch/pte.h).
 *
 * Portable C without inline assembly, so that it also runs in the host unit
 * tests: table memory is reached only through mm_va()/mm_pa(), and TLB
 * maintenance only through arch_s2_tlb_flush_vmid().
 *
 * Invariants kept by every operation:
 *  - tables are only ever added (nothing is unmapped, hyp/s2.h).
 *
 * Not done here, and left to the caller or the architecture layer: the
 * barriers that order table writes against the table walker of another CPU
 * (a DMB ISHST before publishing a new table, a DSB ISHST before a vCPU
 * runs on new mappings). arch_s2_tlb_flush_vmid() is expected to begin with
 * DSB ISHST, which orders the writes made before each flush.
 */
#include "hyp/s2.h"

#include "arch/pte.h"
#include "arch/sysreg.h"
#include "hyp/errno.h"
#include "hyp/mm.h"
#include "hyp/units.h"

/** Walks start at level 1 (VTCR_EL2.SL0) and end at level 3 (pages). */
#define S2_LEVEL_FIRST 1U
#define S2_LEVEL_LAST 3U
/** Entries of the root: S2_ROOT_PAGES concatenated level-1 tables. */
#define S2_ROOT_ENTRIES (S2_ROOT_PAGES * S2_PTES_PER_TABLE)
/** Output addresses must lie below 2^PS (VTCR_EL2.PS = 40 bits). */
#define S2_PA_LIMIT (1ULL << S2_PA_BITS)
/** Largest 8-bit VMID; VMID 0 is reserved for the kernel itself. */
#define S2_VMID_MAX (VTTBR_EL2_VMID_MASK >> VTTBR_EL2_VMID_SHIFT)

_Static_assert(S2_IPA_BITS == 64 - VTCR_EL2_T0SZ_40BIT,
	       "T0SZ must match the IPA size");
_Static_assert(S2_ROOT_ENTRIES << S2_LEVEL1_SHIFT == S2_IPA_LIMIT,
	       "the concatenated root must cover the IPA space exactly");

/** log2 of the bytes one descriptor at @p level maps. */
static unsigned level_shift(unsigned level)
{
	return S2_LEVEL3_SHIFT + (S2_LEVEL_LAST - level) * S2_LEVEL_BITS;
}

/** Bytes one descriptor at @p level maps: 1 GiB, 2 MiB or 4 KiB. */
static uint64_t level_size(unsigned level)
{
	return 1ULL << level_shift(level);
}

/**
 * Index of @p ipa's descriptor in its table at @p level. The root spans
 * S2_ROOT_PAGES pages, so its index is not truncated to 9 bits.
 */
static uint64_t pte_index(uint64_t ipa, unsigned level)
{
	uint64_t idx = ipa >> level_shift(level);

	if (level == S2_LEVEL_FIRST) {
		return idx;
	}
	return idx & (S2_PTES_PER_TABLE - 1);
}

/** Read a descriptor with one 64-bit access. */
static uint64_t pte_read(const uint64_t *pte)
{
	return *(const volatile uint64_t *)pte;
}

/** Write a descriptor with one 64-bit access: a walker never sees half. */
static void pte_write(uint64_t *pte, uint64_t val)
{
	*(volatile uint64_t *)pte = val;
}

/** Descriptor attribute bits (everything but type and address) for @p attr. */
static uint64_t attr_to_pte(unsigned attr)
{
	uint64_t memattr = (attr & S2_DEVICE) ? S2_MEMATTR_DEVICE_nGnRE
			   : (attr & S2_NC)   ? S2_MEMATTR_NORMAL_NC
					      : S2_MEMATTR_NORMAL_WB;

	return S2_PTE_AF | (S2_SH_INNER << S2_PTE_SH_SHIFT) |
	       (memattr << S2_PTE_MEMATTR_SHIFT) |
	       ((attr & S2_READ) ? S2_PTE_S2AP_R : 0) |
	       ((attr & S2_WRITE) ? S2_PTE_S2AP_W : 0) |
	       ((attr & S2_EXEC) ? 0 : S2_PTE_XN);
}

/** The S2_* attribute flags encoded in leaf descriptor @p pte. */
static unsigned pte_to_attr(uint64_t pte)
{
	uint64_t memattr = (pte & S2_PTE_MEMATTR_MASK) >> S2_PTE_MEMATTR_SHIFT;

	return ((pte & S2_PTE_S2AP_R) ? S2_READ : 0) |
	       ((pte & S2_PTE_S2AP_W) ? S2_WRITE : 0) |
	       ((pte & S2_PTE_XN) ? 0 : S2_EXEC) |
	       (memattr == S2_MEMATTR_DEVICE_nGnRE ? S2_DEVICE : 0) |
	       (memattr == S2_MEMATTR_NORMAL_NC ? S2_NC : 0);
}

/** The type of a descriptor mapping memory at @p level: a block (levels
 * 1-2) or a page (level 3). */
static uint64_t leaf_type(unsigned level)
{
	return level == S2_LEVEL_LAST ? S2_PTE_TYPE_PAGE : S2_PTE_TYPE_BLOCK;
}

/**
 * Walk to the descriptor governing @p ipa (which must be below
 * S2_IPA_LIMIT), down to level *@p level at most: the first one that is
 * not a table (an invalid one, a block or a page). With @p pool
 * (s2_map(), whose slot is known to be free) an invalid one above that
 * level gets an empty table from @p pool, linked in. Sets *@p level to the
 * level reached: above the one asked for only if a table could not be
 * allocated.
 */
static uint64_t *walk(const struct s2_space *s2, uint64_t ipa, unsigned *level,
		      struct palloc *pool)
{
	unsigned lvl = S2_LEVEL_FIRST;
	/* The root: S2_ROOT_PAGES concatenated tables, one array. */
	uint64_t *pte = (uint64_t *)mm_va(s2->root) + pte_index(ipa, lvl);

	while (lvl < *level) {
		uint64_t val = pte_read(pte);
		paddr_t table;

		if (!(val & S2_PTE_VALID) && pool != NULL &&
		    palloc_alloc(pool, 1, PAGE_SIZE, &table) == HYP_OK) {
			val = pa_addr(table) | S2_PTE_TYPE_TABLE;
			pte_write(pte, val);
		}
		/* Above level 3, bits [1:0] = 0b11 is a table descriptor;
		 * its next-level table is at its output address. */
		if ((val & S2_PTE_TYPE_MASK) != S2_PTE_TYPE_TABLE) {
			break;
		}
		lvl++;
		pte = (uint64_t *)mm_va(pa_init(val & S2_PTE_OA_MASK)) +
		      pte_index(ipa, lvl);
	}
	*level = lvl;
	return pte;
}

/** True if no part of [start, end) is mapped. */
static bool range_is_free(const struct s2_space *s2, uint64_t start,
			  uint64_t end)
{
	uint64_t ipa = start;

	while (ipa < end) {
		unsigned level = S2_LEVEL_LAST;
		uint64_t pte = pte_read(walk(s2, ipa, &level, NULL));

		if (pte & S2_PTE_VALID) {
			return false;
		}
		/* On to the start of the next region of that level. */
		ipa = ALIGN_DOWN(ipa, level_size(level)) + level_size(level);
	}
	return true;
}

/**
 * Map one block (level 2) or page (level 3) at @p ipa, whose slot is known
 * to be free, allocating the tables on the way.
 */
static int map_one(struct s2_space *s2, uint64_t ipa, uint64_t pa,
		   unsigned level, uint64_t bits)
{
	unsigned reached = level;
	uint64_t *pte = walk(s2, ipa, &reached, s2->pool);

	if (reached != level) {
		return HYP_ENOMEM; /* No page left for a table. */
	}
	pte_write(pte, (pa & S2_PTE_OA_MASK) | (bits & S2_PTE_ATTR_MASK) |
			       leaf_type(level));
	return HYP_OK;
}

int s2_init(struct s2_space *s2, struct palloc *pool, uint16_t vmid)
{
	paddr_t root;

	if (s2 == NULL || pool == NULL || vmid == 0 || vmid > S2_VMID_MAX) {
		return HYP_EINVAL;
	}
	int err = palloc_alloc(pool, S2_ROOT_PAGES, S2_ROOT_PAGES * PAGE_SIZE,
			       &root);

	if (err != HYP_OK) {
		return err;
	}
	s2->root = root;
	s2->vmid = vmid;
	s2->pool = pool;
	return HYP_OK;
}

/**
 * Validate the arguments of s2_map(). Device memory may not be executable:
 * speculative instruction fetches could touch device registers.
 */
static int check_map_args(const struct s2_space *s2, uint64_t ipa, uint64_t pa,
			  uint64_t size, unsigned attr)
{
	if (s2 == NULL || size == 0 ||
	    !IS_ALIGNED(ipa | pa | size, PAGE_SIZE)) {
		return HYP_EINVAL;
	}
	if ((attr & ~(unsigned)S2_ATTR_ALL) != 0 ||
	    ((attr & S2_DEVICE) && (attr & S2_EXEC))) {
		return HYP_EINVAL;
	}
	if (ipa >= S2_IPA_LIMIT || size > S2_IPA_LIMIT - ipa ||
	    pa >= S2_PA_LIMIT || size > S2_PA_LIMIT - pa) {
		return HYP_ERANGE;
	}
	return HYP_OK;
}

int s2_map(struct s2_space *s2, ipaddr_t ipa, paddr_t pa, uint64_t size,
	   unsigned attr)
{
	uint64_t start = ipa_addr(ipa);
	int err = check_map_args(s2, start, pa_addr(pa), size, attr);

	if (err != HYP_OK) {
		return err;
	}
	if (!range_is_free(s2, start, start + size)) {
		return HYP_EEXIST;
	}
	uint64_t bits = attr_to_pte(attr);

	for (uint64_t off = 0; off < size;) {
		/* A 2 MiB block if both addresses and the size allow. */
		uint64_t at = start + off, to = pa_addr(pa) + off;
		unsigned level =
			IS_ALIGNED(at | to, SZ_2M) && size - off >= SZ_2M
				? S2_LEVEL_LAST - 1
				: S2_LEVEL_LAST;

		err = map_one(s2, at, to, level, bits);
		if (err != HYP_OK) {
			return err;
		}
		off += level_size(level);
	}
	/* A walk after this sees the new descriptors (D8.2.x: a DSB makes a
	 * table update visible to the walker; the ERET to the partition is
	 * the context synchronization). An entry that was invalid is never
	 * in a TLB: no invalidation. */
	dsb_ishst();
	return HYP_OK;
}

int s2_prepare_blocks(struct s2_space *s2, ipaddr_t ipa, uint64_t size)
{
	uint64_t start = ipa_addr(ipa);

	if (s2 == NULL || size == 0 || !IS_ALIGNED(start | size, SZ_2M) ||
	    start >= S2_IPA_LIMIT || size > S2_IPA_LIMIT - start) {
		return HYP_EINVAL;
	}
	for (uint64_t at = start; at < start + size; at += SZ_2M) {
		unsigned reached = S2_LEVEL_LAST - 1;

		(void)walk(s2, at, &reached, s2->pool);
		if (reached != S2_LEVEL_LAST - 1) {
			return HYP_ENOMEM;
		}
	}
	return HYP_OK;
}

bool s2_translate(const struct s2_space *s2, ipaddr_t ipa, paddr_t *pa,
		  unsigned *attr)
{
	uint64_t addr = ipa_addr(ipa);
	unsigned level = S2_LEVEL_LAST;

	if (s2 == NULL || addr >= S2_IPA_LIMIT) {
		return false;
	}
	uint64_t pte = pte_read(walk(s2, addr, &level, NULL));

	if ((pte & S2_PTE_TYPE_MASK) != leaf_type(level)) {
		return false;
	}
	uint64_t offset = addr & (level_size(level) - 1);

	if (pa != NULL) {
		*pa = pa_init(
			(pte & S2_PTE_OA_MASK & ~(level_size(level) - 1)) +
			offset);
	}
	if (attr != NULL) {
		*attr = pte_to_attr(pte);
	}
	return true;
}

uint64_t s2_vttbr(const struct s2_space *s2)
{
	return (pa_addr(s2->root) & VTTBR_EL2_BADDR_MASK) |
	       (((uint64_t)s2->vmid << VTTBR_EL2_VMID_SHIFT) &
		VTTBR_EL2_VMID_MASK);
}

uint64_t s2_vtcr(void)
{
	return TCR_WALK_4K_40BIT(VTCR_EL2_T0SZ_40BIT) |
	       (VTCR_EL2_SL0_4K_LEVEL1 << VTCR_EL2_SL0_SHIFT) | VTCR_EL2_RES1;
}
