/**
 * Unit tests for the build-time scenario validator (tools/config_validate.c).
 *
 * Every test starts from the same valid scenario on a QEMU virt platform,
 * breaks one thing, and checks both how many problems are found and that the
 * message names the partition, the item and what is wrong.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_validate.h"
#include "hyp/units.h"

#define MAX_MSGS 32
#define MSG_LEN 256

/** A valid scenario, its platform and images, and what the validator said. */
struct fixture {
	struct cfg_platform plat;
	struct cfg_scenario sc;
	struct cfg_image images[4];
	size_t image_count;
	char msgs[MAX_MSGS][MSG_LEN];
	size_t msg_count;
};

/** Report callback: store each message (and fail on an overflowing one). */
static void store_msg(void *ctx, const char *msg)
{
	struct fixture *f = ctx;

	assert_non_null(msg);
	assert_true(strlen(msg) > 0);
	assert_true(strlen(msg) < MSG_LEN);
	if (f->msg_count < MAX_MSGS) {
		strcpy(f->msgs[f->msg_count], msg);
	}
	f->msg_count++;
}

/** The QEMU virt machine with 1 GiB of RAM. */
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

/** guest0: 16 MiB, one passthrough and one emulated window, SPI 33
 * passed through (the emulated window is its distributor, kernel_sgir, as
 * rule Q3 wants of a guest that owns an SPI). */
static const struct cfg_vm guest0 = {
	.name = "guest0",
	.kind = CFG_VM_GUEST,
	.vcpu_count = 1,
	.image = "hello",
	.image_ipa = 0x40080000,
	.entry = 0x40080000,
	.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
	.ram_count = 1,
	.devices = {
		{
			.name = "uart0",
			.kind = CFG_DEV_PASSTHROUGH,
			.ipa = 0x09000000,
			.pa = 0x09010000,
			.size = 0x1000,
		},
		{
			.name = "vuart",
			.kind = CFG_DEV_EMULATED,
			.ipa = 0x09100000,
			.size = 0x1000,
			.service = "uart",
			.kernel_sgir = true,
		},
	},
	.device_count = 2,
	.irqs = { 33 },
	.irq_count = 1,
};

/** uart: the service partition that emulates guest0's vuart. */
static const struct cfg_vm uart_service = {
	.name = "uart",
	.kind = CFG_VM_SERVICE,
	.vcpu_count = 1,
	.image = "uart",
	.image_ipa = 0x40000000,
	.entry = 0x40000100,
	.ram = { { .ipa = 0x40000000, .size = 2 * SZ_1M } },
	.ram_count = 1,
	.irqs = { 34 },
	.irq_count = 1,
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->plat = qemu_virt;
	f->sc.name = "demo";
	f->sc.platform = &f->plat;
	f->sc.vms[0] = guest0;
	f->sc.vms[1] = uart_service;
	f->sc.vm_count = 2;
	f->images[0] = (struct cfg_image){ .name = "hello", .size = 0x10000 };
	f->images[1] = (struct cfg_image){ .name = "uart", .size = 0x8000 };
	f->image_count = 2;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/** Validate the fixture's scenario; returns the number of problems. */
static size_t run(struct fixture *f)
{
	size_t n = cfg_validate(&f->sc, f->images, f->image_count, store_msg,
				f);

	assert_int_equal(n, f->msg_count);
	return n;
}

/**
 * True if message @p idx contains every one of the NULL-terminated words;
 * prints the messages otherwise, so a failure shows what was said.
 */
static bool msg_has(const struct fixture *f, size_t idx, ...)
{
	const char *word;
	bool ok = idx < f->msg_count && idx < MAX_MSGS;
	va_list ap;
	size_t i;

	va_start(ap, idx);
	while ((word = va_arg(ap, const char *)) != NULL) {
		if (ok && strstr(f->msgs[idx], word) == NULL) {
			fprintf(stderr, "missing \"%s\"\n", word);
			ok = false;
		}
	}
	va_end(ap);
	if (!ok) {
		for (i = 0; i < f->msg_count && i < MAX_MSGS; i++) {
			fprintf(stderr, "msg %zu: %s\n", i, f->msgs[i]);
		}
	}
	return ok;
}

static struct cfg_vm *vm0(void **state)
{
	return &((struct fixture *)*state)->sc.vms[0];
}

/** guest0's vuart as a plain emulated window, not a distributor (which
 * must hold GICD_SGIR), and guest0 owning no SPI (Q3). */
static struct cfg_device *plain_vuart(void **state)
{
	vm0(state)->devices[1].kernel_sgir = false;
	vm0(state)->irq_count = 0;
	return &vm0(state)->devices[1];
}

/* --- Valid scenarios ----------------------------------------------------- */

static void test_cfg_validate_valid_base(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f), 0);
}

static void test_cfg_validate_valid_limits(void **state)
{
	static const char *const names[] = { "g2", "g3", "g4", "g5", "g6",
					      "g7" };
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);
	size_t i;

	/* Longest name of all allowed characters, most vCPUs, SPI bounds. */
	vm->name = "a-z_0123456789-abcdefghijklmnop";
	assert_int_equal(strlen(vm->name), CFG_NAME_MAX);
	vm->vcpu_count = CFG_MAX_VCPUS;
	vm->irqs[1] = 32;
	vm->irqs[2] = 95;    /* The last SPI with a notification bit. */
	vm->irq_count = 3;
	vm->devices[1].irq = 127;   /* The last virtual SPI (D9). */
	/* A region that ends exactly at the top of the 40-bit IPA space. */
	vm->ram[1] = (struct cfg_ram){ .ipa = (1ULL << 40) - SZ_2M,
				       .size = SZ_2M };
	vm->ram_count = 2;
	/* The most partitions, each further guest with 2 MiB. */
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct cfg_vm *g = &f->sc.vms[2 + i];

		*g = uart_service;
		g->name = names[i];
		g->kind = CFG_VM_GUEST;
		g->irq_count = 0;
	}
	f->sc.vm_count = CFG_MAX_VMS;
	/* All RAM the platform leaves over: 16 + 2 + 930 + 6 * 2 = 960 MiB. */
	f->sc.vms[1].ram[0].size = 930 * SZ_1M;
	assert_int_equal(run(f), 0);
}

/* --- Scenario rules (S1..S5) --------------------------------------------- */

static void test_cfg_validate_null_scenario(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_validate(NULL, f->images, 2, store_msg, f), 1);
	assert_true(msg_has(f, 0, "no scenario", NULL));
}

static void test_cfg_validate_null_report(void **state)
{
	struct fixture *f = *state;

	f->sc.name = "";
	assert_int_equal(cfg_validate(&f->sc, f->images, 2, NULL, NULL), 1);
}

