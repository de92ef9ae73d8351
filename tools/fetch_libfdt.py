#!/usr/bin/env python3
"""Fetch Debian's arm64 libfdt (package libfdt-dev:arm64) for the EL2 kernel,
which reads the board's device tree with it, and extract into OUT:

    OUT/libfdt.a              the static library (no C library dependency:
                              it needs only the string functions of lib/)
    OUT/include/libfdt.h      its headers (libfdt_env.h, fdt.h)

libfdt-dev:arm64 cannot be installed beside the host's libfdt-dev (both
own /usr/include/libfdt.h), so the package is downloaded with
`apt-get download`, never installed. Needs Debian's arm64 package lists,
as tools/fetch_linux.py does (set up there when running as root, otherwise
the exact commands are printed). Cached: nothing is downloaded when OUT
already holds the files.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fetch_linux import apt_lock, ensure_arm64_lists, run  # noqa: E402

PACKAGE = 'libfdt-dev:arm64'
HEADERS = ('libfdt.h', 'libfdt_env.h', 'fdt.h')


def fetch(tmp):
    result = subprocess.run(['apt-get', 'download', PACKAGE], cwd=tmp,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    if result.returncode != 0 and os.geteuid() == 0:
        run(['apt-get', 'update', '-qq'])
        result = subprocess.run(['apt-get', 'download', PACKAGE], cwd=tmp,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit('error: cannot download %s:\n%s' % (PACKAGE, result.stdout))
    debs = glob.glob(os.path.join(tmp, '*.deb'))
    run(['dpkg-deb', '-x', debs[0], os.path.join(tmp, 'root')])
    return os.path.join(tmp, 'root')


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    lib = os.path.join(args.out, 'libfdt.a')
    inc = os.path.join(args.out, 'include')
    if os.path.exists(lib) and all(os.path.exists(os.path.join(inc, h))
                                   for h in HEADERS):
        return
    os.makedirs(inc, exist_ok=True)
    with apt_lock(), tempfile.TemporaryDirectory(dir=args.out) as tmp:
        ensure_arm64_lists()
        os.chmod(tmp, 0o755)  # apt's _apt user writes here when it can
        root = fetch(tmp)
        found = glob.glob(os.path.join(root, 'usr', 'lib', '*', 'libfdt.a'))
        if len(found) != 1:
            sys.exit('error: expected one libfdt.a in %s' % PACKAGE)
        for h in HEADERS:
            shutil.copyfile(os.path.join(root, 'usr', 'include', h),
                            os.path.join(inc, h))
        shutil.copyfile(found[0], lib)
    print('fetched %s into %s' % (PACKAGE, args.out))


if __name__ == '__main__':
    main()
