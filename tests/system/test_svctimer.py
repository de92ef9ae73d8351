"""System test of the service timer (HYP_IPC_TIMER_SET, IPC_MSG_TIMER) and
of the client-reset message (IPC_MSG_RESET): guests/tests/svctimer.c
against the alarm service (services/timersvc), on one and on two CPUs.
QEMU runs with -icount, so every check is in virtual time (counter ticks),
never the host's."""
import re

import pytest


@pytest.mark.parametrize('smp', [1, 2])
def test_service_timer_and_client_reset(boot, smp):
    m = boot('test-svctimer', smp=smp, icount=True)
    m.expect(r'\[alarm\] alarm: serving 1 window\(s\)')
    m.expect(r'\[test\] svctimer: run 0, the service heard of 0 reset\(s\)')
    m.expect(r'\[test\] svctimer: the service reads this guest\'s counter')
    for what in ('idle CPU', 'busy CPU'):
        m.expect(r'\[test\] svctimer: %s: delivered \d+ ticks after its deadline' % what)
    m.expect(r'\[test\] svctimer: a cancelled deadline does not fire')
    for what in ('replaced by a later one', 'replaced by a sooner one'):
        m.expect(r'\[test\] svctimer: %s: delivered \d+ ticks after its deadline' % what)
    m.expect(r'\[test\] svctimer: a deadline already past fires at once')
    m.expect(r'\[test\] svctimer: alarm armed, resetting')
    m.expect(r"hyp: vm 'test' reset \(PSCI SYSTEM_RESET, reset #1\)")
    # The service hears of it before the guest's second run reaches it.
    m.expect(r'\[alarm\] alarm: client \d+ reset \(1 so far\)')
    m.expect(r'\[test\] svctimer: run 1, the service heard of 1 reset\(s\)')
    m.expect(r'\[test\] svctimer: the GIC distributor and the PL011 are at '
             r'their reset values too')
    m.expect(r'\[test\] svctimer: after the reset the alarm is at its reset '
             r'values and its old deadline cancelled')
    verdict = m.expect(r'\[test\] TEST RESULT: (PASS|FAIL[^\r\n]*)')
    out = m.output()
    assert verdict.group(1) == 'PASS', out
    m.expect(r"hyp: vm 'test' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
    assert 'TEST CHECK FAILED' not in out
    # Each deadline fired once: idle, busy, two replaced, one past.
    assert len(re.findall(r'\[alarm\] alarm: timer \d+ for deadline', out)) == 5
