"""The distributor service crashes again and again under Linux (scenario
linux-vgic-crash: the vgic service image built with fault injection, which
crashes on every 16th GICD write, before or after changing its model).
Each time the kernel restarts it from its image; it finds every client's
distributor in its kept RAM (rolling back the write it died in), and the
kernel sends it that write again. Linux notices nothing: it boots through
the crashes of its GIC set-up, and while a shell loop moves the UART's
interrupt from CPU to CPU (a GICD_ITARGETSR write each time) the service
crashes a dozen times more; interrupts keep arriving and the shell answers.
A distributor that came back at reset values would tell the kernel the
UART interrupt is disabled at the next write: the shell would go deaf."""
import re

from conftest import untag

PROMPT = r'/ # '
MOVES = 200
UART_LINE = re.compile(r'^\s*(\d+):((?:\s+\d+)+)\s+GIC-0\s+33 Level\s+uart-pl011', re.M)
TIMER_LINE = re.compile(r'^\s*\d+:((?:\s+\d+)+)\s+GIC-0\s+27 Level\s+arch_timer', re.M)
KERNEL_LINE = re.compile(r'(?m)^hyp: [^\n]*\n')
EXPECTED_WARNINGS = re.compile(
    r"service 'vgic' faulted: |service 'vgic' restarted from its image|"
    r"vm 'vgic': vcpu 0: data write at IPA 0x70000000 .* \(reported once\)")


def counts(m, start):
    """Total UART and timer interrupts in the last /proc/interrupts."""
    m.child.sendline('cat /proc/interrupts')
    m.expect(r'Err:\s+\d+')
    m.expect(PROMPT)
    # Linux's lines carry its console tag; the kernel's restart lines
    # come out first.
    text = untag(KERNEL_LINE.sub('', m.output()[start:]), 'linux')
    uart = UART_LINE.findall(text)[-1]
    timer = TIMER_LINE.findall(text)[-1]
    return (int(uart[0]), sum(int(n) for n in uart[1].split()),
            sum(int(n) for n in timer.split()))


def restarts(m):
    return len(re.findall(r"service 'vgic' restarted from its image", m.output()))


def test_vgic_service_crashes_under_linux_and_linux_goes_on(boot):
    m = boot('linux-vgic-crash', smp=2, timeout_scale=4)
    m.expect(r'tinyhyp: busybox shell on Linux 6\.1')
    m.expect(PROMPT)
    booted = restarts(m)
    # Linux's GIC set-up alone writes the distributor ~150 times.
    assert booted >= 5, m.output()
    assert 'distributor state kept' in m.output()
    start = len(m.output())
    irq, uart0, timer0 = counts(m, start)

    m.child.sendline('i=0; while [ $i -lt %d ]; do echo $((1 << (i %% 4))) > '
                     '/proc/irq/%d/smp_affinity; i=$((i+1)); done; '
                     'echo @@MOVED$((6*7))' % (MOVES, irq))
    m.expect(r'@@MOVED42')
    m.expect(PROMPT)
    assert restarts(m) - booted >= 10, m.output()[start:]
    assert 'the unfinished write was rolled back' in m.output()[start:]

    # The last move took effect: CPU 3 (i = 199).
    m.child.sendline('cat /proc/irq/%d/smp_affinity' % irq)
    m.expect(r'\n\[linux\] 0*8\r')
    m.expect(PROMPT)
    # The shell answers (its UART interrupt works), timers tick.
    m.child.sendline('echo alive-$((6*7))')
    m.expect(r'alive-42')
    m.expect(PROMPT)
    _, uart1, timer1 = counts(m, start)
    assert uart1 > uart0 and timer1 > timer0, (uart0, uart1, timer0, timer1)

    warnings = re.findall(r'hyp: warning: ([^\r\n]*)', m.output())
    assert all(EXPECTED_WARNINGS.search(w) for w in warnings), warnings
    for bad in ('Kernel panic', 'Internal error: Oops', 'Unable to handle',
                'SError', 'BUG:', 'hyp: error', 'no kept state'):
        assert bad not in m.output()
    m.child.sendline('poweroff')
    m.expect(r"hyp: vm 'linux' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0
