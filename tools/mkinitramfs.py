#!/usr/bin/env python3
"""Build a gzip-compressed initramfs (cpio "newc" format, the one Linux's
initramfs unpacker reads): a static busybox, the kernel modules given
(loaded by /init in dependency order, tools/kmodinfo.py) and an /init
that boots from a disk when there is one:

  1. it loads the modules (virtio-mmio, virtio-blk; virtio-net when there
     is such a device; ext4 when there is a disk to mount);
  2. if the root device (/dev/vda; `root=DEV` on the kernel command line
     names another, `root=initramfs` keeps the initramfs) is a block
     device holding an ext4 file system with /sbin/init, it mounts it
     (read-only with `ro`), moves /proc, /sys and /dev onto it and
     switch_roots to its busybox init;
  3. otherwise it says why in one line ("tinyhyp: no /dev/vda, staying on
     the initramfs") and runs busybox init here: a shell on the console.

The disk made by tools/mkrootfs.py has the same inittab, rcS and profile.

    mkinitramfs.py --busybox PATH [--module M.ko ...] [--extra bin/NAME=PATH]
                   --out FILE.cpio.gz
"""
import argparse
import gzip
import os
import stat

import kmodinfo

# busybox init runs rcS, then a shell on the console (respawned).
INITTAB = b'''::sysinit:/etc/init.d/rcS
::respawn:/bin/cttyhack /bin/sh -l
'''

# Run by busybox init on the initramfs and on the disk. /init has mounted
# /proc, /sys and /dev already (and moved them onto the disk); the tests
# keep rcS working when init is started directly (rdinit=/sbin/init). The
# applet links are made once: on the disk they persist (and a read-only
# disk would refuse them).
RCS = b'''#!/bin/sh
[ -e /bin/ls ] || /bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
[ -e /proc/self ] || mount -t proc proc /proc
[ -d /sys/kernel ] || mount -t sysfs sysfs /sys
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "tinyhyp: busybox shell on $(uname -sr)"
[ -x /bin/cntvct ] && /bin/cntvct
'''

# The network (README: The network), the last part of rcS: with
# tinyhyp.ip=ADDRESS/PREFIX on the kernel command line, eth0 (the vnet
# service's virtual virtio-net) comes up with that address and a default
# route via QEMU's user-network gateway 10.0.2.2. No DNS server: the
# user network forwards nothing but the scons hostfwd=/guestfwd= rules.
NET_GATEWAY = b'10.0.2.2'
NET_UP = b'''ip=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	tinyhyp.ip=*) ip="${arg#tinyhyp.ip=}" ;;
	esac
done
if [ -z "$ip" ]; then
	:
elif [ ! -e /sys/class/net/eth0 ]; then
	echo "tinyhyp: tinyhyp.ip=$ip but no eth0 (no virtio-net device)"
elif ip link set eth0 up && ip addr add "$ip" dev eth0 &&
	ip route add default via ''' + NET_GATEWAY + b'''; then
	echo "tinyhyp: eth0 $ip, gateway ''' + NET_GATEWAY + b'''"
else
	echo "tinyhyp: eth0: cannot set $ip"
fi
'''
RCS += NET_UP


# Login shells read this. poweroff/reboot sync and call the kernel directly
# (PSCI SYSTEM_OFF / SYSTEM_RESET): busybox's shell runs applets in-process,
# so only an alias reaches it, and going through busybox init's shutdown
# (SIGTERM, sleep 1, SIGKILL) sometimes never finished its sleep. Root is
# remounted read-only first: on a disk that writes back what is dirty,
# commits ext4's journal and marks the file system clean, so the host's
# e2fsck -fn finds nothing to do (on the initramfs it changes nothing).
PROFILE = b'''alias poweroff='sync; mount -o remount,ro /; busybox poweroff -f'
alias reboot='sync; mount -o remount,ro /; busybox reboot -f'
'''

# Where the modules go in the initramfs.
MODULE_DIR = 'lib/modules'
# The root device without root= on the kernel command line: the first
# virtio disk (the first virtio-blk device Linux probes).
ROOT_DEV = '/dev/vda'
NEWROOT = '/newroot'
# Modules loaded only when needed (with what only they need): the file
# system when there is a root device to mount, the network driver when
# there is a virtio-net device (virtio 1.2, 5.1: device ID 1). Loading
# ext4 (1.5 MB) alone costs about a fifth of a bare boot's instructions.
FS_MODULE = 'ext4'
NET_MODULE = 'virtio_net'
# /init (PID 1 until it execs busybox init here or on the disk).
INIT = '''#!/bin/sh
# tinyhyp initramfs (tools/mkinitramfs.py): modules, then root on a disk.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp {newroot}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
load() {{
	for m; do
		insmod /{module_dir}/$m.ko || echo "tinyhyp: insmod $m failed"
	done
}}
load {always}
if grep -qx 0x0001 /sys/bus/virtio/devices/*/device 2>/dev/null; then
	load {net}
fi
root={root}
mode=rw
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	root=*) root="${{arg#root=}}" ;;
	ro) mode=ro ;;
	esac
done
why=
if [ "$root" = initramfs ]; then
	why="root=initramfs"
elif [ ! -b "$root" ]; then
	why="no $root"
elif ! load {fs} || ! mount -t ext4 -o $mode "$root" {newroot}; then
	why="cannot mount $root (ext4)"
elif [ ! -x {newroot}/sbin/init ]; then
	umount {newroot}
	why="no /sbin/init on $root"
else
	echo "tinyhyp: root file system on $root ($mode)"
	mount --move /proc {newroot}/proc
	mount --move /sys {newroot}/sys
	mount --move /dev {newroot}/dev
	exec switch_root {newroot} /sbin/init
fi
echo "tinyhyp: $why, staying on the initramfs"
exec /sbin/init
'''


