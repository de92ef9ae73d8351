/**
 * System test: MMIO through the UART service. The guest prints through its
 * virtual PL011 with plain stores, checks FR/CR/IMSC/RIS/MIS/ICR and ID
 * registers as a PL011 behaves, loads with instruction forms that leave
 * ESR_EL2.ISV = 0 (LDP, writeback, register offset, signed loads), and sees
 * external aborts for an access the device refuses and for a window nobody
 * owns. It also calls the service over IPC.
 */
#include <stdint.h>

#include "abi/ipc.h"
#include "guest/exception.h"
#include "guest/smccc.h"
#include "guest/test.h"

#define UART 0x09000000UL
#define NOBODY 0x09100000UL        /* no RAM, no window */
#define UART_ENDPOINT 0            /* the service is partition 0 */
#define UART_CALL_TX_COUNT 1
#define EC_DABT_CUR 0x25
#define FSC_SYNC_EXTERNAL 0x10

#define DR 0x000
#define FR 0x018
#define CR 0x030
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define PERIPHID0 0xfe0
#define CELLID0 0xff0
#define FR_RXFE (1U << 4)
#define FR_TXFF (1U << 5)
#define FR_TXFE (1U << 7)
#define CR_UARTEN 1U
#define CR_TXE (1U << 8)
#define CR_RXE (1U << 9)
#define INT_TX (1U << 5)
#define INT_RX (1U << 4)

static volatile uint32_t *reg(uint64_t off)
{
	return (volatile uint32_t *)(UART + off);
}

static uint64_t tx_count(void)
{
	struct smccc_res r = hvc_call(HYP_IPC_CALL, UART_ENDPOINT,
				      UART_CALL_TX_COUNT, 0);

	CHECK_EQ(r.a0, IPC_OK);
	return r.a1;
}

static void check_registers(void)
{
	uint32_t fr = *reg(FR);

	CHECK(fr & FR_TXFE);
	CHECK(fr & FR_RXFE);
	CHECK(!(fr & FR_TXFF));
	CHECK_EQ(*reg(CR), CR_UARTEN | CR_TXE | CR_RXE);
	CHECK_EQ(*reg(PERIPHID0), 0x11);
	CHECK_EQ(*reg(CELLID0 + 12), 0xb1);

	/* TX disabled: the byte goes nowhere. */
	uint64_t before = tx_count();

	*reg(CR) = CR_UARTEN | CR_RXE;
	/* CR reads are answered by the kernel from the service's page: each
	 * write is there before the store completes, at any width. */
	CHECK_EQ(*reg(CR), CR_UARTEN | CR_RXE);
	*reg(DR) = 'X';
	CHECK_EQ(tx_count(), before);
	*(volatile uint16_t *)reg(CR) = CR_UARTEN | CR_TXE | CR_RXE;
	CHECK_EQ(*reg(CR), CR_UARTEN | CR_TXE | CR_RXE);
	CHECK_EQ(*(volatile uint8_t *)((uintptr_t)reg(CR) + 1),
		 (CR_TXE | CR_RXE) >> 8);
	*reg(DR) = '.';
	CHECK_EQ(tx_count(), before + 1);

	/* Stores of the value CR holds complete in the kernel (quiet, as
	 * Linux's console writes it); a byte store is the whole register
	 * zero-extended: equal to CR's low byte, it still changes CR. */
	*reg(CR) = CR_UARTEN | CR_TXE | CR_RXE;
	*(volatile uint16_t *)reg(CR) = CR_UARTEN | CR_TXE | CR_RXE;
	CHECK_EQ(*reg(CR), CR_UARTEN | CR_TXE | CR_RXE);
	*(volatile uint8_t *)reg(CR) = CR_UARTEN;
	CHECK_EQ(*reg(CR), CR_UARTEN);
	*(volatile uint16_t *)reg(CR) = CR_UARTEN | CR_TXE | CR_RXE;
	CHECK_EQ(*reg(CR), CR_UARTEN | CR_TXE | CR_RXE);
	*reg(DR) = '.';
	CHECK_EQ(tx_count(), before + 2);

	/* IMSC masks RIS into MIS; ICR clears. */
	*reg(IMSC) = INT_TX | INT_RX;
	CHECK_EQ(*reg(IMSC), INT_TX | INT_RX);
	CHECK(*reg(RIS) & INT_TX);
	CHECK_EQ(*reg(MIS), *reg(RIS) & (INT_TX | INT_RX));
	*reg(ICR) = INT_TX;
	CHECK(!(*reg(RIS) & INT_TX));
	*reg(IMSC) = 0;
	CHECK_EQ(*reg(MIS), 0);
	/* RIS is read-only. */
	*reg(RIS) = 0x7ff;
	CHECK(!(*reg(RIS) & INT_TX));
}

