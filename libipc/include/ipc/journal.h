#pragma once
/**
 * Device state that survives a restart of its service, consistent whatever
 * instruction the service died on.
 *
 * The state lives in the partition's kept RAM (a scenario RAM region with
 * .keep = true; ipc_self_info(&self) gives it as self.kept), which the
 * kernel does not reset when it restarts a crashed service. Every change
 * to it is a small transaction:
 *
 *     ipc_journal_begin(&j, &state->uart[w], sizeof(state->uart[w]));
 *     ... change state->uart[w] ...
 *     ipc_journal_commit(&j);
 *
 * begin() saves an undo copy of each object about to change (it may be
 * called several times in one transaction); commit() drops them. A restarted
 * service's ipc_journal_open() finds a transaction that was begun but not
 * committed and rolls it back, so the state is exactly what it was before
 * the access the service died on; the kernel then sends that access again
 * (service_restart(), kernel/core/service.c), and it takes effect once.
 *
 * Side effects outside the state (a byte sent to a physical UART) cannot be
 * rolled back: do them after the last change and just before the commit, so
 * that a crash between the two repeats the effect rather than losing it.
 *
 * Single-threaded, like a service: a crash is a synchronous exception on
 * the same CPU, so program order (and a compiler barrier) is all the
 * ordering the journal needs. Host-tested in tests/host/test_journal.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Bytes of undo records one transaction may hold. */
#define IPC_JOURNAL_UNDO_MAX 1024U
/** "ipcjrnl1": the kept memory holds a journal. */
#define IPC_JOURNAL_MAGIC 0x316c6e726a637069ULL

/** The journal's header, at the start of the kept memory. */
struct ipc_journal_hdr {
	uint64_t magic;         /**< IPC_JOURNAL_MAGIC once set up. */
	uint64_t layout;        /**< The service's layout tag (see open). */
	uint64_t size;          /**< Bytes of state after the header. */
	uint64_t undo_used;     /**< Bytes of undo records: 0 = committed. */
	uint64_t rollbacks;     /**< Transactions rolled back so far. */
	/** Undo records, 8-byte aligned (the header is a multiple of 8). */
	_Alignas(uint64_t) uint8_t undo[IPC_JOURNAL_UNDO_MAX];
};

/** A journal opened over kept memory. */
struct ipc_journal {
	struct ipc_journal_hdr *hdr;
	uint8_t *state;
	size_t size;
};

/** How ipc_journal_open() found the kept memory. */
enum ipc_journal_found {
	IPC_JOURNAL_FRESH = 0,   /**< No state yet (or another layout): zeroed. */
	IPC_JOURNAL_KEPT = 1,    /**< State from before the restart, intact. */
	IPC_JOURNAL_ROLLED_BACK = 2, /**< Same, after undoing the change the
					  service died in. */
	IPC_JOURNAL_TOO_SMALL = -1,  /**< @p mem cannot hold the state. */
};

/**
 * Open a journal of @p size bytes of state over @p mem (@p mem_size bytes
 * of kept memory). @p layout tags the state's format (e.g. a version and
 * sizeof): state written with another tag is not trusted and is zeroed.
 * On success j->state points to the state.
 */
enum ipc_journal_found ipc_journal_open(struct ipc_journal *j, void *mem,
					size_t mem_size, size_t size,
					uint64_t layout);

/** An undo record: where and how long, then the saved bytes, padded. */
struct ipc_journal_rec {
	uint32_t off;
	uint32_t len;
};

#define IPC_JOURNAL_REC_ALIGN sizeof(uint64_t)

/* Stores before it are made before stores after it (same CPU). */
static inline void ipc_journal_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static inline size_t ipc_journal_rec_size(size_t len)
{
	return sizeof(struct ipc_journal_rec) +
	       (len + IPC_JOURNAL_REC_ALIGN - 1) / IPC_JOURNAL_REC_ALIGN *
		       IPC_JOURNAL_REC_ALIGN;
}

/*
 * Copy @p len bytes into an undo record (8-byte aligned). Inline, as it is
 * on every journaled access: with a constant @p len of a few words it
 * becomes a few ldp/stp.
 */
static inline void ipc_journal_save_bytes(uint8_t *dst, const uint8_t *src,
					  size_t len)
{
	size_t i = 0;

	if (((uintptr_t)src & (IPC_JOURNAL_REC_ALIGN - 1)) == 0) {
		for (; len - i >= 2 * IPC_JOURNAL_REC_ALIGN;
		     i += 2 * IPC_JOURNAL_REC_ALIGN) {
			const uint64_t *s = (const uint64_t *)(const void *)(src + i);
			uint64_t *d = (uint64_t *)(void *)(dst + i);
			uint64_t a = s[0], b = s[1];

			d[0] = a;
			d[1] = b;
		}
		for (; len - i >= IPC_JOURNAL_REC_ALIGN; i += IPC_JOURNAL_REC_ALIGN) {
			*(uint64_t *)(void *)(dst + i) =
				*(const uint64_t *)(const void *)(src + i);
		}
	}
	for (; i < len; i++) {
		dst[i] = src[i];
	}
}

/**
 * @p obj (inside the state) is about to change: save its bytes. A record
 * that does not fit in the undo area (or an object outside the state) is a
 * programming error: it returns false and the change must not be made.
 */
static inline bool ipc_journal_begin(struct ipc_journal *j, const void *obj,
				     size_t len)
{
	struct ipc_journal_hdr *h = j->hdr;
	const uint8_t *p = obj;

	if (h == NULL || p < j->state || (size_t)(p - j->state) > j->size ||
	    len > j->size - (size_t)(p - j->state) ||
	    ipc_journal_rec_size(len) > IPC_JOURNAL_UNDO_MAX - h->undo_used) {
		return false;
	}
	uint8_t *rec = &h->undo[h->undo_used];

	*(struct ipc_journal_rec *)(void *)rec = (struct ipc_journal_rec){
		.off = (uint32_t)(p - j->state),
		.len = (uint32_t)len,
	};
	ipc_journal_save_bytes(rec + sizeof(struct ipc_journal_rec), p, len);
	/* The record is complete before it counts. */
	ipc_journal_barrier();
	h->undo_used += ipc_journal_rec_size(len);
	ipc_journal_barrier();
	return true;
}

/** The transaction's changes are complete: drop their undo records. */
static inline void ipc_journal_commit(struct ipc_journal *j)
{
	ipc_journal_barrier();
	j->hdr->undo_used = 0;
	ipc_journal_barrier();
}