def module_groups(paths):
    """(always, net, fs): the module names of @paths in load order, split
    into those /init always loads, those only the network driver needs and
    those only the file system needs (a module both need is always
    loaded)."""
    order = [module_name(p) for p in kmodinfo.load_order(paths)]
    _paths, before = kmodinfo.graph(paths)
    fs = kmodinfo.needs(before, FS_MODULE) if FS_MODULE in before else set()
    net = kmodinfo.needs(before, NET_MODULE) if NET_MODULE in before else set()
    shared = fs & net
    return ([m for m in order if m not in (fs | net) - shared],
            [m for m in order if m in net - shared],
            [m for m in order if m in fs - shared])


def init_script(always, net, fs):
    """/init loading the module names of each list in its order."""
    return INIT.format(newroot=NEWROOT, module_dir=MODULE_DIR, root=ROOT_DEV,
                       always=' '.join(always), net=' '.join(net),
                       fs=' '.join(fs)).encode()


def module_name(path):
    return os.path.basename(path)[:-len('.ko')]


class Newc:
    """Writer of cpio newc entries (see Linux Documentation/driver-api/
    early-userspace/buffer-format.rst)."""

    def __init__(self):
        self.data = bytearray()
        self.ino = 300000

    def _pad4(self):
        while len(self.data) % 4:
            self.data += b'\0'

    def entry(self, name, mode, body=b'', nlink=1):
        self.ino += 1
        name_b = name.encode() + b'\0'
        fields = [self.ino, mode, 0, 0, nlink, 0, len(body), 0, 0, 0, 0,
                  len(name_b), 0]
        self.data += b'070701' + b''.join(b'%08X' % f for f in fields)
        self.data += name_b
        self._pad4()
        self.data += body
        self._pad4()

    def dir(self, name):
        self.entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, body, perm=0o755):
        self.entry(name, stat.S_IFREG | perm, body)

    def symlink(self, name, target):
        self.entry(name, stat.S_IFLNK | 0o777, target.encode())

    def trailer(self):
        self.entry('TRAILER!!!', 0)
        return bytes(self.data)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--busybox', required=True)
    ap.add_argument('--module', action='append', default=[],
                    help='a kernel module (.ko) /init loads, after those it '
                    'depends on')
    ap.add_argument('--extra', action='append', default=[],
                    help='NAME=PATH: add an executable at /NAME')
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    with open(args.busybox, 'rb') as f:
        busybox = f.read()
    try:
        modules = kmodinfo.load_order(args.module)
        groups = module_groups(args.module)
    except kmodinfo.ModuleError as e:
        raise SystemExit('error: %s' % e)
    w = Newc()
    for d in ('bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'root', 'etc',
              'etc/init.d', 'lib', MODULE_DIR, NEWROOT[1:]):
        w.dir(d)
    w.file('bin/busybox', busybox)
    w.symlink('bin/sh', 'busybox')
    w.symlink('sbin/init', '../bin/busybox')
    w.file('init', init_script(*groups))
    for path in modules:
        with open(path, 'rb') as f:
            w.file('%s/%s.ko' % (MODULE_DIR, module_name(path)), f.read(), perm=0o644)
    w.file('etc/inittab', INITTAB, perm=0o644)
    w.file('etc/init.d/rcS', RCS)
    w.file('etc/profile', PROFILE, perm=0o644)
    for spec in args.extra:
        name, path = spec.split('=', 1)
        with open(path, 'rb') as f:
            w.file(name, f.read())
    # /dev/console must exist before devtmpfs for the initial console.
    w.entry('dev/console', stat.S_IFCHR | 0o600)
    blob = w.trailer()
    tmp = args.out + '.tmp'
    with open(tmp, 'wb') as raw:
        # mtime=0: the same inputs give the same bytes (reproducible).
        with gzip.GzipFile(fileobj=raw, mode='wb', compresslevel=6, mtime=0) as f:
            f.write(blob)
    os.replace(tmp, args.out)


if __name__ == '__main__':
    main()