static void test_cfg_validate_scenario_no_name(void **state)
{
	struct fixture *f = *state;

	f->sc.name = NULL;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "scenario", "has no name", NULL));
	f->msg_count = 0;
	f->sc.name = "";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "scenario", "has no name", NULL));
}

static void test_cfg_validate_no_platform(void **state)
{
	struct fixture *f = *state;

	f->sc.platform = NULL;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "scenario 'demo'", "no platform", NULL));
}

static void test_cfg_validate_no_vms(void **state)
{
	struct fixture *f = *state;

	f->sc.vm_count = 0;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "scenario 'demo'", "lists 0 partitions",
			    "1..8", NULL));
}

static void test_cfg_validate_too_many_vms(void **state)
{
	struct fixture *f = *state;

	f->sc.vm_count = CFG_MAX_VMS + 1;
	/* Clamped to 8: vms[2..7] are empty and each reports its problems. */
	assert_true(run(f) > 1);
	assert_true(msg_has(f, 0, "scenario 'demo'", "lists 9 partitions",
			    "1..8", NULL));
}

static void test_cfg_validate_no_guest(void **state)
{
	struct fixture *f = *state;

	f->sc.vms[0] = f->sc.vms[1];
	f->sc.vms[0].name = "uart2";
	f->sc.vms[0].irq_count = 0;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "scenario 'demo'", "no partition of kind",
			    "GUEST", NULL));
}

static void test_cfg_validate_total_ram(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	/* 16 + 2 + 944 MiB = 962 MiB, but 1024 - 64 = 960 MiB are left. */
	vm->ram[1] = (struct cfg_ram){ .ipa = 0x80000000, .size = 944 * SZ_1M };
	vm->ram_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "scenario 'demo'", "962 MiB", "960 MiB",
			    "ram_size 0x40000000", "hyp_reserved 0x4000000",
			    NULL));
}

static void test_cfg_validate_total_ram_reserved_too_big(void **state)
{
	struct fixture *f = *state;

	f->plat.hyp_reserved = 2 * SZ_1G;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "18 MiB", "leaves only 0x0 bytes", NULL));
}

/* --- Partition rules (P1..P3) -------------------------------------------- */

static void test_cfg_validate_vm_no_name(void **state)
{
	struct fixture *f = *state;

	vm0(state)->name = NULL;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm #0 has no name", NULL));
	f->msg_count = 0;
	vm0(state)->name = "";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm #0 has no name", NULL));
}

static void test_cfg_validate_vm_name_too_long(void **state)
{
	struct fixture *f = *state;

	vm0(state)->name = "abcdefghijklmnopqrstuvwxyz012345";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'abcdefghijklmnopqrstuvwxyz012345'",
			    "longer than 31 characters", NULL));
}

static void test_cfg_validate_vm_name_very_long_is_shortened(void **state)
{
	struct fixture *f = *state;
	static char name[200];

	memset(name, 'a', sizeof(name) - 1);
	vm0(state)->name = name;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "...'", "longer than 31", NULL));
}

static void test_cfg_validate_vm_name_bad_char(void **state)
{
	struct fixture *f = *state;

	vm0(state)->name = "Guest 0";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'Guest 0'", "invalid character 'G'",
			    "position 0", NULL));
	f->msg_count = 0;
	vm0(state)->name = "guest\t0";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "invalid character 0x9", "position 5",
			    NULL));
}

static void test_cfg_validate_vm_name_duplicate(void **state)
{
	struct fixture *f = *state;

	f->sc.vms[2] = guest0;
	f->sc.vms[2].ram[0].size = SZ_2M;
	f->sc.vms[2].device_count = 1;
	f->sc.vms[2].devices[0].pa = 0x09020000;
	f->sc.vms[2].irq_count = 0;
	f->sc.vms[2].image_ipa = 0x40000000;
	f->sc.vms[2].entry = 0x40000000;
	f->sc.vm_count = 3;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "already used by partition #0",
			    NULL));
}

static void test_cfg_validate_vm_bad_kind(void **state)
{
	struct fixture *f = *state;

	f->sc.vms[1].kind = (enum cfg_vm_kind)7;
	assert_int_equal(run(f), 2);
	/* guest0's vuart is no longer served by a service partition. */
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'vuart'",
			    "not a service partition", NULL));
	assert_true(msg_has(f, 1, "vm 'uart'", "kind 7", NULL));
}

static void test_cfg_validate_vcpu_count(void **state)
{
	struct fixture *f = *state;

	vm0(state)->vcpu_count = 0;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "vcpu_count is 0", "1..8",
			    NULL));
	f->msg_count = 0;
	vm0(state)->vcpu_count = CFG_MAX_VCPUS + 1;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "vcpu_count is 9", NULL));
}

static void test_cfg_validate_ram_count_zero(void **state)
{
	struct fixture *f = *state;

	vm0(state)->ram_count = 0;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "ram_count is 0", "1..4",
			    NULL));
}

static void test_cfg_validate_ram_count_too_big(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);
	size_t r;

	for (r = 1; r < CFG_MAX_RAM; r++) {
		vm->ram[r] = (struct cfg_ram){ .ipa = 0x80000000 + r * SZ_1G,
					       .size = SZ_2M };
	}
	vm->ram_count = CFG_MAX_RAM + 1;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "ram_count is 5", NULL));
}

static void test_cfg_validate_device_count(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);
	size_t d;

	for (d = 2; d < CFG_MAX_DEVICES; d++) {
		vm->devices[d] = guest0.devices[1];
		vm->devices[d].ipa = 0x09100000 + d * SZ_4K;
	}
	vm->device_count = CFG_MAX_DEVICES;
	assert_int_equal(run(f), 0);
	vm->device_count = CFG_MAX_DEVICES + 1;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device_count is 9",
			    "at most 8", NULL));
}

static void test_cfg_validate_irq_count(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);
	size_t q;

	for (q = 0; q < CFG_MAX_IRQS; q++) {
		vm->irqs[q] = 40 + (uint32_t)q;
	}
	vm->irq_count = CFG_MAX_IRQS + 1;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "irq_count is 9",
			    "at most 8", NULL));
}

/* --- RAM rules (R1..R4) -------------------------------------------------- */

static void test_cfg_validate_ram_size_zero(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->ram[1] = (struct cfg_ram){ .ipa = 0x80000000, .size = 0 };
	vm->ram_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "ram region 1",
			    "0x80000000", "size 0", NULL));
}

