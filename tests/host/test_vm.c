/**
 * Unit tests of partitions (kernel/core/vm.c) with the real Stage 2
 * (s2.c), page pool (palloc.c) and window lookup (vm_window.c) on the fake
 * RAM of tests/fake/fake_mm.c. The scenario: guest "g" (two vCPUs, two RAM regions) with an
 * emulated window served by service "svc", guest "h" alone, and "svc",
 * whose second RAM region is kept across restarts. IPC, the scheduler and
 * the vCPU reset are recorded; a machine power-off returns to the test.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "abi/console.h"
#include "abi/hypercall.h"
#include "arch/mmu.h"
#include "fake_arch.h"
#include "fake_log.h"
#include "fake_mm.h"
#include "hyp/cpu.h"
#include "hyp/errno.h"
#include "hyp/hypercall.h"
#include "hyp/irq.h"
#include "hyp/klock.h"
#include "hyp/mm.h"
#include "hyp/palloc.h"
#include "hyp/sched.h"
#include "hyp/service.h"
#include "hyp/service_event.h"
#include "hyp/units.h"
#include "hyp/vm.h"

enum { VM_G, VM_H, VM_SVC, VMS };
#define RAM_G 0x40000000ULL
#define RAM_G2 0x48000000ULL
#define RAM_SVC 0x10000000ULL
#define KEPT_SVC 0x10200000ULL
#define WIN_IPA 0x09000000ULL
/* Where svc sees its grant of g's second RAM region (pages 1 and 2). */
#define GRANT_SVC 0x100000000ULL
/* h's second region, two blocks, granted whole to svc (vm_ram.c: zeroed and
 * mapped a block at a time when first touched). */
#define RAM_H2 0x50000000ULL
#define RAM_H2_SIZE (2 * SZ_2M)
#define GRANT2_SVC 0x200000000ULL
#define GRANT_OFF PAGE_SIZE
#define GRANT_SIZE (2 * PAGE_SIZE)
#define ARENA (32 * SZ_1M)
#define IMAGE_BYTES 5000
#define TIMEOUT_TICKS 777
/* vm.c: lines of a VM's console output are cut at this length. */
#define LINE_MAX VM_CONSOLE_LINE_MAX

static uint8_t image_g[IMAGE_BYTES], image_svc[64];

static const struct cfg_platform platform = {
	.name = "fake", .uart_base = 0x09000000ULL, .gicv_base = 0x08040000ULL,
	.gicv_size = 0x2000,
};

const struct cfg_image scenario_images[] = {
	{ .name = "g.bin", .data = image_g, .size = sizeof(image_g) },
	{ .name = "svc.bin", .data = image_svc, .size = sizeof(image_svc) },
};
const size_t scenario_image_count = 2;

const struct cfg_scenario scenario = {
	.name = "vm-test",
	.platform = &platform,
	.vm_count = VMS,
	.vms = {
		[VM_G] = {
			.name = "g", .kind = CFG_VM_GUEST, .vcpu_count = 2,
			.image = "g.bin", .image_ipa = RAM_G,
			.entry = RAM_G + 0x40, .entry_arg = 0x1234,
			.ram = { { .ipa = RAM_G, .size = SZ_2M },
				 { .ipa = RAM_G2, .size = SZ_2M } },
			.ram_count = 2,
			.devices = {
				{ .name = "uart0", .kind = CFG_DEV_EMULATED,
				  .ipa = WIN_IPA, .size = PAGE_SIZE,
				  .service = "svc" },
				{ .name = "gicv", .kind = CFG_DEV_GICV,
				  .ipa = 0x08010000ULL, .size = 0x2000 },
			},
			.device_count = 2,
		},
		[VM_H] = {
			.name = "h", .kind = CFG_VM_GUEST, .vcpu_count = 1,
			.image = "g.bin", .image_ipa = RAM_G, .entry = RAM_G,
			.ram = { { .ipa = RAM_G, .size = SZ_2M },
				 { .ipa = RAM_H2, .size = RAM_H2_SIZE } },
			.ram_count = 2,
		},
		[VM_SVC] = {
			.name = "svc", .kind = CFG_VM_SERVICE, .vcpu_count = 1,
			.image = "svc.bin", .image_ipa = RAM_SVC,
			.entry = RAM_SVC,
			.ram = { { .ipa = RAM_SVC, .size = SZ_2M },
				 { .ipa = KEPT_SVC, .size = SZ_2M,
				   .keep = true } },
			.ram_count = 2,
			.devices = {
				{ .name = "uart", .kind = CFG_DEV_PASSTHROUGH,
				  .ipa = 0x09000000ULL, .size = PAGE_SIZE,
				  .pa = 0x09000000ULL },
			},
			.device_count = 1,
			.grants = { { .client = "g", .client_ipa = RAM_G2 + GRANT_OFF,
				      .size = GRANT_SIZE, .ipa = GRANT_SVC },
				    { .client = "h", .client_ipa = RAM_H2,
				      .size = RAM_H2_SIZE, .ipa = GRANT2_SVC } },
			.grant_count = 2,
		},
	},
};

/* --- Neighbours ------------------------------------------------------------ */

struct cpu cpu_table[CPU_MAX];
static struct palloc pool;
static jmp_buf power_off;

static struct {
	unsigned resets[VMS], wakes[VMS], cancels, shutdowns[VMS];
	unsigned unmasks[VMS], releases[VMS], kicks, power_offs, failures, receiver_wakes[VMS];
	unsigned shares, unshares, icache, busy_kicks_left;
	unsigned released_while_running;
	const void *shared_owner;
	struct hyp_console_line *shared_line;
	char out[4 * LINE_MAX];
	size_t out_len;
	uint64_t entry[VMS], arg[VMS];
} rec;

