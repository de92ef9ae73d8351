/**
 * cmocka tests of the GICv2 distributor model (services/vgic/gicd_model.c),
 * driven through its register window against a fake kernel: a struct
 * gicd_ops that records every call and keeps its own pending/active state
 * per CPU, which its query op reports back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vgic/gicd_model.h"

/* Values the header does not name (IHI 0048B 4.3). */
#define IIDR_GIC400	   0x0200143bU
#define PIDR2_ARCHREV(v)   (((v) >> 4) & 0xfU)
#define PRIORITY_MASK	   0xf8U
#define ICFGR_SGI_ALL_EDGE 0xaaaaaaaaU
#define SGIR_FILTER_SHIFT  24U
#define SGIR_TARGETS_SHIFT 16U
#define SGI_ENABLE_BITS	   0xffffU
#define GUEST_PMR	   0xf0U

#define CPUS	  4U
#define CALLS_MAX 512U
#define NR_IRQS	  GICD_MODEL_NR_IRQS

/** One ops->irq_changed call. */
struct irq_changed_call {
	uint32_t cpu;
	uint32_t intid;
	bool enabled;
	uint8_t priority;
	uint8_t targets;
	bool group1;
	bool edge;
};

/** One ops->set_pending or clear_pending call (source unused for clear). */
struct pending_call {
	uint32_t cpu_mask;
	uint32_t intid;
	uint32_t source;
};

/** One ops->set_active call. */
struct active_call {
	uint32_t cpu;
	uint32_t intid;
	bool active;
};

/** The fake kernel: call records and a live pending/active model. */
struct fake_kernel {
	struct irq_changed_call changed[CALLS_MAX];
	size_t changed_count;
	struct pending_call set_pending[CALLS_MAX];
	size_t set_pending_count;
	struct pending_call clear_pending[CALLS_MAX];
	size_t clear_pending_count;
	struct active_call set_active[CALLS_MAX];
	size_t set_active_count;
	uint32_t ctlr[CALLS_MAX];
	size_t ctlr_count;
	size_t query_count;
	bool pending[GICD_MODEL_MAX_CPUS][NR_IRQS];
	bool active[GICD_MODEL_MAX_CPUS][NR_IRQS];
};

/** Fixture: a model and the fake kernel behind it. */
struct fixture {
	struct gicd_model m;
	struct fake_kernel k;
};

static void fake_irq_changed(void *ctx, uint32_t cpu, uint32_t intid,
			     bool enabled, uint8_t priority, uint8_t targets,
			     bool group1, bool edge)
{
	struct fake_kernel *k = ctx;

	assert_true(k->changed_count < CALLS_MAX);
	k->changed[k->changed_count++] = (struct irq_changed_call){
	    .cpu = cpu,
	    .intid = intid,
	    .enabled = enabled,
	    .priority = priority,
	    .targets = targets,
	    .group1 = group1,
	    .edge = edge,
	};
}

static void fake_set_pending(void *ctx, uint32_t cpu_mask, uint32_t intid,
			     uint32_t source)
{
	struct fake_kernel *k = ctx;
	uint32_t c;

	assert_true(k->set_pending_count < CALLS_MAX);
	assert_true(intid < NR_IRQS);
	k->set_pending[k->set_pending_count++] = (struct pending_call){
	    .cpu_mask = cpu_mask, .intid = intid, .source = source};
	for (c = 0; c < GICD_MODEL_MAX_CPUS; c++) {
		if ((cpu_mask & (1U << c)) != 0) {
			k->pending[c][intid] = true;
		}
	}
}

static void fake_clear_pending(void *ctx, uint32_t cpu_mask, uint32_t intid)
{
	struct fake_kernel *k = ctx;
	uint32_t c;

	assert_true(k->clear_pending_count < CALLS_MAX);
	assert_true(intid < NR_IRQS);
	k->clear_pending[k->clear_pending_count++] =
	    (struct pending_call){.cpu_mask = cpu_mask, .intid = intid};
	for (c = 0; c < GICD_MODEL_MAX_CPUS; c++) {
		if ((cpu_mask & (1U << c)) != 0) {
			k->pending[c][intid] = false;
		}
	}
}

static void fake_set_active(void *ctx, uint32_t cpu, uint32_t intid,
			    bool active)
{
	struct fake_kernel *k = ctx;

	assert_true(k->set_active_count < CALLS_MAX);
	assert_true(cpu < GICD_MODEL_MAX_CPUS && intid < NR_IRQS);
	k->set_active[k->set_active_count++] =
	    (struct active_call){.cpu = cpu, .intid = intid, .active = active};
	k->active[cpu][intid] = active;
}

static void fake_query(void *ctx, uint32_t cpu, uint32_t intid, bool *pending,
		       bool *active)
{
	struct fake_kernel *k = ctx;

	assert_true(cpu < GICD_MODEL_MAX_CPUS && intid < NR_IRQS);
	k->query_count++;
	*pending = k->pending[cpu][intid];
	*active = k->active[cpu][intid];
}

static void fake_ctlr_changed(void *ctx, uint32_t ctlr)
{
	struct fake_kernel *k = ctx;

	assert_true(k->ctlr_count < CALLS_MAX);
	k->ctlr[k->ctlr_count++] = ctlr;
}

static const struct gicd_ops fake_ops = {
    .irq_changed = fake_irq_changed,
    .set_pending = fake_set_pending,
    .clear_pending = fake_clear_pending,
    .set_active = fake_set_active,
    .query = fake_query,
    .ctlr_changed = fake_ctlr_changed,
};