static void test_cfg_validate_ram_unaligned_ipa(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->ram[1] = (struct cfg_ram){ .ipa = 0x80001000, .size = SZ_2M };
	vm->ram_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "ram region 1",
			    "[0x80001000, 0x80201000)", "2 MiB aligned", NULL));
}

static void test_cfg_validate_ram_unaligned_size(void **state)
{
	struct fixture *f = *state;

	vm0(state)->ram[0].size = 16 * SZ_1M + SZ_1M;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "ram region 0",
			    "2 MiB aligned", NULL));
}

static void test_cfg_validate_ram_beyond_ipa_space(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->ram[1] = (struct cfg_ram){ .ipa = (1ULL << 40) - SZ_2M,
				       .size = 2 * SZ_2M };
	vm->ram_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "ram region 1",
			    "40-bit IPA space", NULL));
}

static void test_cfg_validate_ram_wraps_around(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	/* Wraps to [.., 0x200000): beyond the IPA space, not an overlap. */
	vm->ram[1] = (struct cfg_ram){ .ipa = 0xffffffffffe00000ULL,
				       .size = 2 * SZ_2M };
	vm->ram_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "ram region 1", "40-bit IPA space", NULL));
}

static void test_cfg_validate_ram_overlaps_ram(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->ram[1] = (struct cfg_ram){ .ipa = 0x40e00000, .size = SZ_2M * 2 };
	vm->ram_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0': ram region 0",
			    "[0x40000000, 0x41000000)", "overlaps ram region 1",
			    "[0x40e00000, 0x41200000)", NULL));
}

static struct cfg_vm *service_vm(void **state)
{
	return &((struct fixture *)*state)->sc.vms[1];
}

static void test_cfg_validate_kept_ram_in_service(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = service_vm(state);

	svc->ram[1] = (struct cfg_ram){ .ipa = 0x40200000, .size = SZ_2M,
					.keep = true };
	svc->ram_count = 2;
	assert_int_equal(run(f), 0);
}

static void test_cfg_validate_kept_ram_in_guest(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->ram[1] = (struct cfg_ram){ .ipa = 0x42000000, .size = SZ_2M,
				       .keep = true };
	vm->ram_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0': is not a service",
			    "keep is for service partitions", NULL));
}

static void test_cfg_validate_two_kept_ram_regions(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = service_vm(state);

	svc->ram[1] = (struct cfg_ram){ .ipa = 0x40200000, .size = SZ_2M,
					.keep = true };
	svc->ram[2] = (struct cfg_ram){ .ipa = 0x40400000, .size = SZ_2M,
					.keep = true };
	svc->ram_count = 3;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': keeps 2 ram regions",
			    "at most one may be kept", NULL));
}

static void test_cfg_validate_image_in_kept_ram(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = service_vm(state);

	/* Its only RAM region is kept: the image would never be reloaded. */
	svc->ram[0].keep = true;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': image 'uart'",
			    "does not fit inside one ram region that is not kept",
			    NULL));
}

static void test_cfg_validate_ram_overlaps_device(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->ram[1] = (struct cfg_ram){ .ipa = 0x40000000, .size = 4 * SZ_1M };
	vm->ram[0].ipa = 0x41000000;
	vm->image_ipa = 0x41000000;
	vm->entry = 0x41000000;
	vm->devices[0].ipa = 0x40200000;
	vm->ram_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0,
			    "vm 'guest0': ram region 1 [0x40000000, "
			    "0x40400000) overlaps device 'uart0' "
			    "[0x40200000, 0x40201000)",
			    NULL));
}

static void test_cfg_validate_device_overlaps_device(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].ipa = 0x09000000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'uart0'", "overlaps",
			    "device 'vuart'", NULL));
}

/* --- Image rules (I1..I3) ------------------------------------------------ */

static void test_cfg_validate_image_null(void **state)
{
	struct fixture *f = *state;

	vm0(state)->image = NULL;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "names no image", NULL));
}

static void test_cfg_validate_image_missing(void **state)
{
	struct fixture *f = *state;

	vm0(state)->image = "nope";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0,
			    "vm 'guest0': image 'nope' is missing (not built "
			    "or not listed)",
			    NULL));
}

static void test_cfg_validate_image_table_empty(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_validate(&f->sc, NULL, 2, store_msg, f), 2);
	assert_true(msg_has(f, 0, "vm 'guest0'", "image 'hello' is missing",
			    NULL));
	assert_true(msg_has(f, 1, "vm 'uart'", "image 'uart' is missing",
			    NULL));
}

static void test_cfg_validate_image_outside_ram(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	/* The 64 KiB image starts 32 KiB before the end of RAM. */
	vm->image_ipa = 0x40ff8000;
	vm->entry = 0x40ff8000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "image 'hello'",
			    "[0x40ff8000, 0x41008000)",
			    "does not fit inside one ram region", NULL));
}

static void test_cfg_validate_image_across_two_regions(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	/* Two adjacent regions; the image straddles the seam. */
	vm->ram[1] = (struct cfg_ram){ .ipa = 0x41000000, .size = SZ_2M };
	vm->ram_count = 2;
	vm->image_ipa = 0x40ff8000;
	vm->entry = 0x40ff8000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "image 'hello'", "one ram region", NULL));
}

static void test_cfg_validate_entry_outside_image(void **state)
{
	struct fixture *f = *state;

	vm0(state)->entry = 0x40090000; /* One byte past the 64 KiB image. */
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "entry 0x40090000",
			    "outside image 'hello'", "[0x40080000, 0x40090000)",
			    NULL));
	f->msg_count = 0;
	vm0(state)->entry = 0x4007fffc;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "entry 0x4007fffc", NULL));
	f->msg_count = 0;
	vm0(state)->entry = 0x4008fffc;
	assert_int_equal(run(f), 0);
}

/* --- Device rules (D1..D7) ----------------------------------------------- */

static void test_cfg_validate_device_no_name(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].name = "";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0': device #1 has no name", NULL));
}

static void test_cfg_validate_device_bad_kind(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[0].kind = (enum cfg_dev_kind)0;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'uart0'", "kind 0",
			    NULL));
}

static void test_cfg_validate_device_size_zero(void **state)
{
	struct fixture *f = *state;

	plain_vuart(state)->size = 0;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'vuart'",
			    "0x9100000", "size 0", NULL));
}

static void test_cfg_validate_device_unaligned(void **state)
{
	struct fixture *f = *state;

	plain_vuart(state)->ipa = 0x09100800;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'vuart'",
			    "[0x9100800, 0x9101800)", "4 KiB page aligned",
			    NULL));
	f->msg_count = 0;
	vm0(state)->devices[1].ipa = 0x09100000;
	vm0(state)->devices[1].size = 0x800;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'vuart'", "4 KiB page aligned",
			    NULL));
}

