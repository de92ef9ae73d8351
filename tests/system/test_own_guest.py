"""scons qemu=1 guest=PATH: an image of one's own booted without writing
code (README, "Run your own guest"): a bare-metal test guest as a raw
binary and as an ELF, and the Debian kernel with its initramfs (on the
machine of the linux scenario: its rtc-pl031 probes the RTC service's
PL031), each in the scenario the build generates (build/scenarios/own/),
leaving the tree as it was; and the clear line, before anything runs, for
a missing file, an image too big for ram=, a bad vcpus= and a bad header.

These run scons itself (in the source tree), as a user would.
"""
import os
import re
import shutil
import struct
import subprocess

import pexpect
import pytest

from conftest import ROOT, untag

PROMPT = r'/ # '
# A Linux boot under TCG on a busy machine: the deadline of test_linux.
LINUX_TIMEOUT_SCALE = 3


def scons_cmd(request, *args):
    return ['scons', '-Q', 'QEMU=' + request.config.getoption('--qemu')] + list(args)


def tree_state():
    """`git status` of the tree, or None outside a git checkout."""
    if not shutil.which('git') or not os.path.isdir(os.path.join(ROOT, '.git')) \
            and not os.path.isfile(os.path.join(ROOT, '.git')):
        return None
    return subprocess.run(['git', 'status', '--porcelain'], cwd=ROOT, text=True,
                          stdout=subprocess.PIPE).stdout


