/**
 * Unit tests for GICv2 list-register allocation (kernel/core/vgic_lr.c).
 *
 * The tests play both sides: the hypervisor calls vgic_cpu_queue/flush/sync
 * and the "guest" helpers below change the LRs the way the GIC virtual CPU
 * interface does when the guest reads GICV_IAR (pending -> active) and
 * writes GICV_EOIR (active -> invalid, pending+active -> pending), IHI 0048B
 * 5.2. LR fields are decoded here from the spec layout (IHI 0048B 5.3.4),
 * not through the header's macros, so a wrong macro is caught too.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hyp/vgic_lr.h"

/* GICH_LRn layout, IHI 0048B 5.3.4, written out independently. */
#define LR_VIRTUALID(lr)  ((lr)&0x3ffU)		  /* [9:0] */
#define LR_PHYSICALID(lr) (((lr) >> 10) & 0x3ffU) /* [19:10], HW = 1 */
#define LR_CPUID(lr)	  (((lr) >> 10) & 0x7U)	  /* [12:10], HW = 0 */
#define LR_EOI_BIT	  (1U << 19)		  /* [19], HW = 0 */
#define LR_PRIORITY(lr)	  (((lr) >> 23) & 0x1fU)  /* [27:23] */
#define LR_STATE(lr)	  (((lr) >> 28) & 0x3U)	  /* [29:28] */
#define LR_GRP1_BIT	  (1U << 30)		  /* [30] */
#define LR_HW_BIT	  (1U << 31)		  /* [31] */

#define ST_INVALID	  0U
#define ST_PENDING	  1U
#define ST_ACTIVE	  2U
#define ST_PENDING_ACTIVE 3U

/** GICV_IAR's answer when nothing is pending. */
#define NO_IRQ 1023U

/* ---- Fixtures ---- */

static int setup_lrs(void **state, uint32_t lr_count)
{
	struct vgic_cpu *c = malloc(sizeof(*c));

	if (c == NULL) {
		return -1;
	}
	/* Garbage first: init must not rely on zeroed memory. */
	memset(c, 0xa5, sizeof(*c));
	vgic_cpu_init(c, lr_count);
	*state = c;
	return 0;
}

/** A vCPU with four LRs, as on GIC-400. */
static int setup(void **state)
{
	return setup_lrs(state, 4);
}

static int setup_1lr(void **state)
{
	return setup_lrs(state, 1);
}

static int setup_2lrs(void **state)
{
	return setup_lrs(state, 2);
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* ---- Interrupt builders ---- */

static struct vgic_pending_irq spi(uint16_t intid, uint8_t priority)
{
	return (struct vgic_pending_irq){
	    .intid = intid,
	    .priority = priority,
	    .group1 = true,
	};
}

static struct vgic_pending_irq sgi(uint16_t intid, uint8_t source,
				   uint8_t priority)
{
	return (struct vgic_pending_irq){
	    .intid = intid,
	    .priority = priority,
	    .source_cpu = source,
	    .group1 = true,
	};
}

static struct vgic_pending_irq hw_irq(uint16_t intid, uint16_t phys,
				      uint8_t priority)
{
	return (struct vgic_pending_irq){
	    .intid = intid,
	    .priority = priority,
	    .hw = true,
	    .phys = phys,
	    .group1 = true,
	};
}

static void queue_ok(struct vgic_cpu *c, struct vgic_pending_irq irq)
{
	assert_true(vgic_cpu_queue(c, &irq));
}

/* ---- Guest side ---- */

static void set_state(struct vgic_cpu *c, int lr, uint32_t st)
{
	c->lr[lr] = (c->lr[lr] & ~(3U << 28)) | (st << 28);
}

/**
 * The guest reads GICV_IAR: the highest-priority LR in state pending (not
 * pending+active, which cannot be acknowledged again before its EOI) becomes
 * active. Equal priorities go to the lowest LR. Returns the LR or -1.
 */
static int guest_ack(struct vgic_cpu *c)
{
	int best = -1;

	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (LR_STATE(c->lr[i]) != ST_PENDING) {
			continue;
		}
		if (best < 0 ||
		    LR_PRIORITY(c->lr[i]) < LR_PRIORITY(c->lr[best])) {
			best = (int)i;
		}
	}
	if (best >= 0) {
		set_state(c, best, ST_ACTIVE);
	}
	return best;
}

/** guest_ack() returning the interrupt ID, NO_IRQ if nothing pending. */
static uint32_t guest_ack_intid(struct vgic_cpu *c)
{
	int lr = guest_ack(c);

	return lr < 0 ? NO_IRQ : LR_VIRTUALID(c->lr[lr]);
}

/**
 * The guest writes GICV_EOIR for LR @p lr: active becomes invalid (the GIC
 * leaves the other fields alone), pending+active becomes pending.
 */
static void guest_eoi(struct vgic_cpu *c, int lr)
{
	uint32_t st;

	assert_true(lr >= 0);
	st = LR_STATE(c->lr[lr]);
	assert_true(st == ST_ACTIVE || st == ST_PENDING_ACTIVE);
	set_state(c, lr, st == ST_ACTIVE ? ST_INVALID : ST_PENDING);
}

