/**
 * Partitions: creation from the scenario, RAM and image loading, reset,
 * power-off, guest memory reads (the debug console: vm_console.c; the
 * life cycle of services: service.c).
 */
#include "hyp/vm.h"

#include <string.h>

#include "arch/mmu.h"
#include "hyp/errno.h"
#include "hyp/hypercall.h"
#include "hyp/bitmap.h"
#include "hyp/board.h"
#include "hyp/cpu.h"
#include "hyp/irq.h"
#include "hyp/klock.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/service_event.h"
#include "hyp/log.h"
#include "hyp/mm.h"
#include "hyp/panic.h"
#include "hyp/units.h"
#include "lib/fmt.h"

#define VM_LOG_MSG_MAX 200
#define VM_LOG_KEYS 128

/** Every partition of the scenario (per-VM state lives here). */
static struct vm vm_table[CFG_MAX_VMS];
static uint32_t vm_table_count;

uint32_t vm_count(void)
{
	return vm_table_count;
}

struct vm *vm_get(uint32_t i)
{
	CHECK(i < vm_table_count);
	return &vm_table[i];
}

static const char *vm_name(const struct vm *vm)
{
	return vm->cfg->name;
}

static void map_or_panic(struct vm *vm, uint64_t ipa, paddr_t pa,
			 uint64_t size, unsigned attr, const char *what)
{
	int err = s2_map(&vm->s2, ipa_init(ipa), pa, size, attr);

	if (err != HYP_OK) {
		panic("vm '%s': cannot map %s at IPA 0x%lx: %s", vm_name(vm),
		      what, ipa, hyp_strerror(err));
	}
}

/* @p vm's RAM, from @p pool, and its passed-through devices, mapped. */
static void vm_map_memory(struct vm *vm, struct palloc *pool)
{
	vm_ram_create(vm, pool);
	for (size_t d = 0; d < vm->cfg->device_count; d++) {
		const struct cfg_device *dev = &vm->cfg->devices[d];

		uint64_t pa = dev->kind == CFG_DEV_GICV ? board()->gicv_base
							: dev->pa;

		/* Emulated windows stay unmapped: accesses trap. */
		if (dev->kind == CFG_DEV_PASSTHROUGH ||
		    dev->kind == CFG_DEV_GICV) {
			map_or_panic(vm, dev->ipa, pa_init(pa), dev->size,
				     S2_RW | S2_DEVICE, dev->name);
		}
	}
}

uint8_t *vm_ram_ptr(struct vm *vm, uint64_t ipa, uint64_t *avail)
{
	for (size_t r = 0; r < vm->cfg->ram_count; r++) {
		const struct cfg_ram *ram = &vm->cfg->ram[r];

		if (ipa >= ram->ipa && ipa - ram->ipa < ram->size) {
			*avail = ram->size - (ipa - ram->ipa);
			return (uint8_t *)mm_va(vm->ram_pa[r]) + (ipa - ram->ipa);
		}
	}
	return NULL;
}

/* Copy @p img into @p vm's RAM at @p ipa (checked at boot to fit, I2). */
static void copy_image(struct vm *vm, const struct cfg_image *img, uint64_t ipa)
{
	uint64_t avail = 0;
	uint8_t *dst = vm_ram_ptr(vm, ipa, &avail);

	CHECK(dst != NULL && avail >= img->size);
	vm_ram_ready(vm, ipa, img->size);
	memcpy(dst, img->data, img->size);
	mmu_clean_dcache_range(dst, img->size);
}

/*
 * Zeroed RAM (@p dirty: it was used, zero what was touched, except a
 * region kept across restarts; otherwise it is zero or not touched yet:
 * vm_ram.c), image copied in, caches cleaned for a guest whose MMU is off.
 */
static void vm_load(struct vm *vm, bool dirty)
{
	if (dirty) {
		vm_ram_zero(vm);
	}
	copy_image(vm, vm->image, vm->cfg->image_ipa);
	for (size_t k = 0; k < vm->cfg->load_count; k++) {
		const struct cfg_load *l = &vm->cfg->loads[k];
		const struct cfg_image *img = cfg_find_image(
			scenario_images, scenario_image_count, l->image);

		/* Validated at build time and at boot (rule I4). */
		CHECK(img != NULL);
		copy_image(vm, img, l->ipa);
	}
	mmu_invalidate_icache();
}

static void vm_start_vcpus(struct vm *vm)
{
	vgic_dist_init(&vm->vgic);
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		vm->vcpus[i].state = VCPU_OFF;
	}
	vcpu_reset(&vm->vcpus[0], vm->cfg->entry, vm->cfg->entry_arg);
	vm->state = VM_RUNNING;
	if (vm->cfg->kind == CFG_VM_SERVICE) {
		/* Its start is work: it must reach its receive loop in time. */
		ipc_begin_work(&vm->ep, arch_counter_now());
	}
	sched_wake(&vm->vcpus[0]);
}

