/**
 * System test (issue 16): a virtio-net driver that negotiates
 * VIRTIO_F_EVENT_IDX (OASIS virtio 1.2 §2.7.10) and, as Linux does,
 * notifies the device only when vring_need_event(avail_event, new, old)
 * says so (configs/vnet_event, tests/system/test_vnet_event.py).
 *
 *  1. used_event: an interrupt for the entry it names, none for the others
 *     (InterruptStatus, read from the register shadow page);
 *  2. avail_event: after a notification the device has taken every chain
 *     and asks to be told of the next one;
 *  3. a whole queue made available with one notification: the service
 *     stops at its budget, and the next chain, which avail_event does not
 *     ask to notify, is used all the same (the service's timer);
 *  4. a flood: the second vCPU keeps transmit chains available, notifying
 *     only when avail_event asks, while the first one notifies as well
 *     (always allowed): every chain is used, none waits for a
 *     notification that never comes. Waits are bounded by the
 *     virtual counter, which the service's timer counts too.
 * Every frame is too short for Ethernet: the service drops it (counted)
 * and gives its buffer back.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "guest/smccc.h"
#include "guest/test.h"
#include "ipc/virtio_regs.h"

/* The guest's virtual virtio-net (configs/common/vnet_service.h). */
#define DEV_IPA 0x0a001000UL
#define RXQ 0U
#define TXQ 1U
#define F_MAC (1ULL << 5)
/** virtio-net header with VERSION_1 (§5.1.6): 12 bytes. */
#define HDR_BYTES 12U
/** A frame shorter than an Ethernet header: dropped, buffer given back. */
#define SHORT_FRAME (HDR_BYTES + 6U)
#define QNUM 64U
#define BUF_BYTES 64U
/** Chains the second vCPU makes available during the flood. */
#define FLOOD 20000U
/** How long a wait may take, in seconds of the virtual counter. */
#define WAIT_S 20U
/* PSCI 1.1 (DEN0022): CPU_ON (SMC64) and CPU_OFF. */
#define PSCI_CPU_ON 0xc4000003U
#define PSCI_CPU_OFF 0x84000002U
#define SECONDARY_MPIDR 1U
#define STACK_BYTES 4096U

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Split rings (§2.7): avail = flags, idx, ring[QNUM], used_event; used =
 * flags, idx, {id, len}[QNUM], avail_event. */
static _Alignas(4096) volatile struct desc rx_desc[QNUM], tx_desc[QNUM];
static _Alignas(4) volatile uint16_t rx_avail[3 + QNUM], tx_avail[3 + QNUM];
static _Alignas(4) volatile uint16_t rx_used[3 + 4 * QNUM],
	tx_used[3 + 4 * QNUM];
static _Alignas(16) uint8_t tx_buf[BUF_BYTES];
static _Alignas(16) uint8_t secondary_stack[STACK_BYTES];

#define AVAIL_IDX 1U
#define AVAIL_RING 2U
#define USED_IDX 1U
/** used_event: avail->ring[QNUM]; avail_event: after used->ring[QNUM]. */
#define USED_EVENT (AVAIL_RING + QNUM)
#define AVAIL_EVENT (2U + 4U * QNUM)

static volatile uint16_t avail_idx; /**< The driver's avail->idx. */
static uint16_t kicked_at; /**< avail->idx at its last notify decision. */
static volatile uint32_t flood_offered, flood_kicks, flood_done;

void smp_secondary_entry(void);
void smp_secondary_main(void);

static uint32_t rd(uint32_t off)
{
	return *(volatile uint32_t *)(DEV_IPA + off);
}

static void wr(uint32_t off, uint32_t v)
{
	__asm__ volatile("dsb sy" ::: "memory");
	*(volatile uint32_t *)(DEV_IPA + off) = v;
}

static void wr64(uint32_t off, uint64_t v)
{
	wr(off, (uint32_t)v);
	wr(off + 4U, (uint32_t)(v >> 32));
}

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static uint64_t counter_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/** vring_need_event (§2.7.10): @p event in [old, new_idx) modulo 2^16. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1U) < (uint16_t)(new_idx - old);
}

static uint16_t used_idx(void)
{
	return tx_used[USED_IDX];
}

static void queue_setup(uint32_t qi, volatile void *desc, volatile void *avail,
			volatile void *used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, qi);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, (uintptr_t)desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uintptr_t)used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/** §3.1.1 with VERSION_1, MAC and EVENT_IDX; no receive buffers. */