const struct cfg_image *cfg_find_image(const struct cfg_image *images,
				       size_t image_count, const char *name)
{
	for (size_t i = 0; i < image_count; i++) {
		if (strcmp(images[i].name, name) == 0) {
			return &images[i];
		}
	}
	return NULL;
}

int cfg_find_vm(const struct cfg_scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->vm_count; i++) {
		if (strcmp(sc->vms[i].name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

void vcpu_reset(struct vcpu *vcpu, uint64_t entry, uint64_t arg)
{
	rec.resets[vcpu->vm->id]++;
	rec.entry[vcpu->vm->id] = entry;
	rec.arg[vcpu->vm->id] = arg;
	vcpu->state = VCPU_RUNNABLE;
}

void sched_wake(struct vcpu *v)
{
	rec.wakes[v->vm->id]++;
}

void vgic_dist_init(struct vgic_dist *d)
{
	memset(d, 0, sizeof(*d));
}

void ipc_endpoint_init(struct endpoint *ep, struct vm *service)
{
	memset(ep, 0, sizeof(*ep));
	ep->service = service;
	ep->timeout_ticks = TIMEOUT_TICKS;
}

void ipc_cancel(struct vcpu *v)
{
	(void)v;
	rec.cancels++;
}

void ipc_wake_receiver(struct endpoint *ep)
{
	rec.receiver_wakes[ep->service->id]++;
}

/* Called once by service.c's service_endpoint_close() (vm_stop of a
 * service): counts the endpoint's shutdowns. */
void ipc_forget_reads(struct endpoint *ep)
{
	rec.shutdowns[ep->service->id]++;
}

void ipc_complete(struct vcpu *s, uint64_t status, const uint64_t *result)
{
	(void)s;
	(void)status;
	(void)result;
	fail_msg("no IPC is in flight in these tests");
}

struct vcpu *sched_next(struct vcpu *current)
{
	return current;
}

const char *vcpu_vm_name(const struct vcpu *vcpu)
{
	return vcpu->vm->cfg->name;
}

void irq_unmask_owned(const struct vm *vm)
{
	rec.unmasks[vm->id]++;
}

void irq_release_owned(const struct vm *vm)
{
	rec.releases[vm->id]++;
	for (uint32_t c = 0; c < CPU_MAX; c++) {
		if (cpu_table[c].current != NULL &&
		    cpu_table[c].current->vm == vm &&
		    &cpu_table[c] != cpu_this()) {
			rec.released_while_running++;
		}
	}
}

void cpu_kick(const struct cpu *cpu)
{
	rec.kicks++;
	/* The other CPU switches away after a few kicks. */
	if (rec.busy_kicks_left > 0 && --rec.busy_kicks_left == 0) {
		((struct cpu *)cpu)->current = NULL;
	}
}

void platform_power_off(void)
{
	rec.power_offs++;
	longjmp(power_off, 1);
}

void platform_power_off_failure(void)
{
	rec.failures++;
	longjmp(power_off, 1);
}

void mmu_clean_dcache_range(const void *va, uint64_t size)
{
	(void)va;
	(void)size;
}

void mmu_invalidate_icache(void)
{
	rec.icache++;
}

void log_line_begin(void)
{
}

void log_line_end(void)
{
}

void log_raw(const char *s, unsigned long len)
{
	assert_true(rec.out_len + len < sizeof(rec.out));
	memcpy(rec.out + rec.out_len, s, len);
	rec.out_len += len;
}

void log_share_line(const void *owner, struct hyp_console_line *line)
{
	rec.shares++;
	rec.shared_owner = owner;
	rec.shared_line = line;
}

void log_unshare_line(const void *owner)
{
	(void)owner;
	rec.unshares++;
}

/* --- Fixture --------------------------------------------------------------- */

static int setup(void **unused)
{
	paddr_t base;

	(void)unused;
	memset(&rec, 0, sizeof(rec));
	memset(cpu_table, 0, sizeof(cpu_table));
	fake_arch_reset();
	fake_log_reset();
	fake_sysreg_cntpct_el0 = 5000;
	fake_sysreg_tpidr_el2 = (uint64_t)(uintptr_t)&cpu_table[0];
	for (size_t i = 0; i < sizeof(image_g); i++) {
		image_g[i] = (uint8_t)(i * 7 + 1);
	}
	memset(image_svc, 0x5c, sizeof(image_svc));
	base = fake_mm_init(ARENA);
	assert_int_equal(palloc_init(&pool, base, ARENA), HYP_OK);
	vm_create_all(&scenario, scenario_images, scenario_image_count, &pool);
	kernel_lock();
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	kernel_unlock();
	/* vm.c's table lives for the program: zero as at boot. */
	for (uint32_t i = 0; i < vm_count(); i++) {
		memset(vm_get(i), 0, sizeof(struct vm));
	}
	fake_mm_fini();
	return 0;
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static struct vm *vm(unsigned i)
{
	return vm_get(i);
}

/* Read @p len bytes of @p v's memory at @p ipa; returns how many. */
static uint64_t peek(struct vm *v, uint64_t ipa, void *buf, uint64_t len)
{
	return vm_read_guest(v, ipa_init(ipa), buf, len);
}

static uint8_t *ram_va(struct vm *v, unsigned region, uint64_t off)
{
	return (uint8_t *)mm_va(v->ram_pa[region]) + off;
}

/* Run @p stmt, which must power the machine off. */
#define EXPECT_POWER_OFF(stmt)                                    \
	do {                                                      \
		if (setjmp(power_off) == 0) {                     \
			stmt;                                     \
			fail_msg("%s did not power off", #stmt);  \
		}                                                 \
	} while (0)

/* --- Tests ----------------------------------------------------------------- */

static void test_vm_create_all_loads_and_starts(void **unused)
{
	uint8_t buf[IMAGE_BYTES];

	(void)unused;
	assert_int_equal(vm_count(), VMS);
	for (unsigned i = 0; i < VMS; i++) {
		assert_int_equal(vm(i)->state, VM_RUNNING);
		assert_int_equal(vm(i)->s2.vmid, i + 1);
		assert_int_equal(rec.resets[i], 1);
		assert_int_equal(rec.wakes[i], 1);
		assert_int_equal(vm(i)->vcpus[0].state, VCPU_RUNNABLE);
	}
	assert_int_equal(vm(VM_G)->vcpus[1].state, VCPU_OFF);
	assert_int_equal(rec.entry[VM_G], RAM_G + 0x40);
	assert_int_equal(rec.arg[VM_G], 0x1234);
	assert_true(vm(VM_SVC)->vcpus[0].is_service);
	assert_false(vm(VM_G)->vcpus[1].is_service);
	assert_int_equal(vm(VM_G)->vcpus[1].index, 1);
	/* The image is in RAM; the rest of RAM is zero. */
	assert_int_equal(peek(vm(VM_G), RAM_G, buf, sizeof(buf)), sizeof(buf));
	assert_memory_equal(buf, image_g, sizeof(buf));
	assert_int_equal(*ram_va(vm(VM_G), 0, IMAGE_BYTES), 0);
	assert_true(rec.icache >= VMS);
	/* The service's start is work with a deadline from now. */
	assert_int_equal(vm(VM_SVC)->ep.deadline, 5000 + TIMEOUT_TICKS);
	/* The emulated window is registered with its service. */
	assert_int_equal(vm(VM_G)->mmio_count, 1);
	assert_int_equal(vm(VM_SVC)->ep.window_count, 1);
	assert_ptr_equal(vm(VM_SVC)->ep.windows[0], &vm(VM_G)->mmio[0]);
	assert_ptr_equal(vm(VM_G)->mmio[0].ep, &vm(VM_SVC)->ep);
	assert_ptr_equal(vm(VM_G)->mmio[0].client, vm(VM_G));
	assert_true(vm_uses_endpoint(vm(VM_G), &vm(VM_SVC)->ep));
	assert_false(vm_uses_endpoint(vm(VM_H), &vm(VM_SVC)->ep));
	assert_true(vm_any_guest_running());
}

static void test_vm_create_all_maps_devices(void **unused)
{
	paddr_t pa;
	unsigned attr;

	(void)unused;
	assert_true(s2_translate(&vm(VM_G)->s2, ipa_init(0x08010000ULL), &pa, &attr));
	assert_int_equal(pa_addr(pa), platform.gicv_base);
	assert_true(attr & S2_DEVICE);
	/* Emulated windows stay unmapped: accesses trap. */
	assert_false(s2_translate(&vm(VM_G)->s2, ipa_init(WIN_IPA), &pa, &attr));
	assert_true(s2_translate(&vm(VM_SVC)->s2, ipa_init(0x09000000ULL), &pa, &attr));
	assert_int_equal(pa_addr(pa), 0x09000000ULL);
}

/* A grant: the client's RAM in the service, RW, normal, not executable. */
static void test_vm_create_all_maps_grants(void **unused)
{
	paddr_t pa;
	unsigned attr;

	(void)unused;
	assert_true(s2_translate(&vm(VM_SVC)->s2, ipa_init(GRANT_SVC + 8), &pa,
				 &attr));
	assert_int_equal(pa_addr(pa),
			 pa_addr(vm(VM_G)->ram_pa[1]) + GRANT_OFF + 8);
	assert_int_equal(attr, S2_RW);
	assert_int_equal(pa_addr(vm(VM_SVC)->grant_pa[0]),
			 pa_addr(vm(VM_G)->ram_pa[1]) + GRANT_OFF);
	assert_int_equal(vm(VM_SVC)->grant_client[0], VM_G);
	/* Only what the scenario grants: not the page before nor after. */
	assert_false(s2_translate(&vm(VM_SVC)->s2,
				  ipa_init(GRANT_SVC - PAGE_SIZE), &pa, &attr));
	assert_false(s2_translate(&vm(VM_SVC)->s2,
				  ipa_init(GRANT_SVC + GRANT_SIZE), &pa, &attr));
	/* Logged last, after the windows (h's is svc's second grant). */
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_INFO],
			       "vm 'svc': RAM of 'h' [0x50000000, +0x400000) "
			       "granted at IPA 0x200000000"));
}

/* A service's restart never zeroes its grant; the client's reset keeps it
 * mapped to the same (reloaded) RAM. */
static void test_vm_grant_survives_restart_and_client_reset(void **unused)
{
	paddr_t pa;
	unsigned attr;

	(void)unused;
	*ram_va(vm(VM_G), 1, GRANT_OFF) = 0x77;
	service_restart(vm(VM_SVC));
	assert_int_equal(*ram_va(vm(VM_G), 1, GRANT_OFF), 0x77);
	vm_reset(vm(VM_G));
	assert_true(s2_translate(&vm(VM_SVC)->s2, ipa_init(GRANT_SVC), &pa,
				 &attr));
	assert_int_equal(pa_addr(pa),
			 pa_addr(vm(VM_G)->ram_pa[1]) + GRANT_OFF);
}

/* --- RAM zeroed when first touched (vm_ram.c) ------------------------------- */

static bool mapped(struct vm *v, uint64_t ipa, uint64_t *pa, unsigned *attr)
{
	paddr_t p = pa_init(0);
	unsigned a = 0;
	bool ok = s2_translate(&v->s2, ipa_init(ipa), &p, &a);

	if (pa != NULL) {
		*pa = pa_addr(p);
	}
	if (attr != NULL) {
		*attr = a;
	}
	return ok;
}

static bool all_bytes_are(const uint8_t *p, uint64_t n, uint8_t b)
{
	for (uint64_t i = 0; i < n; i++) {
		if (p[i] != b) {
			return false;
		}
	}
	return true;
}

/* A guest's RAM is neither written nor mapped at boot beyond what the
 * kernel loaded; a service's is zeroed and mapped whole. */
static void test_vm_ram_untouched_guest_blocks_stay_unmapped(void **unused)
{
	(void)unused;
	assert_false(mapped(vm(VM_H), RAM_H2, NULL, NULL));
	assert_false(mapped(vm(VM_H), RAM_H2 + SZ_2M, NULL, NULL));
	assert_true(all_bytes_are(ram_va(vm(VM_H), 1, 0), RAM_H2_SIZE,
				  FAKE_MM_POISON));
	assert_false(mapped(vm(VM_SVC), GRANT2_SVC, NULL, NULL));
	/* The image's block: zeroed, loaded, mapped. */
	assert_true(mapped(vm(VM_H), RAM_G, NULL, NULL));
	assert_true(all_bytes_are(ram_va(vm(VM_H), 0, IMAGE_BYTES),
				  SZ_2M - IMAGE_BYTES, 0));
	assert_true(vm(VM_H)->ram_lazy[0] && vm(VM_H)->ram_lazy[1]);
	/* The service's RAM, kept region too. */
	assert_false(vm(VM_SVC)->ram_lazy[0] || vm(VM_SVC)->ram_lazy[1]);
	assert_true(mapped(vm(VM_SVC), KEPT_SVC + SZ_2M - 1, NULL, NULL));
	assert_true(all_bytes_are(ram_va(vm(VM_SVC), 1, 0), SZ_2M, 0));
}

static void test_vm_ram_touch_zeroes_and_maps_its_block(void **unused)
{
	uint64_t pa;
	unsigned attr;
	uint32_t before = vm(VM_H)->ram_blocks_ready;
	unsigned icache = rec.icache;

	(void)unused;
	assert_true(vm_ram_touch(vm(VM_H), RAM_H2 + SZ_2M + 123));
	/* Its old contents may sit in the instruction cache. */
	assert_int_equal(rec.icache, icache + 1);
	assert_true(mapped(vm(VM_H), RAM_H2 + SZ_2M + 8, &pa, &attr));
	assert_int_equal(pa, pa_addr(vm(VM_H)->ram_pa[1]) + SZ_2M + 8);
	assert_int_equal(attr, S2_RWX);
	assert_true(all_bytes_are(ram_va(vm(VM_H), 1, SZ_2M), SZ_2M, 0));
	assert_int_equal(vm(VM_H)->ram_blocks_ready, before + 1);
	/* Only that block. */
	assert_false(mapped(vm(VM_H), RAM_H2, NULL, NULL));
	assert_true(all_bytes_are(ram_va(vm(VM_H), 1, 0), SZ_2M,
				  FAKE_MM_POISON));
	/* Once: what the guest wrote stays (another vCPU's fault on it). */
	*ram_va(vm(VM_H), 1, SZ_2M + 64) = 0x42;
	assert_true(vm_ram_touch(vm(VM_H), RAM_H2 + SZ_2M));
	assert_int_equal(*ram_va(vm(VM_H), 1, SZ_2M + 64), 0x42);
	assert_int_equal(vm(VM_H)->ram_blocks_ready, before + 1);
}

static void test_vm_ram_touch_is_false_outside_lazy_ram(void **unused)
{
	(void)unused;
	assert_false(vm_ram_touch(vm(VM_H), RAM_H2 + RAM_H2_SIZE));
	assert_false(vm_ram_touch(vm(VM_H), RAM_H2 - 1));
	assert_false(vm_ram_touch(vm(VM_H), WIN_IPA));
	assert_false(vm_ram_touch(vm(VM_G), 0));
	/* A service's own RAM is mapped whole; an unaligned grant too. */
	assert_false(vm_ram_touch(vm(VM_SVC), RAM_SVC));
	assert_false(vm_ram_touch(vm(VM_SVC), GRANT_SVC));
	assert_false(vm_ram_touch(vm(VM_SVC), GRANT2_SVC + RAM_H2_SIZE));
}

/* A service's first access to a lazy grant makes the block ready in the
 * client, then maps it in the service (RW, not executable). */
static void test_vm_ram_grant_touch_readies_client_block(void **unused)
{
	uint64_t pa;
	unsigned attr;

	(void)unused;
	assert_true(vm_ram_touch(vm(VM_SVC), GRANT2_SVC + SZ_2M + 4096));
	assert_true(mapped(vm(VM_SVC), GRANT2_SVC + SZ_2M, &pa, &attr));
	assert_int_equal(pa, pa_addr(vm(VM_H)->ram_pa[1]) + SZ_2M);
	assert_int_equal(attr, S2_RW);
	assert_true(mapped(vm(VM_H), RAM_H2 + SZ_2M, NULL, NULL));
	assert_true(all_bytes_are(ram_va(vm(VM_H), 1, SZ_2M), SZ_2M, 0));
	assert_false(mapped(vm(VM_SVC), GRANT2_SVC, NULL, NULL));
	assert_false(mapped(vm(VM_H), RAM_H2, NULL, NULL));
	/* The client touched its first block before the service did: kept,
	 * only mapped in the service. */
	assert_true(vm_ram_touch(vm(VM_H), RAM_H2));
	*ram_va(vm(VM_H), 1, 16) = 0x99;
	assert_true(vm_ram_touch(vm(VM_SVC), GRANT2_SVC + 16));
	assert_true(mapped(vm(VM_SVC), GRANT2_SVC, NULL, NULL));
	assert_int_equal(*ram_va(vm(VM_H), 1, 16), 0x99);
}

/* Before a device writes a client's memory by PA (HYP_IPC_TRANSLATE): every
 * block the range spans ready in the client and mapped in the service, the
 * others left untouched; a block the client wrote keeps its data. */
static void test_vm_ram_grant_ready_readies_the_range(void **unused)
{
	uint32_t before = vm(VM_H)->ram_blocks_ready;

	(void)unused;
	*ram_va(vm(VM_H), 1, 0) = 0x77;
	/* The last byte of block 0 and the first of block 1. */
	vm_ram_grant_ready(vm(VM_SVC), 1, GRANT2_SVC + SZ_2M - 1, 2);
	assert_true(mapped(vm(VM_H), RAM_H2, NULL, NULL));
	assert_true(mapped(vm(VM_H), RAM_H2 + SZ_2M, NULL, NULL));
	assert_true(mapped(vm(VM_SVC), GRANT2_SVC, NULL, NULL));
	assert_true(mapped(vm(VM_SVC), GRANT2_SVC + SZ_2M, NULL, NULL));
	/* Nothing past the grant. */
	assert_false(mapped(vm(VM_SVC), GRANT2_SVC + RAM_H2_SIZE, NULL, NULL));
	assert_true(all_bytes_are(ram_va(vm(VM_H), 1, 0), RAM_H2_SIZE, 0));
	assert_int_equal(vm(VM_H)->ram_blocks_ready, before + 2);
	/* Again: nothing is zeroed twice. */
	*ram_va(vm(VM_H), 1, SZ_2M) = 0x55;
	vm_ram_grant_ready(vm(VM_SVC), 1, GRANT2_SVC + SZ_2M, 1);
	assert_int_equal(*ram_va(vm(VM_H), 1, SZ_2M), 0x55);
	assert_int_equal(vm(VM_H)->ram_blocks_ready, before + 2);
}

/* One block asked: only that one. */
static void test_vm_ram_grant_ready_one_block(void **unused)
{
	uint32_t before = vm(VM_H)->ram_blocks_ready;

	(void)unused;
	vm_ram_grant_ready(vm(VM_SVC), 1, GRANT2_SVC + 4096, 4096);
	assert_true(mapped(vm(VM_H), RAM_H2, NULL, NULL));
	assert_true(mapped(vm(VM_SVC), GRANT2_SVC, NULL, NULL));
	assert_false(mapped(vm(VM_H), RAM_H2 + SZ_2M, NULL, NULL));
	assert_false(mapped(vm(VM_SVC), GRANT2_SVC + SZ_2M, NULL, NULL));
	assert_int_equal(vm(VM_H)->ram_blocks_ready, before + 1);
	/* A grant mapped at boot (of g): nothing to do. */
	before = vm(VM_G)->ram_blocks_ready;
	vm_ram_grant_ready(vm(VM_SVC), 0, GRANT_SVC, GRANT_SIZE);
	assert_int_equal(vm(VM_G)->ram_blocks_ready, before);
}

/* An unaligned grant is mapped at boot: its client blocks ready then. */
static void test_vm_ram_unaligned_grant_ready_at_boot(void **unused)
{
	(void)unused;
	assert_false(vm(VM_SVC)->grant_lazy[0]);
	assert_true(vm(VM_SVC)->grant_lazy[1]);
	assert_true(mapped(vm(VM_G), RAM_G2, NULL, NULL));
	assert_true(all_bytes_are(ram_va(vm(VM_G), 1, 0), SZ_2M, 0));
}

/* The kernel's own reads make the block ready: never the old contents. */
static void test_vm_ram_read_guest_never_sees_old_contents(void **unused)
{
	uint8_t buf[16];

	(void)unused;
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(peek(vm(VM_H), RAM_H2 + 8, buf, sizeof(buf)),
			 sizeof(buf));
	assert_true(all_bytes_are(buf, sizeof(buf), 0));
	assert_true(mapped(vm(VM_H), RAM_H2, NULL, NULL));
	assert_false(mapped(vm(VM_H), RAM_H2 + SZ_2M, NULL, NULL));
}

/* A reset zeroes the blocks touched (they stay mapped) and leaves the
 * others alone. */
static void test_vm_ram_reset_zeroes_touched_blocks_only(void **unused)
{
	(void)unused;
	assert_true(vm_ram_touch(vm(VM_H), RAM_H2 + SZ_2M));
	*ram_va(vm(VM_H), 1, SZ_2M + 100) = 0x5a;
	vm_reset(vm(VM_H));
	assert_int_equal(*ram_va(vm(VM_H), 1, SZ_2M + 100), 0);
	assert_true(mapped(vm(VM_H), RAM_H2 + SZ_2M, NULL, NULL));
	assert_false(mapped(vm(VM_H), RAM_H2, NULL, NULL));
	assert_true(all_bytes_are(ram_va(vm(VM_H), 1, 0), SZ_2M,
				  FAKE_MM_POISON));
	/* The image is back in its block. */
	assert_memory_equal(ram_va(vm(VM_H), 0, 0), image_g, IMAGE_BYTES);
}

static void test_vm_read_guest_stops_at_ram_end_and_devices(void **unused)
{
	uint8_t buf[64];

	(void)unused;
	/* Across a page boundary inside RAM. */
	assert_int_equal(peek(vm(VM_G), RAM_G + PAGE_SIZE - 8, buf, 16), 16);
	assert_memory_equal(buf, image_g + PAGE_SIZE - 8, 16);
	/* Up to the end of RAM, not beyond. */
	assert_int_equal(peek(vm(VM_G), RAM_G + SZ_2M - 8, buf, 16), 8);
	/* Device memory and holes read nothing. */
	assert_int_equal(peek(vm(VM_G), 0x08010000ULL, buf, 4), 0);
	assert_int_equal(peek(vm(VM_G), WIN_IPA, buf, 4), 0);
	assert_int_equal(peek(vm(VM_G), 0, buf, 4), 0);
}

static void test_vm_stop_last_guest_powers_off(void **unused)
{
	(void)unused;
	vm_stop(vm(VM_H), VM_STOP_SYSTEM_OFF);
	assert_int_equal(vm(VM_H)->state, VM_STOPPED);
	assert_int_equal(vm(VM_H)->vcpus[0].state, VCPU_OFF);
	assert_int_equal(rec.power_offs, 0);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_INFO],
			       "vm 'h' powered off (PSCI SYSTEM_OFF)"));
	EXPECT_POWER_OFF(vm_stop(vm(VM_G), VM_STOP_SYSTEM_OFF));
	assert_int_equal(rec.power_offs, 1);
	assert_int_equal(rec.failures, 0);
	assert_int_equal(rec.cancels, 3);
}

