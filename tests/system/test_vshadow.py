"""Issue 16, item 5: a virtio-mmio window's register shadow page.

The guest (guests/tests/vshadow.c, configs/vblk) reads its virtual
virtio-blk's registers from the read-only page the vblk service keeps
current: identity, features for both selector values, queues, Status
after each write, InterruptStatus after a completed read; a write to the
read-only MagicValue still goes to the service and changes nothing. Its
1000 reads of InterruptStatus cost no exit: the kernel's count of the
guest's MMIO exits, logged when it stops, stays below 1000 (each read was
an exit before). With the fault-injecting service the registers read right
after the service was restarted several times.
"""
import re

from conftest import run_guest_test
from test_vblk import disk_args, make_disk

READS = 1000


def mmio_exits(out):
    m = re.search(r"hyp: vm 'test' exits: (\d+) MMIO", out)
    assert m, 'no exit count for the guest'
    return int(m.group(1))


def test_registers_read_from_the_shadow_without_exits(boot, tmp_path):
    m = run_guest_test(boot, 'test-vshadow', extra=disk_args(make_disk(tmp_path)))
    out = m.output()
    assert '[test] vshadow: identity, features, queues and status read' in out
    assert '[test] vshadow: InterruptStatus after a completed read: 1' in out
    assert '[test] vshadow: %d reads of InterruptStatus' % READS in out
    assert '[test] vshadow: 40 requests, registers read again' in out
    # The writes (selectors, Status, queue set-up, 41 notifies and
    # acknowledgements) exit; none of the reads does.
    assert mmio_exits(out) < READS


def test_registers_right_after_service_restarts(boot, tmp_path):
    m = run_guest_test(boot, 'test-vshadow-crash',
                       extra=disk_args(make_disk(tmp_path)))
    out = m.output()
    restarts = re.findall(r"service 'vblk' restarted from its image", out)
    assert len(restarts) >= 2
    assert '[test] vshadow: 40 requests, registers read again' in out
    assert mmio_exits(out) < READS
