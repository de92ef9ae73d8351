"""Issue 16 acceptance: malformed-ring guests (bare-metal) get errors while
a second VM's disk keeps working.

One vblk service (layout vblk-halves) serves two VMs: "test"
(guests/tests/vblkhostile.c) breaks every rule of virtio it can, one attack
after the other, and must see DEVICE_NEEDS_RESET or an error status for
each; "test2" (guests/tests/vblkgood.c) writes and reads back its blocks
meanwhile. The service never restarts, both VMs pass, and the image holds
exactly what the good VM last wrote in its half.
"""
import re

from test_vblk import DISK_BYTES, SECTOR, disk_args, make_disk

HALF = 2048
SPAN = 32
ROUNDS = 384
PATTERN_SECTOR = 7

RESETS = [
    'avail idx past the queue size',
    'head index >= queue size',
    'next index >= queue size',
    'descriptor loop',
    'indirect chain longer than its table (loop)',
    'head made available twice while in flight',
    "buffer in the service's RAM",
    'buffer where the service sees grants',
    "buffer on the physical disk's registers",
    'buffer across the end of its RAM',
    'buffer below its RAM',
    'huge length',
    'wrapping address',
    "descriptor table in the service's RAM",
    'queue size not a power of 2',
    'queue size above QueueNumMax',
    'queue ready before FEATURES_OK',
    'DRIVER_OK without FEATURES_OK',
]

STATUSES = [
    ('header in a device-writable descriptor', 1),
    ('read at its capacity', 1),
    ('write at its capacity', 1),
    ('write across its end', 1),
    ('read at sector 2^64-1', 1),
    (r'write at sector 2^55 (x512 wraps)', 1),
    ('write of half a sector', 1),
    ('flush', 0),
    ('GET_ID', 0),
    ('unsupported type', 2),
    ('write whose data is device-writable', 1),
    ('read after a notify storm', 0),
]


def good_sector(n):
    r = ROUNDS - SPAN + n
    seed = (r * 31 + n) & 0xff
    return bytes((seed + i * 3) & 0xff for i in range(SECTOR))


def test_hostile_guest_gets_errors_and_good_vm_disk_works(boot, tmp_path):
    image = make_disk(tmp_path)
    m = boot('test-vblk-hostile', extra=disk_args(image), timeout_scale=4)
    m.expect(r'(?m)^hyp: no guest left running: powering off')
    rc = m.wait_exit()
    out = m.output()
    print(out)
    for what in RESETS:
        assert '[test] hostile: %s: DEVICE_NEEDS_RESET' % what in out, what
    for what, status in STATUSES:
        assert ('[test] hostile: %s: used entry, status %d'
                % (what, status)) in out, what
    for what in ('chain longer than seg_max', 'read-only status byte'):
        assert '[test] hostile: %s: used entry, len 0, status 0xff' % what in out
    assert "[test] hostile: id 'tinyhyp-test'" in out
    assert ('[test] hostile: descriptors rewritten in flight: used entry, '
            'status 0, data as before') in out
    assert ('[test] hostile: reset with writes in flight, then a read: '
            'used entry, status 0, used idx 1') in out
    assert '[test] hostile: features not offered: FEATURES_OK refused' in out
    assert '[test] TEST RESULT: PASS' in out
    # The good VM worked throughout the attacks, with its data.
    assert '[test2] good: done, %d rounds, 0 bad' % ROUNDS in out
    assert '[test2] TEST RESULT: PASS' in out
    # Its rounds went on during the attacks.
    start = out.index('[test] hostile: start')
    done = out.index('[test] hostile: done')
    rounds = [mo.start() for mo in re.finditer(r'\[test2\] good: round', out)]
    assert any(start < at < done for at in rounds)
    # ... and the service never crashed.
    assert 'restarted from its image' not in out
    assert not re.search(r"service 'vblk' (failed|faulted)", out)
    # The disk: the good VM's half holds what it wrote last, and nothing
    # past its SPAN sectors; the hostile half only its own sectors.
    data = image.read_bytes()
    for n in range(SPAN):
        at = (HALF + n) * SECTOR
        assert data[at:at + SECTOR] == good_sector(n), 'sector %d' % (HALF + n)
    assert data[(HALF + SPAN) * SECTOR:] == bytes(DISK_BYTES - (HALF + SPAN) * SECTOR)
    assert rc == 0


def test_forged_used_entry_across_service_crashes(boot, tmp_path):
    """The restarted service's reconcile() reads the client's used ring:
    a forged entry (id = head in flight + 2^16, used->idx one ahead) must
    not make it write outside its kept records (a fault on every restart,
    the service given up, every client stopped)."""
    image = make_disk(tmp_path)
    m = boot('test-vblk-forge', extra=disk_args(image), timeout_scale=4)
    m.expect(r'(?m)^hyp: no guest left running: powering off')
    rc = m.wait_exit()
    out = m.output()
    print(out)
    assert '[vblk] vblk: fault injection: crashing with a disk completion taken' in out
    assert re.search(r'restart \d+: devices and requests kept', out)
    assert 'not restarted again' not in out
    assert '[test] vblkforge: 120 requests with forged used entries, 0 bad' in out
    assert '[test] TEST RESULT: PASS' in out
    assert rc == 0
