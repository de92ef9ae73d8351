"""Issue 16: VIRTIO_F_EVENT_IDX on the virtio-net service (services/vnet,
libipc's virtq.c; OASIS virtio 1.2 §2.7.10).

VM "test" (guests/tests/vnetevent.c, configs/vnet_event) negotiates it and
notifies only when the device's avail_event asks, as Linux does: the
service interrupts it only for the entry its used_event names (also with
avail->flags NO_INTERRUPT, which the device must then ignore); a whole
queue made available with one notification, then one more chain that
avail_event does not ask to notify, is used all the same (the service
stopped at its budget and comes back by its own timer, not waiting for a
kick that never comes); and while a second vCPU floods the transmit ring,
notifying only when asked, and the first one notifies too, every chain is
used.
"""
import os
import re
import sys

from conftest import run_guest_test

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import hypqemu  # noqa: E402

FLOOD = 20000
# VIRTIO_NET_F_MAC (bit 5) and VIRTIO_F_EVENT_IDX (bit 29).
FEATURES_LOW = (1 << 5) | (1 << 29)


def test_event_idx_spares_notifications_and_loses_none(boot):
    m = run_guest_test(boot, 'test-vnet-event', smp=2, extra=hypqemu.net_args(),
                       timeout_scale=4)
    out = m.output()
    print(out)
    assert '[test] vnetevent: device features 0x%x' % FEATURES_LOW in out
    assert '[test] vnetevent: used_event and avail_event honoured' in out
    assert re.search(r'\[test\] vnetevent: a whole queue in one notification, '
                     r'then one chain \((not )?notified\): used: yes', out)
    m2 = re.search(r'\[test\] vnetevent: flood of (\d+) chains \(0 to go\): '
                   r'(\d+) notified by the feeder, (\d+) by the other vCPU; '
                   r'every chain used without a notification: yes', out)
    assert m2, out
    assert int(m2.group(1)) == FLOOD
    assert int(m2.group(2)) <= FLOOD
    assert '[test] vnetevent: done' in out
    # The service never crashed.
    assert '[vnet] vnet: restart' not in out and 'faulted' not in out
