/**
 * cmocka tests of the vgic service's kept distributor state
 * (services/vgic/vgic_kept.c with the real gicd_model.c and libipc
 * journal): a service that crashes at any point of a GICD write (after
 * saving the model, before any of the kernel calls the write makes, after
 * changing the model) and is restarted, finds its model rolled back, gets
 * the write again, and ends exactly where a twin that never crashed ends:
 * the same model, and a fake kernel told the same configuration, pending
 * and active state. Thousands of random writes, reads and guest
 * acknowledgements, a crash point chosen for each write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vgic/vgic_kept.h"

#define CPUS 4U
#define NR_IRQS GICD_MODEL_NR_IRQS
#define STEPS 20000U
#define GIC_PRIVATE 32U
/* Crash points before the kernel calls: one per call a write may make
 * (an ICENABLER word of SPIs: 32), and the two points of vgic_kept_write. */
#define OPS_MAX 64U
#define NO_CRASH (-1)
#define WINDOW 0U
/* Byte-accessible registers (IHI 0048B 4.1.4). */
#define GICD_BYTE_REGS_END GICD_ICFGR
/* How steps are chosen, out of 16. */
#define STEP_KINDS 16U
#define STEP_READ 11U
#define STEP_ACK 14U
#define LCG_MUL 6364136223846793005ULL
#define LCG_ADD 1442695040888963407ULL
#define RNG_SHIFT 33

/** What the kernel was told (hyp/vgic.h keeps the same). */
struct fake_kernel {
	uint64_t config[GICD_MODEL_MAX_CPUS][NR_IRQS];
	uint32_t ctlr;
	bool pending[GICD_MODEL_MAX_CPUS][NR_IRQS];
	bool active[GICD_MODEL_MAX_CPUS][NR_IRQS];
	/* Crash injection (the service under test only). */
	int crash_before_op;   /**< Crash before this kernel call, or NO_CRASH. */
	int ops_seen;
	int crash_point;       /**< enum vgic_crash_point, or NO_CRASH. */
	jmp_buf *crash;
};

static struct fake_kernel twin_k, svc_k;
static struct vgic_state twin_st, volatile_st;
/** The service's kept RAM: header plus state, with room to spare. */
static uint64_t kept_mem[(sizeof(struct ipc_journal_hdr) +
			  sizeof(struct vgic_state)) / sizeof(uint64_t) + 16];
static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state = rng_state * LCG_MUL + LCG_ADD;
	return (uint32_t)(rng_state >> RNG_SHIFT);
}

static void maybe_crash_op(struct fake_kernel *k)
{
	int seen = k->ops_seen++;

	if (k->crash != NULL && seen == k->crash_before_op) {
		longjmp(*k->crash, 1);
	}
}

static void op_irq_changed(void *ctx, uint32_t cpu, uint32_t intid,
			   bool enabled, uint8_t priority, uint8_t targets,
			   bool group1, bool edge)
{
	struct fake_kernel *k = ctx;

	maybe_crash_op(k);
	k->config[cpu][intid] = (uint64_t)enabled | (uint64_t)group1 << 1 |
				(uint64_t)edge << 2 | (uint64_t)priority << 8 |
				(uint64_t)targets << 16;
}

static void op_set_pending(void *ctx, uint32_t cpu_mask, uint32_t intid,
			   uint32_t source)
{
	struct fake_kernel *k = ctx;

	(void)source;
	maybe_crash_op(k);
	for (uint32_t c = 0; c < CPUS; c++) {
		if (cpu_mask & (1U << c)) {
			k->pending[c][intid] = true;
		}
	}
}

static void op_clear_pending(void *ctx, uint32_t cpu_mask, uint32_t intid)
{
	struct fake_kernel *k = ctx;

	maybe_crash_op(k);
	for (uint32_t c = 0; c < CPUS; c++) {
		if (cpu_mask & (1U << c)) {
			k->pending[c][intid] = false;
		}
	}
}

static void op_set_active(void *ctx, uint32_t cpu, uint32_t intid, bool active)
{
	struct fake_kernel *k = ctx;

	maybe_crash_op(k);
	k->active[cpu][intid] = active;
}

static void op_query(void *ctx, uint32_t cpu, uint32_t intid, bool *pending,
		     bool *active)
{
	struct fake_kernel *k = ctx;

	*pending = k->pending[cpu][intid];
	*active = k->active[cpu][intid];
}

static void op_ctlr_changed(void *ctx, uint32_t ctlr)
{
	struct fake_kernel *k = ctx;

	maybe_crash_op(k);
	k->ctlr = ctlr;
}

static const struct gicd_ops ops = {
	.irq_changed = op_irq_changed,
	.set_pending = op_set_pending,
	.clear_pending = op_clear_pending,
	.set_active = op_set_active,
	.query = op_query,
	.ctlr_changed = op_ctlr_changed,
};

static void crash_hook(void *ctx, enum vgic_crash_point point)
{
	struct fake_kernel *k = ctx;

	if (k->crash != NULL && k->crash_point == (int)point) {
		longjmp(*k->crash, 1);
	}
}

