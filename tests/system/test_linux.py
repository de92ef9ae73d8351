"""An unmodified Debian Linux kernel boots to a busybox shell as a guest,
with four vCPUs on two and on four physical CPUs, each time with two
CPU-bound loops beside QEMU (the busy_host fixture): on this project's
2-core machines QEMU's CPUs then never have a core each.

Fails on a kernel panic or oops, a hang (every expect has a deadline), or
any hypervisor error or warning line."""
import re

import pytest

from conftest import shell

PROMPT = r'/ # '
# Lines that would mean trouble anywhere in the transcript (the kernel's
# lines begin a console line; Linux's are tagged "[linux] ").
FATAL = re.compile(r'Kernel panic|Internal error: Oops|Unable to handle kernel|'
                   r'^hyp: error|^hyp: warning|BUG:|rcu_.*stall', re.M)
# dmesg lines matching error|warn that are expected in this VM and harmless.
DMESG_ALLOWED = []
VCPUS = 4
# Four vCPUs under TCG boot slower than one: a longer deadline.
TIMEOUT_SCALE = 3


# A line Linux printed to its console (printk), not a command's output.
KERNEL_LINE = re.compile(r'\[\s*\d+\.\d+\] ')


def command_value(out):
    """The one line a command printed (@out, as shell() gives it), without
    console lines of the kernel that came in meanwhile: on a busy host
    Linux may warn in the middle of it ("hrtimer: interrupt took N ns")."""
    lines = [line.strip() for line in out.splitlines()]
    values = [line for line in lines if line and not KERNEL_LINE.match(line)]
    assert len(values) == 1, lines
    return values[0]


def shell_value(m, command, tag):
    """The one line @command prints (a sysfs value): command_value()."""
    return command_value(shell(m, command, tag))


def interrupt_counts(text):
    """{name: count summed over CPUs} from /proc/interrupts."""
    counts = {}
    for line in text.splitlines():
        m = re.match(r'\s*\d+:((?:\s+\d+)+)\s+GIC-0\s+\d+\s+\w+\s+(\S+)', line)
        if m:
            counts[m.group(2)] = sum(int(n) for n in m.group(1).split())
    return counts


def boot_to_shell(boot, smp):
    m = boot('linux', smp=smp, timeout_scale=TIMEOUT_SCALE)
    m.expect(r'Booting Linux on physical CPU')
    m.expect(r'psci: PSCIv1\.0 detected in firmware')
    m.expect(r'psci: SMC Calling Convention v1\.1')
    m.expect(r'smp: Brought up 1 node, %d CPUs' % VCPUS)
    m.expect(r'tinyhyp: busybox shell on Linux 6\.1')
    m.expect(PROMPT)
    return m


def power_off(m):
    m.child.sendline('poweroff')
    m.expect(r'reboot: Power down')
    m.expect(r"hyp: vm 'linux' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
    fatal = FATAL.search(m.output())
    if fatal:
        pytest.fail('fatal line %r in:\n%s' % (fatal.group(0), m.output()))


def check_parallel_workload(m):
    """Four CPU-bound loops, one per vCPU, all run to completion, and every
    vCPU took timer interrupts while they ran."""
    before = shell(m, 'cat /proc/interrupts', 'END-IRQ0')
    loop = 'n=0; while [ $n -lt 3000 ]; do n=$((n+1)); done'
    out = shell(m, 'for i in 1 2 3 4; do (%s; echo loop$i=$n) & done; wait' % loop,
                'END-LOOPS')
    for i in range(1, 5):
        assert 'loop%d=3000' % i in out, out
    after = shell(m, 'cat /proc/interrupts', 'END-IRQ9')
    timer = [l for l in after.splitlines() if 'arch_timer' in l][0]
    counts = [int(n) for n in timer.split(':')[1].split()[:VCPUS]]
    assert all(c > 0 for c in counts), timer
    assert interrupt_counts(after)['arch_timer'] > interrupt_counts(before)['arch_timer']


@pytest.mark.parametrize('smp', [2])
def test_linux_boots_to_shell_runs_commands_and_powers_off(boot, smp, busy_host):
    m = boot_to_shell(boot, smp)

    uname = shell(m, 'uname -a', 'END-UNAME')
    assert re.search(r'Linux \S+ 6\.1\.\S+ .* aarch64 GNU/Linux', uname), uname

    cpuinfo = shell(m, 'cat /proc/cpuinfo', 'END-CPUINFO')
    assert len(re.findall(r'^processor\s*:', cpuinfo, re.M)) == VCPUS, cpuinfo

    first = interrupt_counts(shell(m, 'cat /proc/interrupts', 'END-IRQ1'))
    assert 'arch_timer' in first and 'uart-pl011' in first, first
    shell(m, 'sleep 1', 'END-SLEEP')
    second = interrupt_counts(shell(m, 'cat /proc/interrupts', 'END-IRQ2'))
    assert second['arch_timer'] > first['arch_timer']
    assert second['uart-pl011'] > first['uart-pl011']

    check_parallel_workload(m)

    dmesg = shell(m, "dmesg | grep -i -E 'error|warn'", 'END-DMESG')
    bad = [line for line in dmesg.splitlines()
           if line.strip() and not any(a in line for a in DMESG_ALLOWED)]
    assert not bad, 'unexpected dmesg lines:\n' + '\n'.join(bad)
    power_off(m)


def test_linux_four_vcpus_on_four_cpus(boot, busy_host):
    """One physical CPU per vCPU: every vCPU its own, no time sharing."""
    m = boot_to_shell(boot, 4)
    cpuinfo = shell(m, 'cat /proc/cpuinfo', 'END-CPUINFO')
    assert len(re.findall(r'^processor\s*:', cpuinfo, re.M)) == VCPUS, cpuinfo
    check_parallel_workload(m)
    power_off(m)
