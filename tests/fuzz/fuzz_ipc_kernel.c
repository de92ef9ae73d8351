/**
 * libFuzzer harness of the kernel's IPC and call dispatch, linked with the
 * real kernel/core/ipc.c, kernel/core/hypercall.c, kernel/core/vm_window.c,
 * kernel/arch/aarch64/mmio.c, fastpath.c and the MMIO decoder; system
 * registers come from the fake arch/sysreg.h (tests/fake). What the
 * harness fakes are the units' neighbours: one physical CPU and a scheduler
 * that only records switches, the VM table (built here from the input),
 * Stage 2 (one RAM page per guest, one device page), exception injection
 * and the log. PSCI (psci.c) answers "not mine" (it has its own tests):
 * its function IDs come back NOT_SUPPORTED, except a service's
 * CPU_SUSPEND, CPU_OFF and SYSTEM_RESET, which hypercall.c itself turns
 * into a restart. The vGIC calls reach the real kernel/core/vgic.c and
 * vgic_lr.c, on a fake physical GIC (tests/fake/fake_gic.c: list
 * registers, banked active state).
 *
 * The input first describes a world: 1-3 services and 1-3 guests of 1-2
 * vCPUs, each guest with up to three windows on services of its choice
 * (sizes 4 KiB to 64 KiB; services never have windows, rule D7), a service
 * maybe close to its restart limit. Then a sequence of steps, each one
 * vCPU doing one thing or one event happening:
 *  - a guest vCPU traps on an MMIO access: a syndrome with ISV = 1 (every
 *    width, register, sign and SF bit, CM) or ISV = 0 with an instruction
 *    word read from its RAM (through a stage 1 on or off, a translation that
 *    may fail), inside or across its windows; the handling is trap.c's
 *    (vm_find_mmio_window, then fastpath_mmio);
 *  - a guest or service makes an HVC or SMC with a function ID from every
 *    call the kernel knows, or random, and random arguments; a service's
 *    REPLY_RECV answers its message with a status and values;
 *  - events: a service misses its reply deadline, faults, or calls PSCI
 *    CPU_SUSPEND, CPU_OFF or SYSTEM_RESET over HVC or SMC (restart, or a
 *    stop once it has used up SERVICE_RESTART_MAX restarts), a physical
 *    interrupt notifies a service, the CPU may or may not run a vCPU.
 *
 * Checked after every step, against what the harness itself recorded:
 *  - endpoints are well formed: each queue is a NULL-terminated FIFO with
 *    the right tail, holding only guest vCPUs in VCPU_BLOCKED_SEND with an
 *    access or call for that endpoint; the caller being served is in
 *    VCPU_BLOCKED_REPLY; a waiting receiver is the endpoint's own service
 *    in VCPU_BLOCKED_RECV, and then nothing is queued or being served and
 *    no notification is pending (no lost wake-up); a stopped service's
 *    endpoint is empty;
 *  - every vCPU is in exactly the state its IPC position says, services
 *    never send, guests never receive, and a service never wakes without
 *    a message;
 *  - every message a service gets is one it may see: an MMIO element
 *    inside one of its windows, of a width 1/2/4/8, naming the client VM
 *    and vCPU that made the access (with the value the guest stored), a
 *    call with the caller's own VM id and words, notification bits that
 *    were raised;
 *  - every access ends exactly one way: completed (load value extended as
 *    the Arm ARM says for the syndrome's SSE/SF bits, checked for the
 *    fast and the slow path alike; PC advanced by 4) or an external
 *    abort. A service restart keeps the accesses it had not received
 *    queued in order and puts the one it was serving first in line again,
 *    once: if the restarted service dies on it too, it aborts; calls of a
 *    restarted or stopped service get IPC_ERR_DEAD;
 *  - calls a VM may not make (IPC to an endpoint it has no window on,
 *    service-only calls from a guest) return their error and change
 *    nothing; answers to a service's questions (window count, info, client
 *    names, restart count, kept RAM) are the world's; a guest's x4-x30
 *    survive any call;
 *  - interrupt ownership: a service's HYP_VGIC_* call for a VM succeeds
 *    only if it serves that VM's distributor window (kernel_sgir), its
 *    HYP_IRQ_LEVEL only for the SPI of a window it serves (window byte
 *    bit 6: distributor, bit 7: SPI 33); a refused call returns
 *    IPC_ERR_DENIED, one with a vCPU, mask, INTID or SGI source out of
 *    range IPC_ERR_INVALID, and neither changes the VM's virtual GIC state;
 *    the harness runs under UBSan, so a shift by a service's number fails;
 *  - status registers the kernel keeps (HYP_IPC_WINDOW_ISR, every window
 *    has a shadow page here): a declaration succeeds exactly by its rules
 *    (aligned offsets in the page, the acknowledge in the window, a window
 *    with an SPI), an update answers (word & ~clear) | set, a guest's
 *    acknowledge (an aligned 32-bit store, ISV, no CM, as trap.c's
 *    isr_store) clears exactly the bits stored, and after each the
 *    window's line is up exactly while the word is not 0; a guest's call
 *    of either is refused;
 *  - doorbells (HYP_IPC_WINDOW_DOORBELL): a declaration succeeds exactly
 *    by its rules; a guest's aligned 32-bit store to the doorbell, while
 *    the service waits and another CPU idles (a fuzzed flag), completes in
 *    the trap and the service is told IPC_MSG_DOORBELL with that window's bit,
 *    never a bit of a window nobody rang; otherwise the store is an
 *    ordinary access;
 *  - the hardware-link rule (IHI 0048B 5.3.4): guests' virtual timers fire
 *    (physical PPI 27 on the fake GIC, injected as vtimer_fired does),
 *    guests acknowledge and complete LRs, vCPUs switch (the LRs and the
 *    PPI's active state move as in vcpu_arch.c) and reset; after every
 *    step the PPI is active exactly while the loaded vCPU holds a
 *    hardware-linked timer interrupt (in a hardware LR or queued), and no
 *    deactivation names an inactive interrupt.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/hypercall.h"
#include "abi/ipc.h"
#include "abi/vgic.h"
#include "arch/esr.h"
#include "hyp/arch_gic.h"
#include "hyp/bitmap.h"
#include "arch/inject.h"
#include "arch/mmio_decode.h"
#include "arch/sysreg.h"
#include "fake_gic.h"
#include "fuzz.h"
#include "hyp/cpu.h"
#include "hyp/fastpath.h"
#include "hyp/hypercall.h"
#include "hyp/ipc.h"
#include "hyp/log.h"
#include "hyp/mm.h"
#include "hyp/mmio.h"
#include "hyp/panic.h"
#include "hyp/s2.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/service_event.h"
#include "hyp/vcpu.h"
#include "hyp/vgic.h"
#include "hyp/vm.h"
#include "hyp/window_doorbell.h"
#include "hyp/window_isr.h"

/* --- The world --------------------------------------------------------- */

#define MAX_SERVICES 3
#define MAX_GUESTS 3
#define MAX_GUEST_VCPUS 2
#define MAX_WINDOWS 3
#define MAX_VMS (MAX_SERVICES + MAX_GUESTS)
#define MAX_VCPUS (MAX_SERVICES + MAX_GUESTS * MAX_GUEST_VCPUS)
/** Steps one input may take. */
#define MAX_STEPS 512
/** HYP_IPC_TIMER_SET from a service: cancel, or -1..61 ms ahead. */
#define TIMER_MS_SPAN 64

/** Guest windows: one every WIN_STRIDE from WIN_BASE. */
#define WIN_BASE 0x09000000ULL
#define WIN_STRIDE 0x00100000ULL
#define PAGE 4096ULL
/** Window sizes an input picks from (pages). */
static const uint64_t win_pages[] = { 1, 2, 4, 16 };

/** Guest RAM: one page of it is backed (code and data). */
#define RAM_IPA 0x40000000ULL
#define RAM_SIZE 0x00200000ULL
/** A device page the guest has: an instruction fetch there is refused. */
#define DEV_IPA 0x08000000ULL
/** Service RAM and the kept region SELF_INFO reports. */
#define SVC_RAM_IPA 0x20000000ULL
#define SVC_KEPT_IPA 0x20200000ULL
#define SVC_RAM_SIZE 0x00200000ULL

/** Fills guest RAM with bytes that vary (a console write prints them). */
#define RAM_PATTERN_MUL 37U
#define COUNTER_HZ 62500000ULL
/** First register a call must leave alone (SMCCC: x4..x17; ours: all). */
#define FIRST_KEPT_REG 4
/** A service register value no kernel write produces (not delivered). */
#define NO_MSG 0x5a5a5a5a5a5a5a5aULL

/** What the harness remembers of one guest access in flight. */
struct access {
	bool active;
	bool isv;
	uint64_t esr, ipa, far, pc;
	uint32_t insn;        /**< ISV = 0: the instruction word. */
	uint8_t size, rt;
	bool write, sse, sf;
	uint64_t regs[ARCH_GPR_COUNT]; /**< Before the trap. */
	uint64_t replied[2];  /**< Values the service answered, per element. */
	unsigned replies;
	bool failed_reply;    /**< A reply with a status other than IPC_OK. */
};

/** What the harness remembers of one guest call in flight. */
struct call {
	bool active;
	uint64_t words[IPC_MSG_WORDS];
	uint32_t service;
};

struct world {
	struct cfg_vm cfg[MAX_VMS];
	struct vm vm[MAX_VMS];
	uint32_t vm_count, services, guests;
	struct access access[MAX_VMS][MAX_GUEST_VCPUS];
	struct call call[MAX_VMS][MAX_GUEST_VCPUS];
	uint64_t notified[MAX_SERVICES];   /**< Bits raised, not yet seen. */
	uint64_t rung[MAX_SERVICES];       /**< Doorbells ever rung. */
	uint64_t timer_set[MAX_SERVICES];  /**< Last HYP_IPC_TIMER_SET. */
	uint8_t ram[MAX_VMS][PAGE];        /**< Each guest's backed page. */
	/** Each window's register shadow page (the kernel keeps a status
	 * register there: HYP_IPC_WINDOW_ISR, window_isr.c). */
	uint32_t shadow[MAX_VMS][MAX_WINDOWS][PAGE / sizeof(uint32_t)];
	uint8_t dev[PAGE];
	uint32_t aborts_injected[MAX_VMS][MAX_GUEST_VCPUS];
	bool runs_here;
	bool idle_elsewhere; /**< sched_cpu_idle_elsewhere()'s answer. */
	uint64_t exit_by;                  /**< Last sched_exit_by(). */
	struct cpu cpu;
};

static struct world w;

