/**
 * Taking posted writes from a window page's ring (ipc/ipc.h,
 * ipc_window_page(); the layout in abi/ipc.h). The kernel writes a slot,
 * then prod; this reads prod, then the slot, and frees slots by writing
 * cons after the service took them.
 */
#include "ipc/ipc.h"

static bool width_ok(uint8_t width)
{
	return width == 1 || width == 2 || width == 4;
}

bool ipc_posted_next(const struct ipc_window_page *page, uint32_t done,
		     uint32_t window, uint32_t client,
		     struct ipc_mmio_access *a)
{
	uint32_t prod = page->prod;

	/* None left, or a count that is not the ring's (never loop on it). */
	if (prod - done - 1 >= IPC_POSTED_SLOTS) {
		return false;
	}
	/* prod before the slot it covers. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	struct ipc_posted_write w = page->ring[done % IPC_POSTED_SLOTS];

	*a = (struct ipc_mmio_access){
		.window = window,
		.client = client,
		.vcpu = w.vcpu,
		.offset = w.offset,
		.width = width_ok(w.width) ? w.width : 4,
		.write = true,
		.value = w.value,
	};
	return true;
}

void ipc_posted_release(struct ipc_window_page *page, uint32_t done)
{
	/* The slot was read before the kernel may write it again. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	page->cons = done;
	/* cons before the service reads prod again: a write the kernel
	 * appends meanwhile is either seen then or finds the ring empty and
	 * arms its timer (Dekker with kernel/core/posted.c). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
