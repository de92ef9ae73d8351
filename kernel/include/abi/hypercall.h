#pragma once
/**
 * The hypervisor call ABI, shared by the kernel and everything that runs
 * under it. Calls follow the SMC Calling Convention (Arm DEN 0028): function
 * ID in x0, arguments x1..x6, results in x0..x3, issued with `hvc #0`.
 * PSCI (Arm DEN 0022) is accepted over both `hvc #0` and `smc #0`.
 */

/* SMCCC function ID fields: bit 31 fast call, bit 30 SMC64, owner [29:24]. */
#define SMCCC_FAST_CALL 0x80000000U
#define SMCCC_64BIT 0x40000000U
#define SMCCC_OWNER_SHIFT 24
#define SMCCC_OWNER_ARCH 0U
#define SMCCC_OWNER_STANDARD 4U       /* PSCI lives here. */
#define SMCCC_OWNER_VENDOR_HYP 6U     /* Our hypervisor calls. */

/*
 * Return codes: one space for every call, each value one meaning. PSCI's
 * (DEN 0022D 5.2.2, table 6) and SMCCC's (DEN 0028 7.1) take -1..-9; the
 * hypervisor's own calls reuse those meanings and add theirs from -10 on.
 */
#define SMCCC_SUCCESS 0
#define SMCCC_NOT_SUPPORTED (-1)
#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_INVALID_ADDRESS (-9)
/** Malformed argument, or no such endpoint, window, vCPU or INTID. */
#define HYP_RET_INVALID_PARAMS PSCI_RET_INVALID_PARAMS
/** The caller may not do this (not its endpoint, window or VM). */
#define HYP_RET_DENIED PSCI_RET_DENIED
/** A guest address outside the caller's RAM. */
#define HYP_RET_INVALID_ADDRESS PSCI_RET_INVALID_ADDRESS
/** The called service is stopped. */
#define HYP_RET_DEAD (-10)
/** REPLY_RECV with nothing to reply to. */
#define HYP_RET_STATE (-11)
/** libipc: a handler is already registered there (never from the kernel). */
#define HYP_RET_EXISTS (-12)

/* SMCCC architecture calls. */
#define SMCCC_VERSION 0x80000000U
#define SMCCC_ARCH_FEATURES 0x80000001U
#define SMCCC_VERSION_1_1 0x10001U

/* PSCI 1.0 function IDs (DEN 0022, table 5); _32 and _64 are the SMC32
 * and SMC64 forms of the calls that take addresses. */
#define PSCI_VERSION 0x84000000U
#define PSCI_CPU_SUSPEND_32 0x84000001U
#define PSCI_CPU_SUSPEND_64 0xc4000001U
#define PSCI_CPU_OFF 0x84000002U
#define PSCI_CPU_ON_32 0x84000003U
#define PSCI_CPU_ON_64 0xc4000003U
#define PSCI_AFFINITY_INFO_32 0x84000004U
#define PSCI_AFFINITY_INFO_64 0xc4000004U
#define PSCI_MIGRATE_INFO_TYPE 0x84000006U
#define PSCI_SYSTEM_OFF 0x84000008U
#define PSCI_SYSTEM_RESET 0x84000009U
#define PSCI_FEATURES 0x8400000aU
#define PSCI_VERSION_1_0 0x00010000U
/* AFFINITY_INFO results (DEN 0022D 5.1.8). */
#define PSCI_AFFINITY_ON 0
#define PSCI_AFFINITY_OFF 1
#define PSCI_AFFINITY_ON_PENDING 2
/* MIGRATE_INFO_TYPE: no Trusted OS needing migration (5.1.9). */
#define PSCI_TOS_NOT_PRESENT 2

/* Hypervisor calls: fast calls owned by the vendor-specific hypervisor
 * service range (owner 6). 32-bit IDs for calls with 32-bit arguments. */
#define HYP_CALL_BASE (SMCCC_FAST_CALL | (SMCCC_OWNER_VENDOR_HYP << SMCCC_OWNER_SHIFT))
/** Returns the ABI version, (major << 16) | minor. */
#define HYP_CALL_VERSION (HYP_CALL_BASE | 0x0U)
/** x1 = one character for the debug console. */
#define HYP_CALL_CONSOLE_PUTC (HYP_CALL_BASE | 0x1U)
/** x1 = IPA of a buffer, x2 = length (<= HYP_CONSOLE_WRITE_MAX);
 * returns the bytes written or a negative error. */
#define HYP_CALL_CONSOLE_WRITE (HYP_CALL_BASE | SMCCC_64BIT | 0x2U)
/**
 * A guest ends with its own exit status: x1 = 0..HYP_EXIT_STATUS_MAX, else
 * HYP_RET_INVALID_PARAMS (and HYP_RET_DENIED for a service). The kernel logs
 * "vm 'NAME' exited with status N" and stops the VM as at a power-off; with
 * no guest left the machine powers off, with a failure status if any guest
 * exited non-zero. `scons qemu=1` (tools/hypqemu.py, run()) exits with the
 * last such status. (0x3 is HYP_CALL_CONSOLE_LINE, abi/console.h.)
 */
#define HYP_CALL_EXIT (HYP_CALL_BASE | 0x4U)
#define HYP_EXIT_STATUS_MAX 255U

/* Major.minor (HYP_CALL_VERSION): the major grows with an incompatible
 * change (2: HYP_IPC_TRANSLATE takes a length in x2 and no longer returns
 * the bytes contiguous there). */
#define HYP_ABI_VERSION ((2U << 16) | 0U)
#define HYP_CONSOLE_WRITE_MAX 4096U
