#pragma once
/**
 * Dispatch of SMCCC calls from partitions: PSCI, SMCCC architecture calls
 * and the hypervisor's own calls (abi/hypercall.h).
 */
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/**
 * Handle the call in @p vcpu's x0..x6 issued with `hvc #imm` (or `smc #imm`
 * if @p smc); results go to x0..x3. Unknown calls return
 * SMCCC_NOT_SUPPORTED (-1). Returns the vCPU to run next.
 */
struct vcpu *hypercall_dispatch(struct vcpu *vcpu, uint16_t imm, bool smc);

/**
 * Calls that read nothing but constants and the caller's registers
 * (versions): answered without the kernel lock. False if the call in
 * @p vcpu's x0 (issued with `hvc #imm`) is not one of them.
 */
bool hypercall_local(struct vcpu *vcpu, uint16_t imm);

/** PSCI part of the dispatcher; false if @p fid is not a PSCI call. */
bool psci_handle(struct vcpu *vcpu, uint32_t fid, struct vcpu **next);

/** Power the physical machine off through the firmware (never returns). */
_Noreturn void platform_power_off(void);

/**
 * Power the machine off reporting a failure: on QEMU virt through a
 * pvpanic-pci device, which QEMU started with `-action panic=exit-failure`
 * turns into exit status 1 (tools/hypqemu.py). Without the device it logs
 * that and powers off normally (never returns).
 */
_Noreturn void platform_power_off_failure(void);

/**
 * Ask the firmware to start physical CPU @p mpidr at @p entry (MMU off,
 * EL2) with x0 = @p context. Returns the PSCI status (PSCI_RET_*).
 */
int64_t platform_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
