"""Posted PL011 writes (kernel/include/hyp/posted.h): a DR store completes
in the kernel and waits in its window's ring for the UART service, which
takes it later. Nothing the guest does next may overtake it: the guest
(guests/tests/posted.c) mixes its PL011 with its debug console (a
hypercall the kernel prints at once), writes more bytes than the ring
holds, makes a trapped SMC, and powers off right after its verdict went out
through the PL011. Every line must come out whole and in program order,
the verdict before the kernel's power-off line."""
import re

from conftest import run_guest_test

FILL_LINES = 12
FILL_CHARS = 60


def fill_line(n):
    return 'posted: fill %02d ' % n + ''.join(
        chr(ord('a') + (n + i) % 26) for i in range(FILL_CHARS))


def test_posted_writes_keep_program_order(boot):
    m = run_guest_test(boot, 'test-posted')
    out = m.output().replace('\r', '')
    want = (['posted: one (pl011)', 'posted: two (debug console)',
             'posted: three (pl011)'] +
            [fill_line(n) for n in range(FILL_LINES)] +
            ['posted: four (debug console, after %d lines)' % FILL_LINES,
             'posted: five (pl011, then an SMC)',
             'posted: six (debug console, after the SMC)',
             'TEST RESULT: PASS'])
    lines = re.findall(r'(?m)^\[test\] (.*)$', out)
    seen = [line for line in lines if line in want]
    assert seen == want, out
    # The verdict, the last PL011 bytes, before the power-off.
    assert out.index('TEST RESULT: PASS') < out.index("hyp: vm 'test' powered off"), out


def test_posted_writes_come_out_while_the_guest_spins(boot):
    """The guest (guests/tests/postspin.c) prints a line through its PL011
    and spins with its interrupts masked, never to exit again: the EL2
    timer its first store armed (IPC_POSTED_DELAY_US) ends its slice, and
    the line comes out."""
    m = boot('test-postspin')
    m.expect(r'hyp: tinyhyp')
    m.expect(r'(?m)^\[test\] postspin: spinning now')
