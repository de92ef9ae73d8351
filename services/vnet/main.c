/**
 * The virtio-net service (services/vnet/README.md): the driver domain of
 * QEMU virt's virtio-net device (virtio-mmio slot 23, its page 0x0a002000
 * passed through, its SPI 71 owned), the uplink, and for each client VM a
 * virtual virtio-net device (virtio 1.2 §5.1) on an emulated window (guest
 * SPI 49) with the MAC this service assigns it (vnet/vnet_switch.h). In
 * between a switch (vnet_switch.c): frames go to the port owning their
 * destination MAC, broadcast and multicast to every other port, a client's
 * frame with a source MAC not its own is dropped and counted.
 *
 * Data path: every frame is copied once, out of the sender's buffers (a
 * client's transmit chain, inside its grant; or a receive buffer of the
 * uplink in this service's RAM) into a scratch frame, and from there into
 * each destination (a client's receive chain, inside its grant; or a
 * transmit buffer in this service's RAM given to the device by PA). So no
 * frame is ever written outside a grant or this service's RAM, and a port
 * without a free receive buffer loses the frame (counted) without holding
 * up the others: nothing waits in the switch.
 *
 * Crashes: every client's transport state (struct virtio_state) lives in
 * kept RAM under the journal. An MMIO access is one transaction; so is
 * each chain: a pop, its copy and its used entry (a transmit chain, or a
 * receive chain a frame is delivered into) commit together. A restarted
 * service binds the kept states again (no reset: the guests' drivers go
 * on), takes a used entry the guest already sees but whose transaction
 * was rolled back as done (reconcile()), and resets the uplink: frames in
 * flight are lost, as Ethernet allows. So no used entry is given twice or
 * lost, no index goes backwards; a frame is switched at most once (after
 * its transmit chain's commit).
 */
#include <stddef.h>
#include <string.h>

#include "abi/vgic.h"
#include "ipc/ipc.h"
#include "ipc/journal.h"
#include "ipc/virtio.h"
#include "ipc/virtio_drv.h"
#include "vnet/vnet_switch.h"

void service_main(void);

/* The uplink: virt's virtio-mmio slot 23, in the page the scenario passes
 * through (configs/common/vnet_service.h), and its SPI (48 + 23). */
#define VNET_PHYS_PAGE_IPA 0x0a002000UL
#define VNET_PHYS_SLOT_OFFSET 0xe00U
#define VNET_PHYS_INTID 71U
/** The SPI of every client's virtual device (its window's .irq). */
#define VNET_GUEST_INTID 49U

/* virtio-net (virtio 1.2 §5.1): receiveq1 and transmitq1. */
#define VNET_RXQ 0U
#define VNET_TXQ 1U
#define VNET_QUEUES 2U
/** VIRTIO_NET_F_MAC (§5.1.3): the config space holds the device's MAC. */
#define VNET_F_MAC (1ULL << 5)
/** Config space (§5.1.4): mac[6], then le16 status (0: VIRTIO_NET_F_STATUS
 * is not offered), so a driver may read it in 32-bit words. */
#define VNET_CFG_BYTES 8U
/** struct virtio_net_hdr with VIRTIO_F_VERSION_1 (§5.1.6): 12 bytes,
 * num_buffers (le16) last, 1 without VIRTIO_NET_F_MRG_RXBUF. */
#define VNET_HDR_BYTES 12U
#define VNET_HDR_NUM_BUFFERS 10U
/** The largest frame without offloads: 1500 + header + a VLAN tag. */
#define VNET_FRAME_MAX 1518U
/** One buffer of the uplink's queues: header and frame, 16-byte aligned. */
#define VNET_BUF_BYTES 2048U
/** Entries of each of the uplink's queues (all receive buffers posted). */
#define VNET_PHYS_ENTRIES 64U
#define VNET_RING_BYTES 8192U

/** Entries of a client's queues, and segments of one chain we take. */
#define VNET_QUEUE_MAX 256U
#define VNET_SEG_MAX 32U
/** Chains left past client_tx()'s budget are sent this long after it
 * (ipc_now() ticks = ipc_ticks_per_sec() / VNET_TX_RESUME_DIV): later than
 * at once, so the vCPU that kicked resumes first (the service does not
 * hold it, or any other client, longer than a queue's worth). */
#define VNET_TX_RESUME_DIV 1000U
/**
 * While another client used the service within the last
 * 1 / VNET_SHARED_DIV s (5 ms), a transmit kick is served from the
 * service's timer 1 / VNET_TX_BATCH_DIV s (100 us) later, not inside the
 * kick's exit (vnet_mmio()). Two VMs on two CPUs exchanging frames
 * otherwise find the one service busy on the other CPU about 1.4 times
 * per data frame (a counter in ipc_send, 4 MiB VM -> VM): the caller's
 * CPU idles until the service has answered elsewhere, then needs a kick.
 * Batched, VM -> VM went from 2.2-2.4 (now and then 5) to 4.2-4.4 MB/s;
 * a lone client keeps its kicks served at once, since a later transmit
 * completion holds a TCP sender back (deferring every kick took VM ->
 * host from 2.55 to 2.1-2.25 MB/s).
 */
