"""An unmodified Debian Linux kernel boots to a busybox shell as a guest.

Fails on a kernel panic or oops, a hang (every expect has a deadline), or
any hypervisor error or warning line."""
import re

import pytest

PROMPT = r'/ # '
# Lines that would mean trouble anywhere in the transcript.
FATAL = re.compile(r'Kernel panic|Internal error: Oops|Unable to handle kernel|'
                   r'hyp: error|hyp: warning|BUG:')
# dmesg lines matching error|warn that are expected in this VM and harmless.
DMESG_ALLOWED = []


def shell(m, command, tag):
    """Run @command and return what it printed. The end marker is computed
    by the shell ($((6*7))), so it never matches the echoed command line,
    which is dropped."""
    m.child.sendline('%s; echo @@%s$((6*7))' % (command, tag))
    out = m.expect(r'([\s\S]*?)@@%s42' % re.escape(tag))
    m.expect(PROMPT)
    return out.group(1).split('\n', 1)[1] if '\n' in out.group(1) else ''


def interrupt_counts(text):
    counts = {}
    for line in text.splitlines():
        m = re.match(r'\s*\d+:\s+(\d+)\s+GIC-0\s+(\d+)\s+\w+\s+(\S+)', line)
        if m:
            counts[m.group(3)] = int(m.group(1))
    return counts


def test_linux_boots_to_shell_runs_commands_and_powers_off(boot):
    m = boot('linux')
    m.expect(r'Booting Linux on physical CPU')
    m.expect(r'psci: PSCIv1\.0 detected in firmware')
    m.expect(r'psci: SMC Calling Convention v1\.1')
    m.expect(r'tinyhyp: busybox shell on Linux 6\.1')
    m.expect(PROMPT)

    uname = shell(m, 'uname -a', 'END-UNAME')
    assert re.search(r'Linux \S+ 6\.1\.\S+ .* aarch64 GNU/Linux', uname), uname

    first = interrupt_counts(shell(m, 'cat /proc/interrupts', 'END-IRQ1'))
    assert 'arch_timer' in first and 'uart-pl011' in first, first
    shell(m, 'sleep 1', 'END-SLEEP')
    second = interrupt_counts(shell(m, 'cat /proc/interrupts', 'END-IRQ2'))
    assert second['arch_timer'] > first['arch_timer']
    assert second['uart-pl011'] > first['uart-pl011']

    dmesg = shell(m, "dmesg | grep -i -E 'error|warn'", 'END-DMESG')
    bad = [line for line in dmesg.splitlines()
           if line.strip() and not any(a in line for a in DMESG_ALLOWED)]
    assert not bad, 'unexpected dmesg lines:\n' + '\n'.join(bad)

    m.child.sendline('poweroff')
    m.expect(r'reboot: Power down')
    m.expect(r"hyp: vm 'linux' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
    fatal = FATAL.search(m.output())
    if fatal:
        pytest.fail('fatal line %r in:\n%s' % (fatal.group(0), m.output()))
