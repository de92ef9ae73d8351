#pragma once
/**
 * The vgic service's distributor state, kept across a restart of the
 * service (issue 12, item 8). The kernel keeps each client's distributor
 * configuration when the service restarts (hyp/vgic.h): a model that came
 * back at reset values would disagree with it, and with the guest, which
 * reads back what it wrote. So the models live in the partition's kept RAM
 * (a region marked .keep, configs/common/vgic_service.h) under libipc's
 * undo journal (ipc/journal.h): every guest write is one transaction that
 * saves the model before changing it. A service that dies inside a write
 * finds, restarted, the model as it was before that write, which the
 * kernel sends again (service_restart()) and which then takes effect
 * once.
 *
 * The kernel calls a write makes (gicd_ops) are repeated by the resent
 * write; the configuration they report is the whole new state of an
 * interrupt, so the kernel ends where a write without a crash leaves it.
 * Reads change nothing but the SGI source record, which they only bring
 * closer to the kernel's truth: they are not journaled. For the same
 * reason a write first drops the sources of SGIs the guest acknowledged
 * (gicd_model_sync_sgi_sources), outside its transaction: sent again after
 * a crash, it would otherwise find its own first try's SGIs pending and
 * keep sources the first try dropped.
 *
 * Pure logic with the journal, host-tested in tests/host/test_vgic_kept.c
 * with a crash at every point of a write.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/ipc.h"
#include "ipc/journal.h"
#include "vgic/gicd_model.h"

/** Bump when struct vgic_state changes: kept state of another layout is
 * not trusted. */
#define VGIC_STATE_VERSION 1ULL
#define VGIC_STATE_VERSION_SHIFT 32

/** All distributor state: one model per window. */
struct vgic_state {
	struct gicd_model model[IPC_MAX_WINDOWS];
};

_Static_assert(sizeof(struct ipc_journal_rec) + sizeof(struct gicd_model) <=
		       IPC_JOURNAL_UNDO_MAX,
	       "one write's undo record (a whole model) fits in the journal");

/** Where a write may be cut short (fault injection and the host test). */
enum vgic_crash_point {
	VGIC_CRASH_BEFORE_MODEL = 0, /**< The model was saved, not changed. */
	VGIC_CRASH_AFTER_MODEL = 1,  /**< Changed and reported, not committed. */
	VGIC_CRASH_POINTS = 2,
};

/** The state and its journal. */
struct vgic_kept {
	struct vgic_state *st;
	struct ipc_journal journal;
	bool journaled;              /**< st is in kept RAM. */
	/** Called at each enum vgic_crash_point of a write; NULL: none. */
	void (*crash_hook)(void *ctx, enum vgic_crash_point point);
	void *crash_ctx;
};

/**
 * Find the state in @p mem (@p mem_size bytes of kept RAM; NULL or too
 * small: @p fallback, not kept). Returns what ipc_journal_open() found
 * (IPC_JOURNAL_TOO_SMALL when the state is not kept).
 */
enum ipc_journal_found vgic_kept_open(struct vgic_kept *k, void *mem,
				      size_t mem_size,
				      struct vgic_state *fallback);

/**
 * Make window @p w's model ready: a kept one (@p fresh false) whose vCPU
 * count is @p cpu_count is used as it is, with @p ops and @p ops_ctx of
 * this run; any other is reset (gicd_model_init). Returns true if the
 * kept model was used.
 */
bool vgic_kept_attach(struct vgic_kept *k, uint32_t w, uint32_t cpu_count,
		      const struct gicd_ops *ops, void *ops_ctx, bool fresh);

/**
 * Window @p w's client reset: its model back to reset values (the kernel
 * reset its own view of that distributor), as one transaction.
 */
void vgic_kept_reset(struct vgic_kept *k, uint32_t w);

/** A guest write to window @p w, as one transaction (gicd_model_write). */
int vgic_kept_write(struct vgic_kept *k, uint32_t w, uint32_t cpu,
		    uint64_t offset, unsigned width, uint32_t value);