/* Is another CPU running (or about to run) a vCPU of @p vm? Kicks it. */
static bool vm_busy_elsewhere(const struct vm *vm)
{
	bool busy = false;

	for (uint32_t i = 0; i < CPU_MAX; i++) {
		const struct cpu *c = &cpu_table[i];

		if (c != cpu_this() && c->current != NULL && c->current->vm == vm) {
			cpu_kick(c);
			busy = true;
		}
	}
	return busy;
}

/*
 * Stop every vCPU of @p vm (out of IPC waits, powered off) and wait until
 * no other CPU runs it: each one traps at the kick, sees the VM stopped and
 * switches away. The kernel lock is dropped meanwhile so that they can;
 * @p vm stays stopped, so nothing else touches its memory or vCPUs. Then
 * its passed-through SPIs, which no CPU can re-enable now, are masked, and
 * not left active in LRs never completed.
 */
static void vm_halt(struct vm *vm)
{
	vm->state = VM_STOPPED;
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		ipc_cancel(&vm->vcpus[i]);
		vm->vcpus[i].state = VCPU_OFF;
	}
	while (vm_busy_elsewhere(vm)) {
		kernel_unlock();
		arch_cpu_relax();
		kernel_lock();
	}
	irq_release_owned(vm);
}

static void vm_init(struct vm *vm, uint16_t id, const struct cfg_vm *cfg,
		    const struct cfg_image *images, size_t image_count,
		    struct palloc *pool)
{
	vm->id = id;
	vm->cfg = cfg;
	vm->vcpu_count = cfg->vcpu_count;
	vm->image = cfg_find_image(images, image_count, cfg->image);
	CHECK(vm->image != NULL);

	/* VMID 0 is left unused so that a zero VTTBR never aliases a VM. */
	int err = s2_init(&vm->s2, pool, (uint16_t)(id + 1));

	if (err != HYP_OK) {
		panic("vm '%s': no Stage-2 root: %s", cfg->name, hyp_strerror(err));
	}
	vm_map_memory(vm, pool);
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].index = i;
		vm->vcpus[i].is_service = cfg->kind == CFG_VM_SERVICE;
	}
	vm_load(vm, false);
	vm_start_vcpus(vm);

	log_info("vm '%s' (%s): %lu MiB RAM at IPA 0x%lx, image '%s' "
		 "(%lu bytes) entry 0x%lx, %u vCPU(s), VMID %u",
		 cfg->name, cfg->kind == CFG_VM_SERVICE ? "service" : "guest",
		 cfg->ram[0].size / SZ_1M, cfg->ram[0].ipa, vm->image->name,
		 vm->image->size, cfg->entry, vm->vcpu_count, vm->s2.vmid);
	for (size_t r = 1; r < cfg->ram_count; r++) {
		log_info("vm '%s': %lu MiB more RAM at IPA 0x%lx%s", cfg->name,
			 cfg->ram[r].size / SZ_1M, cfg->ram[r].ipa,
			 cfg->ram[r].keep ? ", kept across restarts" : "");
	}
}

void vm_map_shadows(struct endpoint *ep)
{
	for (uint32_t i = 0; i < ep->window_count; i++) {
		struct mmio_window *w = ep->windows[i];
		paddr_t pa;
		unsigned attr;

		/* Until then its reads trap and wait for the service. */
		if (w->shadow_ipa == 0 ||
		    s2_translate(&w->client->s2, w->base, &pa, &attr)) {
			continue;
		}
		CHECK(s2_translate(&ep->service->s2, ipa_init(w->shadow_ipa),
				   &pa, &attr));
		map_or_panic(w->client, ipa_addr(w->base), pa, PAGE_SIZE,
			     S2_RO | S2_NC, w->name);
		arch_s2_tlb_flush_vmid(w->client->s2.vmid);
	}
}

