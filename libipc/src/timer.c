/**
 * libipc's time: the counter a service reads and its one timer
 * (HYP_IPC_TIMER_SET, abi/ipc.h). The kernel runs services with
 * CNTVOFF_EL2 = 0, so CNTVCT_EL0 here is the physical counter, and the
 * deadline a service passes is compared with that counter.
 */
#include "ipc/ipc.h"

uint64_t ipc_now(void)
{
	uint64_t v;

	/* Without an ISB the counter may be read out of order, before
	 * earlier instructions (Arm ARM, "The virtual counter"). */
	__asm__ volatile("isb\n"
			 "mrs %0, cntvct_el0"
			 : "=r"(v)
			 :
			 : "memory");
	return v;
}

uint64_t ipc_ticks_per_sec(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

int ipc_timer_set(uint64_t deadline)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_TIMER_SET, deadline };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	return (int)(int64_t)out[0];
}

int ipc_timer_cancel(void)
{
	return ipc_timer_set(0);
}