#define VNET_SHARED_DIV 200U
#define VNET_TX_BATCH_DIV 10000U

/** 2: struct virtq_state gained 'signalled' (VIRTIO_F_EVENT_IDX). */
#define VNET_STATE_VERSION 2ULL
#define VNET_STATE_VERSION_SHIFT 32

/** Kept across restarts (kept RAM, under the journal). */
struct vnet_state {
	struct virtio_state dev[VNET_MAX_CLIENTS];
	/** Fault injection: crash points passed since the last crash, and
	 * the kind of the next one. Not journaled, so the work done again
	 * after a crash does not crash at the same point. */
	uint32_t crash_count;
	uint32_t crash_next;
};

/** Why frames were dropped, counted per port. */
enum vnet_drop {
	VNET_DROP_SPOOFED, /**< Source MAC not the sender's (anti-spoofing). */
	VNET_DROP_NO_BUFFER, /**< Destination's receive queue full/absent. */
	VNET_DROP_MALFORMED, /**< Too short, too long, no room for a frame. */
	VNET_DROP_NO_ROUTE,  /**< From the uplink to no client's MAC. */
	VNET_DROP_KINDS
};

static const char *const drop_why[VNET_DROP_KINDS] = {
	"source MAC is not the VM's own (anti-spoofing)",
	"receive queue full or not set up",
	"malformed frame",
	"no client has its destination MAC",
};

struct vnet_port_stats {
	uint64_t tx; /**< Frames the port sent into the switch. */
	uint64_t rx; /**< Frames delivered to the port. */
	uint64_t drop[VNET_DROP_KINDS];
};

/** One client's virtual device. */
struct vnet_dev {
	struct virtio_dev vdev; /**< Its state: vnet_state.dev[port]. */
	struct virtio_dev_ops ops;
	struct virtio_gmem gmem;
	uint32_t client;
	bool kicked_tx; /**< QueueNotify of transmitq1 in this access. */
	bool rang;	/**< A kick came as a doorbell (said once). */
	/** client_tx() stopped at its budget: chains wait, which the driver
	 * may not notify (VIRTIO_F_EVENT_IDX): the service's timer. */
	bool tx_more;
	char name[IPC_NAME_MAX];
};

struct vnet_service {
	struct ipc_server srv;
	struct vnet_state *st;
	struct ipc_journal journal;
	bool journaled;
	struct vnet_switch sw;
	uint32_t dev_count;
	struct vnet_dev dev[VNET_MAX_CLIENTS];
	struct vnet_port_stats stats[VNET_MAX_CLIENTS + 1];
	/* The uplink. */
	struct virtio_drv drv;
	uint64_t rx_pa, tx_pa; /**< PAs of vnet_rx_buf, vnet_tx_buf. */
	uint16_t rx_slot[VIRTIO_DRV_QUEUE_MAX]; /**< Head -> buffer. */
	uint16_t tx_slot[VIRTIO_DRV_QUEUE_MAX];
	uint16_t tx_free[VNET_PHYS_ENTRIES]; /**< Stack of free tx buffers. */
	uint32_t tx_free_count;
	bool tx_kick;	   /**< Frames submitted, device not notified yet. */
	uint32_t restarts; /**< Of this service, so far. */
	/** The client port of the last register access, and when (ipc_now()):
	 * is the service shared right now (VNET_SHARED_DIV)? */
	uint32_t last_port;
	uint64_t last_access;
	/** The frame in the switch: header room, then the frame. */
	_Alignas(16) uint8_t frame[VNET_HDR_BYTES + VNET_FRAME_MAX];
};

static struct vnet_service vnet;
static struct vnet_state vnet_volatile_state;
static _Alignas(16) uint8_t vnet_rx_ring[VNET_RING_BYTES];
static _Alignas(16) uint8_t vnet_tx_ring[VNET_RING_BYTES];
static _Alignas(16) uint8_t vnet_rx_buf[VNET_PHYS_ENTRIES][VNET_BUF_BYTES];
static _Alignas(16) uint8_t vnet_tx_buf[VNET_PHYS_ENTRIES][VNET_BUF_BYTES];

/* --- Journal ----------------------------------------------------------------
 */

/* Begin a transaction over client port @p w's transport state. */
static void txn_begin(struct vnet_service *p, uint32_t w)
{
	if (p->journaled) {
		(void)ipc_journal_begin(&p->journal, &p->st->dev[w],
					sizeof(p->st->dev[w]));
	}
}

static void txn_commit(struct vnet_service *p)
{
	if (p->journaled) {
		ipc_journal_commit(&p->journal);
	}
}

/* --- Fault injection (test image only) --------------------------------------
 */