/** Acknowledge and complete the next interrupt; returns its ID. */
static uint32_t guest_handle_one(struct vgic_cpu *c)
{
	int lr = guest_ack(c);

	assert_true(lr >= 0);
	guest_eoi(c, lr);
	return LR_VIRTUALID(c->lr[lr]);
}

/** The valid LR holding @p intid (any source), or -1. */
static int lr_of(const struct vgic_cpu *c, uint32_t intid)
{
	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (LR_STATE(c->lr[i]) != ST_INVALID &&
		    LR_VIRTUALID(c->lr[i]) == intid) {
			return (int)i;
		}
	}
	return -1;
}

static void assert_state(const struct vgic_cpu *c, uint32_t intid, bool pending,
			 bool active)
{
	bool p = !pending;
	bool a = !active;

	vgic_cpu_state(c, intid, &p, &a);
	assert_int_equal(p, pending);
	assert_int_equal(a, active);
}

static uint32_t valid_lrs(const struct vgic_cpu *c)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->lr_count; i++) {
		n += LR_STATE(c->lr[i]) != ST_INVALID;
	}
	return n;
}

/* ---- vgic_cpu_init ---- */

static void test_vgic_cpu_init_empty(void **state)
{
	struct vgic_cpu *c = *state;

	assert_int_equal(c->lr_count, 4);
	assert_int_equal(c->queue_len, 0);
	assert_int_equal(c->injected, 0);
	for (uint32_t i = 0; i < VGIC_MAX_LRS; i++) {
		assert_int_equal(c->lr[i], 0);
	}
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(valid_lrs(c), 0);
}

static void test_vgic_cpu_init_clamps_lr_count(void **state)
{
	struct vgic_cpu *c = *state;

	vgic_cpu_init(c, 100);
	assert_int_equal(c->lr_count, VGIC_MAX_LRS);
	vgic_cpu_init(c, UINT32_MAX);
	assert_int_equal(c->lr_count, VGIC_MAX_LRS);
	vgic_cpu_init(c, VGIC_MAX_LRS);
	assert_int_equal(c->lr_count, VGIC_MAX_LRS);

	/* All 64 LRs fill; the 65th interrupt stays queued. */
	for (uint16_t i = 0; i < VGIC_MAX_LRS + 1; i++) {
		queue_ok(c, spi((uint16_t)(32 + i), 0xa0));
	}
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(valid_lrs(c), VGIC_MAX_LRS);
	assert_int_equal(c->queue_len, 1);
	assert_int_equal(c->queue[0].intid, 32 + VGIC_MAX_LRS);
}

static void test_vgic_cpu_init_uses_only_lr_count(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(40, 0xa0));
	queue_ok(c, spi(41, 0xa0));
	queue_ok(c, spi(42, 0xa0));
	assert_true(vgic_cpu_flush(c));
	assert_int_not_equal(c->lr[0], 0);
	assert_int_not_equal(c->lr[1], 0);
	for (uint32_t i = 2; i < VGIC_MAX_LRS; i++) {
		assert_int_equal(c->lr[i], 0);
	}
	assert_int_equal(c->queue_len, 1);
}

static void test_vgic_cpu_init_zero_lrs(void **state)
{
	struct vgic_cpu *c = *state;

	vgic_cpu_init(c, 0);
	assert_int_equal(c->lr_count, 0);
	queue_ok(c, spi(40, 0xa0));
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(c->lr[0], 0);
	assert_state(c, 40, true, false);
}

/* ---- arch_lr_make ---- */

static void test_vgic_lr_make_spi_fields(void **state)
{
	struct vgic_pending_irq irq = spi(45, 0xa8);
	uint32_t lr = arch_lr_make(&irq, VGIC_LR_PENDING);

	(void)state;
	/* 45 | (0xa8 >> 3 = 21) << 23 | pending << 28 | Grp1 (bit 30). */
	assert_int_equal(lr, 0x5a80002dU);
	assert_int_equal(LR_VIRTUALID(lr), 45);
	assert_int_equal(LR_PRIORITY(lr), 21);
	assert_int_equal(LR_STATE(lr), ST_PENDING);
	assert_true(lr & LR_GRP1_BIT);
	assert_false(lr & LR_HW_BIT);
	assert_false(lr & LR_EOI_BIT);
	assert_int_equal(LR_CPUID(lr), 0);
}

static void test_vgic_lr_make_sgi_cpuid(void **state)
{
	struct vgic_pending_irq irq = sgi(3, 5, 0x00);
	uint32_t lr;

	(void)state;
	irq.group1 = false;
	lr = arch_lr_make(&irq, VGIC_LR_PENDING);
	/* 3 | CPUID 5 << 10 | pending << 28; Group 0, no EOI. */
	assert_int_equal(lr, 0x10001403U);
	assert_int_equal(LR_CPUID(lr), 5);
	assert_false(lr & LR_GRP1_BIT);
	assert_false(lr & LR_EOI_BIT);

	/* CPUID is three bits: source 7 sets [12:10] and nothing above. */
	irq = sgi(15, 7, 0x00);
	lr = arch_lr_make(&irq, VGIC_LR_PENDING);
	assert_int_equal(lr & 0x000ffc00U, 0x7U << 10);
	assert_int_equal(LR_VIRTUALID(lr), 15);
}

