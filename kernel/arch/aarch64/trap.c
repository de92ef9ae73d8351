/**
 * The trap path: one switch on the exception class, one handler per case,
 * each returning the vCPU to run next (Hafnium handler.c style). Anything
 * the kernel does not handle is reflected into the guest as the architecture
 * would deliver it, and logged once per VM and exception class.
 */
#include "arch/trap.h"

#include "arch/inject.h"
#include "arch/insn_skip.h"
#include "arch/mmio_decode.h"
#include "arch/sysreg.h"
#include "abi/ipc.h"
#include "hyp/cpu.h"
#include "hyp/fastpath.h"
#include "hyp/irq.h"
#include "hyp/hypercall.h"
#include "hyp/log.h"
#include "hyp/mm.h"
#include "hyp/mmio.h"
#include "hyp/posted.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/units.h"
#include "hyp/vptimer.h"
#include "hyp/vtimer.h"
#include "hyp/window_doorbell.h"
#include "hyp/window_isr.h"
#include "hyp/window_quiet.h"

/* Handlers stay out of line so that the dispatcher itself is a few
 * compares and a tail call, with no stack frame. */
#define HANDLER static __attribute__((noinline)) struct vcpu *

/* HPFAR_EL2.FIPA [43:4] holds IPA[51:12] (D13.2.49). */
#define HPFAR_FIPA_SHIFT 4
#define HPFAR_FIPA_MASK 0xffffffffffULL

static uint64_t fault_ipa(void)
{
	uint64_t hpfar = read_sysreg(hpfar_el2);
	uint64_t far = read_sysreg(far_el2);

	return (((hpfar >> HPFAR_FIPA_SHIFT) & HPFAR_FIPA_MASK) << PAGE_SHIFT) |
	       (far & (PAGE_SIZE - 1));
}

/*
 * An exception a service cannot be trusted to take itself (an instruction
 * fetch outside its RAM: its code or VBAR_EL1 is gone; a trapped or
 * undefined instruction other than the register accesses the kernel
 * answers, service_exception_reg and service_hidden_reg; an SError) is a
 * fault: it is restarted at once,
 * without going through its vectors (an injected exception might fault
 * again, for ever). A data access outside its RAM is delivered like a
 * guest's, to its vectors, which report it (libipc) or, in the isolation
 * test's probe, count it; if they cannot run, its deadline stops it.
 * Its guests' accesses survive the restart (hyp/service.h).
 */
HANDLER service_fault_trap(struct vcpu *vcpu, uint64_t esr, const char *what,
			   bool abort)
{
	if (abort) {
		log_warn("service '%s' faulted: %s at IPA 0x%lx, pc 0x%lx "
			 "(ESR_EL2 0x%lx), not delivered to it",
			 vcpu_vm_name(vcpu), what, fault_ipa(), vcpu->regs.pc,
			 esr);
	} else {
		log_warn("service '%s' faulted: %s at pc 0x%lx (ESR_EL2 0x%lx), "
			 "not delivered to it", vcpu_vm_name(vcpu), what,
			 vcpu->regs.pc, esr);
	}
	service_restart(vcpu->vm);
	return sched_next(vcpu);
}

/* MDSCR_EL1.SS, software step enable (D13.3.x). */
#define MDSCR_SS BIT(0)

/*
 * Back to the A64 HVC that trapped from @p regs, to run it again: the PE
 * completed it (it cleared SPSR_EL2.SS, D2.12), so a guest stepping itself
 * (MDSCR_EL1.SS, live: the guest is loaded) gets PSTATE.SS = 1 back,
 * active-not-pending: its step then ends after the HVC, as if it ran once.
 */
static void rerun_hvc(struct arch_regs *regs)
{
	regs->pc -= INSN_BYTES_32;
	if (read_sysreg(mdscr_el1) & MDSCR_SS) {
		regs->spsr |= SPSR_SS;
	}
}

