"""Issue 16: Debian's Linux boots through the hypervisor with its root
file system on /dev/vda, a virtio-blk disk emulated by the vblk service,
which drives QEMU's virtio-blk (a driver domain). A file written in the
guest is in the image after poweroff (the host's debugfs reads it, e2fsck
finds the file system clean) and there again at the next boot. The
serial number Linux reads (GET_ID) is the service's.

Each test makes its own image with tools/mkrootfs.py in a tmp dir: the
build's build/disk/linux-root.img is never touched."""
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, shell
from test_linux import PROMPT, power_off, shell_value
from test_rootdisk import DEBUGFS, assert_clean

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hypqemu  # noqa: E402

# Four vCPUs under TCG boot slowly (as test_linux).
TIMEOUT_SCALE = 3
DISK_SECTORS = (64 << 20) // 512


@pytest.fixture
def disk(request, tmp_path):
    """A fresh root disk image of the test's own."""
    busybox = os.path.join(request.config.getoption('--build'), 'linux', 'busybox')
    if not os.path.exists(busybox):
        pytest.fail('%s is missing: run scons first' % busybox)
    image = str(tmp_path / 'root.img')
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'mkrootfs.py'),
                    '--busybox', busybox, '--out', image],
                   check=True, stdout=subprocess.DEVNULL)
    return image


def boot_from_vda(boot, image):
    m = boot('linux', timeout_scale=TIMEOUT_SCALE, extra=hypqemu.disk_args(image))
    m.expect(r'\[vblk\] vblk: linux: sectors 0\.\.\+%d of the disk' % DISK_SECTORS)
    m.expect(r'virtio_blk virtio\d+: \[vda\] %d 512-byte logical blocks' % DISK_SECTORS)
    m.expect(r'tinyhyp: root file system on /dev/vda \(rw\)')
    m.expect(r'tinyhyp: busybox shell on Linux 6\.1')
    m.expect(PROMPT)
    mounts = shell(m, 'cat /proc/mounts', 'MOUNTS')
    assert re.search(r'^/dev/vda / ext4 rw', mounts, re.M), mounts
    return m


def test_linux_root_on_vda_and_a_file_survives_a_reboot(boot, disk):
    m = boot_from_vda(boot, disk)
    assert shell_value(m, 'cat /sys/block/vda/serial', 'SERIAL') == 'tinyhyp-linux'
    shell(m, 'echo "written through vblk $((20+22))" > /root/note', 'WRITE')
    power_off(m)
    assert_clean(disk)
    r = subprocess.run([DEBUGFS, '-R', 'cat /root/note', disk], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    assert r.stdout.strip() == 'written through vblk 42', r.stdout

    m = boot_from_vda(boot, disk)
    assert 'written through vblk 42' in shell(m, 'cat /root/note', 'READ')
    power_off(m)
    assert_clean(disk)
