/**
 * libFuzzer harness of the build-time scenario validator (hyp/config.h),
 * linked with the real tools/config_validate.c, and of the kernel's boot
 * check (kernel/core/config_bounds.c).
 *
 * The input is decoded into a whole scenario: platform (none, QEMU virt, or
 * built from the bytes), partitions, RAM, images, loads, devices and IRQs,
 * with addresses that favour the interesting places (2 MiB and 4 KiB
 * multiples, the top of the 40-bit IPA space and of the 64-bit space) and
 * names from a pool that makes them collide, plus names built from the bytes.
 *
 * The validator must never crash (ASan, UBSan), must report one NUL-ended,
 * non-empty sentence per problem it counts, and its answer must agree with
 * an independent oracle written here from the rules in config_validate.c
 * ("Scenario rules" S1-S5, P1-P3, R1-R4, I1-I4, D1-D10, Q1-Q2, G1-G5, and
 * the kernel_sgir rule of hyp/config.h). The oracle
 * computes every end address with 128-bit arithmetic, so it has no
 * wrap-around of its own. A scenario the validator accepts must pass every
 * rule; one it rejects must break at least one. The kernel's boot check,
 * cfg_check_bounds(), must never crash on any scenario and must accept
 * every one the validator accepts (a built kernel never refuses to boot).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "config_validate.h"
#include "hyp/units.h"

typedef unsigned __int128 u128;

/** First IPA beyond the 40-bit IPA space (R3, D2). */
#define IPA_LIMIT ((u128)1 << 40)
/** First address beyond the 64-bit physical address space. */
#define PA_LIMIT ((u128)1 << 64)
/** The log UART window is one page (D4). */
#define UART_SIZE SZ_4K
/** Longest message the validator builds, NUL included. */
#define MSG_MAX 256
/** Strings built from the input: how many and how long. */
#define STR_COUNT  256
#define STR_LEN	   48
#define IMAGES_MAX 6

/** Names that collide on purpose; the last ones break rule P1. */
static const char *const name_pool[] = {
    "guest0",
    "uart",
    "vgic",
    "hello",
    "linux",
    "initrd",
    "dtb",
    "a-z_0123456789-abcdefghijklmnop",	/* CFG_NAME_MAX characters. */
    "a-z_0123456789-abcdefghijklmnopq", /* One too many. */
    "",
    "Bad!",
    NULL,
};

#define NAME_POOL (sizeof(name_pool) / sizeof(name_pool[0]))

/** The QEMU virt machine of tests/host/test_config.c. */
static const struct cfg_platform qemu_virt = {
    .name = "qemu-virt",
    .ram_base = 0x40000000,
    .ram_size = SZ_1G,
    .hyp_reserved = 64 * SZ_1M,
    .mmio_base = 0x08000000,
    .mmio_size = 0x38000000,
    .uart_base = 0x09000000,
    .gicv_base = 0x08040000,
    .gicv_size = 0x2000,
    .spi_first = 32,
    .spi_last = 1019,
    .pci_ecam_base = 0x3f000000,
    .pci_mmio_base = 0x10000000,
    .gic_base = 0x08000000,
    .gic_size = 0x40000,
};

/** Everything one input decodes to. */
struct harness {
	struct cfg_scenario sc;
	struct cfg_platform plat;
	struct cfg_image images[IMAGES_MAX];
	size_t image_count;
	char strings[STR_COUNT][STR_LEN + 1];
	size_t string_count;
	size_t reports;
};

static struct harness h;

/* --- Decoding ------------------------------------------------------------- */

/** A name: from the pool, or built from the input bytes. */
static const char *pick_name(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	char *s;
	size_t len;

	if (sel < 0xe0 || h.string_count >= STR_COUNT) {
		return name_pool[sel % NAME_POOL];
	}
	s = h.strings[h.string_count++];
	len = fuzz_u8(in) % (STR_LEN + 1);
	for (size_t i = 0; i < len; i++) {
		s[i] = (char)fuzz_u8(in);
	}
	s[len] = '\0';
	return s;
}

