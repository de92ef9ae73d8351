/**
 * A VM's emulated MMIO windows: which one an address falls in, and which
 * endpoints the VM may call (see hyp/vm.h). Apart from vm.c so that host
 * harnesses (tests/fuzz/fuzz_ipc_kernel.c) link the real lookups.
 */
#include "hyp/vm.h"

const struct mmio_window *vm_find_mmio_window(const struct vm *vm, uint64_t ipa)
{
	for (uint32_t i = 0; i < vm->mmio_count; i++) {
		const struct mmio_window *w = &vm->mmio[i];

		if (ipa >= ipa_addr(w->base) && ipa - ipa_addr(w->base) < w->size) {
			return w;
		}
	}
	return NULL;
}

bool vm_uses_endpoint(const struct vm *vm, const struct endpoint *ep)
{
	for (uint32_t i = 0; i < vm->mmio_count; i++) {
		if (vm->mmio[i].ep == ep) {
			return true;
		}
	}
	return false;
}

bool vm_window_distributor(const struct vm *vm, const struct endpoint *ep)
{
	for (uint32_t i = 0; i < vm->mmio_count; i++) {
		if (vm->mmio[i].ep == ep && vm->mmio[i].kernel_sgir) {
			return true;
		}
	}
	return false;
}

bool vm_window_irq(const struct vm *vm, const struct endpoint *ep,
		   uint64_t intid)
{
	for (uint32_t i = 0; i < vm->mmio_count; i++) {
		if (vm->mmio[i].ep == ep && vm->mmio[i].irq != 0 &&
		    vm->mmio[i].irq == intid) {
			return true;
		}
	}
	return false;
}