/*
 * Before any exit of a guest but a posted write or a served read, its VM's
 * posted writes are taken (hyp/posted.h): dispatch_other() asks once for
 * every class but two, handle_hvc() past a service's reply (the hottest
 * exit, which never asks) and handle_dabt() where an access is known to be
 * neither. Returns NULL to go on.
 */
static inline struct vcpu *take_posted_first(struct vcpu *vcpu, bool hvc)
{
	if (__builtin_expect(vcpu->vm->posted == NULL, 1) ||
	    !posted_pending(vcpu)) {
		return NULL;
	}
	if (hvc) {
		rerun_hvc(&vcpu->regs);
	}
	return posted_take(vcpu);
}

HANDLER handle_wfx(struct vcpu *vcpu, uint64_t esr)
{
	arch_skip_insn(&vcpu->regs, esr);
	if ((esr_iss(esr) & ESR_WFX_TI_MASK) == ESR_WFX_TI_WFE) {
		return sched_yield(vcpu);
	}
	/* A service waits for work only in HYP_IPC_RECV: nothing would wake
	 * it from WFI, out of reach of its reply deadline (sched.c). */
	if (vcpu_is_service(vcpu)) {
		service_stalled(vcpu->vm, "WFI");
		return sched_next(vcpu);
	}
	/* WFI completes at once with a virtual interrupt pending, or its
	 * timer's physical one about to be taken (hyp/vtimer.h). */
	if (vgic_vcpu_has_pending(vcpu) || vtimer_wfi_resample(vcpu)) {
		return vcpu;
	}
	vtimer_wfi_blocks(vcpu);
	vcpu->state = VCPU_BLOCKED_WFI;
	return sched_next(vcpu);
}

HANDLER handle_hvc(struct vcpu *vcpu, uint64_t esr)
{
	uint16_t imm = (uint16_t)(esr & ESR_IMM16_MASK);

	/* ELR_EL2 already points past an HVC (D1.10.1, preferred return),
	 * and the PE has cleared SPSR_EL2.SS: an HVC is an
	 * exception-generating instruction, which completes when it takes
	 * its exception (D2.12 "Software Step exceptions"), unlike a trapped
	 * instruction. Nothing to skip. */
	if (imm == 0 && (uint32_t)vcpu->regs.x[0] == HYP_IPC_REPLY_RECV) {
		return fastpath_reply_recv(vcpu);
	}
	/* Past the HVC: back to run it again. */
	struct vcpu *taker = take_posted_first(vcpu, true);

	if (taker != NULL) {
		return taker;
	}
	return hypercall_dispatch(vcpu, imm, false);
}

HANDLER handle_smc(struct vcpu *vcpu, uint64_t esr)
{
	/* A trapped SMC (HCR_EL2.TSC) returns to the SMC itself (D1.10.1)
	 * with SPSR_EL2.SS as it was: skip it as if it had executed. */
	arch_skip_insn(&vcpu->regs, esr);
	return hypercall_dispatch(vcpu, (uint16_t)(esr & ESR_IMM16_MASK), true);
}

HANDLER reflect_undef(struct vcpu *vcpu, uint64_t esr)
{
	uint32_t ec = esr_ec(esr);

	if (vcpu_is_service(vcpu)) {
		return service_fault_trap(vcpu, esr, esr_ec_name(ec), false);
	}
	vm_log_once(vcpu->vm, ec,
		    "vcpu %u: %s (ESR 0x%lx) at pc 0x%lx not handled: "
		    "undefined instruction injected",
		    vcpu->index, esr_ec_name(ec), esr, vcpu->regs.pc);
	inject_undef(vcpu);
	return vcpu;
}

/* ESR_EL1 = S3_0_C5_C2_0 and FAR_EL1 = S3_0_C6_C0_0 (D13.2.37, D13.2.40). */
static bool is_reg(const struct esr_sysreg *s, uint8_t op0, uint8_t op1,
		   uint8_t crn, uint8_t crm, uint8_t op2)
{
	return s->op0 == op0 && s->op1 == op1 && s->crn == crn &&
	       s->crm == crm && s->op2 == op2;
}