/** A fixture of @p cpu_count CPUs; the model starts from garbage. */
static int setup_cpus(void **state, uint32_t cpu_count)
{
	struct fixture *f = malloc(sizeof(*f));

	if (f == NULL) {
		return -1;
	}
	memset(&f->m, 0xa5, sizeof(f->m));
	memset(&f->k, 0, sizeof(f->k));
	gicd_model_init(&f->m, cpu_count, &fake_ops, &f->k);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_cpus(state, CPUS);
}

static int setup_one_cpu(void **state)
{
	return setup_cpus(state, 1);
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/** True if the fake saw no call at all. */
static bool no_calls(const struct fake_kernel *k)
{
	return k->changed_count == 0 && k->set_pending_count == 0 &&
	       k->clear_pending_count == 0 && k->set_active_count == 0 &&
	       k->ctlr_count == 0;
}

/** A read by @p cpu of @p width bytes that must succeed. */
static uint32_t rdw(struct fixture *f, uint32_t cpu, uint64_t offset,
		    unsigned width)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(gicd_model_read(&f->m, cpu, offset, width, &v), 0);
	return v;
}

/** A 32-bit read by @p cpu that must succeed. */
static uint32_t rd(struct fixture *f, uint32_t cpu, uint64_t offset)
{
	return rdw(f, cpu, offset, 4);
}

/** A write by @p cpu of @p width bytes that must succeed. */
static void wrw(struct fixture *f, uint32_t cpu, uint64_t offset,
		unsigned width, uint32_t value)
{
	assert_int_equal(gicd_model_write(&f->m, cpu, offset, width, value), 0);
}

/** A 32-bit write by @p cpu that must succeed. */
static void wr(struct fixture *f, uint32_t cpu, uint64_t offset, uint32_t value)
{
	wrw(f, cpu, offset, 4, value);
}

/** Offset of the 32-bit word of a 1-bit-per-interrupt group. */
static uint64_t bit_reg(uint64_t base, uint32_t intid)
{
	return base + (intid / 32U) * 4U;
}

/** Bit of @p intid in its register word. */
static uint32_t bit_of(uint32_t intid)
{
	return 1U << (intid % 32U);
}

/** Offset of the ICFGR word holding @p intid. */
static uint64_t cfg_reg(uint32_t intid)
{
	return GICD_ICFGR + (intid / 16U) * 4U;
}

/** Checks an irq_changed record. */
static void check_changed(const struct irq_changed_call *c, uint32_t cpu,
			  uint32_t intid, bool enabled, uint8_t priority,
			  uint8_t targets, bool group1, bool edge)
{
	assert_int_equal(c->cpu, cpu);
	assert_int_equal(c->intid, intid);
	assert_int_equal(c->enabled, enabled);
	assert_int_equal(c->priority, priority);
	assert_int_equal(c->targets, targets);
	assert_int_equal(c->group1, group1);
	assert_int_equal(c->edge, edge);
}

/* --- Reset ---------------------------------------------------------------- */

static void test_gicd_model_init_ctlr_typer_iidr(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, 0, GICD_CTLR), 0);
	/* ITLinesNumber 3 (128 IDs), CPUNumber 3 (4 CPUs), no SecurityExtn. */
	assert_int_equal(rd(f, 0, GICD_TYPER), 0x63);
	assert_int_equal(rd(f, 3, GICD_IIDR), IIDR_GIC400);
	assert_true(no_calls(&f->k));
}

static void test_gicd_model_init_typer_one_cpu(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, 0, GICD_TYPER), 0x03);
}

static void test_gicd_model_init_clamps_cpu_count(void **state)
{
	struct fixture *f = *state;

	gicd_model_init(&f->m, 0, &fake_ops, &f->k);
	assert_int_equal(f->m.cpu_count, 1);
	gicd_model_init(&f->m, 99, &fake_ops, &f->k);
	assert_int_equal(f->m.cpu_count, GICD_MODEL_MAX_CPUS);
	assert_int_equal(rd(f, 7, GICD_TYPER) >> 5, GICD_MODEL_MAX_CPUS - 1);
}

static void test_gicd_model_init_id_registers(void **state)
{
	struct fixture *f = *state;
	static const uint32_t cidr[] = {0x0d, 0xf0, 0x05, 0xb1};
	uint32_t i;

	assert_int_equal(PIDR2_ARCHREV(rd(f, 0, GICD_PIDR2)), 2);
	assert_int_equal(rd(f, 0, GICD_PIDR2), 0x2b);
	assert_int_equal(rd(f, 0, 0xfe0), 0x90); /* PIDR0 */
	assert_int_equal(rd(f, 0, 0xfe4), 0xb4); /* PIDR1 */
	assert_int_equal(rd(f, 0, 0xfd0), 0x04); /* PIDR4 */
	assert_int_equal(rd(f, 0, 0xfd4), 0);	 /* PIDR5 */
	assert_int_equal(rd(f, 0, 0xfec), 0);	 /* PIDR3 */
	for (i = 0; i < 4; i++) {
		assert_int_equal(rd(f, 1, 0xff0 + 4 * i), cidr[i]);
	}
	/* Read-only: writes are ignored. */
	wr(f, 0, GICD_PIDR2, 0);
	assert_int_equal(rd(f, 0, GICD_PIDR2), 0x2b);
}

