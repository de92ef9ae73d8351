"""hypqemu._Console reads the kernel's exit lines out of QEMU's console as
it arrives, in chunks of up to 64 KiB (review of issue 15, item 3).

Its tail is cut to TAIL_KEEP bytes *before* the chunk is split into lines,
so (1) a kernel exit line followed, in the same read, by more than
TAIL_KEEP bytes of other output is never seen, and (2) a guest line longer
than TAIL_KEEP is cut in its middle, its "[name] " tag dropped, and what
follows the cut is matched as if it began a line: a guest can put a
"hyp: vm ... exited with status N" line there. Both fail before a fix.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hypqemu  # noqa: E402


def console():
    return hypqemu._Console(os.open(os.devnull, os.O_WRONLY))


def test_exit_line_followed_by_much_output_in_one_read_is_counted():
    """The kernel's line, then another VM's long output, in one read."""
    c = console()
    other = b''.join(b'[linux] line %d of its boot log\r\n' % i for i in range(400))
    assert len(other) > hypqemu.TAIL_KEEP
    c.feed(b"hyp: vm 'a' exited with status 3\r\n" + other)
    assert c.statuses == [3]


def test_guest_line_longer_than_the_tail_cannot_forge_an_exit_line():
    """A tagged guest line of TAIL_KEEP + more bytes whose cut falls on a
    forged kernel line: nothing may be taken from it."""
    c = console()
    c.feed(b'[g] ' + b'A' * (hypqemu.TAIL_KEEP + 100))
    forged = b"hyp: vm 'g' exited with status 7\r\n"
    c.feed(forged + b'B' * (hypqemu.TAIL_KEEP - len(forged)))
    c.feed(b"\r\n")
    assert c.statuses == []