/*
 * A service's fault handler reads its own ESR_EL1/FAR_EL1, which
 * HCR_EL2.TRVM/TVM trap (they are in the same group as the translation
 * registers). They hold the service's own values while it runs (the light
 * switch swaps them), so the kernel performs the access for it.
 */
static bool service_exception_reg(struct vcpu *vcpu, const struct esr_sysreg *s)
{
	uint64_t *x = vcpu->regs.x;
	bool esr_reg = is_reg(s, 3, 0, 5, 2, 0);
	bool far_reg = is_reg(s, 3, 0, 6, 0, 0);

	if (!vcpu_is_service(vcpu) || (!esr_reg && !far_reg)) {
		return false;
	}
	if (s->read) {
		uint64_t v = esr_reg ? read_sysreg(esr_el1) : read_sysreg(far_el1);

		if (s->reg != ZERO_REG) {
			x[s->reg] = v;
		}
	} else {
		uint64_t v = s->reg == ZERO_REG ? 0 : x[s->reg];

		if (esr_reg) {
			write_sysreg(esr_el1, v);
		} else {
			write_sysreg(far_el1, v);
		}
	}
	return true;
}

/* Encodings (C5.1.2, C5.3): op0 = 2 is the debug space; the PMU is
 * op0 = 3, CRn = 9 (CRm 12-14 with op1 = 3, CRm 14 with op1 = 0:
 * PMINTEN*, PMMIR) and CRn = 14, op1 = 3, CRm 8-15 (PMEV*, PMCCFILTR). */
#define SYSREG_OP0_DEBUG 2
#define PMU_CRN 9
#define PMU_EL0_CRM_FIRST 12
#define PMU_EL0_CRM_LAST 14
#define PMU_EL1_CRM 14
#define PMU_EV_CRN 14
#define PMU_EV_CRM_FIRST 8
#define PMU_OP1_EL0 3

static bool is_debug_or_pmu(const struct esr_sysreg *s)
{
	if (s->op0 == SYSREG_OP0_DEBUG) {
		return true;
	}
	if (s->op0 != 3) {
		return false;
	}
	if (s->crn == PMU_CRN) {
		return (s->op1 == PMU_OP1_EL0 && s->crm >= PMU_EL0_CRM_FIRST &&
			s->crm <= PMU_EL0_CRM_LAST) ||
		       (s->op1 == 0 && s->crm == PMU_EL1_CRM);
	}
	return s->crn == PMU_EV_CRN && s->op1 == PMU_OP1_EL0 &&
	       s->crm >= PMU_EV_CRM_FIRST;
}

/*
 * A service runs on top of the loaded guest's debug, OS-lock and PMU
 * registers and CPACR_EL1, which its MDCR_EL2 (TDA, TDOSA, TDRA, TPM,
 * TPMCR) and CPTR_EL2.TCPAC trap (vcpu_arch.c): they read as zero and
 * writes are ignored, so a service sees no guest's values and changes
 * nothing, and is not restarted for probing (logged once).
 */
static bool service_hidden_reg(struct vcpu *vcpu, const struct esr_sysreg *s)
{
	/* CPACR_EL1 = S3_0_C1_C0_2 (D13.2.30). */
	if (!vcpu_is_service(vcpu) ||
	    !(is_debug_or_pmu(s) || is_reg(s, 3, 0, 1, 0, 2))) {
		return false;
	}
	vm_log_once(vcpu->vm, EC_SYSREG,
		    "service %s S%u_%u_C%u_C%u_%u (a guest's debug, PMU or "
		    "CPACR register) at pc 0x%lx: reads as zero, write ignored",
		    s->read ? "mrs" : "msr", s->op0, s->op1, s->crn, s->crm,
		    s->op2, vcpu->regs.pc);
	if (s->read && s->reg != ZERO_REG) {
		vcpu->regs.x[s->reg] = 0;
	}
	return true;
}