static void test_gicd_model_init_priorities(void **state)
{
	struct fixture *f = *state;
	uint32_t cpu;
	uint32_t n;

	for (cpu = 0; cpu < CPUS; cpu++) {
		for (n = 0; n < NR_IRQS / 4; n++) {
			assert_int_equal(rd(f, cpu, GICD_IPRIORITYR + 4 * n),
					 0xa0a0a0a0);
		}
	}
}

static void test_gicd_model_init_targets_and_config(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, 2, GICD_ITARGETSR), 0x04040404);
	assert_int_equal(rd(f, 0, GICD_ITARGETSR + 28), 0x01010101);
	assert_int_equal(rd(f, 0, GICD_ITARGETSR + 32), 0);
	assert_int_equal(rd(f, 0, GICD_ICFGR), ICFGR_SGI_ALL_EDGE);
	assert_int_equal(rd(f, 1, GICD_ICFGR + 4), 0);
	assert_int_equal(rd(f, 0, GICD_ICFGR + 8), 0);
	assert_int_equal(rd(f, 0, GICD_IGROUPR), 0);
	assert_int_equal(rd(f, 3, GICD_ISENABLER), SGI_ENABLE_BITS);
	assert_int_equal(rd(f, 0, GICD_ISENABLER + 4), 0);
}

static void test_gicd_model_init_one_cpu_spi_targets(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, 0, GICD_ITARGETSR), 0x01010101);
	assert_int_equal(rd(f, 0, GICD_ITARGETSR + 32), 0x01010101);
	assert_int_equal(rd(f, 0, GICD_ITARGETSR + NR_IRQS - 4), 0x01010101);
}

/* --- GICD_CTLR ------------------------------------------------------------ */

static void test_gicd_model_write_ctlr_reports_change(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, GICD_CTLR, 0x1);
	assert_int_equal(f->k.ctlr_count, 1);
	assert_int_equal(f->k.ctlr[0], 0x1);
	wr(f, 1, GICD_CTLR, 0x1); /* No change, no report. */
	assert_int_equal(f->k.ctlr_count, 1);
	wr(f, 0, GICD_CTLR, 0xffffffff);
	assert_int_equal(f->k.ctlr_count, 2);
	assert_int_equal(f->k.ctlr[1], 0x3);
	assert_int_equal(rd(f, 2, GICD_CTLR), 0x3);
	wr(f, 0, GICD_CTLR, 0);
	assert_int_equal(f->k.ctlr[2], 0);
	assert_int_equal(f->k.changed_count, 0);
}

static void test_gicd_model_write_typer_read_only(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, GICD_TYPER, 0);
	wr(f, 0, GICD_IIDR, 0);
	assert_int_equal(rd(f, 0, GICD_TYPER), 0x63);
	assert_int_equal(rd(f, 0, GICD_IIDR), IIDR_GIC400);
}

/* --- Enables -------------------------------------------------------------- */

static void test_gicd_model_write_isenabler_banked(void **state)
{
	struct fixture *f = *state;

	wr(f, 1, GICD_ISENABLER, bit_of(27));
	assert_int_equal(f->k.changed_count, 1);
	check_changed(&f->k.changed[0], 1, 27, true, 0xa0, 0x2, false, false);
	assert_int_equal(rd(f, 1, GICD_ISENABLER),
			 SGI_ENABLE_BITS | bit_of(27));
	assert_int_equal(rd(f, 1, GICD_ICENABLER),
			 SGI_ENABLE_BITS | bit_of(27));
	assert_int_equal(rd(f, 0, GICD_ISENABLER), SGI_ENABLE_BITS);
	/* Setting again changes nothing. */
	wr(f, 1, GICD_ISENABLER, bit_of(27));
	assert_int_equal(f->k.changed_count, 1);
	wr(f, 1, GICD_ICENABLER, bit_of(27));
	assert_int_equal(f->k.changed_count, 2);
	check_changed(&f->k.changed[1], 1, 27, false, 0xa0, 0x2, false, false);
	assert_int_equal(rd(f, 1, GICD_ISENABLER), SGI_ENABLE_BITS);
}

static void test_gicd_model_write_icenabler_spi(void **state)
{
	struct fixture *f = *state;

	wr(f, 2, bit_reg(GICD_ISENABLER, 32), bit_of(32) | bit_of(33));
	assert_int_equal(f->k.changed_count, 2);
	check_changed(&f->k.changed[0], 0, 32, true, 0xa0, 0, false, false);
	check_changed(&f->k.changed[1], 0, 33, true, 0xa0, 0, false, false);
	assert_int_equal(rd(f, 0, bit_reg(GICD_ISENABLER, 32)), 0x3);
	assert_int_equal(rd(f, 3, bit_reg(GICD_ICENABLER, 32)), 0x3);
	wr(f, 1, bit_reg(GICD_ICENABLER, 32), bit_of(33));
	assert_int_equal(f->k.changed_count, 3);
	check_changed(&f->k.changed[2], 0, 33, false, 0xa0, 0, false, false);
	wr(f, 1, bit_reg(GICD_ICENABLER, 32), bit_of(33));
	assert_int_equal(f->k.changed_count, 3);
	assert_int_equal(rd(f, 2, bit_reg(GICD_ISENABLER, 32)), 0x1);
}

static void test_gicd_model_write_icenabler_sgi_rao_wi(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, GICD_ICENABLER, 0xffffffff);
	assert_int_equal(rd(f, 0, GICD_ISENABLER), SGI_ENABLE_BITS);
	assert_int_equal(f->k.changed_count, 0);
	wr(f, 0, GICD_ISENABLER, SGI_ENABLE_BITS);
	assert_int_equal(f->k.changed_count, 0);
}

