/** The vgic service's distributor state under the undo journal. */
#include "vgic/vgic_kept.h"

enum ipc_journal_found vgic_kept_open(struct vgic_kept *k, void *mem,
				      size_t mem_size,
				      struct vgic_state *fallback)
{
	uint64_t layout = VGIC_STATE_VERSION << VGIC_STATE_VERSION_SHIFT |
			  sizeof(struct vgic_state);
	enum ipc_journal_found found = IPC_JOURNAL_TOO_SMALL;

	if (mem != NULL) {
		found = ipc_journal_open(&k->journal, mem, mem_size,
					 sizeof(struct vgic_state), layout);
	}
	k->journaled = found != IPC_JOURNAL_TOO_SMALL;
	k->st = k->journaled ? (struct vgic_state *)k->journal.state : fallback;
	return found;
}

bool vgic_kept_attach(struct vgic_kept *k, uint32_t w, uint32_t cpu_count,
		      const struct gicd_ops *ops, void *ops_ctx, bool fresh)
{
	struct gicd_model *m = &k->st->model[w];

	if (fresh || m->cpu_count != cpu_count) {
		gicd_model_init(m, cpu_count, ops, ops_ctx);
		return false;
	}
	/* Pointers of the previous run: this image's are the same, but the
	 * kept RAM is not to be trusted with code addresses. */
	m->ops = ops;
	m->ops_ctx = ops_ctx;
	return true;
}

static void crash_point(const struct vgic_kept *k, enum vgic_crash_point p)
{
	if (k->crash_hook != NULL) {
		k->crash_hook(k->crash_ctx, p);
	}
}

void vgic_kept_reset(struct vgic_kept *k, uint32_t w)
{
	struct gicd_model *m = &k->st->model[w];

	if (k->journaled) {
		(void)ipc_journal_begin(&k->journal, m, sizeof(*m));
	}
	gicd_model_init(m, m->cpu_count, m->ops, m->ops_ctx);
	if (k->journaled) {
		ipc_journal_commit(&k->journal);
	}
}

int vgic_kept_write(struct vgic_kept *k, uint32_t w, uint32_t cpu,
		    uint64_t offset, unsigned width, uint32_t value)
{
	struct gicd_model *m = &k->st->model[w];
	int rc;

	/* Sources of SGIs acknowledged since are dropped outside the
	 * transaction: a facts of the kernel, not of this write, which, sent
	 * again after a crash, must not find its own first try's SGIs
	 * pending and keep sources the first try would have dropped. */
	gicd_model_sync_sgi_sources(m);
	/* The record fits (static assertion): begin cannot fail. */
	if (k->journaled) {
		(void)ipc_journal_begin(&k->journal, m, sizeof(*m));
	}
	crash_point(k, VGIC_CRASH_BEFORE_MODEL);
	rc = gicd_model_write(m, cpu, offset, width, value);
	crash_point(k, VGIC_CRASH_AFTER_MODEL);
	if (k->journaled) {
		ipc_journal_commit(&k->journal);
	}
	return rc;
}
