/**
 * cmocka tests of VIRTIO_F_EVENT_IDX in libipc's split virtqueues
 * (libipc/src/virtq.c; OASIS virtio 1.2 §2.7.10, §2.7.13.4): the feature
 * offered and negotiated, the rings' extra words checked inside the grant,
 * used_event deciding the used-buffer interrupt, avail_event published
 * when the device finds a queue empty, all of it across the wrap of the
 * 16-bit ring indices, with any value a hostile driver may write there.
 *
 * The driver here is a model of Linux's (drivers/virtio/virtio_ring.c):
 * it notifies only when virtq_need_event(avail_event, new, old) says so
 * and expects an interrupt exactly when virtq_need_event(used_event, ...)
 * does; a lost notification shows as a buffer never used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/virtio.h"

/** Client memory the device sees: GPA_BASE .. + MEM_SIZE. */
#define GPA_BASE 0x80000000ULL
#define MEM_SIZE 0x4000U
#define MEM_ALIGN 4096U
#define DESC_OFF 0x0000U
#define AVAIL_OFF 0x1000U
#define USED_OFF 0x2000U
#define BUF_OFF 0x3000U
#define QNUM 8U
#define QMAX 16U
#define SEG_MAX 4U
#define WORD 4U
#define DESC_BYTES 16U
/* Split ring layout (§2.7.6, §2.7.8). */
#define RING_FLAGS 0U
#define RING_IDX 2U
#define RING_ENTRIES 4U
#define AVAIL_ENTRY 2U
#define USED_ENTRY 8U
/** used_event: after avail->ring[QNUM]; avail_event: after used->ring. */
#define USED_EVENT_OFF (AVAIL_OFF + RING_ENTRIES + AVAIL_ENTRY * QNUM)
#define AVAIL_EVENT_OFF (USED_OFF + RING_ENTRIES + USED_ENTRY * QNUM)
#define IDX_SPACE 65536U
/** Enough rounds for the indices to wrap around 65535 several times. */
#define WRAP_ROUNDS (3U * IDX_SPACE)

static uint8_t *mem;
static struct virtio_gmem gmem;
static struct virtio_state state;
static struct virtio_dev dev;
static struct virtq_seg segs[SEG_MAX];
static struct virtq_chain chain;
static unsigned int irq_raises; /**< set_irq(true) calls. */
static bool irq;

static void set_irq(void *ctx, bool level)
{
	(void)ctx;
	irq_raises += level && !irq;
	irq = level;
}

static const struct virtio_dev_ops ops = {
	.device_id = VIRTIO_ID_NET,
	.features = VIRTIO_F_EVENT_IDX,
	.queue_count = 1,
	.queue_max = QMAX,
	.set_irq = set_irq,
};

static int setup(void **st)
{
	(void)st;
	mem = aligned_alloc(MEM_ALIGN, MEM_SIZE);
	assert_non_null(mem);
	memset(mem, 0, MEM_SIZE);
	irq_raises = 0;
	irq = false;
	virtio_gmem_init(&gmem);
	assert_int_equal(virtio_gmem_add(&gmem, GPA_BASE, MEM_SIZE, mem),
			 IPC_OK);
	memset(&state, 0, sizeof(state));
	virtio_dev_bind(&dev, &state, &ops, NULL, &gmem);
	virtio_dev_reset(&dev);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	free(mem);
	return 0;
}

static uint32_t reg(uint64_t off, bool write, uint32_t value)
{
	struct ipc_mmio_access a = {
		.offset = off, .width = WORD, .write = write, .value = value
	};

	assert_int_equal(virtio_mmio_access(&dev, &a), IPC_OK);
	return (uint32_t)a.value;
}

static uint16_t get16(uint32_t off)
{
	uint16_t v;

	memcpy(&v, mem + off, sizeof(v));
	return v;
}

static void put16(uint32_t off, uint16_t v)
{
	memcpy(mem + off, &v, sizeof(v));
}