/** Where a test image may crash. */
enum vnet_crash_at {
	VNET_CRASH_TX_POPPED,	 /**< A transmit chain popped, not yet used. */
	VNET_CRASH_TX_PUBLISHED, /**< Its used entry out, not committed. */
	VNET_CRASH_RX_PUBLISHED, /**< A receive chain used, not committed. */
	VNET_CRASH_SWITCHING,	 /**< A frame taken, not yet delivered. */
	VNET_CRASH_KINDS
};

#ifdef VNET_FAULT_INJECT
/** vnet-faultinject: at the first crash point of the next kind (in turn)
 * after 997 crash points, about once per 400 frames of a bulk transfer. */
#define VNET_CRASH_EVERY 997U
/** No crash after this many restarts: the kernel's budget is 64. */
#define VNET_CRASH_RESTARTS_MAX 32U
/* Nothing is mapped here in the service's IPA space: a store faults. */
#define VNET_UNMAPPED_IPA 0x70000000UL

static const char *const vnet_crash_name[] = {
	[VNET_CRASH_TX_POPPED] = "with a transmit chain popped",
	[VNET_CRASH_TX_PUBLISHED] = "after a transmit used entry, before "
				    "its commit",
	[VNET_CRASH_RX_PUBLISHED] = "after a receive used entry, before "
				    "its commit",
	[VNET_CRASH_SWITCHING] = "with a frame in the switch",
};

static void crash_point(struct vnet_service *p, enum vnet_crash_at at)
{
	struct vnet_state *st = p->st;

	if (p->restarts >= VNET_CRASH_RESTARTS_MAX ||
	    ++st->crash_count < VNET_CRASH_EVERY ||
	    st->crash_next % VNET_CRASH_KINDS != at) {
		return;
	}
	st->crash_count = 0;
	st->crash_next = (at + 1U) % VNET_CRASH_KINDS;
	ipc_log("vnet: fault injection: crashing %s\n", vnet_crash_name[at]);
	__asm__ volatile("" ::: "memory");
	*(volatile uint64_t *)VNET_UNMAPPED_IPA = st->crash_next;
}
#else
static void crash_point(struct vnet_service *p, enum vnet_crash_at at)
{
	(void)p;
	(void)at;
}
#endif

/* --- Counting ----------------------------------------------------------------
 */

static const char *port_name(const struct vnet_service *p, uint32_t port)
{
	return port == VNET_UPLINK ? "uplink" : p->dev[port].name;
}

static void log_mac(const char *what, const uint8_t *m)
{
	ipc_log("%s%02x:%02x:%02x:%02x:%02x:%02x", what, m[0], m[1], m[2], m[3],
		m[4], m[5]);
}

/* Count a drop; say why on the 1st, 2nd, 4th, 8th ... of a kind. */
static void drop(struct vnet_service *p, uint32_t port, enum vnet_drop why,
		 const uint8_t *frame, uint32_t len)
{
	uint64_t n = ++p->stats[port].drop[why];

	if ((n & (n - 1U)) != 0) {
		return;
	}
	ipc_log("vnet: %s: frame dropped: %s (%llu so far)", port_name(p, port),
		drop_why[why], (unsigned long long)n);
	if (why == VNET_DROP_SPOOFED && len >= VNET_ETH_HDR_BYTES) {
		log_mac(": source ", frame + VNET_ETH_SRC);
		log_mac(", its MAC ", p->sw.mac[port]);
	}
	ipc_log("\n");
}

/* --- Delivery ----------------------------------------------------------------
 */

/* Copy the frame (p->frame, header included: @p bytes) into the receive
 * chain @p ch (segments @p seg); false if it does not fit. */
static bool copy_to_chain(const struct vnet_service *p,
			  const struct virtq_chain *ch,
			  const struct virtq_seg *seg, uint32_t bytes)
{
	uint32_t done = 0;

	if (ch->writable < bytes) {
		return false;
	}
	for (uint32_t i = 0; i < ch->count && done < bytes; i++) {
		uint32_t n = bytes - done;

		if (!seg[i].write) {
			continue;
		}
		n = n < seg[i].len ? n : seg[i].len;
		memcpy(seg[i].ptr, p->frame + done, n);
		done += n;
	}
	return true;
}

/* Deliver the frame (p->frame, header included: @p bytes) to client port
 * @p d: one transaction (pop, copy, used entry, interrupt), so a crash
 * leaves the chain either untaken or used once. */
static void to_client(struct vnet_service *p, uint32_t d, uint32_t bytes)
{
	struct vnet_dev *dev = &p->dev[d];
	struct virtq_seg seg[VNET_SEG_MAX];
	struct virtq_chain ch;

	txn_begin(p, d);
	int rc = virtq_pop(&dev->vdev, VNET_RXQ, &ch, seg, VNET_SEG_MAX);

	if (rc != VIRTQ_POPPED && rc != VIRTQ_ERR_SEGS) {
		txn_commit(p);
		drop(p, d, VNET_DROP_NO_BUFFER, NULL, 0);
		return;
	}
	/* A chain of more segments than we take, or too short: given back
	 * unused. */
	bool fits = rc == VIRTQ_POPPED && copy_to_chain(p, &ch, seg, bytes);

	(void)virtq_push(&dev->vdev, VNET_RXQ, ch.head, fits ? bytes : 0);
	crash_point(p, VNET_CRASH_RX_PUBLISHED);
	(void)virtq_signal(&dev->vdev, VNET_RXQ);
	txn_commit(p);
	if (fits) {
		p->stats[d].rx++;
	} else {
		drop(p, d, VNET_DROP_MALFORMED, NULL, 0);
	}
}

