/*
 * Kernel entry. QEMU starts the boot CPU here at EL2 (virtualization=on),
 * MMU off. Anything other than EL2 is refused with a message on the UART.
 */
#include "arch/platform.h"

/* CurrentEL.EL is bits [3:2] (C5.2.2); EL2 reads as 0b1000. */
#define CURRENTEL_EL2 0x8
/* PL011 registers used before the console driver runs. */
#define UART_DR 0x000
#define UART_FR 0x018
#define UART_FR_TXFF (1 << 5)
/* SCTLR_EL2 RES1 bits with MMU, caches and alignment checks off. */
#define SCTLR_EL2_BOOT 0x30c50830

	.section .text.boot, "ax"
	.global _start
_start:
	msr	daifset, #0xf
	mrs	x0, CurrentEL
	cmp	x0, #CURRENTEL_EL2
	b.ne	not_el2

	ldr	x0, =SCTLR_EL2_BOOT
	msr	sctlr_el2, x0
	isb

	ldr	x0, =boot_stack_top
	mov	sp, x0

	/* Zero .bss (8-byte aligned by the linker script). */
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:
	ldr	x0, =el2_vectors
	msr	vbar_el2, x0
	isb

	bl	kmain
	b	halt

not_el2:
	adr	x1, not_el2_msg
	mov	x2, #PLATFORM_UART_BASE
3:	ldrb	w3, [x1], #1
	cbz	w3, halt
4:	ldr	w4, [x2, #UART_FR]
	tst	w4, #UART_FR_TXFF
	b.ne	4b
	str	w3, [x2, #UART_DR]
	b	3b

	.global halt
halt:
	wfe
	b	halt

	.section .rodata.boot, "a"
not_el2_msg:
	.asciz	"hyp: fatal: entered at an exception level other than EL2; start QEMU with -M virt,virtualization=on\r\n"

	.section .bss.stack, "aw", %nobits
	.balign	16
boot_stack:
	.space	16384
	.global boot_stack_top
boot_stack_top:
