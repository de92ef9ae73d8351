"""Timer isolation: no path may drop a hardware-linked virtual interrupt.

Scenario timesteal-test (configs/timesteal/config.c): the "test" guest
(guests/tests/timesteal.c) lets its virtual timer interrupt sit in a list
register linked to the physical PPI 27 (GICH_LR.HW), then drops it without
completing it: GICD_ICPENDR0, GICD_ICACTIVER0, CPU_OFF + CPU_ON, PSCI
SYSTEM_RESET. The kernel must deactivate the physical PPI each time (IHI
0048B 5.3.4); if it does not, the PPI stays active on that CPU and no VM
there gets a timer interrupt again. The "ticker" guest
(guests/tests/ticker.c), on the same physical CPU, prints a line every 10
timer interrupts (100 per second); the attacker spins one second of virtual
time after each attack, and the ticker must keep printing meanwhile.

With smp=1 everything shares CPU 0; with smp=2 the attacker's vCPU 1
shares CPU 0 with the ticker (where CPU_OFF leaves it loaded) and its
vCPU 0 runs on CPU 1 and starts vCPU 1 again from there.
"""
import re

import pytest

TICK = re.compile(r'\[ticker\] ticker: (\d+) ticks')
ATTACKS = ['icpendr', 'icactiver', 'cpu-off-on']
# Lines the ticker prints in one second: 10. At least this many must
# appear in each window, even sharing its CPU with a spinning attacker.
MIN_LINES = 3


def ticks_between(out, start, end):
    """Ticker lines after the first @start marker, up to the next @end."""
    begin = out.index(start)
    stop = out.index(end, begin)
    return len(TICK.findall(out[begin:stop]))


@pytest.mark.parametrize('smp', [1, 2])
def test_timer_survives_dropped_hw_interrupts(boot, smp):
    m = boot('timesteal-test', smp=smp)
    m.expect(r'hyp: tinyhyp')
    m.expect(r'\[test\] timesteal: start')
    for attack in ATTACKS:
        m.expect(r'\[test\] timesteal: %s: done' % re.escape(attack))
    checks = m.expect(r'\[test\] timesteal: checks (ok|FAILED)').group(1)
    m.expect(r'\[test\] timesteal: system-reset: attacked')
    m.expect(r"hyp: vm 'test' reset \(PSCI SYSTEM_RESET")
    # The attacker's next boot spins one second before its next attack.
    m.expect(r'\[test\] timesteal: boot')
    m.expect(r'\[test\] timesteal: start')
    out = m.output()
    m.kill()

    windows = {a: ticks_between(out, 'timesteal: %s: attacked' % a,
                                'timesteal: %s: done' % a) for a in ATTACKS}
    reset_at = out.index("hyp: vm 'test' reset")
    windows['system-reset'] = ticks_between(out[reset_at:], "hyp: vm 'test' reset",
                                            'timesteal: start')
    starved = {a: n for a, n in windows.items() if n < MIN_LINES}
    assert not starved, \
        'ticker starved after (attack: lines in 1 s) %s; console:\n%s' \
        % (starved, out)
    # One count, never restarted.
    counts = [int(n) for n in TICK.findall(out)]
    assert counts == [10 * (i + 1) for i in range(len(counts))], counts
    assert checks == 'ok', 'attacker checks failed; console:\n' + out
    assert 'TEST CHECK FAILED' not in out
