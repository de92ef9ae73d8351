/** The kernel lock (see hyp/klock.h). */
#include "hyp/klock.h"

#include "hyp/arch_gic.h"

struct spinlock kernel_lock_word = SPINLOCK_INIT;

/*
 * A pending virtual interrupt in the loaded guest's LRs would end every
 * nap at once under QEMU (arm_cpu_has_work() counts it at EL2, as for the
 * idle loop: hyp/arch_gic.h), and the waiter would spin after all: the
 * interface is quiet while it naps, and as it was once the lock is taken.
 */
void kernel_lock_wait(void)
{
	bool quiet = false;
	uint32_t vgic = 0;

	while (!arch_spin_lock_bounded(&kernel_lock_word.word,
				       KLOCK_WAITS_BEFORE_NAP)) {
		if (!quiet) {
			vgic = arch_vgic_quiet();
			quiet = true;
		}
		arch_nap(KLOCK_NAP_US);
	}
	if (quiet) {
		arch_vgic_unquiet(vgic);
	}
}