static void test_vm_stop_failed_guest_powers_off_with_failure(void **unused)
{
	(void)unused;
	vm_stop(vm(VM_H), VM_STOP_FAILED);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_WARN],
			       "vm 'h' stopped after a fatal fault"));
	EXPECT_POWER_OFF(vm_stop(vm(VM_G), VM_STOP_SYSTEM_OFF));
	assert_int_equal(rec.failures, 1);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_INFO], "a guest failed"));
}

static void test_vm_stop_exit_logs_its_status_and_nonzero_fails(void **unused)
{
	(void)unused;
	vm(VM_H)->exit_status = 3;
	vm_stop(vm(VM_H), VM_STOP_EXIT);
	assert_int_equal(vm(VM_H)->state, VM_STOPPED);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_INFO],
			       "vm 'h' exited with status 3"));
	EXPECT_POWER_OFF(vm_stop(vm(VM_G), VM_STOP_SYSTEM_OFF));
	assert_int_equal(rec.failures, 1);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_INFO],
			       "exited with a non-zero status"));
}

static void test_vm_stop_exit_zero_powers_off_normally(void **unused)
{
	(void)unused;
	vm_stop(vm(VM_H), VM_STOP_SYSTEM_OFF);
	vm(VM_G)->exit_status = 0;
	EXPECT_POWER_OFF(vm_stop(vm(VM_G), VM_STOP_EXIT));
	assert_int_equal(rec.power_offs, 1);
	assert_int_equal(rec.failures, 0);
}

