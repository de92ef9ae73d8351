/**
 * System test, service side: runs as a *service* partition. It checks that
 * it sees nothing but its own RAM: every 2 MiB of the physical RAM range
 * (where the guest's RAM and the kernel live), used as an IPA, aborts, and
 * the kernel will not read guest memory for it either. Then it serves its
 * window to the guest (answering reads with a pattern) with a few lines of
 * raw IPC: a second service with no kernel change.
 */
#include <stdint.h>

#include "abi/ipc.h"
#include "guest/exception.h"
#include "guest/smccc.h"
#include "guest/test.h"

#define OWN_RAM 0x40000000UL
#define OWN_RAM_SIZE (2UL << 20)
#define PHYS_RAM_END 0x80000000UL
#define STEP (2UL << 20)
#define PATTERN 0xc0ffee00ULL
#define EC_DABT_CUR 0x25

static unsigned probe_range(uint64_t from, uint64_t to)
{
	unsigned aborts = 0;

	for (uint64_t ipa = from; ipa < to; ipa += STEP) {
		const struct exception_record *r = exception_seen();

		exception_expect(RESUME_NEXT_INSN);
		(void)*(volatile uint64_t *)ipa;
		aborts += r->count == 1 && ESR_EC(r->esr) == EC_DABT_CUR;
	}
	return aborts;
}

static void check_isolation(void)
{
	unsigned expected = (PHYS_RAM_END - OWN_RAM - OWN_RAM_SIZE) / STEP;

	CHECK_EQ(probe_range(OWN_RAM + OWN_RAM_SIZE, PHYS_RAM_END), expected);
	/* Low IPAs too (devices it was not granted, flash). */
	CHECK_EQ(probe_range(0, OWN_RAM), OWN_RAM / STEP);
	/* Writes fare no better. */
	exception_expect(RESUME_NEXT_INSN);
	*(volatile uint64_t *)(OWN_RAM + OWN_RAM_SIZE) = 0xbad;
	CHECK_EQ(exception_seen()->count, 1);
	/* The kernel reads only the caller's own RAM on its behalf. */
	CHECK_EQ(hvc_call(HYP_CALL_CONSOLE_WRITE, OWN_RAM + OWN_RAM_SIZE, 8, 0).a0,
		 (uint64_t)(int64_t)HYP_RET_INVALID_ADDRESS);
	printf("probe: %u IPAs outside its RAM all abort\n", expected + 512);
}

void test_main(void)
{
	check_isolation();
	printf("PROBE RESULT: %s\n", test_failures ? "FAIL" : "PASS");
	console_flush();
	/* A message arrives in x0..x5; x2 is the offset of an MMIO access. */
	struct smccc_res msg = hvc_call(HYP_IPC_RECV, 0, 0, 0);

	for (;;) {
		msg = hvc_call(HYP_IPC_REPLY_RECV, IPC_OK, PATTERN | msg.a2, 0);
	}
}
