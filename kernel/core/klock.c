/** The kernel lock (see hyp/klock.h). */
#include "hyp/klock.h"

struct spinlock kernel_lock_word = SPINLOCK_INIT;

void kernel_lock_wait(void)
{
	while (!arch_spin_lock_bounded(&kernel_lock_word.word,
				       KLOCK_WAITS_BEFORE_NAP)) {
		arch_nap(KLOCK_NAP_US);
	}
}
