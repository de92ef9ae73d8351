#pragma once
/**
 * The UART service's contract with scenarios and clients.
 *
 * The scenario maps the physical PL011 into the service at UART_PHYS_IPA
 * (a passthrough window) and gives each client guest an emulated 4 KiB
 * window served by "uart". Each window gets its own PL011 model; console
 * input from the physical UART goes to window UART_INPUT_WINDOW.
 */
/** IPA of the physical PL011 inside the service partition. */
#define UART_PHYS_IPA 0x09000000UL
/** Window that receives console input. */
#define UART_INPUT_WINDOW 0U
/** The physical PL011's interrupt on QEMU virt (SPI 1), owned by the
 * service in the scenario, and the guest's virtual one (the same number,
 * as a guest device tree for QEMU virt expects). */
#define UART_PHYS_INTID 33U
#define UART_GUEST_INTID 33U

/* HYP_IPC_CALL operations (args[0]). */
/** args[1] = window: returns result[0] = bytes the guest transmitted. */
#define UART_CALL_TX_COUNT 1U
