"""Issue 16: a malformed-ring guest on the virtio-net service (services/vnet)
gets DEVICE_NEEDS_RESET or its frames dropped (counted), while a second VM
of the same service keeps exchanging frames with the uplink.

VM "test" (guests/tests/vnethostile.c) breaks every rule of virtio it can
on both queues of its virtual virtio-net, resetting its device after each
attack and checking its frames flow again; VM "test2"
(guests/tests/vnetgood.c) has every one of its ARP requests to the user
network's gateway answered meanwhile, and every frame it receives carries
the switch's clean header (no offload a sender claimed). The service never
restarts.

test-vnet-shadow: VM "test" (guests/tests/vnetshadow.c) turns its MMU on
and stores every way it can (STP, across the page end, unaligned, DC ZVA,
DC CIVAC/IVAC, LDXR/STXR, LDADD/CAS/SWP; at EL1 and at EL0) on its own
mappings of the window whose register shadow page is mapped read-only.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import hypqemu  # noqa: E402

ROUNDS = 400
PASSES = 3
FLOODS = 4

RESETS = [
    'avail idx past the queue size',
    'head index >= queue size',
    'next index >= queue size',
    'descriptor loop',
    'descriptor loop on a queue longer than seg_max',
    'chain longer than the queue',
    "buffer in the service's RAM",
    'buffer where the service sees grants',
    "buffer on the uplink's registers",
    'buffer across the end of its RAM',
    'buffer below its RAM',
    'length 0xffffffff',
    'wrapping address',
    "receive buffer in the service's RAM",
    'receive buffer across the end of its RAM',
    'receive length 0xffffffff',
    "descriptor table in the service's RAM",
    'queue ready before FEATURES_OK',
    'DRIVER_OK without FEATURES_OK',
]

# Transmit chains given back, their frames dropped (or, for the offload
# header, sent without the offloads).
USED = [
    'chain of more segments than seg_max',
    'frame shorter than a virtio-net header',
    'header without a frame',
    'frame shorter than an Ethernet header',
    'frame longer than 1518 bytes',
    'buffer of 2048 bytes',
    'header with offloads not offered',
    'device-writable transmit buffer',
]


def test_hostile_net_guest_gets_resets_and_good_vm_frames_flow(boot):
    m = boot('test-vnet-hostile', smp=2, extra=hypqemu.net_args(),
             timeout_scale=4)
    m.expect(r'(?m)^hyp: no guest left running: powering off')
    rc = m.wait_exit()
    out = m.output()
    print(out)
    for what in RESETS:
        n = out.count('[test] vnethostile: %s: DEVICE_NEEDS_RESET' % what)
        assert n == PASSES, (what, n)
    for what in USED:
        n = out.count('[test] vnethostile: %s: used entry' % what)
        assert n == PASSES, (what, n)
    assert out.count('[test] vnethostile: receive buffer too small or '
                     'read-only: used entry, len 0') == PASSES
    assert 'no frames after' not in out
    # One kick never holds the service longer than a queue's worth of
    # chains, however fast another vCPU refills the ring.
    fed = re.findall(r'\[test\] vnethostile: ring fed during one kick: '
                     r'(\d+) chains taken in it \((\d+) offered\), '
                     r'device running', out)
    assert len(fed) == PASSES * FLOODS, fed
    assert all(int(n) <= 64 for n, _ in fed), fed
    assert '[test] vnethostile: done' in out
    assert '[test] TEST RESULT: PASS' in out
    # The drops were counted, with the reason.
    assert '[vnet] vnet: test: frame dropped: malformed frame' in out
    # The good VM: every request answered, every header clean.
    assert re.search(r'\[test2\] good: done, %d rounds, %d answered, \d+ '
                     r'frames in, 0 bad headers' % (ROUNDS, ROUNDS), out)
    assert '[test2] TEST RESULT: PASS' in out
    start = out.index('[test] vnethostile: start')
    done = out.index('[test] vnethostile: done')
    rounds = [mo.start() for mo in re.finditer(r'\[test2\] good: round', out)]
    assert any(start < at < done for at in rounds)
    # The service never crashed.
    assert 'restarted from its image' not in out
    assert not re.search(r"service 'vnet' (failed|faulted)", out)
    assert rc == 0


SHADOW_OUTCOMES = [
    ('store through the EL1 mapping', 'no exception, DeviceFeaturesSel 1'),
    ('STP of two words', 'no exception, DeviceFeaturesSel 1'),
    ('store crossing the page end', 'external abort'),
    ('unaligned store', 'no exception, DeviceFeaturesSel 0'),
    ('DC ZVA', 'external abort'),
    ('DC CIVAC', 'no exception, DeviceFeaturesSel 0'),
    ('DC IVAC', 'no exception, DeviceFeaturesSel 0'),
    ('LDXR/STXR', 'external abort'),
    ('LDADD', 'external abort'),
    ('CAS', 'external abort'),
    ('SWP', 'external abort'),
]


def test_shadow_page_stores_forwarded_or_aborted(boot):
    """guests/tests/vnetshadow.c: with its MMU on, stores of every kind on
    its own mappings of the shadowed window, at EL1 and at EL0: forwarded
    at their offset (DeviceFeaturesSel changes) or a synchronous external
    abort; the page still shows the device. -cpu max: the atomics need
    FEAT_LSE (cortex-a57 has none)."""
    m = boot('test-vnet-shadow', smp=2,
             extra=hypqemu.net_args() + ['-cpu', 'max'], timeout_scale=4)
    m.expect(r'(?m)^hyp: no guest left running: powering off')
    rc = m.wait_exit()
    out = m.output()
    print(out)
    for what, outcome in SHADOW_OUTCOMES:
        assert '[test] vnetshadow: %s: %s' % (what, outcome) in out, what
    assert ('[test] vnetshadow: store from EL0: forwarded, '
            'DeviceFeaturesSel 1') in out
    assert 'page wrong' not in out
    assert '[test] vnetshadow: done' in out
    assert '[test] TEST RESULT: PASS' in out
    # The kernel says once what it did not emulate; nothing else.
    assert not re.search(r'hyp: (error|panic)', out)
    assert 'restarted from its image' not in out
    assert '[test2] TEST RESULT: PASS' in out
    assert rc == 0