def refused(request, *args):
    """scons qemu=1 with @args: its exit status and output lines."""
    r = subprocess.run(scons_cmd(request, 'qemu=1', *args), cwd=ROOT, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert 'qemu-system' not in r.stdout, 'QEMU was started:\n' + r.stdout
    return r.returncode, [l for l in r.stdout.splitlines() if l.strip()]


# Building the generated scenario: under `scons test` the first one may
# rebuild the kernel and services (the outer scons writes what it built to
# .sconsign only when it exits). Not QEMU time: outside the test deadline.
BUILD_TIMEOUT = 1800


def boot(request, timeout, *args):
    """scons qemu=1 with @args under pexpect, console collected, after
    scons with @args has built the scenario."""
    r = subprocess.run(scons_cmd(request, *args), cwd=ROOT, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=BUILD_TIMEOUT)
    assert r.returncode == 0, r.stdout
    cmd = scons_cmd(request, 'qemu=1', *args)
    child = pexpect.spawn(cmd[0], cmd[1:], cwd=ROOT, encoding='utf-8',
                          codec_errors='replace', timeout=timeout)
    child.logfile_read = Transcript()
    request.addfinalizer(lambda: child.isalive() and child.terminate(force=True))
    return child


class Transcript(list):
    def write(self, s):
        self.append(s)

    def flush(self):
        pass


def expect(child, pattern):
    idx = child.expect([pattern, r'(?m)^hyp: error', pexpect.EOF, pexpect.TIMEOUT])
    if idx != 0:
        pytest.fail('%s while waiting for %r:\n%s'
                    % (['', 'hypervisor error', 'exit', 'timeout'][idx], pattern,
                       ''.join(child.logfile_read)))
    return child.match


def exit_status(child):
    if child.expect([pexpect.EOF, pexpect.TIMEOUT]) != 0:
        pytest.fail('no exit:\n' + ''.join(child.logfile_read))
    child.close()
    return child.exitstatus


# The kernel's lines: its own ("hyp: ...") and the ones it prints for the
# services' consoles ("[pl031] ...", kernel/core/vm_console.c); any line
# tagged with another VM's name is not the guest's either.
OTHER_LINE = r'(?m)^(?:hyp: |\[(?!guest\] )[^\]\r\n]*\] ).*\r?\n'


def guest_output(child):
    """What the guest printed: the kernel's lines and the "[guest] " tags
    taken out, and a guest line that a kernel line cut (the console ends
    it with HYP_CONSOLE_BREAK, abi/console.h, and goes on in a new tagged
    line) joined again."""
    text = re.sub(OTHER_LINE, '', ''.join(child.logfile_read))
    text = text.replace('\r', '').replace('[guest] ', '')
    return re.sub(r'\x1b\[0m\n', '', text)


def test_guest_output_joins_a_line_cut_by_a_service_line():
    """Regression (issue 14, a busy host): the RTC service's first line,
    printed by the kernel, cut the guest's line (the break and the tag
    again, as abi/console.h promises); the test read the service's line
    as the guest's ("Hello from a guest at EL[pl031] pl031: ...")."""
    child = Transcript()
    child.append("hyp: vm 'guest' started\r\n[guest] Hello from a guest at EL"
                 "\x1b[0m\r\n[pl031] pl031: serving 1 PL031 window(s)\r\n"
                 "\x1b[0m\r\n[guest] 1, MPIDR 0x80000000\r\n")

    class Child:
        logfile_read = child
    assert guest_output(Child) == 'Hello from a guest at EL1, MPIDR 0x80000000\n'


@pytest.fixture
def build(request):
    return request.config.getoption('--build')


@pytest.mark.parametrize('image,args', [
    ('hello.bin', ['load=0x40000000']),
    ('hello.elf', ['vcpus=2', 'ram=64M']),
])
def test_bare_metal_image(request, build, image, args):
    before = tree_state()
    child = boot(request, request.config.getoption('--qemu-timeout') * 2,
                 'guest=' + os.path.join(build, 'guests', image), *args)
    expect(child, r"hyp: vm 'guest' powered off \(PSCI SYSTEM_OFF\)")
    assert exit_status(child) == 0
    out = guest_output(child)
    # The raw transcript too: a busy-host run once lost the greeting's
    # first byte in guest_output() (a line cut by a service's start line?).
    assert 'Hello from a guest at EL1' in out and 'TEST RESULT: PASS' in out, \
        '%s\nraw:\n%r' % (out, ''.join(child.logfile_read))
    assert tree_state() == before


def test_debian_kernel_with_initramfs(request, build):
    linux = os.path.join(build, 'linux')
    before = tree_state()
    child = boot(request,
                 request.config.getoption('--qemu-timeout') * LINUX_TIMEOUT_SCALE,
                 'guest=' + os.path.join(linux, 'Image'),
                 'initrd=' + os.path.join(linux, 'initrd.gz'),
                 'append=console=ttyAMA0 earlycon panic=-1 own_guest_test=1',
                 'vcpus=2', 'ram=192M')
    expect(child, r'smp: Brought up 1 node, 2 CPUs')
    expect(child, r'tinyhyp: busybox shell on Linux')
    expect(child, PROMPT)
    child.sendline('cat /proc/cmdline; free -m; dmesg | grep rtc-pl031; '
                   'echo @@$((6*7))')
    out = untag(expect(child, r'([\s\S]*?)@@42').group(1), 'guest')
    assert 'own_guest_test=1' in out
    # The Linux VM's devices, the RTC service's PL031 among them.
    assert re.search(r'rtc-pl031 9010000\.pl031: registered as rtc0', out), out
    # 192 MiB of RAM, less what the kernel keeps.
    total = int(re.search(r'Mem:\s+(\d+)', out).group(1))
    assert 150 < total <= 192, out
    expect(child, PROMPT)
    child.sendline('poweroff')
    expect(child, r"hyp: vm 'guest' powered off \(PSCI SYSTEM_OFF\)")
    assert exit_status(child) == 0
    assert tree_state() == before


def test_missing_file(request):
    rc, lines = refused(request, 'guest=no/such/image.bin')
    assert (rc, lines) == (2, ['error: guest=no/such/image.bin: no such file'])


def test_image_too_big_for_ram(request, build):
    rc, lines = refused(request, 'guest=' + os.path.relpath(
        os.path.join(build, 'linux', 'Image'), ROOT), 'ram=16M')
    assert rc == 2 and len(lines) == 1, lines
    assert re.fullmatch(r'error: guest=\S+/Image: does not fit: the image takes '
                        r'0x40200000-0x[0-9a-f]+, the guest RAM is '
                        r'0x40000000-0x41000000 \(ram=16M\) with its DTB at 0x40e00000',
                        lines[0]), lines


def test_initrd_too_big_for_ram(request, build):
    rc, lines = refused(request, 'guest=' + os.path.join(build, 'guests', 'hello.bin'),
                        'initrd=' + os.path.join(build, 'linux', 'Image'), 'ram=8M')
    assert rc == 2 and len(lines) == 1, lines
    assert re.match(r'error: initrd=\S+: \d+ MiB do not fit in ram=8M', lines[0]), lines


@pytest.mark.parametrize('vcpus', ['0', '9', 'two'])
def test_bad_vcpus(request, build, vcpus):
    rc, lines = refused(request, 'guest=' + os.path.join(build, 'guests', 'hello.bin'),
                        'vcpus=' + vcpus)
    assert (rc, lines) == (2, ['error: vcpus=%s: a VM has 1 to 8 vCPUs' % vcpus])


def test_bad_header(request, tmp_path):
    # An ELF64 executable for x86-64 (e_machine 62), not AArch64.
    elf = tmp_path / 'x86.elf'
    elf.write_bytes(b'\x7fELF\x02\x01\x01' + bytes(9)
                    + struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, 0, 0, 0, 0, 64, 56, 0, 0, 0, 0))
    rc, lines = refused(request, 'guest=%s' % elf)
    assert (rc, lines) == (2, ['error: guest=%s: not a little-endian AArch64 ELF64 file'
                               % os.path.relpath(str(elf), ROOT)])


