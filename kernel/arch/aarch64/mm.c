/** The EL2 map is an identity map of RAM (mmu.c): PA and VA coincide;
 * the Non-cacheable alias is MMU_NC_ALIAS above. */
#include "hyp/mm.h"

#include "arch/mmu.h"
#include "arch/sysreg.h"

/* DCZID_EL0 (D13.2.36): BS [3:0] = log2 of the DC ZVA block in words,
 * DZP [4] = DC ZVA prohibited. */
#define DCZID_BS_MASK 0xfULL
#define DCZID_DZP (1ULL << 4)
#define WORD_BYTES 4ULL

void mm_zero_pages(void *va, uint64_t size)
{
	uint64_t dczid = read_sysreg(dczid_el0);
	uint64_t p = (uint64_t)va, end = p + size;

	if (dczid & DCZID_DZP) {
		for (uint64_t *w = va; (uint64_t)w < end; w++) {
			*w = 0;
		}
	} else {
		/* One instruction zeroes a whole block (64 bytes on A57); 16
		 * per iteration while they fit (a guest's RAM: 2.1 instructions
		 * a block, not 2.5), then four (size is whole pages, a multiple
		 * of 4 blocks). */
		uint64_t block = WORD_BYTES << (dczid & DCZID_BS_MASK);

		for (; end - p >= 16 * block; p += 16 * block) {
			DC_X4("zva", p, block);
			DC_X4("zva", p + 4 * block, block);
			DC_X4("zva", p + 8 * block, block);
			DC_X4("zva", p + 12 * block, block);
		}
		for (; p < end; p += 4 * block) {
			DC_X4("zva", p, block);
		}
	}
	mmu_clean_dcache_range(va, size);
}

void *mm_va(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

volatile void *mm_va_nc(paddr_t pa)
{
	return (volatile void *)(uintptr_t)(MMU_NC_ALIAS + pa_addr(pa));
}

paddr_t mm_pa(const void *va)
{
	return pa_init((uint64_t)(uintptr_t)va);
}
