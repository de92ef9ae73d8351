/**
 * System test (issue 16): memory a service reaches (configs/grant,
 * services/grantsvc). The service checks HYP_IPC_TRANSLATE on its own RAM
 * when this guest reads its TRANSLATE register; a guest never learns a PA.
 */
#include <stdint.h>

#include "abi/ipc.h"
#include "guest/smccc.h"
#include "guest/test.h"

#define GRANTSVC 0x0a000000UL
#define TRANSLATE_OFFSET 0x00U
#define GUEST_RAM_IPA 0x40000000ULL

void test_main(void)
{
	volatile uint64_t *dev = (volatile uint64_t *)GRANTSVC;

	/* Failed checks of the service's own translations. */
	CHECK_EQ(dev[TRANSLATE_OFFSET / 8], 0);
	/* A guest may not translate, not even its own RAM. */
	CHECK_EQ(hvc_call(HYP_IPC_TRANSLATE, GUEST_RAM_IPA, 0, 0).a0,
		 (uint64_t)(int64_t)IPC_ERR_DENIED);
	printf("grant: the service translated its RAM, the guest may not\n");
}
