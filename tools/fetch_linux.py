#!/usr/bin/env python3
"""Fetch the unmodified Debian arm64 kernel and static busybox pinned in
tools/linux-versions.txt, and extract them into the output folder:

    OUT/Image     the kernel (arm64 boot Image from /boot/vmlinuz-*)
    OUT/busybox   the static busybox binary
    OUT/modules/NAME.ko  the kernel modules of MODULES, from the same
                  linux-image package (Debian ships them uncompressed and
                  without modules.dep: tools/mkinitramfs.py orders them)

Needs Debian's arm64 package lists (dpkg --add-architecture arm64 &&
apt-get update): done here when running as root, otherwise the exact
commands are printed. Results are cached: nothing is downloaded when the
files for the pinned versions are already there.
"""
import argparse
import contextlib
import fcntl
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# The modules the initramfs loads, by name -> path under
# /lib/modules/<version>/kernel/ in the linux-image package: the virtio-mmio
# transport, the disk and the network drivers and ext4 with what it needs
# (virtio and virtio_ring are built into Debian's kernel).
MODULES = {
    'virtio_mmio': 'drivers/virtio/virtio_mmio.ko',
    'virtio_blk': 'drivers/block/virtio_blk.ko',
    'failover': 'net/core/failover.ko',
    'net_failover': 'drivers/net/net_failover.ko',
    'virtio_net': 'drivers/net/virtio_net.ko',
    'crc16': 'lib/crc16.ko',
    'crc32c_generic': 'crypto/crc32c_generic.ko',
    'mbcache': 'fs/mbcache.ko',
    'jbd2': 'fs/jbd2/jbd2.ko',
    'ext4': 'fs/ext4/ext4.ko',
}
MODULES_DIR = 'modules'


def module_paths(out):
    """Where the modules of MODULES land under @out, in MODULES' order."""
    return [os.path.join(out, MODULES_DIR, name + '.ko') for name in MODULES]


def pins():
    found = {}
    with open(os.path.join(HERE, 'linux-versions.txt')) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                name, version = line.split()
                found[name] = version
    return found


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


@contextlib.contextmanager
def apt_lock():
    """Hold while running apt-get: the build fetches the kernel and libfdt
    in parallel, and two `apt-get update`s at once fail on apt's own lock
    (E: Could not get lock /var/lib/apt/lists/lock) instead of waiting."""
    path = os.path.join(tempfile.gettempdir(), 'tinyhyp-apt.lock')
    with open(path, 'a') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def ensure_arm64_lists():
    archs = subprocess.run(['dpkg', '--print-foreign-architectures'],
                           stdout=subprocess.PIPE, text=True).stdout.split()
    if 'arm64' in archs:
        return
    if os.geteuid() != 0:
        sys.exit('error: Debian arm64 package lists are needed. Run as root:\n'
                 '    dpkg --add-architecture arm64 && apt-get update')
    run(['dpkg', '--add-architecture', 'arm64'])
    run(['apt-get', 'update', '-qq'])


def download(pkgs, workdir):
    result = subprocess.run(['apt-get', 'download'] + pkgs, cwd=workdir,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    if result.returncode != 0 and os.geteuid() == 0:
        run(['apt-get', 'update', '-qq'])
        result = subprocess.run(['apt-get', 'download'] + pkgs, cwd=workdir,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        have = subprocess.run(['apt-cache', 'search', '--names-only',
                               '^linux-image-6.1.0-[0-9]+-arm64$'],
                              stdout=subprocess.PIPE, text=True).stdout
        sys.exit('error: cannot download %s:\n%s\nAvailable kernels:\n%s'
                 'Update tools/linux-versions.txt to one of them.'
                 % (' '.join(pkgs), result.stdout, have))


def extract_modules(root, version, out):
    """Copy MODULES from the unpacked package @root into OUT/modules/."""
    kernel = os.path.join(root, 'lib', 'modules', version, 'kernel')
    os.makedirs(os.path.join(out, MODULES_DIR), exist_ok=True)
    for name, rel in sorted(MODULES.items()):
        src = os.path.join(kernel, rel)
        if not os.path.exists(src):
            sys.exit('error: module %s: no %s in linux-image-%s (compressed, '
                     'renamed or built in?)' % (name, rel, version))
        shutil.copyfile(src, os.path.join(out, MODULES_DIR, name + '.ko'))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    p = pins()
    # The module list is part of the stamp: a module added here is fetched.
    stamp = '%s %s modules:%s' % (p['linux-image'], p['busybox-static'],
                                  ','.join(sorted(MODULES)))
    stamp_file = os.path.join(args.out, 'versions')
    image = os.path.join(args.out, 'Image')
    busybox = os.path.join(args.out, 'busybox')
    outputs = [image, busybox] + module_paths(args.out)
    if (all(os.path.exists(f) for f in outputs) and
            os.path.exists(stamp_file) and open(stamp_file).read() == stamp):
        return
    os.makedirs(args.out, exist_ok=True)
    with apt_lock(), tempfile.TemporaryDirectory(dir=args.out) as tmp:
        ensure_arm64_lists()
        os.chmod(tmp, 0o755)  # apt's _apt user writes here when it can
        download(['linux-image-%s:arm64' % p['linux-image'],
                  'busybox-static:arm64=%s' % p['busybox-static']], tmp)
        for deb in glob.glob(os.path.join(tmp, '*.deb')):
            run(['dpkg-deb', '-x', deb, os.path.join(tmp, 'root')])
        kernels = glob.glob(os.path.join(tmp, 'root', 'boot', 'vmlinuz-*'))
        if len(kernels) != 1:
            sys.exit('error: expected one /boot/vmlinuz-* in the package')
        shutil.copyfile(kernels[0], image)
        shutil.copyfile(os.path.join(tmp, 'root', 'bin', 'busybox'), busybox)
        extract_modules(os.path.join(tmp, 'root'), p['linux-image'], args.out)
    with open(stamp_file, 'w') as f:
        f.write(stamp)
    print('fetched Linux %s (and %d modules) and busybox %s into %s'
          % (p['linux-image'], len(MODULES), p['busybox-static'], args.out))


if __name__ == '__main__':
    main()
