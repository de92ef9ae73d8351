/** The EL2 map is an identity map of RAM (mmu.c): PA and VA coincide. */
#include "hyp/mm.h"

void *mm_va(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

paddr_t mm_pa(const void *va)
{
	return pa_init((uint64_t)(uintptr_t)va);
}
