/**
 * Unit tests of the kernel's boot sequence (kernel/core/main.c, kmain) on
 * recorded fakes of every step: the kernel lock is taken first and held
 * to the end (the secondary CPUs wait for it), the log comes up before
 * the first line, then the EL2 MMU over the kernel and its device tree,
 * the board read from that tree (its RAM mapped, the log moved to its
 * UART; a tree missing or a board whose RAM is elsewhere is refused with
 * one line and a failure power-off), the GIC, this
 * CPU, the page pool (from the first 2 MiB boundary after the kernel image
 * to the end of RAM), the scenario's bounds, the partitions, their
 * interrupts, the secondary CPUs (only after the images are loaded), the
 * vCPUs' homes, and the scheduler, which never returns (the fake returns
 * to the test by longjmp). Bad bounds or no RAM left panic; a scenario
 * the board cannot host is refused.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arch/mmu.h"
#include "fake_arch.h"
#include "fake_log.h"
#include "hyp/arch_gic.h"
#include "hyp/board.h"
#include "hyp/config.h"
#include "hyp/cpu.h"
#include "hyp/errno.h"
#include "hyp/hypercall.h"
#include "hyp/irq.h"
#include "hyp/klock.h"
#include "hyp/palloc.h"
#include "hyp/panic.h"
#include "hyp/sched.h"
#include "hyp/units.h"
#include "hyp/vm.h"

void kmain(void);

/* Past any host address: the pool ends at the end of RAM. */
#define RAM_SIZE (1ULL << 56)
#define CPUS 4
#define POOL_PAGES 512
#define STEPS 16
#define WHY "vm 'g': 9 vCPUs, at most 8"
#define NO_FIT "vm 'g' device 'rtc': no such device"
#define PAGE 4096

/* The device tree, then the kernel image (linker.ld): the image's end
 * decides where the pool starts, RAM starts with the tree. */
char boot_ram[3 * PAGE] __attribute__((aligned(PAGE)));
__asm__(".globl __dtb_start\n.set __dtb_start, boot_ram\n"
	".globl __hyp_start\n.set __hyp_start, boot_ram + 4096\n"
	".globl __hyp_end\n.set __hyp_end, boot_ram + 8192\n");
extern char __dtb_start[], __hyp_start[], __hyp_end[];
#define RAM_BASE ((uint64_t)(uintptr_t)__dtb_start)

static struct cfg_platform platform = {
	.name = "fakeboard",
	.ram_size = RAM_SIZE,
	.cpu_count = CPUS,
	.cpu_mpidr = { 0, 0x100, 0x200, 0x300 },
};
const struct cfg_scenario scenario = {
	.name = "boot",
	.platform = &platform,
	.vm_count = 2,
};
const struct cfg_image scenario_images[2] = { { .name = "a" },
					      { .name = "b" } };
const size_t scenario_image_count = 2;

/* The boot steps, in the order they ran. */
enum step {
	LOG_INIT = 1,
	MMU,
	BOARD,
	MAP,
	GIC,
	CPU_BOOT,
	POOL,
	BOUNDS,
	FITS,
	VMS,
	IRQS,
	SECONDARIES,
	HOMES,
	SCHED,
};

static struct {
	enum step steps[STEPS];
	unsigned n;
	bool unlocked_at; /* A step ran without the kernel lock. */
	uint64_t mmu_base, mmu_size, pool_base, pool_size;
	struct palloc *pool, *vm_pool;
	int pool_err;
	bool bounds_ok, map_ok, fits, failed;
	const char *board_why;
	uint64_t fdt_max;
	const uint64_t *mpidr;
} rec;
static jmp_buf scheduled;

static bool lock_held(void)
{
	uint32_t w = kernel_lock_word.word;

	return (w >> 16) != (w & 0xffffu);
}

static void step(enum step s)
{
	assert_true(rec.n < STEPS);
	rec.steps[rec.n++] = s;
	if (!lock_held()) {
		rec.unlocked_at = true;
	}
}

/* --- The boot steps ----------------------------------------------------------
 */

void log_init(void)
{
	/* Nothing logged before the log is up (the second time: the
	 * board's UART). */
	if (rec.n == 0) {
		assert_int_equal(fake_log_count[LOG_LEVEL_INFO], 0);
	}
	step(LOG_INIT);
}

const char *board_read(const void *fdt, size_t max)
{
	step(BOARD);
	assert_ptr_equal(fdt, __dtb_start);
	rec.fdt_max = max;
	return rec.board_why;
}

const struct cfg_platform *board(void)
{
	return &platform;
}

bool mmu_map_ram(uint64_t ram_base, uint64_t ram_size)
{
	step(MAP);
	assert_int_equal(ram_base, platform.ram_base);
	assert_int_equal(ram_size, platform.ram_size);
	return rec.map_ok;
}

