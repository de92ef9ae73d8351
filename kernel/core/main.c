/**
 * Kernel entry after boot.S: console, EL2 MMU, trap configuration, page
 * pool, the scenario's bounds (the build checked its rules), partitions,
 * then the scheduler.
 */
#include "hyp/arch_gic.h"
#include "hyp/cpu.h"
#include "hyp/irq.h"
#include "arch/mmu.h"
#include "hyp/config.h"
#include "hyp/errno.h"
#include "hyp/klock.h"
#include "hyp/log.h"
#include "hyp/mm.h"
#include "hyp/palloc.h"
#include "hyp/panic.h"
#include "hyp/sched.h"
#include "hyp/units.h"
#include "hyp/version.h"
#include "hyp/vm.h"

void kmain(void);

/** Linker symbols: first and last byte of the kernel image. */
extern char __hyp_start[], __hyp_end[];

/** Physical pages handed to partitions and Stage-2 tables. */
static struct palloc kernel_pool;

static void pool_init(const struct cfg_platform *plat)
{
	uint64_t start = ALIGN_UP((uint64_t)__hyp_end, SZ_2M);
	uint64_t end = plat->ram_base + plat->ram_size;

	if (start >= end || palloc_init(&kernel_pool, pa_init(start),
					end - start) != HYP_OK) {
		panic("no RAM left for the page pool after the kernel image");
	}
	log_info("RAM 0x%llx-0x%llx, kernel 0x%llx-0x%llx, pool %llu MiB",
		 (unsigned long long)plat->ram_base, (unsigned long long)end,
		 (unsigned long long)(uint64_t)__hyp_start,
		 (unsigned long long)(uint64_t)__hyp_end,
		 (unsigned long long)(palloc_free_count(&kernel_pool) *
				      PAGE_SIZE / SZ_1M));
}

void kmain(void)
{
	const struct cfg_platform *plat = scenario.platform;

	/* Held until this CPU enters its first vCPU (kernel_exit()). */
	kernel_lock();
	log_init();
	log_info("%s %s: EL2 kernel starting", HYP_NAME, HYP_VERSION);
	CHECK(plat != NULL);
	mmu_init(plat->ram_base, plat->ram_size);
	gic_init();
	cpu_init_boot();
	pool_init(plat);

	char why[CFG_BOUNDS_MSG_MAX];

	if (!cfg_check_bounds(&scenario, scenario_images, scenario_image_count,
			      why, sizeof(why))) {
		panic("scenario '%s': %s", scenario.name, why);
	}
	log_info("scenario '%s' on %s: %zu partition(s)", scenario.name,
		 plat->name, scenario.vm_count);
	vm_create_all(&scenario, scenario_images, scenario_image_count,
		      &kernel_pool);
	irq_init(&scenario);
	/* After the images are loaded: until now one CPU ran (set/way cache
	 * maintenance was valid). The others wait for the kernel lock. */
	uint32_t cpus = cpu_start_secondaries();

	log_info("%u physical CPU(s)", cpus);
	sched_assign_homes();
	sched_start();
}