/* Transmit buffers the device has sent are free again. */
static void uplink_reap_tx(struct vnet_service *p)
{
	uint16_t head;
	uint32_t len;

	while (virtio_drv_harvest(&p->drv, VNET_TXQ, &head, &len) ==
	       VIRTIO_DRV_OK) {
		p->tx_free[p->tx_free_count++] = p->tx_slot[head];
	}
}

/* Copy the frame into a transmit buffer of the uplink. */
static void to_uplink(struct vnet_service *p, uint32_t bytes)
{
	uint16_t head;

	if (p->tx_free_count == 0) {
		uplink_reap_tx(p);
	}
	if (p->tx_free_count == 0) {
		drop(p, VNET_UPLINK, VNET_DROP_NO_BUFFER, NULL, 0);
		return;
	}
	uint16_t slot = p->tx_free[--p->tx_free_count];
	struct virtio_drv_buf buf = {
		.pa = p->tx_pa + (uint64_t)slot * VNET_BUF_BYTES,
		.len = bytes,
	};

	memcpy(vnet_tx_buf[slot], p->frame, bytes);
	if (virtio_drv_submit(&p->drv, VNET_TXQ, &buf, 1, &head) !=
	    VIRTIO_DRV_OK) {
		p->tx_free[p->tx_free_count++] = slot;
		drop(p, VNET_UPLINK, VNET_DROP_NO_BUFFER, NULL, 0);
		return;
	}
	p->tx_slot[head] = slot;
	p->tx_kick = true;
	p->stats[VNET_UPLINK].rx++;
}

/* The frame in p->frame (@p len bytes after the header) came in on port
 * @p from: switch it. */
static void switch_frame(struct vnet_service *p, uint32_t from, uint32_t len)
{
	const uint8_t *eth = p->frame + VNET_HDR_BYTES;
	uint32_t to;
	enum vnet_verdict v = vnet_route(&p->sw, from, eth, len, &to);

	if (v != VNET_FORWARD) {
		drop(p, from,
		     v == VNET_DROP_SPOOF     ? VNET_DROP_SPOOFED
		     : v == VNET_DROP_UNKNOWN ? VNET_DROP_NO_ROUTE
					      : VNET_DROP_MALFORMED,
		     eth, len);
		return;
	}
	p->stats[from].tx++;
	crash_point(p, VNET_CRASH_SWITCHING);
	/* The header every destination gets (§5.1.6.3.1): no offload, one
	 * buffer. */
	memset(p->frame, 0, VNET_HDR_BYTES);
	p->frame[VNET_HDR_NUM_BUFFERS] = 1;
	for (uint32_t d = 0; d < p->dev_count; d++) {
		if (to & VNET_PORT_BIT(d)) {
			to_client(p, d, VNET_HDR_BYTES + len);
		}
	}
	if (to & VNET_PORT_BIT(VNET_UPLINK)) {
		to_uplink(p, VNET_HDR_BYTES + len);
	}
}

/* --- Clients' transmit queues ----------------------------------------------- */

/* Gather a transmit chain (header, then the frame) into p->frame. Returns
 * the frame's length, 0 if malformed. */
static uint32_t gather(struct vnet_service *p, const struct virtq_seg *seg,
		       const struct virtq_chain *ch)
{
	uint32_t done = 0;

	if (ch->readable < VNET_HDR_BYTES + VNET_ETH_HDR_BYTES ||
	    ch->readable > sizeof(p->frame)) {
		return 0;
	}
	for (uint32_t i = 0; i < ch->count; i++) {
		if (!seg[i].write) {
			memcpy(p->frame + done, seg[i].ptr, seg[i].len);
			done += seg[i].len;
		}
	}
	return done - VNET_HDR_BYTES;
}

/*
 * Send the chains client port @p w made available: at most a queue's
 * worth per call. A driver that keeps the ring full from another vCPU
 * while this loop runs would otherwise hold it (and so every other
 * client's MMIO access) for as long as it likes; without
 * VIRTIO_F_EVENT_IDX a chain past the budget goes at the kick that
 * follows its making available (§2.7.13.4: the driver notifies after
 * adding buffers). With it the driver does not notify buffers it adds
 * while the device works on the queue (virtq_pop() publishes avail_event
 * only when it finds the queue empty), so those chains are sent on the
 * service's own timer, a millisecond later (VNET_TX_RESUME_DIV).
 */
