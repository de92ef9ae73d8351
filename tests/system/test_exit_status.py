"""The exit status of a run tells how its guests ended (issue 15, item 3).

`scons qemu=1` runs QEMU through tools/hypqemu.py's run(), which exits with
the status of the kernel's last "hyp: vm 'X' exited with status N" line
(HYP_CALL_EXIT), else with QEMU's (1 for a guest the kernel stopped, a
dead service or a panic: pvpanic). These tests call that same function.
"""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hypqemu  # noqa: E402


def run_scenario(request, tmp_path, scenario, stdin_text=b''):
    """hypqemu.run() on @scenario; returns (status, console)."""
    elf = os.path.join(request.config.getoption('--build'), 'scenarios', scenario,
                       'hyp.elf')
    if not os.path.exists(elf):
        pytest.fail('scenario image %s is missing: run scons first' % elf)
    cmd = hypqemu.cmdline(elf, qemu=request.config.getoption('--qemu'))
    # QEMU's own wall-clock guard: a hung guest fails, never hangs the suite.
    cmd = ['timeout', str(int(request.config.getoption('--qemu-timeout')))] + cmd
    stdin = tmp_path / 'stdin'
    stdin.write_bytes(stdin_text)
    out = tmp_path / 'console'
    with open(stdin, 'rb') as i, open(out, 'wb') as o:
        status = hypqemu.run(cmd, stdin=i.fileno(), stdout=o.fileno())
    return status, out.read_text(errors='replace')


def test_guest_exit_status_3_is_the_run_status(request, tmp_path):
    status, out = run_scenario(request, tmp_path, 'test-exit3')
    assert "hyp: vm 'test' exited with status 3" in out, out
    assert 'TEST CHECK FAILED' not in out, out
    assert status == 3, out


def test_guest_exit_status_0_is_success(request, tmp_path):
    status, out = run_scenario(request, tmp_path, 'test-exit0')
    assert "hyp: vm 'test' exited with status 0" in out, out
    assert re.search(r'(?m)^hyp: no guest left running: powering off\r?$', out), out
    assert status == 0, out


def test_faulting_guest_fails_the_run(request, tmp_path):
    """An abort the guest did not expect: the guest library reports the
    failure with exit status 1."""
    status, out = run_scenario(request, tmp_path, 'test-fault')
    assert 'TEST RESULT: FAIL' in out, out
    assert status != 0, out


def test_dead_service_fails_the_run(request, tmp_path):
    """No exit line: QEMU's own failure status (pvpanic) is the run's."""
    status, out = run_scenario(request, tmp_path, 'test-svcdead')
    assert 'powering off with a failure status (a service died)' in out, out
    assert status == 1, out


@pytest.mark.parametrize('qemu_status, statuses, want', [
    (0, [], 0), (1, [], 1), (1, [3], 3), (1, [0], 1), (0, [0], 0),
    (1, [0, 5], 5), (-9, [], 137)])
def test_exit_status_mapping(qemu_status, statuses, want):
    assert hypqemu.exit_status(qemu_status, statuses) == want


@pytest.mark.parametrize('statuses, want', [
    ([3, 0], 3), ([0, 3], 3), ([3, 5], 3), ([5, 3, 0], 5)])
def test_first_failing_vm_status_wins(statuses, want):
    """Several VMs exit: a test suite failing in one VM is never hidden
    by another VM's later success or later failure status."""
    assert hypqemu.exit_status(1, statuses) == want


def test_forged_exit_line_from_a_guest_is_not_taken():
    """A guest's lines carry its tag: only the kernel's count."""
    c = hypqemu._Console(os.open(os.devnull, os.O_WRONLY))
    c.feed(b"[test] hyp: vm 'test' exited with status 7\r\n")
    c.feed(b"hyp: vm 'test' exited with status 4\r\nhyp: no guest left")
    assert c.statuses == [4]


def test_scons_qemu_exits_with_the_guest_status(request):
    """The whole path a user runs: scons qemu=1 exits 3 for test-exit3."""
    r = subprocess.run(['scons', '-Q', 'qemu=1', 'scenario=test-exit3'], cwd=ROOT,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT,
                       timeout=request.config.getoption('--qemu-timeout') * 4)
    out = r.stdout.decode(errors='replace')
    assert "hyp: vm 'test' exited with status 3" in out, out
    assert r.returncode == 3, out