static bool up(void)
{
	const uint64_t want = VIRTIO_F_VERSION_1 | F_MAC | VIRTIO_F_EVENT_IDX;
	const uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, st);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	printf("vnetevent: device features 0x%x\n",
	       rd(VIRTIO_MMIO_DEVICE_FEATURES));
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	wr(VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FEATURES_OK);
	if ((rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0) {
		printf("vnetevent: VIRTIO_F_EVENT_IDX refused\n");
		return false;
	}
	queue_setup(RXQ, rx_desc, rx_avail, rx_used);
	queue_setup(TXQ, tx_desc, tx_avail, tx_used);
	wr(VIRTIO_MMIO_STATUS,
	   st | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	for (uint32_t i = 0; i < QNUM; i++) {
		tx_desc[i] = (struct desc){ .addr = (uintptr_t)tx_buf,
					    .len = SHORT_FRAME };
	}
	return true;
}

/** Make one chain available, without a notification. */
static void add_one(void)
{
	uint16_t idx = avail_idx;

	tx_avail[AVAIL_RING + idx % QNUM] = (uint16_t)(idx % QNUM);
	__asm__ volatile("dmb ish" ::: "memory");
	avail_idx = (uint16_t)(idx + 1U);
	tx_avail[AVAIL_IDX] = avail_idx;
}

/** Notify if avail_event asks for one of the chains made available since
 * the last decision (Linux's virtqueue_kick_prepare_split). */
static bool kick_if_asked(void)
{
	/* The index is visible before avail_event is read (§2.7.13.4). */
	__asm__ volatile("dmb ish" ::: "memory");
	uint16_t old = kicked_at;

	kicked_at = avail_idx;
	if (!need_event(tx_used[AVAIL_EVENT], avail_idx, old)) {
		return false;
	}
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	return true;
}

static bool send_one(void)
{
	add_one();
	return kick_if_asked();
}

/** Wait, without notifying, until every chain made available is used. */
static bool all_used(void)
{
	uint64_t end = counter() + WAIT_S * counter_freq();

	while (used_idx() != avail_idx) {
		if (counter() > end) {
			return false;
		}
	}
	return true;
}

/*
 * Every chain used, and the device done with what the notification asked:
 * with a CPU idle beside this vCPU the kick rang a doorbell and the
 * service works there while this vCPU goes on (HYP_IPC_WINDOW_DOORBELL),
 * so the used index can show before the device has decided on its
 * interrupt and its avail_event. A register write is a message, which the
 * service takes only once the doorbell's work is done (abi/ipc.h), so its
 * completion says those decisions are made: QueueSel, written with the
 * queue it selects already (up(): the transmit queue last).
 */
static bool all_used_and_settled(void)
{
	bool used = all_used();

	wr(VIRTIO_MMIO_QUEUE_SEL, TXQ);
	return used;
}

static void test_used_event(void)
{
	tx_avail[USED_EVENT] = 1; /* An interrupt when entry 1 is used. */
	CHECK(send_one());	  /* avail_event 0 asks for entry 0. */
	CHECK(all_used_and_settled());
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_VRING, 0);
	CHECK(send_one());
	CHECK(all_used_and_settled());
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_VRING,
		 VIRTIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_VRING);
	/* NO_INTERRUPT in avail->flags means nothing with EVENT_IDX. */
	tx_avail[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	tx_avail[USED_EVENT] = 2;
	CHECK(send_one());
	CHECK(all_used_and_settled());
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_VRING,
		 VIRTIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_VRING);
	/* used_event far ahead: used entries without an interrupt. */
	tx_avail[USED_EVENT] = 0x8000;
	for (uint32_t i = 0; i < 2 * QNUM; i++) {
		(void)send_one();
		CHECK(all_used_and_settled());
	}
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_VRING, 0);
	/* The device asks to be told of the next chain. */
	CHECK_EQ(tx_used[AVAIL_EVENT], avail_idx);
	printf("vnetevent: used_event and avail_event honoured\n");
}

/*
 * A whole queue made available with one notification (as Linux batches
 * frames the stack hands over together): the service takes a queue's
 * worth, its budget, without finding the queue empty, so avail_event
 * still names the first of them and the driver's next chain is not
 * notified; it must be used all the same (the service's timer).
 */
static void test_full_batch(void)
{
	for (uint32_t i = 0; i < QNUM; i++) {
		add_one();
	}
	CHECK(kick_if_asked());
	CHECK(all_used_and_settled());
	bool kicked = send_one();
	bool used = all_used();

	printf("vnetevent: a whole queue in one notification, then one chain "
	       "(%s): used: %s\n",
	       kicked ? "notified" : "not notified", used ? "yes" : "no");
	CHECK(used);
}

/* The second vCPU: chains available as fast as the ring allows, each
 * notified only when avail_event asks. */
void smp_secondary_main(void)
{
	uint64_t end = counter() + WAIT_S * counter_freq();

	while (flood_offered < FLOOD && counter() < end) {
		if ((uint16_t)(avail_idx - used_idx()) < QNUM - 1U) {
			flood_kicks += send_one();
			flood_offered++;
		}
	}
	flood_done = 1;
	(void)hvc_call(PSCI_CPU_OFF, 0, 0, 0);
}

static void test_flood(void)
{
	uint16_t before = used_idx();
	uint32_t my_kicks = 0;

	CHECK_EQ(hvc_call(PSCI_CPU_ON, SECONDARY_MPIDR,
			  (uint64_t)smp_secondary_entry,
			  (uint64_t)(secondary_stack + STACK_BYTES))
			 .a0,
		 0);
	/* Notifications the driver may always make (§2.7.13.4), while the
	 * second vCPU feeds the ring: each keeps the service in its loop. */
	while (!flood_done) {
		if (flood_offered > 0 && my_kicks < QNUM) {
			wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
			my_kicks++;
		}
	}
	bool done = flood_offered == FLOOD;
	bool used = all_used();

	printf("vnetevent: flood of %u chains (%u to go): %u notified by the "
	       "feeder, %u by the other vCPU; every chain used without a "
	       "notification: %s\n",
	       flood_offered, FLOOD - flood_offered, flood_kicks, my_kicks,
	       used ? "yes" : "no");
	CHECK(done);
	CHECK(used);
	CHECK_EQ((uint16_t)(used_idx() - before), (uint16_t)flood_offered);
	/* No more notifications than chains (the feeder waits in its own
	 * notification while the service drains the queue, so it is asked
	 * for the next one each time: only test_full_batch() shows one
	 * spared). */
	CHECK(flood_kicks <= flood_offered);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
}

void test_main(void)
{
	printf("vnetevent: start\n");
	if (!up()) {
		CHECK(false);
		return;
	}
	test_used_event();
	test_full_batch();
	test_flood();
	printf("vnetevent: done\n");
}
