#pragma once
/**
 * A VM or service partition: its Stage-2 space, RAM, vCPUs and life cycle,
 * built from one struct cfg_vm of the scenario.
 */

#include "hyp/ipc.h"
#include "hyp/s2.h"
#include "hyp/vgic.h"
#include "hyp/vcpu.h"

#define VM_CONSOLE_LINE_MAX 160

enum vm_state {
	VM_STOPPED = 0,  /**< Not started, or powered off. */
	VM_RUNNING,
};

/** Why a VM stopped, for the log line and the machine's exit status. */
enum vm_stop_reason {
	VM_STOP_SYSTEM_OFF,    /**< It powered itself off (PSCI SYSTEM_OFF). */
	VM_STOP_FAILED,        /**< A fatal fault, or a service given up. */
	VM_STOP_SERVICE_DEAD,  /**< A guest whose service was given up. */
	VM_STOP_EXIT,          /**< It exited (HYP_CALL_EXIT, exit_status). */
};

/** One partition. */
struct vm {
	uint16_t id;                  /**< Index in the scenario; VMID = id+1. */
	const struct cfg_vm *cfg;
	struct s2_space s2;
	paddr_t ram_pa[CFG_MAX_RAM];  /**< Backing of each cfg RAM region. */
	paddr_t grant_pa[CFG_MAX_GRANTS]; /**< Services: each cfg grant's. */
	uint16_t grant_client[CFG_MAX_GRANTS]; /**< Its client's VM id. */
	const struct cfg_image *image;
	enum vm_state state;
	uint32_t vcpu_count;
	uint32_t reset_count;
	bool reset_held; /**< Reset: its services have not all handled it. */
	enum vm_stop_reason stop_reason; /**< Once stopped: why. */
	uint32_t exit_status;         /**< Its HYP_CALL_EXIT status. */
	uint64_t logged[2];           /**< vm_log_once keys already used. */
	struct mmio_window mmio[CFG_MAX_DEVICES]; /**< Its emulated windows. */
	uint32_t mmio_count;
	struct mmio_window *posted;   /**< Window whose ring holds writes of
				       this VM, or NULL (hyp/posted.h). */
	struct endpoint ep;           /**< Services only. */
	struct vgic_dist vgic;        /**< Virtual distributor configuration. */
	char console_line[VM_CONSOLE_LINE_MAX]; /**< Debug console buffer. */
	uint32_t console_len;
	/* RAM (vm_ram.c), off the trap path. */
	bool ram_lazy[CFG_MAX_RAM];   /**< Zeroed when first touched. */
	bool grant_lazy[CFG_MAX_GRANTS]; /**< Mapped when first touched. */
	uint32_t ram_blocks_ready;    /**< Lazy blocks zeroed and mapped. */
	/* Last: the fields above, read on every trap, stay within the
	 * immediate offset of a load (the vCPUs are large). */
	struct vcpu vcpus[CFG_MAX_VCPUS];
};

/** Create every partition of the scenario; panics if that is impossible. */
void vm_create_all(const struct cfg_scenario *sc, const struct cfg_image *images,
		   size_t image_count, struct palloc *pool);

/** Number of partitions and the i-th one. */
uint32_t vm_count(void);
struct vm *vm_get(uint32_t i);

/**
 * Power a VM off. A service is gone for good then (given up after its
 * restart budget, or powered off by itself): every guest VM that uses it
 * is stopped too, with one log line naming the service and the reason
 * (VM_STOP_SERVICE_DEAD). When no guest VM is left running the machine
 * powers off: with a failure status (platform_power_off_failure) if the
 * kernel stopped any guest, else normally.
 */
void vm_stop(struct vm *vm, enum vm_stop_reason why);

/** Reset a VM: fresh RAM, image reloaded, vCPU 0 at its entry. */
void vm_reset(struct vm *vm);

/**
 * The reload step of a reset or a service's restart (service.c): RAM
 * zeroed except regions marked @c keep, images copied in, vCPU 0 started
 * at its entry. Its vCPUs must be out of IPC and stopped.
 */
void vm_reload(struct vm *vm);

/** @p vm's services have handled its reset: if held, it is reloaded and
 * its vCPUs start. */
void vm_reset_resume(struct vm *vm);

/** Kernel pointer to @p vm's RAM at @p ipa, with the bytes left in its
 * region in *@p avail; NULL if @p ipa is not in its RAM. */
uint8_t *vm_ram_ptr(struct vm *vm, uint64_t ipa, uint64_t *avail);