static void client_tx(struct vnet_service *p, uint32_t w)
{
	struct vnet_dev *dev = &p->dev[w];
	bool sent = false, drained = false;
	uint32_t budget = p->st->dev[w].queue[VNET_TXQ].num;

	dev->tx_more = false;
	for (; budget != 0; budget--) {
		struct virtq_seg seg[VNET_SEG_MAX];
		struct virtq_chain ch;
		uint32_t len = 0;

		/* One transaction per chain: pop, copy, used entry. */
		txn_begin(p, w);
		int rc =
			virtq_pop(&dev->vdev, VNET_TXQ, &ch, seg, VNET_SEG_MAX);

		if (rc != VIRTQ_POPPED && rc != VIRTQ_ERR_SEGS) {
			txn_commit(p);
			drained = true;
			break;
		}
		if (rc == VIRTQ_POPPED) {
			len = gather(p, seg, &ch);
		}
		crash_point(p, VNET_CRASH_TX_POPPED);
		/* The frame is copied: the buffer goes back at once. */
		(void)virtq_push(&dev->vdev, VNET_TXQ, ch.head, 0);
		crash_point(p, VNET_CRASH_TX_PUBLISHED);
		txn_commit(p);
		sent = true;
		if (len == 0) {
			drop(p, w, VNET_DROP_MALFORMED, NULL, 0);
			continue;
		}
		switch_frame(p, w, len);
	}
	if (!drained && sent &&
	    (p->st->dev[w].driver_features & VIRTIO_F_EVENT_IDX) != 0) {
		dev->tx_more = true;
		(void)ipc_timer_by(&p->srv,
				   ipc_now() + ipc_ticks_per_sec() /
						       VNET_TX_RESUME_DIV);
	}
	if (sent) {
		txn_begin(p, w);
		(void)virtq_signal(&dev->vdev, VNET_TXQ);
		txn_commit(p);
	}
	if (p->tx_kick) {
		p->tx_kick = false;
		virtio_drv_kick(&p->drv, VNET_TXQ);
	}
}

/* --- The uplink ------------------------------------------------------------- */

static bool post_rx(struct vnet_service *p, uint16_t slot)
{
	struct virtio_drv_buf buf = {
		.pa = p->rx_pa + (uint64_t)slot * VNET_BUF_BYTES,
		.len = VNET_BUF_BYTES,
		.device_writes = true,
	};
	uint16_t head;

	if (virtio_drv_submit(&p->drv, VNET_RXQ, &buf, 1, &head) !=
	    VIRTIO_DRV_OK) {
		return false;
	}
	p->rx_slot[head] = slot;
	return true;
}

static void uplink_rx(struct vnet_service *p)
{
	uint16_t head;
	uint32_t len;

	while (virtio_drv_harvest(&p->drv, VNET_RXQ, &head, &len) ==
	       VIRTIO_DRV_OK) {
		uint16_t slot = p->rx_slot[head];

		if (len >= VNET_HDR_BYTES + VNET_ETH_HDR_BYTES &&
		    len <= sizeof(p->frame)) {
			memcpy(p->frame, vnet_rx_buf[slot], len);
			switch_frame(p, VNET_UPLINK, len - VNET_HDR_BYTES);
		} else {
			drop(p, VNET_UPLINK, VNET_DROP_MALFORMED, NULL, 0);
		}
		(void)post_rx(p, slot);
	}
	virtio_drv_kick(&p->drv, VNET_RXQ);
	if (p->tx_kick) {
		p->tx_kick = false;
		virtio_drv_kick(&p->drv, VNET_TXQ);
	}
}

static int uplink_up(struct vnet_service *p)
{
	int rc = virtio_drv_probe(&p->drv,
				  VNET_PHYS_PAGE_IPA + VNET_PHYS_SLOT_OFFSET,
				  VIRTIO_ID_NET, ipc_translate);

	/* No offloads, no merged buffers: 12-byte headers, whole frames. */
	if (rc == VIRTIO_DRV_OK) {
		rc = virtio_drv_init(&p->drv, 0);
	}
	if (rc == VIRTIO_DRV_OK) {
		rc = virtio_drv_queue_setup(&p->drv, VNET_RXQ, vnet_rx_ring,
					    sizeof(vnet_rx_ring),
					    VNET_PHYS_ENTRIES);
	}
	if (rc == VIRTIO_DRV_OK) {
		rc = virtio_drv_queue_setup(&p->drv, VNET_TXQ, vnet_tx_ring,
					    sizeof(vnet_tx_ring),
					    VNET_PHYS_ENTRIES);
	}
	if (rc != VIRTIO_DRV_OK) {
		return rc;
	}
	/* A sent frame's buffer is taken back when the free ones run out
	 * (to_uplink()) or at a receive interrupt: a used-buffer interrupt
	 * of the transmit queue would only be a round trip to this service
	 * from whichever VM runs when it comes (§2.7.7: a hint; QEMU
	 * honours it). */
	virtio_drv_queue_interrupts(&p->drv, VNET_TXQ, false);
	if (ipc_translate((uintptr_t)vnet_rx_buf, sizeof(vnet_rx_buf),
			  &p->rx_pa) != IPC_OK ||
	    ipc_translate((uintptr_t)vnet_tx_buf, sizeof(vnet_tx_buf),
			  &p->tx_pa) != IPC_OK) {
		return VIRTIO_DRV_ERR_DMA;
	}
	virtio_drv_driver_ok(&p->drv);
	for (uint16_t s = 0; s < VNET_PHYS_ENTRIES; s++) {
		(void)post_rx(p, s);
		p->tx_free[s] = s;
	}
	p->tx_free_count = VNET_PHYS_ENTRIES;
	virtio_drv_kick(&p->drv, VNET_RXQ);
	return VIRTIO_DRV_OK;
}

