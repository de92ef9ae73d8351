/**
 * cmocka tests of libipc's undo journal (ipc/journal.h): state kept across
 * a "restart" (re-opening the same memory), roll-back of a transaction cut
 * short at every point, and refusal of memory it cannot trust.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/journal.h"

#define LAYOUT 0x1234ULL
#define OBJS 4

/** The state a test service keeps: a few objects. */
struct state {
	struct {
		uint32_t reg[6];
		uint8_t fifo[10];   /* odd size: records get padded */
	} obj[OBJS];
	uint64_t counter;
};

/** Kept memory: header plus state, with room to spare. */
static uint64_t kept[(sizeof(struct ipc_journal_hdr) + sizeof(struct state)) /
			     sizeof(uint64_t) + 16];

static struct state *open_kept(struct ipc_journal *j, enum ipc_journal_found want)
{
	enum ipc_journal_found got =
		ipc_journal_open(j, kept, sizeof(kept), sizeof(struct state), LAYOUT);

	assert_int_equal(got, want);
	return (struct state *)j->state;
}

static int setup(void **unused)
{
	(void)unused;
	/* Whatever the kernel's RAM held: not a journal. */
	memset(kept, 0xa5, sizeof(kept));
	return 0;
}

static void test_first_open_is_fresh_and_zeroed(void **unused)
{
	struct ipc_journal j;
	struct state *s;

	(void)unused;
	s = open_kept(&j, IPC_JOURNAL_FRESH);
	for (size_t i = 0; i < sizeof(*s); i++) {
		assert_int_equal(((uint8_t *)s)[i], 0);
	}
	assert_int_equal(j.hdr->undo_used, 0);
}

static void test_committed_state_survives_reopen(void **unused)
{
	struct ipc_journal j;
	struct state *s = open_kept(&j, IPC_JOURNAL_FRESH);

	(void)unused;
	assert_true(ipc_journal_begin(&j, &s->obj[1], sizeof(s->obj[1])));
	s->obj[1].reg[3] = 77;
	ipc_journal_commit(&j);
	s = open_kept(&j, IPC_JOURNAL_KEPT);
	assert_int_equal(s->obj[1].reg[3], 77);
}

static void test_uncommitted_change_is_rolled_back(void **unused)
{
	struct ipc_journal j;
	struct state *s = open_kept(&j, IPC_JOURNAL_FRESH);

	(void)unused;
	s->obj[2].reg[0] = 5;   /* outside a transaction: kept as is */
	assert_true(ipc_journal_begin(&j, &s->obj[2], sizeof(s->obj[2])));
	s->obj[2].reg[0] = 6;
	s->obj[2].fifo[9] = 0xee;
	/* The service dies here: no commit. */
	s = open_kept(&j, IPC_JOURNAL_ROLLED_BACK);
	assert_int_equal(s->obj[2].reg[0], 5);
	assert_int_equal(s->obj[2].fifo[9], 0);
	assert_int_equal(j.hdr->rollbacks, 1);
	/* Rolled back once: a further restart finds it committed. */
	open_kept(&j, IPC_JOURNAL_KEPT);
}

static void test_several_objects_and_repeats_roll_back_to_oldest(void **unused)
{
	struct ipc_journal j;
	struct state *s = open_kept(&j, IPC_JOURNAL_FRESH);

	(void)unused;
	s->counter = 10;
	s->obj[0].reg[1] = 1;
	assert_true(ipc_journal_begin(&j, &s->counter, sizeof(s->counter)));
	s->counter = 11;
	assert_true(ipc_journal_begin(&j, &s->obj[0], sizeof(s->obj[0])));
	s->obj[0].reg[1] = 2;
	/* The same object saved again, after a change. */
	assert_true(ipc_journal_begin(&j, &s->counter, sizeof(s->counter)));
	s->counter = 12;
	s = open_kept(&j, IPC_JOURNAL_ROLLED_BACK);
	assert_int_equal(s->counter, 10);
	assert_int_equal(s->obj[0].reg[1], 1);
}

/*
 * A crash between any two stores of begin() leaves either no record
 * (undo_used not yet raised: the object is unchanged) or a whole one.
 */