/* FUZZ_TRACE=1 fuzz_ipc_kernel FILE: what each step did, for debugging. */
static bool tracing;
#define TRACE(...)                                                             \
	do {                                                                   \
		if (tracing) {                                                 \
			fprintf(stderr, __VA_ARGS__);                          \
		}                                                              \
	} while (0)

/* --- Fakes: log, panic (system registers: tests/fake/fake_arch.c) -------- */


void log_line(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "kernel panic: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* --- Fakes: VM table ------------------------------------------------------ */

uint32_t vm_count(void)
{
	return w.vm_count;
}

struct vm *vm_get(uint32_t i)
{
	CHECK(i < w.vm_count);
	return &w.vm[i];
}

const char *vcpu_vm_name(const struct vcpu *vcpu)
{
	return vcpu->vm->cfg->name;
}

void vm_log_once(struct vm *vm, unsigned key, const char *fmt, ...)
{
	(void)vm;
	(void)key;
	(void)fmt;
}

/* The console (kernel vm_console.c, linked): the log it writes to. */
void log_line_begin(void)
{
}

void log_line_end(void)
{
}

void log_raw(const char *s, unsigned long len)
{
	(void)s;
	FUZZ_CHECK(len <= HYP_CONSOLE_WRITE_MAX, "console write of %lu bytes",
		   len);
}

void log_share_line(const void *owner, struct hyp_console_line *line)
{
	(void)owner;
	(void)line;
}

/* The log UART is at 0 here, where no service has a device: sharing the
 * console line is refused before RAM is looked at. */
static const struct cfg_platform platform = { .name = "fuzz" };
const struct cfg_scenario scenario = { .platform = &platform };

uint8_t *vm_ram_ptr(struct vm *vm, uint64_t ipa, uint64_t *avail)
{
	(void)vm;
	(void)ipa;
	*avail = 0;
	return NULL;
}

/* Nothing waits to be zeroed here; the range must lie in grant @p k
 * (vm_ram.c relies on translate() for that). */
void vm_ram_grant_ready(struct vm *vm, size_t k, uint64_t ipa, uint64_t size)
{
	if (k >= vm->cfg->grant_count) {
		__builtin_trap();
	}
	const struct cfg_grant *g = &vm->cfg->grants[k];

	if (ipa < g->ipa || ipa - g->ipa >= g->size ||
	    size > g->size - (ipa - g->ipa)) {
		__builtin_trap();
	}
}

static uint8_t *ram_of(const struct vm *vm)
{
	return w.ram[vm->id];
}

/* Stage 2 of a guest: RAM_IPA's first page is RAM, DEV_IPA a device. */
bool s2_translate(const struct s2_space *s2, ipaddr_t ipa, paddr_t *pa,
		  unsigned *attr)
{
	const struct vm *vm = (const struct vm *)((const char *)s2 -
						  offsetof(struct vm, s2));
	uint64_t a = ipa_addr(ipa);

	if (a >= RAM_IPA && a < RAM_IPA + PAGE) {
		*pa = pa_init((uint64_t)(uintptr_t)&ram_of(vm)[a - RAM_IPA]);
		*attr = S2_RWX;
		return true;
	}
	if (a >= DEV_IPA && a < DEV_IPA + PAGE) {
		*pa = pa_init((uint64_t)(uintptr_t)&w.dev[a - DEV_IPA]);
		*attr = S2_RW | S2_DEVICE;
		return true;
	}
	return false;
}

void *mm_va(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

volatile void *mm_va_nc(paddr_t pa)
{
	return mm_va(pa);
}

uint64_t vm_read_guest(struct vm *vm, ipaddr_t ipa, void *buf, uint64_t len)
{
	uint64_t a = ipa_addr(ipa), done = 0;

	while (done < len && a + done >= RAM_IPA && a + done < RAM_IPA + PAGE) {
		((uint8_t *)buf)[done] = ram_of(vm)[a + done - RAM_IPA];
		done++;
	}
	return done;
}

void inject_data_abort(struct vcpu *vcpu, uint64_t va, bool write)
{
	(void)va;
	(void)write;
	FUZZ_CHECK(!vcpu->is_service, "abort injected into a service");
	w.aborts_injected[vcpu->vm->id][vcpu->index]++;
}

/* The real vm_stop() halts the VM's vCPUs, then fails its senders. */
static void stop_service(struct vm *vm)
{
	vm->state = VM_STOPPED;
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		ipc_cancel(&vm->vcpus[i]);
		vm->vcpus[i].state = VCPU_OFF;
	}
	service_endpoint_close(&vm->ep, false);
}

static void start_service_vcpu(struct vcpu *v)
{
	memset(&v->regs, 0, sizeof(v->regs));
	v->ipc = (struct vcpu_ipc){
		.kind = IPC_KIND_NONE,
	};
	v->pending = 0;
	v->state = VCPU_RUNNABLE;
}

/* The real vm_reload() (kernel/core/vm.c) as far as IPC goes: the
 * restarted service's vCPU at its entry (service.c's restart is real). */
void vm_map_shadows(struct endpoint *ep)
{
	(void)ep;
}

void vm_reset_resume(struct vm *vm)
{
	vm->reset_held = false;
}

void vm_reload(struct vm *vm)
{
	vm->state = VM_RUNNING;
	start_service_vcpu(&vm->vcpus[0]);
}

/* Only a service given up is stopped here (service_restart). */
void vm_stop(struct vm *vm, enum vm_stop_reason why)
{
	(void)why;
	FUZZ_CHECK(vm->cfg->kind == CFG_VM_SERVICE, "guest stopped");
	stop_service(vm);
}

/* The harness's services own no physical interrupt. */
void irq_unmask_owned(const struct vm *vm)
{
	(void)vm;
}

/* --- Fakes: the neighbours of vgic.c (one CPU: never a remote vCPU) --- */

/** List registers of the fake GIC (QEMU's GICv2 has 4). */
#define FAKE_LRS 4

/* service_event.c's watching CPU (w.cpu is CPU 0 here: never kicked). */
struct cpu cpu_table[CPU_MAX];

void cpu_kick(const struct cpu *cpu)
{
	(void)cpu;
	FUZZ_CHECK(0, "kick with one CPU");
}

void cpu_kick_entry(const struct cpu *cpu)
{
	(void)cpu;
	FUZZ_CHECK(0, "kick with one CPU");
}

/* Guests' virtual timer lines, as a guest step sets them. */
static bool vtimer_line[MAX_VMS][MAX_GUEST_VCPUS];

bool arch_vtimer_asserted(const struct vcpu *vcpu, bool live)
{
	(void)live;
	return vtimer_line[vcpu->vm->id][vcpu->index];
}

/* The physical timer's line (kernel vptimer.c): its model's state. */
bool vptimer_line(const struct vcpu *v)
{
	return v->ptimer.asserted;
}

/* The harness's services own no physical interrupt. */
bool irq_ack_owned(const struct vm *vm, uint32_t intid)
{
	(void)vm;
	(void)intid;
	return false;
}

/* arch_vcpu_save()/arch_vcpu_load() as far as the GIC goes: the LRs and
 * the active state of a HW-linked timer interrupt move with the vCPU. */
static void switch_loaded(struct vcpu *next)
{
	struct vcpu *old = w.cpu.loaded;

	if (old == next) {
		return;
	}
	if (old != NULL) {
		arch_vgic_lrs_read(&old->vgic);
		old->vtimer_phys_active = vgic_cpu_holds_hw(&old->vgic,
							     GIC_INTID_VTIMER);
		if (old->vtimer_phys_active) {
			gic_deactivate(GIC_INTID_VTIMER);
		}
	}
	w.cpu.loaded = next;
	if (next->vtimer_phys_active) {
		gic_set_active(GIC_INTID_VTIMER);
		next->vtimer_phys_active = false;
	}
	arch_vgic_lrs_write(&next->vgic, next->vgic.queue_len > 0);
}

bool psci_handle(struct vcpu *vcpu, uint32_t fid, struct vcpu **next)
{
	(void)vcpu;
	(void)fid;
	(void)next;
	return false;
}

/* --- Fakes: the scheduler of one CPU -------------------------------------- */

struct vcpu *sched_next(struct vcpu *current)
{
	return current;
}

struct vcpu *sched_switch_direct(struct vcpu *next)
{
	FUZZ_CHECK(next->state == VCPU_RUNNABLE && next->vm->state == VM_RUNNING,
		   "direct switch to a vCPU that cannot run (state %d)",
		   next->state);
	if (next->is_service) {
		w.cpu.light = next;
	} else {
		w.cpu.light = NULL;
		switch_loaded(next);
	}
	return next;
}

struct vcpu *sched_light_enter_fp(struct vcpu *service)
{
	FUZZ_CHECK(w.cpu.light == NULL && service->is_service,
		   "light enter with a service already on top");
	FUZZ_CHECK(service->state == VCPU_RUNNABLE, "entering a blocked service");
	w.cpu.light = service;
	return service;
}

struct vcpu *sched_light_leave_fp(struct vcpu *guest)
{
	FUZZ_CHECK(w.cpu.loaded == guest && !guest->is_service,
		   "light leave to a guest that is not loaded");
	FUZZ_CHECK(guest->state == VCPU_RUNNABLE, "leaving to a blocked guest");
	w.cpu.light = NULL;
	return guest;
}

void sched_wake(struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
}

void sched_exit_by(uint64_t when)
{
	w.exit_by = when;
}

bool sched_runs_here(const struct vcpu *v)
{
	(void)v;
	return w.runs_here;
}

bool sched_cpu_idle_elsewhere(void)
{
	return w.idle_elsewhere;
}

/* --- Building the world --------------------------------------------------- */

static const char *const names[MAX_VMS] = {
	"svc-a", "svc-b", "svc-c", "guest-x", "guest-y", "guest-z",
};

static void init_vcpu(struct vm *vm, uint32_t i)
{
	struct vcpu *v = &vm->vcpus[i];

	*v = (struct vcpu){
		.vm = vm,
		.index = i,
		.is_service = vm->cfg->kind == CFG_VM_SERVICE,
		.state = VCPU_RUNNABLE,
		.ipc = { .kind = IPC_KIND_NONE },
		.regs.spsr = SPSR_M_EL1H,
		.home = vm->cfg->kind == CFG_VM_SERVICE ? NULL : &w.cpu,
	};
	vgic_cpu_init(&v->vgic, FAKE_LRS);
}

static void init_vm(uint32_t id, enum cfg_vm_kind kind, uint32_t vcpus,
		    struct fuzz_in *in)
{
	struct cfg_vm *cfg = &w.cfg[id];
	struct vm *vm = &w.vm[id];
	bool service = kind == CFG_VM_SERVICE;

	*cfg = (struct cfg_vm){
		.name = names[service ? id : MAX_SERVICES + id - w.services],
		.kind = kind,
		.vcpu_count = vcpus,
		.ram = { { .ipa = service ? SVC_RAM_IPA : RAM_IPA,
			   .size = service ? SVC_RAM_SIZE : RAM_SIZE } },
		.ram_count = 1,
	};
	if (service && fuzz_bool(in)) {
		cfg->ram[1] = (struct cfg_ram){ .ipa = SVC_KEPT_IPA,
						.size = SVC_RAM_SIZE, .keep = true };
		cfg->ram_count = 2;
	}
	vm->id = (uint16_t)id;
	vm->cfg = cfg;
	vgic_dist_init(&vm->vgic);
	vm->vcpu_count = vcpus;
	vm->state = VM_RUNNING;
	for (uint32_t i = 0; i < vcpus; i++) {
		init_vcpu(vm, i);
	}
	if (service) {
		/* Close to the limit, so that the stop is reached too. */
		vm->reset_count = fuzz_bool(in) ? SERVICE_RESTART_MAX - 2 : 0;
	}
}

/** Window byte: bit 6 the VM's distributor, bit 7 a device with SPI 33. */
#define WIN_DISTRIBUTOR 0x40U
#define WIN_IRQ 0x80U
#define WIN_SPI 33U
/** Where a service sees a window's shadow page (any non-zero IPA). */
#define SHADOW_IPA 0x20400000ULL

static void add_window(struct vm *guest, struct vm *svc, uint64_t pages,
		       uint8_t b)
{
	struct endpoint *ep = &svc->ep;
	struct mmio_window *win = &guest->mmio[guest->mmio_count];

	*win = (struct mmio_window){
		.name = "win",
		.base = ipa_init(WIN_BASE + guest->mmio_count * WIN_STRIDE),
		.size = pages * PAGE,
		.client = guest,
		.ep = ep,
		.id = ep->window_count,
		.kernel_sgir = (b & WIN_DISTRIBUTOR) != 0,
		.irq = (b & WIN_IRQ) != 0 ? WIN_SPI : 0,
		.shadow_ipa = SHADOW_IPA,
		.shadow_pa = pa_init((uint64_t)(uintptr_t)
					     w.shadow[guest->id][guest->mmio_count]),
	};
	ep->windows[ep->window_count++] = win;
	guest->mmio_count++;
}

static void build_world(struct fuzz_in *in)
{
	memset(&w, 0, sizeof(w));
	fake_sysreg_cntfrq_el0 = COUNTER_HZ;
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&w.cpu;
	w.cpu.lr_count = FAKE_LRS;
	fake_gic_reset();
	memset(vtimer_line, 0, sizeof(vtimer_line));
	w.runs_here = true;
	w.services = 1 + fuzz_u8(in) % MAX_SERVICES;
	w.guests = 1 + fuzz_u8(in) % MAX_GUESTS;
	w.vm_count = w.services + w.guests;
	for (uint32_t i = 0; i < w.vm_count; i++) {
		ipc_endpoint_init(&w.vm[i].ep, &w.vm[i]);
	}
	for (uint32_t s = 0; s < w.services; s++) {
		init_vm(s, CFG_VM_SERVICE, 1, in);
	}
	for (uint32_t g = w.services; g < w.vm_count; g++) {
		init_vm(g, CFG_VM_GUEST, 1 + fuzz_u8(in) % MAX_GUEST_VCPUS, in);
		uint32_t windows = fuzz_u8(in) % (MAX_WINDOWS + 1);

		for (uint32_t k = 0; k < windows; k++) {
			uint8_t b = fuzz_u8(in);

			add_window(&w.vm[g], &w.vm[b % w.services],
				   win_pages[((b >> 4) & 3) % (sizeof(win_pages) /
							       sizeof(win_pages[0]))],
				   b);
		}
	}
	/* RAM contents (console writes read them): a pattern, not input. */
	for (uint32_t g = w.services; g < w.vm_count; g++) {
		for (size_t i = 0; i < PAGE; i++) {
			w.ram[g][i] = (uint8_t)(i * RAM_PATTERN_MUL + g);
		}
	}
}

/* --- The oracle of one access ------------------------------------------- */

static uint64_t width_mask(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
}

/*
 * Value a load of @p size bytes leaves in its destination (Arm ARM C6.2,
 * LDR/LDRS*): the element, sign- or zero-extended to 64 bits (SF) or to 32
 * bits with the upper word zero.
 */
static uint64_t loaded_value(uint64_t raw, unsigned size, bool sse, bool sf)
{
	uint64_t v = raw & width_mask(size);

	if (sse && size < 8 && (v >> (8 * size - 1)) & 1) {
		v |= ~width_mask(size);
	}
	return sf ? v : v & UINT32_MAX;
}

static struct access *access_of(const struct vcpu *v)
{
	return &w.access[v->vm->id][v->index];
}

static struct call *call_of(const struct vcpu *v)
{
	return &w.call[v->vm->id][v->index];
}

/* Registers x4..x30 equal @p before (calls and completed accesses). */
static void check_regs_kept(const struct vcpu *v, const uint64_t *before,
			    unsigned except_reg, const char *what)
{
	for (unsigned r = FIRST_KEPT_REG; r < ARCH_GPR_COUNT; r++) {
		FUZZ_CHECK(r == except_reg || v->regs.x[r] == before[r],
			   "%s changed x%u of '%s' vcpu %u", what, r,
			   v->vm->cfg->name, v->index);
	}
}

/* The access of @p v ended (it is runnable and not in IPC): how? */
static void access_ended(struct vcpu *v)
{
	struct access *a = access_of(v);

	if (v->pending & VCPU_PENDING_ABORT) {
		FUZZ_CHECK(v->regs.pc == a->pc, "aborted access moved the PC");
		a->active = false;
		return;
	}
	FUZZ_CHECK(v->regs.pc == a->pc + INSN_BYTES_32, "PC 0x%llx after access at 0x%llx",
		   (unsigned long long)v->regs.pc, (unsigned long long)a->pc);
	FUZZ_CHECK(!a->failed_reply, "access completed after a failed reply");
	if (a->isv) {
		FUZZ_CHECK(a->replies == 1, "single access answered %u times",
			   a->replies);
		if (!a->write && a->rt != ZERO_REG) {
			uint64_t want = loaded_value(a->replied[0], a->size,
						     a->sse, a->sf);

			FUZZ_CHECK(v->regs.x[a->rt] == want,
				   "x%u = 0x%llx after a %u-byte load of 0x%llx "
				   "(SSE %d SF %d), want 0x%llx", a->rt,
				   (unsigned long long)v->regs.x[a->rt], a->size,
				   (unsigned long long)a->replied[0], a->sse, a->sf,
				   (unsigned long long)want);
		}
		check_regs_kept(v, a->regs, a->write ? ARCH_GPR_COUNT : a->rt,
				"an MMIO access");
	}
	a->active = false;
}

/* --- Invariants ------------------------------------------------------------ */

static bool in_queue(const struct endpoint *ep, const struct vcpu *v)
{
	for (const struct vcpu *s = ep->queue_head; s != NULL; s = s->ipc.queue_next) {
		if (s == v) {
			return true;
		}
	}
	return false;
}

static void check_endpoint(const struct vm *svc)
{
	const struct endpoint *ep = &svc->ep;
	unsigned n = 0;

	for (const struct vcpu *s = ep->queue_head; s != NULL; s = s->ipc.queue_next) {
		FUZZ_CHECK(++n <= MAX_VCPUS, "queue of '%s' loops", svc->cfg->name);
		FUZZ_CHECK(!s->is_service, "a service queued as a sender");
		FUZZ_CHECK(s->state == VCPU_BLOCKED_SEND && s->ipc.ep == ep &&
				   s->ipc.kind != IPC_KIND_NONE,
			   "queued vCPU in state %d kind %d", s->state, s->ipc.kind);
		FUZZ_CHECK(vm_uses_endpoint(s->vm, ep), "queued without a window");
	}
	if (ep->caller != NULL) {
		const struct vcpu *c = ep->caller;

		FUZZ_CHECK(c->state == VCPU_BLOCKED_REPLY && c->ipc.ep == ep &&
				   c->ipc.kind != IPC_KIND_NONE && !in_queue(ep, c),
			   "caller in state %d kind %d", c->state, c->ipc.kind);
	}
	if (ep->receiver != NULL) {
		FUZZ_CHECK(ep->receiver == &svc->vcpus[0] &&
				   ep->receiver->state == VCPU_BLOCKED_RECV,
			   "receiver is not the waiting service");
		FUZZ_CHECK(ep->caller == NULL && ep->queue_head == NULL &&
				   ep->notify_bits == 0 && ep->events == 0,
			   "service waits while a message waits for it (lost wake-up)");
	}
	if (svc->state != VM_RUNNING) {
		FUZZ_CHECK(ep->caller == NULL && ep->queue_head == NULL &&
				   ep->receiver == NULL,
			   "stopped service still has senders");
	}
}

static void check_vcpu(const struct vcpu *v)
{
	const struct endpoint *ep = v->ipc.ep;

	switch (v->state) {
	case VCPU_BLOCKED_SEND:
		FUZZ_CHECK(!v->is_service, "a service is sending");
		FUZZ_CHECK(ep != NULL && in_queue(ep, v), "sender not queued");
		break;
	case VCPU_BLOCKED_REPLY:
		FUZZ_CHECK(!v->is_service, "a service waits for a reply");
		FUZZ_CHECK(ep != NULL && ep->caller == v, "waits for a reply "
			   "nobody serves");
		break;
	case VCPU_BLOCKED_RECV:
		FUZZ_CHECK(v->is_service && v->vm->ep.receiver == v,
			   "receiving vCPU is not the endpoint's receiver");
		break;
	case VCPU_RUNNABLE:
		FUZZ_CHECK(v->ipc.kind == IPC_KIND_NONE && v->ipc.ep == NULL,
			   "runnable vCPU still in IPC (kind %d)", v->ipc.kind);
		break;
	case VCPU_OFF:
		FUZZ_CHECK(v->vm->state != VM_RUNNING || v->index != 0,
			   "vCPU 0 of a running VM is off");
		break;
	default:
		FUZZ_CHECK(false, "unexpected state %d", v->state);
	}
	if (v->state != VCPU_BLOCKED_SEND) {
		for (uint32_t s = 0; s < w.services; s++) {
			FUZZ_CHECK(!in_queue(&w.vm[s].ep, v), "queued but not sending");
		}
	}
}

/* A guest vCPU that stopped waiting: its access or call is over. */
static void check_guest_progress(struct vcpu *v)
{
	if (v->state != VCPU_RUNNABLE) {
		return;
	}
	struct access *a = access_of(v);
	struct call *c = call_of(v);

	if (a->active) {
		access_ended(v);
	}
	c->active = false;
}

static void check_world(void)
{
	for (uint32_t i = 0; i < w.vm_count; i++) {
		struct vm *vm = &w.vm[i];

		if (vm->cfg->kind == CFG_VM_SERVICE) {
			check_endpoint(vm);
		}
		for (uint32_t k = 0; k < vm->vcpu_count; k++) {
			check_vcpu(&vm->vcpus[k]);
			if (vm->cfg->kind == CFG_VM_GUEST) {
				check_guest_progress(&vm->vcpus[k]);
			}
		}
	}
}

/* --- Messages a service receives ----------------------------------------- */

static void check_mmio_message(const struct vm *svc, const uint64_t *x)
{
	const struct endpoint *ep = &svc->ep;
	const struct vcpu *c = ep->caller;
	uint64_t info = x[3];
	unsigned size = (unsigned)(info & IPC_MMIO_WIDTH_MASK);

	FUZZ_CHECK(c != NULL && c->ipc.kind == IPC_KIND_MMIO,
		   "MMIO message without an access being served");
	FUZZ_CHECK(x[1] < ep->window_count, "window %llu of %u",
		   (unsigned long long)x[1], ep->window_count);
	const struct mmio_window *win = ep->windows[x[1]];

	FUZZ_CHECK(!(ep->events & SERVICE_EVENT_RESET(win->client->id)),
		   "an access of a reset guest before its reset was told");

	FUZZ_CHECK(win->client == c->vm, "message names another VM's window");
	FUZZ_CHECK(size == 1 || size == 2 || size == 4 || size == 8,
		   "width %u", size);
	FUZZ_CHECK(x[2] < win->size && win->size - x[2] >= size,
		   "offset 0x%llx width %u outside a 0x%llx window",
		   (unsigned long long)x[2], size, (unsigned long long)win->size);
	FUZZ_CHECK(((info >> IPC_MMIO_CLIENT_SHIFT) & IPC_MMIO_CLIENT_MASK) == c->vm->id &&
			   ((info >> IPC_MMIO_VCPU_SHIFT) & IPC_MMIO_VCPU_MASK) == c->index,
		   "client/vCPU field 0x%llx for vm %u vcpu %u",
		   (unsigned long long)info, c->vm->id, c->index);
	FUZZ_CHECK(x[5] == 0, "x5 = 0x%llx", (unsigned long long)x[5]);
	FUZZ_CHECK((info & IPC_MMIO_WRITE) != 0 || x[4] == 0,
		   "read message with value 0x%llx", (unsigned long long)x[4]);
	const struct access *a = access_of(c);

	FUZZ_CHECK(a->active, "message for an access the guest did not make");
	FUZZ_CHECK(((info & IPC_MMIO_WRITE) != 0) == a->write || !a->isv,
		   "write flag differs from the syndrome");
	if (a->isv) {
		FUZZ_CHECK(size == a->size, "width %u, syndrome says %u", size, a->size);
		FUZZ_CHECK(ipa_addr(win->base) + x[2] == a->ipa,
			   "offset 0x%llx for IPA 0x%llx", (unsigned long long)x[2],
			   (unsigned long long)a->ipa);
		uint64_t want = a->write && a->rt != ZERO_REG
					? a->regs[a->rt] & width_mask(a->size) : 0;

		FUZZ_CHECK(x[4] == want, "value 0x%llx, guest stored 0x%llx",
			   (unsigned long long)x[4], (unsigned long long)want);
	}
}

static void check_call_message(const struct vm *svc, const uint64_t *x)
{
	const struct vcpu *c = svc->ep.caller;

	FUZZ_CHECK(c != NULL && c->ipc.kind == IPC_KIND_CALL,
		   "call message without a call being served");
	const struct call *k = call_of(c);

	FUZZ_CHECK(k->active && k->service == svc->id, "call the guest did not make");
	FUZZ_CHECK(x[1] == c->vm->id, "badge %llu for vm %u",
		   (unsigned long long)x[1], c->vm->id);
	for (int i = 2; i < IPC_MSG_WORDS; i++) {
		FUZZ_CHECK(x[i] == k->words[i], "call word %d changed", i);
	}
}

/* Service @p svc holds a new message in x0..x5: is it one it may see? */
static void check_delivery(struct vm *svc)
{
	uint64_t *x = svc->vcpus[0].regs.x;

	switch (x[0]) {
	case IPC_MSG_MMIO:
		check_mmio_message(svc, x);
		break;
	case IPC_MSG_CALL:
		check_call_message(svc, x);
		break;
	case IPC_MSG_NOTIFY:
		FUZZ_CHECK(x[1] != 0 && (x[1] & ~w.notified[svc->id]) == 0,
			   "notification 0x%llx, raised 0x%llx",
			   (unsigned long long)x[1],
			   (unsigned long long)w.notified[svc->id]);
		w.notified[svc->id] &= ~x[1];
		break;
	case IPC_MSG_TIMER:
		/* One shot, the last deadline set, not before it. */
		FUZZ_CHECK(x[1] != 0 && x[1] == w.timer_set[svc->id] && x[2] >= x[1],
			   "timer message for %llu at %llu, set %llu",
			   (unsigned long long)x[1], (unsigned long long)x[2],
			   (unsigned long long)w.timer_set[svc->id]);
		w.timer_set[svc->id] = 0;
		break;
	case IPC_MSG_DOORBELL:
		FUZZ_CHECK(x[1] != 0 && (x[1] & ~w.rung[svc->id]) == 0,
			   "doorbells 0x%llx, rung 0x%llx",
			   (unsigned long long)x[1],
			   (unsigned long long)w.rung[svc->id]);
		/* Not cleared: one told to a service that died on it is told
		 * to the next instance again. */
		break;
	case IPC_MSG_RESET:
		FUZZ_CHECK(x[1] < w.vm_count &&
				   vm_uses_endpoint(&w.vm[x[1]], &svc->ep),
			   "reset of VM %llu told to '%s'", (unsigned long long)x[1],
			   svc->cfg->name);
		break;
	default:
		FUZZ_CHECK(false, "service '%s' woke with x0 = 0x%llx",
			   svc->cfg->name, (unsigned long long)x[0]);
	}
}

/*
 * A waiting service's registers are the kernel's to write: mark them, and
 * return which services wait.
 */
static unsigned mark_waiting_services(void)
{
	unsigned waiting = 0;

	for (uint32_t s = 0; s < w.services; s++) {
		struct vcpu *sv = &w.vm[s].vcpus[0];

		if (sv->state == VCPU_BLOCKED_RECV) {
			for (int i = 0; i < IPC_MSG_WORDS; i++) {
				sv->regs.x[i] = NO_MSG;
			}
			waiting |= 1U << s;
		}
	}
	return waiting;
}

/* Services that waited before the step and run now got a message. */
static void check_woken(unsigned waiting)
{
	for (uint32_t s = 0; s < w.services; s++) {
		struct vm *svc = &w.vm[s];
		struct vcpu *sv = &svc->vcpus[0];

		if (!(waiting & (1U << s)) || sv->state != VCPU_RUNNABLE ||
		    svc->state != VM_RUNNING) {
			continue;
		}
		FUZZ_CHECK(sv->regs.x[0] != NO_MSG,
			   "service '%s' woke without a message", svc->cfg->name);
		check_delivery(svc);
	}
}

/* --- Guest steps ------------------------------------------------------------- */

/* A syndrome for a data abort with ISV = 1 (D13.2.39, ISS encoding). */
static uint64_t make_esr(struct fuzz_in *in, struct access *a)
{
	uint8_t b = fuzz_u8(in), c = fuzz_u8(in);

	a->size = (uint8_t)(1U << (b & ESR_DABT_SAS_MASK));
	a->rt = (uint8_t)((b >> 2) & ESR_DABT_SRT_MASK);
	a->write = (c & 1) != 0;
	a->sse = !a->write && (c & 2) != 0;
	a->sf = (c & 4) != 0 || a->size == 8;
	uint64_t esr = ESR_DABT_ISV |
		       ((uint64_t)(b & ESR_DABT_SAS_MASK) << ESR_DABT_SAS_SHIFT) |
		       ((uint64_t)a->rt << ESR_DABT_SRT_SHIFT);

	esr |= a->write ? ESR_DABT_WNR : 0;
	esr |= a->sse ? ESR_DABT_SSE : 0;
	esr |= a->sf ? ESR_DABT_SF : 0;
	/* Now and then a cache maintenance syndrome, which is refused. */
	esr |= (c & 0xf0) == 0xf0 ? ESR_DABT_CM : 0;
	return esr;
}

/* PSTATE.M of a guest at the access: EL1 with SP_EL1 or SP_EL0, or EL0. */
static const uint64_t guest_modes[] = { SPSR_M_EL1H, SPSR_M_EL1T, SPSR_M_EL0T };
#define GUEST_MODES (sizeof(guest_modes) / sizeof(guest_modes[0]))

static void new_access(struct vcpu *v, struct fuzz_in *in, struct access *a)
{
	const struct vm *vm = v->vm;
	uint8_t sel = fuzz_u8(in);
	const struct mmio_window *win = &vm->mmio[sel % vm->mmio_count];

	*a = (struct access){ .isv = (sel & 0x80) == 0 };
	/* Mostly inside the window, sometimes across its end. */
	uint64_t off = fuzz_u32(in) % (win->size + PAGE);

	a->ipa = ipa_addr(win->base) + off;
	a->pc = RAM_IPA + (fuzz_u8(in) & ~(INSN_BYTES_32 - 1U));
	a->far = fuzz_bool(in) ? a->ipa : (fuzz_u64(in) & ~(PAGE - 1)) | (a->ipa & (PAGE - 1));
	if (a->isv) {
		a->esr = make_esr(in, a);
	} else {
		/* ISV = 0: the kernel reads the instruction at the PC. */
		a->insn = fuzz_u32(in);
		a->write = (fuzz_u8(in) & 1) != 0;
		a->esr = a->write ? ESR_DABT_WNR : 0;
		memcpy(&ram_of(vm)[a->pc - RAM_IPA], &a->insn, sizeof(a->insn));
		fake_sysreg_sctlr_el1 = sel & 0x40 ? 1 : 0;
		/* Stage 1 on: the translation of the PC, or a fault. */
		fake_sysreg_par_el1 = sel & 0x20 ? 1 : (sel & 0x10 ? DEV_IPA : RAM_IPA);
	}
	for (unsigned r = 0; r < ARCH_GPR_COUNT; r++) {
		v->regs.x[r] = fuzz_bool(in) ? fuzz_u64(in) : a->ipa - (r & 7);
	}
	fake_sysreg_sp_el1 = fuzz_u64(in);
	fake_sysreg_sp_el0 = fuzz_u64(in);
	v->regs.spsr = guest_modes[fuzz_u8(in) % GUEST_MODES];
	v->regs.pc = a->pc;
	memcpy(a->regs, v->regs.x, sizeof(a->regs));
	a->active = true;
}

/* Field by field: a compound literal leaves the padding unspecified. */
static bool insn_equal(const struct mmio_insn *a, const struct mmio_insn *b)
{
	return a->size == b->size && a->count == b->count &&
	       a->write == b->write && a->sign_extend == b->sign_extend &&
	       a->dest64 == b->dest64 && a->rt[0] == b->rt[0] &&
	       a->rt[1] == b->rt[1] && a->rn == b->rn && a->mode == b->mode &&
	       a->imm == b->imm && a->reg_offset == b->reg_offset &&
	       a->rm == b->rm && a->extend == b->extend && a->shift == b->shift;
}

/*
 * Decode once: the access record of a syndrome access is the decoder's,
 * whichever path (fastpath_mmio or mmio_forward) built it, with nothing
 * left over from the vCPU's previous access.
 */
static void check_isv_record(const struct vcpu *v, const struct access *a)
{
	struct esr_dabt d = esr_decode_dabt(a->esr);
	struct mmio_insn want;

	if (!a->isv || v->ipc.kind != IPC_KIND_MMIO ||
	    mmio_decode_syndrome(&d, &want) != MMIO_DECODE_OK) {
		return;
	}
	FUZZ_CHECK(insn_equal(&v->ipc.mmio.insn, &want),
		   "%s/%u: access record of esr 0x%llx is not the decoder's",
		   v->vm->cfg->name, v->index, (unsigned long long)a->esr);
}

/* The word of @p win's kept status register. */
static uint32_t isr_word(const struct mmio_window *win)
{
	return w.shadow[win->client->id][win - win->client->mmio]
		       [win->isr_status / sizeof(uint32_t)];
}

/* The line follows the word after every change the kernel makes. */
static void check_isr_line(const struct mmio_window *win, const char *what)
{
	FUZZ_CHECK(bitmap_test(win->client->vgic.spi_level, win->irq) ==
			   (isr_word(win) != 0),
		   "%s: line %d, word 0x%x", what,
		   bitmap_test(win->client->vgic.spi_level, win->irq),
		   isr_word(win));
}

/*
 * An aligned 32-bit store (ISV, no cache maintenance) to the acknowledge
 * register of a status register the kernel keeps: completed as trap.c's
 * isr_store() does, the bits stored cleared and nothing sent.
 */
static bool isr_ack_step(struct vcpu *v, struct access *a,
			 const struct mmio_window *win)
{
	if (!win->isr_kept || !a->isv || !a->write || (a->esr & ESR_DABT_CM)) {
		return false;
	}
	uint64_t value = a->rt == ZERO_REG ? 0 : v->regs.x[a->rt];
	uint32_t before = isr_word(win);

	if (!window_isr_ack(win, a->ipa - ipa_addr(win->base), a->size, value)) {
		return false;
	}
	FUZZ_CHECK(a->ipa - ipa_addr(win->base) == win->isr_ack && a->size == 4,
		   "acknowledge at 0x%llx width %u taken",
		   (unsigned long long)(a->ipa - ipa_addr(win->base)), a->size);
	FUZZ_CHECK(isr_word(win) == (before & ~(uint32_t)value),
		   "acknowledge left 0x%x", isr_word(win));
	check_isr_line(win, "acknowledge");
	a->active = false;
	return true;
}

/* A store trap.c's isr_store() completes as a doorbell. */
static bool doorbell_step(struct vcpu *v, struct access *a,
			  const struct mmio_window *win)
{
	uint64_t off = a->ipa - ipa_addr(win->base);
	const struct vm *svc = win->ep->service;

	bool waiting = win->ep->receiver != NULL;

	(void)v;
	if (!a->isv || !a->write || (a->esr & ESR_DABT_CM) ||
	    !window_doorbell_ring(win, off, a->size)) {
		return false;
	}
	FUZZ_CHECK(win->has_doorbell && w.idle_elsewhere && waiting &&
			   off == win->doorbell && a->size == 4,
		   "doorbell at 0x%llx width %u rang (declared 0x%x)",
		   (unsigned long long)off, a->size, win->doorbell);
	w.rung[svc->id] |= 1ULL << win->id;
	a->active = false;
	return true;
}

static void guest_mmio(struct vcpu *v, struct fuzz_in *in)
{
	struct access *a = access_of(v);
	unsigned injected = w.aborts_injected[v->vm->id][v->index];

	if (v->vm->mmio_count == 0) {
		return;
	}
	new_access(v, in, a);
	fake_sysreg_far_el2 = a->far;
	struct mmio_window *win = vm_find_mmio_window(v->vm, a->ipa);

	if (win == NULL) {
		/* trap.c injects an abort for an IPA outside every window. */
		a->active = false;
		return;
	}
	if (isr_ack_step(v, a, win) || doorbell_step(v, a, win)) {
		return;
	}
	TRACE("%s/%u: %s access ipa 0x%llx pc 0x%llx esr 0x%llx insn 0x%x\n",
	      v->vm->cfg->name, v->index, a->isv ? "isv" : "decoded",
	      (unsigned long long)a->ipa, (unsigned long long)a->pc,
	      (unsigned long long)a->esr, a->insn);
	fastpath_mmio(v, a->esr, a->ipa, win);
	check_isv_record(v, a);
	if (w.aborts_injected[v->vm->id][v->index] != injected) {
		/* Refused at the trap: nothing was sent. */
		FUZZ_CHECK(v->state == VCPU_RUNNABLE && v->ipc.kind == IPC_KIND_NONE,
			   "refused access still in IPC");
		FUZZ_CHECK(v->regs.pc == a->pc, "refused access moved the PC");
		a->active = false;
	}
}

/* Function IDs a step picks from: every call the kernel knows, and more. */
static const uint32_t fids[] = {
	HYP_IPC_RECV, HYP_IPC_REPLY_RECV, HYP_IPC_CALL, HYP_IPC_NOTIFY,
	HYP_IPC_WINDOW_INFO, HYP_IPC_WINDOW_COUNT, HYP_IPC_FAULT,
	HYP_IPC_SELF_INFO, HYP_IPC_CLIENT_NAME, HYP_CALL_VERSION,
	HYP_CALL_CONSOLE_PUTC, HYP_CALL_CONSOLE_WRITE, SMCCC_VERSION,
	SMCCC_ARCH_FEATURES, PSCI_VERSION, HYP_VGIC_CONFIG, HYP_IRQ_LEVEL,
	HYP_IRQ_ACK, HYP_VGIC_PENDING, HYP_VGIC_ACTIVE, HYP_VGIC_QUERY,
	HYP_VGIC_CTLR, PSCI_CPU_SUSPEND_64, PSCI_CPU_OFF, PSCI_SYSTEM_RESET,
	HYP_IPC_TIMER_SET, HYP_IPC_WINDOW_ISR, HYP_IPC_ISR_UPDATE,
	HYP_IPC_WINDOW_DOORBELL, HYP_IPC_WINDOW_QUIET,
};
#define FID_COUNT (sizeof(fids) / sizeof(fids[0]))

static uint32_t pick_fid(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	return b < 0xf0 ? fids[b % FID_COUNT] : fuzz_u32(in);
}

/* Endpoint ids: mostly real ones (services and guests), sometimes not. */
static uint64_t pick_ep(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	return b < 0xf0 ? b % (w.vm_count + 1) : fuzz_u64(in);
}

/*
 * x1 an endpoint id or a guest address, x2 small (a length, bits, a window)
 * or anything, the rest small or anything.
 */
static void random_args(struct vcpu *v, struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	for (unsigned r = 1; r < ARCH_GPR_COUNT; r++) {
		v->regs.x[r] = fuzz_u8(in) < 0x80 ? fuzz_u8(in) % 4 : fuzz_u64(in);
	}
	v->regs.x[1] = sel & 1 ? RAM_IPA + fuzz_u16(in) % (PAGE + 0x20) : pick_ep(in);
	v->regs.x[2] = sel & 2 ? fuzz_u16(in) % (2 * PAGE) : fuzz_u64(in);
}

/* Everything the IPC state of the world holds, to see that nothing moved. */
struct ipc_snapshot {
	struct endpoint ep[MAX_SERVICES];
	enum vcpu_state state[MAX_VMS][MAX_GUEST_VCPUS];
};

static void snapshot(struct ipc_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < w.services; i++) {
		s->ep[i] = w.vm[i].ep;
	}
	for (uint32_t i = 0; i < w.vm_count; i++) {
		for (uint32_t k = 0; k < w.vm[i].vcpu_count; k++) {
			s->state[i][k] = w.vm[i].vcpus[k].state;
		}
	}
}

