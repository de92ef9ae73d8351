"""Issue 16: a virtio-blk ring refilled from a second vCPU while the
service walks it does not hold the service.

VM "test" (guests/tests/vblkflood.c, 2 vCPUs): its second vCPU keeps
GET_ID requests available without notifying (they complete at once, so
the ring never runs dry) while its first vCPU kicks; each kick's share
(the used index after it less the one before) must be at most the queue
size (the service's drain() budget; §2.7.13.4: later requests go at their
own kick). VM "test2" (guests/tests/vblkgood.c) writes and reads back its
blocks on the same service meanwhile. The service never restarts.
"""
import re

from test_vblk import disk_args, make_disk

QNUM = 16
FLOODS = 32
FLOOD = 2000
ROUNDS = 384


def test_ring_refilled_during_a_kick_takes_one_queue_per_kick(boot, tmp_path):
    image = make_disk(tmp_path)
    m = boot('test-vblk-flood', smp=2, extra=disk_args(image),
             timeout_scale=4)
    m.expect(r'(?m)^hyp: no guest left running: powering off')
    rc = m.wait_exit()
    out = m.output()
    print(out)
    floods = re.findall(r'\[test\] vblkflood: flood \d+: (\d+) requests, '
                        r'at most (\d+) in one kick, \d+ kicks, (\d+) bad, '
                        r'device running', out)
    assert len(floods) == FLOODS, floods
    assert all(int(n) == FLOOD and int(bad) == 0 for n, _, bad in floods), floods
    most = max(int(k) for _, k, _ in floods)
    assert most <= QNUM, 'one kick took %d requests' % most
    assert ('[test] vblkflood: done, %d floods, at most %d requests in one '
            'kick (queue size %d)' % (FLOODS, most, QNUM)) in out
    assert '[test] TEST RESULT: PASS' in out
    # The good VM worked throughout, with its data.
    assert '[test2] good: done, %d rounds, 0 bad' % ROUNDS in out
    assert '[test2] TEST RESULT: PASS' in out
    start = out.index('[test] vblkflood: start')
    done = out.index('[test] vblkflood: done')
    rounds = [mo.start() for mo in re.finditer(r'\[test2\] good: round', out)]
    assert any(start < at < done for at in rounds)
    # The service never crashed.
    assert 'restarted from its image' not in out
    assert not re.search(r"service 'vblk' (failed|faulted)", out)
    assert rc == 0
