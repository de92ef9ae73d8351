/**
 * The vgic service: a GICv2 distributor model (gicd_model.c) for every
 * guest window that names "vgic". The model's state changes are passed to
 * the kernel, which injects interrupts on its own fast path; the model asks
 * the kernel for the live pending/active state the guest has consumed.
 *
 * The models survive a restart of the service: with a RAM region kept
 * across restarts (configs/common/vgic_service.h) they live there, and
 * every write is a journal transaction (vgic_kept.h).
 *
 * Built with VGIC_FAULT_INJECT (image "vgic-faultinject"), it crashes on
 * purpose on every VGIC_CRASH_EVERY-th write, before or after changing the
 * model (tests/system/test_vgic_crash.py).
 */
#include "abi/gicv2.h"
#include "abi/vgic.h"
#include "ipc/ipc.h"
#include "vgic/gicd_model.h"
#include "vgic/vgic_kept.h"

void service_main(void);

/** Where a window's model reports to: its client VM. */
struct vgic_window {
	uint32_t client;
};

/** The service's state (the models: in vgic_kept). */
struct vgic_service {
	struct ipc_server srv;
	struct vgic_kept kept;
	struct vgic_window win[IPC_MAX_WINDOWS];
	uint32_t writes;             /**< Fault injection: writes so far. */
	uint32_t crash_at;           /**< ... and its crash point. */
};

static struct vgic_service vgic;
/** The models when the scenario keeps no RAM for the service. */
static struct vgic_state vgic_volatile_state;

/* --- Reads the kernel answers (ipc_window_reads) -------------------------- */

/** A page of the service's RAM (ipc_window_reads). */
#define VGIC_PAGE_BYTES 4096U
#define VGIC_PAGE_WORDS (VGIC_PAGE_BYTES / sizeof(uint32_t))
/** Bit of the register at byte offset @p off in ipc_window_reads' mask. */
#define VGIC_READS_BIT(off) (1ULL << ((off) / sizeof(uint32_t)))
/**
 * GICD_CTLR, TYPER and IIDR: reads without side effects (IHI 0048B 4.3),
 * not banked per CPU. TYPER and IIDR never change; CTLR changes only by a
 * guest's write and a client reset, both through this service.
 */
#define VGIC_READS_MASK                                                        \
	(VGIC_READS_BIT(GICD_CTLR) | VGIC_READS_BIT(GICD_TYPER) |              \
	 VGIC_READS_BIT(GICD_IIDR))
/** The model refuses any access to them but a word (4.1.4, access_ok()):
 * the kernel answers words only, narrower reads still come here. */
#define VGIC_READS_NARROWEST sizeof(uint32_t)

/**
 * Per window, the page the kernel answers the registers of VGIC_READS_MASK
 * from: a guest reads GICD_TYPER and CTLR without a round trip. Written
 * from the model after every committed change of them, before the reply
 * (publish()); not kept: rewritten at every start, before it is named.
 */
static volatile uint32_t gicd_pages[IPC_MAX_WINDOWS][VGIC_PAGE_WORDS]
	__attribute__((aligned(VGIC_PAGE_BYTES)));

/* Window @p w's published registers, read from its model as a message
 * would be (vCPU 0: none of them is banked). */
static void publish(struct vgic_service *s, uint32_t w)
{
	static const uint32_t regs[] = { GICD_CTLR, GICD_TYPER, GICD_IIDR };

	for (uint32_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint32_t value = 0;

		(void)gicd_model_read(&s->kept.st->model[w], 0, regs[i],
				      sizeof(uint32_t), &value);
		gicd_pages[w][regs[i] / sizeof(uint32_t)] = value;
	}
}

/* --- Fault injection (test images only) ---------------------------------- */

#ifdef VGIC_FAULT_INJECT
/* Nothing is mapped here in the service's IPA space: a store faults. */
#define VGIC_UNMAPPED_IPA 0x70000000UL
/* A crash on every this many writes: about ten while Linux boots. */
#define VGIC_CRASH_EVERY 16U

