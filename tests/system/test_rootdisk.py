"""The Linux guest's root disk on bare QEMU (issue 16, item 2; no
hypervisor: the baseline the disk benchmark compares with): the
initramfs loads the virtio and ext4 modules in dependency order, mounts
/dev/vda and switch_roots to it; a file written in the guest is there
after poweroff and a second boot, and the host's e2fsck -fn finds the
image clean after each poweroff. Without a disk the initramfs says so in
one line and stays on its shell.

Each test makes its own image with tools/mkrootfs.py in a tmp dir: the
build's build/disk/linux-root.img is never touched."""
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, Machine, shell

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hypqemu  # noqa: E402
import kmodinfo  # noqa: E402
import mkinitramfs  # noqa: E402

PROMPT = r'/ # '
BOOTARGS = 'console=ttyAMA0 earlycon panic=-1'
FATAL = re.compile(r'Kernel panic|Internal error: Oops|Unable to handle kernel|'
                   r'BUG:|tinyhyp: insmod|EXT4-fs error|I/O error')
E2FSCK = next(p for p in ('/sbin/e2fsck', '/usr/sbin/e2fsck') if os.path.exists(p))
DEBUGFS = os.path.join(os.path.dirname(E2FSCK), 'debugfs')


def linux_file(request, name):
    path = os.path.join(request.config.getoption('--build'), 'linux', name)
    if not os.path.exists(path):
        pytest.fail('%s is missing: run scons first (the linux scenario fetches it)' % path)
    return path


@pytest.fixture
def disk(request, tmp_path):
    """A fresh root disk image of the test's own, made by tools/mkrootfs.py."""
    image = str(tmp_path / 'root.img')
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'mkrootfs.py'),
                    '--busybox', linux_file(request, 'busybox'), '--out', image],
                   check=True, stdout=subprocess.DEVNULL)
    return image


@pytest.fixture
def bare(request):
    """bare(extra) -> Machine running Debian's Linux with the build's
    initramfs on bare QEMU; QEMU is always killed afterwards."""
    machines = []
    cfg = request.config

    def start(extra=(), append=BOOTARGS):
        cmd = hypqemu.bare_linux_cmdline(linux_file(request, 'Image'),
                                         linux_file(request, 'initrd.gz'), append,
                                         qemu=cfg.getoption('--qemu'), extra=extra)
        m = Machine(None, None, cfg.getoption('--qemu-timeout'), cmd=cmd)
        machines.append(m)
        return m

    yield start
    for m in machines:
        m.kill()


def power_off(m):
    m.child.sendline('poweroff')
    m.expect(r'reboot: Power down')
    assert m.wait_exit() == 0
    fatal = FATAL.search(m.output())
    if fatal:
        pytest.fail('fatal line %r in:\n%s' % (fatal.group(0), m.output()))


DUMPE2FS = os.path.join(os.path.dirname(E2FSCK), 'dumpe2fs')
# What e2fsck -fn says of a file system left mounted (journal not
# committed, counts not written back) while still exiting 0.
UNCLEAN = re.compile(r'journal recovery|Fix\? no|not cleanly unmounted')