static void test_vgic_lr_make_spi_ignores_source_cpu(void **state)
{
	struct vgic_pending_irq irq = spi(40, 0x00);
	uint32_t lr;

	(void)state;
	irq.source_cpu = 3;
	lr = arch_lr_make(&irq, VGIC_LR_PENDING);
	assert_int_equal(lr & 0x000ffc00U, 0);
}

/* A kernel-emulated level source asks for EOI maintenance (5.3.4). */
static void test_vgic_lr_make_resample_sets_eoi(void **state)
{
	struct vgic_pending_irq irq = spi(30, 0xa0);
	uint32_t lr;

	(void)state;
	irq.resample = true;
	lr = arch_lr_make(&irq, VGIC_LR_PENDING);
	assert_true(lr & LR_EOI_BIT);
	assert_int_equal(LR_VIRTUALID(lr), 30);
	/* With HW = 1, bit 19 is PhysicalID: never the EOI bit. */
	irq = hw_irq(27, 27, 0xa0);
	irq.resample = true;
	lr = arch_lr_make(&irq, VGIC_LR_PENDING);
	assert_int_equal(LR_PHYSICALID(lr), 27);
}

static void test_vgic_lr_make_hw_fields(void **state)
{
	struct vgic_pending_irq irq = hw_irq(27, 0x3ff - 4, 0x80);
	uint32_t lr;

	(void)state;
	irq.source_cpu = 6; /* Must not leak into PhysicalID. */
	lr = arch_lr_make(&irq, VGIC_LR_PENDING);
	/* 27 | 1019 << 10 | 16 << 23 | pending << 28 | Grp1 | HW. */
	assert_int_equal(lr, 0xd80fec1bU);
	assert_true(lr & LR_HW_BIT);
	assert_int_equal(LR_PHYSICALID(lr), 1019);
	assert_int_equal(LR_VIRTUALID(lr), 27);
	assert_int_equal(LR_PRIORITY(lr), 16);
	assert_int_equal(LR_STATE(lr), ST_PENDING);

	irq = hw_irq(48, 80, 0x80);
	lr = arch_lr_make(&irq, VGIC_LR_PENDING);
	assert_int_equal(LR_PHYSICALID(lr), 80);
	assert_int_equal(LR_VIRTUALID(lr), 48);
}

static void test_vgic_lr_make_state_field(void **state)
{
	struct vgic_pending_irq irq = spi(0x3ff - 4, 0x00);

	(void)state;
	irq.group1 = false;
	assert_int_equal(arch_lr_make(&irq, VGIC_LR_INVALID), 1019);
	assert_int_equal(arch_lr_make(&irq, VGIC_LR_PENDING),
			 (1U << 28) | 1019);
	assert_int_equal(arch_lr_make(&irq, VGIC_LR_ACTIVE),
			 (2U << 28) | 1019);
	assert_int_equal(arch_lr_make(&irq, VGIC_LR_PENDING_ACTIVE),
			 (3U << 28) | 1019);
}

static void test_vgic_lr_make_priority_top_five_bits(void **state)
{
	struct vgic_pending_irq irq = spi(32, 0xff);
	uint32_t lr;

	(void)state;
	irq.group1 = false;
	lr = arch_lr_make(&irq, VGIC_LR_INVALID);
	/* 0x1f in [27:23] and nothing in [22:20] or [28]. */
	assert_int_equal(lr, (0x1fU << 23) | 32);
	irq.priority = 0x07;
	assert_int_equal(arch_lr_make(&irq, VGIC_LR_INVALID), 32);
	irq.priority = 0x08;
	assert_int_equal(arch_lr_make(&irq, VGIC_LR_INVALID),
			 (1U << 23) | 32);
}

/* ---- vgic_cpu_queue ---- */

static void test_vgic_cpu_queue_dedupe_queued(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(40, 0xa0));
	queue_ok(c, spi(40, 0xa0));
	queue_ok(c, spi(40, 0x10)); /* Same interrupt, whatever priority. */
	assert_int_equal(c->queue_len, 1);
	assert_int_equal(c->queue[0].priority, 0xa0);
}

static void test_vgic_cpu_queue_dedupe_in_lr(void **state)
{
	struct vgic_cpu *c = *state;
	uint32_t before;

	queue_ok(c, spi(40, 0xa0));
	assert_false(vgic_cpu_flush(c));
	before = c->lr[0];
	queue_ok(c, spi(40, 0xa0));
	assert_int_equal(c->queue_len, 0);
	assert_int_equal(c->lr[0], before);
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(valid_lrs(c), 1);
}

/*
 * One LR per SGI ID (sgi_waits()): the SGI from CPU 2 waits until the guest
 * has completed the one from CPU 0, whose LR asks for an EOI maintenance
 * interrupt meanwhile. Regression: both were placed, the guest's EOI of
 * the first one (QEMU looks an LR up by virtual ID alone) did not
 * deactivate it, and the guest's WFI trapped for ever (Linux on 8 CPUs
 * stalled 74 s).
 */