static void test_gicd_model_write_isenabler_zero_bits_no_effect(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, bit_reg(GICD_ISENABLER, 64), 0xffffffff);
	assert_int_equal(f->k.changed_count, 32);
	wr(f, 0, bit_reg(GICD_ISENABLER, 64), 0);
	wr(f, 0, bit_reg(GICD_ICENABLER, 64), 0);
	assert_int_equal(f->k.changed_count, 32);
	assert_int_equal(rd(f, 0, bit_reg(GICD_ISENABLER, 64)), 0xffffffff);
}

/* --- Groups --------------------------------------------------------------- */

static void test_gicd_model_write_igroupr(void **state)
{
	struct fixture *f = *state;

	wr(f, 3, GICD_IGROUPR, bit_of(1) | bit_of(30));
	assert_int_equal(f->k.changed_count, 2);
	check_changed(&f->k.changed[0], 3, 1, true, 0xa0, 0x8, true, true);
	check_changed(&f->k.changed[1], 3, 30, false, 0xa0, 0x8, true, false);
	assert_int_equal(rd(f, 3, GICD_IGROUPR), bit_of(1) | bit_of(30));
	assert_int_equal(rd(f, 0, GICD_IGROUPR), 0);
	wr(f, 0, bit_reg(GICD_IGROUPR, 100), bit_of(100));
	check_changed(&f->k.changed[2], 0, 100, false, 0xa0, 0, true, false);
	assert_int_equal(rd(f, 2, bit_reg(GICD_IGROUPR, 100)), bit_of(100));
	wr(f, 0, bit_reg(GICD_IGROUPR, 100), 0);
	assert_int_equal(f->k.changed_count, 4);
	assert_int_equal(rd(f, 2, bit_reg(GICD_IGROUPR, 100)), 0);
}

/* --- Pending and active --------------------------------------------------- */

static void test_gicd_model_write_ispendr_private(void **state)
{
	struct fixture *f = *state;

	wr(f, 1, GICD_ISPENDR, bit_of(20));
	assert_int_equal(f->k.set_pending_count, 1);
	assert_int_equal(f->k.set_pending[0].cpu_mask, 0x2);
	assert_int_equal(f->k.set_pending[0].intid, 20);
	assert_int_equal(f->k.set_pending[0].source, 0);
	assert_int_equal(rd(f, 1, GICD_ISPENDR), bit_of(20));
	assert_int_equal(rd(f, 1, GICD_ICPENDR), bit_of(20));
	assert_int_equal(rd(f, 0, GICD_ISPENDR), 0);
	wr(f, 1, GICD_ICPENDR, bit_of(20));
	assert_int_equal(f->k.clear_pending_count, 1);
	assert_int_equal(f->k.clear_pending[0].cpu_mask, 0x2);
	assert_int_equal(f->k.clear_pending[0].intid, 20);
	assert_int_equal(rd(f, 1, GICD_ISPENDR), 0);
}

static void test_gicd_model_write_ispendr_sgi_wi(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, GICD_ISPENDR, SGI_ENABLE_BITS);
	wr(f, 0, GICD_ICPENDR, SGI_ENABLE_BITS);
	assert_true(no_calls(&f->k));
}

static void test_gicd_model_write_ispendr_spi_targets(void **state)
{
	struct fixture *f = *state;

	wrw(f, 0, GICD_ITARGETSR + 40, 1, 0x6);
	wr(f, 0, bit_reg(GICD_ISPENDR, 40), bit_of(40));
	assert_int_equal(f->k.set_pending_count, 1);
	assert_int_equal(f->k.set_pending[0].cpu_mask, 0x6);
	assert_int_equal(f->k.set_pending[0].intid, 40);
	/* Read from CPU 0 asks the lowest target, CPU 1. */
	f->k.pending[2][40] = false;
	assert_int_equal(rd(f, 0, bit_reg(GICD_ISPENDR, 40)), bit_of(40));
	f->k.pending[1][40] = false;
	assert_int_equal(rd(f, 0, bit_reg(GICD_ISPENDR, 40)), 0);
	wr(f, 3, bit_reg(GICD_ICPENDR, 40), bit_of(40));
	assert_int_equal(f->k.clear_pending_count, 1);
	assert_int_equal(f->k.clear_pending[0].cpu_mask, 0xf);
	assert_int_equal(f->k.clear_pending[0].intid, 40);
}

static void test_gicd_model_write_ispendr_spi_untargeted(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, bit_reg(GICD_ISPENDR, 50), bit_of(50) | bit_of(51));
	assert_int_equal(f->k.set_pending_count, 0);
	assert_int_equal(rd(f, 2, bit_reg(GICD_ISPENDR, 50)),
			 bit_of(50) | bit_of(51));
	/* A target appears: the held SPI goes to it, once. */
	wrw(f, 0, GICD_ITARGETSR + 50, 1, 0x8);
	assert_int_equal(f->k.set_pending_count, 1);
	assert_int_equal(f->k.set_pending[0].cpu_mask, 0x8);
	assert_int_equal(f->k.set_pending[0].intid, 50);
	wrw(f, 0, GICD_ITARGETSR + 50, 1, 0x4);
	assert_int_equal(f->k.set_pending_count, 1);
	/* Clearing the other drops it. */
	wr(f, 0, bit_reg(GICD_ICPENDR, 51), bit_of(51));
	assert_int_equal(rd(f, 2, bit_reg(GICD_ISPENDR, 51)), 0);
	wrw(f, 0, GICD_ITARGETSR + 51, 1, 0x1);
	assert_int_equal(f->k.set_pending_count, 1);
}