static void test_vm_stop_service_stops_its_clients(void **unused)
{
	(void)unused;
	vm(VM_G)->vcpus[0].exits.mmio = 3;
	vm(VM_G)->vcpus[1].exits.mmio = 4;
	vm_stop(vm(VM_SVC), VM_STOP_SYSTEM_OFF);
	assert_int_equal(rec.shutdowns[VM_SVC], 1);
	assert_int_equal(vm(VM_G)->state, VM_STOPPED);
	assert_int_equal(vm(VM_G)->stop_reason, VM_STOP_SERVICE_DEAD);
	assert_int_equal(vm(VM_H)->state, VM_RUNNING);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_WARN],
			       "vm 'g' stopped: its service 'svc' is dead"));
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_INFO],
			       "vm 'g' exits: 7 MMIO"));
	/* The last guest then reports that a service died. */
	EXPECT_POWER_OFF(vm_stop(vm(VM_H), VM_STOP_SYSTEM_OFF));
	assert_int_equal(rec.failures, 1);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_INFO], "a service died"));
}

static void test_vm_stop_kicks_cpus_running_it(void **unused)
{
	(void)unused;
	cpu_table[1].current = &vm(VM_G)->vcpus[1];
	cpu_table[2].current = &vm(VM_H)->vcpus[0];
	rec.busy_kicks_left = 2;
	vm_stop(vm(VM_G), VM_STOP_FAILED);
	assert_int_equal(rec.kicks, 2);
	assert_int_equal(rec.releases[VM_G], 1);
	/* Its SPIs are released once cpu 1 has left it, as vm_reset does:
	 * a vCPU still running could re-enable one in its distributor
	 * (review of issue 15). */
	assert_int_equal(fake_relax_count, 2);
	assert_int_equal(rec.released_while_running, 0);
}

