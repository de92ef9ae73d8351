#pragma once
/**
 * The physical console line, shared by the kernel's log and the console
 * service (the service partition granted the kernel's UART page, rule D4),
 * so that neither can leave the other's text at the start of a line.
 *
 * The console service registers one struct hyp_console_line in its own RAM
 * with HYP_CALL_CONSOLE_LINE. Around every line it prints, the kernel adds
 * 1 to seq (odd: a kernel line is being printed) and, before the line, ends
 * the service's unfinished line if open says there is one. The service
 * writes open before it prints and reads seq before and after: a change
 * means the kernel printed in between, so its next output starts a new,
 * tagged line (services/uart/console.c). So that no byte of the service
 * lands inside a kernel line, the service also sets writing while it
 * writes to the UART, storing it before it reads seq; the kernel, after
 * making seq odd, waits (a bounded time, 20 ms of the counter: a service
 * stopped mid-write costs at most a garbled line, never a hang) until
 * writing is clear. One of the two sees the other's store (Dekker): the kernel
 * waits, or the service finds seq odd, clears writing and leaves the UART
 * alone. open names the kernel line that is to end the service's line: the next
 * one to begin after the seq the service read. Either wait may run out
 * (the other side's vCPU thread stopped by the host, or stopped for good).
 * A kernel whose wait runs out ends the service's line (the break) before
 * its own, as if open said so. The service's bytes may then land inside or
 * after a kernel line, and
 * its open may name a line already begun. So the service reads seq again
 * after writing, before it clears writing: if it changed, its next output
 * starts with HYP_CONSOLE_BREAK and a new tag, and, while its line is
 * open, it stores open again for the kernel's next line (then reads seq
 * again: Dekker once more), so that a kernel line never runs on from a
 * service line without the break. A kernel line that was waiting for
 * writing meanwhile (its seq the odd one the service read) then finds open
 * naming the line after it, and ends the service's line too: the service's
 * byte went out before it. Each side writes only its own words; a
 * barrier (DSB) orders each word against the UART writes.
 */
#include <stdint.h>

#include "abi/hypercall.h"

/**
 * x1 = IPA of a struct hyp_console_line wholly in the caller's RAM,
 * HYP_CONSOLE_LINE_ALIGN-byte aligned. Only for the console service. Returns
 * SMCCC_SUCCESS, HYP_RET_INVALID_PARAMS (not the console service, misaligned)
 * or HYP_RET_INVALID_ADDRESS (not in its RAM).
 */
#define HYP_CALL_CONSOLE_LINE (HYP_CALL_BASE | SMCCC_64BIT | 0x3U)

/** Alignment of the shared line state (its words are accessed singly). */
#define HYP_CONSOLE_LINE_ALIGN 8
/** The shared line state (see above). */
struct hyp_console_line {
	uint32_t seq;  /**< Kernel's: +1 before and after each of its lines. */
	uint32_t open; /**< Service's: while its line is unfinished, the seq
			    its next kernel line makes (seq + 1, or + 2
			    if seq is odd), else 0. */
	uint32_t writing;  /**< Service's: 1 while it writes to the UART. */
	uint32_t reserved; /**< 0. */
};

/** The kernel ends a console-service line with this: attributes reset
 * (ECMA-48 SGR 0, 8.3.117), then CR LF. */
#define HYP_CONSOLE_BREAK "\x1b[0m\r\n"
