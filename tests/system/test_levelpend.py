"""Conformance: a level-sensitive interrupt is pending while asserted.

Scenario test-levelpend (configs/irq_test/config.c with
guests/tests/levelpend.c): with its distributor enable bit clear, the
virtual timer armed in the past (INTID 27) and the PL011's SPI 33 with
TXRIS & IMSC set (raised by the UART service) must read 1 in
GICD_ISPENDR, stay pending after a GICD_ICPENDR write while asserted, and
read 0 once their source drops (IHI 0048B 1.4.2, 4.3.7).
"""
from conftest import run_guest_test


def test_level_sensitive_pending_while_asserted(boot):
    m = run_guest_test(boot, 'test-levelpend')
    out = m.output()
    assert 'levelpend: virtual timer pending while asserted' in out
    assert 'levelpend: UART SPI pending while asserted' in out
