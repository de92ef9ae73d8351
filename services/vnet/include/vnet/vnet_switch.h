#pragma once
/**
 * The vnet service's switch (services/vnet/README.md): which ports an
 * Ethernet frame goes to. Pure C, host-tested (tests/host/test_vnet_switch.c).
 *
 * Ports 0..count-1 are the client VMs' virtual virtio-net devices, each
 * with the MAC the service assigns it (vnet_mac_of(): from its VM id);
 * port VNET_UPLINK is the physical virtio-net device (QEMU's user network).
 *  - a client's frame whose source MAC is not its assigned MAC is dropped
 *    (anti-spoofing: a VM cannot send as another);
 *  - broadcast and multicast (I/G bit of the destination, IEEE 802 §8.2)
 *    go to every other port;
 *  - unicast goes to the client owning the destination MAC, anything else
 *    to the uplink; from the uplink, unicast to a MAC no client owns is
 *    dropped.
 */
#include <stdbool.h>
#include <stdint.h>

#define VNET_MAC_BYTES 6U
/** Destination, source, EtherType (IEEE 802.3 §3.1.1). */
#define VNET_ETH_HDR_BYTES 14U
#define VNET_ETH_SRC 6U
/** Client ports at most (the uplink is one more). */
#define VNET_MAX_CLIENTS 8U
/** The uplink's port number. */
#define VNET_UPLINK VNET_MAX_CLIENTS
/** A set of ports: bit p for port p. */
#define VNET_PORT_BIT(p) (1U << (p))

/**
 * The MAC a client VM gets: 02:74:68:79:00:NN, NN its VM id. 0x02 is a
 * locally administered unicast address (IEEE 802 §8.2: U/L bit set, I/G
 * clear), "thy" in ASCII after it.
 */
#define VNET_MAC_PREFIX                      \
	{                                    \
		0x02, 0x74, 0x68, 0x79, 0x00 \
	}

enum vnet_verdict {
	VNET_FORWARD = 0, /**< To the ports in the mask (may be none). */
	VNET_DROP_SHORT,  /**< Shorter than an Ethernet header. */
	VNET_DROP_SPOOF,  /**< A client's frame with another source MAC. */
	VNET_DROP_UNKNOWN /**< From the uplink to a MAC no client has. */
};

struct vnet_switch {
	uint8_t mac[VNET_MAX_CLIENTS][VNET_MAC_BYTES];
	uint32_t count; /**< Client ports. */
	bool uplink;	/**< The physical device is up. */
};

/** The MAC of client VM @p vm_id (VNET_MAC_PREFIX, then the id's low byte). */
void vnet_mac_of(uint32_t vm_id, uint8_t mac[VNET_MAC_BYTES]);

/**
 * Where the frame (@p len bytes from @p frame) arriving on port @p from
 * goes: the verdict, and in @p to the destination ports (never @p from).
 */
enum vnet_verdict vnet_route(const struct vnet_switch *sw, uint32_t from,
			     const uint8_t *frame, uint32_t len, uint32_t *to);