static void test_vm_restart_service_reloads_but_keeps_kept_ram(void **unused)
{
	(void)unused;
	*ram_va(vm(VM_SVC), 0, 0) = 0x11;
	*ram_va(vm(VM_SVC), 0, 100) = 0x22;
	*ram_va(vm(VM_SVC), 1, 8) = 0x33;
	fake_sysreg_cntpct_el0 = 9000;
	service_restart(vm(VM_SVC));
	assert_int_equal(*ram_va(vm(VM_SVC), 0, 0), 0x5c);   /* Image. */
	assert_int_equal(*ram_va(vm(VM_SVC), 0, 100), 0);    /* Zeroed. */
	assert_int_equal(*ram_va(vm(VM_SVC), 1, 8), 0x33);   /* Kept. */
	assert_int_equal(vm(VM_SVC)->reset_count, 1);
	assert_int_equal(rec.resets[VM_SVC], 2);
	assert_int_equal(rec.unmasks[VM_SVC], 1);
	assert_int_equal(fake_tlb_flush_count, 1);
	assert_int_equal(fake_tlb_flush_last_vmid, VM_SVC + 1);
	assert_int_equal(vm(VM_SVC)->ep.deadline, 9000 + TIMEOUT_TICKS);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_WARN],
			       "service 'svc' restarted from its image (restart 1 of at most"));
}

