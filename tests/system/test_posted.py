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
# guests/tests/postwait.c: its WFI ends by the posted writes' timer
# (IPC_POSTED_DELAY_US, 500 us) and the line goes out, in virtual time.
WFI_POSTED_BOUND_US = 10000


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


def test_posted_writes_come_out_while_two_guests_spin_on_one_cpu(boot):
    """Two guests on one CPU (scenario test-postspin-two), each the
    postspin guest: a line through its PL011, then a spin with interrupts
    masked. Each slice's end hands the CPU to the other guest, which is the
    only exit either makes: the kernel must take a VM's posted writes there
    too. Regression: it took them only when the guest went on, so neither
    line ever came out."""
    m = boot('test-postspin-two')
    m.expect(r'hyp: tinyhyp')
    for vm in ('test', 'two'):
        m.expect_vm(vm, r'postspin: spinning now')


def test_posted_writes_come_out_while_a_lone_vcpu_waits_in_wfi(boot):
    """The guest (guests/tests/postwait.c) is alone on its CPU, so its WFI
    waits in hardware. A PL011 line after a take that left its VM's posted
    mark set (the first line's timer, while it spun), then a WFI with
    interrupts masked: the EL2 timer that must end the WFI and get the line
    out is due IPC_POSTED_DELAY_US (500 us) after its first store. Virtual
    time (icount): deterministic on a busy host. Regression (found by review
    before it was committed): such a write armed no timer, and the WFI
    lasted until some other timer, about a second."""
    m = run_guest_test(boot, 'test-postwait', icount=True)
    out = m.output().replace('\r', '')
    lines = re.findall(r'(?m)^\[test\] (.*)$', out)
    want = ['postwait: first line', 'postwait: second line, then WFI']
    assert [line for line in lines if line in want] == want, out
    slept = re.search(r'(?m)^\[test\] postwait: after the WFI \(debug console\): (\d+) us$', out)
    assert slept, out
    # The bound and the printing of one line, well under a millisecond of
    # guest instructions; 10 ms leaves room and is far below the bug's.
    assert int(slept.group(1)) < WFI_POSTED_BOUND_US, out
    assert out.index('postwait: second line') < out.index('postwait: after the WFI'), out
    # The WFI did not trap: the guest's only WFI exit is its first (a
    # reset vCPU's WFI is watched), the sleep on its physical timer.
    exits = re.search(r"hyp: vm 'test' exits: \d+ MMIO, \d+ HVC/SMC, (\d+) WFI/WFE", out)
    assert exits and int(exits.group(1)) == 1, out