static void vnet_notify(void *ctx, uint64_t bits)
{
	struct vnet_service *p = ctx;

	if (bits & IRQ_NOTIFY_BIT(VNET_PHYS_INTID)) {
		if (p->sw.uplink) {
			(void)virtio_drv_irq_ack(&p->drv);
			if (virtio_drv_needs_reset(&p->drv)) {
				ipc_log("vnet: uplink needs a reset: "
					"resetting\n");
				p->sw.uplink = uplink_up(p) == VIRTIO_DRV_OK;
			} else {
				uplink_reap_tx(p);
				uplink_rx(p);
			}
		}
		(void)ipc_irq_ack(VNET_PHYS_INTID);
	}
}

/* The timer client_tx() set: send what waited past a budget. */
static void vnet_timer(void *ctx, uint64_t deadline, uint64_t now)
{
	struct vnet_service *p = ctx;

	(void)deadline;
	(void)now;
	for (uint32_t w = 0; w < p->dev_count; w++) {
		if (p->dev[w].tx_more) {
			client_tx(p, w);
		}
	}
}

/* --- The virtual devices ---------------------------------------------------- */

/*
 * A register access of client port @p w now: true if another client made
 * one within the last 1 / VNET_SHARED_DIV s (the service is shared). Every
 * access is recorded here.
 */
static bool note_access(struct vnet_service *p, uint32_t w, uint64_t now)
{
	bool shared =
		p->last_port != w &&
		now - p->last_access < ipc_ticks_per_sec() / VNET_SHARED_DIV;

	p->last_port = w;
	p->last_access = now;
	return shared;
}

/* Serve a transmit kick of client port @p w now, or batch it on the timer
 * while the service is @p shared (VNET_SHARED_DIV). */
static void client_kicked_tx(struct vnet_service *p, uint32_t w, bool shared,
			     uint64_t now)
{
	struct vnet_dev *dev = &p->dev[w];

	/* Without VIRTIO_F_EVENT_IDX the driver kicks for every chain:
	 * each kick is an exit anyway, so it is served in it. */
	if (!shared ||
	    (p->st->dev[w].driver_features & VIRTIO_F_EVENT_IDX) == 0) {
		client_tx(p, w);
		return;
	}
	/* A chain left to the resume timer goes with this batch too. */
	dev->tx_more = true;
	(void)ipc_timer_by(&p->srv,
			   now + ipc_ticks_per_sec() / VNET_TX_BATCH_DIV);
}

static int vnet_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct vnet_service *p = ctx;

	if (a->window >= p->dev_count) {
		return IPC_ERR_ABORT;
	}
	struct vnet_dev *dev = &p->dev[a->window];

	txn_begin(p, a->window);
	(void)virtio_mmio_access(&dev->vdev, a);
	txn_commit(p);
	uint64_t now = ipc_now();
	bool shared = note_access(p, a->window, now);

	if (dev->kicked_tx) {
		dev->kicked_tx = false;
		client_kicked_tx(p, a->window, shared, now);
	}
	return IPC_OK;
}

/* Kicks that rang doorbells (setup_dev()): as QueueNotify stores. */
static void vnet_doorbell(void *ctx, uint64_t windows)
{
	struct vnet_service *p = ctx;
	uint64_t now = ipc_now();

	for (uint32_t w = 0; w < p->dev_count; w++) {
		struct vnet_dev *dev = &p->dev[w];

		if (((windows >> w) & 1U) == 0) {
			continue;
		}
		if (!dev->rang) {
			dev->rang = true;
			ipc_log("vnet: %s: kicks ring the doorbell (this "
				"service runs on an idle CPU)\n",
				dev->name);
		}
		virtio_dev_doorbell(&dev->vdev);
		bool shared = note_access(p, w, now);

		if (dev->kicked_tx) {
			dev->kicked_tx = false;
			client_kicked_tx(p, w, shared, now);
		}
	}
}