static uint64_t gpa(uint32_t off)
{
	return GPA_BASE + off;
}

/** §3.1.1 up to FEATURES_OK with @p features; the Status read back. */
static uint32_t negotiate(uint64_t features)
{
	reg(VIRTIO_MMIO_STATUS, true, 0);
	reg(VIRTIO_MMIO_STATUS, true,
	    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, true, 0);
	reg(VIRTIO_MMIO_DRIVER_FEATURES, true, (uint32_t)features);
	reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, true, 1);
	reg(VIRTIO_MMIO_DRIVER_FEATURES, true, (uint32_t)(features >> 32));
	reg(VIRTIO_MMIO_STATUS, true,
	    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		    VIRTIO_STATUS_FEATURES_OK);
	return reg(VIRTIO_MMIO_STATUS, false, 0);
}

static void set_queue(uint64_t desc, uint64_t avail, uint64_t used)
{
	reg(VIRTIO_MMIO_QUEUE_SEL, true, 0);
	reg(VIRTIO_MMIO_QUEUE_NUM, true, QNUM);
	reg(VIRTIO_MMIO_QUEUE_DESC_LOW, true, (uint32_t)desc);
	reg(VIRTIO_MMIO_QUEUE_DESC_HIGH, true, (uint32_t)(desc >> 32));
	reg(VIRTIO_MMIO_QUEUE_DRIVER_LOW, true, (uint32_t)avail);
	reg(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, true, (uint32_t)(avail >> 32));
	reg(VIRTIO_MMIO_QUEUE_DEVICE_LOW, true, (uint32_t)used);
	reg(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, true, (uint32_t)(used >> 32));
	reg(VIRTIO_MMIO_QUEUE_READY, true, 1);
}

/** A driver with VERSION_1 and EVENT_IDX, queue 0 of QNUM entries, each
 * descriptor a one-byte readable buffer. */
static void start(void)
{
	assert_true(negotiate(VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX) &
		    VIRTIO_STATUS_FEATURES_OK);
	set_queue(gpa(DESC_OFF), gpa(AVAIL_OFF), gpa(USED_OFF));
	assert_int_equal(reg(VIRTIO_MMIO_QUEUE_READY, false, 0), 1);
	reg(VIRTIO_MMIO_STATUS, true,
	    reg(VIRTIO_MMIO_STATUS, false, 0) | VIRTIO_STATUS_DRIVER_OK);
	assert_true(virtio_dev_running(&dev));
	for (uint32_t i = 0; i < QNUM; i++) {
		uint64_t addr = gpa(BUF_OFF + i);
		uint32_t len = 1;

		memcpy(mem + DESC_OFF + DESC_BYTES * i, &addr, sizeof(addr));
		memcpy(mem + DESC_OFF + DESC_BYTES * i + sizeof(addr), &len,
		       sizeof(len));
	}
}

/** Make descriptor @p head available at avail->idx, then move idx on. */
static void offer(uint16_t head)
{
	uint16_t idx = get16(AVAIL_OFF + RING_IDX);

	put16(AVAIL_OFF + RING_ENTRIES + AVAIL_ENTRY * (idx % QNUM), head);
	put16(AVAIL_OFF + RING_IDX, (uint16_t)(idx + 1U));
}

static int pop(void)
{
	return virtq_pop(&dev, 0, &chain, segs, SEG_MAX);
}

static void ack(void)
{
	reg(VIRTIO_MMIO_INTERRUPT_ACK, true, VIRTIO_INT_VRING);
	assert_false(irq);
}

/* --- vring_need_event --- */

/** The definition, by counting: is @p event among old, old + 1, ..
 * new_idx - 1 (mod 2^16)? */
static bool need_event_by_walk(uint16_t event, uint16_t new_idx, uint16_t old)
{
	for (uint16_t i = old; i != new_idx; i++) {
		if (i == event) {
			return true;
		}
	}
	return false;
}

