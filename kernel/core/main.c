/**
 * Kernel entry after boot.S: console, EL2 MMU, the board from its device
 * tree, trap configuration, page pool, the scenario's bounds (the build
 * checked its rules) and whether the board can host it, partitions, then
 * the scheduler.
 */
#include "hyp/cpu.h"
#include "hyp/irq.h"
#include "arch/mmu.h"
#include "hyp/board.h"
#include "hyp/hypercall.h"
#include "hyp/errno.h"
#include "hyp/klock.h"
#include "hyp/log.h"
#include "hyp/panic.h"
#include "hyp/sched.h"
#include "hyp/units.h"
#include "hyp/version.h"
#include "hyp/vm.h"

void kmain(void);

/** Linker symbols: first and last byte of the kernel image, and where
 * QEMU puts the device tree for it (linker.ld). */
extern char __hyp_start[], __hyp_end[], __dtb_start[];

/** Physical pages handed to partitions and Stage-2 tables. */
static struct palloc kernel_pool;

static void pool_init(const struct cfg_platform *plat)
{
	uint64_t start = ALIGN_UP((uint64_t)__hyp_end, SZ_2M);
	uint64_t end = plat->ram_base + plat->ram_size;

	if (start >= end ||
	    palloc_init(&kernel_pool, pa_init(start), end - start) != HYP_OK) {
		panic("no RAM left for the page pool after the kernel image");
	}
	log_info("RAM 0x%lx-0x%lx, kernel 0x%lx-0x%lx, pool %lu MiB",
		 plat->ram_base, end, (uint64_t)__hyp_start,
		 (uint64_t)__hyp_end,
		 palloc_free_count(&kernel_pool) * PAGE_SIZE / SZ_1M);
}

/* One line naming why, then power off with a failure status. */
static noreturn void refuse(const char *what, const char *why)
{
	log_err("%s: %s", what, why);
	platform_power_off_failure();
}

/* The board from the DTB at the start of RAM, its RAM added to the map
 * (the map so far: devices and the RAM block of the kernel and DTB). */
static const struct cfg_platform *board_init(void)
{
	const char *why =
		board_read(__dtb_start, (size_t)(__hyp_start - __dtb_start));
	const struct cfg_platform *b = board();

	if (why != NULL) {
		refuse("no usable device tree at the start of RAM", why);
	}
	if (b->ram_base != (uint64_t)__dtb_start ||
	    b->ram_size < (uint64_t)(__hyp_end - __dtb_start) ||
	    !mmu_map_ram(b->ram_base, b->ram_size)) {
		refuse("board", "its RAM does not start where the kernel is "
				"loaded, or is too small or too large");
	}
	log_init();
	log_info("board: RAM 0x%lx-0x%lx (%lu MiB), %u CPU(s), GIC 0x%lx, "
		 "UART 0x%lx",
		 b->ram_base, b->ram_base + b->ram_size, b->ram_size / SZ_1M,
		 b->cpu_count, b->gicd_base, b->uart_base);
	return b;
}

void kmain(void)
{
	/* Held until this CPU enters its first vCPU (kernel_exit()). */
	kernel_lock();
	log_init();
	log_info("%s %s: EL2 kernel starting", HYP_NAME, HYP_VERSION);
	CHECK(scenario.platform != NULL);
	mmu_init((uint64_t)__dtb_start, (uint64_t)(__hyp_end - __dtb_start));

	const struct cfg_platform *plat = board_init();

	gic_init();
	cpu_init(0);
	pool_init(plat);

	char why[CFG_BOUNDS_MSG_MAX];

	if (!cfg_check_bounds(&scenario, why, sizeof(why))) {
		panic("scenario '%s': %s", scenario.name, why);
	}
	if (!board_check(&scenario, palloc_free_count(&kernel_pool) * PAGE_SIZE,
			 why, sizeof(why))) {
		log_err("the board cannot host scenario '%s': %s",
			scenario.name, why);
		platform_power_off_failure();
	}
	log_info("scenario '%s' on %s: %zu partition(s)", scenario.name,
		 plat->name, scenario.vm_count);
	vm_create_all(&scenario, scenario_images, scenario_image_count,
		      &kernel_pool);
	irq_init(&scenario);
	/* After the images are loaded: until now one CPU ran (set/way cache
	 * maintenance was valid). The others wait for the kernel lock. */
	uint32_t cpus = cpu_start_secondaries(plat->cpu_mpidr, plat->cpu_count);

	log_info("%u physical CPU(s)", cpus);
	sched_assign_homes();
	sched_start();
}
