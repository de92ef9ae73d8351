/**
 * A partition's RAM (hyp/vm.h, "RAM"). A guest's regions are zeroed a 2 MiB
 * block at a time, the first time anything touches the block, instead of
 * all at boot; a service's are zeroed at boot, whole.
 *
 * Why: zeroing a 256 MiB guest at boot wrote every page of it, so a host
 * running the machine (QEMU) had to back all of it at once; that was most
 * of the time from power-on to the guest's first instruction, and the
 * guest itself touches a fraction of it on its way to a shell.
 *
 * The rule (docs/architecture.md, "Guest RAM"): a block of a guest's RAM
 * is mapped in its Stage 2 only once it has been zeroed, so nothing of what
 * it held before (another boot's data) is ever seen:
 *  - the guest's own access to an unmapped block faults (a Stage-2
 *    translation fault); the trap path calls vm_ram_touch(), which zeroes
 *    and maps the block, and the access runs again;
 *  - a service granted the block (rules G1-G5) faults the same way at its
 *    own IPA of it: the block is made ready in the guest, then mapped in
 *    the service too;
 *  - the kernel's own accesses (images loaded, vm_read_guest()) make the
 *    blocks they touch ready first (vm_ram_ready());
 *  - a device a service drives writes by PA, past every Stage 2: the kernel
 *    hands a service a PA only for a range it names (HYP_IPC_TRANSLATE),
 *    whose blocks it makes ready first (vm_ram_grant_ready(); the driver
 *    domain is trusted for DMA anyway, docs/architecture.md, threat model).
 * A reset zeroes the blocks that were touched, which stay mapped; the
 * others are still as they were, unmapped.
 *
 * Everything here runs under the kernel lock: a block is made ready once,
 * whichever CPU or partition touches it first.
 */
#include "hyp/vm.h"

#include "abi/ipc.h"
#include "arch/mmu.h"
#include "hyp/errno.h"
#include "hyp/mm.h"
#include "hyp/panic.h"
#include "hyp/units.h"

/* The granule: a level-2 block of Stage 2 (hyp/s2.h), as the ABI says. */
_Static_assert(HYP_RAM_ZERO_BLOCK == SZ_2M, "zeroing granule is a block");

/* A region zeroed when first touched: a guest's. A service's are small and
 * hold its image, its kept state and the pages it shares with the kernel. */
static bool region_lazy(const struct vm *vm, size_t r)
{
	return vm->cfg->kind == CFG_VM_GUEST && !vm->cfg->ram[r].keep;
}

void vm_ram_create(struct vm *vm, struct palloc *pool)
{
	for (size_t r = 0; r < vm->cfg->ram_count; r++) {
		const struct cfg_ram *ram = &vm->cfg->ram[r];
		bool lazy = region_lazy(vm, r);
		/* Region IPA and size are 2 MiB multiples (config.h), the PA is
		 * 2 MiB aligned: block mappings throughout. */
		int err = lazy ? palloc_alloc_raw(pool, ram->size / PAGE_SIZE,
						  SZ_2M, &vm->ram_pa[r])
			       : palloc_alloc(pool, ram->size / PAGE_SIZE,
					      SZ_2M, &vm->ram_pa[r]);

		if (err != HYP_OK) {
			panic("vm '%s': no memory for %lu MiB of RAM (%lu MiB "
			      "free)",
			      vm->cfg->name, ram->size / SZ_1M,
			      palloc_free_count(pool) * PAGE_SIZE / SZ_1M);
		}
		err = lazy ? s2_prepare_blocks(&vm->s2, ipa_init(ram->ipa),
					       ram->size)
			   : s2_map(&vm->s2, ipa_init(ram->ipa), vm->ram_pa[r],
				    ram->size, S2_RWX);
		if (err != HYP_OK) {
			panic("vm '%s': cannot map RAM at IPA 0x%lx: %s",
			      vm->cfg->name, ram->ipa, hyp_strerror(err));
		}
		vm->ram_lazy[r] = lazy;
	}
}

/* The lazy region of @p vm holding @p ipa, or -1. */
static int lazy_region(const struct vm *vm, uint64_t ipa)
{
	for (size_t r = 0; r < vm->cfg->ram_count; r++) {
		const struct cfg_ram *ram = &vm->cfg->ram[r];

		if (vm->ram_lazy[r] && ipa >= ram->ipa &&
		    ipa - ram->ipa < ram->size) {
			return (int)r;
		}
	}
	return -1;
}

/* Zero and map block @p off of lazy region @p r unless it is mapped. */
static void ready_block(struct vm *vm, size_t r, uint64_t off)
{
	ipaddr_t ipa = ipa_init(vm->cfg->ram[r].ipa + off);
	paddr_t pa = pa_add(vm->ram_pa[r], off);

	if (s2_translate(&vm->s2, ipa, NULL, NULL)) {
		return;
	}
	mm_zero_pages(mm_va(pa), HYP_RAM_ZERO_BLOCK);
	/* The EL2 map covers all RAM: the block's old contents may sit in
	 * the instruction cache (speculative fetches), where a guest jumping
	 * into the block would run them. */
	mmu_invalidate_icache();
	/* Its tables exist (s2_prepare_blocks) and the slot is free. */
	CHECK(s2_map(&vm->s2, ipa, pa, HYP_RAM_ZERO_BLOCK, S2_RWX) == HYP_OK);
	vm->ram_blocks_ready++;
}

