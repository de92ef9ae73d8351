"""Checks that the Debian packages the build needs are present.

As root the missing ones are installed with apt-get; otherwise the exact
apt-get line is printed and the build stops with a clear message.
"""
import glob
import os
import shutil
import subprocess
import sys

# command (or header) -> Debian package providing it
HOST_TOOLS = {
    'gcc': 'gcc',
    'qemu-system-aarch64': 'qemu-system-arm',
    'dtc': 'device-tree-compiler',
    'gdb-multiarch': 'gdb-multiarch',
    'clang': 'clang',                     # libFuzzer harnesses (tests/fuzz)
}
# glob -> package: files the build needs that no command or header names
FILE_GLOBS = {
    '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a':
        'libclang-rt-14-dev',
    # The Linux guest's root disk (tools/mkrootfs.py: mke2fs -d) and its
    # test (e2fsck -fn); in /sbin, which is not on a user's PATH.
    '/sbin/mke2fs': 'e2fsprogs',
    '/sbin/e2fsck': 'e2fsprogs',
}
HEADERS = {
    '/usr/include/cmocka.h': 'libcmocka-dev',
    # The host C library's headers (host tests, tools): only recommended
    # by gcc, so named here for a machine set up without recommends.
    '/usr/include/stdio.h': 'libc6-dev',
    # The host tests of the kernel's device tree reader (test_board); the
    # kernel's own arm64 libfdt.a comes from tools/fetch_libfdt.py.
    '/usr/include/libfdt.h': 'libfdt-dev',
}
PY_MODULES = {
    'pytest': 'python3-pytest',
    'pexpect': 'python3-pexpect',
}
CROSS_PACKAGE = 'gcc-aarch64-linux-gnu'


def _py_module_present(name):
    # SCons runs under Debian's /usr/bin/python3, the interpreter that
    # python3-pytest/python3-pexpect install into.
    probe = [sys.executable, '-c', 'import ' + name]
    return subprocess.call(probe, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0


def missing_packages(cross_gcc, need_cross_package):
    missing = []
    for tool, pkg in HOST_TOOLS.items():
        if shutil.which(tool) is None:
            missing.append(pkg)
    for header, pkg in HEADERS.items():
        if not os.path.exists(header):
            missing.append(pkg)
    for pattern, pkg in FILE_GLOBS.items():
        if not glob.glob(pattern):
            missing.append(pkg)
    for mod, pkg in PY_MODULES.items():
        if not _py_module_present(mod):
            missing.append(pkg)
    if need_cross_package and shutil.which(cross_gcc) is None:
        missing.append(CROSS_PACKAGE)
    return sorted(set(missing))


def ensure(cross_gcc, need_cross_package):
    """Install or report missing packages; returns only if all are present."""
    missing = missing_packages(cross_gcc, need_cross_package)
    if not missing:
        return
    line = 'apt-get install -y ' + ' '.join(missing)
    if os.geteuid() != 0:
        sys.stderr.write(
            'error: missing Debian packages: %s\n'
            'Run as root:\n    apt-get update && %s\n' % (', '.join(missing), line))
        sys.exit(2)
    print('installing missing packages: ' + ' '.join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    # Not the caller's stdin: it may be input for the guest (.ci/run).
    subprocess.check_call(['apt-get', 'update', '-qq'], env=env,
                          stdin=subprocess.DEVNULL)
    subprocess.check_call(line.split(), env=env, stdin=subprocess.DEVNULL)
    still = missing_packages(cross_gcc, need_cross_package)
    if still:
        sys.stderr.write('error: still missing after apt-get: %s\n' % ', '.join(still))
        sys.exit(2)


def default_cross_compile():
    """aarch64-none-elf- (Arm GNU Toolchain) if installed, else Debian's."""
    for prefix in ('aarch64-none-elf-', 'aarch64-linux-gnu-'):
        if shutil.which(prefix + 'gcc'):
            return prefix
    return 'aarch64-linux-gnu-'