static void check_unchanged(const struct ipc_snapshot *before, const char *what)
{
	struct ipc_snapshot now;

	snapshot(&now);
	FUZZ_CHECK(memcmp(before, &now, sizeof(now)) == 0, "%s changed IPC state",
		   what);
}

static bool is_service_id(uint64_t id)
{
	return id < w.services;
}

/* An IPC call from a guest: refused exactly when it must be. */
static void guest_ipc_call(struct vcpu *v, uint32_t fid, const uint64_t *x0)
{
	uint64_t id = x0[1];
	int64_t ret = (int64_t)v->regs.x[0];

	if (!is_service_id(id)) {
		FUZZ_CHECK(ret == IPC_ERR_INVALID, "IPC to non-endpoint %llu gave %lld",
			   (unsigned long long)id, (long long)ret);
		return;
	}
	if (!vm_uses_endpoint(v->vm, &w.vm[id].ep)) {
		FUZZ_CHECK(ret == IPC_ERR_DENIED, "IPC to ungranted endpoint %llu "
			   "gave %lld", (unsigned long long)id, (long long)ret);
		return;
	}
	if (fid == HYP_IPC_NOTIFY) {
		FUZZ_CHECK(ret == IPC_OK, "granted notify gave %lld", (long long)ret);
		w.notified[id] |= x0[2];
	}
}

