"""System tests: each boots one scenario image in QEMU under a timeout.

The build directory, QEMU binary and timeout come from the command line
(tools/run_tests.py passes them). A hung guest is a failed test, never a
hung suite: every expect has a deadline and QEMU is killed at teardown.
"""
import os
import re
import subprocess
import sys
import time

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hypqemu  # noqa: E402
from hypqemu import untag, vm_output  # noqa: E402,F401
import busyhost  # noqa: E402

# Images the scenarios-file parse tests let a line name
# (hyp_scenarios.parse()'s known set).
SCENARIO_TEST_IMAGES = frozenset({'hello', 'uart', 'test_exit0'})
SCONS_RUN_TIMEOUT = 600


def scons_run(*args, dry=True):
    """`scons -Q ARGS` in the tree, output and errors in one text; with
    @dry (-n) nothing is built, only what would be is printed."""
    return subprocess.run(['scons', '-Q'] + (['-n'] if dry else []) + list(args),
                          cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=SCONS_RUN_TIMEOUT)


# A line that means the hypervisor itself is broken (the kernel's lines
# begin a console line; a guest's never do, see services/uart/console.h).
KERNEL_FAILURE = r'(?m)^hyp: error: '
# One CSI sequence (ECMA-48 5.4).
CSI = re.compile(r'\x1b\[([0-9;]*)([@-~])')




def render(line):
    """A console line as a terminal shows it: CR returns to column 0, BS
    and CSI n D move left, CSI n C right, CSI K erases to the end; text
    overwrites. Other sequences are dropped."""
    screen, col, i = [], 0, 0
    while i < len(line):
        ch = line[i]
        m = CSI.match(line, i)
        if m:
            p = m.group(1)
            n = int(p) if p.isdigit() and int(p) > 0 else 1
            if m.group(2) == 'D':
                col = max(0, col - n)
            elif m.group(2) == 'C':
                col += n
            elif m.group(2) == 'K':
                del screen[col:]
            i = m.end()
            continue
        if ch == '\r':
            col = 0
        elif ch == '\b':
            col = max(0, col - 1)
        elif ch >= ' ' or ch == '\t':
            screen.extend(' ' * (col + 1 - len(screen)))
            screen[col] = ch
            col += 1
        i += 1
    return ''.join(screen).rstrip()


def rendered_lines(text):
    """The non-empty lines of a console transcript, as rendered."""
    return [r for r in (render(l) for l in text.split('\n')) if r]


def pytest_addoption(parser):
    parser.addoption('--build', default=os.path.join(ROOT, 'build'))
    parser.addoption('--qemu', default='qemu-system-aarch64')
    parser.addoption('--qemu-timeout', type=float, default=60.0)


