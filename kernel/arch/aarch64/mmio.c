/** Emulated MMIO forwarding (see hyp/mmio.h). */
#include "hyp/mmio.h"

#include "arch/inject.h"
#include "arch/insn_skip.h"
#include "hyp/units.h"

#define PAGE_OFFSET_MASK (PAGE_SIZE - 1)
/* SCTLR_EL1.M: the guest's stage-1 MMU is on (D13.2.113). */
#define SCTLR_EL1_M 1ULL
/* PAR_EL1 after AT (D13.2.102): F [0], PA [47:12]. */
#define PAR_EL1_F 1ULL
#define PAR_EL1_PA_MASK 0x0000fffffffff000ULL
/* vm_log_once key for accesses the decoder cannot emulate. */
#define LOG_KEY_MMIO_UNSUPPORTED 64

/* The guest's current SP: SP_EL1 in EL1h, SP_EL0 otherwise. Live state. */
static uint64_t guest_sp(const struct vcpu *v)
{
	return (v->regs.spsr & SPSR_M_MASK) == SPSR_M_EL1H ? read_sysreg(sp_el1)
							    : read_sysreg(sp_el0);
}

static uint64_t base_reg(const struct vcpu *v, uint8_t n)
{
	return n == MMIO_REG_ZR_OR_SP ? guest_sp(v) : v->regs.x[n];
}

static uint64_t xfer_reg(const struct vcpu *v, uint8_t n)
{
	return n == MMIO_REG_ZR_OR_SP ? 0 : v->regs.x[n];
}

/*
 * IPA of the guest's address @p va, through its stage 1 if its MMU is on.
 * A service's stage 1 is always off (HCR_EL2.DC), whatever the SCTLR_EL1
 * left in place under it says (arch_service_enter).
 */
static bool va_to_ipa(const struct vcpu *v, uint64_t va, uint64_t *ipa)
{
	if (vcpu_is_service(v) || !(read_sysreg(sctlr_el1) & SCTLR_EL1_M)) {
		*ipa = va;
		return true;
	}
	uint64_t saved_par = read_sysreg(par_el1);

	if (spsr_is_el1(v->regs.spsr)) {
		at_s1e1r(va);
	} else {
		at_s1e0r(va);
	}
	isb();
	uint64_t par = read_sysreg(par_el1);

	write_sysreg(par_el1, saved_par);
	if (par & PAR_EL1_F) {
		return false;
	}
	*ipa = (par & PAR_EL1_PA_MASK) | (va & PAGE_OFFSET_MASK);
	return true;
}

/*
 * Read the A64 instruction at the guest's PC. Only from A64 state (the
 * caller checks SPSR_EL2.M[4]): an A64 PC is 4-byte aligned (else the PE
 * takes a PC alignment fault before the fetch, D1.x "PC alignment
 * checking"), so the word never crosses into the next page, which may not
 * be the guest's. The check keeps that true whatever the caller passes.
 */
static bool fetch_insn(const struct vcpu *v, uint32_t *insn)
{
	uint64_t ipa;

	/* From its memory as the debug console reads it: readable RAM. */
	return (v->regs.pc & (INSN_BYTES_32 - 1)) == 0 &&
	       va_to_ipa(v, v->regs.pc, &ipa) &&
	       vm_read_guest(v->vm, ipa_init(ipa), insn, sizeof(*insn)) ==
		       sizeof(*insn);
}

struct vcpu *mmio_reject(struct vcpu *v, const char *why, uint64_t ipa,
			 bool write)
{
	uint64_t far = read_sysreg(far_el2);

	vm_log_once(v->vm, LOG_KEY_MMIO_UNSUPPORTED,
		    "vcpu %u: MMIO %s at IPA 0x%lx (pc 0x%lx) not emulated: "
		    "%s; external abort injected",
		    v->index, write ? "write" : "read", ipa, v->regs.pc, why);
	inject_data_abort(v, far, write);
	return v;
}

bool mmio_fault_ipa(const struct vcpu *v, uint64_t *ipa)
{
	return va_to_ipa(v, read_sysreg(far_el2), ipa);
}

/* Window offsets of each element of a manually decoded instruction. */
static bool element_offsets(struct vcpu *v, uint64_t ipa,
			    const struct mmio_window *win)
{
	struct mmio_pending *p = &v->ipc.mmio;
	uint64_t far = read_sysreg(far_el2);
	uint64_t addr = mmio_insn_address(&p->insn, base_reg(v, p->insn.rn),
					  xfer_reg(v, p->insn.rm));

	for (unsigned i = 0; i < p->insn.count; i++) {
		uint64_t va = addr + (uint64_t)i * p->insn.size;

		/* Only the faulting page's IPA is known (HPFAR_EL2). */
		if ((va ^ far) & ~PAGE_OFFSET_MASK) {
			return false;
		}
		p->offset[i] = ((ipa & ~PAGE_OFFSET_MASK) | (va & PAGE_OFFSET_MASK)) -
			       ipa_addr(win->base);
	}
	return true;
}

