/** Posted writes (see hyp/posted.h). */
#include "hyp/posted.h"

#include "abi/ipc.h"
#include "hyp/arch.h"
#include "hyp/ipc.h"
#include "hyp/mm.h"
#include "hyp/sched.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

/* Bytes of a register HYP_IPC_WINDOW_READS names. */
#define POSTED_REG_BYTES 4U
#define POSTED_US_PER_S 1000000U

static struct ipc_window_page *page_of(const struct mmio_window *win)
{
	return mm_va(win->reads_pa);
}

__attribute__((noinline)) bool posted_write(struct vcpu *v,
					    struct mmio_window *win,
					    uint64_t offset, uint8_t width,
					    uint64_t value)
{
	uint64_t reg = offset / POSTED_REG_BYTES;
	struct vm *vm = v->vm;

	if (reg >= IPC_POSTED_REGS || !((win->posted_mask >> reg) & 1U) ||
	    offset % POSTED_REG_BYTES + width > POSTED_REG_BYTES ||
	    (vm->posted != NULL && vm->posted != win) || v->is_service) {
		return false;
	}
	struct ipc_window_page *pg = page_of(win);
	uint32_t prod = win->posted_prod;

	/* Full (or a cons the service scribbled on): an access, which the
	 * service serves after the ring. */
	if (prod - pg->cons >= IPC_POSTED_SLOTS) {
		return false;
	}
	pg->ring[prod % IPC_POSTED_SLOTS] = (struct ipc_posted_write){
		.value = (uint32_t)value,
		.offset = (uint16_t)offset,
		.width = width,
		.vcpu = (uint8_t)v->index,
	};
	/* The slot before prod: the service reads prod, then the slot. */
	arch_mem_barrier();
	win->posted_prod = prod + 1;
	pg->prod = prod + 1;
	v->ipc.posted_taken = false;
	/*
	 * The first write of a burst arms this CPU's EL2 timer: its VM had
	 * none waiting, or the ring was empty, read after prod (Dekker with
	 * the service, which releases cons, then reads prod again: libipc
	 * ipc_posted_release). Without it a write after a take could wait
	 * for the guest's next exit, which a lone vCPU's WFI is not.
	 */
	arch_mem_barrier();
	if (vm->posted == NULL || pg->cons == prod) {
		vm->posted = win;
		sched_exit_by(posted_deadline());
	}
	return true;
}

uint64_t posted_deadline(void)
{
	return arch_counter_now() +
	       arch_counter_freq() * IPC_POSTED_DELAY_US / POSTED_US_PER_S;
}

bool posted_pending(struct vcpu *v)
{
	const struct mmio_window *win = v->vm->posted;

	if (v->ipc.posted_taken) {
		/* Taken for this very exit: it goes on (a service that
		 * replies without taking them cannot hold it in a loop). */
		v->ipc.posted_taken = false;
		return false;
	}
	/* All taken, or the service restarted (its new instance takes the
	 * ring before it serves anything). */
	if (win->posted_mask == 0 || page_of(win)->cons == win->posted_prod) {
		v->vm->posted = NULL;
		return false;
	}
	return true;
}

struct vcpu *posted_take(struct vcpu *v)
{
	const struct mmio_window *win = v->vm->posted;

	v->ipc.kind = IPC_KIND_POSTED;
	v->ipc.msg[0] = IPC_MSG_POSTED;
	v->ipc.msg[1] = win->id;
	for (int i = 2; i < IPC_MSG_WORDS; i++) {
		v->ipc.msg[i] = 0;
	}
	return ipc_send(v, win->ep);
}