static void test_vgic_cpu_queue_sgi_two_sources(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, sgi(1, 0, 0xa0));
	queue_ok(c, sgi(1, 2, 0xa0));
	queue_ok(c, sgi(1, 2, 0xa0)); /* Already pending from CPU 2. */
	assert_int_equal(c->queue_len, 2);
	/* CPU 2's waits, without an underflow interrupt (it would fire at
	 * once and again with one LR valid): EOI maintenance brings it. */
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(valid_lrs(c), 1);
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 1);
	assert_int_equal(LR_CPUID(c->lr[0]), 0);
	assert_true(c->lr[0] & LR_EOI_BIT);
	assert_int_equal(c->queue_len, 1);

	/* Pending in an LR: another SGI from CPU 0 changes nothing. */
	queue_ok(c, sgi(1, 0, 0xa0));
	assert_int_equal(c->queue_len, 1);

	/* Nothing else is placed while the guest handles it. */
	assert_int_equal(guest_ack(c), 0);
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(valid_lrs(c), 1);
	assert_int_equal(c->queue_len, 1);
	guest_eoi(c, 0);
	vgic_cpu_sync(c);
	/* The EOI maintenance refill: CPU 2's gets the LR. */
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(valid_lrs(c), 1);
	assert_int_equal(LR_CPUID(c->lr[lr_of(c, 1)]), 2);
	assert_false(c->lr[lr_of(c, 1)] & LR_EOI_BIT);
	assert_int_equal(guest_handle_one(c), 1);
	assert_state(c, 1, false, false);
}

/* An SGI from another source meets its ID active in an LR: it does not
 * take a second LR (vgic_cpu_place(), the direct path). */
static void test_vgic_cpu_place_sgi_waits_for_its_ids_lr(void **state)
{
	struct vgic_cpu *c = *state;
	struct vgic_pending_irq other = sgi(3, 5, 0xa0);

	queue_ok(c, sgi(3, 4, 0xa0));
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(guest_ack(c), 0);
	assert_false(vgic_cpu_place(c, &other, false));
	assert_true(c->lr[0] & LR_EOI_BIT);
	queue_ok(c, other);
	assert_int_equal(valid_lrs(c), 1);
	assert_int_equal(c->queue_len, 1);
}

static void test_vgic_cpu_queue_active_becomes_pending_active(void **state)
{
	struct vgic_cpu *c = *state;
	int lr;

	queue_ok(c, spi(40, 0xa0));
	vgic_cpu_flush(c);
	lr = guest_ack(c);
	assert_int_equal(lr, 0);
	assert_int_equal(LR_STATE(c->lr[0]), ST_ACTIVE);

	queue_ok(c, spi(40, 0xa0));
	assert_int_equal(LR_STATE(c->lr[0]), ST_PENDING_ACTIVE);
	assert_int_equal(c->queue_len, 0);
	queue_ok(c, spi(40, 0xa0)); /* Already pending: no change. */
	assert_int_equal(LR_STATE(c->lr[0]), ST_PENDING_ACTIVE);
	assert_int_equal(c->queue_len, 0);

	/* Not acknowledged again before its EOI; afterwards it is pending. */
	assert_int_equal(guest_ack(c), -1);
	guest_eoi(c, 0);
	assert_int_equal(LR_STATE(c->lr[0]), ST_PENDING);
	assert_int_equal(guest_handle_one(c), 40);
	assert_int_equal(LR_STATE(c->lr[0]), ST_INVALID);
}

static void test_vgic_cpu_queue_hw_active_stays_queued(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, hw_irq(48, 80, 0xa0));
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(guest_ack(c), 0);

	queue_ok(c, hw_irq(48, 80, 0xa0));
	assert_int_equal(LR_STATE(c->lr[0]), ST_ACTIVE); /* Never P+A. */
	assert_int_equal(c->queue_len, 1);
	queue_ok(c, hw_irq(48, 80, 0xa0));
	assert_int_equal(c->queue_len, 1);
	assert_state(c, 48, true, true);

	/* Not placed in a second LR while the first one is live. */
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(valid_lrs(c), 1);

	guest_eoi(c, 0);
	vgic_cpu_sync(c);
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(valid_lrs(c), 1);
	assert_int_equal(LR_STATE(c->lr[0]), ST_PENDING);
	assert_true(c->lr[0] & LR_HW_BIT);
	assert_int_equal(LR_PHYSICALID(c->lr[0]), 80);
}

static void test_vgic_cpu_queue_full_returns_false(void **state)
{
	struct vgic_cpu *c = *state;
	struct vgic_pending_irq extra = spi(32 + VGIC_INTIDS, 0xa0);

	for (uint16_t i = 0; i < VGIC_INTIDS; i++) {
		queue_ok(c, spi((uint16_t)(32 + i), 0xa0));
	}
	assert_int_equal(c->queue_len, VGIC_INTIDS);
	assert_false(vgic_cpu_queue(c, &extra));
	assert_int_equal(c->queue_len, VGIC_INTIDS);
	/* A duplicate still succeeds: nothing to add. */
	queue_ok(c, spi(32, 0xa0));

	/* Flushing makes room for as many as there are LRs. */
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(c->queue_len, VGIC_INTIDS - 4);
	assert_true(vgic_cpu_queue(c, &extra));
}

