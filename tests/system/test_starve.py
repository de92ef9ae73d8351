"""A guest spinning beside its service on one CPU must not get the service
restarted (guests/tests/starve.c, scenario test-starve). The guest notifies
the echo service and then runs past the service's 1 s reply deadline
without a trap, twice: services run before guests, so the service
takes the CPU at once and waits again well within its deadline. Before the
fix it waited for the guest's next trap and was restarted each round ("ran
1000 ms without waiting for work"): a guest could spend the restart budget
of a service it shares. QEMU runs with -icount: the spins are in virtual
time."""


def test_spinning_guest_does_not_starve_its_service(boot):
    m = boot('test-starve', smp=1, icount=True)
    for i in range(2):
        m.expect(r'\[test\] starve: round %d: notified, spun 1100 ms, '
                 r'service restarted 0 times' % i)
    verdict = m.expect(r'\[test\] TEST RESULT: (PASS|FAIL[^\r\n]*)')
    out = m.output()
    assert verdict.group(1) == 'PASS', out
    m.expect(r"hyp: vm 'test' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
    out = m.output()
    assert 'without waiting for work' not in out, out
    assert 'restarted from its image' not in out, out