/** An address or size, mostly at the places where the rules change. */
static uint64_t pick_addr(struct fuzz_in *in)
{
	uint8_t tag = fuzz_u8(in);
	uint64_t k = tag >> 3;

	switch (tag & 7U) {
	case 0:
		return k * SZ_2M;
	case 1:
		return k * SZ_4K;
	case 2:
		return 0x40000000ULL + fuzz_u16(in) * SZ_4K;
	case 3:
		return fuzz_u16(in) * SZ_2M;
	case 4:
		return (uint64_t)(IPA_LIMIT - k * SZ_2M);
	case 5:
		return (uint64_t)(PA_LIMIT - k * SZ_4K);
	case 6:
		return fuzz_u32(in);
	default:
		return fuzz_u64(in);
	}
}

/** A count: mostly within the limit, sometimes anything. */
static size_t pick_count(struct fuzz_in *in, size_t max)
{
	uint8_t sel = fuzz_u8(in);

	return sel == 0xff ? (size_t)fuzz_u64(in) : sel % (max + 2);
}

static void pick_platform(struct fuzz_in *in)
{
	struct cfg_platform *p = &h.plat;

	p->name = pick_name(in);
	p->ram_base = pick_addr(in);
	p->ram_size = pick_addr(in);
	p->hyp_reserved = pick_addr(in);
	p->mmio_base = pick_addr(in);
	p->mmio_size = pick_addr(in);
	p->uart_base = pick_addr(in);
	p->gicv_base = pick_addr(in);
	p->gicv_size = pick_addr(in);
	p->spi_first = fuzz_u16(in);
	p->spi_last = fuzz_u16(in);
}

/* A window's guest SPI (D9): none, the edges of the range, duplicates. */
static const uint32_t window_irqs[8] = { 0, 31, 32, 33, 40, 127, 128, UINT32_MAX };

static void pick_device(struct fuzz_in *in, struct cfg_device *d)
{
	uint8_t kind = fuzz_u8(in);

	d->name = pick_name(in);
	d->kind = (enum cfg_dev_kind)(kind == 0xff ? fuzz_u32(in) : kind % 4);
	d->kernel_sgir = kind != 0xff && (kind & 0x80) != 0;
	d->irq = kind == 0xff ? 0 : window_irqs[(kind >> 2) % 8];
	d->ipa = pick_addr(in);
	d->size = pick_addr(in);
	if (d->kind == CFG_DEV_PASSTHROUGH) {
		d->pa = pick_addr(in);
	} else if (d->kind == CFG_DEV_EMULATED) {
		d->service = pick_name(in);
	}
}

static void pick_vm(struct fuzz_in *in, struct cfg_vm *vm)
{
	uint8_t kind = fuzz_u8(in);
	uint8_t entry = fuzz_u8(in);

	vm->name = pick_name(in);
	vm->kind = (enum cfg_vm_kind)(kind == 0xff ? fuzz_u32(in) : kind % 3);
	vm->vcpu_count = fuzz_u8(in) % (CFG_MAX_VCPUS + 2);
	vm->image = pick_name(in);
	vm->image_ipa = pick_addr(in);
	/* Entry mostly a little after the image base. */
	vm->entry = entry == 0xff ? pick_addr(in) : vm->image_ipa + entry * 8U;
	vm->ram_count = pick_count(in, CFG_MAX_RAM);
	for (size_t r = 0; r < CFG_MAX_RAM && r < vm->ram_count; r++) {
		vm->ram[r].ipa = pick_addr(in);
		vm->ram[r].size = pick_addr(in);
		vm->ram[r].keep = (fuzz_u8(in) & 0x7) == 0;
	}
	vm->load_count = pick_count(in, CFG_MAX_LOADS);
	for (size_t l = 0; l < CFG_MAX_LOADS && l < vm->load_count; l++) {
		vm->loads[l].image = pick_name(in);
		vm->loads[l].ipa = pick_addr(in);
	}
	vm->device_count = pick_count(in, CFG_MAX_DEVICES);
	for (size_t d = 0; d < CFG_MAX_DEVICES && d < vm->device_count; d++) {
		pick_device(in, &vm->devices[d]);
	}
	vm->irq_count = pick_count(in, CFG_MAX_IRQS);
	for (size_t q = 0; q < CFG_MAX_IRQS && q < vm->irq_count; q++) {
		uint8_t sel = fuzz_u8(in);

		vm->irqs[q] = sel == 0xff ? fuzz_u32(in) : 30U + sel % 8U;
	}
}

