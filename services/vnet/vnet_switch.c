/**
 * The vnet switch's forwarding decision (vnet/vnet_switch.h).
 */
#include "vnet/vnet_switch.h"

#include <string.h>

/** I/G bit of the first octet: a group (broadcast/multicast) address
 * (IEEE 802-2014 §8.2). */
#define VNET_MAC_GROUP 0x01U

void vnet_mac_of(uint32_t vm_id, uint8_t mac[VNET_MAC_BYTES])
{
	static const uint8_t prefix[VNET_MAC_BYTES - 1] = VNET_MAC_PREFIX;

	memcpy(mac, prefix, sizeof(prefix));
	mac[VNET_MAC_BYTES - 1] = (uint8_t)vm_id;
}

/* The client port owning @p mac, or -1. */
static int owner(const struct vnet_switch *sw, const uint8_t *mac)
{
	for (uint32_t p = 0; p < sw->count; p++) {
		if (memcmp(sw->mac[p], mac, VNET_MAC_BYTES) == 0) {
			return (int)p;
		}
	}
	return -1;
}

/* Every port but @p from. */
static uint32_t all_but(const struct vnet_switch *sw, uint32_t from)
{
	uint32_t m = sw->count == 0 ? 0 : VNET_PORT_BIT(sw->count) - 1U;

	if (sw->uplink) {
		m |= VNET_PORT_BIT(VNET_UPLINK);
	}
	return m & ~VNET_PORT_BIT(from);
}

enum vnet_verdict vnet_route(const struct vnet_switch *sw, uint32_t from,
			     const uint8_t *frame, uint32_t len, uint32_t *to)
{
	*to = 0;
	if (len < VNET_ETH_HDR_BYTES) {
		return VNET_DROP_SHORT;
	}
	if (from != VNET_UPLINK &&
	    (from >= sw->count || memcmp(frame + VNET_ETH_SRC, sw->mac[from],
					 VNET_MAC_BYTES) != 0)) {
		return VNET_DROP_SPOOF;
	}
	if (frame[0] & VNET_MAC_GROUP) {
		*to = all_but(sw, from);
		return VNET_FORWARD;
	}
	int p = owner(sw, frame);

	if (p >= 0) {
		*to = VNET_PORT_BIT(p) & ~VNET_PORT_BIT(from);
		return VNET_FORWARD;
	}
	if (from == VNET_UPLINK) {
		return VNET_DROP_UNKNOWN;
	}
	if (sw->uplink) {
		*to = VNET_PORT_BIT(VNET_UPLINK);
	}
	return VNET_FORWARD;
}
