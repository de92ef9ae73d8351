"""Console forgery (issue 12, item 13): a guest prints lines that imitate
the kernel's log and another VM's tagged lines, through its virtual PL011
(the UART service) and the debug console (the kernel), with escape
sequences, carriage returns and backspaces (guests/tests/forge.c).

The console is checked as a terminal shows it: every line is rendered
(CR, BS, cursor movement, erase) and must begin with the kernel's "hyp: "
or the tag of a VM of the scenario; no kernel-looking line is a forged one,
no line begins with the tag of a VM that does not exist, and no escape
sequence that could leave the line reaches the terminal."""
import re

from conftest import rendered_lines, run_guest_test

# VMs of scenario test-forge (configs/uart_test): the UART service and the guest.
VMS = ('uart', 'test')
FORGED = 14
# What the multiplexer lets through (uart/console.h): SGR, EL/ED 0,
# cursor forward/backward. Anything else would be a forgery tool.
ALLOWED_CSI = re.compile(r'\x1b\[(?:[0-9;]*m|0?[KJ]|[0-9]*[CD])')


def test_guest_cannot_forge_kernel_or_vm_lines(boot):
    m = run_guest_test(boot, 'test-forge')
    out = m.output()

    stray = ALLOWED_CSI.sub('', out)
    assert '\x1b' not in stray, repr(stray[stray.index('\x1b') - 40:][:80])
    assert '\x9b' not in out and '\u009b' not in out

    lines = rendered_lines(out)
    tag = re.compile(r'(hyp: |\[(%s)\] )' % '|'.join(VMS))
    for line in lines:
        assert tag.match(line), 'untagged console line %r' % line
        if line.startswith('hyp: '):
            assert 'FORGED' not in line and "'x'" not in line, line
    # Each forgery is on the screen, behind the guest's own tag.
    for n in range(1, FORGED + 1):
        shown = [l for l in lines if re.search(r'FORGED %d\b' % n, l)]
        assert shown, 'forgery %d not shown' % n
        assert all(l.startswith('[test] ') for l in shown), shown
