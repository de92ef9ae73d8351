/**
 * System test: GICD_CTLR, TYPER and IIDR, which the vgic service publishes
 * in a page the kernel answers word loads from (HYP_IPC_WINDOW_READS),
 * read exactly as the service answers them (IHI 0048B 4.3.1-4.3.3):
 *  - a word load (ISV set: answered by the kernel) equals the same
 *    register read by an LDP (no syndrome: decoded by the kernel and sent
 *    to the service element by element), before and after CTLR writes;
 *  - a byte or halfword load still aborts, as the model refuses anything
 *    but a word for them (4.1.4): the kernel answers words only;
 *  - CTLR reads back each value written, WRITES times: with the
 *    vgic-faultinject image the service dies every 16th write, before or
 *    after changing its model, and its restarted instance must publish
 *    the kept, committed value before the kernel answers again.
 */
#include <stdint.h>

#include "guest/exception.h"
#include "guest/gic.h"
#include "guest/test.h"

#define EC_DABT_CUR 0x25
#define FSC_SYNC_EXTERNAL 0x10
/* GICD_CTLR.EnableGrp0 [0] and EnableGrp1 [1] (no Security Extensions). */
#define CTLR_ENABLES 3U
/* GICD_TYPER.CPUNumber [7:5] (4.3.2). */
#define TYPER_CPUNUMBER_MASK 0xe0U
/* CTLR writes, enough for several crashes of vgic-faultinject. */
#define WRITES 100U

/* The register at @p off by a syndrome-less pair load: the service's
 * answer. @p off and the next word must both be readable as words. */
static uint32_t forwarded(uint32_t off)
{
	uint32_t a, b;

	__asm__ volatile("ldp %w0, %w1, [%2]"
			 : "=r"(a), "=r"(b)
			 : "r"(gicd(off))
			 : "memory");
	(void)b;
	return a;
}

/* Each register as the kernel and as the service answer it. */
static void check_same(void)
{
	CHECK_EQ(*gicd(GICD_CTLR), forwarded(GICD_CTLR));
	CHECK_EQ(*gicd(GICD_TYPER), forwarded(GICD_TYPER));
	CHECK_EQ(*gicd(GICD_IIDR), forwarded(GICD_IIDR));
}

/* A load of @p bytes at @p off is an external abort. */
static void check_abort(uint32_t off, unsigned bytes)
{
	const struct exception_record *r = exception_seen();
	uintptr_t addr = GUEST_GICD + off;

	exception_expect(RESUME_NEXT_INSN);
	if (bytes == 1) {
		(void)*(volatile uint8_t *)addr;
	} else {
		(void)*(volatile uint16_t *)addr;
	}
	CHECK_EQ(r->count, 1);
	CHECK_EQ(ESR_EC(r->esr), EC_DABT_CUR);
	CHECK_EQ(r->esr & 0x3f, FSC_SYNC_EXTERNAL);
	CHECK_EQ(r->far, addr);
}

void test_main(void)
{
	uint32_t typer = *gicd(GICD_TYPER);

	/* One vCPU (CPUNumber 0), at least one line of 32 SPIs. */
	CHECK_EQ(typer & TYPER_CPUNUMBER_MASK, 0);
	CHECK((typer & GICD_TYPER_ITLINES_MASK) >= 1);
	check_same();
	check_abort(GICD_TYPER, 1);
	check_abort(GICD_TYPER, 2);
	check_abort(GICD_CTLR + 1, 1);
	check_abort(GICD_IIDR, 2);
	for (uint32_t i = 0; i < WRITES; i++) {
		uint32_t ctlr = (i + 1) & CTLR_ENABLES;

		*gicd(GICD_CTLR) = ctlr;
		CHECK_EQ(*gicd(GICD_CTLR), ctlr);
		CHECK_EQ(forwarded(GICD_CTLR), ctlr);
	}
	check_same();
	printf("gicdread: CTLR, TYPER and IIDR read as the service answers "
	       "them (%u writes)\n",
	       WRITES);
}