static void crash_hook(void *ctx, enum vgic_crash_point point)
{
	struct vgic_service *s = ctx;

	if (point == VGIC_CRASH_BEFORE_MODEL) {
		s->writes++;
	}
	if (s->writes == VGIC_CRASH_EVERY && point == s->crash_at) {
		/* What the write changed is in memory: the journal must undo
		 * it. */
		__asm__ volatile("" ::: "memory");
		*(volatile uint64_t *)VGIC_UNMAPPED_IPA = point;
	}
}

static void fault_inject_init(struct vgic_service *s, uint32_t restarts)
{
	s->kept.crash_hook = crash_hook;
	s->kept.crash_ctx = s;
	s->crash_at = restarts % VGIC_CRASH_POINTS;
}
#else
static void fault_inject_init(struct vgic_service *s, uint32_t restarts)
{
	(void)s;
	(void)restarts;
}
#endif

/** x0..x3 after a kernel call. */
struct kresult {
	uint64_t x0, x1, x2, x3;
};

/* A kernel call with up to five arguments (libipc's generic call). */
static struct kresult kcall(uint64_t fid, uint64_t a1, uint64_t a2,
			    uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t in[IPC_MSG_WORDS] = { fid, a1, a2, a3, a4, a5 };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	return (struct kresult){ out[0], out[1], out[2], out[3] };
}

static void op_irq_changed(void *ctx, uint32_t cpu, uint32_t intid,
			   bool enabled, uint8_t priority, uint8_t targets,
			   bool group1, bool edge)
{
	const struct vgic_window *w = ctx;
	uint64_t word = (enabled ? VGIC_CFG_ENABLED : 0) |
			(group1 ? VGIC_CFG_GROUP1 : 0) | (edge ? VGIC_CFG_EDGE : 0) |
			((uint64_t)priority << VGIC_CFG_PRIORITY_SHIFT) |
			((uint64_t)targets << VGIC_CFG_TARGETS_SHIFT);

	kcall(HYP_VGIC_CONFIG, w->client, cpu, intid, word, 0);
}

static void op_set_pending(void *ctx, uint32_t cpu_mask, uint32_t intid,
			   uint32_t source_cpu)
{
	const struct vgic_window *w = ctx;

	kcall(HYP_VGIC_PENDING, w->client, cpu_mask, intid, 1, source_cpu);
}

static void op_clear_pending(void *ctx, uint32_t cpu_mask, uint32_t intid)
{
	const struct vgic_window *w = ctx;

	kcall(HYP_VGIC_PENDING, w->client, cpu_mask, intid, 0, 0);
}

static void op_set_active(void *ctx, uint32_t cpu, uint32_t intid, bool active)
{
	const struct vgic_window *w = ctx;

	kcall(HYP_VGIC_ACTIVE, w->client, cpu, intid, active, 0);
}

static void op_query(void *ctx, uint32_t cpu, uint32_t intid, bool *pending,
		     bool *active)
{
	const struct vgic_window *w = ctx;
	struct kresult r = kcall(HYP_VGIC_QUERY, w->client, cpu, intid, 0, 0);

	*pending = r.x0 == IPC_OK && r.x1 != 0;
	*active = r.x0 == IPC_OK && r.x2 != 0;
}

static void op_ctlr_changed(void *ctx, uint32_t ctlr)
{
	const struct vgic_window *w = ctx;

	kcall(HYP_VGIC_CTLR, w->client, ctlr, 0, 0, 0);
}

static const struct gicd_ops vgic_ops = {
	.irq_changed = op_irq_changed,
	.set_pending = op_set_pending,
	.clear_pending = op_clear_pending,
	.set_active = op_set_active,
	.query = op_query,
	.ctlr_changed = op_ctlr_changed,
};

/* A write journals the model (vgic_kept.c): out of line, so that a read
 * (the common case: GICD_TYPER, IIDR, the enables) saves no registers for
 * it. */