void vm_ram_ready(struct vm *vm, uint64_t ipa, uint64_t size)
{
	int r = lazy_region(vm, ipa);

	if (r < 0 || size == 0) {
		return;
	}
	const struct cfg_ram *ram = &vm->cfg->ram[r];
	uint64_t first = ALIGN_DOWN(ipa - ram->ipa, HYP_RAM_ZERO_BLOCK);
	/* Clipped to the region: the rest is no RAM of it. */
	uint64_t end = size < ram->size - (ipa - ram->ipa)
			       ? ipa - ram->ipa + size
			       : ram->size;

	for (uint64_t off = first; off < end; off += HYP_RAM_ZERO_BLOCK) {
		ready_block(vm, (size_t)r, off);
	}
}

/* @p ipa in grant @p k of service @p vm, lazy: ready in the client, then
 * mapped in @p vm too. */
static void touch_grant(struct vm *vm, size_t k, uint64_t ipa)
{
	const struct cfg_grant *g = &vm->cfg->grants[k];
	uint64_t off = ALIGN_DOWN(ipa - g->ipa, HYP_RAM_ZERO_BLOCK);
	ipaddr_t at = ipa_init(g->ipa + off);

	/* Mapped in the service only once ready in the client (and a reset
	 * of the client leaves its blocks mapped): one walk when it is. */
	if (s2_translate(&vm->s2, at, NULL, NULL)) {
		return;
	}
	vm_ram_ready(vm_get(vm->grant_client[k]), g->client_ipa + off,
		     HYP_RAM_ZERO_BLOCK);
	CHECK(s2_map(&vm->s2, at, pa_add(vm->grant_pa[k], off),
		     HYP_RAM_ZERO_BLOCK, S2_RW) == HYP_OK);
}

bool vm_ram_touch(struct vm *vm, uint64_t ipa)
{
	const struct cfg_vm *cfg = vm->cfg;
	int r = lazy_region(vm, ipa);

	if (r >= 0) {
		ready_block(vm, (size_t)r,
			    ALIGN_DOWN(ipa - cfg->ram[r].ipa,
				       HYP_RAM_ZERO_BLOCK));
		return true;
	}
	for (size_t k = 0; k < cfg->grant_count; k++) {
		if (vm->grant_lazy[k] && ipa >= cfg->grants[k].ipa &&
		    ipa - cfg->grants[k].ipa < cfg->grants[k].size) {
			touch_grant(vm, k, ipa);
			return true;
		}
	}
	return false;
}

void vm_ram_grant_ready(struct vm *vm, size_t k, uint64_t ipa, uint64_t size)
{
	const struct cfg_grant *g = &vm->cfg->grants[k];
	uint64_t end = ipa - g->ipa + size;

	/* Inside the grant (translate() checked), so inside one client region
	 * (rule G4): no other memory is zeroed or mapped. */
	CHECK(ipa >= g->ipa && ipa - g->ipa < g->size &&
	      size <= g->size - (ipa - g->ipa));
	/* A grant mapped at boot was made ready then. */
	if (!vm->grant_lazy[k]) {
		return;
	}
	for (uint64_t off = ALIGN_DOWN(ipa - g->ipa, HYP_RAM_ZERO_BLOCK);
	     off < end; off += HYP_RAM_ZERO_BLOCK) {
		touch_grant(vm, k, g->ipa + off);
	}
}

bool vm_ram_grant_lazy(struct vm *vm, size_t k, const struct vm *client)
{
	const struct cfg_grant *g = &vm->cfg->grants[k];

	/* Whole blocks of a lazy region (the grant lies inside one region:
	 * rules G1-G5, checked at boot too), at a block-aligned IPA. */
	vm->grant_lazy[k] =
		lazy_region(client, g->client_ipa) >= 0 &&
		IS_ALIGNED(g->client_ipa | g->size | g->ipa,
			   HYP_RAM_ZERO_BLOCK) &&
		s2_prepare_blocks(&vm->s2, ipa_init(g->ipa), g->size) == HYP_OK;
	return vm->grant_lazy[k];
}

void vm_ram_zero(struct vm *vm)
{
	for (size_t r = 0; r < vm->cfg->ram_count; r++) {
		const struct cfg_ram *ram = &vm->cfg->ram[r];

		/* Kept RAM (rule R5) survives a service's restart. */
		if (ram->keep) {
			continue;
		}
		if (!vm->ram_lazy[r]) {
			mm_zero_pages(mm_va(vm->ram_pa[r]), ram->size);
			continue;
		}
		/* A block never touched was never mapped: nothing to undo. */
		for (uint64_t off = 0; off < ram->size;
		     off += HYP_RAM_ZERO_BLOCK) {
			if (s2_translate(&vm->s2, ipa_init(ram->ipa + off),
					 NULL, NULL)) {
				mm_zero_pages(mm_va(pa_add(vm->ram_pa[r], off)),
					      HYP_RAM_ZERO_BLOCK);
			}
		}
	}
}
