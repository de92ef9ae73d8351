/** The kernel lock (see hyp/klock.h). */
#include "hyp/klock.h"

struct spinlock kernel_lock_word = SPINLOCK_INIT;
struct klock_stat klock_stats[CPU_MAX];