HANDLER handle_sysreg(struct vcpu *vcpu, uint64_t esr)
{
	struct esr_sysreg s = esr_decode_sysreg(esr);

	/* Each performs the access (true) or leaves it to the next. */
	if (service_exception_reg(vcpu, &s) || service_hidden_reg(vcpu, &s) ||
	    (!vcpu_is_service(vcpu) && vptimer_access(vcpu, &s))) {
		arch_skip_insn(&vcpu->regs, esr);
		return vcpu;
	}
	if (vcpu_is_service(vcpu)) {
		return service_fault_trap(vcpu, esr, "a trapped system register",
					  false);
	}
	vm_log_once(vcpu->vm, EC_SYSREG,
		    "vcpu %u: %s S%u_%u_C%u_C%u_%u at pc 0x%lx is not "
		    "emulated: undefined instruction injected",
		    vcpu->index, s.read ? "mrs" : "msr", s.op0, s.op1, s.crn,
		    s.crm, s.op2, vcpu->regs.pc);
	inject_undef(vcpu);
	return vcpu;
}

/* GICD_SGIR is a 32-bit register (IHI 0048B 4.3.15). */
#define GICD_SGIR_BYTES 4U

/* Virtual IPI fast path: no IPC to the distributor service. */
HANDLER handle_sgir(struct vcpu *vcpu, uint64_t esr)
{
	uint8_t rt = esr_decode_dabt(esr).reg;

	vgic_sgir_write(vcpu, rt == ZERO_REG ? 0 : (uint32_t)vcpu->regs.x[rt]);
	arch_skip_insn(&vcpu->regs, esr);
	return vcpu;
}

/* A stage-2 permission fault on the access itself: a write to a read-only
 * register shadow page (vm.c). */
static bool is_s2_permission(uint64_t esr)
{
	return esr_is_permission_fault(esr) && !(esr & ESR_DABT_S1PTW);
}

/* A load HYP_IPC_WINDOW_READS may let the kernel answer (served_read):
 * ISV set, a read, no cache maintenance, not on a stage-1 walk, and a
 * translation fault, for which HPFAR_EL2 holds the IPA (D13.2.49). */
#define SERVED_ESR_MASK                                                        \
	(ESR_DABT_ISV | ESR_DABT_CM | ESR_DABT_S1PTW | ESR_DABT_WNR |          \
	 (ESR_FSC_MASK & ~FSC_LEVEL_MASK))
#define SERVED_ESR_WANT (ESR_DABT_ISV | FSC_TRANSLATION_L0)

/*
 * Answer a load of @p win from its service's page (HYP_IPC_WINDOW_READS)
 * before any other MMIO work: within one named 32-bit register, at least
 * the window's narrowest served width; word offset / 4 of the page,
 * shifted to the byte addressed and extended as the syndrome says (SSE,
 * SF), so that it reads the word the service wrote last (an aligned
 * 32-bit load is single-copy atomic, B2.2.1). Both sides map the page
 * Normal Write-Back (the service by HCR_EL2.DC, the kernel by its identity
 * map): coherent, no cache maintenance (B2.8). Under the kernel lock: a
 * restart forgetting the page (ipc_forget_reads) is not concurrent.
 */
static inline bool served_read(struct vcpu *v, uint64_t esr, uint64_t ipa,
			       const struct mmio_window *win)
{
	uint64_t offset = ipa - ipa_addr(win->base);
	uint64_t reg = offset / IPC_READS_REG_BYTES;
	uint64_t size = 1ULL << ((esr >> ESR_DABT_SAS_SHIFT) & ESR_DABT_SAS_MASK);
	uint32_t rt = (esr >> ESR_DABT_SRT_SHIFT) & ESR_DABT_SRT_MASK;

	if ((esr & SERVED_ESR_MASK) != SERVED_ESR_WANT || reg >= IPC_READS_REGS ||
	    !((win->reads_mask >> reg) & 1U) || size < win->reads_min_bytes ||
	    offset % IPC_READS_REG_BYTES + size > IPC_READS_REG_BYTES) {
		return false;
	}
	const volatile uint32_t *page = mm_va(win->reads_pa);
	uint64_t raw = page[reg] >> (offset % IPC_READS_REG_BYTES * MMIO_BITS_PER_BYTE);

	if (rt != ZERO_REG) {
		v->regs.x[rt] = __builtin_expect(esr & ESR_DABT_SSE, 0)
					? mmio_load_value(raw, (uint8_t)size, true,
							  esr & ESR_DABT_SF)
					: raw & mmio_size_mask(size);
	}
	arch_skip_insn(&v->regs, esr);
	return true;
}

