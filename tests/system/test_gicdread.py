"""GICD_CTLR, TYPER and IIDR, which the vgic service publishes for the
kernel to answer (HYP_IPC_WINDOW_READS, issue 14): scenario test-gicdread
(configs/irq_test/config.c with guests/tests/gicdread.c) reads each by a
word load (answered by the kernel) and by an LDP (sent to the service)
and finds the same value, sees byte and halfword loads still aborted as
the distributor model refuses them, and reads back every CTLR written.
test-gicdread-crash runs the same guest with the vgic-faultinject image,
which dies every 16th write before or after changing its model: the
restarted service publishes its kept, committed CTLR again."""
import re

from conftest import run_guest_test

DONE = 'gicdread: CTLR, TYPER and IIDR read as the service answers them (100 writes)'


def test_gicd_reads_the_kernel_answers_equal_the_services(boot):
    m = run_guest_test(boot, 'test-gicdread')
    assert DONE in m.output()


def test_gicd_reads_stay_exact_across_vgic_restarts(boot):
    m = run_guest_test(boot, 'test-gicdread-crash')
    out = m.output()
    assert DONE in out
    # The service did die and come back, more than once.
    restarts = re.findall(r'vgic: restart (\d+): distributor state kept', out)
    assert len(restarts) >= 3, out
