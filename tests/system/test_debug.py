"""Debugging the kernel with gdb (`scons qemu=1 gdb=1`).

A backtrace taken in a trap handler must end at the exception entry
(vectors.S): x29 and x30 there still hold the guest's values, and a
debugger that followed them showed `lower_sync` thousands of times. The
entry's CFI marks its return address undefined, which ends the unwind.
"""
import os
import re
import shutil
import subprocess
import time

import pytest

import hypqemu  # conftest puts tools/ on the path

# The trap path at most: handler, its inlined dispatch, the C entry, the
# assembly entry; a few more for inlining differences, never thousands.
MAX_FRAMES = 8


def test_backtrace_in_a_trap_handler_ends_at_the_exception_entry(boot, request):
    gdb = shutil.which('gdb-multiarch')
    if gdb is None:
        pytest.skip('gdb-multiarch is not installed')
    port = hypqemu.free_port()
    m = boot('demo', extra=hypqemu.gdb_stub_args(port))
    while not hypqemu.listening(port):
        if not m.child.isalive() or m.remaining() <= 0.1:
            pytest.fail('QEMU never listened for gdb on port %d:\n%s'
                        % (port, m.output()))
        time.sleep(0.05)
    elf = os.path.join(request.config.getoption('--build'), 'scenarios',
                       'demo', 'hyp.elf')
    r = subprocess.run([gdb, '-batch', '-nx', elf,
                        '-ex', 'target remote 127.0.0.1:%d' % port,
                        '-ex', 'break hypercall_dispatch',
                        '-ex', 'continue',
                        '-ex', 'bt %d' % (MAX_FRAMES * 4),
                        '-ex', 'kill'],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=m.remaining())
    frames = re.findall(r'(?m)^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\w+)', r.stdout)
    assert frames, 'no backtrace:\n' + r.stdout + r.stderr
    assert frames[0][1] == 'hypercall_dispatch', r.stdout
    assert frames[-1][1] == 'lower_sync', r.stdout
    assert len(frames) <= MAX_FRAMES, r.stdout
