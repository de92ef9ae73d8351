#!/usr/bin/env python3
"""Build a gzip-compressed initramfs (cpio "newc" format, the one Linux's
initramfs unpacker reads): a static busybox as /init with an inittab that
starts a shell on the console, plus extra executables.

    mkinitramfs.py --busybox PATH [--extra bin/NAME=PATH] --out FILE.cpio.gz
"""
import argparse
import gzip
import os
import stat

# busybox init runs rcS, then a shell on the console (respawned).
INITTAB = b'''::sysinit:/etc/init.d/rcS
::respawn:/bin/cttyhack /bin/sh -l
'''

RCS = b'''#!/bin/sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "tinyhyp: busybox shell on $(uname -sr)"
[ -x /bin/cntvct ] && /bin/cntvct
'''


# Login shells read this. poweroff/reboot sync and call the kernel directly
# (PSCI SYSTEM_OFF / SYSTEM_RESET): busybox's shell runs applets in-process,
# so only an alias reaches it, and going through busybox init's shutdown
# (SIGTERM, sleep 1, SIGKILL) sometimes never finished its sleep.
PROFILE = b'''alias poweroff='sync; busybox poweroff -f'
alias reboot='sync; busybox reboot -f'
'''


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
    ap.add_argument('--extra', action='append', default=[],
                    help='NAME=PATH: add an executable at /NAME')
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    with open(args.busybox, 'rb') as f:
        busybox = f.read()
    w = Newc()
    for d in ('bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'root', 'etc',
              'etc/init.d'):
        w.dir(d)
    w.file('bin/busybox', busybox)
    w.symlink('bin/sh', 'busybox')
    w.symlink('init', 'bin/busybox')
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