static void guest_hvc(struct vcpu *v, struct fuzz_in *in, bool smc)
{
	uint32_t fid = pick_fid(in);
	struct ipc_snapshot before;
	uint64_t x0[ARCH_GPR_COUNT];
	struct call *c = call_of(v);

	random_args(v, in);
	v->regs.x[0] = fid;
	memcpy(x0, v->regs.x, sizeof(x0));
	snapshot(&before);
	TRACE("%s/%u: %s 0x%x x1 0x%llx x2 0x%llx\n", v->vm->cfg->name, v->index,
	      smc ? "smc" : "hvc", fid, (unsigned long long)x0[1],
	      (unsigned long long)x0[2]);
	bool calls = !smc && fid == HYP_IPC_CALL && is_service_id(x0[1]) &&
		     vm_uses_endpoint(v->vm, &w.vm[x0[1]].ep);

	if (calls) {
		*c = (struct call){ .active = true, .service = (uint32_t)x0[1] };
		memcpy(c->words, x0, sizeof(c->words));
	}
	/* trap.c: the lock-free calls first, then the REPLY_RECV fast path. */
	uint16_t imm = fuzz_u8(in) < 0xf0 ? 0 : fuzz_u16(in);

	if (!smc && hypercall_local(v, imm)) {
		FUZZ_CHECK(imm == 0 && v->state == VCPU_RUNNABLE,
			   "local call with imm %u", imm);
	} else if (!smc && imm == 0 && fid == HYP_IPC_REPLY_RECV) {
		fastpath_reply_recv(v);
	} else {
		hypercall_dispatch(v, imm, smc);
	}
	check_regs_kept(v, x0, ARCH_GPR_COUNT, "a call");
	if (imm != 0) {
		/* SMCCC: only immediate 0 is ours; nothing happens. */
		FUZZ_CHECK((int64_t)v->regs.x[0] == SMCCC_NOT_SUPPORTED &&
				   v->state == VCPU_RUNNABLE,
			   "call with imm %u gave %lld", imm, (long long)v->regs.x[0]);
		c->active = false;
		check_unchanged(&before, "a call with an immediate");
		return;
	}
	if (calls) {
		return;
	}
	if (!smc && (fid == HYP_IPC_CALL || fid == HYP_IPC_NOTIFY)) {
		guest_ipc_call(v, fid, x0);
		if (fid == HYP_IPC_NOTIFY) {
			return;
		}
	}
	FUZZ_CHECK(v->state == VCPU_RUNNABLE, "guest call blocked it");
	check_unchanged(&before, "a guest's call");
	switch (smc ? 0 : fid) {
	case HYP_IPC_RECV:
	case HYP_IPC_REPLY_RECV:
	case HYP_IPC_WINDOW_INFO:
	case HYP_IPC_WINDOW_COUNT:
	case HYP_IPC_SELF_INFO:
	case HYP_IPC_CLIENT_NAME:
	case HYP_IPC_TIMER_SET:
	case HYP_IPC_WINDOW_ISR:
	case HYP_IPC_ISR_UPDATE:
	case HYP_IPC_WINDOW_DOORBELL:
	case HYP_IPC_WINDOW_QUIET:
		FUZZ_CHECK((int64_t)v->regs.x[0] == IPC_ERR_INVALID,
			   "service call 0x%x from a guest gave %lld", fid,
			   (long long)v->regs.x[0]);
		break;
	case HYP_IPC_FAULT:
		FUZZ_CHECK((int64_t)v->regs.x[0] == IPC_ERR_DENIED,
			   "fault report from a guest gave %lld",
			   (long long)v->regs.x[0]);
		break;
	default:
		break;
	}
}