static void test_need_event_arithmetic(void **st)
{
	static const struct {
		uint16_t event, new_idx, old;
		bool need;
	} cases[] = {
		{ 0, 1, 0, true },
		{ 1, 1, 0, false },
		{ 5, 5, 5, false }, /* Nothing moved: never. */
		{ 0xffff, 0, 0xffff, true },
		{ 0, 0, 0xffff, false },
		{ 0xffff, 4, 0xfffa, true },
		{ 3, 4, 0xfffa, true },
		{ 4, 4, 0xfffa, false },
		{ 0xfff9, 4, 0xfffa, false },
		{ 0x8000, 0x7fff, 0x8000, true }, /* 65535 entries moved. */
		{ 0x7fff, 0x7fff, 0x8000, false },
	};

	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(virtq_need_event(cases[i].event,
						  cases[i].new_idx,
						  cases[i].old),
				 cases[i].need);
	}
	/* Any values a driver may write: the same as walking the range. */
	srand(16);
	for (unsigned int i = 0; i < 20000; i++) {
		uint16_t old = (uint16_t)rand();
		uint16_t new_idx = (uint16_t)(old + (unsigned int)rand() % 64U);
		uint16_t event =
			(uint16_t)(i % 2U ? (unsigned int)rand()
					  : old + (unsigned int)rand() % 80U -
						    8U);

		assert_int_equal(virtq_need_event(event, new_idx, old),
				 need_event_by_walk(event, new_idx, old));
	}
}

/* --- Negotiation and ring sizes --- */

