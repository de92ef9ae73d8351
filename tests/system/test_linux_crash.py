"""The UART service is crashed again and again while Linux prints without
pause (scenario linux-crash: the UART service image built with fault
injection, whose console command Ctrl-] ! makes it crash within a few
accesses, at a varying point inside one). Each time the kernel restarts it
from its image, it finds its device state in its kept RAM (rolling back
the access it died in), and the kernel sends it that access again. Linux notices
nothing: every line arrives once and intact, and its shell answers."""
import re

from conftest import untag

PROMPT = r'/ # '
CRASHES = 12
LINES = 3000
TEXT = 'abcdefghijklmnopqrstuvwxyz'
# What the kernel and the service print about the crashes, to take out of
# Linux's output (they may land in the middle of one of its lines).
SERVICE_LOG = re.compile(r"(hyp: [^\r\n]*|\[uart\] [^\r\n]*)\r*\n")
EXPECTED_WARNINGS = re.compile(
    r"service 'uart' faulted: |service 'uart' restarted from its image|"
    r"vm 'uart': vcpu 0: data write at IPA 0x70000000 .* \(reported once\)")


def test_uart_service_crashes_under_linux_load_and_linux_goes_on(boot):
    m = boot('linux-crash', smp=2, timeout_scale=4)
    m.expect(r'tinyhyp: busybox shell on Linux 6\.1')
    m.expect(PROMPT)
    start = len(m.output())
    m.child.sendline('i=0; while [ $i -lt %d ]; do echo L$i-%s; i=$((i+1)); done; '
                     'echo @@DONE$((6*7))' % (LINES, TEXT))
    m.expect(r'L100-')
    for n in range(1, CRASHES + 1):
        m.child.send('\x1d!')
        m.expect(r"service 'uart' restarted from its image \(restart %d of" % n)
        m.expect(r'uart: restart %d: device state kept' % n)
    m.expect(r'@@DONE42')
    m.expect(PROMPT)
    printed = m.output()[start:]
    assert 'L%d-' % (LINES - 1) in printed

    # Every line once, in order, intact: nothing lost, doubled or garbled.
    # (A kernel line ends Linux's unfinished line first; Linux's next
    # output is tagged again: untag() joins the two parts.)
    text = untag(SERVICE_LOG.sub('', printed), 'linux')
    lines = re.findall(r'^L(\d+)-([^\r\n]*)\r*$', text, re.M)
    assert [int(n) for n, _ in lines] == list(range(LINES)), \
        [l for l in text.splitlines() if l.startswith('L')][:50]
    assert all(t == TEXT for _, t in lines)

    # The crashes happened during the output, not after it.
    restarts = [mm.start() for mm in
                re.finditer(r"service 'uart' restarted from its image", printed)]
    assert len(restarts) == CRASHES
    # Some crashes came in the middle of a change: the journal undid it.
    assert 'the unfinished access was rolled back' in printed
    # Some came while a committed batch of posted DR writes was being sent:
    # the restarted service sent the rest of it (and no line above lost or
    # doubled a byte). Half the crash points fall there; the sequence of
    # points is fixed by the restart count (arm_crash).
    assert 'uart: sending the last' in printed
    assert restarts[-1] < printed.index('L%d-' % (LINES - 1))

    # The shell answers, its UART interrupt still works.
    m.child.sendline('echo alive-$((6*7))')
    m.expect(r'alive-42')
    m.expect(PROMPT)
    warnings = re.findall(r'(?m)^hyp: warning: ([^\r\n]*)', m.output())
    assert all(EXPECTED_WARNINGS.search(w) for w in warnings), warnings
    for bad in ('Kernel panic', 'Internal error: Oops', 'Unable to handle',
                'SError', 'BUG:', 'hyp: error'):
        assert bad not in m.output()
    m.child.sendline('poweroff')
    m.expect(r"hyp: vm 'linux' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
