/**
 * The vgic service: a GICv2 distributor model (gicd_model.c) for every
 * guest window that names "vgic". The model's state changes are passed to
 * the kernel, which injects interrupts on its own fast path; the model asks
 * the kernel for the live pending/active state the guest has consumed.
 */
#include "abi/vgic.h"
#include "ipc/ipc.h"
#include "vgic/gicd_model.h"

void service_main(void);

/** One distributor per window and the client VM it belongs to. */
struct vgic_window {
	struct gicd_model model;
	uint32_t client;
};

/** The service's state. */
struct vgic_service {
	struct ipc_server srv;
	struct vgic_window win[IPC_MAX_WINDOWS];
};

static struct vgic_service vgic;

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

static int vgic_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct vgic_window *w = &((struct vgic_service *)ctx)->win[a->window];
	uint32_t value = 0;
	int rc;

	if (a->width > sizeof(uint32_t)) {
		return IPC_ERR_ABORT;
	}
	if (a->write) {
		rc = gicd_model_write(&w->model, a->vcpu, a->offset, a->width,
				      (uint32_t)a->value);
	} else {
		rc = gicd_model_read(&w->model, a->vcpu, a->offset, a->width,
				     &value);
		a->value = value;
	}
	return rc == 0 ? IPC_OK : IPC_ERR_ABORT;
}

/* The client's vCPU count (WINDOW_INFO x3). */
static uint32_t client_cpus(uint32_t window)
{
	struct kresult r = kcall(HYP_IPC_WINDOW_INFO, window, 0, 0, 0, 0);

	return r.x0 == IPC_OK && r.x3 != 0 ? (uint32_t)r.x3 : 1;
}

void service_main(void)
{
	struct vgic_service *s = &vgic;

	if (ipc_server_init(&s->srv) != IPC_OK) {
		ipc_log("vgic: cannot read the window table\n");
		return;
	}
	for (uint32_t i = 0; i < s->srv.window_count; i++) {
		uint64_t size;

		ipc_window_info(&s->srv, i, &size, &s->win[i].client);
		gicd_model_init(&s->win[i].model, client_cpus(i), &vgic_ops,
				&s->win[i]);
	}
	if (ipc_register_mmio(&s->srv, IPC_WINDOW_ALL, vgic_mmio, s) != IPC_OK) {
		ipc_log("vgic: no window to serve\n");
		return;
	}
	ipc_log("vgic: serving %u distributor(s)\n", s->srv.window_count);
	ipc_serve(&s->srv);
}