static void test_record_counts_only_once_complete(void **unused)
{
	struct ipc_journal j;
	struct state *s = open_kept(&j, IPC_JOURNAL_FRESH);

	(void)unused;
	s->obj[3].reg[2] = 9;
	assert_true(ipc_journal_begin(&j, &s->obj[3], sizeof(s->obj[3])));
	uint64_t used = j.hdr->undo_used;

	/* As if the crash came after the record was written, before it
	 * counted: the object had not been changed yet either. */
	j.hdr->undo_used = 0;
	s = open_kept(&j, IPC_JOURNAL_KEPT);
	assert_int_equal(s->obj[3].reg[2], 9);
	assert_true(used > 0);
}

static void test_other_layout_or_size_starts_fresh(void **unused)
{
	struct ipc_journal j;
	struct state *s = open_kept(&j, IPC_JOURNAL_FRESH);

	(void)unused;
	s->counter = 3;
	assert_int_equal(ipc_journal_open(&j, kept, sizeof(kept),
					  sizeof(struct state), LAYOUT + 1),
			 IPC_JOURNAL_FRESH);
	assert_int_equal(((struct state *)j.state)->counter, 0);
	s = (struct state *)j.state;
	s->counter = 4;
	assert_int_equal(ipc_journal_open(&j, kept, sizeof(kept),
					  sizeof(struct state) - 8, LAYOUT + 1),
			 IPC_JOURNAL_FRESH);
}

static void test_corrupt_undo_area_starts_fresh(void **unused)
{
	struct ipc_journal j;
	struct state *s = open_kept(&j, IPC_JOURNAL_FRESH);

	(void)unused;
	s->counter = 8;
	assert_true(ipc_journal_begin(&j, &s->counter, sizeof(s->counter)));
	/* A record claiming bytes beyond the state. */
	j.hdr->undo[0] = 0xff;
	j.hdr->undo[1] = 0xff;
	s = open_kept(&j, IPC_JOURNAL_FRESH);
	assert_int_equal(s->counter, 0);
	assert_true(ipc_journal_begin(&j, &s->counter, sizeof(s->counter)));
	j.hdr->undo_used = IPC_JOURNAL_UNDO_MAX + 8;
	open_kept(&j, IPC_JOURNAL_FRESH);
}

static void test_begin_refuses_objects_outside_or_too_big(void **unused)
{
	struct ipc_journal j;
	struct state *s = open_kept(&j, IPC_JOURNAL_FRESH);
	uint64_t outside = 0;

	(void)unused;
	assert_false(ipc_journal_begin(&j, &outside, sizeof(outside)));
	assert_false(ipc_journal_begin(&j, &s->counter, sizeof(s->counter) + 1));
	/* Fill the undo area: the record that does not fit is refused. */
	size_t n = 0;

	while (ipc_journal_begin(&j, &s->obj[0], sizeof(s->obj[0]))) {
		n++;
	}
	assert_true(n > 0);
	assert_true(j.hdr->undo_used <= IPC_JOURNAL_UNDO_MAX);
	ipc_journal_commit(&j);
	assert_true(ipc_journal_begin(&j, &s->obj[0], sizeof(s->obj[0])));
}

static void test_memory_too_small_is_refused(void **unused)
{
	struct ipc_journal j;

	(void)unused;
	assert_int_equal(ipc_journal_open(&j, kept, sizeof(struct ipc_journal_hdr),
					  sizeof(struct state), LAYOUT),
			 IPC_JOURNAL_TOO_SMALL);
	assert_int_equal(ipc_journal_open(&j, NULL, sizeof(kept),
					  sizeof(struct state), LAYOUT),
			 IPC_JOURNAL_TOO_SMALL);
	assert_false(ipc_journal_begin(&j, kept, 8));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, setup)
	const struct CMUnitTest tests[] = {
		T(test_first_open_is_fresh_and_zeroed),
		T(test_committed_state_survives_reopen),
		T(test_uncommitted_change_is_rolled_back),
		T(test_several_objects_and_repeats_roll_back_to_oldest),
		T(test_record_counts_only_once_complete),
		T(test_other_layout_or_size_starts_fresh),
		T(test_corrupt_undo_area_starts_fresh),
		T(test_begin_refuses_objects_outside_or_too_big),
		T(test_memory_too_small_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