/* --- The virtual GIC ---------------------------------------------------------- */

static bool is_vgic_fid(uint32_t fid)
{
	return fid >= HYP_VGIC_CONFIG && fid <= HYP_IRQ_LEVEL;
}

/* Numbers a service passes: the edges of every range, and anything. */
static uint64_t pick_vgic_number(struct fuzz_in *in)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 7, 8, 15, 16, 26, 27, 31, 32, 33, 63, 64, 95, 96,
		127, 128, 255, 256, 1019, 1020, 1023, 1024, UINT32_MAX,
		1ULL << 32, UINT64_MAX,
	};
	uint8_t b = fuzz_u8(in);

	return b < 0xf0 ? edges[b % (sizeof(edges) / sizeof(edges[0]))]
			: fuzz_u64(in);
}

/* A VGIC call's arguments: x1 a VM, x2..x5 from the edges. */
static void vgic_args(struct vcpu *sv, struct fuzz_in *in)
{
	sv->regs.x[1] = fuzz_u8(in) % (w.vm_count + 1);
	for (unsigned r = 2; r <= 5; r++) {
		sv->regs.x[r] = pick_vgic_number(in);
	}
	/* VGIC_CONFIG: mostly enabled, with a priority and a target. */
	if (sv->regs.x[0] == HYP_VGIC_CONFIG && (fuzz_u8(in) & 1)) {
		sv->regs.x[4] = VGIC_CFG_ENABLED | (0xa0ULL << VGIC_CFG_PRIORITY_SHIFT) |
				(1ULL << VGIC_CFG_TARGETS_SHIFT);
	}
}