/*
 * A store to a register the service posts (hyp/posted.h), ISV set and a
 * translation fault as for served_read(): completed here, into the ring of
 * the window's page, before any other MMIO work. False if posted_write()
 * refuses it (full ring, ...): then an ordinary access, which the service
 * serves after the ring. Out of line: the hot paths' frames stay small.
 */
static __attribute__((noinline)) bool
posted_store(struct vcpu *v, uint64_t esr, uint64_t ipa, struct mmio_window *win)
{
	struct esr_dabt d = esr_decode_dabt(esr);
	uint64_t value = d.reg == ZERO_REG ? 0 : v->regs.x[d.reg];

	if (!posted_write(v, win, ipa - ipa_addr(win->base), d.size,
			  value & mmio_size_mask(d.size))) {
		return false;
	}
	arch_skip_insn(&v->regs, esr);
	return true;
}

/*
 * A store of the value a quiet register holds (hyp/window_quiet.h), ISV set
 * and a translation fault as for served_read() (the caller checked): it
 * changes nothing, so it completes here.
 */
static inline bool quiet_store(struct vcpu *v, uint64_t esr, uint64_t ipa,
			       const struct mmio_window *win)
{
	uint32_t rt = (esr >> ESR_DABT_SRT_SHIFT) & ESR_DABT_SRT_MASK;
	uint64_t size = 1ULL << ((esr >> ESR_DABT_SAS_SHIFT) & ESR_DABT_SAS_MASK);

	if (!window_quiet_store(win, ipa - ipa_addr(win->base), (uint8_t)size,
				rt == ZERO_REG ? 0 : v->regs.x[rt])) {
		return false;
	}
	arch_skip_insn(&v->regs, esr);
	return true;
}


/*
 * A store the kernel completes for the window's service, ISV set and no
 * cache maintenance (a permission fault on the read-only shadow page): the
 * acknowledge of a status register it keeps (hyp/window_isr.h), or its
 * doorbell (hyp/window_doorbell.h). Out of line, as posted_store(): the hot
 * path's frame stays small.
 */
static __attribute__((noinline)) bool
isr_store(struct vcpu *v, uint64_t esr, uint64_t ipa,
	  const struct mmio_window *win)
{
	struct esr_dabt d = esr_decode_dabt(esr);

	uint64_t off = ipa - ipa_addr(win->base);

	if (!d.isv || d.cache_op || !d.write ||
	    !(window_isr_ack(win, off, d.size,
			     d.reg == ZERO_REG ? 0 : v->regs.x[d.reg]) ||
	      window_doorbell_ring(win, off, d.size))) {
		return false;
	}
	arch_skip_insn(&v->regs, esr);
	return true;
}

/*
 * A Stage-2 translation fault (HPFAR_EL2 holds @p ipa) in RAM not touched
 * yet, or in a grant of it: now zeroed and mapped (vm_ram.c), the access
 * runs again; no device saw anything, so no posted writes are taken. Out
 * of line: the MMIO path's frame stays as it was.
 */
static __attribute__((noinline)) bool ram_first_touch(struct vcpu *v,
						      uint64_t ipa)
{
	if (!vm_ram_touch(v->vm, ipa)) {
		return false;
	}
	/* Counted before the window lookup: it was no MMIO exit. */
	v->exits.mmio--;
	return true;
}

