/**
 * System test: the call interface. Unknown HVC and SMC calls return -1
 * (NOT_SUPPORTED); PSCI VERSION/FEATURES answer over both conduits; the
 * hypervisor's own calls validate their arguments.
 */
#include <stdint.h>

#include "guest/smccc.h"
#include "guest/test.h"

#define NOT_SUPPORTED ((uint64_t)-1)
#define PSCI_CPU_SUSPEND_64 0xc4000001U
/* SYSTEM_SUSPEND (DEN 0022D 5.1.18): optional, not offered. */
#define PSCI_SYSTEM_SUSPEND_64 0xc400000eU

static struct smccc_res hvc_imm1(uint64_t fid)
{
	register uint64_t x0 __asm__("x0") = fid;

	__asm__ volatile("hvc #1" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	return (struct smccc_res){ .a0 = x0 };
}

static void check_unknown_calls(void)
{
	static const uint64_t ids[] = {
		0x0, 0x12345678, 0x86001234, 0xc6000fff, 0x84000099,
		0xc2000000, 0xbf00ff01, 0xffffffff, 0xffffffffffffffffULL,
	};

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		CHECK_EQ(hvc_call(ids[i], 1, 2, 3).a0, NOT_SUPPORTED);
		CHECK_EQ(smc_call(ids[i], 1, 2, 3).a0, NOT_SUPPORTED);
	}
	/* SMCCC: a non-zero immediate is not one of our services. */
	CHECK_EQ(hvc_imm1(PSCI_VERSION).a0, NOT_SUPPORTED);
	/* Hypervisor calls are HVC only. */
	CHECK_EQ(smc_call(HYP_CALL_VERSION, 0, 0, 0).a0, NOT_SUPPORTED);
}

static void check_psci(void)
{
	CHECK_EQ(hvc_call(PSCI_VERSION, 0, 0, 0).a0, PSCI_VERSION_1_0);
	CHECK_EQ(smc_call(PSCI_VERSION, 0, 0, 0).a0, PSCI_VERSION_1_0);
	CHECK_EQ(hvc_call(PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0).a0, 0);
	CHECK_EQ(smc_call(PSCI_FEATURES, PSCI_SYSTEM_RESET, 0, 0).a0, 0);
	CHECK_EQ(hvc_call(PSCI_FEATURES, PSCI_VERSION, 0, 0).a0, 0);
	CHECK_EQ(hvc_call(PSCI_FEATURES, PSCI_CPU_SUSPEND_64, 0, 0).a0, 0);
	CHECK_EQ(hvc_call(PSCI_FEATURES, PSCI_SYSTEM_SUSPEND_64, 0, 0).a0,
		 NOT_SUPPORTED);
	CHECK_EQ(hvc_call(PSCI_FEATURES, 0xdeadbeef, 0, 0).a0, NOT_SUPPORTED);
	CHECK_EQ(hvc_call(SMCCC_VERSION, 0, 0, 0).a0, SMCCC_VERSION_1_1);
	/* Linux finds SMCCC 1.1 only if PSCI_FEATURES reports the call. */
	CHECK_EQ(hvc_call(PSCI_FEATURES, SMCCC_VERSION, 0, 0).a0, 0);
	CHECK_EQ(hvc_call(SMCCC_ARCH_FEATURES, 0x80008000, 0, 0).a0,
		 NOT_SUPPORTED);
}

static const char message[] = "console write from guest memory\n";

static void check_hyp_calls(void)
{
	CHECK_EQ(hvc_call(HYP_CALL_VERSION, 0, 0, 0).a0, HYP_ABI_VERSION);
	CHECK_EQ(hvc_call(HYP_CALL_CONSOLE_WRITE, (uint64_t)(uintptr_t)message,
			  sizeof(message) - 1, 0).a0,
		 sizeof(message) - 1);
	/* A buffer outside the guest's RAM, and one too long. */
	CHECK_EQ(hvc_call(HYP_CALL_CONSOLE_WRITE, 0x50000000, 16, 0).a0,
		 (uint64_t)(int64_t)HYP_RET_INVALID_ADDRESS);
	CHECK_EQ(hvc_call(HYP_CALL_CONSOLE_WRITE, 0x40000000,
			  HYP_CONSOLE_WRITE_MAX + 1, 0).a0,
		 (uint64_t)(int64_t)HYP_RET_INVALID_PARAMS);
	CHECK_EQ(hvc_call(HYP_CALL_CONSOLE_PUTC, '\n', 0, 0).a0, 0);
}

void test_main(void)
{
	check_unknown_calls();
	check_psci();
	check_hyp_calls();
}