/* Register @p vm's emulated windows with the endpoints of their services. */
static void vm_link_windows(struct vm *vm, const struct cfg_scenario *sc,
			    struct palloc *pool)
{
	for (size_t d = 0; d < vm->cfg->device_count; d++) {
		const struct cfg_device *dev = &vm->cfg->devices[d];

		if (dev->kind != CFG_DEV_EMULATED) {
			continue;
		}
		int svc = cfg_find_vm(sc, dev->service);

		CHECK(svc >= 0);
		struct endpoint *ep = &vm_table[svc].ep;
		struct mmio_window *win = &vm->mmio[vm->mmio_count++];
		paddr_t pa;

		CHECK(ep->window_count < EP_MAX_WINDOWS);
		*win = (struct mmio_window){
			.name = dev->name,
			.base = ipa_init(dev->ipa),
			.size = dev->size,
			.client = vm,
			.ep = ep,
			.id = ep->window_count,
			.kernel_sgir = dev->kernel_sgir,
			.irq = dev->irq,
			.shadow_ipa = dev->shadow_ipa,
		};
		/*
		 * Its register shadow page (rules H1-H4): one zeroed page, at
		 * shadow_ipa read/write in the service, and over the window
		 * read-only in the client once the service has written it
		 * (vm_map_shadows), never executable. Stage 2 makes both
		 * Normal Non-cacheable: combined with the client's stage-1
		 * Device and the service's Normal Write-Back (stage 1 off,
		 * HCR_EL2.DC) the stricter type wins (ARM ARM D8.6.5,
		 * "Combining the stage 1 and stage 2 memory type"), so neither
		 * side caches it and the two views stay coherent (B2.8,
		 * "Mismatched memory attributes"). In no RAM region: no
		 * restart or reset zeroes it.
		 */
		if (dev->shadow_ipa != 0) {
			if (palloc_alloc(pool, 1, PAGE_SIZE, &pa) != HYP_OK) {
				panic("vm '%s': no page for the shadow of %s",
				      vm_name(vm), dev->name);
			}
			map_or_panic(&vm_table[svc], dev->shadow_ipa, pa,
				     PAGE_SIZE, S2_RW | S2_NC, "a shadow page");
			win->shadow_pa = pa;
		}
		ep->windows[ep->window_count++] = win;
		log_info("vm '%s': %s [0x%lx, +0x%lx) emulated by '%s' (window %u)",
			 vm_name(vm), dev->name, dev->ipa, dev->size, dev->service,
			 win->id);
	}
}

/*
 * Map the grants of @p vm (rules G1-G5): its clients' RAM, read/write and
 * not executable, once every partition has its RAM. A grant is not one of
 * its RAM regions: its restarts never zero it.
 */
static void vm_map_grants(struct vm *vm, const struct cfg_scenario *sc)
{
	for (size_t k = 0; k < vm->cfg->grant_count; k++) {
		const struct cfg_grant *g = &vm->cfg->grants[k];
		int c = cfg_find_vm(sc, g->client);
		uint64_t avail = 0;

		/* Checked at boot (config_bounds.c). */
		CHECK(c >= 0);
		uint8_t *ram = vm_ram_ptr(&vm_table[c], g->client_ipa, &avail);

		CHECK(ram != NULL && avail >= g->size);
		vm->grant_pa[k] = mm_pa(ram);
		vm->grant_client[k] = (uint16_t)c;
		/* Lazy RAM granted whole blocks at a time: mapped when first
		 * touched (vm_ram.c); otherwise ready in the client now. */
		if (!vm_ram_grant_lazy(vm, k, &vm_table[c])) {
			vm_ram_ready(&vm_table[c], g->client_ipa, g->size);
			map_or_panic(vm, g->ipa, vm->grant_pa[k], g->size,
				     S2_RW, "a grant");
		}
		log_info("vm '%s': RAM of '%s' [0x%lx, +0x%lx) granted at IPA 0x%lx",
			 vm_name(vm), g->client, g->client_ipa, g->size, g->ipa);
	}
}

void vm_create_all(const struct cfg_scenario *sc, const struct cfg_image *images,
		   size_t image_count, struct palloc *pool)
{
	CHECK(sc->vm_count <= CFG_MAX_VMS);
	vm_table_count = (uint32_t)sc->vm_count;
	for (uint32_t i = 0; i < vm_table_count; i++) {
		/* Only its own endpoint: windows link to them below. */
		ipc_endpoint_init(&vm_table[i].ep, &vm_table[i]);
		vm_init(&vm_table[i], (uint16_t)i, &sc->vms[i], images,
			image_count, pool);
	}
	for (uint32_t i = 0; i < vm_table_count; i++) {
		vm_link_windows(&vm_table[i], sc, pool);
	}
	for (uint32_t i = 0; i < vm_table_count; i++) {
		vm_map_grants(&vm_table[i], sc);
		/* Loading the later partitions took time: services' start
		 * deadlines count from now, when scheduling begins (mapping
		 * the grants left takes no time to speak of). */
		if (vm_table[i].cfg->kind == CFG_VM_SERVICE) {
			ipc_begin_work(&vm_table[i].ep, arch_counter_now());
		}
	}
}

bool vm_any_guest_running(void)
{
	for (uint32_t i = 0; i < vm_table_count; i++) {
		if (vm_table[i].state == VM_RUNNING &&
		    vm_table[i].cfg->kind == CFG_VM_GUEST) {
			return true;
		}
	}
	return false;
}

/*
 * Why the machine should report a failure when it powers off: a guest the
 * kernel stopped (its service died, or a fatal fault) or that exited with a
 * non-zero status, or NULL when every guest powered itself off or exited 0.
 */