bool board_check(const struct cfg_scenario *sc, uint64_t pool_bytes, char *why,
		 size_t why_size)
{
	step(FITS);
	assert_ptr_equal(sc, &scenario);
	assert_int_equal(pool_bytes, POOL_PAGES * PAGE);
	if (!rec.fits) {
		snprintf(why, why_size, NO_FIT);
	}
	return rec.fits;
}

/* The refusals' failure power-off: back to the test like a panic. */
void platform_power_off_failure(void)
{
	rec.failed = true;
	panic("powered off with failure");
}

void mmu_init(uint64_t ram_base, uint64_t ram_size)
{
	step(MMU);
	rec.mmu_base = ram_base;
	rec.mmu_size = ram_size;
}

void gic_init(void)
{
	step(GIC);
}

void cpu_init(uint32_t id)
{
	assert_int_equal(id, 0);
	step(CPU_BOOT);
}

int palloc_init(struct palloc *pool, paddr_t base, uint64_t size)
{
	step(POOL);
	rec.pool = pool;
	rec.pool_base = pa_addr(base);
	rec.pool_size = size;
	pool->low = 0;
	pool->high = POOL_PAGES * PAGE_SIZE;
	return rec.pool_err;
}

size_t palloc_free_count(const struct palloc *pool)
{
	return (pool->high - pool->low) / PAGE_SIZE;
}

bool cfg_check_bounds(const struct cfg_scenario *sc, char *why,
		      size_t why_size)
{
	step(BOUNDS);
	assert_ptr_equal(sc, &scenario);
	assert_int_equal(why_size, CFG_BOUNDS_MSG_MAX);
	if (!rec.bounds_ok) {
		strcpy(why, WHY);
	}
	return rec.bounds_ok;
}

void vm_create_all(const struct cfg_scenario *sc,
		   const struct cfg_image *images, size_t image_count,
		   struct palloc *pool)
{
	step(VMS);
	assert_ptr_equal(sc, &scenario);
	assert_ptr_equal(images, scenario_images);
	assert_int_equal(image_count, scenario_image_count);
	rec.vm_pool = pool;
}

void irq_init(const struct cfg_scenario *sc)
{
	step(IRQS);
	assert_ptr_equal(sc, &scenario);
}

uint32_t cpu_start_secondaries(const uint64_t *mpidr, uint32_t count)
{
	step(SECONDARIES);
	rec.mpidr = mpidr;
	assert_int_equal(count, CPUS);
	return CPUS;
}

void sched_assign_homes(void)
{
	step(HOMES);
}

void sched_start(void)
{
	step(SCHED);
	longjmp(scheduled, 1);
}

/* --- Fixture --------------------------------------------------------------- */

