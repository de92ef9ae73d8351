/** Quiet registers (see hyp/window_quiet.h). */
#include "hyp/window_quiet.h"

#include "abi/ipc.h"
#include "hyp/ipc.h"
#include "hyp/mm.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

/* Bits of a byte, for the bytes a store writes. */
#define BITS_PER_BYTE 8U

bool window_quiet_store(const struct mmio_window *win, uint64_t offset,
			uint8_t width, uint64_t value)
{
	uint64_t reg = offset / IPC_READS_REG_BYTES;

	/* At the register's first byte, no narrower than the reads the page
	 * answers, at most the register: a device may write a narrower
	 * store's value zero-extended over the whole register (a PL011
	 * does), so only the whole word compared says nothing changes. */
	if (offset % IPC_READS_REG_BYTES != 0 || reg >= IPC_READS_REGS ||
	    !((win->quiet_mask >> reg) & 1U) || width == 0 ||
	    width < win->reads_min_bytes || width > IPC_READS_REG_BYTES) {
		return false;
	}
	/* The word the service wrote last: single-copy atomic (B2.2.1), both
	 * sides Normal Write-Back (trap.c, served_read()). */
	const volatile uint32_t *page = mm_va(win->reads_pa);
	/* At most 32 bits: the shift is defined. */
	uint64_t mask = (1ULL << (width * BITS_PER_BYTE)) - 1;

	return (value & mask) == page[reg];
}

struct vcpu *window_quiet_declare(struct vcpu *vcpu)
{
	uint64_t mask = vcpu->regs.x[2];
	struct mmio_window *w = ep_window(&vcpu->vm->ep, vcpu->regs.x[1]);

	/* Answered from the page, and never waiting in its ring. */
	if (w == NULL || (mask & ~w->reads_mask) != 0 ||
	    (mask & w->posted_mask) != 0) {
		return vcpu_answer(vcpu, IPC_ERR_INVALID);
	}
	w->quiet_mask = mask;
	return vcpu_answer(vcpu, IPC_OK);
}
