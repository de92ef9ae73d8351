"""System test of the EL1 physical timer each guest vCPU gets from the
kernel (CNTP_CTL/CVAL/TVAL_EL0, interrupt INTID 30): guests/tests/ptimer.c
in two VMs, on one and on two physical CPUs. QEMU runs with -icount, so the
guests' rate checks are in virtual time, independent of the host's load."""
import pytest


@pytest.mark.parametrize('smp', [1, 2])
def test_each_vcpu_has_its_own_physical_timer(boot, smp):
    m = boot('test-ptimer', smp=smp, icount=True)
    m.expect(r'\[vgic\] vgic: serving 2 distributor\(s\)')
    for _ in range(2):
        verdict = m.expect(r'\[(one|two)\] TEST RESULT: (PASS|FAIL[^\r\n]*)')
        if verdict.group(2) != 'PASS':
            pytest.fail('vm %s reported %s; console:\n%s'
                        % (verdict.group(1), verdict.group(2), m.output()))
    m.expect(r'hyp: no guest left running')
    assert m.wait_exit() == 0
    out = m.output()
    for line in ('CTL/CVAL/TVAL read back as the architecture says',
                 'INTID 30 through GICC IAR/EOIR; IMASK holds it back',
                 'disabling, masking or moving CVAL drops the pending state',
                 'an asserted level is taken again after each EOI',
                 '100 ticks at 1000 Hz',
                 'CTL and CVAL kept across vCPU switches',
                 'vcpu 1 had its own timer, and a reset one after CPU_OFF/CPU_ON'):
        assert '[one] ptimer: ' + line in out
    assert '[two] ptimer: 60 ticks at 333 Hz' in out
    assert 'none foreign' in out
    assert 'TEST CHECK FAILED' not in out
    assert 'undefined instruction injected' not in out