static void test_gicd_model_read_ispendr_reflects_query(void **state)
{
	struct fixture *f = *state;

	/* State the kernel got elsewhere (a hardware interrupt). */
	f->k.pending[2][27] = true;
	f->k.active[2][3] = true;
	assert_int_equal(rd(f, 2, GICD_ISPENDR), bit_of(27));
	assert_int_equal(rd(f, 1, GICD_ISPENDR), 0);
	assert_int_equal(rd(f, 2, GICD_ISACTIVER), bit_of(3));
	assert_int_equal(rd(f, 2, GICD_ICACTIVER), bit_of(3));
	/* Untargeted SPIs ask the accessing CPU. */
	f->k.pending[3][96] = true;
	assert_int_equal(rd(f, 3, bit_reg(GICD_ISPENDR, 96)), bit_of(96));
	assert_int_equal(rd(f, 0, bit_reg(GICD_ISPENDR, 96)), 0);
	assert_int_equal(rdw(f, 2, GICD_ISPENDR + 4 * 31, 4), 0);
}

static void test_gicd_model_write_isactiver(void **state)
{
	struct fixture *f = *state;

	wr(f, 2, GICD_ISACTIVER, bit_of(5) | bit_of(29));
	assert_int_equal(f->k.set_active_count, 2);
	assert_int_equal(f->k.set_active[0].cpu, 2);
	assert_int_equal(f->k.set_active[0].intid, 5);
	assert_true(f->k.set_active[0].active);
	assert_int_equal(f->k.set_active[1].intid, 29);
	assert_int_equal(rd(f, 2, GICD_ISACTIVER), bit_of(5) | bit_of(29));
	wr(f, 2, GICD_ICACTIVER, bit_of(29));
	assert_int_equal(f->k.set_active_count, 3);
	assert_false(f->k.set_active[2].active);
	assert_int_equal(rd(f, 2, GICD_ICACTIVER), bit_of(5));
	/* SPI: its lowest target CPU. */
	wrw(f, 0, GICD_ITARGETSR + 70, 1, 0xc);
	wr(f, 0, bit_reg(GICD_ISACTIVER, 70), bit_of(70));
	assert_int_equal(f->k.set_active[3].cpu, 2);
	assert_int_equal(f->k.set_active[3].intid, 70);
	assert_int_equal(rd(f, 1, bit_reg(GICD_ISACTIVER, 70)), bit_of(70));
}

/* --- Priorities ----------------------------------------------------------- */

static void test_gicd_model_write_ipriorityr_byte(void **state)
{
	struct fixture *f = *state;

	wrw(f, 0, GICD_IPRIORITYR + 33, 1, 0xff);
	assert_int_equal(rdw(f, 0, GICD_IPRIORITYR + 33, 1), PRIORITY_MASK);
	assert_int_equal(rd(f, 1, GICD_IPRIORITYR + 32), 0xa0a0f8a0);
	assert_int_equal(f->k.changed_count, 1);
	check_changed(&f->k.changed[0], 0, 33, false, 0xf8, 0, false, false);
	/* Bits below the five implemented ones are ignored: no change. */
	wrw(f, 0, GICD_IPRIORITYR + 33, 1, 0xfc);
	assert_int_equal(f->k.changed_count, 1);
}

static void test_gicd_model_write_ipriorityr_word(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, GICD_IPRIORITYR + 32, 0xa0a01007);
	assert_int_equal(rd(f, 0, GICD_IPRIORITYR + 32), 0xa0a01000);
	assert_int_equal(f->k.changed_count, 2);
	check_changed(&f->k.changed[0], 0, 32, false, 0x00, 0, false, false);
	check_changed(&f->k.changed[1], 0, 33, false, 0x10, 0, false, false);
	assert_int_equal(rdw(f, 0, GICD_IPRIORITYR + 35, 1), 0xa0);
}

static void test_gicd_model_write_ipriorityr_banked(void **state)
{
	struct fixture *f = *state;

	wrw(f, 1, GICD_IPRIORITYR + 2, 1, 0x40);
	assert_int_equal(rd(f, 1, GICD_IPRIORITYR), 0xa040a0a0);
	assert_int_equal(rd(f, 0, GICD_IPRIORITYR), 0xa0a0a0a0);
	check_changed(&f->k.changed[0], 1, 2, true, 0x40, 0x2, false, true);
}

/* --- Targets -------------------------------------------------------------- */

static void test_gicd_model_write_itargetsr_private_read_only(void **state)
{
	struct fixture *f = *state;

	wr(f, 1, GICD_ITARGETSR, 0xffffffff);
	wrw(f, 1, GICD_ITARGETSR + 17, 1, 0x1);
	assert_int_equal(rd(f, 1, GICD_ITARGETSR), 0x02020202);
	assert_int_equal(rdw(f, 3, GICD_ITARGETSR + 17, 1), 0x08);
	assert_int_equal(f->k.changed_count, 0);
}