static void test_vgic_cpu_queue_rejects_malformed(void **state)
{
	struct vgic_cpu *c = *state;
	struct vgic_pending_irq special = spi(GIC_INTID_SPURIOUS, 0xa0);
	struct vgic_pending_irq first_special = spi(1020, 0xa0);
	struct vgic_pending_irq bad_source = sgi(2, 8, 0xa0);
	struct vgic_pending_irq bad_phys = hw_irq(40, 1020, 0xa0);

	assert_false(vgic_cpu_queue(c, &special));
	assert_false(vgic_cpu_queue(c, &first_special));
	assert_false(vgic_cpu_queue(c, &bad_source));
	assert_false(vgic_cpu_queue(c, &bad_phys));
	assert_int_equal(c->queue_len, 0);
	queue_ok(c, spi(1019, 0xa0));
}

/* ---- vgic_cpu_flush ---- */

static void test_vgic_cpu_flush_priority_order(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(40, 0xa0));
	queue_ok(c, spi(41, 0x20));
	queue_ok(c, spi(42, 0x60));
	queue_ok(c, spi(43, 0x40));
	queue_ok(c, spi(44, 0xe0));
	queue_ok(c, spi(45, 0x00));
	assert_true(vgic_cpu_flush(c));

	/* The four highest, placed best first. */
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 45);
	assert_int_equal(LR_VIRTUALID(c->lr[1]), 41);
	assert_int_equal(LR_VIRTUALID(c->lr[2]), 43);
	assert_int_equal(LR_VIRTUALID(c->lr[3]), 42);
	assert_int_equal(c->queue_len, 2);
	assert_int_equal(c->queue[0].intid, 40);
	assert_int_equal(c->queue[1].intid, 44);

	/* The guest sees them in priority order. */
	assert_int_equal(guest_ack_intid(c), 45);
	assert_int_equal(guest_ack_intid(c), 41);
	assert_int_equal(guest_ack_intid(c), 43);
	assert_int_equal(guest_ack_intid(c), 42);
	assert_int_equal(guest_ack_intid(c), NO_IRQ);
}

static void test_vgic_cpu_flush_tie_arrival_order(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(50, 0x80));
	queue_ok(c, spi(35, 0x80));
	queue_ok(c, spi(60, 0x80));
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 50);
	assert_int_equal(LR_VIRTUALID(c->lr[1]), 35);
	assert_int_equal(c->queue_len, 1);
	assert_int_equal(c->queue[0].intid, 60);
}

static void test_vgic_cpu_flush_keeps_queue_order(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(40, 0x80));
	queue_ok(c, spi(41, 0x10));
	queue_ok(c, spi(42, 0x80));
	queue_ok(c, spi(43, 0x80));
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 41);
	assert_int_equal(c->queue_len, 3);
	assert_int_equal(c->queue[0].intid, 40);
	assert_int_equal(c->queue[1].intid, 42);
	assert_int_equal(c->queue[2].intid, 43);

	assert_int_equal(guest_handle_one(c), 41);
	vgic_cpu_sync(c);
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 40);
	assert_int_equal(c->queue[0].intid, 42);
	assert_int_equal(c->queue[1].intid, 43);
}

static void test_vgic_cpu_flush_overflow_refills_after_sync(void **state)
{
	struct vgic_cpu *c = *state;

	for (uint16_t i = 0; i < 6; i++) {
		queue_ok(c, spi((uint16_t)(32 + i), 0xa0));
	}
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(valid_lrs(c), 4);
	assert_int_equal(c->queue_len, 2);
	assert_int_equal(c->injected, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(LR_VIRTUALID(c->lr[i]), 32 + i);
	}

	/* Nothing completed yet: a flush changes nothing. */
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(c->queue_len, 2);

	assert_int_equal(guest_handle_one(c), 32);
	assert_int_equal(guest_handle_one(c), 33);
	vgic_cpu_sync(c);
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(c->queue_len, 0);
	assert_int_equal(c->injected, 6);
	/* The next two go where 32 and 33 were; 34 and 35 stay put. */
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 36);
	assert_int_equal(LR_VIRTUALID(c->lr[1]), 37);
	assert_int_equal(LR_VIRTUALID(c->lr[2]), 34);
	assert_int_equal(LR_VIRTUALID(c->lr[3]), 35);
	assert_int_equal(valid_lrs(c), 4);
}

static void test_vgic_cpu_flush_preempts_lower_pending(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, sgi(3, 2, 0xc0));
	queue_ok(c, spi(41, 0xa0));
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 41);
	assert_int_equal(LR_VIRTUALID(c->lr[1]), 3);

	/* 42 takes the LR of the lowest-priority pending interrupt. */
	queue_ok(c, spi(42, 0x10));
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 41);
	assert_int_equal(LR_VIRTUALID(c->lr[1]), 42);
	assert_int_equal(LR_STATE(c->lr[1]), ST_PENDING);
	assert_int_equal(c->injected, 3);

	/* The displaced SGI is queued again, unchanged. */
	assert_int_equal(c->queue_len, 1);
	assert_int_equal(c->queue[0].intid, 3);
	assert_int_equal(c->queue[0].source_cpu, 2);
	assert_int_equal(c->queue[0].priority, 0xc0);
	assert_true(c->queue[0].group1);
	assert_false(c->queue[0].hw);
	assert_state(c, 3, true, false);

	assert_int_equal(guest_handle_one(c), 42);
	assert_int_equal(guest_handle_one(c), 41);
	vgic_cpu_sync(c);
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 3);
	assert_int_equal(LR_CPUID(c->lr[0]), 2);
}

