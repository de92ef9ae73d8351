/**
 * cmocka tests of the vblk service's request checks
 * (services/vblk/vblk_req.c): what keeps a client inside its own blocks
 * (the sector range, read-only) and what a malformed request gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vblk/vblk_req.h"

#define HDR_GPA 0x40001000ULL
#define DATA_GPA 0x40002000ULL
#define STATUS_GPA 0x40003000ULL
/** A client's range: 1000 sectors from physical sector 5000. */
#define FIRST 5000U
#define SECTORS 1000U

static uint8_t hdr[VBLK_HDR_BYTES];
static uint8_t data[4096];
static uint8_t status_byte;
static struct virtq_seg seg[VBLK_CHAIN_MAX + 1];
static const struct vblk_range range = { .first = FIRST, .sectors = SECTORS };

/* A chain: header(type, sector), @p data_len bytes of data, status. */
static uint32_t chain(uint32_t type, uint64_t sector, uint32_t data_len,
		      bool data_write)
{
	uint32_t n = 0;

	memcpy(hdr, &type, sizeof(type));
	memset(hdr + 4, 0, 4);
	memcpy(hdr + 8, &sector, sizeof(sector));
	seg[n++] = (struct virtq_seg){ .gpa = HDR_GPA,
				       .ptr = hdr,
				       .len = VBLK_HDR_BYTES };
	if (data_len != 0) {
		seg[n++] = (struct virtq_seg){ .gpa = DATA_GPA,
					       .ptr = data,
					       .len = data_len,
					       .write = data_write };
	}
	seg[n++] = (struct virtq_seg){
		.gpa = STATUS_GPA, .ptr = &status_byte, .len = 1, .write = true
	};
	return n;
}

static void test_vblk_req_read_in_range_goes_to_disk(void **state)
{
	struct vblk_rec r;
	uint32_t n = chain(VBLK_T_IN, 10, 4096, true);

	(void)state;
	vblk_req_decode(seg, n, &range, true, &r);
	assert_true(r.to_device);
	assert_int_equal(r.sector, FIRST + 10);
	assert_int_equal(r.nseg, 1);
	assert_int_equal(r.seg[0].gpa, DATA_GPA);
	assert_int_equal(r.seg[0].len, 4096);
	assert_true(r.seg[0].write);
	assert_int_equal(r.status_gpa, STATUS_GPA);
	assert_int_equal(r.written, 4097);
}

static void test_vblk_req_last_sectors_of_range(void **state)
{
	struct vblk_rec r;

	(void)state;
	vblk_req_decode(seg, chain(VBLK_T_OUT, SECTORS - 8, 4096, false),
			&range, true, &r);
	assert_true(r.to_device);
	assert_int_equal(r.sector, FIRST + SECTORS - 8);
	assert_int_equal(r.written, 1);
}

static void test_vblk_req_out_of_range_is_ioerr(void **state)
{
	struct vblk_rec r;

	(void)state;
	/* One sector past the end. */
	vblk_req_decode(seg, chain(VBLK_T_IN, SECTORS - 7, 4096, true), &range,
			true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_IOERR);
	/* A sector number that would wrap when the length is added. */
	vblk_req_decode(seg, chain(VBLK_T_OUT, UINT64_MAX - 1, 4096, false),
			&range, true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_IOERR);
	vblk_req_decode(seg, chain(VBLK_T_IN, SECTORS, 512, true), &range, true,
			&r);
	assert_int_equal(r.status, VBLK_S_IOERR);
}

static void test_vblk_req_read_only_refuses_writes(void **state)
{
	struct vblk_range ro = range;
	struct vblk_rec r;

	(void)state;
	ro.read_only = true;
	vblk_req_decode(seg, chain(VBLK_T_OUT, 0, 512, false), &ro, true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_IOERR);
	vblk_req_decode(seg, chain(VBLK_T_IN, 0, 512, true), &ro, true, &r);
	assert_true(r.to_device);
}

static void test_vblk_req_wrong_direction_is_ioerr(void **state)
{
	struct vblk_rec r;

	(void)state;
	/* A read whose buffer the device may not write, and the reverse. */
	vblk_req_decode(seg, chain(VBLK_T_IN, 0, 512, false), &range, true, &r);
	assert_int_equal(r.status, VBLK_S_IOERR);
	assert_false(r.to_device);
	vblk_req_decode(seg, chain(VBLK_T_OUT, 0, 512, true), &range, true, &r);
	assert_int_equal(r.status, VBLK_S_IOERR);
	assert_false(r.to_device);
}

static void test_vblk_req_partial_sector_is_ioerr(void **state)
{
	struct vblk_rec r;

	(void)state;
	vblk_req_decode(seg, chain(VBLK_T_IN, 0, 100, true), &range, true, &r);
	assert_int_equal(r.status, VBLK_S_IOERR);
	assert_false(r.to_device);
}

static void test_vblk_req_flush_waits_for_disk(void **state)
{
	struct vblk_rec r;

	(void)state;
	vblk_req_decode(seg, chain(VBLK_T_FLUSH, 0, 0, false), &range, true,
			&r);
	assert_true(r.to_device);
	assert_int_equal(r.written, 1);
	/* A disk without a volatile cache: done at once. */
	vblk_req_decode(seg, chain(VBLK_T_FLUSH, 0, 0, false), &range, false,
			&r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_OK);
}