static int setup(void **unused)
{
	(void)unused;
	memset(&rec, 0, sizeof(rec));
	rec.bounds_ok = true;
	rec.map_ok = true;
	rec.fits = true;
	rec.pool_err = HYP_OK;
	platform.ram_base = RAM_BASE;
	platform.ram_size = RAM_SIZE;
	kernel_lock_word.word = 0;
	fake_arch_reset();
	fake_log_reset();
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

/* kmain() up to the scheduler, which must be reached. */
static void boot(void)
{
	if (setjmp(scheduled) == 0) {
		kmain();
		fail_msg("kmain returned");
	}
}

/* kmain(), which must panic. */
static void boot_panics(void)
{
	FAKE_EXPECT_PANIC(kmain());
}

static void assert_steps(const enum step *want, unsigned n)
{
	assert_int_equal(rec.n, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(rec.steps[i], want[i]);
	}
}

static void test_main_boot_sequence(void **unused)
{
	(void)unused;
	static const enum step want[] = { LOG_INIT,    MMU,   BOARD,	MAP,
					  LOG_INIT,    GIC,   CPU_BOOT, POOL,
					  BOUNDS,      FITS,  VMS,	IRQS,
					  SECONDARIES, HOMES, SCHED };

	boot();
	assert_steps(want, sizeof(want) / sizeof(want[0]));
	/* Held throughout, and still held on the way to the first vCPU. */
	assert_false(rec.unlocked_at);
	assert_true(lock_held());
	/* First the map of the device tree and the kernel image only. */
	assert_int_equal(rec.mmu_base, RAM_BASE);
	assert_int_equal(rec.mmu_size, 2 * PAGE);
	/* The tree may fill the room below the kernel image, no more. */
	assert_int_equal(rec.fdt_max, PAGE);
	/* The secondaries are the board's, by MPIDR. */
	assert_ptr_equal(rec.mpidr, platform.cpu_mpidr);
	assert_string_equal(fake_log_last[LOG_LEVEL_INFO], "4 physical CPU(s)");
	assert_int_equal(fake_log_count[LOG_LEVEL_INFO], 5);
	assert_int_equal(fake_log_count[LOG_LEVEL_ERROR], 0);
}

/* The pool: from the first 2 MiB boundary after the kernel image to the
 * end of RAM; the partitions are built from it. */
static void test_main_pool_after_kernel_image(void **unused)
{
	(void)unused;
	const uint64_t start = ALIGN_UP((uint64_t)(uintptr_t)__hyp_end, SZ_2M);

	boot();
	assert_int_equal(rec.pool_base, start);
	assert_int_equal(rec.pool_size, RAM_BASE + RAM_SIZE - start);
	assert_int_equal(rec.pool_base % SZ_2M, 0);
	assert_true(rec.pool_base >= (uint64_t)(uintptr_t)__hyp_end);
	assert_non_null(rec.pool);
	assert_ptr_equal(rec.vm_pool, rec.pool);
}

static void test_main_bad_bounds_panic(void **unused)
{
	(void)unused;
	static const enum step want[] = { LOG_INIT, MMU,      BOARD,
					  MAP,	    LOG_INIT, GIC,
					  CPU_BOOT, POOL,     BOUNDS };

	rec.bounds_ok = false;
	boot_panics();
	assert_string_equal(fake_panic_msg, "scenario 'boot': " WHY);
	/* No partition is built from a scenario out of bounds. */
	assert_steps(want, sizeof(want) / sizeof(want[0]));
}

static void test_main_no_ram_after_kernel_panics(void **unused)
{
	(void)unused;
	static const enum step want[] = { LOG_INIT, MMU, BOARD,	  MAP,
					  LOG_INIT, GIC, CPU_BOOT };
	const uint64_t start = ALIGN_UP((uint64_t)(uintptr_t)__hyp_end, SZ_2M);

	/* RAM ends exactly where the pool would start. */
	platform.ram_size = start - RAM_BASE;
	boot_panics();
	assert_string_equal(fake_panic_msg, "no RAM left for the page pool "
					    "after the kernel image");
	assert_steps(want, sizeof(want) / sizeof(want[0]));
}

static void test_main_pool_refused_panics(void **unused)
{
	(void)unused;
	rec.pool_err = HYP_ENOMEM;
	boot_panics();
	assert_string_equal(fake_panic_msg, "no RAM left for the page pool "
					    "after the kernel image");
	assert_int_equal(rec.steps[rec.n - 1], POOL);
}

/* No device tree, or not one the kernel can use: one line naming why,
 * then a failure power-off, before anything else is set up. */
static void test_main_no_device_tree_refused(void **unused)
{
	(void)unused;
	static const enum step want[] = { LOG_INIT, MMU, BOARD };

	rec.board_why = "no /cpus node";
	boot_panics();
	assert_true(rec.failed);
	assert_string_equal(fake_log_last[LOG_LEVEL_ERROR],
			    "no usable device tree at the start of RAM: "
			    "no /cpus node");
	assert_steps(want, sizeof(want) / sizeof(want[0]));
}

/* RAM elsewhere than where the kernel runs, or beyond the EL2 map. */
static void test_main_board_ram_refused(void **unused)
{
	(void)unused;
	static const enum step want[] = { LOG_INIT, MMU, BOARD, MAP };

	platform.ram_base = RAM_BASE + SZ_1G;
	boot_panics();
	assert_true(rec.failed);
	assert_int_equal(rec.n, 3);
	platform.ram_base = RAM_BASE;
	rec = (typeof(rec)){ .bounds_ok = true, .fits = true };
	fake_log_reset();
	kernel_lock_word.word = 0;
	boot_panics();
	assert_true(rec.failed);
	assert_steps(want, sizeof(want) / sizeof(want[0]));
	assert_non_null(
		strstr(fake_log_last[LOG_LEVEL_ERROR], "board: its RAM"));
}

/* A scenario the board cannot host: refused by name, nothing built. */
static void test_main_board_cannot_host(void **unused)
{
	(void)unused;
	rec.fits = false;
	boot_panics();
	assert_true(rec.failed);
	assert_string_equal(fake_log_last[LOG_LEVEL_ERROR],
			    "the board cannot host scenario 'boot': " NO_FIT);
	assert_int_equal(rec.steps[rec.n - 1], FITS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_main_boot_sequence),
		TEST(test_main_pool_after_kernel_image),
		TEST(test_main_bad_bounds_panic),
		TEST(test_main_no_ram_after_kernel_panics),
		TEST(test_main_pool_refused_panics),
		TEST(test_main_no_device_tree_refused),
		TEST(test_main_board_ram_refused),
		TEST(test_main_board_cannot_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