static void decode(struct fuzz_in *in)
{
	uint8_t plat = fuzz_u8(in);

	memset(&h, 0, sizeof(h));
	h.sc.name = pick_name(in);
	if (plat % 3 == 1) {
		h.plat = qemu_virt;
		h.sc.platform = &h.plat;
	} else if (plat % 3 == 2) {
		pick_platform(in);
		h.sc.platform = &h.plat;
	}
	h.image_count = fuzz_u8(in) % (IMAGES_MAX + 1);
	for (size_t i = 0; i < h.image_count; i++) {
		h.images[i].name = pick_name(in);
		h.images[i].size = pick_addr(in);
	}
	h.sc.vm_count = pick_count(in, CFG_MAX_VMS);
	for (size_t i = 0; i < CFG_MAX_VMS && i < h.sc.vm_count; i++) {
		pick_vm(in, &h.sc.vms[i]);
	}
	/* A random platform's PCIe frames (D10) come last, so that seeds
	 * written before them decode as before (no bytes left: none). */
	if (plat % 3 == 2) {
		h.plat.pci_ecam_base = pick_addr(in);
		h.plat.pci_mmio_base = pick_addr(in);
		h.plat.gic_base = pick_addr(in);
		h.plat.gic_size = pick_addr(in);
	}
	/* Grants (G1-G5) last too, for the same reason. */
	for (size_t i = 0; i < CFG_MAX_VMS && i < h.sc.vm_count; i++) {
		struct cfg_vm *vm = &h.sc.vms[i];

		vm->grant_count = pick_count(in, CFG_MAX_GRANTS);
		for (size_t g = 0; g < CFG_MAX_GRANTS && g < vm->grant_count;
		     g++) {
			vm->grants[g].client = pick_name(in);
			vm->grants[g].client_ipa = pick_addr(in);
			vm->grants[g].size = pick_addr(in);
			vm->grants[g].ipa = pick_addr(in);
		}
	}
}

/* --- The oracle ----------------------------------------------------------- */

/** Why the oracle refuses a scenario (the first rule found broken). */
static const char *broken;

static bool fail(const char *rule)
{
	if (broken == NULL) {
		broken = rule;
	}
	return false;
}

static bool empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

static bool same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/** [ib, ib + il) inside [ob, ob + ol), in exact arithmetic. */
static bool inside(u128 ob, u128 ol, u128 ib, u128 il)
{
	return ib >= ob && ib + il <= ob + ol;
}

/** Two non-empty windows share a byte, in exact arithmetic. */
static bool overlap(u128 a, u128 al, u128 b, u128 bl)
{
	return al != 0 && bl != 0 && a < b + bl && b < a + al;
}

static size_t vm_count(void)
{
	return h.sc.vm_count < CFG_MAX_VMS ? h.sc.vm_count : CFG_MAX_VMS;
}

static const struct cfg_image *image(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < h.image_count; i++) {
		if (same(h.images[i].name, name)) {
			return &h.images[i];
		}
	}
	return NULL;
}

/** P1: 1..CFG_NAME_MAX characters of [a-z0-9_-], unique. */
static bool name_ok(size_t i)
{
	const char *name = h.sc.vms[i].name;
	size_t len;

	if (empty(name)) {
		return fail("P1 no name");
	}
	len = strlen(name);
	if (len > CFG_NAME_MAX) {
		return fail("P1 name too long");
	}
	for (size_t k = 0; k < len; k++) {
		char c = name[k];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-')) {
			return fail("P1 character");
		}
	}
	for (size_t k = 0; k < i; k++) {
		if (same(name, h.sc.vms[k].name)) {
			return fail("P1 unique");
		}
	}
	return true;
}

