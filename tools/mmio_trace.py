#!/usr/bin/env python3
"""Where the instructions of one benchmark operation go, function by function.

Boots the benchmark scenario under QEMU (-icount, halted, gdb stub), lets
the benchmark guest reach its loop around INSN a few times, then single-steps
one iteration of it with gdb-multiarch (every instruction at every exception
level: guest, EL2 kernel, the service partition) and prints the functions it
went through in order, with the instructions spent in each, e.g.

    tools/mmio_trace.py                      # ldr w4, [x1]: a UART IMSC read
    tools/mmio_trace.py --insn 'str w3, [x1]'  # a DR write: posted, no switch

The total is the figure `scons bench` reports for the operation (which also
counts the guest's own instruction). Symbols: the kernel's from the scenario
image, the service's from --service (services are linked at 0x20000000, so
only one service's symbols can be shown), the guest's as "guest".
"""
import argparse
import bisect
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hypqemu  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICE_BASE = 0x20000000
SERVICE_END = 0x21000000
GUEST_BASE = 0x40000000
GUEST_END = 0x40100000
BENCH_SMP = 2
# Iterations of the loop let run before the traced one (caches, first-use
# paths of the service).
WARMUP = 3
# Iterations stepped: the one shown is the first on the common path. Now
# and then the UART service has to start a new tagged console line
# because the kernel logged a line meanwhile (output_slow: about 270
# instructions more); that is not the operation the bench row measures.
ITERATIONS = 4
SLOW_PATHS = ('service output_slow',)
ITER_MARK = '==mmio_trace iteration=='
MAX_STEPS = 5000
LISTEN_POLL_S = 0.05
PC_LINE = re.compile(r'^=> (0x[0-9a-f]+)', re.M)


def symbols(elf):
    out = subprocess.run(['aarch64-linux-gnu-nm', '-n', elf], check=True,
                         capture_output=True, text=True).stdout
    table = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'tTwW':
            table.append((int(parts[0], 16), parts[2]))
    return table


def require_built(tool, paths):
    """Exit with a message naming the first of @paths scons has not built."""
    for path in paths:
        if not os.path.exists(path):
            sys.exit('%s: %s is missing: run scons first' % (tool, path))


def pc_name(pc, kernel, service, guest=None):
    """'guest F', 'service F' or 'kernel F' for @pc, F its function in the
    symbol table of that side (mmio_trace.symbols()), or 'guest' alone
    without the guest's table."""
    if GUEST_BASE <= pc < GUEST_END:
        if guest is None:
            return 'guest'
        table, prefix = guest, 'guest '
    elif SERVICE_BASE <= pc < SERVICE_END:
        table, prefix = service, 'service '
    else:
        table, prefix = kernel, 'kernel '
    i = bisect.bisect_right([a for a, _ in table], pc) - 1
    return prefix + (table[i][1] if i >= 0 else '?')


def insn_address(guest_elf, insn, occurrence=1):
    """Address of the @occurrence-th instruction spelled @insn in the guest."""
    out = subprocess.run(['aarch64-linux-gnu-objdump', '-d', guest_elf],
                         check=True, capture_output=True, text=True).stdout
    want = ' '.join(insn.split())
    for line in out.splitlines():
        m = re.match(r'\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+(.*)$', line)
        if m and ' '.join(m.group(2).split('//')[0].split()) == want:
            occurrence -= 1
            if occurrence == 0:
                return int(m.group(1), 16)
    sys.exit('mmio_trace: %r not found in %s' % (insn, guest_elf))


def gdb_script(addr, port):
    return '\n'.join([
        'set pagination off', 'set confirm off',
        'target remote 127.0.0.1:%d' % port,
        'break *0x%x' % addr] + ['continue'] * WARMUP + [
        'set $k = 0',
        'while $k < %d' % ITERATIONS,
        '  set $n = 0',
        '  while $pc != 0x%x && $n < %d' % (addr + 4, MAX_STEPS),
        '    x/i $pc', '    stepi', '    set $n = $n + 1', '  end',
        '  echo %s\\n' % ITER_MARK,
        '  set $k = $k + 1',
        '  if $k < %d' % ITERATIONS, '    continue', '  end',
        'end',
        'kill', 'quit', ''])