static void test_vblk_req_get_id_and_unknown(void **state)
{
	struct vblk_rec r;

	(void)state;
	vblk_req_decode(seg, chain(VBLK_T_GET_ID, 0, 64, true), &range, true,
			&r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_OK);
	assert_int_equal(r.written, VBLK_ID_BYTES + 1);
	vblk_req_decode(seg, chain(11, 0, 512, false), &range, true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_UNSUPP);
}

static void test_vblk_req_bad_framing(void **state)
{
	struct vblk_rec r;
	uint32_t n = chain(VBLK_T_IN, 0, 512, true);

	(void)state;
	/* No status byte: a readable last segment. */
	seg[n - 1].write = false;
	vblk_req_decode(seg, n, &range, true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.written, 0);
	/* A header of the wrong size. */
	n = chain(VBLK_T_IN, 0, 512, true);
	seg[0].len = 8;
	vblk_req_decode(seg, n, &range, true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_IOERR);
	/* Only one segment. */
	vblk_req_decode(seg, 1, &range, true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.written, 0);
	/* Exactly seg_max data segments, then one more. */
	(void)chain(VBLK_T_IN, 0, 0, true);
	for (uint32_t i = 1; i <= VBLK_SEG_MAX + 1; i++) {
		seg[i] = (struct virtq_seg){
			.gpa = DATA_GPA, .ptr = data, .len = 512, .write = true
		};
	}
	struct virtq_seg st = {
		.gpa = STATUS_GPA, .ptr = &status_byte, .len = 1, .write = true
	};

	seg[VBLK_SEG_MAX + 1] = st;
	vblk_req_decode(seg, VBLK_SEG_MAX + 2, &range, true, &r);
	assert_true(r.to_device);
	assert_int_equal(r.nseg, VBLK_SEG_MAX);
	seg[VBLK_SEG_MAX + 1] = seg[1];
	seg[VBLK_SEG_MAX + 2] = st;
	vblk_req_decode(seg, VBLK_SEG_MAX + 3, &range, true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_IOERR);
}

static void test_vblk_req_status_inside_last_data_segment(void **state)
{
	struct vblk_rec r;
	uint32_t n = chain(VBLK_T_IN, 0, 0, true);

	(void)state;
	/* Data and status in one writable buffer of 513 bytes. */
	seg[n - 1].len = 513;
	vblk_req_decode(seg, n, &range, true, &r);
	assert_true(r.to_device);
	assert_int_equal(r.nseg, 1);
	assert_int_equal(r.seg[0].len, 512);
	assert_int_equal(r.status_gpa, STATUS_GPA + 512);
	assert_int_equal(r.written, 513);
}

/*
 * Data segments whose lengths add up past 2^32: the byte count must not
 * wrap to a small number that passes the range check, or the physical disk
 * would move the whole 4 GiB + 512 bytes from a sector inside the range,
 * into the blocks after it (another VM's). Lengths up to a grant's size
 * (1 GiB for a Linux VM) are each valid.
 */
static void test_vblk_req_data_length_does_not_wrap(void **state)
{
	struct vblk_rec r;
	const uint32_t big = 0x80000000U;
	uint32_t n = 0;

	(void)state;
	/* A range as large as the transfer, so only the wrap is tested. */
	const struct vblk_range huge = { .first = 0, .sectors = VBLK_TO_END };

	chain(VBLK_T_OUT, 0, 0, false);
	seg[n++] = seg[0];
	seg[n++] =
		(struct virtq_seg){ .gpa = DATA_GPA, .ptr = data, .len = big };
	seg[n++] =
		(struct virtq_seg){ .gpa = DATA_GPA, .ptr = data, .len = big };
	seg[n++] =
		(struct virtq_seg){ .gpa = DATA_GPA, .ptr = data, .len = 512 };
	seg[n++] = (struct virtq_seg){
		.gpa = STATUS_GPA, .ptr = &status_byte, .len = 1, .write = true
	};
	vblk_req_decode(seg, n, &range, true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_IOERR);
	/* Even on an unbounded disk: the used length (le32) cannot say it. */
	vblk_req_decode(seg, n, &huge, true, &r);
	assert_false(r.to_device);
	assert_int_equal(r.status, VBLK_S_IOERR);
}

static void test_vblk_range_clip(void **state)
{
	struct vblk_range want = { .first = 100, .sectors = VBLK_TO_END };
	struct vblk_range r;

	(void)state;
	r = vblk_range_clip(want, 1000);
	assert_int_equal(r.first, 100);
	assert_int_equal(r.sectors, 900);
	want.first = 2000;
	r = vblk_range_clip(want, 1000);
	assert_int_equal(r.sectors, 0);
	want = (struct vblk_range){ .first = 0, .sectors = 10 };
	r = vblk_range_clip(want, 1000);
	assert_int_equal(r.sectors, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vblk_req_read_in_range_goes_to_disk),
		cmocka_unit_test(test_vblk_req_last_sectors_of_range),
		cmocka_unit_test(test_vblk_req_out_of_range_is_ioerr),
		cmocka_unit_test(test_vblk_req_read_only_refuses_writes),
		cmocka_unit_test(test_vblk_req_wrong_direction_is_ioerr),
		cmocka_unit_test(test_vblk_req_partial_sector_is_ioerr),
		cmocka_unit_test(test_vblk_req_flush_waits_for_disk),
		cmocka_unit_test(test_vblk_req_get_id_and_unknown),
		cmocka_unit_test(test_vblk_req_bad_framing),
		cmocka_unit_test(test_vblk_req_status_inside_last_data_segment),
		cmocka_unit_test(test_vblk_req_data_length_does_not_wrap),
		cmocka_unit_test(test_vblk_range_clip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
