#!/usr/bin/env python3
"""Make the Linux guest's root disk: a raw ext4 image (sparse) holding a
busybox tree with the initramfs's inittab, rcS and profile
(tools/mkinitramfs.py), written by e2fsprogs' `mke2fs -d DIR`.

The image is the guest's data: it is made only when OUT is missing, and
never overwritten unless --reset is given (scons disk_reset=1).

    mkrootfs.py --busybox PATH [--extra bin/NAME=PATH] [--size 64M]
                [--reset] --out IMAGE
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import mkinitramfs

# A sparse file: only what mke2fs writes takes room on the host.
DEFAULT_SIZE = '64M'
LABEL = 'tinyhyp-root'
BLOCK_SIZE = '4096'
# Our own mke2fs.conf (MKE2FS_CONFIG): the features of the image do not
# depend on the host's e2fsprogs version or /etc/mke2fs.conf (newer ones
# enable features, e.g. orphan_file, that an older guest kernel may lack).
# All are known to Linux 6.1's ext4 and to e2fsprogs 1.46+.
MKE2FS_CONF = '''[defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	blocksize = 4096
	inode_size = 256
	inode_ratio = 16384
	enable_periodic_fsck = 0

[fs_types]
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
'''
# Where e2fsprogs lives: /sbin is not on a Debian user's PATH.
SBIN_DIRS = ('/sbin', '/usr/sbin')


def find_tool(name):
    """Path of e2fsprogs' @name, or exit with the apt-get line."""
    found = shutil.which(name) or next(
        (os.path.join(d, name) for d in SBIN_DIRS if os.path.exists(os.path.join(d, name))), None)
    if not found:
        sys.exit('error: %s not found: apt-get install -y e2fsprogs' % name)
    return found


# busybox's applet names are one string of NUL-terminated names in
# alphabetical order, starting with "[" and "[[" (applet_tables.h, made by
# applets/applet_tables.c); the empty name ends it.
APPLET_TABLE_START = b'[\0[[\0'
APPLET_NAME = re.compile(r'^[a-z0-9][a-z0-9._-]*$')


def applets(busybox):
    """The applet names of the (arm64) @busybox binary, read from its
    table since it cannot run here; [] if no table is found."""
    with open(busybox, 'rb') as f:
        data = f.read()
    start = data.find(APPLET_TABLE_START)
    if start < 0:
        return []
    end = data.find(b'\0\0', start + len(APPLET_TABLE_START))
    names = data[start:end].decode('ascii', 'replace').split('\0')
    if names != sorted(names) or not all(APPLET_NAME.match(n) for n in names[2:]):
        return []
    return names


def write(path, body, perm):
    with open(path, 'wb') as f:
        f.write(body)
    os.chmod(path, perm)


def make_tree(root, busybox, extras):
    """The busybox tree at @root, the same files as the initramfs's except
    /init and the modules (the kernel already runs them when it gets here)."""
    for d in ('bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'root', 'etc',
              'etc/init.d'):
        os.makedirs(os.path.join(root, d), mode=0o755)
    os.chmod(os.path.join(root, 'tmp'), 0o1777)
    shutil.copyfile(busybox, os.path.join(root, 'bin', 'busybox'))
    os.chmod(os.path.join(root, 'bin', 'busybox'), 0o755)
    os.symlink('busybox', os.path.join(root, 'bin', 'sh'))
    os.symlink('../bin/busybox', os.path.join(root, 'sbin', 'init'))
    # What `busybox --install -s /bin` makes (the initramfs's rcS does it at
    # each boot; a read-only disk could not): a link per applet.
    names = applets(busybox)
    if not names:
        print('disk: no applet table in %s: the guest makes its links at its first boot'
              % busybox)
    for name in names:
        link = os.path.join(root, 'bin', name)
        if not os.path.lexists(link):
            os.symlink('busybox', link)
    write(os.path.join(root, 'etc', 'inittab'), mkinitramfs.INITTAB, 0o644)
    write(os.path.join(root, 'etc', 'init.d', 'rcS'), mkinitramfs.RCS, 0o755)
    write(os.path.join(root, 'etc', 'profile'), mkinitramfs.PROFILE, 0o644)
    for spec in extras:
        name, path = spec.split('=', 1)
        with open(path, 'rb') as f:
            write(os.path.join(root, name), f.read(), 0o755)


def mkfs(image, tree, size):
    """mke2fs -t ext4 -d @tree into @image (created, @size bytes, sparse)."""
    env = dict(os.environ)
    with tempfile.NamedTemporaryFile('w', suffix='.conf', delete=False) as conf:
        conf.write(MKE2FS_CONF)
    env['MKE2FS_CONFIG'] = conf.name
    try:
        # The inode tables and journal zeroed now (lazy_*_init=0), not by
        # the guest's ext4lazyinit thread while it boots.
        cmd = [find_tool('mke2fs'), '-q', '-F', '-t', 'ext4', '-b', BLOCK_SIZE,
               '-L', LABEL, '-E', 'lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0',
               '-d', tree, image, size]
        result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    finally:
        os.unlink(conf.name)
    if result.returncode != 0:
        sys.exit('error: %s failed:\n%s' % (' '.join(cmd), result.stdout))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--busybox', required=True)
    ap.add_argument('--extra', action='append', default=[],
                    help='NAME=PATH: add an executable at /NAME')
    ap.add_argument('--size', default=DEFAULT_SIZE,
                    help='image size, mke2fs syntax (default %s)' % DEFAULT_SIZE)
    ap.add_argument('--reset', action='store_true',
                    help='make a fresh image even if OUT exists (its files are lost)')
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    if os.path.exists(args.out) and not args.reset:
        print('disk: %s exists, kept (disk_reset=1 makes a fresh one)' % args.out)
        return
    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        tree = os.path.join(tmp, 'root')
        make_tree(tree, args.busybox, args.extra)
        image = os.path.join(tmp, 'disk.img')
        mkfs(image, tree, args.size)
        os.replace(image, args.out)
    print('disk: made %s (ext4, %s, root file system of the Linux guest)'
          % (args.out, args.size))


if __name__ == '__main__':
    main()