/* Everything of @p vm's virtual GIC a refused call must leave alone. */
struct vgic_snapshot {
	struct vgic_dist dist;
	struct vgic_cpu cpu[MAX_GUEST_VCPUS];
	struct vcpu_inbox inbox[MAX_GUEST_VCPUS];
	bool phys_active[MAX_GUEST_VCPUS];
	uint32_t hw_lr[VGIC_MAX_LRS];
};

static void vgic_snapshot(const struct vm *vm, struct vgic_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->dist = vm->vgic;
	for (uint32_t k = 0; k < vm->vcpu_count && k < MAX_GUEST_VCPUS; k++) {
		s->cpu[k] = vm->vcpus[k].vgic;
		s->inbox[k] = vm->vcpus[k].inbox;
		s->phys_active[k] = vm->vcpus[k].vtimer_phys_active;
	}
	memcpy(s->hw_lr, fake_gic[0].lr, sizeof(s->hw_lr));
}

/* The ownership rule, written out from the windows (abi/vgic.h). */
static bool vgic_call_allowed(const struct vm *svc, uint32_t fid,
			      const uint64_t *x)
{
	if (x[1] >= w.vm_count) {
		return false;
	}
	const struct vm *vm = &w.vm[x[1]];

	for (uint32_t i = 0; i < vm->mmio_count; i++) {
		const struct mmio_window *win = &vm->mmio[i];

		if (win->ep != &svc->ep) {
			continue;
		}
		if (fid == HYP_IRQ_LEVEL ? win->irq != 0 && win->irq == x[2]
					 : win->kernel_sgir) {
			return true;
		}
	}
	return false;
}

/* Ranges: vCPUs of the VM, 128 INTIDs, 8-bit masks, SGI sources 0-7. */
static bool vgic_args_in_range(const struct vm *vm, uint32_t fid,
			       const uint64_t *x)
{
	switch (fid) {
	case HYP_VGIC_CONFIG:
	case HYP_VGIC_ACTIVE:
	case HYP_VGIC_QUERY:
		return x[2] < vm->vcpu_count && x[3] < 128;
	case HYP_VGIC_PENDING:
		return x[2] <= 0xff && x[3] < 128 &&
		       (x[4] == 0 || x[3] > 15 || x[5] <= 7);
	default:
		return true;
	}
}

/* A service's HYP_VGIC_* or HYP_IRQ_LEVEL call, made and checked. */
static void service_vgic_call(struct vm *svc, uint32_t fid)
{
	struct vcpu *sv = &svc->vcpus[0];
	uint64_t x0[ARCH_GPR_COUNT];
	struct vgic_snapshot before, after;
	struct vcpu *next = NULL;
	const struct vm *vm = sv->regs.x[1] < w.vm_count ? &w.vm[sv->regs.x[1]] : NULL;

	memcpy(x0, sv->regs.x, sizeof(x0));
	if (vm != NULL) {
		vgic_snapshot(vm, &before);
	}
	TRACE("%s: vgic call 0x%x x1 %llu x2 0x%llx x3 0x%llx x4 0x%llx x5 0x%llx\n",
	      svc->cfg->name, fid, (unsigned long long)x0[1],
	      (unsigned long long)x0[2], (unsigned long long)x0[3],
	      (unsigned long long)x0[4], (unsigned long long)x0[5]);
	FUZZ_CHECK(vgic_hypercall(sv, fid, &next) && next == sv,
		   "vgic call 0x%x not taken", fid);
	int64_t ret = (int64_t)sv->regs.x[0];
	bool allowed = vgic_call_allowed(svc, fid, x0);
	bool valid = allowed && vgic_args_in_range(vm, fid, x0);

	if (!allowed || !valid) {
		FUZZ_CHECK(ret == (allowed ? IPC_ERR_INVALID : IPC_ERR_DENIED),
			   "vgic call 0x%x (allowed %d) gave %lld", fid, allowed,
			   (long long)ret);
		if (vm != NULL) {
			vgic_snapshot(vm, &after);
			FUZZ_CHECK(memcmp(&before, &after, sizeof(after)) == 0,
				   "refused vgic call 0x%x changed VM %u's vGIC", fid,
				   vm->id);
		}
		return;
	}
	FUZZ_CHECK(ret == IPC_OK, "vgic call 0x%x gave %lld", fid, (long long)ret);
	if (fid == HYP_VGIC_QUERY) {
		FUZZ_CHECK(sv->regs.x[1] <= 1 && sv->regs.x[2] <= 1,
			   "query answered %llu %llu",
			   (unsigned long long)sv->regs.x[1],
			   (unsigned long long)sv->regs.x[2]);
	}
}

static bool hw_queued(const struct vcpu *v)
{
	for (uint32_t i = 0; i < v->vgic.queue_len; i++) {
		if (v->vgic.queue[i].hw) {
			return true;
		}
	}
	return false;
}

/* IHI 0048B 5.3.4: PPI 27 is active exactly while the loaded vCPU holds
 * its HW-linked timer interrupt; switched-out vCPUs left it inactive. */
static void check_hw_link(void)
{
	const struct vcpu *g = w.cpu.loaded;
	bool live = g != NULL &&
		    (fake_gic_hw_lrs(0, GIC_INTID_VTIMER) > 0 || hw_queued(g));

	FUZZ_CHECK(fake_gic[0].bad_dir == 0, "deactivation of an inactive PPI");
	FUZZ_CHECK(fake_gic[0].active[GIC_INTID_VTIMER] == live,
		   "physical PPI 27 %s while the loaded vCPU %s HW-linked LR",
		   fake_gic[0].active[GIC_INTID_VTIMER] ? "active" : "inactive",
		   live ? "holds a" : "holds no");
}

/* irq.c's vtimer_fired() for the loaded guest. */
static void vtimer_fires(struct vcpu *g)
{
	if (fake_gic[0].active[GIC_INTID_VTIMER] || g->ctx_fresh) {
		return;   /* An active level interrupt is not signalled again. */
	}
	fake_gic_fire(0, GIC_INTID_VTIMER);
	if (!vgic_inject(g->vm, g->index, GIC_INTID_VTIMER, true,
			 GIC_INTID_VTIMER, 0)) {
		gic_deactivate(GIC_INTID_VTIMER);
	}
}

