/**
 * Unit tests of the board read from its device tree (kernel/core/board.c)
 * on QEMU's own virt tree and variants (tests/host/dtb, built with dtc):
 * RAM, CPUs and their MPIDRs, the GICv2 frames, the kernel's UART, the
 * PCIe ECAM and window; a truncated blob, a bad magic, no memory node, a
 * GIC without virtualization extensions refused by name; and the check
 * that the board can host a scenario (RAM, passthrough windows).
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp/board.h"
#include "hyp/units.h"

/* The board the scenario was built for: what the DTB does not say. */
static const struct cfg_platform built = {
	.name = "qemu-virt",
	.ram_base = 0x40000000,
	.ram_size = SZ_1G,
	.mmio_base = 0x08000000,
	.mmio_size = 0x38000000,
	.uart_base = 0x09000000,
	.gicv_size = 0x2000,
	.spi_first = 32,
	.spi_last = 1019,
};
const struct cfg_scenario scenario = { .name = "t", .platform = &built };

#define BLOB_MAX (64 * 1024)
/* A device tree as the kernel gets it: 8-byte aligned. */
static uint64_t blob[BLOB_MAX / sizeof(uint64_t)];

static size_t load(const char *name)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s.dtb", DTB_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(blob));
	return n;
}

static void assert_refused(const char *name, const char *why)
{
	size_t n = load(name);
	const char *got = board_read(blob, n);

	assert_non_null(got);
	assert_string_equal(got, why);
}

static void test_board_read_qemu_virt(void **unused)
{
	(void)unused;
	const struct cfg_platform *b;

	assert_null(board_read(blob, load("virt")));
	b = board();
	assert_ptr_not_equal(b, &built);
	assert_int_equal(b->ram_base, 0x40000000);
	assert_int_equal(b->ram_size, 2 * SZ_1G);
	assert_int_equal(b->cpu_count, 3);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(b->cpu_mpidr[i], i);
	}
	assert_int_equal(b->gicd_base, 0x08000000);
	assert_int_equal(b->gicc_base, 0x08010000);
	assert_int_equal(b->gich_base, 0x08030000);
	assert_int_equal(b->gicv_base, 0x08040000);
	/* GICD to the end of GICH: the frames never granted. */
	assert_int_equal(b->gic_base, 0x08000000);
	assert_int_equal(b->gic_size, 0x40000);
	assert_int_equal(b->uart_base, 0x09000000);
	assert_int_equal(b->pci_ecam_base, 0x3f000000);
	assert_int_equal(b->pci_mmio_base, 0x10000000);
	/* Not in a device tree: kept from the board built for. */
	assert_string_equal(b->name, "qemu-virt");
	assert_int_equal(b->gicv_size, 0x2000);
	assert_int_equal(b->mmio_base, 0x08000000);
	assert_int_equal(b->spi_last, 1019);
}

static void test_board_read_stdout_alias_no_pci(void **unused)
{
	(void)unused;
	assert_null(board_read(blob, load("alias")));
	assert_int_equal(board()->uart_base, 0x09040000);
	assert_int_equal(board()->pci_ecam_base, 0);
}

static void test_board_read_malformed(void **unused)
{
	(void)unused;
	assert_refused("truncated", "not a valid flattened device tree");
	assert_refused("badmagic", "not a valid flattened device tree");
	/* A blob longer than the room the caller has. */
	size_t n = load("virt");

	assert_non_null(board_read(blob, n - 1));
}

static void test_board_read_missing_parts(void **unused)
{
	(void)unused;
	assert_refused("nomem", "no memory node with a RAM range");
	assert_refused("novirt", "the GIC has no GICH and GICV frames "
				 "(virtualization extensions)");
}

/* A scenario of one guest with @p ram bytes and a passthrough window. */
static struct cfg_scenario one_guest(uint64_t ram, uint64_t pa, uint64_t size)
{
	struct cfg_scenario sc = { .name = "s",
				   .platform = &built,
				   .vm_count = 1 };

	sc.vms[0] = (struct cfg_vm){
		.name = "g",
		.ram = { { .ipa = 0x40000000, .size = ram } },
		.ram_count = 1,
		.devices = { { .name = "rtc",
			       .kind = CFG_DEV_PASSTHROUGH,
			       .ipa = 0x09010000,
			       .pa = pa,
			       .size = size } },
		.device_count = 1,
	};
	return sc;
}

static void test_board_check(void **unused)
{
	(void)unused;
	char why[CFG_BOUNDS_MSG_MAX];
	struct cfg_scenario sc;

	assert_null(board_read(blob, load("virt")));
	/* QEMU's PL031, one page of its 4 KiB: the board has it. */
	sc = one_guest(768 * SZ_1M, 0x09010000, SZ_4K);
	assert_true(board_check(&sc, SZ_1G, why, sizeof(why)));
	/* RAM: exactly the pool fits, one page more does not. */
	assert_true(board_check(&sc, 768 * SZ_1M, why, sizeof(why)));
	assert_false(
		board_check(&sc, 768 * SZ_1M - PAGE_SIZE, why, sizeof(why)));
	assert_string_equal(why,
			    "its partitions need 768 MiB of RAM, the board "
			    "has 767 MiB free (QEMU -m, scons mem=)");
	/* A window past the PL031's registers, and one where nothing is. */
	sc = one_guest(SZ_2M, 0x09010000, 2 * SZ_4K);
	assert_false(board_check(&sc, SZ_1G, why, sizeof(why)));
	assert_string_equal(why, "vm 'g' device 'rtc': the board has no device "
				 "at 0x9010000 (+0x2000)");
	sc = one_guest(SZ_2M, 0x09100000, SZ_4K);
	assert_false(board_check(&sc, SZ_1G, why, sizeof(why)));
	/* A page of virtio-mmio transports: eight 0x200 nodes back to back;
	 * two pages run past the last one (0x0a003e00). */
	sc = one_guest(SZ_2M, 0x0a003000, SZ_4K);
	assert_true(board_check(&sc, SZ_1G, why, sizeof(why)));
	sc = one_guest(SZ_2M, 0x0a003000, 2 * SZ_4K);
	assert_false(board_check(&sc, SZ_1G, why, sizeof(why)));
	/* RAM is no device. */
	sc = one_guest(SZ_2M, 0x40000000, SZ_4K);
	assert_false(board_check(&sc, SZ_1G, why, sizeof(why)));
}

/* The transports of the page listed in no address order still cover it;
 * with one missing in the middle they do not. */
static void test_board_check_order(void **unused)
{
	(void)unused;
	char why[CFG_BOUNDS_MSG_MAX];
	struct cfg_scenario sc = one_guest(SZ_2M, 0x0a003000, SZ_4K);

	assert_null(board_read(blob, load("virtio_shuffled")));
	assert_true(board_check(&sc, SZ_1G, why, sizeof(why)));
	assert_null(board_read(blob, load("virtio_gap")));
	assert_false(board_check(&sc, SZ_1G, why, sizeof(why)));
	assert_string_equal(why, "vm 'g' device 'rtc': the board has no device "
				 "at 0xa003000 (+0x1000)");
	/* The transports after the gap, back to back to the page's end. */
	sc = one_guest(SZ_2M, 0x0a003600, 0xa00);
	assert_true(board_check(&sc, SZ_1G, why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_read_qemu_virt),
		cmocka_unit_test(test_board_read_stdout_alias_no_pci),
		cmocka_unit_test(test_board_read_malformed),
		cmocka_unit_test(test_board_read_missing_parts),
		cmocka_unit_test(test_board_check),
		cmocka_unit_test(test_board_check_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