static void test_vm_restart_service_gives_up_after_max(void **unused)
{
	(void)unused;
	vm(VM_SVC)->reset_count = SERVICE_RESTART_MAX - 1;
	service_restart(vm(VM_SVC));
	assert_int_equal(vm(VM_SVC)->state, VM_RUNNING);
	service_restart(vm(VM_SVC));
	assert_int_equal(vm(VM_SVC)->state, VM_STOPPED);
	assert_int_equal(vm(VM_SVC)->stop_reason, VM_STOP_FAILED);
	assert_int_equal(vm(VM_SVC)->reset_count, SERVICE_RESTART_MAX);
	assert_int_equal(vm(VM_G)->state, VM_STOPPED);
	assert_non_null(strstr(fake_log_last[LOG_LEVEL_WARN],
			       "(restarted 64 times)"));
}

static void test_vm_restart_of_guest_panics(void **unused)
{
	(void)unused;
	FAKE_EXPECT_PANIC(service_restart(vm(VM_G)));
	assert_non_null(strstr(fake_panic_msg, "check failed"));
}

static void test_vm_reset_waits_for_other_cpus(void **unused)
{
	(void)unused;
	*ram_va(vm(VM_G), 0, 0) = 0;
	*ram_va(vm(VM_G), 0, SZ_1M) = 0x44;
	*ram_va(vm(VM_G), 1, 16) = 0x45;
	vm(VM_G)->vcpus[1].state = VCPU_RUNNABLE;
	cpu_table[1].current = &vm(VM_G)->vcpus[1];
	rec.busy_kicks_left = 3;
	vm_reset(vm(VM_G));
	/* It dropped the lock and spun until cpu 1 left the VM. */
	assert_int_equal(rec.kicks, 3);
	assert_int_equal(fake_relax_count, 3);
	assert_int_equal(vm(VM_G)->vcpus[1].state, VCPU_OFF);
	assert_int_equal(vm(VM_G)->reset_count, 1);
	assert_int_equal(rec.releases[VM_G], 1);   /* its SPIs, once quiet */
	/* Its service is told (IPC_MSG_RESET), not h's nobody. */
	assert_int_equal(vm(VM_SVC)->ep.events, SERVICE_EVENT_RESET(vm(VM_G)->id));
	assert_int_equal(rec.receiver_wakes[vm(VM_SVC)->id], 1);
	/* Held until its service has handled it: RAM not reloaded yet. */
	assert_true(vm(VM_G)->reset_held);
	assert_int_equal(*ram_va(vm(VM_G), 0, SZ_1M), 0x44);
	assert_int_equal(rec.resets[VM_G], 1);
	assert_int_equal(fake_tlb_flush_count, 0);
	uint64_t msg[IPC_MSG_WORDS] = { 0 };

	assert_true(service_event_take(&vm(VM_SVC)->ep, msg));
	assert_int_equal(msg[0], IPC_MSG_RESET);
	assert_true(vm(VM_G)->reset_held);
	/* The service comes back for more work: the reset is handled. */
	assert_false(service_event_take(&vm(VM_SVC)->ep, msg));
	assert_false(vm(VM_G)->reset_held);
	assert_int_equal(*ram_va(vm(VM_G), 0, 0), image_g[0]);
	assert_int_equal(*ram_va(vm(VM_G), 0, SZ_1M), 0);
	assert_int_equal(*ram_va(vm(VM_G), 1, 16), 0);
	assert_int_equal(rec.resets[VM_G], 2);
	assert_int_equal(vm(VM_G)->state, VM_RUNNING);
	assert_int_equal(fake_tlb_flush_count, 1);
	/* h uses no service: reloaded at once. */
	vm_reset(vm(VM_H));
	assert_false(vm(VM_H)->reset_held);
	assert_int_equal(vm(VM_SVC)->ep.events, 0);
	assert_int_equal(fake_tlb_flush_count, 2);
}