/* The loaded guest acknowledges its first pending LR, maybe completes it. */
static void guest_takes_irq(bool eoi)
{
	for (uint32_t i = 0; i < FAKE_LRS; i++) {
		uint32_t lr = fake_gic[0].lr[i];
		uint32_t state = (lr >> GICH_LR_STATE_SHIFT) & GICH_LR_STATE_MASK;

		if (state & VGIC_LR_PENDING) {
			uint32_t intid = lr & GICH_LR_VIRTUALID_MASK;

			fake_gic_guest_ack(0, intid);
			if (eoi) {
				fake_gic_guest_eoi(0, intid);
			}
			return;
		}
	}
}

/* A guest step of the virtual GIC: its timer, its LRs, an entry. */
static void guest_vgic_step(struct vcpu *v, struct fuzz_in *in)
{
	uint8_t what = fuzz_u8(in) % 4;

	TRACE("%s/%u: vgic step %u\n", v->vm->cfg->name, v->index, what);
	switch (what) {
	case 0:
		vtimer_fires(v);
		break;
	case 1:
	case 2:
		guest_takes_irq(what == 1);
		break;
	default:
		/* It programs its timer: the line rises or falls. */
		vtimer_line[v->vm->id][v->index] ^= true;
		break;
	}
	/* The trap path's exit and re-entry. */
	v->vgic_dirty = true;
	vgic_prepare_entry(v);
}

/* --- Service steps ----------------------------------------------------------- */

static void record_reply(const struct vm *svc, uint64_t status, uint64_t value)
{
	struct vcpu *c = svc->ep.caller;

	if (c == NULL || c->ipc.kind != IPC_KIND_MMIO) {
		return;
	}
	struct access *a = access_of(c);

	if (a->replies < 2) {
		a->replied[a->replies] = value;
	}
	a->replies++;
	a->failed_reply |= status != IPC_OK;
}

/* The word before a service's HYP_IPC_ISR_UPDATE (service_step). */
static uint32_t isr_before;

/* HYP_IPC_WINDOW_ISR and HYP_IPC_ISR_UPDATE, against their rules. */
static void check_isr_answer(const struct vm *svc, uint32_t fid,
			     const uint64_t *x0, const uint64_t *x)
{
	const struct endpoint *ep = &svc->ep;
	const struct mmio_window *win =
		x0[1] < ep->window_count ? ep->windows[x0[1]] : NULL;
	bool ok;

	if (fid == HYP_IPC_WINDOW_ISR) {
		bool none = x0[2] == IPC_ISR_NONE && x0[3] == IPC_ISR_NONE;

		ok = win != NULL &&
		     (none || (win->irq != 0 && x0[2] % 4 == 0 && x0[2] < PAGE &&
			       x0[3] % 4 == 0 && x0[3] < PAGE && x0[3] < win->size));
		FUZZ_CHECK(x[0] == (ok ? (uint64_t)IPC_OK
				       : (uint64_t)(int64_t)IPC_ERR_INVALID),
			   "window isr gave %lld", (long long)x[0]);
		if (ok && !none) {
			FUZZ_CHECK(win->isr_kept && win->isr_status == x0[2] &&
					   win->isr_ack == x0[3],
				   "window isr not kept");
			check_isr_line(win, "declare");
		}
		return;
	}
	ok = win != NULL && win->isr_kept;
	FUZZ_CHECK(x[0] == (ok ? (uint64_t)IPC_OK
			       : (uint64_t)(int64_t)IPC_ERR_INVALID),
		   "isr update gave %lld", (long long)x[0]);
	if (ok) {
		uint32_t now = (isr_before & ~(uint32_t)x0[3]) | (uint32_t)x0[2];

		FUZZ_CHECK(isr_word(win) == now && x[1] == now,
			   "isr update: word 0x%x, answer 0x%llx, want 0x%x",
			   isr_word(win), (unsigned long long)x[1], now);
		check_isr_line(win, "update");
	}
}

/* HYP_IPC_WINDOW_DOORBELL, against its rules. */
static void check_doorbell_answer(const struct vm *svc, const uint64_t *x0,
				  const uint64_t *x)
{
	const struct endpoint *ep = &svc->ep;
	const struct mmio_window *win =
		x0[1] < ep->window_count ? ep->windows[x0[1]] : NULL;
	bool none = x0[2] == IPC_DOORBELL_NONE;
	bool ok = win != NULL &&
		  (none || (win->shadow_ipa != 0 && x0[2] % 4 == 0 &&
			    x0[2] < PAGE && x0[2] < win->size &&
			    !(win->isr_kept && x0[2] == win->isr_ack)));

	FUZZ_CHECK(x[0] == (ok ? (uint64_t)IPC_OK
			       : (uint64_t)(int64_t)IPC_ERR_INVALID),
		   "window doorbell gave %lld", (long long)x[0]);
	if (ok) {
		FUZZ_CHECK(win->has_doorbell == !none &&
				   (none || win->doorbell == x0[2]),
			   "doorbell not as declared");
	}
}

/* Answers to a service's questions about itself and its windows. */
static void check_service_answer(const struct vm *svc, uint32_t fid,
				 const uint64_t *x0, const uint64_t *x)
{
	const struct endpoint *ep = &svc->ep;

	switch (fid) {
	case HYP_IPC_WINDOW_COUNT:
		FUZZ_CHECK(x[0] == ep->window_count, "window count %llu",
			   (unsigned long long)x[0]);
		break;
	case HYP_IPC_WINDOW_INFO:
	case HYP_IPC_CLIENT_NAME:
		if (x0[1] >= ep->window_count) {
			FUZZ_CHECK((int64_t)x[0] == IPC_ERR_INVALID, "window %llu",
				   (unsigned long long)x0[1]);
			break;
		}
		FUZZ_CHECK(x[0] == IPC_OK, "window %llu refused",
			   (unsigned long long)x0[1]);
		const struct mmio_window *win = ep->windows[x0[1]];

		if (fid == HYP_IPC_WINDOW_INFO) {
			FUZZ_CHECK(x[1] == win->size && x[2] == win->client->id &&
					   x[3] == win->client->vcpu_count,
				   "window info wrong");
		} else {
			char name[IPC_NAME_WORDS * sizeof(uint64_t) + 1] = { 0 };

			memcpy(name, &x[1], IPC_NAME_WORDS * sizeof(uint64_t));
			FUZZ_CHECK(strcmp(name, win->client->cfg->name) == 0,
				   "client name '%s'", name);
		}
		break;
	case HYP_IPC_TIMER_SET:
		FUZZ_CHECK(x[0] == IPC_OK, "timer set gave %lld", (long long)x[0]);
		w.timer_set[svc->id] = x0[1];
		break;
	case HYP_IPC_WINDOW_ISR:
	case HYP_IPC_ISR_UPDATE:
		check_isr_answer(svc, fid, x0, x);
		break;
	case HYP_IPC_WINDOW_DOORBELL:
		check_doorbell_answer(svc, x0, x);
		break;
	case HYP_IPC_SELF_INFO: {
		const struct cfg_vm *cfg = svc->cfg;
		bool kept = cfg->ram_count > 1;

		FUZZ_CHECK(x[0] == IPC_OK && x[1] == svc->reset_count,
			   "self info: restarts %llu", (unsigned long long)x[1]);
		FUZZ_CHECK(x[2] == (kept ? cfg->ram[1].ipa : 0) &&
				   x[3] == (kept ? cfg->ram[1].size : 0),
			   "self info: kept RAM");
		break;
	}
	default:
		break;
	}
}

static bool is_restarting_psci(uint32_t fid);
static void restart_event(struct vm *svc, uint32_t fid, bool smc);

static void service_step(struct vm *svc, struct fuzz_in *in)
{
	struct vcpu *sv = &svc->vcpus[0];
	uint8_t what = fuzz_u8(in);
	uint32_t fid;
	uint64_t x0[ARCH_GPR_COUNT];

	w.cpu.light = sv;
	if (what < 0xa0) {
		/* Answer the message (or just wait, with nothing to answer). */
		fid = HYP_IPC_REPLY_RECV;
		sv->regs.x[1] = fuzz_u8(in) < 0xf0 ? IPC_OK : fuzz_u64(in);
		sv->regs.x[2] = fuzz_u64(in);
		sv->regs.x[3] = fuzz_u64(in);
		sv->regs.x[4] = fuzz_u64(in);
	} else {
		fid = what < 0xb0 ? HYP_IPC_RECV : pick_fid(in);
		if (is_restarting_psci(fid)) {
			w.cpu.light = NULL;
			restart_event(svc, fid, false);
			return;
		}
		random_args(sv, in);
		sv->regs.x[1] = fuzz_u8(in) % (EP_MAX_WINDOWS + 1);
		if (fid == HYP_IPC_TIMER_SET) {
			/* Cancel, or a deadline from 1 ms ago to 63 ms ahead. */
			uint8_t ms = fuzz_u8(in) % TIMER_MS_SPAN;

			sv->regs.x[1] = ms == 0 ? 0
					: fake_sysreg_cntpct_el0 +
						  (uint64_t)((int64_t)ms - 2) *
							  (COUNTER_HZ / 1000);
		}
		if (is_vgic_fid(fid)) {
			sv->regs.x[0] = fid;
			vgic_args(sv, in);
			service_vgic_call(svc, fid);
			w.cpu.light = NULL;
			return;
		}
	}
	sv->regs.x[0] = fid;
	if (fid == HYP_IPC_REPLY_RECV) {
		record_reply(svc, sv->regs.x[1], sv->regs.x[2]);
	}
	memcpy(x0, sv->regs.x, sizeof(x0));
	if (fid == HYP_IPC_ISR_UPDATE && x0[1] < svc->ep.window_count &&
	    svc->ep.windows[x0[1]]->isr_kept) {
		isr_before = isr_word(svc->ep.windows[x0[1]]);
	}
	TRACE("%s: call 0x%x x1 0x%llx x2 0x%llx (caller %p)\n", svc->cfg->name,
	      fid, (unsigned long long)x0[1], (unsigned long long)x0[2],
	      (void *)svc->ep.caller);
	bool had_caller = svc->ep.caller != NULL;
	struct vcpu *caller_before = svc->ep.caller;

	w.exit_by = 0;

	if (fid == HYP_IPC_REPLY_RECV) {
		fastpath_reply_recv(sv);
	} else {
		hypercall_dispatch(sv, 0, false);
	}
	if (fid == HYP_IPC_RECV && had_caller) {
		FUZZ_CHECK((int64_t)sv->regs.x[0] == IPC_ERR_STATE,
			   "RECV while serving gave %lld", (long long)sv->regs.x[0]);
	} else if ((fid == HYP_IPC_RECV || fid == HYP_IPC_REPLY_RECV) &&
		   sv->state == VCPU_RUNNABLE && svc->state == VM_RUNNING) {
		/* It did not wait: a message was there. A request is bounded by
		 * its reply deadline (a notification is not a request; the
		 * second element of a pair is the same request). */
		check_delivery(svc);
		FUZZ_CHECK(sv->regs.x[0] == IPC_MSG_NOTIFY ||
				   (w.exit_by != 0 &&
				    w.exit_by == svc->ep.deadline) ||
				   svc->ep.caller == caller_before,
			   "service took a request without a reply deadline");
	}
	if (fid == HYP_IPC_CALL || fid == HYP_IPC_NOTIFY) {
		/* Services have no windows (D7): they may not use IPC. */
		FUZZ_CHECK((int64_t)sv->regs.x[0] == (is_service_id(x0[1]) ? IPC_ERR_DENIED
									 : IPC_ERR_INVALID),
			   "IPC from a service gave %lld", (long long)sv->regs.x[0]);
	}
	check_service_answer(svc, fid, x0, sv->regs.x);
	w.cpu.light = NULL;
}