static void test_cfg_validate_device_beyond_ipa_space(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].ipa = 1ULL << 40;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'vuart'",
			    "40-bit IPA space", NULL));
}

static void test_cfg_validate_passthrough_pa_unaligned(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[0].pa = 0x09010800;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'uart0'",
			    "pa 0x9010800", "not 4 KiB page aligned", NULL));
}

static void test_cfg_validate_passthrough_outside_mmio(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[0].pa = 0x40000000; /* RAM, not MMIO. */
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'uart0'",
			    "[0x40000000, 0x40001000)",
			    "outside the platform MMIO space",
			    "[0x8000000, 0x40000000)", NULL));
	f->msg_count = 0;
	vm0(state)->devices[0].pa = 0x07fff000; /* Just below, into the GIC. */
	vm0(state)->devices[0].size = 0x2000;
	assert_int_equal(run(f), 2);
	assert_true(msg_has(f, 0, "outside the platform MMIO space", NULL));
	f->msg_count = 0;
	vm0(state)->devices[0].pa = 0x3ffff000; /* Its last page, into RAM. */
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "outside the platform MMIO space", NULL));
}

/* kernel_sgir only on an emulated window that holds GICD_SGIR (0xf00). */
static void test_cfg_validate_kernel_sgir(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].kernel_sgir = true;     /* emulated, 4 KiB */
	assert_int_equal(run(f), 0);
	vm0(state)->devices[0].kernel_sgir = true;     /* passthrough */
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'uart0'", "kernel_sgir",
			    "GICD_SGIR", NULL));
	f->msg_count = 0;
	vm0(state)->devices[0].kernel_sgir = false;
	vm0(state)->devices[1].size = 0x800;           /* too small: no SGIR */
	vm0(state)->devices[1].ipa = 0x09100000;
	assert_true(run(f) >= 1);
	bool found = false;

	for (size_t i = 0; i < f->msg_count; i++) {
		found = found || msg_has(f, i, "device 'vuart'", "kernel_sgir", NULL);
	}
	assert_true(found);
}

static void test_cfg_validate_passthrough_pa_wraps(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[0].pa = 0xfffffffffffff000ULL;
	vm0(state)->devices[0].size = 0x2000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'uart0'", "outside the platform MMIO",
			    NULL));
}

static void test_cfg_validate_passthrough_log_uart(void **state)
{
	struct fixture *f = *state;

	/* A window over 0x08ff0000..0x09010000 includes the log UART page. */
	vm0(state)->devices[0].pa = 0x08ff0000;
	vm0(state)->devices[0].size = 0x20000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'uart0'",
			    "kernel's log UART page",
			    "[0x9000000, 0x9001000)", "to a guest", NULL));
}

static void test_cfg_validate_passthrough_log_uart_to_service_ok(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = &f->sc.vms[1];

	/* The console service shares the kernel's UART. */
	svc->devices[0] = (struct cfg_device){
		.name = "pl011",
		.kind = CFG_DEV_PASSTHROUGH,
		.ipa = 0x09000000,
		.pa = 0x09000000,
		.size = 0x1000,
	};
	svc->device_count = 1;
	assert_int_equal(run(f), 0);
}

static void test_cfg_validate_loads_ok(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	f->images[f->image_count++] = (struct cfg_image){ .name = "dtb", .size = 0x1000 };
	vm->loads[0] = (struct cfg_load){ .image = "dtb", .ipa = 0x40f00000 };
	vm->load_count = 1;
	assert_int_equal(run(f), 0);
}

static void test_cfg_validate_loads_missing_outside_overlapping(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	f->images[f->image_count++] = (struct cfg_image){ .name = "dtb", .size = 0x1000 };
	vm->loads[0] = (struct cfg_load){ .image = "initrd", .ipa = 0x40f00000 };
	vm->loads[1] = (struct cfg_load){ .image = "dtb", .ipa = 0x50000000 };
	vm->loads[2] = (struct cfg_load){ .image = "dtb", .ipa = vm->image_ipa + 0x100 };
	vm->load_count = 3;
	assert_int_equal(run(f), 3);
	assert_true(msg_has(f, 0, "vm 'guest0'", "image 'initrd' is missing", NULL));
	assert_true(msg_has(f, 1, "image 'dtb'", "does not fit inside one ram region", NULL));
	assert_true(msg_has(f, 2, "image 'hello'", "overlaps image 'dtb'", NULL));
}

static void test_cfg_validate_load_count_huge(void **state)
{
	struct fixture *f = *state;

	/* The count was truncated to 32 bits in the message ("lists 0"). */
	vm0(state)->load_count = 0x100000000ULL;
	assert_true(run(f) >= 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "lists 4294967296 further",
			    "CFG_MAX_LOADS", NULL));
}

static void test_cfg_validate_gicv_shared_by_guests_ok(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *g1 = &f->sc.vms[f->sc.vm_count++];

	*g1 = f->sc.vms[0];
	g1->name = "guest1";
	g1->irq_count = 0;
	g1->device_count = 0;
	f->sc.vms[0].devices[0] = (struct cfg_device){
		.name = "gicc", .kind = CFG_DEV_GICV, .ipa = 0x08010000, .size = 0x2000,
	};
	g1->devices[0] = f->sc.vms[0].devices[0];
	g1->device_count = 1;
	assert_int_equal(run(f), 0);
}

static void test_cfg_validate_gicv_wrong_size_or_in_service(void **state)
{
	struct fixture *f = *state;

	f->sc.vms[0].devices[0] = (struct cfg_device){
		.name = "gicc", .kind = CFG_DEV_GICV, .ipa = 0x08010000, .size = 0x1000,
	};
	f->sc.vms[1].devices[0] = f->sc.vms[0].devices[0];
	f->sc.vms[1].devices[0].size = 0x2000;
	f->sc.vms[1].device_count = 1;
	assert_int_equal(run(f), 2);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'gicc'",
			    "differs from the platform's GICV size", NULL));
	assert_true(msg_has(f, 1, "vm 'uart'", "only a guest may have", NULL));
}

static void test_cfg_validate_passthrough_granted_twice_same_vm(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->devices[2] = vm->devices[0];
	vm->devices[2].name = "rtc";
	vm->devices[2].ipa = 0x09200000;
	vm->device_count = 3;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0': device 'rtc'",
			    "[0x9010000, 0x9011000)", "already granted",
			    "device 'uart0'", "of vm 'guest0'", NULL));
}

