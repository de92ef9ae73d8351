"""Issue 16: a client VM resets (PSCI SYSTEM_RESET) while its reads are on
the physical disk. The vblk service hears of the reset (IPC_MSG_RESET)
before the client runs again, and must make sure the disk writes no more
into the client's RAM: it waits for those requests, within a bound, and
else resets the disk (virtio 1.2 §2.4) and resends the other clients'
requests. The disk is slowed with QEMU's I/O throttling so that the reads
outlast the reset by seconds (guests/tests/vblkreset.c: a canary written
over the read buffers after the reset must stay intact)."""
from conftest import run_guest_test
from test_vblk import DISK_BYTES, MODERN

# The guest's 16 reads of 128 KiB take 4 s at this rate.
THROTTLE_IOPS = 4


def throttled_disk_args(image):
    return MODERN + [
        '-drive', 'file=%s,format=raw,if=none,id=hd0,throttling.iops-read=%d'
        % (image, THROTTLE_IOPS),
        '-device', 'virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.31']


def test_reset_client_gets_no_dma_after_its_reset(boot, tmp_path):
    image = tmp_path / 'disk.img'
    image.write_bytes(b'D' * DISK_BYTES)
    m = run_guest_test(boot, 'test-vblk-reset', extra=throttled_disk_args(image))
    out = m.output()
    assert '[test] vblkreset: run 0: 16 reads of 128 KiB in flight, resetting' in out
    assert '[test] vblkreset: run 1: no byte written after the reset' in out
    assert '[test] vblkreset: run 1: the disk still reads' in out
    # The reads outlast the service's wait: it reset the disk.
    assert ('[vblk] vblk: test: reset with requests on the disk: '
            'resetting the disk') in out