/* The service (re)starts: its volatile state is new, its kept RAM kept. */
static void start(struct vgic_kept *k, enum ipc_journal_found want)
{
	*k = (struct vgic_kept){ .crash_hook = crash_hook, .crash_ctx = &svc_k };
	assert_int_equal(vgic_kept_open(k, kept_mem, sizeof(kept_mem), &volatile_st),
			 want);
	assert_true(k->journaled);
	assert_int_equal(vgic_kept_attach(k, WINDOW, CPUS, &ops, &svc_k,
					  want == IPC_JOURNAL_FRESH),
			 want != IPC_JOURNAL_FRESH);
}

static void assert_same_model(const struct gicd_model *a,
			      const struct gicd_model *b)
{
	/* Everything but the ops pointers, which are the last fields. */
	assert_memory_equal(a, b, offsetof(struct gicd_model, ops));
}

static void assert_same_kernel(void)
{
	assert_memory_equal(twin_k.config, svc_k.config, sizeof(twin_k.config));
	assert_int_equal(twin_k.ctlr, svc_k.ctlr);
	assert_memory_equal(twin_k.pending, svc_k.pending, sizeof(twin_k.pending));
	assert_memory_equal(twin_k.active, svc_k.active, sizeof(twin_k.active));
}

/* A random access: a register the model implements, mostly. */
static void random_access(uint64_t *offset, unsigned *width, uint32_t *value)
{
	static const uint32_t bases[] = {
		GICD_CTLR, GICD_IGROUPR, GICD_ISENABLER, GICD_ICENABLER,
		GICD_ISPENDR, GICD_ICPENDR, GICD_ISACTIVER, GICD_ICACTIVER,
		GICD_IPRIORITYR, GICD_ITARGETSR, GICD_ICFGR, GICD_SGIR,
		GICD_CPENDSGIR, GICD_SPENDSGIR,
	};
	uint32_t base = bases[rnd() % (sizeof(bases) / sizeof(bases[0]))];
	uint32_t span = base == GICD_IPRIORITYR || base == GICD_ITARGETSR
				? NR_IRQS
				: base == GICD_ICFGR ? NR_IRQS / 4U
				: base >= GICD_SGIR || base == GICD_CTLR ? 4U
				: NR_IRQS / 8U;
	uint32_t off = base + rnd() % span;

	*width = off < GICD_BYTE_REGS_END && base >= GICD_IPRIORITYR &&
				 (rnd() & 1U)
			 ? 1U
			 : 4U;
	if (base >= GICD_CPENDSGIR && (rnd() & 1U)) {
		*width = 1U;
	}
	*offset = *width == 4U ? off & ~3U : off;
	/* Mostly few bits: enables and pendings stay interesting. */
	*value = rnd() & rnd() & rnd();
	if (rnd() % 4U == 0U) {
		*value = rnd();
	}
}

/* The guest acknowledges or completes an interrupt (both kernels). */
static void guest_ack(void)
{
	uint32_t cpu = rnd() % CPUS;
	uint32_t intid = rnd() % NR_IRQS;
	bool done = rnd() & 1U;

	twin_k.pending[cpu][intid] = svc_k.pending[cpu][intid] = false;
	twin_k.active[cpu][intid] = svc_k.active[cpu][intid] = !done;
}

static int setup(void **unused)
{
	(void)unused;
	memset(kept_mem, 0xa5, sizeof(kept_mem));
	memset(&twin_k, 0, sizeof(twin_k));
	memset(&svc_k, 0, sizeof(svc_k));
	rng_state = 1;
	return 0;
}

static void test_crash_at_every_point_of_a_write_replays_exactly(void **unused)
{
	static struct vgic_kept svc, twin_svc;
	struct gicd_model *twin = &twin_st.model[WINDOW];
	unsigned crashes[OPS_MAX + VGIC_CRASH_POINTS] = { 0 };
	jmp_buf crash;

	(void)unused;
	assert_int_equal(vgic_kept_open(&twin_svc, NULL, 0, &twin_st),
			 IPC_JOURNAL_TOO_SMALL);
	assert_false(vgic_kept_attach(&twin_svc, WINDOW, CPUS, &ops, &twin_k, true));
	start(&svc, IPC_JOURNAL_FRESH);
	for (unsigned step = 0; step < STEPS; step++) {
		uint32_t kind = rnd() % STEP_KINDS;
		uint32_t cpu = rnd() % CPUS;
		uint64_t offset;
		unsigned width;
		uint32_t value, got, want;

		random_access(&offset, &width, &value);
		if (kind >= STEP_ACK) {
			guest_ack();
			continue;
		}
		if (kind >= STEP_READ) {
			assert_int_equal(gicd_model_read(twin, cpu, offset, width, &want),
					 gicd_model_read(svc.st->model + WINDOW, cpu,
							 offset, width, &got));
			assert_int_equal(got, want);
			continue;
		}
		/* The twin: the write as if nothing happened (the same call,
		 * with no kept RAM). */
		twin_k.ops_seen = 0;
		int rc = vgic_kept_write(&twin_svc, WINDOW, cpu, offset, width,
					 value);
		int ops_made = twin_k.ops_seen;
		/* A point: before one of its kernel calls (made by the twin, or
		 * made only because of the partial first try), or one of
		 * vgic_kept_write's own. */
		uint32_t point = rnd() % ((uint32_t)ops_made + 1U + VGIC_CRASH_POINTS);

		svc_k.ops_seen = 0;
		svc_k.crash = &crash;
		svc_k.crash_before_op = point < VGIC_CRASH_POINTS
						? NO_CRASH
						: (int)(point - VGIC_CRASH_POINTS);
		svc_k.crash_point = point < VGIC_CRASH_POINTS ? (int)point : NO_CRASH;
		if (setjmp(crash) == 0) {
			assert_int_equal(vgic_kept_write(&svc, WINDOW, cpu, offset,
							 width, value),
					 rc);
			/* Past its last call: it did not crash. */
			svc_k.crash = NULL;
		} else {
			/* Crashed: restarted, the write is sent again. */
			svc_k.crash = NULL;
			crashes[point]++;
			start(&svc, IPC_JOURNAL_ROLLED_BACK);
			assert_int_equal(vgic_kept_write(&svc, WINDOW, cpu, offset,
							 width, value),
					 rc);
		}
		assert_same_model(twin, &svc.st->model[WINDOW]);
		assert_same_kernel();
	}
	/* Both points of vgic_kept_write and the first kernel calls were hit. */
	for (unsigned p = 0; p < VGIC_CRASH_POINTS + 4U; p++) {
		assert_true(crashes[p] > 0);
	}
}