/* The fast path's twin stays out of line: inlined into handle_dabt (LTO),
 * its registers would cost every fast-path access a larger frame. */
__attribute__((noinline)) struct vcpu *
mmio_forward(struct vcpu *v, uint64_t esr, uint64_t ipa,
	     const struct mmio_window *win)
{
	struct mmio_pending *p = &v->ipc.mmio;
	struct esr_dabt d = esr_decode_dabt(esr);
	uint32_t insn;

	if (d.isv) {
		if (mmio_decode_syndrome(&d, &p->insn) != MMIO_DECODE_OK) {
			return mmio_reject(v, "cache maintenance", ipa, d.write);
		}
		p->offset[0] = ipa - ipa_addr(win->base);
	} else if (v->regs.spsr & SPSR_NRW) {
		/* LDM, LDRD, ... from AArch32 EL0 (EL1 is AArch64: HCR_EL2.RW):
		 * only A64 is decoded. An abort is what the kernel gives any
		 * access it does not emulate. */
		return mmio_reject(v, "AArch32 access without syndrome", ipa, d.write);
	} else if (!fetch_insn(v, &insn)) {
		return mmio_reject(v, "cannot read the instruction", ipa, d.write);
	} else if (mmio_decode_insn(insn, &p->insn) != MMIO_DECODE_OK) {
		return mmio_reject(v, "unsupported load/store form", ipa, d.write);
	} else if (!element_offsets(v, ipa, win)) {
		return mmio_reject(v, "access crosses a page", ipa, d.write);
	}
	for (unsigned i = 0; i < p->insn.count; i++) {
		if (p->offset[i] >= win->size ||
		    win->size - p->offset[i] < p->insn.size) {
			return mmio_reject(v, "access leaves the window", ipa, d.write);
		}
		p->value[i] = p->insn.write ? xfer_reg(v, p->insn.rt[i]) &
						      mmio_size_mask(p->insn.size)
					    : 0;
	}
	/* Remember the base now: SP is only readable while the guest is live. */
	p->base = base_reg(v, p->insn.rn);
	p->esr = (uint32_t)esr;
	p->va = read_sysreg(far_el2);
	p->win = win;
	p->index = 0;
	p->failed = false;
	p->resent = false;
	v->ipc.kind = IPC_KIND_MMIO;
	mmio_message(v, v->ipc.msg);
	return ipc_send(v, win->ep);
}

bool mmio_element_done(struct vcpu *v, uint64_t status, uint64_t value)
{
	struct mmio_pending *p = &v->ipc.mmio;

	if (status != IPC_OK) {
		p->failed = true;
		return false;
	}
	if (!p->insn.write) {
		p->value[p->index] = value;
	}
	p->index++;
	return p->index < p->insn.count;
}

void mmio_fail_or_finish(struct vcpu *v, bool failed)
{
	struct mmio_pending *p = &v->ipc.mmio;
	const struct mmio_insn *in = &p->insn;

	if (failed || p->failed) {
		v->pending |= VCPU_PENDING_ABORT;
		return;
	}
	for (unsigned i = 0; !in->write && i < in->count; i++) {
		if (in->rt[i] != MMIO_REG_ZR_OR_SP) {
			v->regs.x[in->rt[i]] = mmio_load_value(
				p->value[i], in->size, in->sign_extend, in->dest64);
		}
	}
	if (mmio_insn_writeback(in)) {
		/* SP is written once the vCPU is live (vcpu_apply_pending). */
		if (in->rn == MMIO_REG_ZR_OR_SP) {
			v->pending |= VCPU_PENDING_SP;
		} else {
			v->regs.x[in->rn] = mmio_insn_new_base(in, p->base);
		}
	}
	arch_skip_insn(&v->regs, p->esr);
}

/* The access record stays as it was completed until the vCPU runs again,
 * which comes after this (switch_to()); a reset clears both. */
void vcpu_apply_pending(struct vcpu *v)
{
	const struct mmio_pending *p = &v->ipc.mmio;

	if (v->pending & VCPU_PENDING_ABORT) {
		inject_data_abort(v, p->va, p->insn.write);
	}
	if (v->pending & VCPU_PENDING_SP) {
		uint64_t sp = mmio_insn_new_base(&p->insn, p->base);

		if ((v->regs.spsr & SPSR_M_MASK) == SPSR_M_EL1H) {
			write_sysreg(sp_el1, sp);
		} else {
			write_sysreg(sp_el0, sp);
		}
	}
	v->pending = 0;
}
