"""Issue 12, item 4: a service does not see the guest it runs on top of.

The guest sets its own TPIDR*, SP_EL0, PAR_EL1, CNTKCTL, CSSELR, virtual
timer, CPACR, MDSCR, breakpoint/watchpoint, OS-lock and PMU registers; the
probe service (services/regprobe) reads each while serving the guest's MMIO
access (it must see none of the guest's values) and writes 0 to each (the
guest's values must stay).
"""
from conftest import run_guest_test


def test_service_sees_nothing_of_the_guest_under_it(boot):
    m = run_guest_test(boot, 'test-svcview')
    assert 'svcview: the service' not in m.output()
    # Trapped accesses are answered, not punished with a restart.
    assert 'restart' not in m.output()
