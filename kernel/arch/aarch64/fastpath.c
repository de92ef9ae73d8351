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

struct vcpu *fastpath_mmio(struct vcpu *v, uint64_t esr, uint64_t ipa,
			   const struct mmio_window *win)
{
	struct endpoint *ep = win->ep;
	struct vcpu *svc = ep->receiver;
	struct esr_dabt d = esr_decode_dabt(esr);
	uint64_t offset = ipa - ipa_addr(win->base);

	/* Guards; the first two are what mmio_decode_syndrome() refuses. */
	if (!d.isv || d.cache_op || svc == NULL ||
	    ep->caller != NULL || offset + d.size > win->size ||
	    cpu_this()->light != NULL || v->pending != 0) {
		return mmio_forward(v, esr, ipa, win);
	}

	/* Point of no return. */
	struct mmio_pending *p = &v->ipc.mmio;
	const struct mmio_insn *in = &p->insn;

	/* Cannot fail: the guards checked ISV and CM. */
	(void)mmio_decode_syndrome(&d, &p->insn);
	p->win = win;
	p->offset[0] = offset;
	p->value[0] = in->write && in->rt[0] != MMIO_REG_ZR_OR_SP
			      ? v->regs.x[in->rt[0]] & mmio_size_mask(in->size)
			      : 0;
	p->index = 0;
	p->failed = false;
	p->resent = false;
	p->va = read_sysreg(far_el2);
	p->esr = (uint32_t)esr;
	v->ipc.kind = IPC_KIND_MMIO;
	mmio_message(v, svc->regs.x);
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

	/* Guards. cpu->light is only ever a service (sched.c), so it being
	 * @p svc also says @p svc is one. */
	if (cpu->light != svc || c == NULL || c->ipc.kind != IPC_KIND_MMIO ||
	    c->ipc.mmio.insn.count != 1 ||
	    c->ipc.mmio.insn.mode != MMIO_ADDR_OFFSET ||
	    svc->regs.x[1] != IPC_OK ||
	    !arch_skip_is_pc4(c->regs.spsr) ||
	    (ep->notify_bits | ep->doorbells) != 0 || ep->events != 0 ||
	    ep->queue_head != NULL ||
	    cpu->loaded != c ||
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