static void test_gicd_model_write_itargetsr_spi_masked(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, GICD_ITARGETSR + 32, 0x01ff0300);
	assert_int_equal(rd(f, 2, GICD_ITARGETSR + 32), 0x010f0300);
	assert_int_equal(f->k.changed_count, 3);
	check_changed(&f->k.changed[0], 0, 33, false, 0xa0, 0x03, false, false);
	check_changed(&f->k.changed[1], 0, 34, false, 0xa0, 0x0f, false, false);
	check_changed(&f->k.changed[2], 0, 35, false, 0xa0, 0x01, false, false);
	/* CPUs beyond cpu_count only: no target, no change. */
	wrw(f, 0, GICD_ITARGETSR + 40, 1, 0xf0);
	assert_int_equal(rdw(f, 0, GICD_ITARGETSR + 40, 1), 0);
	assert_int_equal(f->k.changed_count, 3);
}

static void test_gicd_model_write_itargetsr_one_cpu(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, GICD_ITARGETSR + 32, 0xffffffff);
	assert_int_equal(rd(f, 0, GICD_ITARGETSR + 32), 0x01010101);
	assert_int_equal(f->k.changed_count, 0);
	wrw(f, 0, GICD_ITARGETSR + 32, 1, 0);
	assert_int_equal(rd(f, 0, GICD_ITARGETSR + 32), 0x01010100);
}

/* --- Configuration -------------------------------------------------------- */

static void test_gicd_model_write_icfgr(void **state)
{
	struct fixture *f = *state;
	size_t i;

	wr(f, 0, GICD_ICFGR, 0);
	assert_int_equal(rd(f, 0, GICD_ICFGR), ICFGR_SGI_ALL_EDGE);
	wr(f, 0, GICD_ICFGR + 4, 0xffffffff);
	assert_int_equal(rd(f, 0, GICD_ICFGR + 4), 0);
	assert_int_equal(f->k.changed_count, 0);
	wr(f, 2, cfg_reg(32), 0xffffffff);
	assert_int_equal(rd(f, 1, cfg_reg(32)), ICFGR_SGI_ALL_EDGE);
	assert_int_equal(f->k.changed_count, 16);
	for (i = 0; i < 16; i++) {
		check_changed(&f->k.changed[i], 0, 32 + i, false, 0xa0, 0,
			      false, true);
	}
	wr(f, 2, cfg_reg(48), 0x1 << 2); /* Int_config[0] of 49: RO. */
	assert_int_equal(rd(f, 1, cfg_reg(48)), 0);
	assert_int_equal(f->k.changed_count, 16);
	wr(f, 2, cfg_reg(32), 0x2U << 30); /* Only 47 stays edge. */
	assert_int_equal(rd(f, 1, cfg_reg(32)), 0x2U << 30);
	assert_int_equal(f->k.changed_count, 31);
}

/* --- SGIs ----------------------------------------------------------------- */

/** GICD_SGIR value: @p filter, @p targets list, SGI @p sgi. */
static uint32_t sgir(uint32_t filter, uint32_t targets, uint32_t sgi)
{
	return (filter << SGIR_FILTER_SHIFT) | (targets << SGIR_TARGETS_SHIFT) |
	       sgi;
}

static void test_gicd_model_write_sgir_target_list(void **state)
{
	struct fixture *f = *state;

	wr(f, 1, GICD_SGIR, sgir(0, 0x5, 7));
	assert_int_equal(f->k.set_pending_count, 1);
	assert_int_equal(f->k.set_pending[0].cpu_mask, 0x5);
	assert_int_equal(f->k.set_pending[0].intid, 7);
	assert_int_equal(f->k.set_pending[0].source, 1);
	/* Targets beyond cpu_count are dropped; none left: no call. */
	wr(f, 1, GICD_SGIR, sgir(0, 0xf2, 3));
	assert_int_equal(f->k.set_pending[1].cpu_mask, 0x2);
	wr(f, 1, GICD_SGIR, sgir(0, 0xf0, 3));
	assert_int_equal(f->k.set_pending_count, 2);
	/* Write-only: reads as zero. */
	assert_int_equal(rd(f, 1, GICD_SGIR), 0);
}

static void test_gicd_model_write_sgir_all_but_self(void **state)
{
	struct fixture *f = *state;

	wr(f, 2, GICD_SGIR, sgir(1, 0x4, 15));
	assert_int_equal(f->k.set_pending_count, 1);
	assert_int_equal(f->k.set_pending[0].cpu_mask, 0xb);
	assert_int_equal(f->k.set_pending[0].intid, 15);
	assert_int_equal(f->k.set_pending[0].source, 2);
}

static void test_gicd_model_write_sgir_self(void **state)
{
	struct fixture *f = *state;

	wr(f, 3, GICD_SGIR, sgir(2, 0x1, 0));
	assert_int_equal(f->k.set_pending_count, 1);
	assert_int_equal(f->k.set_pending[0].cpu_mask, 0x8);
	assert_int_equal(f->k.set_pending[0].intid, 0);
	assert_int_equal(f->k.set_pending[0].source, 3);
	assert_int_equal(rd(f, 3, GICD_ISPENDR), bit_of(0));
}

static void test_gicd_model_write_sgir_reserved_filter(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, GICD_SGIR, sgir(3, 0xf, 1));
	assert_true(no_calls(&f->k));
}

static void test_gicd_model_write_sgir_all_but_self_one_cpu(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, GICD_SGIR, sgir(1, 0, 1));
	assert_true(no_calls(&f->k));
}

