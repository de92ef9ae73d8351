"""System tests of interrupts: virtual timer, distributor, SGIs."""
from conftest import run_guest_test


def test_timer_distributor_and_self_sgi(boot):
    # Inside the guest: 10 periodic virtual-timer interrupts through GICC
    # IAR/EOIR with a switch to the vgic service between ticks; enable,
    # pending (ISPENDR/ICPENDR), active (ISACTIVER while handling) and
    # priority (PMR masking) semantics of the distributor; an SGI to itself.
    m = run_guest_test(boot, 'test-irq')
    out = m.output()
    assert '[test] irq: 10 timer ticks through GICC IAR/EOIR' in out
    assert '[test] irq: distributor enable/pending/active/priority behave' in out
    assert '[test] irq: SGI 5 to itself' in out
    assert '[test] irq: 8 interrupts pending at once, all delivered' in out
    assert '[test] irq: 5 back-to-back timer interrupts without exits' in out
    assert '[vgic] vgic: serving 1 distributor(s)' in out


def test_console_input_raises_the_guest_uart_interrupt(boot):
    m = boot('test-uartirq')
    m.expect(r'\[test\] UART RX READY')
    m.child.send('hello!')
    got = m.expect(r'\[test\] UART RX GOT: (\S*) \((\d+) interrupts\)')
    assert got.group(1) == 'hello!'
    assert int(got.group(2)) >= 1
    m.expect(r'\[test\] TEST RESULT: PASS')
    assert m.wait_exit() == 0


def test_two_guests_get_their_interrupts_across_vcpu_switches(boot):
    """Two guests on one CPU: each WFI of one switches to the other (full
    EL1, virtual timer and GICH state). Both pass the whole interrupt test;
    both distributors are served by one vgic service."""
    m = boot('test-irq-two')
    m.expect(r'\[vgic\] vgic: serving 2 distributor\(s\)')
    for _ in range(2):
        m.expect(r'\[(one|two)\] TEST RESULT: PASS')
    m.expect(r'hyp: no guest left running')
    assert m.wait_exit() == 0
    out = m.output()
    for vm in ('one', 'two'):
        assert '[%s] irq: 10 timer ticks through GICC IAR/EOIR' % vm in out
        assert '[%s] irq: SGI 5 to itself' % vm in out
    assert 'TEST CHECK FAILED' not in out
