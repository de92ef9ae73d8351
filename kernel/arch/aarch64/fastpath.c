/** MMIO fast paths (see hyp/fastpath.h). */
#include "hyp/fastpath.h"

#include "arch/esr.h"
#include "arch/insn_skip.h"
#include "arch/mmio_decode.h"
#include "arch/sysreg.h"
#include "arch/vcpu_arch.h"
#include "hyp/cpu.h"
#include "hyp/ipc.h"
#include "hyp/mmio.h"
#include "hyp/sched.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

#define ZERO_REG 31

struct vcpu *fastpath_mmio(struct vcpu *v, uint64_t esr, uint64_t ipa,
			   const struct mmio_window *win)
{
	struct endpoint *ep = win->ep;
	struct vcpu *svc = ep->receiver;
	uint64_t size = 1ULL << ((esr >> ESR_DABT_SAS_SHIFT) & ESR_DABT_SAS_MASK);
	uint64_t offset = ipa - ipa_addr(win->base);

	/* Guards. */
	if (!(esr & ESR_DABT_ISV) || (esr & ESR_DABT_CM) || svc == NULL ||
	    ep->caller != NULL || offset + size > win->size ||
	    cpu_this()->light != NULL || v->pending != 0) {
		return mmio_forward(v, esr, ipa, win);
	}

	/* Point of no return. */
	struct mmio_pending *p = &v->ipc.mmio;
	bool write = (esr & ESR_DABT_WNR) != 0;
	uint8_t rt = (uint8_t)((esr >> ESR_DABT_SRT_SHIFT) & ESR_DABT_SRT_MASK);
	uint64_t value = 0;

	if (write && rt != ZERO_REG) {
		value = v->regs.x[rt] & mmio_size_mask(size);
	}
	p->insn.size = (uint8_t)size;
	p->insn.count = 1;
	p->insn.write = write;
	p->insn.sign_extend = (esr & ESR_DABT_SSE) != 0;
	p->insn.dest64 = (esr & ESR_DABT_SF) != 0;
	p->insn.rt[0] = rt;
	p->insn.mode = MMIO_ADDR_OFFSET;
	p->win = win;
	p->offset[0] = offset;
	p->value[0] = value;
	p->index = 0;
	p->failed = false;
	p->resent = false;
	p->va = read_sysreg(far_el2);
	p->esr = (uint32_t)esr;
	v->ipc.kind = IPC_KIND_MMIO;

	uint64_t *x = svc->regs.x;

	x[0] = IPC_MSG_MMIO;
	x[1] = win->id;
	x[2] = offset;
	x[3] = size | (write ? IPC_MMIO_WRITE : 0) |
	       ((uint64_t)v->vm->id << IPC_MMIO_CLIENT_SHIFT) |
	       ((uint64_t)v->index << IPC_MMIO_VCPU_SHIFT);
	x[4] = value;
	x[5] = 0;
	ep->receiver = NULL;
	ipc_begin_request(ep, v, read_sysreg(cntpct_el0));
	v->ipc.ep = ep;
	svc->state = VCPU_RUNNABLE;
	v->state = VCPU_BLOCKED_REPLY;
	return sched_light_enter_fp(svc);
}

struct vcpu *fastpath_reply_recv(struct vcpu *svc)
{
	struct endpoint *ep = &svc->vm->ep;
	struct vcpu *c = ep->caller;
	struct cpu *cpu = cpu_this();

	/* Guards. */
	if (!svc->is_service || c == NULL || c->ipc.kind != IPC_KIND_MMIO ||
	    c->ipc.mmio.insn.count != 1 ||
	    c->ipc.mmio.insn.mode != MMIO_ADDR_OFFSET ||
	    svc->regs.x[1] != IPC_OK ||
	    !arch_skip_is_pc4(c->regs.spsr) ||
	    ep->notify_bits != 0 || ep->queue_head != NULL ||
	    cpu->light != svc || cpu->loaded != c ||
	    c->vm->state != VM_RUNNING) {
		return ipc_reply_recv(svc);
	}

	/* Point of no return. */
	const struct mmio_insn *in = &c->ipc.mmio.insn;

	if (!in->write && in->rt[0] != ZERO_REG) {
		uint64_t raw = svc->regs.x[2];

		/* Zero-extension is a mask; sign-extension takes the call. */
		c->regs.x[in->rt[0]] =
			in->sign_extend ? mmio_load_value(raw, in->size, true,
							  in->dest64)
					: raw & mmio_size_mask(in->size);
	}
	/* arch_skip_insn() for an A64 instruction not being stepped. */
	c->regs.pc += INSN_BYTES_32;
	c->ipc.kind = IPC_KIND_NONE;
	c->ipc.ep = NULL;
	c->state = VCPU_RUNNABLE;
	ep->caller = NULL;
	ep->receiver = svc;
	svc->state = VCPU_BLOCKED_RECV;
	return sched_light_leave_fp(c);
}