static void test_cfg_validate_passthrough_granted_twice_other_vm(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = &f->sc.vms[1];

	svc->devices[0] = guest0.devices[0];
	svc->devices[0].name = "rtc";
	svc->devices[0].pa = 0x0900f000;
	svc->devices[0].size = 0x2000;
	svc->device_count = 1;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': device 'rtc'",
			    "[0x900f000, 0x9011000)", "already granted",
			    "device 'uart0'", "of vm 'guest0'", NULL));
}

static void test_cfg_validate_passthrough_adjacent_ok(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = &f->sc.vms[1];

	svc->devices[0] = guest0.devices[0];
	svc->devices[0].pa = 0x09011000;
	svc->device_count = 1;
	assert_int_equal(run(f), 0);
}

/** An MMIO space in the last 64 KiB of the 64-bit physical address space. */
static void mmio_at_top(struct fixture *f)
{
	f->plat.mmio_base = 0xffffffffffff0000ULL;
	f->plat.mmio_size = 0x10000;
}

static void test_cfg_validate_passthrough_log_uart_at_top_of_pa_space(
	void **state)
{
	struct fixture *f = *state;

	/* A window ending exactly at 2^64 used to skip rule D4. */
	mmio_at_top(f);
	f->plat.uart_base = 0xfffffffffffff000ULL;
	vm0(state)->devices[0].pa = 0xfffffffffffff000ULL;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'uart0'",
			    "kernel's log UART page", "to a guest", NULL));
}

static void test_cfg_validate_passthrough_granted_twice_at_top_of_pa_space(
	void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = &f->sc.vms[1];

	/* ... and rule D5. */
	mmio_at_top(f);
	vm0(state)->devices[0].pa = 0xfffffffffffff000ULL;
	svc->devices[0] = guest0.devices[0];
	svc->devices[0].name = "rtc";
	svc->devices[0].pa = 0xffffffffffffe000ULL;
	svc->devices[0].size = 0x2000;
	svc->device_count = 1;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': device 'rtc'", "already granted",
			    "device 'uart0'", "of vm 'guest0'", NULL));
}

static void test_cfg_validate_passthrough_wraps_in_mmio_past_top(void **state)
{
	struct fixture *f = *state;

	/* An MMIO space declared past 2^64 does not make a window that wraps
	 * around to address 0 "inside" it (rule D3). */
	f->plat.mmio_base = 0xffffffffffff0000ULL;
	f->plat.mmio_size = 1ULL << 63;
	vm0(state)->devices[0].pa = 0xfffffffffffff000ULL;
	vm0(state)->devices[0].size = 0x2000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'uart0'", "outside the platform MMIO",
			    NULL));
}

static void test_cfg_validate_emulated_no_service(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].service = NULL;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'vuart'",
			    "names no service", NULL));
}

static void test_cfg_validate_emulated_unknown_service(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].service = "blk";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'vuart'",
			    "served by 'blk'", "not a partition", NULL));
}

static void test_cfg_validate_emulated_service_is_guest(void **state)
{
	struct fixture *f = *state;

	f->sc.vms[1].kind = CFG_VM_GUEST;
	f->sc.vms[1].irq_count = 0;   /* a guest's SPI wants a distributor */
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'vuart'",
			    "served by 'uart'", "not a service partition",
			    NULL));
}

static void test_cfg_validate_emulated_self(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].service = "guest0";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "device 'vuart'",
			    "served by 'guest0'", "itself", NULL));
}

static void test_cfg_validate_emulated_chaining(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = &f->sc.vms[1];

	svc->devices[0] = guest0.devices[1];
	svc->devices[0].name = "vblk";
	svc->device_count = 1;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart'", "device 'vblk'",
			    "service partition may not", "no chaining", NULL));
}

/* --- IRQ rules (Q1, Q2) -------------------------------------------------- */

static void test_cfg_validate_irq_out_of_range(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->irqs[0] = 31;  /* A PPI. */
	vm->irqs[1] = 1020; /* Special INTID. */
	vm->irq_count = 2;
	assert_int_equal(run(f), 2);
	assert_true(msg_has(f, 0, "vm 'guest0'", "irq 31",
			    "outside the platform's grantable SPIs [32, 1019]",
			    NULL));
	assert_true(msg_has(f, 1, "vm 'guest0'", "irq 1020", NULL));
}

/* Q1: a grantable SPI past the notification word (abi/vgic.h) is refused:
 * its notification bit, 1 << (96 - 32), would not exist. */
static void test_cfg_validate_irq_beyond_notification_bits(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->irqs[0] = 96;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "irq 96",
			    "SPIs a partition can be notified of [32, 95]", NULL));
}

/* D9: a window's guest SPI: emulated windows only, a virtual SPI, once. */
/* Issue 12 follow-up: a service's vCPU 1 was accepted and never ran. */
static void test_cfg_validate_service_has_one_vcpu(void **state)
{
	struct fixture *f = *state;

	f->sc.vms[1].vcpu_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "a service has exactly 1 vCPU, not 2", NULL));
}

/* Issue 12 follow-up: the PCIe frames the kernel uses at power-off. */
static void test_cfg_validate_passthrough_kernel_pci(void **state)
{
	static const struct {
		uint64_t pa;
		size_t problems;
	} cases[] = {
		{ 0x3f0ff000, 1 },   /* the last page of bus 0's ECAM */
		{ 0x10000000, 1 },   /* the pvpanic BAR page */
		{ 0x3f100000, 0 },   /* bus 1: not the kernel's */
		{ 0x10001000, 0 },
	};
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f->msg_count = 0;
		vm->devices[0].pa = cases[i].pa;
		assert_int_equal(run(f), cases[i].problems);
	}
	f->msg_count = 0;
	vm->devices[0].pa = 0x3f0ff000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'uart0'", "PCIe frames the kernel uses",
			    NULL));
}

/* Review of issue 13: the GIC frames the kernel drives are never granted. */
static void test_cfg_validate_passthrough_of_the_gic(void **state)
{
	static const struct {
		uint64_t pa;
		size_t problems;
	} cases[] = {
		{ 0x08000000, 1 },   /* the distributor (GICD) */
		{ 0x08010000, 1 },   /* the CPU interface (GICC) */
		{ 0x08030000, 1 },   /* the hypervisor control interface (GICH) */
		{ 0x0803f000, 1 },   /* the last page of the kernel's frames */
		{ 0x08040000, 0 },   /* the virtual CPU interface: not the kernel's */
	};
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f->msg_count = 0;
		vm->devices[0].pa = cases[i].pa;
		assert_int_equal(run(f), cases[i].problems);
	}
	f->msg_count = 0;
	vm->devices[0].pa = 0x08030000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'uart0'", "the kernel's GIC frames",
			    "[0x8000000, 0x8040000)", NULL));
}