static void test_vm_log_once_per_key(void **unused)
{
	(void)unused;
	vm_log_once(vm(VM_G), 3, "thing %d", 1);
	vm_log_once(vm(VM_G), 3, "thing %d", 2);
	assert_int_equal(fake_log_count[LOG_LEVEL_WARN], 1);
	assert_string_equal(fake_log_last[LOG_LEVEL_WARN],
			    "vm 'g': thing 1 (reported once)");
	/* The last key of each word, and another VM, are apart. */
	vm_log_once(vm(VM_G), 63, "a");
	vm_log_once(vm(VM_G), 64, "b");
	vm_log_once(vm(VM_G), 127, "c");
	vm_log_once(vm(VM_G), 127, "c");
	vm_log_once(vm(VM_H), 3, "d");
	assert_int_equal(fake_log_count[LOG_LEVEL_WARN], 5);
	/* Keys past the table are never remembered. */
	vm_log_once(vm(VM_G), 128, "e");
	vm_log_once(vm(VM_G), 128, "e");
	vm_log_once(vm(VM_G), 1000, "e");
	assert_int_equal(fake_log_count[LOG_LEVEL_WARN], 8);
}

static void test_vm_console_write_lines_and_escapes(void **unused)
{
	(void)unused;
	vm_console_write(vm(VM_G), "hi\x1b[2J\r\x80!\n", 10);
	rec.out[rec.out_len] = '\0';
	assert_string_equal(rec.out, "[g] hi^[[2J?!\n");
	assert_int_equal(vm(VM_G)->console_len, 0);
}

