"""Issue 12, item 2: PMU and OS-lock registers are per vCPU.

Two guests on one physical CPU (smp=1) each write their own values to
PMCCNTR, PMEVCNTR0, PMEVTYPER0, PMUSERENR, PMINTENSET, PMCNTENSET, PMSELR,
PMCCFILTR and OSLAR, and must keep reading exactly them (and their reset
values before), across many of the other's time slices; guest one's cycle
counter must stop while guest two runs.
"""


def test_pmu_and_os_lock_are_per_vcpu(boot):
    m = boot('test-pmu-two', smp=1)
    m.expect(r'hyp: tinyhyp')
    for _ in range(2):
        verdict = m.expect(r'\[(one|two)\] TEST RESULT: (PASS|FAIL[^\r\n]*)')
        assert verdict.group(2) == 'PASS', m.output()
    m.expect(r'hyp: no guest left running: powering off')
    assert m.wait_exit() == 0
    assert 'TEST CHECK FAILED' not in m.output()