static const char *power_off_failure(void)
{
	const char *why = NULL;

	for (uint32_t i = 0; i < vm_table_count; i++) {
		const struct vm *vm = &vm_table[i];

		if (vm->cfg->kind != CFG_VM_GUEST || vm->state != VM_STOPPED) {
			continue;
		}
		if (vm->stop_reason == VM_STOP_SERVICE_DEAD) {
			return "a service died";
		}
		if (vm->stop_reason == VM_STOP_FAILED ||
		    (vm->stop_reason == VM_STOP_EXIT && vm->exit_status != 0)) {
			why = "a guest failed or exited with a non-zero status";
		}
	}
	return why;
}

void vm_stop(struct vm *vm, enum vm_stop_reason why)
{
	vm_console_flush(vm);
	vm->stop_reason = why;
	vm_halt(vm);
	if (vm->cfg->kind == CFG_VM_SERVICE) {
		/* Every access in flight or queued fails with an abort. */
		service_endpoint_close(&vm->ep, false);
	}
	struct vcpu_exits e = { 0 };

	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu_exits *v = &vm->vcpus[i].exits;

		e.mmio += v->mmio;
		e.hvc += v->hvc;
		e.wfx += v->wfx;
		e.irq += v->irq;
		e.other += v->other;
	}
	log_info("vm '%s' exits: %lu MMIO, %lu HVC/SMC, %lu WFI/WFE, "
		 "%lu interrupts, %lu other; %u RAM blocks zeroed when first "
		 "touched",
		 vm_name(vm), e.mmio, e.hvc, e.wfx, e.irq, e.other,
		 vm->ram_blocks_ready);
	if (why == VM_STOP_SYSTEM_OFF) {
		log_info("vm '%s' powered off (PSCI SYSTEM_OFF)", vm_name(vm));
	} else if (why == VM_STOP_FAILED) {
		log_warn("vm '%s' stopped after a fatal fault", vm_name(vm));
	} else if (why == VM_STOP_EXIT) {
		log_info("vm '%s' exited with status %u", vm_name(vm),
			 vm->exit_status);
	}
	log_unshare_line(vm);
	if (vm->cfg->kind == CFG_VM_SERVICE) {
		/* Its clients would take aborts for ever: they stop too. */
		service_dead(vm, why);
	}
	if (!vm_any_guest_running()) {
		const char *failure = power_off_failure();

		if (failure != NULL) {
			log_info("no guest left running: powering off with a "
				 "failure status (%s)", failure);
			platform_power_off_failure();
		}
		log_info("no guest left running: powering off");
		platform_power_off();
	}
}

void vm_reset(struct vm *vm)
{
	vm_console_flush(vm);
	vm->reset_count++;
	log_info("vm '%s' reset (PSCI SYSTEM_RESET, reset #%u)", vm_name(vm),
		 vm->reset_count);
	vm_halt(vm);
	/* Its services put its devices back to reset values first, and
	 * stop what they do for it (a disk's DMA into its RAM): its RAM is
	 * reloaded once they have (vm_reset_resume()). */
	service_client_reset(vm);
	vm->reset_held = service_reset_pending(vm);
	if (vm->reset_held) {
		vm->state = VM_RUNNING; /* vCPUs off until vm_reset_resume() */
	} else {
		vm_reload(vm);
	}
}

void vm_reset_resume(struct vm *vm)
{
	bool held = vm->reset_held;

	vm->reset_held = false;
	if (held && vm->state == VM_RUNNING) {
		vm_reload(vm);
	}
}

void vm_reload(struct vm *vm)
{
	/* Its RAM is reloaded: it shares its console line again. */
	log_unshare_line(vm);
	vm_load(vm, true);
	arch_s2_tlb_flush_vmid(vm->s2.vmid);
	vm_start_vcpus(vm);
}

uint64_t vm_read_guest(struct vm *vm, ipaddr_t ipa, void *buf, uint64_t len)
{
	uint64_t avail = 0;
	const uint8_t *src = vm_ram_ptr(vm, ipa_addr(ipa), &avail);
	uint64_t n = len < avail ? len : avail;

	if (src == NULL) {
		return 0;
	}
	vm_ram_ready(vm, ipa_addr(ipa), n);
	memcpy(buf, src, n);
	return n;
}

void vm_log_once(struct vm *vm, unsigned key, const char *fmt, ...)
{
	char msg[VM_LOG_MSG_MAX];
	va_list ap;

	if (key < VM_LOG_KEYS) {
		if (bitmap_test(vm->logged, key)) {
			return;
		}
		bitmap_assign(vm->logged, key, true);
	}
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("vm '%s': %s (reported once)", vm_name(vm), msg);
}