static uint32_t vnet_config_read(void *ctx, uint32_t offset, uint8_t width)
{
	const struct vnet_dev *dev = ctx;
	uint8_t cfg[VNET_CFG_BYTES] = { 0 };
	uint32_t v = 0;

	/* Config space (§5.1.4): mac[6], then status (0). */
	vnet_mac_of(dev->client, cfg);
	if (offset < VNET_CFG_BYTES && width <= VNET_CFG_BYTES - offset) {
		memcpy(&v, cfg + offset, width);
	}
	return v;
}

static void vnet_queue_notify(void *ctx, uint32_t queue)
{
	struct vnet_dev *dev = ctx;

	/* A new receive buffer needs nothing: frames never wait for one. */
	if (queue == VNET_TXQ) {
		dev->kicked_tx = true;
	}
}

static void vnet_set_irq(void *ctx, bool level)
{
	const struct vnet_dev *dev = ctx;

	(void)ipc_irq_level(dev->client, VNET_GUEST_INTID, level);
}

static void vnet_client_reset(void *ctx, uint32_t client)
{
	struct vnet_service *p = ctx;

	for (uint32_t w = 0; w < p->dev_count; w++) {
		if (p->dev[w].client == client) {
			txn_begin(p, w);
			virtio_dev_reset(&p->dev[w].vdev);
			txn_commit(p);
		}
	}
}

/* --- Start ------------------------------------------------------------------ */

/* Bind client port @p w's device to its state, kept (after a restart)
 * or reset. */
static void setup_dev(struct vnet_service *p, uint32_t w, bool kept)
{
	struct vnet_dev *dev = &p->dev[w];
	uint64_t size;

	(void)ipc_window_info(&p->srv, w, &size, &dev->client);
	if (ipc_client_name(w, dev->name) != IPC_OK) {
		dev->name[0] = '\0';
	}
	vnet_mac_of(dev->client, p->sw.mac[w]);
	if (virtio_gmem_from_grants(&dev->gmem, dev->client) <= 0) {
		ipc_log("vnet: %s: no memory granted: its device stays "
			"broken\n",
			dev->name);
	}
	dev->ops = (struct virtio_dev_ops){
		.device_id = VIRTIO_ID_NET,
		/* EVENT_IDX (§2.7.10): a driver need not notify buffers
		 * added while the device works, nor be interrupted for
		 * each used one. */
		.features = VNET_F_MAC | VIRTIO_F_EVENT_IDX,
		.queue_count = VNET_QUEUES,
		.queue_max = VNET_QUEUE_MAX,
		.config_size = VNET_CFG_BYTES,
		.config_read = vnet_config_read,
		.notify = vnet_queue_notify,
		.set_irq = vnet_set_irq,
	};
	virtio_dev_bind(&dev->vdev, &p->st->dev[w], &dev->ops, dev, &dev->gmem);
	/* The register shadow page (HYP_IPC_WINDOW_INFO x4), rewritten whole
	 * from the state, kept across a restart; InterruptStatus kept by the
	 * kernel, so that a client's InterruptACK costs no switch. */
	virtio_dev_kernel_isr(&dev->vdev, w);
	virtio_dev_shadow(&dev->vdev, (volatile uint32_t *)(uintptr_t)
					      ipc_window_shadow(&p->srv, w));
	/* QueueNotify a doorbell: a kick costs the client no switch when
	 * the service can run on an idle CPU (refused: kicks stay messages,
	 * served in vnet_mmio()). */
	(void)virtio_dev_kernel_doorbell(&dev->vdev, w);
	if (kept) {
		return;
	}
	virtio_dev_reset(&dev->vdev);
	ipc_log("vnet: %s: port %u", dev->name, w);
	log_mac(", MAC ", p->sw.mac[w]);
	ipc_log("\n");
}

/* Split virtqueue layout (§2.7.6, §2.7.8): avail = le16 flags, le16 idx,
 * le16 ring[num]; used = le16 flags, le16 idx, {le32 id, le32 len}[num]. */
#define VRING_IDX_OFFSET 2U
#define VRING_RING_OFFSET 4U
#define VRING_AVAIL_ENTRY_BYTES 2U
#define VRING_USED_ENTRY_BYTES 8U

/*
 * After a restart: a chain whose used entry the guest already sees (its
 * used->idx one ahead of the kept one) but whose transaction was rolled
 * back (the crash came between the two) was used: keep it so, or the
 * guest would get that entry again for a buffer it may have reused. The
 * entry must name the head the kept avail position names (every chain
 * this service pops is used in the same transaction).
 */