/* --- RAM (vm_ram.c) ------------------------------------------------------ */

/**
 * Allocate @p vm's RAM regions from @p pool: a service's zeroed and mapped,
 * a guest's neither (its tables made), zeroed a block at a time when first
 * touched. Panics if the pool is short.
 */
void vm_ram_create(struct vm *vm, struct palloc *pool);

/**
 * Zero and map every untouched block of @p vm's RAM in [ipa, ipa+size)
 * (within one region; a range outside lazy RAM is left alone): before the
 * kernel itself reads or writes it.
 */
void vm_ram_ready(struct vm *vm, uint64_t ipa, uint64_t size);

/**
 * A Stage-2 translation fault of @p vm at @p ipa: if @p ipa is in its lazy
 * RAM, or in a lazy grant of a client's (a service), the block is now
 * zeroed and mapped (true: run the access again); false for any other
 * address.
 */
bool vm_ram_touch(struct vm *vm, uint64_t ipa);

/**
 * Grant @p k of service @p vm onto lazy RAM of @p client, 2 MiB aligned
 * (IPA, client IPA, size): made lazy (true: nothing mapped yet, its blocks
 * mapped when first touched). False: the caller maps it now (its blocks
 * made ready).
 */
bool vm_ram_grant_lazy(struct vm *vm, size_t k, const struct vm *client);

/**
 * [ipa, ipa+size), inside grant @p k of service @p vm: every block it spans
 * made ready in the client and mapped in @p vm, before a device the
 * service drives writes there by PA (HYP_IPC_TRANSLATE). A block zeroed
 * after the device wrote it would lose what it wrote.
 */
void vm_ram_grant_ready(struct vm *vm, size_t k, uint64_t ipa, uint64_t size);

/** Reset: zero the RAM that was touched, except kept regions. */
void vm_ram_zero(struct vm *vm);

/**
 * The service of @p ep waits for work (HYP_IPC_RECV): it has written the
 * register shadow pages of its windows, which are mapped read-only over
 * its clients' windows now if not yet (vm.c, rules H1-H4).
 */
void vm_map_shadows(struct endpoint *ep);

/** The emulated window containing @p ipa, or NULL. */
struct mmio_window *vm_find_mmio_window(struct vm *vm, uint64_t ipa);

/** True if @p vm has a window served by @p ep (it may call/notify it). */
bool vm_uses_endpoint(const struct vm *vm, const struct endpoint *ep);

/** True if @p ep serves @p vm's GIC distributor window (the one marked
 * kernel_sgir): its service may make the HYP_VGIC_* calls for @p vm. */
bool vm_window_distributor(const struct vm *vm, const struct endpoint *ep);

/** True if @p ep serves a window of @p vm whose guest SPI (cfg_device.irq,
 * rule D9) is @p intid: its service may drive that SPI (HYP_IRQ_LEVEL). */
bool vm_window_irq(const struct vm *vm, const struct endpoint *ep,
		   uint64_t intid);

/** True if any guest (not service) partition is still running. */
bool vm_any_guest_running(void);

/**
 * Copy up to @p len bytes of the VM's RAM at @p ipa into @p buf (one RAM
 * region, contiguous in the pool: vm_ram_ptr(); never a device window or
 * grant). Returns bytes copied: less than @p len if the range leaves that
 * region.
 */
uint64_t vm_read_guest(struct vm *vm, ipaddr_t ipa, void *buf, uint64_t len);

/**
 * Log a guest-caused event at most once per VM and key (0..127: exception
 * classes, then other kinds), so a guest cannot flood the console.
 */
void vm_log_once(struct vm *vm, unsigned key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- The debug console (vm_console.c) ----------------------------------- */

/** Append guest console output; emits whole lines prefixed by the VM name. */
void vm_console_write(struct vm *vm, const char *s, uint64_t len);

/** End @p vm's console line, if it has one started (before a log line
 * about it, or a stop or restart). */
void vm_console_flush(struct vm *vm);

/** HYP_CALL_CONSOLE_*; false if @p fid is not one. */
bool vm_console_call(struct vcpu *vcpu, uint32_t fid);

/**
 * HYP_CALL_CONSOLE_LINE: the console service @p vm shares the line state
 * at @p ipa in its RAM with the kernel's log (abi/console.h). Returns
 * SMCCC_SUCCESS or a negative HYP_RET_* error.
 */
int64_t vm_console_share(struct vm *vm, uint64_t ipa);
