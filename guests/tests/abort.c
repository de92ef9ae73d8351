/**
 * System test: accesses outside the guest's RAM get a synchronous external
 * abort injected, exactly as hardware would report it, and the hypervisor
 * keeps running (the guest goes on and finishes).
 */
#include <stdint.h>

#include "guest/exception.h"
#include "guest/test.h"

#define EC_IABT_CUR 0x21
#define EC_DABT_CUR 0x25
#define ESR_IL (1ULL << 25)
#define ESR_WNR (1ULL << 6)
#define FSC_MASK 0x3fULL
#define FSC_SYNC_EXTERNAL 0x10
/* Vector offset for "current EL with SP_ELx, synchronous". */
#define VECTOR_CUR_SPX_SYNC 0x200

#define OUTSIDE_RAM 0x50000000UL      /* past the 16 MiB at 0x40000000 */
#define JUST_PAST_RAM 0x41000000UL
#define HIGH_IPA 0xfffff000UL

static void check_data_abort(uint64_t addr, int write)
{
	const struct exception_record *r = exception_seen();

	exception_expect(RESUME_NEXT_INSN);
	if (write) {
		*(volatile uint32_t *)addr = 0x1234;
	} else {
		(void)*(volatile uint32_t *)addr;
	}
	CHECK_EQ(r->count, 1);
	CHECK_EQ(ESR_EC(r->esr), EC_DABT_CUR);
	CHECK_EQ(r->esr & FSC_MASK, FSC_SYNC_EXTERNAL);
	CHECK_EQ(!!(r->esr & ESR_WNR), !!write);
	CHECK(r->esr & ESR_IL);
	CHECK_EQ(r->far, addr);
	CHECK_EQ(r->vector, VECTOR_CUR_SPX_SYNC);
}

typedef void (*fn_t)(void);

static void check_instruction_abort(void)
{
	const struct exception_record *r = exception_seen();
	fn_t bad = (fn_t)OUTSIDE_RAM;

	exception_expect(RESUME_AT_LR);
	bad();
	CHECK_EQ(r->count, 1);
	CHECK_EQ(ESR_EC(r->esr), EC_IABT_CUR);
	CHECK_EQ(r->esr & FSC_MASK, FSC_SYNC_EXTERNAL);
	CHECK_EQ(r->elr, OUTSIDE_RAM);
	CHECK_EQ(r->far, OUTSIDE_RAM);
}

void test_main(void)
{
	check_data_abort(OUTSIDE_RAM, 0);
	check_data_abort(OUTSIDE_RAM, 1);
	check_data_abort(JUST_PAST_RAM, 0);
	check_data_abort(HIGH_IPA + 0x10, 1);
	check_instruction_abort();
	/* Many more faults: the kernel must neither die nor flood its log. */
	for (int i = 0; i < 1000; i++) {
		exception_expect(RESUME_NEXT_INSN);
		(void)*(volatile uint64_t *)(OUTSIDE_RAM + (uint64_t)i * 4096);
	}
	printf("abort: 1005 injected aborts handled, guest still running\n");
}
