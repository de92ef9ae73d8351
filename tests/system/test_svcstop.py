"""Services that stop answering (issue 12, items 6, 7 and 9).

A service waits for work only in HYP_IPC_RECV: WFI, PSCI CPU_SUSPEND and
CPU_OFF are faults (it would otherwise block its clients for ever, out of
reach of its reply deadline), and its PSCI SYSTEM_RESET is a restart like
a fault's (the access in flight is sent again, never answered with a
made-up OK). A service the kernel gives up (its restart budget spent, or
powered off by itself) stops every client VM that uses it, with one log
line each; with no guest left the machine powers off and QEMU exits with
a failure status.
"""
import re

RESTART = r"service 'echo' restarted from its image \(restart %d of at most \d+\)"


def test_service_that_stalls_or_resets_is_restarted_and_the_access_resent(boot):
    m = boot('test-svcstop')
    for n, what in enumerate(('WFI', 'PSCI CPU_SUSPEND', 'PSCI CPU_OFF'), 1):
        m.expect(r"service 'echo' faulted: %s while it has work" % what)
        m.expect(RESTART % n)
        m.expect(r'\[test\] svcstop: %s while serving a write: restarted, '
                 r'the write took effect once' % what)
    m.expect(r"service 'echo' asked for a reset \(PSCI SYSTEM_RESET\)")
    m.expect(RESTART % 4)
    m.expect(r'\[test\] svcstop: PSCI SYSTEM_RESET while serving a write')
    m.expect(r"service 'echo' asked for a reset \(PSCI SYSTEM_RESET\)")
    m.expect(RESTART % 5)
    m.expect(r'\[test\] svcstop: PSCI SYSTEM_RESET while serving a read: '
             r'restarted, the read answered')
    m.expect(r"service 'echo' faulted: WFI while it has work")
    m.expect(RESTART % 6)
    m.expect(r'\[test\] svcstop: WFI in a notification: restarted, guest went on')
    m.expect(r'\[test\] TEST RESULT: PASS')
    m.expect(r"hyp: vm 'test' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
    out = m.output()
    assert 'TEST CHECK FAILED' not in out
    assert 'did not answer within' not in out
    assert "vm 'echo' reset" not in out


def test_dead_service_stops_its_clients_and_qemu_exits_with_failure(boot):
    """'off' powers itself off; 'echo' crashes twice per write of its
    client until its budget of 64 restarts is spent. Each client is stopped
    with one line (in whichever order the two happen), then the machine
    powers off and QEMU exits with status 1 (pvpanic)."""
    m = boot('test-svcdead')
    m.expect(r'hyp: no guest left running: powering off with a failure '
             r'status \(a service died\)')
    status = m.wait_exit()
    out = m.output()
    assert status == 1, out
    assert re.search(RESTART % 64, out)
    assert "service 'echo' failed 64 times: not restarted again" in out
    assert ("vm 'crasher' stopped: its service 'echo' is dead "
            "(restarted 64 times)") in out
    assert ("vm 'offer' stopped: its service 'off' is dead "
            "(it powered off with PSCI SYSTEM_OFF)") in out
    assert len(re.findall(r"stopped: its service '\w+' is dead", out)) == 2
    # The clients were stopped, not left to report (or loop).
    assert 'TEST RESULT' not in out
    assert 'still running after its service' not in out
    assert 'no pvpanic-pci device' not in out


def test_service_reset_with_its_interrupt_masked_gets_it_unmasked(boot):
    """The echo service owns the physical PL011's interrupt; notified of
    the first byte typed, it resets before acknowledging it. Restarted, it
    hears the second byte: the kernel unmasked its interrupt."""
    m = boot('test-svcirq')
    m.expect(r'\[test\] svcirq: type a byte \(1\)')
    m.child.send('a')
    m.expect(r"service 'echo' asked for a reset \(PSCI SYSTEM_RESET\)")
    m.expect(RESTART % 1)
    m.expect(r'\[test\] svcirq: service reset while its interrupt was masked; '
             r'type a byte \(2\)')
    m.child.send('b')
    m.expect(r'\[test\] svcirq: the restarted service hears its interrupt again')
    m.expect(r'\[test\] TEST RESULT: PASS')
    m.expect(r"hyp: vm 'test' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
    assert 'TEST CHECK FAILED' not in m.output()