static void test_gicd_model_read_spendsgir_after_sgir(void **state)
{
	struct fixture *f = *state;

	wr(f, 1, GICD_SGIR, sgir(0, 0x1, 2));
	wr(f, 3, GICD_SGIR, sgir(0, 0x1, 2));
	assert_int_equal(rd(f, 0, GICD_SPENDSGIR), 0x000a0000);
	assert_int_equal(rd(f, 0, GICD_CPENDSGIR), 0x000a0000);
	assert_int_equal(rdw(f, 0, GICD_SPENDSGIR + 2, 1), 0x0a);
	assert_int_equal(rd(f, 1, GICD_SPENDSGIR), 0);
	/* The guest took the SGI: the kernel no longer has it pending. */
	f->k.pending[0][2] = false;
	assert_int_equal(rd(f, 0, GICD_SPENDSGIR), 0);
	/* A new one from CPU 2 does not resurrect the old sources. */
	wr(f, 2, GICD_SGIR, sgir(0, 0x1, 2));
	assert_int_equal(rd(f, 0, GICD_SPENDSGIR), 0x00040000);
}

static void test_gicd_model_write_spendsgir(void **state)
{
	struct fixture *f = *state;

	/* SGI 5 on CPU 2, from CPUs 0 and 1 (CPU 7 does not exist). */
	wrw(f, 2, GICD_SPENDSGIR + 5, 1, 0x83);
	assert_int_equal(f->k.set_pending_count, 2);
	assert_int_equal(f->k.set_pending[0].cpu_mask, 0x4);
	assert_int_equal(f->k.set_pending[0].intid, 5);
	assert_int_equal(f->k.set_pending[0].source, 0);
	assert_int_equal(f->k.set_pending[1].source, 1);
	assert_int_equal(rd(f, 2, GICD_SPENDSGIR + 4), 0x00000300);
	assert_int_equal(rd(f, 2, GICD_ISPENDR), bit_of(5));
	/* Clearing one source leaves the SGI pending from the other. */
	wrw(f, 2, GICD_CPENDSGIR + 5, 1, 0x1);
	assert_int_equal(f->k.clear_pending_count, 0);
	assert_int_equal(rdw(f, 2, GICD_SPENDSGIR + 5, 1), 0x02);
	/* Clearing the last one clears the SGI in the kernel. */
	wr(f, 2, GICD_CPENDSGIR + 4, 0x00000200);
	assert_int_equal(f->k.clear_pending_count, 1);
	assert_int_equal(f->k.clear_pending[0].cpu_mask, 0x4);
	assert_int_equal(f->k.clear_pending[0].intid, 5);
	assert_int_equal(rd(f, 2, GICD_SPENDSGIR + 4), 0);
	assert_int_equal(rd(f, 2, GICD_ISPENDR), 0);
}

/* --- Access rules --------------------------------------------------------- */

static void test_gicd_model_read_width_rules(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0;

	/* Halfword and doubleword: never. */
	assert_int_equal(gicd_model_read(&f->m, 0, GICD_IPRIORITYR, 2, &v), -1);
	assert_int_equal(gicd_model_write(&f->m, 0, GICD_CTLR, 2, 1), -1);
	assert_int_equal(gicd_model_read(&f->m, 0, GICD_CTLR, 8, &v), -1);
	assert_int_equal(gicd_model_read(&f->m, 0, GICD_CTLR, 0, &v), -1);
	assert_int_equal(gicd_model_read(&f->m, 0, GICD_CTLR, 3, &v), -1);
	/* Misaligned word. */
	assert_int_equal(gicd_model_read(&f->m, 0, GICD_IPRIORITYR + 1, 4, &v),
			 -1);
	assert_int_equal(gicd_model_write(&f->m, 0, GICD_ISENABLER + 2, 4, 1),
			 -1);
	/* Byte access to word-only registers. */
	assert_int_equal(gicd_model_read(&f->m, 0, GICD_CTLR, 1, &v), -1);
	assert_int_equal(gicd_model_write(&f->m, 0, GICD_ISENABLER + 5, 1, 1),
			 -1);
	assert_int_equal(gicd_model_write(&f->m, 0, GICD_ICFGR + 8, 1, 2), -1);
	assert_int_equal(gicd_model_write(&f->m, 0, GICD_SGIR, 1, 0), -1);
	assert_int_equal(gicd_model_read(&f->m, 0, GICD_PIDR2, 1, &v), -1);
	/* Byte access where allowed. */
	assert_int_equal(rdw(f, 0, GICD_IPRIORITYR + 7, 1), 0xa0);
	assert_int_equal(rdw(f, 1, GICD_ITARGETSR + 3, 1), 0x02);
	assert_int_equal(rdw(f, 1, GICD_CPENDSGIR + 15, 1), 0);
	/* Beyond the window. */
	assert_int_equal(gicd_model_read(&f->m, 0, GICD_WINDOW_SIZE, 4, &v),
			 -1);
	assert_int_equal(gicd_model_read(&f->m, 0, UINT64_MAX - 3, 4, &v), -1);
	assert_int_equal(rd(f, 0, GICD_WINDOW_SIZE - 4), 0xb1);
	assert_true(no_calls(&f->k));
}

static void test_gicd_model_read_bad_cpu(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0;

	assert_int_equal(gicd_model_read(&f->m, CPUS, GICD_CTLR, 4, &v), -1);
	assert_int_equal(gicd_model_write(&f->m, CPUS, GICD_SGIR, 4, 0), -1);
	assert_true(no_calls(&f->k));
}

static void test_gicd_model_read_reserved_raz_wi(void **state)
{
	struct fixture *f = *state;
	static const uint64_t reserved[] = {0x00c, 0x040, 0x07c, 0xd00,
					    0xefc, 0xf04, 0xf30, 0xfcc};
	size_t i;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		wr(f, 0, reserved[i], 0xffffffff);
		wrw(f, 0, reserved[i] + 1, 1, 0xff);
		assert_int_equal(rd(f, 0, reserved[i]), 0);
		assert_int_equal(rdw(f, 0, reserved[i] + 3, 1), 0);
	}
	assert_true(no_calls(&f->k));
}