def assert_clean(image):
    """The host's e2fsck, read-only and forced, finds nothing to fix, and
    the superblock says the guest unmounted it (state clean, no journal to
    replay): e2fsck -n exits 0 even for an image whose journal needs
    recovery, so its words are checked too."""
    r = subprocess.run([E2FSCK, '-fn', image], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, r.stdout
    assert not UNCLEAN.search(r.stdout), r.stdout
    sb = subprocess.run([DUMPE2FS, '-h', image], stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL, text=True).stdout
    assert re.search(r'^Filesystem state:\s+clean$', sb, re.M), sb
    assert 'needs_recovery' not in sb, sb


def boot_from_disk(bare, image):
    m = bare(hypqemu.disk_args(image))
    m.expect(r'virtio_blk virtio\d+: \[vda\]')
    m.expect(r'tinyhyp: root file system on /dev/vda \(rw\)')
    m.expect(r'tinyhyp: busybox shell on Linux 6\.1')
    m.expect(PROMPT)
    mounts = shell(m, 'cat /proc/mounts', 'MOUNTS')
    assert re.search(r'^/dev/vda / ext4 rw', mounts, re.M), mounts
    return m


def test_linux_boots_from_the_disk_and_a_file_survives_poweroff(bare, disk):
    m = boot_from_disk(bare, disk)
    assert {'virtio_mmio', 'virtio_blk', 'ext4'} <= loaded(m)
    shell(m, 'echo "written by boot $((20+22))" > /root/note', 'WRITE')
    power_off(m)
    assert_clean(disk)
    # What the guest wrote is in the image, as the host reads it...
    r = subprocess.run([DEBUGFS, '-R', 'cat /root/note', disk], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    assert r.stdout.strip() == 'written by boot 42', r.stdout

    # ... and as the guest finds it when it boots from it again.
    m = boot_from_disk(bare, disk)
    assert 'written by boot 42' in shell(m, 'cat /root/note', 'READ')
    power_off(m)
    assert_clean(disk)


def loaded(m):
    """Names of the modules loaded in the guest."""
    return set(re.findall(r'^(\w+) ', shell(m, 'lsmod', 'LSMOD'), re.M)) - {'Module'}


def test_without_a_disk_the_initramfs_says_so_and_keeps_its_shell(bare):
    m = bare()
    m.expect(r'tinyhyp: no /dev/vda, staying on the initramfs')
    m.expect(r'tinyhyp: busybox shell on Linux 6\.1')
    m.expect(PROMPT)
    mounts = shell(m, 'cat /proc/mounts', 'MOUNTS')
    assert 'vda' not in mounts, mounts
    # The virtio transport and disk driver, not ext4 (no disk to mount:
    # its 1.5 MB are not linked at every boot) nor the network driver.
    assert loaded(m) == {'virtio_mmio', 'virtio_blk'}
    power_off(m)


def test_a_virtio_net_device_gets_its_driver(bare):
    """A virtio-net device (QEMU's user network, restrict=on: nothing leaves
    this machine) on slot 23 (VIRTIO_DESIGN): virtio_net and what it needs
    are loaded, in order, and eth0 appears."""
    m = bare(['-netdev', 'user,id=net0,restrict=on',
              '-device', 'virtio-net-device,netdev=net0,bus=virtio-mmio-bus.23']
             + hypqemu.MODERN_VIRTIO)
    m.expect(PROMPT)
    assert {'virtio_net', 'net_failover', 'failover'} <= loaded(m)
    assert 'eth0' in shell(m, 'ls /sys/class/net', 'NET')
    power_off(m)


def test_root_initramfs_keeps_the_disk_unmounted(bare, disk):
    """root=initramfs: the disk is there (/dev/vda) but not mounted, for
    raw block I/O (the disk benchmark's dd on /dev/vda)."""
    m = bare(hypqemu.disk_args(disk), append=BOOTARGS + ' root=initramfs')
    m.expect(r'tinyhyp: root=initramfs, staying on the initramfs')
    m.expect(PROMPT)
    out = shell(m, 'ls -l /dev/vda; grep -c vda /proc/mounts', 'VDA')
    assert re.search(r'^b.* /dev/vda\s*$', out, re.M), out
    assert re.search(r'^0\s*$', out, re.M), out
    power_off(m)
    assert_clean(disk)


def test_a_read_only_disk_is_mounted_read_only(bare, disk):
    """QEMU readonly=on and `ro` on the command line: root mounted ro, a
    write refused, the image unchanged."""
    before = open(disk, 'rb').read()
    m = bare(hypqemu.disk_args(disk, readonly=True), append=BOOTARGS + ' ro')
    m.expect(r'tinyhyp: root file system on /dev/vda \(ro\)')
    m.expect(PROMPT)
    out = shell(m, 'echo x > /root/new || echo refused', 'RO')
    assert 'refused' in out, out
    power_off(m)
    assert open(disk, 'rb').read() == before


def test_mkrootfs_keeps_an_existing_image_unless_reset(request, tmp_path):
    image = str(tmp_path / 'root.img')
    tool = [sys.executable, os.path.join(ROOT, 'tools', 'mkrootfs.py'),
            '--busybox', linux_file(request, 'busybox'), '--out', image]
    subprocess.run(tool, check=True, stdout=subprocess.DEVNULL)
    assert os.path.getsize(image) == 64 << 20
    # Sparse: far less than its size is allocated on the host.
    assert os.stat(image).st_blocks * 512 < 16 << 20
    assert_clean(image)
    with open(image, 'r+b') as f:  # a mark in the first (unused) block
        f.write(b'mine')
    r = subprocess.run(tool, check=True, stdout=subprocess.PIPE, text=True)
    assert 'kept' in r.stdout
    assert open(image, 'rb').read(4) == b'mine'
    subprocess.run(tool + ['--reset'], check=True, stdout=subprocess.DEVNULL)
    assert open(image, 'rb').read(4) != b'mine'
    assert_clean(image)


def test_the_initramfs_loads_each_module_after_those_it_needs(request):
    """The order /init uses (kmodinfo.load_order on the fetched modules)
    puts each module after its depends= and its softdep pre: (jbd2 and
    ext4 want crypto-crc32c, crc32c_generic's alias)."""
    mods = os.path.join(request.config.getoption('--build'), 'linux', 'modules')
    order = [os.path.basename(p)[:-3] for p in
             kmodinfo.load_order(sorted(os.path.join(mods, f) for f in os.listdir(mods)))]
    needs = {'ext4': ['jbd2', 'mbcache', 'crc16', 'crc32c_generic'],
             'jbd2': ['crc32c_generic'], 'virtio_net': ['net_failover'],
             'net_failover': ['failover']}
    for mod, before in needs.items():
        for b in before:
            assert order.index(b) < order.index(mod), order
    always, net, fs = mkinitramfs.module_groups(
        sorted(os.path.join(mods, f) for f in os.listdir(mods)))
    assert set(fs) == {'ext4', 'jbd2', 'mbcache', 'crc16', 'crc32c_generic'}
    assert net == ['failover', 'net_failover', 'virtio_net']
    assert set(always) == {'virtio_mmio', 'virtio_blk'}
    for group in (always, net, fs):
        assert group == [m for m in order if m in group]


def test_module_order_fails_clearly_on_a_missing_dependency(request):
    mods = os.path.join(request.config.getoption('--build'), 'linux', 'modules')
    with pytest.raises(kmodinfo.ModuleError) as e:
        kmodinfo.load_order([os.path.join(mods, 'ext4.ko')])
    assert 'ext4.ko: depends on jbd2, mbcache, crc16, not among the modules given' in str(e.value)
