"""Issue 16: the vblk service dies right after publishing a used entry,
before its commit, while its client, on another CPU, has already acted on
it (scenario test-vblk-reuse: image vblk-faultinject-published, crashing
10 ms after every 4th used entry; the guest guests/tests/vblkreuse.c on
the second CPU, the service on the first). The restarted instance must
recognise that completion as done (services/vblk, reconcile()): done
again, the read would land in the buffer the guest now writes from, or
its used entry would take the slot of the guest's next request. It must
also raise the entry's interrupt again, rolled back with it."""
import re

from test_vblk import SECTOR, disk_args

DISK_SECTORS = 8192


def test_client_acting_on_a_completion_before_the_crash(boot, tmp_path):
    image = tmp_path / 'disk.img'
    # Every byte of sector n is n's low byte (the guest reads sectors 8..).
    image.write_bytes(b''.join(bytes([n & 0xff]) * SECTOR for n in range(DISK_SECTORS)))
    m = boot('test-vblk-reuse', smp=2, extra=disk_args(image))
    m.expect(r'\[test\] TEST RESULT: (PASS|FAIL[^\r\n]*)')
    out = m.output()
    assert '[test] TEST RESULT: PASS' in out, out
    assert '[test] vblkreuse: 16 rounds, buffers reused at once, data intact' in out
    # The case happened: a completion the guest saw was rolled back.
    assert re.search(r'\[vblk\] vblk: test: request \d+ was completed before the crash', out)
    m.expect(r'hyp: no guest left running: powering off')
    assert m.wait_exit() == 0
    assert 'TEST CHECK FAILED' not in m.output()
