"""Issue 16 acceptance: two VMs' disks are disjoint. Scenario
linux-vblk-two: two Linux VMs on one physical disk through the vblk
service's halves layout, VM "linux" sectors 0..2047, VM "linux2" the rest.
Each sees its part as its own /dev/vda (no file system on it: both stay on
their initramfs). VM 1 writes every block of its disk; VM 2's blocks, read
on the host and in VM 2, keep their checksum, and VM 2 never sees VM 1's
data (a marker the test put in VM 1's half)."""
import hashlib
import os
import re
import sys

from conftest import ROOT, own_lines, shell as conftest_shell

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hypqemu  # noqa: E402

ESCAPE = '\x1d'
SECTOR = 512
HALF = 2048 * SECTOR            # VBLK_HALF_SECTORS (vblk_layout.h)
DISK_BYTES = 4 << 20
MARKER = b'VM1-SECRET-'
SHELL = r'tinyhyp: busybox shell on Linux 6\.1'


def md5(data):
    return hashlib.md5(data).hexdigest()


def make_disk(path):
    """VM 1's half full of MARKER, VM 2's half of pseudo-random bytes."""
    first = (MARKER * (HALF // len(MARKER) + 1))[:HALF]
    rest = hashlib.sha256(b'vm2').digest() * ((DISK_BYTES - HALF) // 32)
    path.write_bytes(first + rest)
    return first, rest


def shell(m, vm, command, tag):
    """conftest.shell() in VM @vm, which has the console input: only the
    lines @vm printed (the other VM may print meanwhile)."""
    return own_lines(conftest_shell(m, command, tag, vm=vm,
                                    prompt=r'\[%s\] / # ' % vm))


def focus(m, key, vm, window):
    m.child.send(ESCAPE + key)
    m.expect(r"\[uart\] uart: console input goes to '%s' \(window %d of 2"
             % (vm, window))


def disk_md5(m, vm, tag):
    """The checksum of VM @vm's whole /dev/vda, read from the disk (not
    from Linux's page cache)."""
    out = shell(m, vm, 'echo 3 > /proc/sys/vm/drop_caches; md5sum /dev/vda', tag)
    found = re.search(r'^([0-9a-f]{32})\s+/dev/vda', out, re.M)
    assert found, out
    return found.group(1)


def test_two_linux_vms_have_disjoint_disks(boot, tmp_path):
    image = tmp_path / 'disk.img'
    first, rest = make_disk(image)
    m = boot('linux-vblk-two', smp=2, timeout_scale=3,
             extra=hypqemu.disk_args(str(image)))
    m.expect(r'\[vblk\] vblk: linux: sectors 0\.\.\+2048 of the disk')
    m.expect(r'\[vblk\] vblk: linux2: sectors 2048\.\.\+%d of the disk'
             % ((DISK_BYTES - HALF) // SECTOR))
    # The two VMs boot side by side; one may cut the other's line
    # (conftest.vm_output()).
    for vm in ('linux', 'linux2'):
        m.expect_vm(vm, SHELL)

    # VM 2 sees its half, and nothing of VM 1's.
    focus(m, '2', 'linux2', 2)
    assert shell(m, 'linux2', 'cat /sys/block/vda/size', 'S2').split()[-1] == \
        str((DISK_BYTES - HALF) // SECTOR)
    assert disk_md5(m, 'linux2', 'A2') == md5(rest)
    found = shell(m, 'linux2', 'grep -c %s /dev/vda' % MARKER.decode(), 'G2')
    assert found.split()[-1] == '0', found

    # VM 1 writes every block of its disk, and not one more.
    focus(m, '1', 'linux', 1)
    assert shell(m, 'linux', 'cat /sys/block/vda/size', 'S1').split()[-1] == '2048'
    assert disk_md5(m, 'linux', 'A1') == md5(first)
    out = shell(m, 'linux', 'dd if=/dev/urandom of=/dev/vda bs=64k count=%d conv=fsync'
                % (HALF // 65536), 'W1')
    assert '%d+0 records out' % (HALF // 65536) in out, out
    written = disk_md5(m, 'linux', 'B1')
    assert written != md5(first)

    # VM 2's blocks are as they were.
    focus(m, '2', 'linux2', 2)
    assert disk_md5(m, 'linux2', 'B2') == md5(rest)
    assert 'I/O error' not in m.output()

    m.child.sendline('poweroff')
    m.expect(r"hyp: vm 'linux2' powered off \(PSCI SYSTEM_OFF\)")
    focus(m, '1', 'linux', 1)
    m.child.sendline('poweroff')
    m.expect(r"hyp: vm 'linux' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0

    # On the physical disk: VM 1's half is what VM 1 read back, VM 2's half
    # unchanged.
    data = image.read_bytes()
    assert len(data) == DISK_BYTES
    assert md5(data[:HALF]) == written
    assert md5(data[HALF:]) == md5(rest)
