/**
 * A VM's emulated MMIO windows: which one an address falls in, and which
 * endpoints the VM may call (see hyp/vm.h). Apart from vm.c so that host
 * harnesses (tests/fuzz/fuzz_ipc_kernel.c) link the real lookups.
 */
#include "hyp/vm.h"

struct mmio_window *vm_find_mmio_window(struct vm *vm, uint64_t ipa)
{
	for (uint32_t i = 0; i < vm->mmio_count; i++) {
		struct mmio_window *w = &vm->mmio[i];

		/* Below the base, the difference wraps past any size. */
		if (ipa - ipa_addr(w->base) < w->size) {
			return w;
		}
	}
	return NULL;
}

/* Has @p vm a window served by @p ep, with the kernel's SGIR if @p sgir,
 * and guest SPI @p irq unless it is 0? */
static bool has_window(const struct vm *vm, const struct endpoint *ep,
		       bool sgir, uint64_t irq)
{
	for (uint32_t i = 0; i < vm->mmio_count; i++) {
		const struct mmio_window *w = &vm->mmio[i];

		if (w->ep == ep && (w->kernel_sgir || !sgir) &&
		    (w->irq == irq || irq == 0)) {
			return true;
		}
	}
	return false;
}

bool vm_uses_endpoint(const struct vm *vm, const struct endpoint *ep)
{
	return has_window(vm, ep, false, 0);
}

bool vm_window_distributor(const struct vm *vm, const struct endpoint *ep)
{
	return has_window(vm, ep, true, 0);
}

bool vm_window_irq(const struct vm *vm, const struct endpoint *ep,
		   uint64_t intid)
{
	return intid != 0 && has_window(vm, ep, false, intid);
}