/** P2, P3. */
static bool basics_ok(const struct cfg_vm *vm)
{
	if (vm->kind != CFG_VM_GUEST && vm->kind != CFG_VM_SERVICE) {
		return fail("P2 kind");
	}
	if (vm->kind == CFG_VM_SERVICE && vm->vcpu_count > 1 &&
	    vm->vcpu_count <= CFG_MAX_VCPUS) {
		return fail("P3 a service with more than one vCPU");
	}
	if (vm->vcpu_count < 1 || vm->vcpu_count > CFG_MAX_VCPUS ||
	    vm->ram_count < 1 || vm->ram_count > CFG_MAX_RAM ||
	    vm->device_count > CFG_MAX_DEVICES ||
	    vm->irq_count > CFG_MAX_IRQS) {
		return fail("P3 counts");
	}
	return true;
}

/** R1, R2, R3, R4 (with the device windows) and R5. */
static bool ram_ok(const struct cfg_vm *vm)
{
	u128 base[CFG_MAX_RAM + CFG_MAX_DEVICES];
	u128 size[CFG_MAX_RAM + CFG_MAX_DEVICES];
	size_t n = 0;
	size_t kept = 0;

	for (size_t r = 0; r < vm->ram_count; r++) {
		const struct cfg_ram *ram = &vm->ram[r];

		if (ram->size == 0) {
			return fail("R1 size 0");
		}
		if (ram->ipa % SZ_2M != 0 || ram->size % SZ_2M != 0) {
			return fail("R2 alignment");
		}
		if ((u128)ram->ipa + ram->size > IPA_LIMIT) {
			return fail("R3 IPA space");
		}
		base[n] = ram->ipa;
		size[n++] = ram->size;
		kept += ram->keep;
	}
	if (kept > (vm->kind == CFG_VM_SERVICE ? 1U : 0U)) {
		return fail("R5 kept RAM");
	}
	for (size_t d = 0; d < vm->device_count; d++) {
		base[n] = vm->devices[d].ipa;
		size[n++] = vm->devices[d].size;
	}
	for (size_t a = 0; a < n; a++) {
		for (size_t b = a + 1; b < n; b++) {
			if (overlap(base[a], size[a], base[b], size[b])) {
				return fail("R4 overlap");
			}
		}
	}
	return true;
}

/** An image of @p size at @p ipa lies inside one RAM region, not kept (I2). */
static bool in_ram(const struct cfg_vm *vm, uint64_t ipa, uint64_t size)
{
	for (size_t r = 0; r < vm->ram_count; r++) {
		if (!vm->ram[r].keep && inside(vm->ram[r].ipa, vm->ram[r].size, ipa, size)) {
			return true;
		}
	}
	return false;
}

/** I1-I4. */
static bool image_ok(const struct cfg_vm *vm)
{
	const struct cfg_image *img[CFG_MAX_LOADS + 1];
	uint64_t at[CFG_MAX_LOADS + 1];

	img[0] = image(vm->image);
	at[0] = vm->image_ipa;
	if (img[0] == NULL) {
		return fail("I1 image");
	}
	if (!in_ram(vm, vm->image_ipa, img[0]->size)) {
		return fail("I2 image outside RAM");
	}
	if (!inside(vm->image_ipa, img[0]->size, vm->entry, 1)) {
		return fail("I3 entry");
	}
	if (vm->load_count > CFG_MAX_LOADS) {
		return fail("I4 load count");
	}
	for (size_t l = 0; l < vm->load_count; l++) {
		img[l + 1] = image(vm->loads[l].image);
		at[l + 1] = vm->loads[l].ipa;
		if (img[l + 1] == NULL) {
			return fail("I4 load image");
		}
		if (!in_ram(vm, at[l + 1], img[l + 1]->size)) {
			return fail("I4 load outside RAM");
		}
	}
	for (size_t a = 0; a <= vm->load_count; a++) {
		for (size_t b = a + 1; b <= vm->load_count; b++) {
			if (overlap(at[a], img[a]->size, at[b], img[b]->size)) {
				return fail("I4 images overlap");
			}
		}
	}
	return true;
}

/** A physical window, if it is one: inside the 64-bit space. */
static bool pa_ok(const struct cfg_device *d)
{
	return (u128)d->pa + d->size <= PA_LIMIT;
}