static void test_gicd_model_read_beyond_nr_irqs_raz_wi(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, bit_reg(GICD_ISENABLER, NR_IRQS), 0xffffffff);
	wr(f, 0, bit_reg(GICD_ISPENDR, NR_IRQS), 0xffffffff);
	wr(f, 0, GICD_IPRIORITYR + NR_IRQS, 0);
	wr(f, 0, GICD_ITARGETSR + 1020, 0xffffffff);
	wr(f, 0, cfg_reg(NR_IRQS), 0xffffffff);
	assert_int_equal(rd(f, 0, bit_reg(GICD_ISENABLER, NR_IRQS)), 0);
	assert_int_equal(rd(f, 0, bit_reg(GICD_ICACTIVER, 1000)), 0);
	assert_int_equal(rd(f, 0, GICD_IPRIORITYR + NR_IRQS), 0);
	assert_int_equal(rdw(f, 0, GICD_IPRIORITYR + 0x3ff, 1), 0);
	assert_int_equal(rd(f, 0, cfg_reg(NR_IRQS)), 0);
	assert_true(no_calls(&f->k));
	assert_int_equal(f->k.query_count, 0);
}

static void test_gicd_model_write_null_ops(void **state)
{
	struct fixture *f = *state;
	static const struct gicd_ops none = {0};

	gicd_model_init(&f->m, CPUS, &none, NULL);
	wr(f, 0, GICD_CTLR, 1);
	wr(f, 0, bit_reg(GICD_ISENABLER, 32), 0xffffffff);
	wr(f, 0, bit_reg(GICD_ISPENDR, 32), 0xffffffff);
	wr(f, 0, GICD_ITARGETSR + 32, 0x01010101);
	wr(f, 0, bit_reg(GICD_ISACTIVER, 32), 0xffffffff);
	wr(f, 0, GICD_SGIR, sgir(1, 0, 1));
	wrw(f, 0, GICD_SPENDSGIR, 1, 0x2);
	assert_int_equal(rdw(f, 0, GICD_SPENDSGIR, 1), 0x2);
	wrw(f, 0, GICD_CPENDSGIR, 1, 0x2);
	assert_int_equal(rd(f, 0, bit_reg(GICD_ISPENDR, 32)), 0xfffffff0);
	assert_int_equal(rd(f, 0, GICD_ISACTIVER), 0);
	assert_int_equal(rd(f, 0, GICD_CTLR), 1);
}

/** A Linux-like boot: all SPIs enabled, default priority under PMR 0xf0. */
static void test_gicd_model_write_guest_boot_all_spis(void **state)
{
	struct fixture *f = *state;
	uint32_t n;
	size_t i;

	wr(f, 0, GICD_CTLR, 0);
	for (n = 32; n < NR_IRQS; n += 32) {
		wr(f, 0, bit_reg(GICD_ICENABLER, n), 0xffffffff);
	}
	for (n = 32; n < NR_IRQS; n += 4) {
		wr(f, 0, GICD_ITARGETSR + n, 0x01010101);
	}
	assert_int_equal(f->k.changed_count, NR_IRQS - 32);
	f->k.changed_count = 0;
	wr(f, 0, GICD_CTLR, 1);
	for (n = 32; n < NR_IRQS; n += 32) {
		wr(f, 0, bit_reg(GICD_ISENABLER, n), 0xffffffff);
		assert_int_equal(rd(f, 0, bit_reg(GICD_ISENABLER, n)),
				 0xffffffff);
	}
	assert_int_equal(f->k.ctlr_count, 1);
	assert_int_equal(f->k.changed_count, NR_IRQS - 32);
	for (i = 0; i < f->k.changed_count; i++) {
		const struct irq_changed_call *c = &f->k.changed[i];

		assert_int_equal(c->intid, 32 + i);
		assert_true(c->enabled);
		assert_int_equal(c->targets, 0x1);
		assert_true(c->priority < GUEST_PMR);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_init_ctlr_typer_iidr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_init_typer_one_cpu,
					    setup_one_cpu, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_init_clamps_cpu_count, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_init_id_registers,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_init_priorities,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_init_targets_and_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_init_one_cpu_spi_targets, setup_one_cpu,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_ctlr_reports_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_typer_read_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_isenabler_banked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_write_icenabler_spi,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_icenabler_sgi_rao_wi, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_isenabler_zero_bits_no_effect, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_write_igroupr,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_ispendr_private, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_ispendr_sgi_wi, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_ispendr_spi_targets, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_ispendr_spi_untargeted, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_read_ispendr_reflects_query, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_write_isactiver,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_ipriorityr_byte, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_ipriorityr_word, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_ipriorityr_banked, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_itargetsr_private_read_only, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_itargetsr_spi_masked, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_itargetsr_one_cpu, setup_one_cpu,
		teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_write_icfgr, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_sgir_target_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_sgir_all_but_self, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_write_sgir_self,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_sgir_reserved_filter, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_sgir_all_but_self_one_cpu, setup_one_cpu,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_read_spendsgir_after_sgir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_write_spendsgir,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_read_width_rules,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_read_bad_cpu, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_read_reserved_raz_wi, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_read_beyond_nr_irqs_raz_wi, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gicd_model_write_null_ops,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_gicd_model_write_guest_boot_all_spis, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