/* A displaced interrupt keeps its EOI maintenance request. */
static void test_vgic_cpu_flush_preempt_keeps_resample(void **state)
{
	struct vgic_cpu *c = *state;
	struct vgic_pending_irq level = spi(30, 0xc0);

	level.resample = true;
	queue_ok(c, level);
	assert_false(vgic_cpu_flush(c));
	queue_ok(c, spi(42, 0x10));
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 42);
	assert_int_equal(c->queue_len, 1);
	assert_true(c->queue[0].resample);
	assert_int_equal(guest_handle_one(c), 42);
	vgic_cpu_sync(c);
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 30);
	assert_true(c->lr[0] & LR_EOI_BIT);
}

static void test_vgic_cpu_flush_preempt_goes_before_queue(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(40, 0xc0));
	assert_false(vgic_cpu_flush(c));
	queue_ok(c, spi(41, 0xc0));
	queue_ok(c, spi(42, 0x10));
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 42);
	/* 40 arrived before 41 and keeps its turn. */
	assert_int_equal(c->queue_len, 2);
	assert_int_equal(c->queue[0].intid, 40);
	assert_int_equal(c->queue[1].intid, 41);
}

static void test_vgic_cpu_flush_no_preempt_active_or_hw(void **state)
{
	struct vgic_cpu *c = *state;
	uint32_t lr0;
	uint32_t lr1;

	queue_ok(c, spi(40, 0xf0));
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(guest_ack(c), 0);
	queue_ok(c, hw_irq(41, 81, 0xf0));
	assert_false(vgic_cpu_flush(c));
	lr0 = c->lr[0];
	lr1 = c->lr[1];

	queue_ok(c, spi(42, 0x00));
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(c->lr[0], lr0);
	assert_int_equal(c->lr[1], lr1);

	/* Pending+active is not taken either. */
	queue_ok(c, spi(40, 0xf0));
	assert_int_equal(LR_STATE(c->lr[0]), ST_PENDING_ACTIVE);
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 40);
	assert_int_equal(c->queue_len, 1);
}

static void test_vgic_cpu_flush_preempt_needs_higher_lr_priority(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(40, 0x87));
	assert_false(vgic_cpu_flush(c));

	/* 0x80 < 0x87 but both are 16 in the LR's five bits. */
	queue_ok(c, spi(41, 0x80));
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 40);

	queue_ok(c, spi(42, 0x78));
	assert_true(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 42);
	assert_int_equal(c->queue_len, 2);
	assert_int_equal(c->queue[0].intid, 40);
	/* The LR kept only the top five bits of 0x87. */
	assert_int_equal(c->queue[0].priority, 0x80);
	assert_int_equal(c->queue[1].intid, 41);
}

/* ---- vgic_cpu_sync ---- */

static void test_vgic_cpu_sync_frees_completed_lrs(void **state)
{
	struct vgic_cpu *c = *state;
	uint32_t live;

	queue_ok(c, spi(40, 0xa0));
	queue_ok(c, spi(41, 0xa0));
	vgic_cpu_flush(c);
	assert_int_equal(guest_handle_one(c), 40);
	/* The GIC left VirtualID etc. in the completed LR. */
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 40);
	live = c->lr[1];

	vgic_cpu_sync(c);
	assert_int_equal(c->lr[0], 0);
	assert_int_equal(c->lr[1], live);
	assert_state(c, 40, false, false);

	queue_ok(c, spi(42, 0xa0));
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 42);
}

static void test_vgic_cpu_sync_reuse_without_sync(void **state)
{
	struct vgic_cpu *c = *state;

	/* A completed LR is free by its state alone. */
	queue_ok(c, spi(40, 0xa0));
	vgic_cpu_flush(c);
	guest_handle_one(c);
	queue_ok(c, spi(40, 0xa0));
	assert_int_equal(c->queue_len, 1);
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(LR_STATE(c->lr[0]), ST_PENDING);
	assert_int_equal(valid_lrs(c), 1);
}

/* ---- vgic_cpu_state ---- */

static void test_vgic_cpu_state_transitions(void **state)
{
	struct vgic_cpu *c = *state;

	assert_state(c, 40, false, false);
	queue_ok(c, spi(40, 0xa0));
	assert_state(c, 40, true, false); /* Queued. */
	vgic_cpu_flush(c);
	assert_state(c, 40, true, false); /* In an LR. */
	assert_int_equal(guest_ack(c), 0);
	assert_state(c, 40, false, true); /* Acknowledged. */
	queue_ok(c, spi(40, 0xa0));
	assert_state(c, 40, true, true); /* Re-triggered. */
	guest_eoi(c, 0);
	assert_state(c, 40, true, false); /* EOI of first. */
	assert_int_equal(guest_ack(c), 0);
	assert_state(c, 40, false, true);
	guest_eoi(c, 0);
	assert_state(c, 40, false, false); /* Completed. */
	vgic_cpu_sync(c);
	assert_state(c, 40, false, false);
	assert_state(c, 41, false, false);
}