def test_bad_load_for_linux_image(request, build):
    rc, lines = refused(request, 'guest=' + os.path.join(build, 'linux', 'Image'),
                        'load=0x40100000')
    assert (rc, lines) == (2, ['error: load=0x40100000: a Linux Image goes at a 2 MiB '
                               'aligned base (booting.rst)'])


def test_image_path_with_space_quote_and_comment_end(request, build, tmp_path):
    """Review of issue 15: the image's path went unquoted into the cfgcheck
    command line, images.S (.incbin "...") and the generated config.c (a C
    comment): a space, a '"' or a '*/' in it broke the build. A bare-metal
    image under such a path boots."""
    odd = tmp_path / 'my dir*' / 'the "hello" image.bin'
    odd.parent.mkdir()
    shutil.copy(os.path.join(build, 'guests', 'hello.bin'), str(odd))
    before = tree_state()
    child = boot(request, request.config.getoption('--qemu-timeout') * 2,
                 'guest=%s' % odd)
    expect(child, r"hyp: vm 'guest' powered off \(PSCI SYSTEM_OFF\)")
    assert exit_status(child) == 0
    assert 'TEST RESULT: PASS' in guest_output(child)
    assert tree_state() == before


def test_gdb_hint_quotes_the_paths():
    """The gdb line printed for gdb=1 is one a shell and gdb read back."""
    import shlex
    import sys
    sys.path.insert(0, os.path.join(ROOT, 'site_scons'))
    import own_guest
    path = '/tmp/my dir/a "b" c.elf'
    hint = own_guest.gdb_hint({'kind': 'elf', 'path': path}, '/x y/hyp.elf', 1234)
    argv = shlex.split(hint)
    assert argv[:2] == ['gdb-multiarch', '/x y/hyp.elf'], argv
    assert shlex.split(argv[-1], posix=True) == ['add-symbol-file', path], argv


def test_ram_beyond_the_boards_memory_is_refused_before_qemu(request, build):
    """Review of issue 15: ram=1G on the default 1 GiB board was refused
    only by the kernel, after QEMU started."""
    rc, lines = refused(request, 'guest=' + os.path.join(build, 'guests', 'hello.bin'),
                        'ram=1G')
    assert (rc, lines) == (2, [
        "error: ram=1G: the guest's 1024 MiB and its services' 8 MiB do not fit "
        "in the board's 1024 MiB (mem=1G) less the 64 MiB the hypervisor keeps: "
        "raise mem= or lower ram="])


def test_ram_fits_a_bigger_board(build):
    import sys
    sys.path.insert(0, os.path.join(ROOT, 'site_scons'))
    import own_guest
    hello = os.path.join(build, 'guests', 'hello.bin')
    assert own_guest.plan(hello, ram='1G', mem='2G')['ram_size'] == 1 << 30
    assert own_guest.plan(hello, ram='952M', mem='1G')['ram_size'] == 952 << 20
    with pytest.raises(own_guest.GuestError):
        own_guest.plan(hello, ram='954M', mem='1G')


def test_services_ram_and_reserve_match_the_configs():
    """own_guest's sums are those of the C headers it builds from."""
    import sys
    sys.path.insert(0, os.path.join(ROOT, 'site_scons'))
    import own_guest

    def read(p):
        with open(os.path.join(ROOT, p)) as f:
            return f.read()
    sizes = [int(n) for h in ('configs/common/vgic_service.h', 'configs/common/uart_service.h')
             for n in re.findall(r'\.size = (\d+) \* SZ_1M', read(h))]
    assert sum(sizes) << 20 == own_guest.SERVICES_RAM
    reserved = re.search(r'\.hyp_reserved = (\d+) \* SZ_1M', read('configs/platform/qemu_virt.c'))
    assert int(reserved.group(1)) << 20 == own_guest.HYP_RESERVED