static void test_committed_state_is_kept_across_a_restart(void **unused)
{
	static struct vgic_kept svc;
	struct gicd_model before;

	(void)unused;
	start(&svc, IPC_JOURNAL_FRESH);
	assert_int_equal(vgic_kept_write(&svc, WINDOW, 0, GICD_CTLR, 4, 1), 0);
	assert_int_equal(vgic_kept_write(&svc, WINDOW, 0, GICD_ISENABLER + 4, 4,
					 0x3), 0);
	before = svc.st->model[WINDOW];
	start(&svc, IPC_JOURNAL_KEPT);
	assert_same_model(&before, &svc.st->model[WINDOW]);
	/* Its ops are this run's. */
	assert_ptr_equal(svc.st->model[WINDOW].ops, &ops);
}

static void test_other_cpu_count_or_no_kept_ram_resets(void **unused)
{
	static struct vgic_kept svc;
	struct gicd_model reset;

	(void)unused;
	start(&svc, IPC_JOURNAL_FRESH);
	assert_int_equal(vgic_kept_write(&svc, WINDOW, 0, GICD_CTLR, 4, 1), 0);
	/* A kept model for another number of vCPUs is not trusted. */
	assert_false(vgic_kept_attach(&svc, WINDOW, CPUS - 1, &ops, &svc_k, false));
	assert_int_equal(svc.st->model[WINDOW].ctlr, 0);
	assert_int_equal(svc.st->model[WINDOW].cpu_count, CPUS - 1);
	/* No kept RAM: the volatile state, not journaled. */
	assert_int_equal(vgic_kept_open(&svc, NULL, 0, &volatile_st),
			 IPC_JOURNAL_TOO_SMALL);
	assert_false(svc.journaled);
	assert_ptr_equal(svc.st, &volatile_st);
	gicd_model_init(&reset, CPUS, &ops, &svc_k);
	assert_false(vgic_kept_attach(&svc, WINDOW, CPUS, &ops, &svc_k, true));
	assert_same_model(&reset, &svc.st->model[WINDOW]);
	assert_int_equal(vgic_kept_write(&svc, WINDOW, 0, GICD_CTLR, 4, 1), 0);
	assert_int_equal(svc.st->model[WINDOW].ctlr, 1);
}

/* A client reset puts its model back to reset values, kept and committed:
 * a restart after it finds the reset model. */
static void test_client_reset_resets_the_model(void **unused)
{
	static struct vgic_kept svc;
	struct gicd_model reset;

	(void)unused;
	start(&svc, IPC_JOURNAL_FRESH);
	assert_int_equal(vgic_kept_write(&svc, WINDOW, 0, GICD_CTLR, 4, 1), 0);
	assert_int_equal(vgic_kept_write(&svc, WINDOW, 0, GICD_ISENABLER + 4, 4,
					 0x3), 0);
	vgic_kept_reset(&svc, WINDOW);
	gicd_model_init(&reset, CPUS, &ops, &svc_k);
	assert_same_model(&reset, &svc.st->model[WINDOW]);
	assert_ptr_equal(svc.st->model[WINDOW].ops, &ops);
	start(&svc, IPC_JOURNAL_KEPT);
	assert_same_model(&reset, &svc.st->model[WINDOW]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_crash_at_every_point_of_a_write_replays_exactly,
				       setup),
		cmocka_unit_test_setup(test_committed_state_is_kept_across_a_restart,
				       setup),
		cmocka_unit_test_setup(test_other_cpu_count_or_no_kept_ram_resets,
				       setup),
		cmocka_unit_test_setup(test_client_reset_resets_the_model, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
