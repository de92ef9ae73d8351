"""CPU-bound loops beside the tests: a busy host on demand.

Users run QEMU with more CPUs than their host has free cores; the tests
that boot SMP guests must hold then too (issue 14). BusyHost(n) starts n
processes that spin on a core each until the block ends:

    with BusyHost(2):
        ...run tests...

TINYHYP_BUSY in the environment says how many loops an outer driver
(tools/run_tests.py --busy N) already runs, so that a test asking for a
busy host does not add more on top of them.
"""
import os
import subprocess
import sys

ENV = 'TINYHYP_BUSY'
# One process per loop; 'pass' in a Python while loop keeps a core at 100%.
LOOP = [sys.executable, '-c', 'while True: pass']


class BusyHost:
    def __init__(self, count):
        self.count = count
        self.procs = []
        self.saved = None

    def __enter__(self):
        self.procs = [subprocess.Popen(LOOP, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL)
                      for _ in range(self.count)]
        self.saved = os.environ.get(ENV)
        os.environ[ENV] = str(already_busy() + self.count)
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()
        if self.saved is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = self.saved
        return False


def already_busy():
    """Loops an outer driver runs already (0 if none)."""
    try:
        return max(0, int(os.environ.get(ENV, '0')))
    except ValueError:
        return 0