/* @p ipa and @p win: from HPFAR_EL2, UNKNOWN for a permission fault. */
HANDLER handle_dabt(struct vcpu *vcpu, uint64_t esr, uint64_t ipa,
		    const struct mmio_window *win)
{
	/* HPFAR_EL2 is UNKNOWN for a stage-2 permission fault that is not on
	 * a stage-1 walk (D13.2.49): translate FAR_EL2 instead, as KVM does. */
	if (__builtin_expect(is_s2_permission(esr), 0)) {
		if (!mmio_fault_ipa(vcpu, &ipa)) {
			return mmio_reject(vcpu, "cannot translate its address",
					   ipa, esr_decode_dabt(esr).write);
		}
		win = vm_find_mmio_window(vcpu->vm, ipa);
		/* An acknowledge or a doorbell comes here: the shadow page is
		 * read-only in the client (before it is mapped, the service
		 * gets it). */
		if (win != NULL && (win->isr_kept || win->has_doorbell) &&
		    !(esr & ESR_DABT_S1PTW) &&
		    isr_store(vcpu, esr, ipa, win)) {
			return vcpu;
		}
	}
	if (win != NULL && !(esr & ESR_DABT_S1PTW)) {
		return fastpath_mmio(vcpu, esr, ipa, win);
	}
	if (win == NULL && esr_is_translation_fault(esr) &&
	    ram_first_touch(vcpu, ipa)) {
		return vcpu;
	}
	struct esr_dabt d = esr_decode_dabt(esr);
	uint64_t va = read_sysreg(far_el2);
	struct vcpu *taker = take_posted_first(vcpu, false);

	if (taker != NULL) {
		return taker;
	}
	vm_log_once(vcpu->vm, EC_DABT_LOW,
		    "vcpu %u: data %s at IPA 0x%lx (VA 0x%lx, pc 0x%lx) "
		    "hits no RAM or device: external abort injected",
		    vcpu->index, d.write ? "write" : "read", ipa, va,
		    vcpu->regs.pc);
	inject_data_abort(vcpu, va, d.write);
	return vcpu;
}

HANDLER handle_iabt(struct vcpu *vcpu, uint64_t esr)
{
	uint64_t va = read_sysreg(far_el2);

	/* A fetch from (or a table walk into) RAM not touched yet. */
	if (esr_is_translation_fault(esr) && vm_ram_touch(vcpu->vm, fault_ipa())) {
		return vcpu;
	}

	if (vcpu_is_service(vcpu)) {
		return service_fault_trap(vcpu, esr,
					  "an instruction fetch outside its RAM", true);
	}
	vm_log_once(vcpu->vm, EC_IABT_LOW,
		    "vcpu %u: instruction fetch at IPA 0x%lx (VA 0x%lx) "
		    "hits no RAM: external abort injected",
		    vcpu->index, fault_ipa(), va);
	inject_instruction_abort(vcpu, va);
	return vcpu;
}

/* Every class but a data abort and an HVC. */
HANDLER dispatch_other(struct vcpu *vcpu, uint64_t esr)
{
	uint32_t ec = esr_ec(esr);

	vcpu->exits.wfx += ec == EC_WFX;
	vcpu->exits.hvc += ec == EC_SMC64;
	vcpu->exits.other += ec == EC_SYSREG;
	/* Each of the classes below takes the posted writes first (one
	 * check here for all their handlers). */
	struct vcpu *taker = take_posted_first(vcpu, false);

	if (taker != NULL) {
		return taker;
	}
	/* A conditional AArch32 instruction may trap before its condition is
	 * checked (on its ITSTATE too); one that fails it does nothing (D1.x
	 * "Conditional execution of AArch32 instructions"). */
	if (!arch_trap_cond_passed(esr, vcpu->regs.spsr)) {
		arch_skip_insn(&vcpu->regs, esr);
		return vcpu;
	}
	switch (ec) {
	case EC_WFX:
		return handle_wfx(vcpu, esr);
	case EC_SMC64:
		return handle_smc(vcpu, esr);
	case EC_SYSREG:
		return handle_sysreg(vcpu, esr);
	case EC_IABT_LOW:
		return handle_iabt(vcpu, esr);
	default:
		return reflect_undef(vcpu, esr);
	}
}

/* Under the lock: a vCPU whose VM another CPU stopped goes no further. */
static bool vm_gone(const struct vcpu *vcpu)
{
	return vcpu->vm->state != VM_RUNNING;
}