/* Loads whose syndrome has ISV = 0: the kernel decodes the instruction. */
static void check_isv0_forms(void)
{
	uint64_t a, b, base;

	base = UART + PERIPHID0;
	__asm__ volatile("ldp %w0, %w1, [%2]" : "=&r"(a), "=&r"(b) : "r"(base));
	CHECK_EQ(a, 0x11);
	CHECK_EQ(b, 0x10);

	base = UART + PERIPHID0;
	__asm__ volatile("ldp %w0, %w1, [%2, #8]!"
			 : "=&r"(a), "=&r"(b), "+r"(base));
	CHECK_EQ(a, 0x34);
	CHECK_EQ(b, 0x00);
	CHECK_EQ(base, UART + PERIPHID0 + 8);

	base = UART + CELLID0;
	__asm__ volatile("ldr %w0, [%1], #4" : "=&r"(a), "+r"(base));
	CHECK_EQ(a, 0x0d);
	CHECK_EQ(base, UART + CELLID0 + 4);

	/* CellID1 = 0xf0: sign-extended to W and to X. */
	base = UART + CELLID0 + 4;
	__asm__ volatile("ldrsb %w0, [%1]" : "=r"(a) : "r"(base));
	CHECK_EQ(a, 0xfffffff0ULL);
	__asm__ volatile("ldrsb %0, [%1]" : "=r"(a) : "r"(base));
	CHECK_EQ(a, 0xfffffffffffffff0ULL);

	uint64_t idx = 3;

	base = UART + CELLID0;
	__asm__ volatile("ldr %w0, [%1, %2, lsl #2]" : "=r"(a) : "r"(base), "r"(idx));
	CHECK_EQ(a, 0xb1);

	/* A store pair: IMSC and (read-only) RIS. */
	base = UART + IMSC;
	a = INT_RX;
	b = 0x7ff;
	__asm__ volatile("stp %w0, %w1, [%2]" : : "r"(a), "r"(b), "r"(base) : "memory");
	CHECK_EQ(*reg(IMSC), INT_RX);
	*reg(IMSC) = 0;
}

static void check_abort(uint64_t addr, int width64)
{
	const struct exception_record *r = exception_seen();

	exception_expect(RESUME_NEXT_INSN);
	if (width64) {
		(void)*(volatile uint64_t *)addr;
	} else {
		*(volatile uint32_t *)addr = 1;
	}
	CHECK_EQ(r->count, 1);
	CHECK_EQ(ESR_EC(r->esr), EC_DABT_CUR);
	CHECK_EQ(r->esr & 0x3f, FSC_SYNC_EXTERNAL);
	CHECK_EQ(r->far, addr);
}

static void check_ipc_calls(void)
{
	/* Not a service, and no such partition. */
	CHECK_EQ(hvc_call(HYP_IPC_CALL, 1, UART_CALL_TX_COUNT, 0).a0,
		 (uint64_t)(int64_t)IPC_ERR_INVALID);
	CHECK_EQ(hvc_call(HYP_IPC_CALL, 7, UART_CALL_TX_COUNT, 0).a0,
		 (uint64_t)(int64_t)IPC_ERR_INVALID);
	/* An operation the service does not know. */
	CHECK_EQ(hvc_call(HYP_IPC_CALL, UART_ENDPOINT, 99, 0).a0,
		 (uint64_t)(int64_t)IPC_ERR_INVALID);
	/* Only services receive. */
	CHECK_EQ(hvc_call(HYP_IPC_RECV, 0, 0, 0).a0,
		 (uint64_t)(int64_t)IPC_ERR_INVALID);
}

void test_main(void)
{
	console_use_pl011(UART);
	printf("MMIO: hello through the UART service\n");
	uint64_t sent = tx_count();

	/* "MMIO: hello through the UART service\r\n" is 38 bytes. */
	CHECK(sent >= 38);
	check_registers();
	check_isv0_forms();
	check_abort(UART + FR, 1);     /* 64-bit access: the PL011 refuses */
	check_abort(NOBODY, 0);        /* window nobody owns */
	check_ipc_calls();
	printf("\n");
}
