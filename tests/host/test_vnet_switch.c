/**
 * cmocka tests of the vnet service's switch (services/vnet/vnet_switch.c):
 * MAC assignment, anti-spoofing, and where unicast, broadcast and
 * multicast frames from clients and from the uplink go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vnet/vnet_switch.h"

#define VM_A 3U
#define VM_B 4U
#define FRAME_BYTES 60U

static const uint8_t bcast[VNET_MAC_BYTES] = { 0xff, 0xff, 0xff,
					       0xff, 0xff, 0xff };
/* An IPv6 all-nodes multicast group (I/G bit set). */
static const uint8_t mcast[VNET_MAC_BYTES] = { 0x33, 0x33, 0, 0, 0, 1 };
static const uint8_t gateway[VNET_MAC_BYTES] = { 0x52, 0x55, 0x0a,
						 0x00, 0x02, 0x02 };
static struct vnet_switch sw;
static uint8_t frame[FRAME_BYTES];

static int setup(void **state)
{
	(void)state;
	memset(&sw, 0, sizeof(sw));
	sw.count = 2;
	sw.uplink = true;
	vnet_mac_of(VM_A, sw.mac[0]);
	vnet_mac_of(VM_B, sw.mac[1]);
	return 0;
}

static void make(const uint8_t *dst, const uint8_t *src)
{
	memset(frame, 0, sizeof(frame));
	memcpy(frame, dst, VNET_MAC_BYTES);
	memcpy(frame + VNET_ETH_SRC, src, VNET_MAC_BYTES);
}

static void test_mac_from_vm_id(void **state)
{
	static const uint8_t want[VNET_MAC_BYTES] = { 0x02, 0x74, 0x68,
						      0x79, 0x00, 0x03 };
	(void)state;
	assert_memory_equal(sw.mac[0], want, VNET_MAC_BYTES);
	/* Locally administered unicast. */
	assert_int_equal(sw.mac[0][0] & 0x03, 0x02);
}

static void test_unicast_to_the_owner(void **state)
{
	uint32_t to;

	(void)state;
	make(sw.mac[1], sw.mac[0]);
	assert_int_equal(vnet_route(&sw, 0, frame, FRAME_BYTES, &to),
			 VNET_FORWARD);
	assert_int_equal(to, VNET_PORT_BIT(1));
	make(gateway, sw.mac[0]);
	assert_int_equal(vnet_route(&sw, 0, frame, FRAME_BYTES, &to),
			 VNET_FORWARD);
	assert_int_equal(to, VNET_PORT_BIT(VNET_UPLINK));
	/* To itself: nowhere. */
	make(sw.mac[0], sw.mac[0]);
	assert_int_equal(vnet_route(&sw, 0, frame, FRAME_BYTES, &to),
			 VNET_FORWARD);
	assert_int_equal(to, 0);
}

static void test_spoofed_source_dropped(void **state)
{
	uint32_t to = 0xffU;

	(void)state;
	make(bcast, sw.mac[1]); /* A sends with B's MAC */
	assert_int_equal(vnet_route(&sw, 0, frame, FRAME_BYTES, &to),
			 VNET_DROP_SPOOF);
	assert_int_equal(to, 0);
	make(sw.mac[1], gateway);
	assert_int_equal(vnet_route(&sw, 0, frame, FRAME_BYTES, &to),
			 VNET_DROP_SPOOF);
	/* A port that does not exist never sends. */
	make(bcast, sw.mac[0]);
	assert_int_equal(vnet_route(&sw, 5, frame, FRAME_BYTES, &to),
			 VNET_DROP_SPOOF);
}

static void test_group_to_every_other_port(void **state)
{
	uint32_t to;

	(void)state;
	make(bcast, sw.mac[0]);
	assert_int_equal(vnet_route(&sw, 0, frame, FRAME_BYTES, &to),
			 VNET_FORWARD);
	assert_int_equal(to, VNET_PORT_BIT(1) | VNET_PORT_BIT(VNET_UPLINK));
	make(mcast, gateway);
	assert_int_equal(vnet_route(&sw, VNET_UPLINK, frame, FRAME_BYTES, &to),
			 VNET_FORWARD);
	assert_int_equal(to, VNET_PORT_BIT(0) | VNET_PORT_BIT(1));
	/* No uplink: clients only. */
	sw.uplink = false;
	make(bcast, sw.mac[1]);
	assert_int_equal(vnet_route(&sw, 1, frame, FRAME_BYTES, &to),
			 VNET_FORWARD);
	assert_int_equal(to, VNET_PORT_BIT(0));
}

static void test_from_uplink(void **state)
{
	uint32_t to;

	(void)state;
	/* The uplink may send any source MAC: it is the outside world. */
	make(sw.mac[1], gateway);
	assert_int_equal(vnet_route(&sw, VNET_UPLINK, frame, FRAME_BYTES, &to),
			 VNET_FORWARD);
	assert_int_equal(to, VNET_PORT_BIT(1));
	make(gateway, gateway);
	assert_int_equal(vnet_route(&sw, VNET_UPLINK, frame, FRAME_BYTES, &to),
			 VNET_DROP_UNKNOWN);
	assert_int_equal(to, 0);
}

static void test_short_frame(void **state)
{
	uint32_t to;

	(void)state;
	make(bcast, sw.mac[0]);
	assert_int_equal(vnet_route(&sw, 0, frame, VNET_ETH_HDR_BYTES - 1, &to),
			 VNET_DROP_SHORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mac_from_vm_id, setup),
		cmocka_unit_test_setup(test_unicast_to_the_owner, setup),
		cmocka_unit_test_setup(test_spoofed_source_dropped, setup),
		cmocka_unit_test_setup(test_group_to_every_other_port, setup),
		cmocka_unit_test_setup(test_from_uplink, setup),
		cmocka_unit_test_setup(test_short_frame, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