struct vcpu *trap_lower_sync(struct vcpu *vcpu)
{
	uint64_t esr = read_sysreg(esr_el2);
	bool hvc = esr_ec(esr) == EC_HVC64;

	/* An HVC goes straight to its handler, past the data abort's
	 * compares: a service's reply (fastpath_reply_recv) ends every
	 * MMIO round trip. */
	if (hvc) {
		vcpu->exits.hvc++;
		if (hypercall_local(vcpu, esr & ESR_IMM16_MASK)) {
			return vcpu;
		}
	}
	kernel_lock();
	/* The hot class first: a guest's MMIO access, of which a load the
	 * kernel answers (served_read) comes before the stopped-VM check: as
	 * if it had run just before another CPU stopped the VM, which waits
	 * for this CPU to switch away (vm_quiesce) before it resets it. */
	uint64_t ipa = 0;
	struct mmio_window *win = NULL;

	if (__builtin_expect(esr_ec(esr) == EC_DABT_LOW, 1)) {
		ipa = fault_ipa();
		win = vm_find_mmio_window(vcpu->vm, ipa);
		vcpu->exits.mmio++;
		if (win != NULL && served_read(vcpu, esr, ipa, win)) {
			return kernel_exit(vcpu);
		}
	}
	if (vm_gone(vcpu)) {
		return kernel_exit(sched_next(vcpu));
	}
	/* A store the kernel completes, ISV set and a translation fault
	 * (HPFAR_EL2 holds the IPA), as for served_read(): a virtual IPI goes
	 * straight to its handler; a store the service posts (hyp/posted.h)
	 * or one that changes nothing (hyp/window_quiet.h) is completed
	 * here. */
	bool kernel_store = win != NULL && (esr & SERVED_ESR_MASK) ==
						   (SERVED_ESR_WANT | ESR_DABT_WNR);

	if (kernel_store && win->kernel_sgir &&
	    ipa - ipa_addr(win->base) == GICD_SGIR &&
	    esr_decode_dabt(esr).size == GICD_SGIR_BYTES) {
		return kernel_exit(handle_sgir(vcpu, esr));
	}
	if (kernel_store && win->posted_mask != 0 &&
	    posted_store(vcpu, esr, ipa, win)) {
		return kernel_exit(vcpu);
	}
	/* Never posted: after them, off the posted DR writes' path (each
	 * byte a console prints), at the cost of posted_store()'s refusal. */
	if (kernel_store && win->quiet_mask != 0 &&
	    quiet_store(vcpu, esr, ipa, win)) {
		return kernel_exit(vcpu);
	}
	if (hvc) {
		return kernel_exit(handle_hvc(vcpu, esr));
	}
	/* The hot class first: a guest's MMIO access. */
	if (__builtin_expect(esr_ec(esr) == EC_DABT_LOW, 1)) {
		return kernel_exit(handle_dabt(vcpu, esr, ipa, win));
	}
	return kernel_exit(dispatch_other(vcpu, esr));
}

struct vcpu *trap_lower_irq(struct vcpu *vcpu)
{
	kernel_lock();
	vcpu->exits.irq++;
	irq_handle_pending();
	/* A service woken by its interrupt runs before the guest goes on. */
	return kernel_exit(sched_preempt(vcpu));
}

struct vcpu *trap_lower_serror(struct vcpu *vcpu)
{
	kernel_lock();
	if (!vm_gone(vcpu) && vcpu_is_service(vcpu)) {
		return kernel_exit(service_fault_trap(vcpu, read_sysreg(esr_el2),
						      "an SError", false));
	}
	if (!vm_gone(vcpu)) {
		vm_log_once(vcpu->vm, EC_SERROR,
			    "vcpu %u: SError (ESR 0x%lx): VM stopped",
			    vcpu->index, read_sysreg(esr_el2));
		vm_stop(vcpu->vm, VM_STOP_FAILED);
	}
	return kernel_exit(sched_next(vcpu));
}
