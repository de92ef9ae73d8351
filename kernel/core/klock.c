/** The kernel lock (see hyp/klock.h). */
#include "hyp/klock.h"

struct spinlock kernel_lock_word = SPINLOCK_INIT;
