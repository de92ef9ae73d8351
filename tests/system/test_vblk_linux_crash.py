"""Issue 16, crash consistency: the virtio-blk service dies again and again
in the middle of Linux's writes (scenario linux-vblk-crash: the image
vblk-faultinject-writes crashes at every 16th crash point of a write
request, 16 times per boot) while the guest writes a file of a few MiB to
its root file system on /dev/vda. Each time the kernel restarts the
service from its image; it finds its devices and requests in flight in
its kept RAM and resends them to the disk. Linux sees no I/O error, the
file's checksum is the same after a reboot (and on the host), and the
host's e2fsck finds the file system clean.

The image is the test's own (tools/mkrootfs.py in a tmp dir)."""
import hashlib
import os
import re
import subprocess
import sys

from conftest import ROOT, shell
from test_linux import FATAL, PROMPT
from test_rootdisk import DEBUGFS, assert_clean
from test_vblk_linux import DISK_SECTORS, TIMEOUT_SCALE, disk  # noqa: F401

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hypqemu  # noqa: E402

SCENARIO = 'linux-vblk-crash'
# The file written under the crashes: 4 MiB of random data.
BLOCK = 64 * 1024
BLOCKS = 64
PATH = '/root/big'
# Crashes expected while it is written (the service crashes at most 16
# times per boot, a few of them in the boot's own writes).
MIN_CRASHES_IN_WRITE = 3
RESTART = re.compile(r"service 'vblk' restarted from its image \(restart (\d+) of")
KEPT = re.compile(r'\[vblk\] vblk: restart \d+: devices and requests kept')
# Restarts whose service line may still be on its way when counted.
MAX_LATE_RESTARTS = 2
# What the kernel says about the service's crashes: expected here.
EXPECTED_WARNINGS = re.compile(
    r"service 'vblk' faulted: |service 'vblk' restarted from its image|"
    r"vm 'vblk': vcpu 0: data write at IPA 0x70000000 .* \(reported once\)")
# Linux's words for a failed block request or a damaged file system.
IO_ERRORS = re.compile(r'I/O error|blk_update_request|Buffer I/O error|'
                       r'EXT4-fs error|EXT4-fs warning|JBD2: .*error|'
                       r'virtio_blk .*timeout', re.I)


def boot_from_vda(boot, image):
    m = boot(SCENARIO, timeout_scale=TIMEOUT_SCALE, extra=hypqemu.disk_args(image))
    m.expect(r'\[vblk\] vblk: linux: sectors 0\.\.\+%d of the disk' % DISK_SECTORS)
    m.expect(r'tinyhyp: root file system on /dev/vda \(rw\)')
    m.expect(r'tinyhyp: busybox shell on Linux 6\.1')
    m.expect(PROMPT)
    return m


def md5(m, tag):
    out = shell(m, 'md5sum %s' % PATH, tag)
    found = re.search(r'^([0-9a-f]{32})\s+%s' % re.escape(PATH), out, re.M)
    assert found, out
    return found.group(1)


def power_off_after_crashes(m):
    """poweroff; the only warnings are those of the injected crashes."""
    m.child.sendline('poweroff')
    m.expect(r"hyp: vm 'linux' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
    out = m.output()
    warnings = re.findall(r'(?m)^hyp: warning: ([^\r\n]*)', out)
    assert all(EXPECTED_WARNINGS.search(w) for w in warnings), warnings
    fatal = [f for f in FATAL.finditer(out) if not f.group(0).startswith('hyp: warning')]
    assert not fatal, fatal[0].group(0)


def assert_every_restart_kept(m):
    """The restarts resent the requests: every service restart kept state.
    The kernel's restart line comes before the new instance's: a crash just
    before this check has its service's line still on the way."""
    for _ in range(MAX_LATE_RESTARTS):
        out = m.output()
        if len(KEPT.findall(out)) >= len(RESTART.findall(out)):
            break
        m.expect(KEPT)
    out = m.output()
    assert len(KEPT.findall(out)) == len(RESTART.findall(out)), out


def assert_no_io_error(m):
    dmesg = shell(m, 'dmesg', 'DMESG')
    bad = IO_ERRORS.search(dmesg)
    assert not bad, 'Linux saw an I/O error: %r' % bad.group(0)


def test_vblk_crashes_during_writes_and_the_file_survives(boot, disk):
    m = boot_from_vda(boot, disk)
    start = len(m.output())
    shell(m, 'dd if=/dev/urandom of=%s bs=%d count=%d && sync'
          % (PATH, BLOCK, BLOCKS), 'WRITE')
    crashes = len(RESTART.findall(m.output()[start:]))
    assert crashes >= MIN_CRASHES_IN_WRITE, m.output()[start:]
    assert_every_restart_kept(m)
    written = md5(m, 'MD5A')
    assert shell(m, 'ls -l %s' % PATH, 'SIZE').split()[4] == str(BLOCK * BLOCKS)
    assert_no_io_error(m)
    power_off_after_crashes(m)
    assert_clean(disk)
    on_host = subprocess.run([DEBUGFS, '-R', 'cat %s' % PATH, disk],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    assert len(on_host) == BLOCK * BLOCKS

    assert hashlib.md5(on_host).hexdigest() == written

    # The next boot (the service crashes in its writes too) reads it back.
    m = boot_from_vda(boot, disk)
    assert md5(m, 'MD5B') == written
    assert_no_io_error(m)
    power_off_after_crashes(m)
    assert_clean(disk)