static void test_cfg_validate_window_irq(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->devices[1].irq = 35;
	assert_int_equal(run(f), 0);
	vm->devices[0].irq = 34;                 /* passthrough */
	vm->devices[1].irq = 31;                 /* a PPI */
	vm->devices[2] = guest0.devices[1];
	vm->devices[2].name = "vuart2";
	vm->devices[2].ipa = 0x09200000;
	vm->devices[2].irq = 128;                /* past the virtual SPIs */
	vm->devices[3] = vm->devices[2];
	vm->devices[3].name = "vuart3";
	vm->devices[3].ipa = 0x09300000;
	vm->devices[3].irq = 40;
	vm->devices[4] = vm->devices[3];
	vm->devices[4].name = "vuart4";
	vm->devices[4].ipa = 0x09400000;         /* 40 again */
	vm->device_count = 5;
	assert_int_equal(run(f), 4);
	assert_true(msg_has(f, 0, "device 'uart0'", "passthrough window",
			    "irq 34", "not one of the partition's irqs",
			    NULL));
	assert_true(msg_has(f, 1, "device 'vuart'", "irq 31",
			    "not a virtual SPI [32, 127]", NULL));
	assert_true(msg_has(f, 2, "device 'vuart2'", "irq 128", NULL));
	assert_true(msg_has(f, 3, "device 'vuart4'", "irq 40",
			    "already that of device 'vuart3'", NULL));
}

/* Review of issue 15: a passthrough window names the SPI passed through
 * with it (D9), so dtgen can write the device's interrupt; one that is not
 * passed through, or a GICV window's irq, is refused. */
static void test_cfg_validate_passthrough_window_irq(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->devices[0].irq = 33; /* guest0's irqs[0] */
	assert_int_equal(run(f), 0);
	vm->irq_count = 0;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'uart0'", "irq 33",
			    "not one of the partition's irqs", NULL));
	f->msg_count = 0;
	vm->irq_count = 1;
	vm->devices[0].irq = 0;
	vm->devices[2] = (struct cfg_device){
		.name = "gicv",
		.kind = CFG_DEV_GICV,
		.ipa = 0x08040000,
		.size = 0x2000,
		.irq = 33,
	};
	vm->device_count = 3;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'gicv'", "irq 33",
			    "neither an emulated nor a passthrough window",
			    NULL));
}

/* Q3: an SPI passed through to a guest needs its virtual distributor. */
static void test_cfg_validate_passthrough_irq_needs_a_distributor(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].kernel_sgir = false;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "irq 33",
			    "passed through to it but it has no virtual GIC "
			    "distributor", "kernel_sgir", NULL));
	/* A service's SPI is a notification: no distributor needed. */
	f->msg_count = 0;
	vm0(state)->irq_count = 0;
	f->sc.vms[1].irqs[0] = 33;
	assert_int_equal(run(f), 0);
}

/* Q4: one virtual SPI, one source: not also an emulated window's. */
static void test_cfg_validate_passthrough_irq_not_a_windows_irq(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].irq = 33;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "irq 33",
			    "passed through to it and also the SPI of device "
			    "'vuart'", NULL));
}

/* Q2 for passthrough: one SPI, one VM; two guests cannot share it. */
static void test_cfg_validate_passthrough_irq_one_vm_only(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *g1 = &f->sc.vms[2];

	*g1 = guest0;
	g1->name = "guest1";
	g1->ram[0].size = SZ_2M;
	g1->device_count = 2;
	g1->devices[0].pa = 0x09020000;
	g1->image_ipa = 0x40000000;
	g1->entry = 0x40000000;
	f->sc.vm_count = 3;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest1'", "irq 33",
			    "already owned by vm 'guest0'", NULL));
}

static void test_cfg_validate_irq_duplicate_same_vm(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);

	vm->irqs[1] = 40;
	vm->irqs[2] = 33;
	vm->irq_count = 3;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0'", "irq 33", "listed twice",
			    NULL));
}

static void test_cfg_validate_irq_owned_twice(void **state)
{
	struct fixture *f = *state;

	f->sc.vms[1].irqs[0] = 33;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart'", "irq 33",
			    "already owned by vm 'guest0'", NULL));
}

/* --- Several problems at once -------------------------------------------- */

static void test_cfg_validate_counts_every_problem(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *vm = vm0(state);
	struct cfg_vm *svc = &f->sc.vms[1];

	vm->vcpu_count = 0;              /* P3 */
	vm->image = "missing";           /* I1 */
	vm->irqs[0] = 7;                 /* Q1 */
	svc->name = "Uart";              /* P1 */
	vm->devices[1].service = "Uart"; /* (keeps D6 satisfied) */
	svc->ram[0].size = 0x1000;       /* R2, and I2 for its 32 KiB image */
	assert_int_equal(run(f), 6);
	assert_true(msg_has(f, 0, "vm 'guest0'", "vcpu_count", NULL));
	assert_true(msg_has(f, 1, "vm 'guest0'", "image 'missing'", NULL));
	assert_true(msg_has(f, 2, "vm 'guest0'", "irq 7", NULL));
	assert_true(msg_has(f, 3, "vm 'Uart'", "invalid character 'U'", NULL));
	assert_true(msg_has(f, 4, "vm 'Uart'", "ram region 0", "2 MiB", NULL));
	assert_true(msg_has(f, 5, "vm 'Uart'", "image 'uart'",
			    "one ram region", NULL));
}

static void test_cfg_validate_messages_are_sentences(void **state)
{
	struct fixture *f = *state;
	size_t i;

	f->sc.name = NULL;
	f->sc.vms[0].kind = (enum cfg_vm_kind)3;
	f->sc.vms[1].devices[0] = guest0.devices[1];
	f->sc.vms[1].device_count = 1;
	assert_int_equal(run(f), 4);
	for (i = 0; i < f->msg_count; i++) {
		assert_null(strchr(f->msgs[i], '\n'));
	}
	assert_true(msg_has(f, 0, "unnamed scenario has no name", NULL));
	assert_true(msg_has(f, 3, "unnamed scenario",
			    "no partition of kind CFG_VM_GUEST", NULL));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

/* --- Grants (G1-G5) ------------------------------------------------------ */

/** uart's grant of 8 KiB of guest0's RAM (whose vuart it serves). */
static struct cfg_grant *grant0(void **state)
{
	struct cfg_vm *svc = service_vm(state);

	svc->grants[0] = (struct cfg_grant){ .client = "guest0",
					     .client_ipa = 0x40100000,
					     .size = 0x2000,
					     .ipa = 0x100000000ULL };
	svc->grant_count = 1;
	return &svc->grants[0];
}

static void test_cfg_validate_grant_ok(void **state)
{
	struct cfg_vm *svc = service_vm(state);

	grant0(state);
	/* And the whole of guest0's RAM, elsewhere. */
	svc->grants[1] = (struct cfg_grant){ .client = "guest0",
					     .client_ipa = 0x40000000,
					     .size = 16 * SZ_1M,
					     .ipa = 0x140000000ULL };
	svc->grant_count = 2;
	assert_int_equal(run(*state), 0);
}

static void test_cfg_validate_grant_in_guest(void **state)
{
	struct fixture *f = *state;

	vm0(state)->grants[0] = *grant0(state);
	vm0(state)->grant_count = 1;
	service_vm(state)->grant_count = 0;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest0': has 1 grant",
			    "only a service partition", NULL));
}

