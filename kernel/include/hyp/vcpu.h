#pragma once
/**
 * A virtual CPU. The trap frame (struct arch_regs) comes first: the exception
 * vectors find it through TPIDR_EL2, which always points at the running vCPU.
 */

#include "abi/ipc.h"
#include "arch/mmio_decode.h"
#include "arch/vcpu_arch.h"
#include "hyp/ptimer.h"
#include "hyp/vgic_lr.h"

struct mmio_window;
struct endpoint;
struct cpu;
struct vm;

enum vcpu_state {
	VCPU_OFF = 0,        /**< Not started or powered off. */
	VCPU_RUNNABLE,       /**< Ready to run. */
	VCPU_BLOCKED_WFI,    /**< In WFI until an interrupt or its timer fires. */
	VCPU_BLOCKED_RECV,   /**< Service waiting for a message. */
	VCPU_BLOCKED_SEND,   /**< Queued on a busy endpoint. */
	VCPU_BLOCKED_REPLY,  /**< Message delivered, waiting for the reply. */
};

/** What a sender's pending message is. */
enum ipc_kind {
	IPC_KIND_NONE = 0,
	IPC_KIND_MMIO,       /**< A forwarded guest load/store. */
	IPC_KIND_CALL,       /**< HYP_IPC_CALL. */
	IPC_KIND_POSTED,     /**< Waits until its VM's posted writes are
				  taken (hyp/posted.h). */
};

/** A guest load/store being emulated, one element per message. */
struct mmio_pending {
	struct mmio_insn insn;
	const struct mmio_window *win;
	uint64_t offset[2];   /**< Window offset of each element. */
	uint64_t value[2];    /**< Store data, or load results. */
	uint64_t base;        /**< Base register value at the fault. */
	uint64_t va;          /**< FAR_EL2: the faulting virtual address. */
	uint8_t index;        /**< Element being served. */
	bool failed;
	/**
	 * Its service died serving the element in flight, which was sent
	 * again to the restarted service; if that one dies on it too, the
	 * access aborts (hyp/service.h).
	 */
	bool resent;
	uint32_t esr;         /**< ESR_EL2 [31:0] of the access: EC, IL (its
			       length, for arch_skip_insn()) and ISS. */
};

/** IPC state of a vCPU. */
struct vcpu_ipc {
	enum ipc_kind kind;
	bool posted_taken;            /**< Its VM's posted writes were just
				       taken for it: its next exit goes on. */
	uint64_t msg[IPC_MSG_WORDS];  /**< Message to deliver. */
	struct endpoint *ep;          /**< Endpoint it waits on (queued or
				       being served), or NULL. */
	struct vcpu *queue_next;      /**< Next sender on the same endpoint. */
	struct mmio_pending mmio;
};

/** Work the kernel must do once the vCPU's EL1 state is live again. */
enum vcpu_pending {
	VCPU_PENDING_ABORT = 1U << 0,   /**< Inject a data abort for its
					     access (ipc.mmio: va, write). */
	VCPU_PENDING_SP = 1U << 1,      /**< Write its access's new base to
					     its SP (ipc.mmio). */
};

/**
 * Virtual interrupts raised for a vCPU by another physical CPU. Its list
 * registers live in its home CPU's GIC, which only that CPU can read, so
 * the sender records the interrupt here and kicks the home CPU, which
 * queues it (vgic_prepare_entry) with a fresh view of the LRs.
 */
struct vcpu_inbox {
	uint64_t pending[VGIC_INTID_WORDS];
	/** INTIDs whose pending state another CPU cleared (ICPENDR): the
	 * home CPU drops them from its LRs before queueing @c pending. */
	uint64_t clear[VGIC_INTID_WORDS];
	uint8_t sgi_sources[VGIC_SGI_COUNT];  /**< Requesting vCPUs per SGI. */
};

/**
 * One virtual CPU of a VM or service partition. Cache-line aligned: the
 * vCPUs of a VM, side by side in vm->vcpus, run on different CPUs. (Its
 * size, 4096 bytes as it is, also makes vm->vcpus[i] a shift: the timer
 * and virtual IPI paths index it.)
 */
struct __attribute__((aligned(64))) vcpu {
	struct arch_regs regs;        /**< Must stay first (offset 0). */
	struct arch_vcpu_ctx ctx;     /**< EL1 system and FP/SIMD state. */
	struct vm *vm;
	uint32_t index;               /**< vCPU number within its VM. */
	bool is_service;              /**< Runs on the light EL1 context. */
	enum vcpu_state state;
	struct cpu *home;             /**< Guests: the physical CPU that runs
				       it (fixed at boot). Services: NULL, any
				       CPU runs them. */
	struct cpu *on_cpu;           /**< CPU where it is current, or NULL. */
	uint32_t runq_index;          /**< Its place in home->runq. */
	bool ctx_fresh;               /**< ctx was reset: a copy of its EL1
				       state still in hardware is stale. */
	struct vcpu_ipc ipc;
	unsigned pending;             /**< enum vcpu_pending bits. */
	struct vgic_cpu vgic;         /**< Virtual interrupts and LR shadow. */
	bool vgic_dirty;              /**< LRs need refilling before entry. */
	struct vcpu_inbox inbox;      /**< Injections from other CPUs. */
	bool shares_cpu;              /**< Another guest vCPU has its home
				       CPU: its WFI and WFE trap. */
	bool wfi_watch;               /**< Alone on its CPU, its WFI traps
				       all the same (hyp/vtimer.h). */
	bool vtimer_phys_active;      /**< Switched out with its HW-linked
				       timer interrupt live (vcpu_arch.c). */
	struct ptimer ptimer;         /**< Its EL1 physical timer (guests,
				       hyp/vptimer.h). */
	/** Its exits, summed per VM when the VM stops. */
	struct vcpu_exits {
		uint64_t mmio, hvc, wfx, irq, other;
	} exits;
	struct arch_vgic_ctx vgic_ctx; /**< Its virtual interface control
				       state while switched out (arch). */
};

/** Answer @p vcpu's call with @p ret in x0 (SMCCC; a negative code as its
 * two's complement); returns @p vcpu. */
static inline struct vcpu *vcpu_answer(struct vcpu *vcpu, int64_t ret)
{
	vcpu->regs.x[0] = (uint64_t)ret;
	return vcpu;
}

/** True for the vCPU of a service partition (light EL1 context). */
static inline bool vcpu_is_service(const struct vcpu *vcpu)
{
	return vcpu->is_service;
}

/** Put @p vcpu in its architectural reset state, to start at @p entry. */
void vcpu_reset(struct vcpu *vcpu, uint64_t entry, uint64_t arg);

/** Name of the VM owning @p vcpu, for logs. */
const char *vcpu_vm_name(const struct vcpu *vcpu);

/**
 * Physical counter value at which a vCPU blocked in WFI must wake because
 * its virtual or its EL1 physical timer fires, or VCPU_NO_DEADLINE.
 */
#define VCPU_NO_DEADLINE UINT64_MAX
uint64_t vcpu_wake_deadline(const struct vcpu *vcpu);
