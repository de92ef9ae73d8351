"""A virtual timer interrupt still asserted when the guest completes it is
taken again at the guest's next WFI (guests/tests/vtimer_eoi.c): the
kernel's hardware-linked timer interrupt must not leave a trapped WFI
returning at once, with no interrupt, again and again (issue 14: the WFI
storm of Linux SMP under -icount)."""
import re

import pytest

from conftest import run_guest_test


@pytest.mark.parametrize('smp', [1, 2])
def test_vtimer_completed_while_asserted_fires_again(boot, smp):
    m = run_guest_test(boot, 'test-vtimer-eoi', smp=smp)
    got = re.search(r'vtimer_eoi: (\d+) interrupts taken, at most (\d+) WFIs each',
                    m.output())
    assert got, m.output()
    assert int(got.group(1)) >= 200