static void test_cfg_validate_grant_count(void **state)
{
	struct fixture *f = *state;

	grant0(state);
	service_vm(state)->grant_count = CFG_MAX_GRANTS + 1;
	assert_true(run(f) >= 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant_count is 5",
			    "at most 4", NULL));
}

static void test_cfg_validate_grant_client_not_served(void **state)
{
	struct fixture *f = *state;
	struct cfg_grant *g = grant0(state);

	g->client = NULL;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0", "names no client",
			    NULL));
	f->msg_count = 0;
	g->client = "nobody";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0", "'nobody'",
			    "not a partition of this scenario", NULL));
	f->msg_count = 0;
	g->client = "uart";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0", "'uart'",
			    "not a guest", NULL));
	/* A guest this service serves no window of: out of its reach. */
	f->sc.vms[2] = guest0;
	f->sc.vms[2].name = "guest1";
	f->sc.vms[2].device_count = 0;
	f->sc.vms[2].irq_count = 0;
	f->sc.vm_count = 3;
	f->msg_count = 0;
	g->client = "guest1";
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0", "'guest1'",
			    "no window served by this service", NULL));
}

static void test_cfg_validate_grant_unaligned_or_empty(void **state)
{
	struct fixture *f = *state;
	struct cfg_grant *g = grant0(state);

	g->client_ipa += 0x800;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0", "4 KiB page",
			    NULL));
	f->msg_count = 0;
	g = grant0(state);
	g->size = 0x1800;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0", "4 KiB page", NULL));
	f->msg_count = 0;
	g = grant0(state);
	g->ipa += 0x10;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0", "4 KiB page", NULL));
	f->msg_count = 0;
	g = grant0(state);
	g->size = 0;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0", "size is 0", NULL));
}

static void test_cfg_validate_grant_outside_client_ram(void **state)
{
	struct fixture *f = *state;
	struct cfg_grant *g = grant0(state);

	/* Crosses the end of guest0's only region. */
	g->client_ipa = 0x40ff0000;
	g->size = 0x20000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0",
			    "[0x40ff0000, 0x41010000)",
			    "not inside one ram region of 'guest0'", NULL));
	/* Wraps around: never inside. */
	f->msg_count = 0;
	g->client_ipa = 0x40100000;
	g->size = 0 - 0x40100000ULL;
	assert_true(run(f) >= 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0",
			    "not inside one ram region", NULL));
}

static void test_cfg_validate_grant_overlaps_service_space(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = service_vm(state);
	struct cfg_grant *g = grant0(state);

	g->ipa = 0x40100000; /* its own RAM */
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0",
			    "[0x40100000, 0x40102000)", "overlaps ram region 0",
			    NULL));
	f->msg_count = 0;
	svc->devices[0] = (struct cfg_device){ .name = "mmio0",
					       .kind = CFG_DEV_PASSTHROUGH,
					       .ipa = 0x100001000ULL,
					       .pa = 0x0a000000,
					       .size = 0x1000 };
	svc->device_count = 1;
	g->ipa = 0x100000000ULL;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0", "overlaps device 'mmio0'",
			    NULL));
	f->msg_count = 0;
	svc->device_count = 0;
	svc->grants[1] = *g;
	svc->grants[1].ipa = 0x100001000ULL;
	svc->grant_count = 2;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 1",
			    "overlaps grant 0", NULL));
	/* Past the 40-bit IPA space of Stage 2. */
	f->msg_count = 0;
	svc->grant_count = 1;
	g->ipa = (1ULL << 40) - 0x1000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'uart': grant 0",
			    "40-bit IPA space", NULL));
}

/* --- Register shadow pages (H1-H4) ---------------------------------------- */

/** A one-page emulated window of guest0 served by uart, with a shadow. */
static struct cfg_device *shadowed(void **state)
{
	struct cfg_vm *g = vm0(state);

	g->devices[2] = (struct cfg_device){ .name = "vda",
					     .kind = CFG_DEV_EMULATED,
					     .ipa = 0x0a000000,
					     .size = SZ_4K,
					     .service = "uart",
					     .shadow_ipa = 0x30000000 };
	g->device_count = 3;
	return &g->devices[2];
}

static void test_cfg_validate_shadow_ok(void **state)
{
	shadowed(state);
	assert_int_equal(run(*state), 0);
}

/* H1: only an emulated window without kernel_sgir. */
static void test_cfg_validate_shadow_kind(void **state)
{
	struct fixture *f = *state;

	vm0(state)->devices[1].shadow_ipa = 0x30000000; /* kernel_sgir */
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'vuart'", "shadow page",
			    "without kernel_sgir", NULL));
	f->msg_count = 0;
	vm0(state)->devices[1].shadow_ipa = 0;
	vm0(state)->devices[0].shadow_ipa = 0x30000000; /* passthrough */
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'uart0'", "only an emulated window",
			    NULL));
}

/* H2: exactly one page. */
static void test_cfg_validate_shadow_size(void **state)
{
	struct fixture *f = *state;

	shadowed(state)->size = 2 * SZ_4K;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'vda'", "0x2000",
			    "not one 4 KiB page", NULL));
}

/* H3: aligned, inside the 40-bit IPA space. */
static void test_cfg_validate_shadow_alignment(void **state)
{
	struct fixture *f = *state;

	shadowed(state)->shadow_ipa = 0x30000800;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'vda'", "0x30000800",
			    "not 4 KiB page aligned", NULL));
	f->msg_count = 0;
	shadowed(state)->shadow_ipa = 1ULL << 40;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'vda'", "40-bit IPA space", NULL));
}