def trace(args, addr):
    port = hypqemu.free_port()
    qemu = hypqemu.cmdline(args.elf, qemu=args.qemu, icount=True,
                           smp=BENCH_SMP, extra=hypqemu.gdb_stub_args(port))
    with tempfile.NamedTemporaryFile('w', suffix='.gdb') as script:
        script.write(gdb_script(addr, port))
        script.flush()
        proc = subprocess.Popen(qemu, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + args.timeout
            while not hypqemu.listening(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit('mmio_trace: QEMU did not open its gdb stub')
                time.sleep(LISTEN_POLL_S)
            out = subprocess.run(['gdb-multiarch', '-q', '-batch', '-x',
                                  script.name, args.elf], capture_output=True,
                                 text=True, timeout=args.timeout).stdout
        finally:
            proc.kill()
            proc.wait()
    return [[int(pc, 16) for pc in PC_LINE.findall(part)]
            for part in out.split(ITER_MARK)[:-1]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    build = os.path.join(ROOT, 'build')
    ap.add_argument('--elf', default=os.path.join(build, 'scenarios', 'bench', 'hyp.elf'))
    ap.add_argument('--guest', default=os.path.join(build, 'guests', 'bench.elf'))
    ap.add_argument('--service', default=os.path.join(build, 'services', 'uart.elf'))
    ap.add_argument('--insn', default='ldr w4, [x1]')
    ap.add_argument('--occurrence', type=int, default=1,
                    help='trace the Nth instruction spelled --insn in the guest '
                    '(the bench loops of CR and FR both read with ldr w4, [x1])')
    ap.add_argument('--listing', action='store_true',
                    help='also print every instruction stepped, with its function')
    ap.add_argument('--qemu', default='qemu-system-aarch64')
    ap.add_argument('--timeout', type=int, default=300)
    args = ap.parse_args()
    require_built('mmio_trace', (args.elf, args.guest, args.service))

    iterations = [it for it in trace(args, insn_address(args.guest, args.insn, args.occurrence)) if it]
    if not iterations:
        sys.exit('mmio_trace: gdb stepped nothing')
    kernel, service = symbols(args.elf), symbols(args.service)

    def name(pc):
        return pc_name(pc, kernel, service)

    def runs_of(pcs):
        runs = []
        for pc in pcs:
            n = name(pc)
            if runs and runs[-1][0] == n:
                runs[-1][1] += 1
            else:
                runs.append([n, 1])
        return runs

    traced = [runs_of(pcs) for pcs in iterations]
    common = [i for i, runs in enumerate(traced)
              if not any(n in SLOW_PATHS for n, _ in runs)]
    if not common:
        sys.exit('mmio_trace: all %d iterations took a slow path (%s)'
                 % (len(traced), ', '.join(SLOW_PATHS)))
    pick = common[0]
    runs, pcs = traced[pick], iterations[pick]
    print('iteration %d of %d stepped (%s)' % (
        pick + 1, len(traced), 'the first on the common path' if pick
        else 'the common path'))
    if args.listing:
        for pc in pcs:
            print('0x%x %s' % (pc, name(pc)))
    print('%-48s %6s' % ('function (in the order run)', 'insns'))
    for n, count in runs:
        print('%-48s %6d' % (n, count))
    totals = {}
    for n, count in runs:
        side = n.split()[0]
        totals[side] = totals.get(side, 0) + count
    print('%-48s %6d' % ('total (' + ', '.join(
        '%s %d' % kv for kv in sorted(totals.items())) + ')', len(pcs)))


if __name__ == '__main__':
    main()
