#pragma once
/** SMCCC calls from a guest: `hvc #0` / `smc #0` with x0..x3 (see abi). */
#include <stdint.h>

#include "abi/hypercall.h"

/** Results x0..x3 of one call. */
struct smccc_res {
	uint64_t a0, a1, a2, a3;
};

struct smccc_res hvc_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
struct smccc_res smc_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

/** PSCI SYSTEM_OFF over HVC; does not return. */
_Noreturn void guest_power_off(void);

/**
 * End with exit status @p status (0..HYP_EXIT_STATUS_MAX, HYP_CALL_EXIT):
 * `scons qemu=1` exits with it. Returns only with the call's error for a
 * status out of range.
 */
int64_t guest_exit(uint64_t status);