/* H4: nothing else of the service is there. */
static void test_cfg_validate_shadow_overlaps_service_space(void **state)
{
	struct fixture *f = *state;
	struct cfg_vm *svc = service_vm(state);

	shadowed(state)->shadow_ipa = 0x40001000; /* the service's RAM */
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'vda'", "overlaps ram region 0",
			    "'uart'", NULL));
	f->msg_count = 0;
	svc->devices[0] = (struct cfg_device){ .name = "mmio0",
					       .kind = CFG_DEV_PASSTHROUGH,
					       .ipa = 0x30000000,
					       .pa = 0x0a000000,
					       .size = 0x1000 };
	svc->device_count = 1;
	shadowed(state);
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'vda'", "overlaps device 'mmio0'",
			    NULL));
	f->msg_count = 0;
	svc->device_count = 0;
	grant0(state)->ipa = 0x30000000;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "device 'vda'", "overlaps grant 0", NULL));
	/* Another window's shadow at the same place. */
	f->msg_count = 0;
	svc->grant_count = 0;
	f->sc.vms[2] = f->sc.vms[0];
	f->sc.vms[2].name = "guest1";
	f->sc.vms[2].irq_count = 0;
	f->sc.vms[2].devices[0] = f->sc.vms[2].devices[2];
	f->sc.vms[2].device_count = 1;
	f->sc.vm_count = 3;
	assert_int_equal(run(f), 1);
	assert_true(msg_has(f, 0, "vm 'guest1': device 'vda'",
			    "overlaps the shadow page of vm 'guest0': device "
			    "'vda'",
			    NULL));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cfg_validate_valid_base),
		T(test_cfg_validate_valid_limits),
		T(test_cfg_validate_null_scenario),
		T(test_cfg_validate_null_report),
		T(test_cfg_validate_scenario_no_name),
		T(test_cfg_validate_no_platform),
		T(test_cfg_validate_no_vms),
		T(test_cfg_validate_too_many_vms),
		T(test_cfg_validate_no_guest),
		T(test_cfg_validate_total_ram),
		T(test_cfg_validate_total_ram_reserved_too_big),
		T(test_cfg_validate_vm_no_name),
		T(test_cfg_validate_vm_name_too_long),
		T(test_cfg_validate_vm_name_very_long_is_shortened),
		T(test_cfg_validate_vm_name_bad_char),
		T(test_cfg_validate_vm_name_duplicate),
		T(test_cfg_validate_vm_bad_kind),
		T(test_cfg_validate_vcpu_count),
		T(test_cfg_validate_ram_count_zero),
		T(test_cfg_validate_kernel_sgir),
		T(test_cfg_validate_passthrough_irq_needs_a_distributor),
		T(test_cfg_validate_passthrough_irq_not_a_windows_irq),
		T(test_cfg_validate_passthrough_irq_one_vm_only),
		T(test_cfg_validate_ram_count_too_big),
		T(test_cfg_validate_device_count),
		T(test_cfg_validate_irq_count),
		T(test_cfg_validate_ram_size_zero),
		T(test_cfg_validate_ram_unaligned_ipa),
		T(test_cfg_validate_ram_unaligned_size),
		T(test_cfg_validate_ram_beyond_ipa_space),
		T(test_cfg_validate_ram_wraps_around),
		T(test_cfg_validate_ram_overlaps_ram),
		T(test_cfg_validate_kept_ram_in_service),
		T(test_cfg_validate_kept_ram_in_guest),
		T(test_cfg_validate_two_kept_ram_regions),
		T(test_cfg_validate_image_in_kept_ram),
		T(test_cfg_validate_ram_overlaps_device),
		T(test_cfg_validate_device_overlaps_device),
		T(test_cfg_validate_image_null),
		T(test_cfg_validate_image_missing),
		T(test_cfg_validate_image_table_empty),
		T(test_cfg_validate_image_outside_ram),
		T(test_cfg_validate_image_across_two_regions),
		T(test_cfg_validate_entry_outside_image),
		T(test_cfg_validate_device_no_name),
		T(test_cfg_validate_device_bad_kind),
		T(test_cfg_validate_device_size_zero),
		T(test_cfg_validate_device_unaligned),
		T(test_cfg_validate_device_beyond_ipa_space),
		T(test_cfg_validate_passthrough_pa_unaligned),
		T(test_cfg_validate_passthrough_outside_mmio),
		T(test_cfg_validate_passthrough_pa_wraps),
		T(test_cfg_validate_passthrough_log_uart_to_service_ok),
		T(test_cfg_validate_gicv_shared_by_guests_ok),
		T(test_cfg_validate_loads_ok),
		T(test_cfg_validate_loads_missing_outside_overlapping),
		T(test_cfg_validate_load_count_huge),
		T(test_cfg_validate_gicv_wrong_size_or_in_service),
		T(test_cfg_validate_passthrough_log_uart),
		T(test_cfg_validate_passthrough_granted_twice_same_vm),
		T(test_cfg_validate_passthrough_granted_twice_other_vm),
		T(test_cfg_validate_passthrough_adjacent_ok),
		T(test_cfg_validate_passthrough_log_uart_at_top_of_pa_space),
		T(test_cfg_validate_passthrough_granted_twice_at_top_of_pa_space),
		T(test_cfg_validate_passthrough_wraps_in_mmio_past_top),
		T(test_cfg_validate_emulated_no_service),
		T(test_cfg_validate_emulated_unknown_service),
		T(test_cfg_validate_emulated_service_is_guest),
		T(test_cfg_validate_emulated_self),
		T(test_cfg_validate_emulated_chaining),
		T(test_cfg_validate_irq_out_of_range),
		T(test_cfg_validate_irq_beyond_notification_bits),
		T(test_cfg_validate_passthrough_of_the_gic),
		T(test_cfg_validate_window_irq),
		T(test_cfg_validate_passthrough_window_irq),
		T(test_cfg_validate_service_has_one_vcpu),
		T(test_cfg_validate_passthrough_kernel_pci),
		T(test_cfg_validate_irq_duplicate_same_vm),
		T(test_cfg_validate_irq_owned_twice),
		T(test_cfg_validate_counts_every_problem),
		T(test_cfg_validate_messages_are_sentences),
		T(test_cfg_validate_grant_ok),
		T(test_cfg_validate_grant_in_guest),
		T(test_cfg_validate_grant_count),
		T(test_cfg_validate_grant_client_not_served),
		T(test_cfg_validate_grant_unaligned_or_empty),
		T(test_cfg_validate_grant_outside_client_ram),
		T(test_cfg_validate_grant_overlaps_service_space),
		T(test_cfg_validate_shadow_ok),
		T(test_cfg_validate_shadow_kind),
		T(test_cfg_validate_shadow_size),
		T(test_cfg_validate_shadow_alignment),
		T(test_cfg_validate_shadow_overlaps_service_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
