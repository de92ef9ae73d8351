/** Undo journal over kept memory (see ipc/journal.h). */
#include "ipc/journal.h"

#include <string.h>

#define REC_MAX (IPC_JOURNAL_UNDO_MAX / sizeof(struct ipc_journal_rec))

/*
 * Find the records of an uncommitted transaction; false if the undo area
 * is not well formed (then nothing in the state can be trusted).
 */
static bool parse_undo(const struct ipc_journal *j, size_t at[REC_MAX],
		       size_t *count)
{
	const struct ipc_journal_hdr *h = j->hdr;
	size_t pos = 0, n = 0;

	if (h->undo_used > IPC_JOURNAL_UNDO_MAX) {
		return false;
	}
	while (pos < h->undo_used) {
		struct ipc_journal_rec r;

		if (h->undo_used - pos < sizeof(r) || n == REC_MAX) {
			return false;
		}
		memcpy(&r, &h->undo[pos], sizeof(r));
		if (r.off > j->size || r.len > j->size - r.off ||
		    ipc_journal_rec_size(r.len) > h->undo_used - pos) {
			return false;
		}
		at[n++] = pos;
		pos += ipc_journal_rec_size(r.len);
	}
	*count = n;
	return true;
}

/* Put back what an uncommitted transaction changed, newest record first,
 * so that an object saved twice ends with its oldest bytes. */
static bool roll_back(struct ipc_journal *j)
{
	size_t at[REC_MAX], n = 0;

	if (!parse_undo(j, at, &n)) {
		return false;
	}
	while (n-- > 0) {
		struct ipc_journal_rec r;

		memcpy(&r, &j->hdr->undo[at[n]], sizeof(r));
		memcpy(j->state + r.off, &j->hdr->undo[at[n] + sizeof(r)], r.len);
	}
	ipc_journal_barrier();
	j->hdr->undo_used = 0;
	j->hdr->rollbacks++;
	return true;
}

static void start_fresh(struct ipc_journal *j, uint64_t layout)
{
	struct ipc_journal_hdr *h = j->hdr;

	/* Unmark first: a crash in here leaves memory that is not trusted. */
	h->magic = 0;
	ipc_journal_barrier();
	memset(j->state, 0, j->size);
	h->layout = layout;
	h->size = j->size;
	h->undo_used = 0;
	h->rollbacks = 0;
	ipc_journal_barrier();
	h->magic = IPC_JOURNAL_MAGIC;
}

enum ipc_journal_found ipc_journal_open(struct ipc_journal *j, void *mem,
					size_t mem_size, size_t size,
					uint64_t layout)
{
	if (mem == NULL || mem_size < sizeof(struct ipc_journal_hdr) ||
	    size > mem_size - sizeof(struct ipc_journal_hdr)) {
		*j = (struct ipc_journal){ 0 };
		return IPC_JOURNAL_TOO_SMALL;
	}
	j->hdr = mem;
	j->state = (uint8_t *)mem + sizeof(struct ipc_journal_hdr);
	j->size = size;
	if (j->hdr->magic != IPC_JOURNAL_MAGIC || j->hdr->layout != layout ||
	    j->hdr->size != size) {
		start_fresh(j, layout);
		return IPC_JOURNAL_FRESH;
	}
	if (j->hdr->undo_used == 0) {
		return IPC_JOURNAL_KEPT;
	}
	if (!roll_back(j)) {
		start_fresh(j, layout);
		return IPC_JOURNAL_FRESH;
	}
	return IPC_JOURNAL_ROLLED_BACK;
}