/** D10: a frame the kernel uses (base 0: none; one past 2^64: ignored). */
static bool kernel_frame(const struct cfg_device *d, uint64_t base, uint64_t len)
{
	return base != 0 && (u128)base + len <= (u128)1 << 64 &&
	       overlap(d->pa, d->size, base, len);
}

/** D9: the virtual SPIs are 32..127 (a 128-ID distributor); a passthrough
 * window's is also one of the partition's irqs. */
static bool window_irq_ok(const struct cfg_vm *vm, const struct cfg_device *d)
{
	bool owned = false;

	if (d->irq == 0) {
		return true;
	}
	if ((d->kind != CFG_DEV_EMULATED && d->kind != CFG_DEV_PASSTHROUGH) ||
	    d->irq < 32 || d->irq > 127) {
		return fail("D9 irq");
	}
	for (size_t q = 0; q < vm->irq_count && q < CFG_MAX_IRQS; q++) {
		owned = owned || vm->irqs[q] == d->irq;
	}
	if (d->kind == CFG_DEV_PASSTHROUGH && !owned) {
		return fail("D9 passthrough irq not passed through");
	}
	for (const struct cfg_device *o = vm->devices; o < d; o++) {
		if (o->irq == d->irq) {
			return fail("D9 irq twice");
		}
	}
	return true;
}

/** D1-D4, D6-D9 for one device of partition @p vm. */
static bool device_ok(size_t i, const struct cfg_device *d)
{
	const struct cfg_vm *vm = &h.sc.vms[i];
	const struct cfg_platform *p = h.sc.platform;
	int svc = -1;

	if (empty(d->name)) {
		return fail("D1 name");
	}
	if (!window_irq_ok(vm, d)) {
		return false;
	}
	if (d->size == 0 || d->ipa % SZ_4K != 0 || d->size % SZ_4K != 0 ||
	    (u128)d->ipa + d->size > IPA_LIMIT) {
		return fail("D2 window");
	}
	/* config.h: kernel_sgir only on an emulated distributor window that
	 * holds GICD_SGIR. */
	if (d->kernel_sgir && (d->kind != CFG_DEV_EMULATED ||
			       d->size < GICD_SGIR + 4)) {
		return fail("kernel_sgir window");
	}
	switch (d->kind) {
	case CFG_DEV_PASSTHROUGH:
		if (d->pa % SZ_4K != 0 || !pa_ok(d) ||
		    !inside(p->mmio_base, p->mmio_size, d->pa, d->size)) {
			return fail("D3 pa");
		}
		if (vm->kind != CFG_VM_SERVICE &&
		    overlap(d->pa, d->size, p->uart_base, UART_SIZE)) {
			return fail("D4 log UART to a guest");
		}
		if (kernel_frame(d, p->pci_ecam_base, CFG_PCI_ECAM_BUS_SIZE) ||
		    kernel_frame(d, p->pci_mmio_base, CFG_PCI_BAR_SIZE) ||
		    (p->gic_size != 0 &&
		     kernel_frame(d, p->gic_base, p->gic_size))) {
			return fail("D10 the kernel's PCIe or GIC frames");
		}
		return true;
	case CFG_DEV_EMULATED:
		if (vm->kind == CFG_VM_SERVICE) {
			return fail("D7 chaining");
		}
		for (size_t k = 0; k < vm_count() && d->service != NULL; k++) {
			if (same(h.sc.vms[k].name, d->service)) {
				svc = (int)k;
				break;
			}
		}
		if (svc < 0 || (size_t)svc == i ||
		    h.sc.vms[svc].kind != CFG_VM_SERVICE) {
			return fail("D6 service");
		}
		return true;
	case CFG_DEV_GICV:
		if (vm->kind != CFG_VM_GUEST || p->gicv_size == 0 ||
		    d->size != p->gicv_size) {
			return fail("D8 GICV");
		}
		return true;
	default:
		return fail("D1 kind");
	}
}

