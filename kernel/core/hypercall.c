/** SMCCC call dispatch (see hypercall.h). */
#include "hyp/hypercall.h"

#include <string.h>

#include "abi/console.h"
#include "abi/hypercall.h"
#include "abi/ipc.h"
#include "hyp/ipc.h"
#include "hyp/vgic.h"
#include "hyp/addr.h"
#include "hyp/log.h"
#include "hyp/sched.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

/* Chunk copied from guest memory per step of a console write. */
#define CONSOLE_CHUNK 128

static int64_t console_write(struct vcpu *vcpu, uint64_t ipa, uint64_t len)
{
	char buf[CONSOLE_CHUNK];
	uint64_t done = 0;

	if (len > HYP_CONSOLE_WRITE_MAX) {
		return HYP_RET_INVALID_PARAMS;
	}
	while (done < len) {
		uint64_t want = len - done < CONSOLE_CHUNK ? len - done
							   : CONSOLE_CHUNK;
		uint64_t got = vm_read_guest(vcpu->vm, ipa_init(ipa + done),
					     buf, want);

		vm_console_write(vcpu->vm, buf, got);
		done += got;
		if (got < want) {
			return done ? (int64_t)done : HYP_RET_INVALID_ADDRESS;
		}
	}
	return (int64_t)done;
}

static bool hyp_call(struct vcpu *vcpu, uint32_t fid)
{
	uint64_t *x = vcpu->regs.x;

	switch (fid) {
	case HYP_CALL_VERSION:
		vcpu_set_ret(vcpu, HYP_ABI_VERSION);
		return true;
	case HYP_CALL_CONSOLE_PUTC: {
		char c = (char)x[1];

		vm_console_write(vcpu->vm, &c, 1);
		vcpu_set_ret(vcpu, SMCCC_SUCCESS);
		return true;
	}
	case HYP_CALL_CONSOLE_WRITE:
		vcpu_set_ret(vcpu, (uint64_t)console_write(vcpu, x[1], x[2]));
		return true;
	case HYP_CALL_CONSOLE_LINE:
		vcpu_set_ret(vcpu, (uint64_t)vm_console_share(vcpu->vm, x[1]));
		return true;
	default:
		return false;
	}
}

static bool smccc_arch_call(struct vcpu *vcpu, uint32_t fid)
{
	switch (fid) {
	case SMCCC_VERSION:
		vcpu_set_ret(vcpu, SMCCC_VERSION_1_1);
		return true;
	case SMCCC_ARCH_FEATURES:
		/* No firmware workarounds are offered (SMCCC 1.1, 7.2). */
		vcpu_set_ret(vcpu, (uint64_t)(int64_t)(vcpu->regs.x[1] == SMCCC_VERSION
							  ? SMCCC_SUCCESS
							  : SMCCC_NOT_SUPPORTED));
		return true;
	default:
		return false;
	}
}

static struct vcpu *window_info(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	const struct endpoint *ep = &vcpu->vm->ep;

	if (!vcpu_is_service(vcpu) || x[1] >= ep->window_count) {
		x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
		return vcpu;
	}
	const struct mmio_window *w = ep->windows[x[1]];

	x[0] = IPC_OK;
	x[1] = w->size;
	x[2] = w->client->id;
	x[3] = w->client->vcpu_count;
	return vcpu;
}

static struct vcpu *self_info(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	const struct cfg_vm *cfg = vcpu->vm->cfg;

	if (!vcpu_is_service(vcpu)) {
		x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
		return vcpu;
	}
	x[0] = IPC_OK;
	x[1] = vcpu->vm->reset_count;
	x[2] = 0;
	x[3] = 0;
	for (size_t r = 0; r < cfg->ram_count; r++) {
		if (cfg->ram[r].keep) {
			x[2] = cfg->ram[r].ipa;
			x[3] = cfg->ram[r].size;
		}
	}
	return vcpu;
}

static struct vcpu *client_name(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;
	const struct endpoint *ep = &vcpu->vm->ep;
	char name[IPC_NAME_WORDS * sizeof(uint64_t)] = { 0 };

	_Static_assert(sizeof(name) > CFG_NAME_MAX, "a name fits, with its NUL");
	if (!vcpu_is_service(vcpu) || x[1] >= ep->window_count) {
		x[0] = (uint64_t)(int64_t)IPC_ERR_INVALID;
		return vcpu;
	}
	const char *src = ep->windows[x[1]]->client->cfg->name;

	for (size_t i = 0; i < CFG_NAME_MAX && src[i] != '\0'; i++) {
		name[i] = src[i];
	}
	x[0] = IPC_OK;
	memcpy(&x[1], name, sizeof(name));
	return vcpu;
}

static struct vcpu *service_fault(struct vcpu *vcpu)
{
	uint64_t *x = vcpu->regs.x;