def test_piped_input_reaches_the_linux_shell(request, tmp_path):
    """.ci/run pipes `poweroff` into `scons qemu=1`: input that is not a
    terminal is held until the shell prompts (Linux's PL011 driver drains
    its RX FIFO when the console opens, so early bytes would be lost), then
    the run ends by itself with status 0."""
    status, out = run_scenario(request, tmp_path, 'linux',
                               stdin_text=b'echo piped-$((6*7))\npoweroff')
    assert '[linux] piped-42' in out, out
    assert "hyp: vm 'linux' powered off (PSCI SYSTEM_OFF)" in out, out
    assert status == 0, out


def test_reset_before_the_prompt_with_piped_input_fails_fast(request, tmp_path):
    """Piped input waits for a shell prompt; a guest that resets before it
    prompts (Linux panicking at boot with panic=-1, here test-reset, which
    resets for ever) would hold the run, and CI, until a time limit. The
    first reset ends the run: QEMU stopped, one line, non-zero status."""
    status, out = run_scenario(request, tmp_path, 'test-reset',
                               stdin_text=b'poweroff\n')
    # (The console may hold a few more resets QEMU wrote before it was
    # stopped; without the check it resets until timeout(1) kills it.)
    assert re.search(r"(?m)^error: vm 'test' reset \(reset #1\) before a shell "
                     r"prompt: its boot failed \(a kernel panic with panic=-1 "
                     r"resets\); QEMU stopped, the piped input not sent\r?$",
                     out), out
    assert status == hypqemu.BOOT_FAILED, out


# A stand-in for QEMU: the kernel's reset line, then a long wait (or, with
# "exit", status 0 at once).
RESET_THEN = ("printf \"hyp: vm 'linux' reset (PSCI SYSTEM_RESET, reset #1)\\r\\n\"; %s")


@pytest.mark.parametrize('stdin_text, then, want', [
    (b'', 'exit 0', 0),               # no input waiting: the guest's business
    (b'poweroff\n', 'exec sleep 60', hypqemu.BOOT_FAILED),  # stopped at once
])
def test_reset_line_fails_only_a_run_with_input_waiting(tmp_path, stdin_text,
                                                        then, want):
    stdin = tmp_path / 'stdin'
    stdin.write_bytes(stdin_text)
    out = tmp_path / 'console'
    with open(stdin, 'rb') as i, open(out, 'wb') as o:
        status = hypqemu.run(['sh', '-c', RESET_THEN % then], stdin=i.fileno(),
                             stdout=o.fileno())
    text = out.read_text()
    assert status == want, text
    assert ("error: vm 'linux' reset" in text) == (want != 0), text


def test_forged_reset_line_from_a_guest_is_not_taken():
    c = hypqemu._Console(os.open(os.devnull, os.O_WRONLY))
    c.feed(b"[linux] hyp: vm 'linux' reset (PSCI SYSTEM_RESET, reset #1)\r\n")
    assert c.resets == []
    c.feed(b"hyp: vm 'linux' reset (PSCI SYSTEM_RESET, reset #2)\r\n")
    assert c.resets == [('linux', 2)]


def test_terminal_input_goes_straight_to_the_guest(request):
    """From a terminal the runner holds nothing back: bytes typed reach the
    guest at once (test-svcirq waits for two typed bytes, no prompt)."""
    import pexpect
    elf = os.path.join(request.config.getoption('--build'), 'scenarios',
                       'test-svcirq', 'hyp.elf')
    code = ('import sys; sys.path.insert(0, %r); import hypqemu; '
            'sys.exit(hypqemu.run(hypqemu.cmdline(%r, qemu=%r)))'
            % (os.path.join(ROOT, 'tools'), elf, request.config.getoption('--qemu')))
    child = pexpect.spawn(sys.executable, ['-c', code],
                          timeout=request.config.getoption('--qemu-timeout'))
    try:
        child.expect(r'svcirq: type a byte \(1\)')
        child.send('a')
        child.expect(r'svcirq: .*type a byte \(2\)')
        child.send('b')
        child.expect(r'TEST RESULT: PASS')
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    finally:
        child.terminate(force=True)
