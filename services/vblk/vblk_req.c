/**
 * Decoding and checking a client's virtio-blk request (vblk/vblk_req.h).
 * Section numbers are those of OASIS virtio 1.2.
 */
#include <string.h>

#include "vblk/vblk_req.h"

/* §5.2.6: the header is le32 type, le32 reserved, le64 sector. */
#define HDR_TYPE_OFFSET 0U
#define HDR_SECTOR_OFFSET 8U

struct vblk_range vblk_range_clip(struct vblk_range want, uint64_t capacity)
{
	struct vblk_range r = want;

	if (r.first >= capacity) {
		r.first = capacity;
		r.sectors = 0;
	} else if (r.sectors > capacity - r.first) {
		r.sectors = capacity - r.first;
	}
	return r;
}

/* Answered by the service with @p status. */
static void answer(struct vblk_rec *r, uint8_t status)
{
	r->to_device = 0;
	r->status = status;
}

/* The header: the first segment, device-readable, exactly the header (a
 * header sharing its buffer with data is refused: Linux never does it). */
static bool read_header(const struct virtq_seg *hdr, uint32_t *type,
			uint64_t *sector)
{
	if (hdr->write || hdr->len != VBLK_HDR_BYTES) {
		return false;
	}
	/* Copied once: the client may rewrite its buffer meanwhile. */
	memcpy(type, hdr->ptr + HDR_TYPE_OFFSET, sizeof(*type));
	memcpy(sector, hdr->ptr + HDR_SECTOR_OFFSET, sizeof(*sector));
	return true;
}

/** A request's data bytes at most: with the status byte, its used length
 * is one le32 (§2.7.8), and the sum of its segments never wraps. */
#define DATA_BYTES_MAX (UINT32_MAX - 1U)

/* Add a data segment; false if there are too many or too many bytes
 * (lengths that wrap a 32-bit sum would pass the range check small). */
static bool add_seg(struct vblk_rec *r, uint64_t gpa, uint32_t len, bool write)
{
	if (len == 0) {
		return true;
	}
	if (r->nseg == VBLK_SEG_MAX || len > DATA_BYTES_MAX - r->data_bytes) {
		return false;
	}
	r->seg[r->nseg++] =
		(struct vblk_seg){ .gpa = gpa, .len = len, .write = write };
	r->data_bytes += len;
	return true;
}

/* Data segments (between header and status) and the status byte, the
 * last byte of the last (device-writable) segment. */
static bool frame(const struct virtq_seg *seg, uint32_t count,
		  struct vblk_rec *r)
{
	if (count < 2) {
		return false;
	}
	const struct virtq_seg *last = &seg[count - 1];

	if (!last->write || last->len == 0) {
		return false;
	}
	r->status_gpa = last->gpa + last->len - 1;
	for (uint32_t i = 1; i + 1 < count; i++) {
		if (!add_seg(r, seg[i].gpa, seg[i].len, seg[i].write)) {
			return false;
		}
	}
	return add_seg(r, last->gpa, last->len - 1, true);
}

/* Every data segment goes the way the request moves data. */
static bool direction_is(const struct vblk_rec *r, bool write)
{
	for (uint32_t i = 0; i < r->nseg; i++) {
		if ((r->seg[i].write != 0) != write) {
			return false;
		}
	}
	return true;
}

/* A transfer of the data bytes at client sector @p sector: whole sectors,
 * inside the range (overflow-safe). */
static bool in_range(const struct vblk_rec *r, uint64_t sector,
		     const struct vblk_range *range)
{
	uint64_t n = r->data_bytes / VBLK_SECTOR;

	return r->data_bytes % VBLK_SECTOR == 0 && sector <= range->sectors &&
	       n <= range->sectors - sector;
}

static void decode_transfer(struct vblk_rec *r, uint64_t sector,
			    const struct vblk_range *range)
{
	bool in = r->type == VBLK_T_IN;

	if (!direction_is(r, in) || !in_range(r, sector, range)) {
		answer(r, VBLK_S_IOERR);
		return;
	}
	if (!in && range->read_only) {
		answer(r, VBLK_S_IOERR);
		return;
	}
	r->to_device = 1;
	r->sector = range->first + sector;
	r->written = in ? r->data_bytes + 1 : 1;
}

void vblk_req_decode(const struct virtq_seg *seg, uint32_t count,
		     const struct vblk_range *range, bool phys_flush,
		     struct vblk_rec *r)
{
	uint64_t sector = 0;
	uint32_t type = 0;

	*r = (struct vblk_rec){ .written = 1 };
	if (count == 0 || !frame(seg, count, r)) {
		/* No status byte to write to, or too many segments. */
		r->written = 0;
		answer(r, VBLK_S_IOERR);
		return;
	}
	if (!read_header(&seg[0], &type, &sector)) {
		answer(r, VBLK_S_IOERR);
		return;
	}
	r->type = type;
	switch (type) {
	case VBLK_T_IN:
	case VBLK_T_OUT:
		decode_transfer(r, sector, range);
		return;
	case VBLK_T_FLUSH:
		/* No volatile cache: nothing to wait for (§5.2.6.2). */
		answer(r, VBLK_S_OK);
		r->to_device = phys_flush;
		return;
	case VBLK_T_GET_ID:
		if (!direction_is(r, true)) {
			answer(r, VBLK_S_IOERR);
			return;
		}
		r->written = (r->data_bytes < VBLK_ID_BYTES ? r->data_bytes
							    : VBLK_ID_BYTES) +
			     1;
		answer(r, VBLK_S_OK);
		return;
	default:
		answer(r, VBLK_S_UNSUPP);
		return;
	}
}