static void test_vm_console_write_cuts_long_lines(void **unused)
{
	char line[LINE_MAX + 5];

	(void)unused;
	memset(line, 'x', sizeof(line));
	vm_console_write(vm(VM_G), line, sizeof(line));
	/* One full line out, the rest waits for its LF. */
	assert_int_equal(rec.out_len, 4 + LINE_MAX + 1);
	assert_int_equal(vm(VM_G)->console_len, 5);
	/* A caret pair never splits across lines. */
	vm(VM_G)->console_len = LINE_MAX - 1;
	rec.out_len = 0;
	vm_console_write(vm(VM_G), "\x01", 1);
	assert_int_equal(vm(VM_G)->console_len, 2);
	/* Stopping the VM flushes its line. */
	rec.out_len = 0;
	vm_stop(vm(VM_H), VM_STOP_FAILED);
	vm_console_write(vm(VM_G), "z", 1);
	vm_stop(vm(VM_SVC), VM_STOP_FAILED);
	assert_int_equal(rec.out_len, 0);
}

static void test_vm_console_share(void **unused)
{
	(void)unused;
	/* Only a service with the log UART passed through. */
	assert_int_equal(vm_console_share(vm(VM_G), RAM_G),
			 HYP_RET_INVALID_PARAMS);
	assert_int_equal(vm_console_share(vm(VM_SVC), RAM_SVC + 4),
			 HYP_RET_INVALID_PARAMS);
	assert_int_equal(vm_console_share(vm(VM_SVC), 0x20000000ULL),
			 HYP_RET_INVALID_ADDRESS);
	/* The line fits in the last bytes of its RAM region, not across the
	 * hole after it. */
	assert_int_equal(vm_console_share(vm(VM_SVC),
					  RAM_SVC + SZ_2M -
						  sizeof(struct hyp_console_line)),
			 SMCCC_SUCCESS);
	assert_int_equal(vm_console_share(vm(VM_SVC), RAM_SVC + SZ_2M - 8),
			 HYP_RET_INVALID_ADDRESS);
	assert_int_equal(vm_console_share(vm(VM_SVC), KEPT_SVC + SZ_2M),
			 HYP_RET_INVALID_ADDRESS);
	rec.shares = 0;
	assert_int_equal(vm_console_share(vm(VM_SVC), RAM_SVC + 0x100), SMCCC_SUCCESS);
	assert_int_equal(rec.shares, 1);
	assert_ptr_equal(rec.shared_owner, vm(VM_SVC));
	assert_ptr_equal(rec.shared_line, ram_va(vm(VM_SVC), 0, 0x100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_vm_create_all_loads_and_starts),
		TEST(test_vm_create_all_maps_devices),
		TEST(test_vm_create_all_maps_grants),
		TEST(test_vm_grant_survives_restart_and_client_reset),
		TEST(test_vm_ram_untouched_guest_blocks_stay_unmapped),
		TEST(test_vm_ram_touch_zeroes_and_maps_its_block),
		TEST(test_vm_ram_touch_is_false_outside_lazy_ram),
		TEST(test_vm_ram_grant_touch_readies_client_block),
		TEST(test_vm_ram_grant_ready_readies_the_range),
		TEST(test_vm_ram_grant_ready_one_block),
		TEST(test_vm_ram_unaligned_grant_ready_at_boot),
		TEST(test_vm_ram_read_guest_never_sees_old_contents),
		TEST(test_vm_ram_reset_zeroes_touched_blocks_only),
		TEST(test_vm_read_guest_stops_at_ram_end_and_devices),
		TEST(test_vm_stop_last_guest_powers_off),
		TEST(test_vm_stop_failed_guest_powers_off_with_failure),
		TEST(test_vm_stop_exit_logs_its_status_and_nonzero_fails),
		TEST(test_vm_stop_exit_zero_powers_off_normally),
		TEST(test_vm_stop_service_stops_its_clients),
		TEST(test_vm_stop_kicks_cpus_running_it),
		TEST(test_vm_restart_service_reloads_but_keeps_kept_ram),
		TEST(test_vm_restart_service_gives_up_after_max),
		TEST(test_vm_restart_of_guest_panics),
		TEST(test_vm_reset_waits_for_other_cpus),
		TEST(test_vm_log_once_per_key),
		TEST(test_vm_console_write_lines_and_escapes),
		TEST(test_vm_console_write_cuts_long_lines),
		TEST(test_vm_console_share),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
