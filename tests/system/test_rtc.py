"""The PL031 RTC service under Linux (services/pl031, the worked example
of a small service written only against libipc).

Scenario linux: rtc-pl031 probes the emulated PL031 (its PrimeCell IDs
read through the service), the clock it reads advances, a time set with
`date -s ... && hwclock -w` reads back with `hwclock -r`, and after
`echo +2 > /sys/class/rtc/rtc0/wakealarm` the match reaches Linux as its
rtc-pl031 interrupt at its second, without Linux touching the RTC (the
service's timer wakes it).

Scenario linux-rtc-crash (image pl031-faultinject: the first RTCDR read
after each RTCLR write crashes the service): the time the guest set, and
an alarm's match and mask, survive two crashes of the service.

Scenario test-pl031reset (bare metal, under -icount): the service told of
its client's PSCI SYSTEM_RESET (IPC_MSG_RESET) puts the client's RTC back
to its reset values except the time (guests/tests/pl031reset.c).

Waiting for the alarm: the guest watches /proc/interrupts (not the RTC)
until the rtc-pl031 count goes up: an event, under the test's deadline.
"""
import re

from conftest import shell, untag
from test_linux import PROMPT, interrupt_counts, power_off, shell_value

RTC = '/sys/class/rtc/rtc0'
GUEST_TIME = '2030-01-01 12:00:00'
GUEST_DAY = 'Tue Jan  1 12:00'
# Seconds ahead an alarm is set (the crash test rewrites RTCLR before it is
# due, with the same time give or take a second).
ALARM_AHEAD = 8
EXPECTED_WARNINGS = re.compile(
    r"service 'pl031' faulted: |service 'pl031' restarted from its image|"
    r"vm 'pl031': vcpu 0: data write at IPA 0x70000000 .* \(reported once\)")


def boot_linux(boot, scenario):
    m = boot(scenario, smp=2, timeout_scale=3)
    m.expect(r'pl031: serving 1 PL031 window\(s\), time from the board\'s RTC '
             r'\((\d+) s since the epoch\), state kept across restarts')
    m.expect(r'tinyhyp: busybox shell on Linux 6\.1')
    m.expect(PROMPT)
    return m


def wait_for_alarm(m, tag):
    """Wait, without touching the RTC, until its interrupt has been taken
    once more."""
    before = interrupt_counts(shell(m, 'cat /proc/interrupts', tag + '-B'))
    count = before.get('rtc-pl031', 0)
    shell(m, "until [ $(awk '/rtc-pl031/ {s=0; for (i=2; i<NF-3; i++) s+=$i; "
             "print s}' /proc/interrupts) -gt %d ]; do sleep 1; done" % count, tag + '-W')
    after = interrupt_counts(shell(m, 'cat /proc/interrupts', tag + '-A'))
    assert after['rtc-pl031'] > count, after


def wait_restart(m, n):
    """The service's @n-th restart, with its state kept (the lines may have
    come while a command ran)."""
    if not re.search(r'pl031: restart %d: device state kept' % n, m.output()):
        m.expect(r'pl031: restart %d: device state kept' % n)
    assert re.search(r"service 'pl031' restarted from its image "
                     r"\(restart %d of" % n, m.output()), m.output()


def test_rtc_probes_counts_sets_and_interrupts_under_linux(boot):
    m = boot_linux(boot, 'linux')

    dmesg = shell(m, 'dmesg | grep rtc-pl031', 'END-DMESG')
    assert re.search(r'rtc-pl031 9010000\.pl031: registered as rtc0', dmesg), dmesg
    # The board's time reached the guest (hctosys), within a day of it.
    board = int(re.search(r'\((\d+)\)', dmesg).group(1))
    first = int(shell_value(m, 'cat %s/since_epoch' % RTC, 'END-T1'))
    assert 0 <= first - board < 86400, (board, first)
    shell(m, 'sleep 2', 'END-SLEEP')
    second = int(shell_value(m, 'cat %s/since_epoch' % RTC, 'END-T2'))
    assert second > first, (first, second)

    out = shell(m, "date -s '%s' >/dev/null && hwclock -w && hwclock -r"
                % GUEST_TIME, 'END-SET')
    assert GUEST_DAY in out and '2030' in out, out
    assert shell_value(m, 'cat %s/date' % RTC, 'END-DATE') == '2030-01-01'

    irqs = interrupt_counts(shell(m, 'cat /proc/interrupts', 'END-IRQ'))
    assert 'rtc-pl031' in irqs, irqs
    shell(m, 'echo +2 > %s/wakealarm' % RTC, 'END-ALARM')
    wait_for_alarm(m, 'END-POLL')
    power_off(m)


def test_rtc_time_and_alarm_survive_service_crashes(boot):
    m = boot_linux(boot, 'linux-rtc-crash')

    # RTCLR write, then Linux reads the time back: the service dies in
    # that read; its next instance answers it from the kept state.
    shell(m, "date -s '%s' >/dev/null && hwclock -w" % GUEST_TIME, 'END-SET')
    wait_restart(m, 1)
    out = shell(m, 'hwclock -r', 'END-READ1')
    assert GUEST_DAY in out and '2030' in out, out

    # An alarm (RTCMR, RTCIMSC), then a crash again: the match and the
    # mask are still there, the restarted service set its timer again, and
    # the alarm interrupts Linux.
    shell(m, 'echo +%d > %s/wakealarm' % (ALARM_AHEAD, RTC), 'END-ALARM')
    shell(m, 'hwclock -w', 'END-SET2')
    wait_restart(m, 2)
    wait_for_alarm(m, 'END-POLL')
    out = shell(m, 'hwclock -r', 'END-READ2')
    assert GUEST_DAY in out and '2030' in out, out

    warnings = re.findall(r'(?m)^hyp: warning: ([^\r\n]*)', m.output())
    assert all(EXPECTED_WARNINGS.search(w) for w in warnings), warnings
    m.child.sendline('poweroff')
    m.expect(r"hyp: vm 'linux' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
    fatal = re.search(r'Kernel panic|Internal error: Oops|Unable to handle|'
                      r'SError|BUG:|^hyp: error', untag(m.output(), 'linux'),
                      re.M)
    assert fatal is None, fatal.group(0)


def test_client_reset_restores_the_rtc_but_keeps_its_time(boot):
    """The guest loads the time (RTCLR), sets a match and unmasks it
    (RTCMR, RTCIMSC), resets; after the reset RTCIMSC, RTCMR and RTCRIS read
    0 and the counter runs on from the time loaded."""
    m = boot('test-pl031reset', icount=True)
    m.expect(r'\[test\] pl031reset: run 0: time loaded, match set and '
             r'unmasked, resetting')
    m.expect(r"hyp: vm 'test' reset \(PSCI SYSTEM_RESET, reset #1\)")
    m.expect(r'\[test\] pl031reset: run 1: RTCIMSC, RTCMR and RTCRIS at their '
             r'reset values')
    m.expect(r'\[test\] pl031reset: run 1: the time runs on from the time '
             r'loaded \(\+\d+ s, then \+\d+ s\)')
    verdict = m.expect(r'\[test\] TEST RESULT: (PASS|FAIL[^\r\n]*)')
    assert verdict.group(1) == 'PASS', m.output()
    m.expect(r"hyp: vm 'test' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
    assert 'TEST CHECK FAILED' not in m.output()