static void test_vgic_cpu_state_sgi_any_source(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, sgi(5, 1, 0xa0));
	vgic_cpu_flush(c);
	guest_ack(c);
	queue_ok(c, sgi(5, 3, 0xa0));
	assert_state(c, 5, true, true);
	assert_state(c, 6, false, false);
}

/* ---- vgic_cpu_clear_pending ---- */

static void test_vgic_cpu_clear_pending_queued(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(41, 0xa0));
	queue_ok(c, spi(40, 0xa0));
	queue_ok(c, spi(42, 0xa0));
	vgic_cpu_clear_pending(c, 40);
	assert_int_equal(c->queue_len, 2);
	assert_int_equal(c->queue[0].intid, 41);
	assert_int_equal(c->queue[1].intid, 42);
	assert_state(c, 40, false, false);
	assert_false(vgic_cpu_flush(c));
	assert_int_equal(lr_of(c, 40), -1);
}

static void test_vgic_cpu_clear_pending_in_lr(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(40, 0xa0));
	queue_ok(c, spi(41, 0xa0));
	vgic_cpu_flush(c);
	vgic_cpu_clear_pending(c, 40);
	assert_int_equal(LR_STATE(c->lr[0]), ST_INVALID);
	assert_int_equal(LR_STATE(c->lr[1]), ST_PENDING);
	assert_state(c, 40, false, false);
	assert_int_equal(guest_ack_intid(c), 41);
	assert_int_equal(guest_ack_intid(c), NO_IRQ);
}

static void test_vgic_cpu_clear_pending_pending_active(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, spi(40, 0xa0));
	vgic_cpu_flush(c);
	guest_ack(c);
	queue_ok(c, spi(40, 0xa0));
	assert_int_equal(LR_STATE(c->lr[0]), ST_PENDING_ACTIVE);

	vgic_cpu_clear_pending(c, 40);
	assert_int_equal(LR_STATE(c->lr[0]), ST_ACTIVE);
	assert_int_equal(LR_VIRTUALID(c->lr[0]), 40);
	assert_state(c, 40, false, true);
	guest_eoi(c, 0);
	assert_state(c, 40, false, false);

	/* Clearing an active-only interrupt leaves it active. */
	queue_ok(c, spi(40, 0xa0));
	vgic_cpu_flush(c);
	guest_ack(c);
	vgic_cpu_clear_pending(c, 40);
	assert_state(c, 40, false, true);
}

static void test_vgic_cpu_clear_pending_hw(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, hw_irq(48, 80, 0xa0));
	vgic_cpu_flush(c);
	vgic_cpu_clear_pending(c, 48);
	assert_int_equal(LR_STATE(c->lr[0]), ST_INVALID);
	assert_state(c, 48, false, false);

	/* Active in an LR and queued again: the queued edge goes. */
	queue_ok(c, hw_irq(48, 80, 0xa0));
	vgic_cpu_flush(c);
	guest_ack(c);
	queue_ok(c, hw_irq(48, 80, 0xa0));
	assert_int_equal(c->queue_len, 1);
	vgic_cpu_clear_pending(c, 48);
	assert_int_equal(c->queue_len, 0);
	assert_int_equal(LR_STATE(c->lr[0]), ST_ACTIVE);
	assert_state(c, 48, false, true);
}

static void test_vgic_cpu_clear_pending_sgi_all_sources(void **state)
{
	struct vgic_cpu *c = *state;

	queue_ok(c, sgi(2, 0, 0xa0));
	queue_ok(c, sgi(2, 1, 0xa0));
	vgic_cpu_flush(c);
	queue_ok(c, sgi(2, 3, 0xa0));
	queue_ok(c, sgi(4, 3, 0xa0));
	vgic_cpu_clear_pending(c, 2);
	assert_state(c, 2, false, false);
	assert_int_equal(valid_lrs(c), 0);
	assert_int_equal(c->queue_len, 1);
	assert_int_equal(c->queue[0].intid, 4);
}

/* place() matches queue + flush when nothing is queued and an LR is free. */
static void test_vgic_cpu_place_same_as_queue_and_flush(void **state)
{
	struct vgic_cpu *c = *state;
	struct vgic_cpu ref = *c;
	struct vgic_cpu hinted = *c;
	struct vgic_pending_irq a = sgi(3, 1, 0x40);

	assert_true(vgic_cpu_place(c, &a, false));
	queue_ok(&ref, a);
	assert_false(vgic_cpu_flush(&ref));
	assert_memory_equal(c->lr, ref.lr, sizeof(c->lr));
	assert_int_equal(c->queue_len, 0);
	assert_int_equal(c->injected, ref.injected);
	/* Every LR free (the fixture's start), told so: the same LRs. */
	assert_true(vgic_cpu_place(&hinted, &a, true));
	assert_memory_equal(hinted.lr, ref.lr, sizeof(hinted.lr));
	assert_int_equal(hinted.injected, ref.injected);
}

/* It refuses (and changes nothing) when the interrupt is already in an
 * LR, something is queued, no LR is free, or the ID is invalid. */