	if (!vcpu_is_service(vcpu)) {
		x[0] = (uint64_t)(int64_t)IPC_ERR_DENIED;
		return vcpu;
	}
	log_warn("service '%s' faulted: ESR_EL1 0x%llx ELR_EL1 0x%llx "
		 "FAR_EL1 0x%llx",
		 vcpu_vm_name(vcpu), (unsigned long long)x[1],
		 (unsigned long long)x[2], (unsigned long long)x[3]);
	vm_restart_service(vcpu->vm);
	return sched_next(vcpu);
}

/*
 * PSCI power calls from a service (false for the others, which psci.c
 * answers as for any partition). A service waits for work only in
 * HYP_IPC_RECV and its clients wait for its answers: idling (CPU_SUSPEND)
 * or powering its only vCPU off (CPU_OFF) would block them for ever, out
 * of reach of its reply deadline, so it is a fault; a reset is a restart,
 * with the access in flight sent again (never a made-up answer) and its
 * interrupts unmasked; SYSTEM_OFF ends it for good (its clients are
 * stopped, vm_stop).
 */
static bool service_psci(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	switch (fid) {
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		vm_service_stalled(vcpu->vm, "PSCI CPU_SUSPEND");
		break;
	case PSCI_CPU_OFF:
		vm_service_stalled(vcpu->vm, "PSCI CPU_OFF");
		break;
	case PSCI_SYSTEM_RESET:
		log_warn("service '%s' asked for a reset (PSCI SYSTEM_RESET)",
			 vcpu_vm_name(vcpu));
		vm_restart_service(vcpu->vm);
		break;
	default:
		return false;
	}
	*next = sched_next(vcpu);
	return true;
}

/* IPC calls; false if @p fid is not one. */
static bool ipc_hypercall(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	switch (fid) {
	case HYP_IPC_RECV:
		*next = ipc_recv(vcpu);
		return true;
	case HYP_IPC_REPLY_RECV:
		*next = ipc_reply_recv(vcpu);
		return true;
	case HYP_IPC_CALL:
		*next = ipc_call(vcpu, vcpu->regs.x[1]);
		return true;
	case HYP_IPC_NOTIFY:
		*next = ipc_notify_call(vcpu);
		return true;
	case HYP_IPC_WINDOW_COUNT:
		vcpu->regs.x[0] = vcpu_is_service(vcpu) ? vcpu->vm->ep.window_count
							: (uint64_t)(int64_t)IPC_ERR_INVALID;
		*next = vcpu;
		return true;
	case HYP_IPC_WINDOW_INFO:
		*next = window_info(vcpu);
		return true;
	case HYP_IPC_FAULT:
		*next = service_fault(vcpu);
		return true;
	case HYP_IPC_SELF_INFO:
		*next = self_info(vcpu);
		return true;
	case HYP_IPC_CLIENT_NAME:
		*next = client_name(vcpu);
		return true;
	default:
		return false;
	}
}

bool hypercall_local(struct vcpu *vcpu, uint16_t imm)
{
	uint32_t fid = (uint32_t)vcpu->regs.x[0];

	if (imm != 0) {
		return false;
	}
	switch (fid) {
	case HYP_CALL_VERSION:
		vcpu_set_ret(vcpu, HYP_ABI_VERSION);
		return true;
	case SMCCC_VERSION:
		vcpu_set_ret(vcpu, SMCCC_VERSION_1_1);
		return true;
	case PSCI_VERSION:
		vcpu_set_ret(vcpu, PSCI_VERSION_1_0);
		return true;
	default:
		return false;
	}
}

struct vcpu *hypercall_dispatch(struct vcpu *vcpu, uint16_t imm, bool smc)
{
	uint32_t fid = (uint32_t)vcpu->regs.x[0];
	struct vcpu *next = vcpu;

	/* SMCCC: the immediate of HVC/SMC must be 0 for these services. */
	if (imm != 0) {
		vcpu_set_ret(vcpu, (uint64_t)(int64_t)SMCCC_NOT_SUPPORTED);
		return vcpu;
	}
	/* Our own calls first: they are the frequent ones. */
	if (!smc && hyp_call(vcpu, fid)) {
		return vcpu;
	}
	if (!smc && ipc_hypercall(vcpu, fid, &next)) {
		return next;
	}
	if (!smc && vgic_hypercall(vcpu, fid, &next)) {
		return next;
	}
	if (vcpu_is_service(vcpu) && service_psci(vcpu, fid, &next)) {
		return next;
	}
	if (psci_handle(vcpu, fid, &next)) {
		return next;
	}
	if (smccc_arch_call(vcpu, fid)) {
		return vcpu;
	}
	vcpu_set_ret(vcpu, (uint64_t)(int64_t)SMCCC_NOT_SUPPORTED);
	return vcpu;
}