static void reconcile(struct vnet_service *p, uint32_t w, uint32_t qi)
{
	struct vnet_dev *dev = &p->dev[w];
	struct virtq_state *q = &p->st->dev[w].queue[qi];

	if (!q->ready || q->num == 0 || (q->num & (q->num - 1U)) != 0 ||
	    q->last_avail != q->used_idx) {
		return;
	}
	uint32_t at = q->used_idx & (q->num - 1U);
	const uint8_t *idx =
		virtio_gmem_ptr(&dev->gmem, q->used + VRING_IDX_OFFSET, 2);
	const uint8_t *elem =
		virtio_gmem_ptr(&dev->gmem,
				q->used + VRING_RING_OFFSET +
					VRING_USED_ENTRY_BYTES * at,
				4);
	const uint8_t *avail =
		virtio_gmem_ptr(&dev->gmem,
				q->avail + VRING_RING_OFFSET +
					VRING_AVAIL_ENTRY_BYTES * at,
				2);
	uint16_t guest_idx, head;
	uint32_t id;

	if (idx == NULL || elem == NULL || avail == NULL) {
		return;
	}
	memcpy(&guest_idx, idx, sizeof(guest_idx));
	memcpy(&id, elem, sizeof(id));
	memcpy(&head, avail, sizeof(head));
	if (guest_idx != (uint16_t)(q->used_idx + 1U) || id != head) {
		return;
	}
	txn_begin(p, w);
	q->last_avail++;
	q->used_idx++;
	txn_commit(p);
	ipc_log("vnet: %s: queue %u: entry %u was used before the crash\n",
		dev->name, qi, id);
}

/* After a restart: each running device goes on where it was; an
 * interrupt lost in the crash is raised again (a spurious one is
 * harmless), and transmit chains that waited are sent. */
static void resume_dev(struct vnet_service *p, uint32_t w)
{
	struct vnet_dev *dev = &p->dev[w];

	if (virtio_dev_running(&dev->vdev)) {
		reconcile(p, w, VNET_RXQ);
		reconcile(p, w, VNET_TXQ);
	}
	virtio_dev_sync_irq(&dev->vdev);
	if (!virtio_dev_running(&dev->vdev)) {
		return;
	}
	txn_begin(p, w);
	(void)virtq_signal(&dev->vdev, VNET_RXQ);
	(void)virtq_signal(&dev->vdev, VNET_TXQ);
	txn_commit(p);
	client_tx(p, w);
}

/* The kept state: true if it is from before a restart. */
static bool open_state(struct vnet_service *p, const struct ipc_self *self)
{
	uint64_t layout = VNET_STATE_VERSION << VNET_STATE_VERSION_SHIFT |
			  sizeof(struct vnet_state);
	enum ipc_journal_found found =
		ipc_journal_open(&p->journal, self->kept, self->kept_size,
				 sizeof(struct vnet_state), layout);

	p->journaled = found != IPC_JOURNAL_TOO_SMALL;
	p->st = p->journaled ? (struct vnet_state *)p->journal.state
			     : &vnet_volatile_state;
	if (!p->journaled) {
		ipc_log("vnet: no kept RAM for the devices: a restart resets "
			"them\n");
	}
	return self->restarts != 0 &&
	       (found == IPC_JOURNAL_KEPT || found == IPC_JOURNAL_ROLLED_BACK);
}

void service_main(void)
{
	struct vnet_service *p = &vnet;
	struct ipc_self self = { 0 };
	int rc;

	if (ipc_server_init(&p->srv) != IPC_OK || p->srv.window_count == 0 ||
	    ipc_register_mmio(&p->srv, IPC_WINDOW_ALL, vnet_mmio, p) !=
		    IPC_OK) {
		ipc_log("vnet: no window to serve\n");
		return;
	}
	(void)ipc_self_info(&self);
	p->restarts = self.restarts;
	p->dev_count = p->srv.window_count < VNET_MAX_CLIENTS
			       ? p->srv.window_count
			       : VNET_MAX_CLIENTS;
	p->sw.count = p->dev_count;
	bool kept = open_state(p, &self);

	for (uint32_t w = 0; w < p->dev_count; w++) {
		setup_dev(p, w, kept);
	}
	/* The uplink is reset and set up afresh: frames in flight are lost. */
	rc = uplink_up(p);
	p->sw.uplink = rc == VIRTIO_DRV_OK;
	if (kept) {
		ipc_log("vnet: restart %u: devices kept, uplink %s\n",
			self.restarts, p->sw.uplink ? "reset" : "down");
		for (uint32_t w = 0; w < p->dev_count; w++) {
			resume_dev(p, w);
		}
	} else if (p->sw.uplink) {
		ipc_log("vnet: uplink at 0x%lx up, %u client(s)\n",
			VNET_PHYS_PAGE_IPA + VNET_PHYS_SLOT_OFFSET,
			p->dev_count);
	} else {
		ipc_log("vnet: uplink at 0x%lx: %s\n",
			VNET_PHYS_PAGE_IPA + VNET_PHYS_SLOT_OFFSET,
			virtio_drv_strerror(rc));
	}
	ipc_on_notify(&p->srv, vnet_notify, p);
	ipc_on_doorbell(&p->srv, vnet_doorbell, p);
	ipc_on_timer(&p->srv, vnet_timer, p);
	ipc_on_client_reset(&p->srv, vnet_client_reset, p);
	/* A restart may find the line masked from before: unmask it. */
	(void)ipc_irq_ack(VNET_PHYS_INTID);
	ipc_serve(&p->srv);
}
