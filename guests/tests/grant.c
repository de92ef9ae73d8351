/**
 * System test (issue 16): memory a service reaches (configs/grant,
 * services/grantsvc). The service checks HYP_IPC_TRANSLATE on its own RAM
 * and on its grant of this guest's RAM [GRANT_BASE, +GRANT_SIZE); it sums
 * a buffer this guest wrote there and inverts it, which this guest checks;
 * touching the byte past the grant crashes the service (restarted by the
 * kernel; the access, sent again, aborts here), and the grant still works
 * for the restarted service. A guest never learns a PA.
 */
#include <stdint.h>

#include "abi/ipc.h"
#include "guest/exception.h"
#include "guest/smccc.h"
#include "guest/test.h"

#define GRANTSVC 0x0a000000UL
#define TRANSLATE_OFFSET 0x00U
#define GRANT_OFFSET 0x08U
#define SUM_OFFSET 0x10U
#define PAST_OFFSET 0x18U
#define BUF_SIZE 256U
#define SUM_BAD UINT64_MAX
#define GUEST_RAM_IPA 0x40000000ULL
/* The grant (configs/grant/config.c), past this image, stack and bss. */
#define GRANT_BASE 0x40800000ULL
#define GRANT_SIZE 0x10000ULL
/* The buffer: the grant's last BUF_SIZE bytes. */
#define BUF_IPA (GRANT_BASE + GRANT_SIZE - BUF_SIZE)
#define EC_DABT_CUR 0x25

static volatile uint64_t *reg(uint32_t offset)
{
	return (volatile uint64_t *)(GRANTSVC + offset);
}

/* Fill the buffer (@p seed), have the service sum and invert it. */
static void sum_round(uint8_t seed)
{
	volatile uint8_t *buf = (volatile uint8_t *)BUF_IPA;
	uint64_t sum = 0;

	for (uint32_t i = 0; i < BUF_SIZE; i++) {
		buf[i] = (uint8_t)(seed + i * 3U);
		sum += buf[i];
	}
	*reg(SUM_OFFSET) = BUF_IPA;
	CHECK_EQ(*reg(SUM_OFFSET), sum);
	for (uint32_t i = 0; i < BUF_SIZE; i++) {
		CHECK_EQ(buf[i], (uint8_t) ~(uint8_t)(seed + i * 3U));
	}
}

void test_main(void)
{
	/* Failed checks of the service's own translations, then its grant's. */
	CHECK_EQ(*reg(TRANSLATE_OFFSET), 0);
	CHECK_EQ(*reg(GRANT_OFFSET), 0);
	/* A guest may not translate, not even its own RAM. */
	CHECK_EQ(hvc_call(HYP_IPC_TRANSLATE, GUEST_RAM_IPA, 0, 0).a0,
		 (uint64_t)(int64_t)IPC_ERR_DENIED);
	CHECK_EQ(hvc_call(HYP_IPC_GRANT_INFO, 0, 0, 0).a0,
		 (uint64_t)(int64_t)IPC_ERR_INVALID);
	printf("grant: the service translated its RAM, the guest may not\n");

	sum_round(7);
	/* A buffer reaching past the grant is refused by the service. */
	*reg(SUM_OFFSET) = GRANT_BASE + GRANT_SIZE - BUF_SIZE / 2;
	CHECK_EQ(*reg(SUM_OFFSET), SUM_BAD);
	printf("grant: the service read and wrote the buffer through its "
	       "grant\n");

	/* The byte past the grant: the service faults, twice (the write is
	 * sent again to the restarted service), and the write aborts. */
	exception_expect(RESUME_NEXT_INSN);
	*reg(PAST_OFFSET) = 1;
	CHECK_EQ(exception_seen()->count, 1);
	CHECK_EQ(ESR_EC(exception_seen()->esr), EC_DABT_CUR);
	/* Restarted: its grant still reaches this guest's RAM. */
	sum_round(0x55);
	printf("grant: past its grant the service faulted; restarted, it "
	       "still reaches the grant\n");
}