class Machine:
    """One QEMU run of a scenario, with its console transcript."""

    def __init__(self, elf, qemu, timeout, cmd=None, **qemu_args):
        """@cmd: another QEMU command line than hypqemu.cmdline()'s for
        @elf (bare QEMU: hypqemu.bare_linux_cmdline())."""
        self.deadline = time.monotonic() + timeout
        cmd = cmd or hypqemu.cmdline(elf, qemu=qemu, **qemu_args)
        self.child = pexpect.spawn(cmd[0], cmd[1:], encoding='utf-8',
                                   codec_errors='replace', timeout=timeout)
        self.transcript = []
        self.child.logfile_read = _Collector(self.transcript)

    def remaining(self):
        return max(0.1, self.deadline - time.monotonic())

    def expect(self, pattern):
        """Wait for @pattern; fail on a kernel error line, EOF or timeout."""
        idx = self.child.expect([pattern, KERNEL_FAILURE, pexpect.EOF,
                                 pexpect.TIMEOUT], timeout=self.remaining())
        if idx != 0:
            why = ['', 'hypervisor error', 'QEMU exited', 'timeout'][idx]
            pytest.fail('%s while waiting for %r; console:\n%s'
                        % (why, pattern, self.output()))
        return self.child.match

    def expect_vm(self, vm, pattern):
        """Wait until @vm's own output (vm_output()) matches @pattern, a
        line of which may be cut by other VMs' lines; fail on a kernel
        error line, EOF or timeout. Returns the match."""
        rx = re.compile(pattern)
        while True:
            m = rx.search(vm_output(self.output(), vm))
            if m:
                return m
            # The next console line (or the end of what is there).
            self.expect(r'\n')

    def wait_exit(self):
        """Wait for QEMU to exit by itself; returns its exit status."""
        idx = self.child.expect([pexpect.EOF, pexpect.TIMEOUT],
                                timeout=self.remaining())
        if idx != 0:
            pytest.fail('QEMU did not exit by itself; console:\n' + self.output())
        self.child.close()
        return self.child.exitstatus

    def cpu_seconds(self):
        """Host CPU time (user+sys) QEMU has used so far; QEMU must still
        run (pexpect reaps it once it has exited)."""
        try:
            with open('/proc/%d/stat' % self.child.pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except FileNotFoundError:
            pytest.fail('QEMU has exited (and was reaped): its CPU time is gone; '
                        'console:\n%s' % self.output())
        ticks = os.sysconf('SC_CLK_TCK')
        return (int(fields[11]) + int(fields[12])) / ticks

    def output(self):
        return ''.join(self.transcript)

    def kill(self):
        if self.child.isalive():
            self.child.terminate(force=True)


class _Collector:
    def __init__(self, sink):
        self.sink = sink

    def write(self, s):
        self.sink.append(s)

    def flush(self):
        pass


@pytest.fixture
def boot(request):
    """boot('scenario-name') -> Machine; QEMU is always killed afterwards."""
    machines = []
    cfg = request.config

    def start(scenario, timeout_scale=1, **qemu_args):
        elf = os.path.join(cfg.getoption('--build'), 'scenarios', scenario, 'hyp.elf')
        if not os.path.exists(elf):
            pytest.fail('scenario image %s is missing: run scons first' % elf)
        m = Machine(elf, cfg.getoption('--qemu'),
                    cfg.getoption('--qemu-timeout') * timeout_scale, **qemu_args)
        machines.append(m)
        return m

    yield start
    for m in machines:
        m.kill()


# CPU-bound loops the SMP guest tests always run beside them (issue 14): a
# host with fewer free cores than QEMU has CPUs is the normal case.
BUSY_LOOPS = 2


@pytest.fixture
def busy_host():
    """Two cores kept busy for the test (fewer if the driver, run_tests.py
    --busy N, already runs loops)."""
    with busyhost.BusyHost(max(0, BUSY_LOOPS - busyhost.already_busy())):
        yield


def shell(m, command, tag, vm='linux', prompt=r'/ # '):
    """Run @command at the busybox shell that has the console input (VM
    @vm's) and return what it printed: @vm's tags taken off, the echoed
    command line dropped. The end marker @@<tag>42 is computed by the shell
    ($((6*7))), so it never matches the echoed line; @prompt is waited for
    after it."""
    m.child.sendline('%s; echo @@%s$((6*7))' % (command, tag))
    out = untag(m.expect(r'([\s\S]*?)@@%s42' % re.escape(tag)).group(1), vm)
    m.expect(prompt)
    return out.split('\n', 1)[1] if '\n' in out else ''


def own_lines(out):
    """The lines of shell()'s @out that its VM printed: another VM's or a
    service's (tagged "[name] ") and the kernel's ("hyp: ...") dropped."""
    return '\n'.join(line for line in out.splitlines()
                     if not re.match(r'\r*(\[[\w-]+\] |hyp: )', line))


def run_guest_test(boot, scenario, **qemu_args):
    """Boot a bare-metal test guest, require PASS and a clean power-off."""
    m = boot(scenario, **qemu_args)
    m.expect(r'hyp: tinyhyp')
    verdict = m.expect(r'(?m)^\[[\w-]+\] TEST RESULT: (PASS|FAIL[^\r\n]*)')
    if verdict.group(1) != 'PASS':
        m.wait_exit()
        pytest.fail('guest reported %s; console:\n%s' % (verdict.group(1), m.output()))
    m.expect(r"(?m)^hyp: vm '\w+' powered off \(PSCI SYSTEM_OFF\)")
    m.expect(r'(?m)^hyp: no guest left running: powering off')
    assert m.wait_exit() == 0
    assert 'TEST CHECK FAILED' not in m.output()
    return m
