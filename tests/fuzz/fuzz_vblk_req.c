/**
 * libFuzzer harness of the vblk service's request decoding
 * (services/vblk/vblk_req.c: vblk_req_decode(), vblk_range_clip()), linked
 * with the real source. Every check that keeps a client inside its own
 * blocks is there, so the harness compares it with a reference model
 * written from OASIS virtio 1.2 §5.2.6 and the service's README.
 *
 * Input: u64 range first, u64 range sectors, u64 disk capacity (the range
 * is clipped to it as the service does), u8 flags (bit 0 read-only, bit 1
 * the physical disk has FLUSH), u8 segment count (mod VBLK_CHAIN_MAX + 1,
 * what virtq_pop() may give), then per segment u64 GPA, u32 length, u8
 * device-writable, and for the first one the 16 bytes of the header
 * (type, reserved, sector). Each segment's buffer is allocated with
 * exactly its length (up to BUF_MAX; a longer segment gets BUF_MAX bytes:
 * only the header's 16 are ever read), so ASan sees a read past it.
 * Checked:
 *  - the outcome (sent to the disk, or answered OK / IOERR / UNSUPP) is
 *    the model's;
 *  - a request sent to the disk stays in the client's range: physical
 *    sector >= range.first, sector + sectors <= first + range sectors,
 *    whole sectors, no write on a read-only disk, every data segment one
 *    of the chain's and going the request's way, at most VBLK_SEG_MAX;
 *  - the used length never exceeds the device-writable bytes of the chain;
 *  - the status byte is the last byte of the last, device-writable segment.
 * It found data lengths summed in 32 bits: 16 segments of a 256 MiB grant
 * wrapped to 0 sectors and passed the range check (vblk_req.c, add_seg).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vblk/vblk_req.h"

#define BUF_MAX 4096U
#define FLAG_READ_ONLY 1U
#define FLAG_PHYS_FLUSH 2U
/** Outcome of the model: the request goes to the disk. */
#define TO_DEVICE 0xffU

struct chain {
	struct virtq_seg seg[VBLK_CHAIN_MAX];
	uint32_t count;
};

static void read_chain(struct fuzz_in *in, struct chain *c)
{
	c->count = fuzz_u8(in) % (VBLK_CHAIN_MAX + 1U);
	for (uint32_t i = 0; i < c->count; i++) {
		struct virtq_seg *s = &c->seg[i];

		s->gpa = fuzz_u64(in);
		s->len = fuzz_u32(in);
		s->write = fuzz_bool(in);
		/* virtq_pop() gives segments inside a grant: no wrap. */
		if (s->gpa > UINT64_MAX - s->len) {
			s->gpa = UINT64_MAX - s->len;
		}
		uint32_t alloc = s->len < BUF_MAX ? s->len : BUF_MAX;

		s->ptr = malloc(alloc == 0 ? 1 : alloc);
		for (uint32_t b = 0; b < alloc; b++) {
			s->ptr[b] =
				i == 0 && b < VBLK_HDR_BYTES ? fuzz_u8(in) : 0;
		}
	}
}

static void free_chain(struct chain *c)
{
	for (uint32_t i = 0; i < c->count; i++) {
		free(c->seg[i].ptr);
	}
}

/* The data segments (non-empty) between the header and the status byte:
 * their count and whether all go @p write's way; false if the framing is
 * bad. */
static bool model_data(const struct chain *c, uint32_t *n, uint64_t *bytes,
		       bool *all_write, bool *all_read)
{
	if (c->count < 2) {
		return false;
	}
	const struct virtq_seg *last = &c->seg[c->count - 1];

	if (!last->write || last->len == 0) {
		return false;
	}
	*n = 0;
	*bytes = 0;
	*all_write = true;
	*all_read = true;
	for (uint32_t i = 1; i < c->count; i++) {
		uint64_t len = c->seg[i].len - (i + 1 == c->count ? 1U : 0U);

		if (len == 0) {
			continue;
		}
		++*n;
		*bytes += len;
		*all_write = *all_write && c->seg[i].write;
		*all_read = *all_read && !c->seg[i].write;
	}
	/* Data and status byte fit one le32 used length (§2.7.8). */
	return *n <= VBLK_SEG_MAX && *bytes < UINT32_MAX;
}

