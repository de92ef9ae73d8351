/*
 * Kernel entry. QEMU starts the boot CPU here at EL2 (virtualization=on),
 * MMU off. Anything other than EL2 is refused with a message on the UART.
 * Secondary CPUs enter at secondary_entry once the boot CPU starts them
 * with PSCI CPU_ON (context ID = CPU index).
 */
#include "arch/offsets.h"
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

	mov	x0, #0
	bl	set_cpu_and_stack

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

/*
 * x0 = CPU index: TPIDR_EL2 = &cpu_table[x0], SP = top of its stack
 * (cpu_stacks + (x0 + 1) * CPU_STACK_SIZE). Touches no memory, so it is
 * safe with the MMU off; arch_vcpu_enter (vectors.S) resets the stack with it.
 */
	.global set_cpu_and_stack
set_cpu_and_stack:
	ldr	x1, =cpu_table
	mov	x2, #CPU_SIZE
	madd	x1, x0, x2, x1
	msr	tpidr_el2, x1
	ldr	x1, =cpu_stacks
	add	x2, x0, #1
	mov	x3, #CPU_STACK_SIZE
	madd	x1, x2, x3, x1
	mov	sp, x1
	ret

/*
 * A secondary CPU, started by PSCI CPU_ON with x0 = its index. It turns on
 * the EL2 MMU with the boot CPU's tables (mmu_boot_regs, cleaned to the
 * point of coherency before CPU_ON) before any C code touches memory.
 */
	.global secondary_entry
secondary_entry:
	msr	daifset, #0xf
	ldr	x1, =SCTLR_EL2_BOOT
	msr	sctlr_el2, x1
	isb
	bl	set_cpu_and_stack
	bl	mmu_enable
	ldr	x1, =el2_vectors
	msr	vbar_el2, x1
	isb
	bl	kmain_secondary
	b	halt

/*
 * Turn the EL2 MMU on with mmu_boot_regs (mmu.h), on the boot CPU
 * (mmu_init) and on each secondary. Clobbers x1-x3 only: no stack.
 */
	.global mmu_enable
mmu_enable:
	ldr	x1, =mmu_boot_regs
	ldp	x2, x3, [x1, #MMU_REGS_MAIR]
	msr	mair_el2, x2
	msr	tcr_el2, x3
	ldp	x2, x3, [x1, #MMU_REGS_TTBR]
	msr	ttbr0_el2, x2
	dsb	sy
	tlbi	alle2
	dsb	sy
	isb
	msr	sctlr_el2, x3
	isb
	ret

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

	/* One stack per CPU; CPU n's top is cpu_stacks + (n + 1) * size. */
	.section .bss.stack, "aw", %nobits
	.balign	16
	.global cpu_stacks
cpu_stacks:
	.space	CPU_STACK_SIZE * CPU_MAX_COUNT