/* --- Events ---------------------------------------------------------------------- */

/* A sender of a restarted (calls) or stopped (all) service: it failed. */
static void check_failed_sender(const struct vcpu *v, enum ipc_kind kind)
{
	FUZZ_CHECK(v->state == VCPU_RUNNABLE, "failed sender still blocked");
	if (kind == IPC_KIND_MMIO) {
		FUZZ_CHECK(v->pending & VCPU_PENDING_ABORT, "failed access not aborted");
	} else {
		FUZZ_CHECK((int64_t)v->regs.x[0] == IPC_ERR_DEAD, "failed call got %lld",
			   (long long)v->regs.x[0]);
	}
}

/*
 * PSCI calls that restart a service (hypercall.c: it waits only in
 * HYP_IPC_RECV, so idling or powering its vCPU off is a fault, and a reset
 * is a restart).
 */
static const uint32_t restarting_psci[] = {
	PSCI_CPU_SUSPEND_32, PSCI_CPU_SUSPEND_64, PSCI_CPU_OFF, PSCI_SYSTEM_RESET,
};
#define RESTARTING_PSCI_COUNT (sizeof(restarting_psci) / sizeof(restarting_psci[0]))

static bool is_restarting_psci(uint32_t fid)
{
	for (size_t i = 0; i < RESTARTING_PSCI_COUNT; i++) {
		if (restarting_psci[i] == fid) {
			return true;
		}
	}
	return false;
}

/*
 * The service ran past its deadline (@p fid 0: sched.c restarts it), or it
 * faulted (@p fid HYP_IPC_FAULT: its vectors report it; what the kernel
 * sees itself takes the same service_restart()), or it made a PSCI call
 * that restarts it (@p fid, over HVC or, with @p smc, SMC).
 */
static void restart_event(struct vm *svc, uint32_t fid, bool smc)
{
	struct vcpu *sv = &svc->vcpus[0];

	/* All happen only while it runs, i.e. has work (sched.c bounds any
	 * work, not only requests). */
	if (svc->state != VM_RUNNING || sv->state != VCPU_RUNNABLE) {
		return;
	}
	struct vcpu *c = svc->ep.caller;
	enum ipc_kind ckind = c != NULL ? c->ipc.kind : IPC_KIND_NONE;
	bool resends = ckind == IPC_KIND_MMIO && !c->ipc.mmio.resent;
	bool stops = svc->reset_count >= SERVICE_RESTART_MAX;
	struct vcpu *queued[MAX_VCPUS];
	enum ipc_kind kinds[MAX_VCPUS];
	unsigned n = 0;

	for (struct vcpu *s = svc->ep.queue_head; s != NULL && n < MAX_VCPUS;
	     s = s->ipc.queue_next) {
		kinds[n] = s->ipc.kind;
		queued[n++] = s;
	}
	if (fid == 0) {
		service_restart(svc);
	} else {
		sv->regs.x[0] = fid;
		hypercall_dispatch(sv, 0, smc && fid != HYP_IPC_FAULT);
	}
	/*
	 * Restarted: the element in flight first in line (once), then the
	 * queued accesses in their order; calls failed. Stopped: every access
	 * aborted, every call failed.
	 */
	struct vcpu *next = svc->ep.queue_head;

	if (c != NULL && resends && !stops) {
		FUZZ_CHECK(next == c && c->state == VCPU_BLOCKED_SEND &&
				   c->ipc.mmio.resent,
			   "access in flight not first in line again");
		next = c->ipc.queue_next;
	} else if (c != NULL) {
		check_failed_sender(c, ckind);
	}
	for (unsigned i = 0; i < n; i++) {
		struct vcpu *q = queued[i];

		if (kinds[i] == IPC_KIND_MMIO && !stops) {
			FUZZ_CHECK(next == q && q->state == VCPU_BLOCKED_SEND,
				   "queued access lost its place");
			next = q->ipc.queue_next;
		} else {
			check_failed_sender(q, kinds[i]);
		}
	}
	FUZZ_CHECK(next == NULL, "restart queued a sender that was not there");
	FUZZ_CHECK(svc->ep.caller == NULL && svc->ep.receiver == NULL &&
			   svc->ep.notify_bits == 0,
		   "restart left the endpoint busy");
	w.notified[svc->id] = 0;
}

/*
 * PSCI SYSTEM_RESET of a guest (vm_reset): its vCPUs leave whatever IPC
 * they wait in, and vCPU 0 starts again. A service answering a cancelled
 * access later finds no caller.
 */
static void reset_guest(struct vm *g)
{
	for (uint32_t i = 0; i < g->vcpu_count; i++) {
		struct vcpu *v = &g->vcpus[i];

		ipc_cancel(v);
		FUZZ_CHECK(v->ipc.ep == NULL && v->ipc.kind == IPC_KIND_NONE,
			   "cancelled vCPU still in IPC");
		for (uint32_t s = 0; s < w.services; s++) {
			const struct endpoint *ep = &w.vm[s].ep;

			FUZZ_CHECK(!in_queue(ep, v) && ep->caller != v,
				   "endpoint still holds a cancelled vCPU");
		}
		v->state = VCPU_RUNNABLE;
		v->pending = 0;
		access_of(v)->active = false;
		call_of(v)->active = false;
		/* vcpu_reset(), and load_guest()'s discard of a loaded stale
		 * context (arch_vcpu_discard: PPI 27 deactivated). */
		if (w.cpu.loaded == v) {
			gic_clear_active(GIC_INTID_VTIMER);
			w.cpu.loaded = NULL;
		}
		vgic_cpu_init(&v->vgic, FAKE_LRS);
		v->inbox = (struct vcpu_inbox){ 0 };
		v->vtimer_phys_active = false;
		v->vgic_dirty = false;
	}
	vgic_dist_init(&g->vgic);
	/* vm_reset(): its services are told. */
	service_client_reset(g);
}

static void event(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	struct vm *svc = &w.vm[(b >> 2) % w.services];

	TRACE("event %u on %s\n", b & 3, svc->cfg->name);
	switch (b & 3) {
	case 0:
		restart_event(svc, 0, false);
		break;
	case 1: {
		uint64_t bit = 1ULL << (fuzz_u8(in) % 64);

		/* irq.c: a physical interrupt the service owns. */
		if (svc->state == VM_RUNNING) {
			w.notified[svc->id] |= bit;
			ipc_notify(&svc->ep, bit);
		}
		break;
	}
	case 2:
		if ((b & 0xc0) == 0xc0) {
			w.idle_elsewhere = !w.idle_elsewhere;
		} else if (b & 0x80) {
			w.runs_here = !w.runs_here;
		} else {
			reset_guest(&w.vm[w.services + (b >> 2) % w.guests]);
		}
		break;
	default: {
		uint8_t how = fuzz_u8(in);
		uint32_t fid = how % (RESTARTING_PSCI_COUNT + 1);

		restart_event(svc, fid == 0 ? HYP_IPC_FAULT
					    : restarting_psci[fid - 1],
			      how & 0x80);
		break;
	}
	}
}

/* --- The run ------------------------------------------------------------------ */

/* The vCPU a step byte names, if it can run now. */
static struct vcpu *pick_vcpu(uint8_t b)
{
	uint32_t n = 0;
	struct vcpu *all[MAX_VCPUS];

	for (uint32_t i = 0; i < w.vm_count; i++) {
		for (uint32_t k = 0; k < w.vm[i].vcpu_count; k++) {
			all[n++] = &w.vm[i].vcpus[k];
		}
	}
	struct vcpu *v = all[b % n];

	return v->state == VCPU_RUNNABLE && v->vm->state == VM_RUNNING ? v : NULL;
}

/** Guest step kinds (below 0xa0: an MMIO access; else an HVC). */
#define GUEST_VGIC_STEP 0xe8U
#define GUEST_SMC_STEP 0xf0U

static void guest_step(struct vcpu *v, struct fuzz_in *in)
{
	/* Switched in: deferred work is done (vcpu_apply_pending). */
	vcpu_apply_pending(v);
	FUZZ_CHECK(v->pending == 0, "deferred work left after applying it");
	w.cpu.light = NULL;
	switch_loaded(v);
	uint8_t what = fuzz_u8(in);

	if (what < 0xa0) {
		guest_mmio(v, in);
	} else if (what >= GUEST_VGIC_STEP && what < GUEST_SMC_STEP) {
		guest_vgic_step(v, in);
	} else {
		guest_hvc(v, in, what >= GUEST_SMC_STEP);
	}
}

static void step(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	unsigned waiting = mark_waiting_services();

	fake_sysreg_cntpct_el0 += COUNTER_HZ / 1000;
	if (b >= 0xe0) {
		event(in);
	} else {
		struct vcpu *v = pick_vcpu(b);

		if (v != NULL && v->is_service) {
			service_step(v->vm, in);
		} else if (v != NULL) {
			guest_step(v, in);
		}
	}
	/* Then the watching CPU's EL2 timer (irq.c): due service deadlines
	 * wake their services, which check_woken() looks at. */
	(void)service_timer_poll(&w.cpu, NULL);
	check_woken(waiting);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;

	fuzz_in_init(&in, data, size);
	tracing = getenv("FUZZ_TRACE") != NULL;
	build_world(&in);
	check_world();
	for (unsigned s = 0; s < MAX_STEPS && !fuzz_done(&in); s++) {
		step(&in);
		check_world();
		check_hw_link();
	}
	return 0;
}