static void test_event_idx_offered_and_negotiated(void **st)
{
	(void)st;
	reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, true, 0);
	assert_int_equal(reg(VIRTIO_MMIO_DEVICE_FEATURES, false, 0),
			 (uint32_t)VIRTIO_F_EVENT_IDX);
	assert_true(negotiate(VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX) &
		    VIRTIO_STATUS_FEATURES_OK);
	/* A driver may still leave it out. */
	assert_true(negotiate(VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
}

/** With EVENT_IDX the driver area is 6 + 2n bytes, the device area 6 + 8n
 * (§2.7): a ring whose event word is past the grant is refused. */
static void test_event_idx_ring_sizes(void **st)
{
	uint64_t avail_short =
		gpa(MEM_SIZE - RING_ENTRIES - AVAIL_ENTRY * QNUM);
	uint64_t used_short = gpa(MEM_SIZE - RING_ENTRIES - USED_ENTRY * QNUM);

	(void)st;
	assert_true(negotiate(VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX) &
		    VIRTIO_STATUS_FEATURES_OK);
	set_queue(gpa(DESC_OFF), avail_short, gpa(USED_OFF));
	assert_int_equal(state.fault, VIRTIO_FAULT_RING_RANGE);
	assert_int_equal(reg(VIRTIO_MMIO_QUEUE_READY, false, 0), 0);

	assert_true(negotiate(VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX) &
		    VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(state.fault, VIRTIO_FAULT_NONE);
	set_queue(gpa(DESC_OFF), gpa(AVAIL_OFF), used_short);
	assert_int_equal(state.fault, VIRTIO_FAULT_RING_RANGE);

	/* Exactly at the end, event words included: fine (the used ring
	 * 4-aligned ends 2 bytes short of it). */
	assert_true(negotiate(VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX) &
		    VIRTIO_STATUS_FEATURES_OK);
	set_queue(gpa(DESC_OFF), avail_short - 2, used_short - 4);
	assert_int_equal(reg(VIRTIO_MMIO_QUEUE_READY, false, 0), 1);
	/* Without EVENT_IDX those words are not used: no need for them. */
	assert_true(negotiate(VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
	set_queue(gpa(DESC_OFF), avail_short, used_short);
	assert_int_equal(reg(VIRTIO_MMIO_QUEUE_READY, false, 0), 1);
}

/* --- used_event --- */

/** Use one chain: pop, push, signal; whether the interrupt was raised. */
static bool use_one(void)
{
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(virtq_push(&dev, 0, chain.head, 0), IPC_OK);
	return virtq_signal(&dev, 0);
}

static void test_used_event_decides_interrupt(void **st)
{
	(void)st;
	start();
	put16(USED_EVENT_OFF, 2); /* Tell me when entry 2 is used. */
	for (uint16_t i = 0; i < 6; i++) {
		offer(i);
	}
	assert_false(use_one()); /* used idx 0 -> 1 */
	assert_false(use_one()); /* 1 -> 2 */
	assert_true(use_one());	 /* 2 -> 3: entry 2 */
	assert_int_equal(irq_raises, 1);
	assert_int_equal(reg(VIRTIO_MMIO_INTERRUPT_STATUS, false, 0),
			 VIRTIO_INT_VRING);
	ack();
	/* used_event behind: no more interrupts until the driver moves it. */
	assert_false(use_one());
	/* NO_INTERRUPT in avail->flags is ignored with EVENT_IDX (§2.7.10):
	 * the driver moved used_event to the next entry. */
	put16(AVAIL_OFF + RING_FLAGS, VIRTQ_AVAIL_F_NO_INTERRUPT);
	put16(USED_EVENT_OFF, 4);
	assert_true(use_one());
	ack();
	/* A batch: entries 5 and 6 used, used_event 6 among them. */
	offer(6);
	put16(USED_EVENT_OFF, 6);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(virtq_push(&dev, 0, chain.head, 0), IPC_OK);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(virtq_push(&dev, 0, chain.head, 0), IPC_OK);
	assert_true(virtq_signal(&dev, 0));
	/* Nothing pushed since: a second call raises nothing new. */
	ack();
	assert_false(virtq_signal(&dev, 0));
	assert_int_equal(irq_raises, 3);
}

/** The entries pushed before a restart and not yet signalled are still
 * judged by the state bound again (kept RAM). */
static void test_used_event_after_restart(void **st)
{
	struct virtio_state kept;
	struct virtio_dev again;

	(void)st;
	start();
	offer(0);
	offer(1);
	put16(USED_EVENT_OFF, 1);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(virtq_push(&dev, 0, chain.head, 0), IPC_OK);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(virtq_push(&dev, 0, chain.head, 0), IPC_OK);
	/* The service dies before its virtq_signal(). */
	memcpy(&kept, &state, sizeof(kept));
	virtio_dev_bind(&again, &kept, &ops, NULL, &gmem);
	assert_true(virtq_signal(&again, 0));
}

/* --- avail_event --- */

static void test_avail_event_published_when_empty(void **st)
{
	(void)st;
	start();
	put16(AVAIL_EVENT_OFF, 0x1234);
	assert_int_equal(pop(), VIRTQ_EMPTY);
	/* Notify me when entry 0 is made available. */
	assert_int_equal(get16(AVAIL_EVENT_OFF), 0);
	offer(0);
	offer(1);
	offer(2);
	assert_int_equal(pop(), VIRTQ_POPPED);
	/* Busy: avail_event stays behind, so entries the driver adds now
	 * need no notification. */
	assert_int_equal(get16(AVAIL_EVENT_OFF), 0);
	assert_false(virtq_need_event(get16(AVAIL_EVENT_OFF), 4, 3));
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(pop(), VIRTQ_EMPTY);
	assert_int_equal(get16(AVAIL_EVENT_OFF), 3);
	/* The driver's next buffer needs a notification. */
	assert_true(virtq_need_event(get16(AVAIL_EVENT_OFF), 4, 3));
	/* Not written without EVENT_IDX: the word may not be in the grant. */
	put16(AVAIL_EVENT_OFF, 0x1234);
	assert_true(negotiate(VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
	memset(mem + AVAIL_OFF, 0, 2 * MEM_ALIGN);
	put16(AVAIL_EVENT_OFF, 0x1234);
	set_queue(gpa(DESC_OFF), gpa(AVAIL_OFF), gpa(USED_OFF));
	reg(VIRTIO_MMIO_STATUS, true,
	    reg(VIRTIO_MMIO_STATUS, false, 0) | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(pop(), VIRTQ_EMPTY);
	assert_int_equal(get16(AVAIL_EVENT_OFF), 0x1234);
}

/* --- A driver model across the wrap of the indices --- */

/** Linux's split-ring driver, as far as notifications go. */
struct driver {
	uint16_t avail;	    /**< Its avail->idx. */
	uint16_t last_used; /**< Next used entry it will read. */
	uint16_t kicked_at; /**< avail->idx at its last kick decision. */
	uint32_t added;	    /**< Buffers made available in all. */
	unsigned int kicks;
	unsigned int interrupts_expected;
};

/** Add @p n buffers, then decide whether to notify (virtqueue_add_split
 * and virtqueue_kick_prepare_split). */
static bool driver_add(struct driver *drv, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		offer((uint16_t)(drv->avail % QNUM));
		drv->avail++;
		drv->added++;
	}
	uint16_t old = drv->kicked_at;

	drv->kicked_at = drv->avail;
	bool kick = virtq_need_event(get16(AVAIL_EVENT_OFF), drv->avail, old);

	drv->kicks += kick;
	return kick;
}

/** The device's work on a queue: pop (at most @p budget), push, signal.
 * Returns whether it stopped before VIRTQ_EMPTY. */
static bool device_serve(uint32_t budget, uint16_t used_event)
{
	uint16_t before = state.queue[0].used_idx;
	int rc = VIRTQ_EMPTY;
	uint32_t n = 0;

	for (; n < budget; n++) {
		rc = pop();
		if (rc != VIRTQ_POPPED) {
			break;
		}
		assert_int_equal(virtq_push(&dev, 0, chain.head, 0), IPC_OK);
	}
	assert_int_not_equal(rc, VIRTQ_ERR_BROKEN);
	/* The driver asked for an interrupt at used_event: it comes exactly
	 * when that entry is among those just used (since the last call). */
	uint16_t after = state.queue[0].used_idx;

	assert_int_equal(virtq_signal(&dev, 0),
			 need_event_by_walk(used_event, after, before));
	if (irq) {
		ack();
	}
	return n == budget;
}

/** Reclaim used entries as Linux does (detach_buf), then ask for the next
 * interrupt at a point chosen by @p mode: the next entry
 * (virtqueue_enable_cb), 3/4 of those outstanding
 * (virtqueue_enable_cb_delayed) or none soon (virtqueue_disable_cb). */
static uint16_t driver_reap(struct driver *drv, unsigned int mode)
{
	drv->last_used = get16(USED_OFF + RING_IDX);
	uint16_t outstanding = (uint16_t)(drv->avail - drv->last_used);
	uint16_t event =
		mode == 0   ? drv->last_used
		: mode == 1 ? (uint16_t)(drv->last_used + outstanding * 3U / 4U)
			    : 0;

	put16(USED_EVENT_OFF, event);
	return event;
}

static void run_model(struct driver *drv, uint32_t rounds)
{
	uint16_t used_event = get16(USED_EVENT_OFF);
	bool backlog = false;

	for (uint32_t r = 0; r < rounds; r++) {
		uint16_t outstanding =
			(uint16_t)(drv->avail - get16(USED_OFF + RING_IDX));
		uint32_t room = QNUM - outstanding;
		uint32_t n = room == 0 ? 0 : 1U + (r * 7U) % room;
		bool kick = driver_add(drv, n);

		/* The device works on a kick, or by itself when it stopped
		 * early last time (a budget of 1 on every 5th round). */
		if (kick || backlog) {
			backlog = device_serve(r % 5U == 0 ? 1 : QNUM,
					       used_event);
		}
		used_event = driver_reap(drv, r % 3U);
		if (!backlog) {
			/* Drained: every buffer made available was used, so
			 * no notification was lost. */
			assert_int_equal(get16(USED_OFF + RING_IDX),
					 drv->avail);
			assert_int_equal(state.queue[0].last_avail, drv->avail);
		}
	}
}

static void test_event_idx_model_wraps(void **st)
{
	struct driver drv = { 0 };

	(void)st;
	start();
	run_model(&drv, WRAP_ROUNDS);
	/* The 16-bit indices went round more than twice. */
	assert_true(drv.added > 2U * IDX_SPACE);
	/* Notifications were suppressed while the device was busy. */
	assert_true(drv.kicks < WRAP_ROUNDS);
}

/** A kept state near the end of the index space (a service restarted
 * after a long run): the arithmetic across 65535 -> 0. */
static void test_event_idx_near_wrap(void **st)
{
	const uint16_t base = 0xfffa;
	struct driver drv = { .avail = base,
			      .last_used = base,
			      .kicked_at = base };

	(void)st;
	start();
	state.queue[0].last_avail = base;
	state.queue[0].used_idx = base;
	put16(AVAIL_OFF + RING_IDX, base);
	put16(USED_OFF + RING_IDX, base);
	put16(AVAIL_EVENT_OFF, base);
	/* Settle the device's last signalled index at base (used_event
	 * outside [0, base): no interrupt with EVENT_IDX). */
	put16(USED_EVENT_OFF, 0xfffe);
	(void)virtq_signal(&dev, 0);
	if (irq) {
		ack();
	}
	/* The used entry at 0xffff: interrupt when it is used, not before. */
	put16(USED_EVENT_OFF, 0xffff);
	for (uint16_t i = 0; i < QNUM; i++) {
		offer(i);
	}
	drv.avail = (uint16_t)(base + QNUM);
	for (unsigned int i = 0; i < 5; i++) {
		assert_false(use_one());
	}
	assert_true(use_one()); /* used idx 0xffff -> 0 */
	ack();
	assert_false(use_one());
	assert_false(use_one());
	assert_int_equal(pop(), VIRTQ_EMPTY);
	assert_int_equal(get16(AVAIL_EVENT_OFF), (uint16_t)(base + QNUM));
	drv.kicked_at = drv.avail;
	run_model(&drv, 4U * QNUM);
}

/* --- Hostile values --- */

/** Any used_event, avail_event or flags: the device only compares them,
 * never follows them; it stays running and writes only avail_event. */
static void test_event_words_hostile(void **st)
{
	(void)st;
	start();
	srand(29);
	for (unsigned int i = 0; i < 4096; i++) {
		uint16_t before = state.queue[0].used_idx;
		uint16_t event = (uint16_t)rand();

		put16(USED_EVENT_OFF, event);
		put16(AVAIL_EVENT_OFF, (uint16_t)rand());
		put16(AVAIL_OFF + RING_FLAGS, (uint16_t)rand());
		offer((uint16_t)(i % QNUM));
		assert_int_equal(pop(), VIRTQ_POPPED);
		assert_int_equal(virtq_push(&dev, 0, chain.head, 0), IPC_OK);
		assert_int_equal(virtq_signal(&dev, 0), event == before);
		if (irq) {
			ack();
		}
		assert_int_equal(pop(), VIRTQ_EMPTY);
		assert_int_equal(get16(AVAIL_EVENT_OFF),
				 state.queue[0].last_avail);
	}
	assert_true(virtio_dev_running(&dev));
	assert_int_equal(state.fault, VIRTIO_FAULT_NONE);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_need_event_arithmetic),
		T(test_event_idx_offered_and_negotiated),
		T(test_event_idx_ring_sizes),
		T(test_used_event_decides_interrupt),
		T(test_used_event_after_restart),
		T(test_avail_event_published_when_empty),
		T(test_event_idx_model_wraps),
		T(test_event_idx_near_wrap),
		T(test_event_words_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