static void test_vgic_cpu_place_refuses(void **state)
{
	struct vgic_cpu *c = *state;
	struct vgic_pending_irq a = spi(40, 0xa0), b = spi(41, 0xa0);
	struct vgic_cpu before;

	assert_true(vgic_cpu_place(c, &a, false));
	before = *c;
	assert_false(vgic_cpu_place(c, &a, false));          /* already in an LR */
	assert_memory_equal(c, &before, sizeof(before));
	for (uint16_t i = 0; c->lr_count > valid_lrs(c); i++) {
		struct vgic_pending_irq x = spi((uint16_t)(50 + i), 0xa0);

		assert_true(vgic_cpu_place(c, &x, false));
	}
	before = *c;
	assert_false(vgic_cpu_place(c, &b, false));          /* no LR free */
	assert_memory_equal(c, &before, sizeof(before));
	queue_ok(c, b);
	struct vgic_pending_irq d = spi(42, 0xa0);

	set_state(c, 0, ST_INVALID);
	assert_false(vgic_cpu_place(c, &d, false));          /* something queued */
	struct vgic_pending_irq bad = spi(1020, 0xa0);

	assert_false(vgic_cpu_place(c, &bad, false));
}

/* holds_hw(): a live HW LR or a queued HW interrupt of that physical
 * interrupt; not software ones, not a completed HW LR, not another
 * physical interrupt's (a passed-through SPI beside the timer). */
static void test_vgic_cpu_holds_hw(void **state)
{
	struct vgic_cpu *c = *state;

	assert_false(vgic_cpu_holds_hw(c, 27));
	queue_ok(c, spi(40, 0xa0));
	assert_false(vgic_cpu_flush(c));
	assert_false(vgic_cpu_holds_hw(c, 27));
	queue_ok(c, hw_irq(34, 34, 0xa0));
	assert_false(vgic_cpu_holds_hw(c, 27));     /* another physical */
	assert_true(vgic_cpu_holds_hw(c, 34));
	queue_ok(c, hw_irq(27, 27, 0xa0));
	assert_true(vgic_cpu_holds_hw(c, 27));      /* queued */
	assert_false(vgic_cpu_flush(c));
	assert_true(vgic_cpu_holds_hw(c, 27));      /* in an LR */
	for (uint32_t i = 0; i < c->lr_count; i++) {
		set_state(c, (int)i, ST_INVALID);   /* guest completed all */
	}
	vgic_cpu_sync(c);
	assert_false(vgic_cpu_holds_hw(c, 27));
	assert_false(vgic_cpu_holds_hw(c, 34));
}

#define T(name)	 cmocka_unit_test_setup_teardown(name, setup, teardown)
#define T1(name) cmocka_unit_test_setup_teardown(name, setup_1lr, teardown)
#define T2(name) cmocka_unit_test_setup_teardown(name, setup_2lrs, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_vgic_cpu_init_empty),
	    T(test_vgic_cpu_init_clamps_lr_count),
	    T2(test_vgic_cpu_init_uses_only_lr_count),
	    T(test_vgic_cpu_init_zero_lrs),
	    T(test_vgic_lr_make_spi_fields),
	    T(test_vgic_lr_make_sgi_cpuid),
	    T(test_vgic_lr_make_spi_ignores_source_cpu),
	    T(test_vgic_lr_make_resample_sets_eoi),
	    T(test_vgic_lr_make_hw_fields),
	    T(test_vgic_lr_make_state_field),
	    T(test_vgic_lr_make_priority_top_five_bits),
	    T(test_vgic_cpu_holds_hw),
	    T(test_vgic_cpu_place_same_as_queue_and_flush),
	    T(test_vgic_cpu_place_refuses),
	    T(test_vgic_cpu_queue_dedupe_queued),
	    T(test_vgic_cpu_queue_dedupe_in_lr),
	    T(test_vgic_cpu_queue_sgi_two_sources),
	    T(test_vgic_cpu_place_sgi_waits_for_its_ids_lr),
	    T(test_vgic_cpu_queue_active_becomes_pending_active),
	    T(test_vgic_cpu_queue_hw_active_stays_queued),
	    T(test_vgic_cpu_queue_full_returns_false),
	    T(test_vgic_cpu_queue_rejects_malformed),
	    T(test_vgic_cpu_flush_priority_order),
	    T2(test_vgic_cpu_flush_tie_arrival_order),
	    T1(test_vgic_cpu_flush_keeps_queue_order),
	    T(test_vgic_cpu_flush_overflow_refills_after_sync),
	    T2(test_vgic_cpu_flush_preempts_lower_pending),
	    T1(test_vgic_cpu_flush_preempt_keeps_resample),
	    T1(test_vgic_cpu_flush_preempt_goes_before_queue),
	    T2(test_vgic_cpu_flush_no_preempt_active_or_hw),
	    T1(test_vgic_cpu_flush_preempt_needs_higher_lr_priority),
	    T(test_vgic_cpu_sync_frees_completed_lrs),
	    T(test_vgic_cpu_sync_reuse_without_sync),
	    T(test_vgic_cpu_state_transitions),
	    T(test_vgic_cpu_state_sgi_any_source),
	    T(test_vgic_cpu_clear_pending_queued),
	    T(test_vgic_cpu_clear_pending_in_lr),
	    T(test_vgic_cpu_clear_pending_pending_active),
	    T(test_vgic_cpu_clear_pending_hw),
	    T(test_vgic_cpu_clear_pending_sgi_all_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