/* What the request must get: TO_DEVICE or a VBLK_S_* status. */
static uint8_t model(const struct chain *c, const struct vblk_range *range,
		     bool phys_flush)
{
	uint32_t n, type;
	uint64_t bytes, sector;
	bool all_write, all_read;

	if (!model_data(c, &n, &bytes, &all_write, &all_read) ||
	    c->seg[0].write || c->seg[0].len != VBLK_HDR_BYTES) {
		return VBLK_S_IOERR;
	}
	memcpy(&type, c->seg[0].ptr, sizeof(type));
	memcpy(&sector, c->seg[0].ptr + 8, sizeof(sector));
	switch (type) {
	case VBLK_T_IN:
	case VBLK_T_OUT: {
		bool in = type == VBLK_T_IN;
		unsigned __int128 end =
			(unsigned __int128)sector + bytes / VBLK_SECTOR;

		if (!(in ? all_write : all_read) || bytes % VBLK_SECTOR != 0 ||
		    end > range->sectors || (!in && range->read_only)) {
			return VBLK_S_IOERR;
		}
		return TO_DEVICE;
	}
	case VBLK_T_FLUSH:
		return phys_flush ? TO_DEVICE : VBLK_S_OK;
	case VBLK_T_GET_ID:
		return all_write ? VBLK_S_OK : VBLK_S_IOERR;
	default:
		return VBLK_S_UNSUPP;
	}
}

/* Segment @p s of the record is a piece of the chain's data segments. */
static bool from_chain(const struct chain *c, const struct vblk_seg *s)
{
	for (uint32_t i = 1; i < c->count; i++) {
		if (c->seg[i].gpa == s->gpa &&
		    c->seg[i].write == (s->write != 0) &&
		    s->len <= c->seg[i].len) {
			return true;
		}
	}
	return false;
}

static void check_disk_request(const struct chain *c,
			       const struct vblk_range *range,
			       const struct vblk_rec *r)
{
	if (r->type == VBLK_T_FLUSH) {
		return;
	}
	bool in = r->type == VBLK_T_IN;
	uint64_t sum = 0;

	FUZZ_CHECK(r->type == VBLK_T_IN || r->type == VBLK_T_OUT,
		   "type %u sent to the disk", r->type);
	FUZZ_CHECK(r->nseg <= VBLK_SEG_MAX, "%u segments", r->nseg);
	for (uint32_t i = 0; i < r->nseg; i++) {
		FUZZ_CHECK((r->seg[i].write != 0) == in,
			   "segment %u goes the wrong way", i);
		FUZZ_CHECK(from_chain(c, &r->seg[i]),
			   "segment %u is not the chain's", i);
		sum += r->seg[i].len;
	}
	FUZZ_CHECK(sum == r->data_bytes && sum % VBLK_SECTOR == 0,
		   "%llu data bytes", (unsigned long long)sum);
	FUZZ_CHECK(r->sector >= range->first &&
			   r->sector - range->first <= range->sectors &&
			   sum / VBLK_SECTOR <=
				   range->sectors - (r->sector - range->first),
		   "sector %llu outside the range",
		   (unsigned long long)r->sector);
	FUZZ_CHECK(in || !range->read_only, "a write to a read-only disk");
}

static uint64_t writable_bytes(const struct chain *c)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < c->count; i++) {
		n += c->seg[i].write ? c->seg[i].len : 0;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	struct chain c = { .count = 0 };
	struct vblk_rec r;

	fuzz_in_init(&in, data, size);
	struct vblk_range want = { .first = fuzz_u64(&in),
				   .sectors = fuzz_u64(&in) };
	uint64_t capacity = fuzz_u64(&in);
	uint8_t flags = fuzz_u8(&in);

	want.read_only = (flags & FLAG_READ_ONLY) != 0;
	struct vblk_range range = vblk_range_clip(want, capacity);

	FUZZ_CHECK(range.first <= capacity &&
			   range.sectors <= capacity - range.first &&
			   range.sectors <= want.sectors,
		   "clipped range %llu+%llu past capacity %llu",
		   (unsigned long long)range.first,
		   (unsigned long long)range.sectors,
		   (unsigned long long)capacity);
	read_chain(&in, &c);
	bool phys_flush = (flags & FLAG_PHYS_FLUSH) != 0;

	memset(&r, 0xa5, sizeof(r));
	vblk_req_decode(c.seg, c.count, &range, phys_flush, &r);
	uint8_t want_outcome = model(&c, &range, phys_flush);
	uint8_t got = r.to_device ? TO_DEVICE : r.status;

	FUZZ_CHECK(got == want_outcome, "outcome %u, the model says %u", got,
		   want_outcome);
	FUZZ_CHECK(r.live == 0, "decode marked the record live");
	FUZZ_CHECK(r.written <= writable_bytes(&c),
		   "used length %u > %llu writable bytes", r.written,
		   (unsigned long long)writable_bytes(&c));
	if (r.written != 0) {
		const struct virtq_seg *last = &c.seg[c.count - 1];

		FUZZ_CHECK(last->write &&
				   r.status_gpa == last->gpa + last->len - 1,
			   "status byte not the chain's last byte");
	}
	if (r.to_device) {
		check_disk_request(&c, &range, &r);
	}
	free_chain(&c);
	return 0;
}
