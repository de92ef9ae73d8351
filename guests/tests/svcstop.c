/**
 * System test: a service that stops answering without crashing (WFI, PSCI
 * CPU_SUSPEND or CPU_OFF while it serves an access or a notification) or
 * that asks for a reset (PSCI SYSTEM_RESET) goes through the restart path
 * like a faulted one: the kernel restarts it and sends it the access in
 * flight again, which then takes effect exactly once. Nothing blocks this
 * guest for ever and no access completes with a made-up answer.
 */
#include <stdint.h>

#include "abi/ipc.h"
#include "guest/smccc.h"
#include "guest/test.h"

#define ECHO 0x0a000000UL
#define ECHO_PATTERN 0x5a5aULL
#define RESTARTS_OFFSET 0x308U
#define STALL_OFFSET 0x500U
#define STALL_WRITES_OFFSET 0x508U
#define STALL_READ_OFFSET 0x510U
#define STALL_READ_PATTERN 0x600dU
#define WFI_BIT (1ULL << 62) /* not IRQ_NOTIFY_BIT(33), the UART's */
#define ECHO_ENDPOINT 0
/* The value's low byte names the way to stall (services/testsvc). */
#define STALL_VALUE_TAG 0x5100U

static const struct {
	uint32_t kind;
	const char *name;
} stalls[] = {
	{ 1, "WFI" },
	{ 2, "PSCI CPU_SUSPEND" },
	{ 3, "PSCI CPU_OFF" },
	{ 4, "PSCI SYSTEM_RESET" },
};

static volatile uint32_t *reg(uint32_t offset)
{
	return (volatile uint32_t *)(ECHO + offset);
}

static void check_echo_works(void)
{
	CHECK_EQ(*reg(0), ECHO_PATTERN);
	CHECK_EQ(hvc_call(HYP_IPC_CALL, ECHO_ENDPOINT, 40, 0).a1, 41);
}

void test_main(void)
{
	check_echo_works();
	for (unsigned i = 0; i < sizeof(stalls) / sizeof(stalls[0]); i++) {
		uint32_t restarts = *reg(RESTARTS_OFFSET);
		uint32_t writes = *reg(STALL_WRITES_OFFSET);
		uint32_t value = STALL_VALUE_TAG | stalls[i].kind;

		/* The service stalls on this write; restarted, it gets the
		 * write again and stores it. */
		*reg(STALL_OFFSET) = value;
		CHECK_EQ(*reg(RESTARTS_OFFSET), restarts + 1);
		CHECK_EQ(*reg(STALL_OFFSET), value);
		CHECK_EQ(*reg(STALL_WRITES_OFFSET), writes + 1);
		check_echo_works();
		printf("svcstop: %s while serving a write: restarted, the write "
		       "took effect once\n", stalls[i].name);
	}

	/* A read in flight during SYSTEM_RESET gets the real answer. */
	uint32_t restarts = *reg(RESTARTS_OFFSET);

	CHECK_EQ(*reg(STALL_READ_OFFSET), STALL_READ_PATTERN);
	CHECK_EQ(*reg(RESTARTS_OFFSET), restarts + 1);
	printf("svcstop: PSCI SYSTEM_RESET while serving a read: restarted, "
	       "the read answered\n");

	/* WFI with no request in flight (in a notification): restarted. */
	restarts = *reg(RESTARTS_OFFSET);
	CHECK_EQ(hvc_call(HYP_IPC_NOTIFY, ECHO_ENDPOINT, WFI_BIT, 0).a0, IPC_OK);
	check_echo_works();
	CHECK_EQ(*reg(RESTARTS_OFFSET), restarts + 1);
	printf("svcstop: WFI in a notification: restarted, guest went on\n");
}