/** D5: no two passthrough windows of the scenario overlap. */
static bool grants_ok(void)
{
	for (size_t i = 0; i < vm_count(); i++) {
		const struct cfg_vm *a = &h.sc.vms[i];

		for (size_t j = 0; j < a->device_count; j++) {
			const struct cfg_device *x = &a->devices[j];

			for (size_t k = i; k < vm_count(); k++) {
				const struct cfg_vm *b = &h.sc.vms[k];

				for (size_t l = k == i ? j + 1 : 0;
				     l < b->device_count; l++) {
					const struct cfg_device *y =
					    &b->devices[l];

					if (x->kind == CFG_DEV_PASSTHROUGH &&
					    y->kind == CFG_DEV_PASSTHROUGH &&
					    overlap(x->pa, x->size, y->pa,
						    y->size)) {
						return fail("D5 granted twice");
					}
				}
			}
		}
	}
	return true;
}

/** Q3, Q4 for SPI @p irq of guest @p vm, passed through to it. */
static bool passthrough_irq_ok(const struct cfg_vm *vm, uint32_t irq)
{
	bool distributor = false;

	for (size_t d = 0; d < vm->device_count; d++) {
		const struct cfg_device *dev = &vm->devices[d];

		if (dev->kind != CFG_DEV_EMULATED) {
			continue;
		}
		if (dev->irq == irq) {
			return fail("Q4 also a window's SPI");
		}
		distributor = distributor || dev->kernel_sgir;
	}
	return distributor || fail("Q3 no distributor");
}

/** Q1..Q4. */
static bool irqs_ok(void)
{
	const struct cfg_platform *p = h.sc.platform;

	for (size_t i = 0; i < vm_count(); i++) {
		const struct cfg_vm *a = &h.sc.vms[i];

		for (size_t q = 0; q < a->irq_count; q++) {
			uint32_t irq = a->irqs[q];

			/* ... and one of the 64 notification bits:
			 * SPIs 32..95. */
			if (irq < p->spi_first || irq > p->spi_last ||
			    irq < 32 || irq > 95) {
				return fail("Q1 range");
			}
			if (a->kind == CFG_VM_GUEST &&
			    !passthrough_irq_ok(a, irq)) {
				return false;
			}
			for (size_t k = 0; k <= i; k++) {
				const struct cfg_vm *b = &h.sc.vms[k];
				size_t n = k == i ? q : b->irq_count;

				for (size_t l = 0; l < n; l++) {
					if (b->irqs[l] == irq) {
						return fail("Q2 owned twice");
					}
				}
			}
		}
	}
	return true;
}

/** S5 with exact sums. */
static bool total_ram_ok(void)
{
	const struct cfg_platform *p = h.sc.platform;
	u128 total = 0;
	u128 avail =
	    p->ram_size > p->hyp_reserved ? p->ram_size - p->hyp_reserved : 0;

	for (size_t i = 0; i < vm_count(); i++) {
		for (size_t r = 0; r < h.sc.vms[i].ram_count; r++) {
			total += h.sc.vms[i].ram[r].size;
		}
	}
	return total <= avail || fail("S5 total RAM");
}

/** G2-G5 for grant @p g of service @p i. */
static bool grant_ok(size_t i, size_t g)
{
	const struct cfg_vm *vm = &h.sc.vms[i];
	const struct cfg_grant *gr = &vm->grants[g];
	const struct cfg_vm *c = NULL;
	bool served = false, in = false;

	for (size_t k = 0; k < vm_count() && c == NULL; k++) {
		if (same(h.sc.vms[k].name, gr->client)) {
			c = &h.sc.vms[k];
		}
	}
	if (c == NULL || c->kind != CFG_VM_GUEST) {
		return fail("G2 client");
	}
	for (size_t d = 0; d < c->device_count; d++) {
		served = served || (c->devices[d].kind == CFG_DEV_EMULATED &&
				    same(c->devices[d].service, vm->name));
	}
	if (!served) {
		return fail("G2 not served");
	}
	if (gr->size == 0 || gr->client_ipa % SZ_4K != 0 ||
	    gr->size % SZ_4K != 0 || gr->ipa % SZ_4K != 0) {
		return fail("G3 pages");
	}
	for (size_t r = 0; r < c->ram_count; r++) {
		in = in || inside(c->ram[r].ipa, c->ram[r].size, gr->client_ipa,
				  gr->size);
	}
	if (!in) {
		return fail("G4 outside the client's RAM");
	}
	if ((u128)gr->ipa + gr->size > IPA_LIMIT) {
		return fail("G5 IPA space");
	}
	for (size_t r = 0; r < vm->ram_count; r++) {
		if (overlap(gr->ipa, gr->size, vm->ram[r].ipa, vm->ram[r].size)) {
			return fail("G5 over RAM");
		}
	}
	for (size_t d = 0; d < vm->device_count; d++) {
		if (overlap(gr->ipa, gr->size, vm->devices[d].ipa,
			    vm->devices[d].size)) {
			return fail("G5 over a window");
		}
	}
	for (size_t o = 0; o < g; o++) {
		if (overlap(gr->ipa, gr->size, vm->grants[o].ipa,
			    vm->grants[o].size)) {
			return fail("G5 over a grant");
		}
	}
	return true;
}