static __attribute__((noinline)) int vgic_mmio_write(struct vgic_service *s,
						     const struct ipc_mmio_access *a)
{
	int rc = vgic_kept_write(&s->kept, a->window, a->vcpu, a->offset,
				 a->width, (uint32_t)a->value);

	/* Committed: the kernel may answer the new value from now on. */
	if (a->offset == GICD_CTLR) {
		publish(s, a->window);
	}
	return rc == 0 ? IPC_OK : IPC_ERR_ABORT;
}

static int vgic_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct vgic_service *s = ctx;
	uint32_t value = 0;

	if (a->width > sizeof(uint32_t)) {
		return IPC_ERR_ABORT;
	}
	if (a->write) {
		return vgic_mmio_write(s, a);
	}
	int rc = gicd_model_read(&s->kept.st->model[a->window], a->vcpu,
				 a->offset, a->width, &value);

	a->value = value;
	return rc == 0 ? IPC_OK : IPC_ERR_ABORT;
}

/*
 * Client VM @p client reset (IPC_MSG_RESET, before it runs again): the
 * kernel reset its view of the client's distributor (vgic_dist_init), so
 * the model goes back to reset values too, or the two would disagree.
 */
static void vgic_client_reset(void *ctx, uint32_t client)
{
	struct vgic_service *s = ctx;

	for (uint32_t w = 0; w < s->srv.window_count; w++) {
		if (s->win[w].client == client) {
			vgic_kept_reset(&s->kept, w);
			publish(s, w);
		}
	}
}

/* The client's vCPU count (WINDOW_INFO x3). */
static uint32_t client_cpus(uint32_t window)
{
	struct kresult r = kcall(HYP_IPC_WINDOW_INFO, window, 0, 0, 0, 0);

	return r.x0 == IPC_OK && r.x3 != 0 ? (uint32_t)r.x3 : 1;
}

/*
 * Find the models: kept RAM or fresh memory. Returns true if they are the
 * distributors as they were before a restart.
 */
static bool open_state(struct vgic_service *s, const struct ipc_self *self)
{
	enum ipc_journal_found found = vgic_kept_open(
		&s->kept, self->kept, self->kept_size, &vgic_volatile_state);
	bool kept = found == IPC_JOURNAL_KEPT || found == IPC_JOURNAL_ROLLED_BACK;

	if (self->restarts == 0) {
		return false;
	}
	if (kept) {
		ipc_log("vgic: restart %u: distributor state kept%s\n",
			self->restarts,
			found == IPC_JOURNAL_ROLLED_BACK
				? " (the unfinished write was rolled back)" : "");
	} else {
		ipc_log("vgic: restart %u: no kept state, distributors reset\n",
			self->restarts);
	}
	return kept;
}

void service_main(void)
{
	struct vgic_service *s = &vgic;
	struct ipc_self self = { 0 };

	if (ipc_server_init(&s->srv) != IPC_OK || ipc_self_info(&self) != IPC_OK) {
		ipc_log("vgic: cannot read the window table\n");
		return;
	}
	bool fresh = !open_state(s, &self);

	fault_inject_init(s, self.restarts);
	for (uint32_t i = 0; i < s->srv.window_count; i++) {
		uint64_t size;

		ipc_window_info(&s->srv, i, &size, &s->win[i].client);
		(void)vgic_kept_attach(&s->kept, i, client_cpus(i), &vgic_ops,
				       &s->win[i], fresh);
		publish(s, i);
		(void)ipc_window_reads(i, gicd_pages[i], VGIC_READS_MASK,
				       VGIC_READS_NARROWEST);
	}
	if (ipc_register_mmio(&s->srv, IPC_WINDOW_ALL, vgic_mmio, s) != IPC_OK) {
		ipc_log("vgic: no window to serve\n");
		return;
	}
	ipc_on_client_reset(&s->srv, vgic_client_reset, s);
	if (self.restarts == 0) {
		ipc_log("vgic: serving %u distributor(s)%s\n",
			s->srv.window_count,
			s->kept.journaled ? ", state kept across restarts" : "");
	}
	ipc_serve(&s->srv);
}