/** G1-G5 for every partition. */
static bool vm_grants_ok(void)
{
	for (size_t i = 0; i < vm_count(); i++) {
		const struct cfg_vm *vm = &h.sc.vms[i];

		if (vm->grant_count == 0) {
			continue;
		}
		if (vm->kind != CFG_VM_SERVICE ||
		    vm->grant_count > CFG_MAX_GRANTS) {
			return fail("G1 grants");
		}
		for (size_t g = 0; g < vm->grant_count; g++) {
			if (!grant_ok(i, g)) {
				return false;
			}
		}
	}
	return true;
}

/** Every rule; true if the scenario is valid. */
static bool oracle(void)
{
	bool guest = false;

	broken = NULL;
	if (empty(h.sc.name)) {
		return fail("S1 name");
	}
	if (h.sc.platform == NULL) {
		return fail("S2 platform");
	}
	if (h.sc.vm_count < 1 || h.sc.vm_count > CFG_MAX_VMS) {
		return fail("S3 partitions");
	}
	for (size_t i = 0; i < vm_count(); i++) {
		const struct cfg_vm *vm = &h.sc.vms[i];

		/* Counts first: the other rules index the arrays. */
		if (!name_ok(i) || !basics_ok(vm) || !ram_ok(vm) ||
		    !image_ok(vm)) {
			return false;
		}
		for (size_t d = 0; d < vm->device_count; d++) {
			if (!device_ok(i, &vm->devices[d])) {
				return false;
			}
		}
		guest |= vm->kind == CFG_VM_GUEST;
	}
	if (!guest) {
		return fail("S4 no guest");
	}
	return grants_ok() && irqs_ok() && total_ram_ok() && vm_grants_ok();
}

/* --- The harness ---------------------------------------------------------- */

static void on_report(void *ctx, const char *msg)
{
	size_t len = strnlen(msg, MSG_MAX);

	(void)ctx;
	FUZZ_CHECK(len > 0 && len < MSG_MAX, "message of %zu characters", len);
	h.reports++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	size_t problems;
	bool valid;

	fuzz_in_init(&in, data, size);
	decode(&in);
	problems =
	    cfg_validate(&h.sc, h.images, h.image_count, on_report, NULL);
	FUZZ_CHECK(problems == h.reports, "%zu problems, %zu reports", problems,
		   h.reports);
	valid = oracle();
	/* For seed authors: FUZZ_SHOW=1 fuzz_config SEED tells the verdict. */
	if (getenv("FUZZ_SHOW") != NULL) {
		fprintf(stderr, "valid %d (rule %s), %zu problems\n", valid,
			broken != NULL ? broken : "-", problems);
	}
	FUZZ_CHECK(problems != 0 || valid,
		   "accepted a scenario that breaks rule %s", broken);
	FUZZ_CHECK(problems == 0 || !valid,
		   "rejected a valid scenario (%zu problems)", problems);
	/* The kernel's boot check: safe on anything, never stricter. */
	char why[CFG_BOUNDS_MSG_MAX];
	bool bounds_ok = cfg_check_bounds(&h.sc, why, sizeof(why));

	FUZZ_CHECK(bounds_ok || problems != 0,
		   "the kernel refuses a scenario the build accepts: %s", why);
	/* Without a report callback the count is the same. */
	FUZZ_CHECK(cfg_validate(&h.sc, h.images, h.image_count, NULL, NULL) ==
		       problems,
		   "count without a callback");
	return 0;
}
