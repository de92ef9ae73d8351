#!/usr/bin/env python3
"""Where the instructions of a cross-CPU benchmark operation go, CPU by CPU.

Boots the benchmark scenario under QEMU -icount with the plugin
tools/plugins/insn_trace.c, which logs every instruction of every CPU (all
exception levels) from the 5th execution of the start instruction to the
next execution of the stop instruction, and prints the functions each CPU
went through in the order they ran, with the instructions spent in each:

    tools/cross_trace.py                 # the virtual IPI row of scons bench

By default the start is vCPU 0's GICD_SGIR store in bench_ipi (the first
32-bit store after its read of the virtual counter) and the stop vCPU 1's
IRQ vector (ipi_vectors + 0x280, where it reads the counter): the total is
what the bench's virtual IPI row counts, give or take the 16 instructions
of a counter tick (the row averages 100 IPIs in ticks). Under icount QEMU
runs one CPU at a time: what the sender does after its store until it
sleeps counts too. tools/mmio_trace.py steps one CPU with gdb instead.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hypqemu  # noqa: E402
import mmio_trace  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_SMP = 2
# VBAR_EL1 + 0x280: IRQ from the current EL with SP_ELx (Arm ARM D1.10.2).
IRQ_VECTOR_OFFSET = 0x280
LINE = re.compile(r'^T (\d+) 0x([0-9a-f]+)$')
INSN = re.compile(r'\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+(.*)$')


def function_insns(elf, function):
    """(address, text) of each instruction of @function in @elf."""
    out = subprocess.run(['aarch64-linux-gnu-objdump', '-d',
                          '--disassemble=' + function, elf],
                         check=True, capture_output=True, text=True).stdout
    return [(int(m.group(1), 16), ' '.join(m.group(2).split('//')[0].split()))
            for m in map(INSN.match, out.splitlines()) if m]


def sgir_store(guest_elf):
    """bench_ipi's store to GICD_SGIR: the first 32-bit store after its
    read of the virtual counter (guests/bench/ipi.c)."""
    seen_counter = False
    for addr, text in function_insns(guest_elf, 'bench_ipi'):
        if re.match(r'mrs x\d+, cntvct_el0', text):
            seen_counter = True
        elif seen_counter and re.match(r'str w\d+, \[x\d+\]$', text):
            return addr
    sys.exit('cross_trace: no GICD_SGIR store found in bench_ipi')


def symbol_address(elf, name):
    for addr, sym in mmio_trace.symbols(elf):
        if sym == name:
            return addr
    sys.exit('cross_trace: %s not in %s' % (name, elf))


def trace(args, start, stop):
    """[(cpu, pc)] of the traced operation."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, 'trace.log')
        plugin = '%s,start=0x%x,stop=0x%x,skip=%d' % (args.plugin, start, stop,
                                                      args.skip)
        cmd = hypqemu.cmdline(args.elf, qemu=args.qemu, icount=True,
                              smp=BENCH_SMP,
                              extra=['-plugin', plugin, '-d', 'plugin', '-D', log])
        subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=args.timeout, check=False)
        with open(log) as f:
            text = f.read()
    if 'END' not in text:
        sys.exit('cross_trace: the stop instruction never ran after the start')
    return [(int(m.group(1)), int(m.group(2), 16))
            for m in map(LINE.match, text.splitlines()) if m]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    build = os.path.join(ROOT, 'build')
    ap.add_argument('--elf', default=os.path.join(build, 'scenarios', 'bench', 'hyp.elf'))
    ap.add_argument('--guest', default=os.path.join(build, 'guests', 'bench.elf'))
    ap.add_argument('--plugin', default=os.path.join(build, 'host', 'tools', 'plugins',
                                                     'insn_trace.so'))
    ap.add_argument('--start', type=lambda s: int(s, 0),
                    help='guest address to start at (default: the SGIR store)')
    ap.add_argument('--stop', type=lambda s: int(s, 0),
                    help='address to stop at (default: vCPU 1\'s IRQ vector)')
    ap.add_argument('--skip', type=int, default=4,
                    help='executions of the start instruction let run first')
    ap.add_argument('--qemu', default='qemu-system-aarch64')
    ap.add_argument('--timeout', type=int, default=300)
    args = ap.parse_args()
    mmio_trace.require_built('cross_trace', (args.elf, args.guest, args.plugin))

    start = args.start if args.start is not None else sgir_store(args.guest)
    stop = args.stop if args.stop is not None else \
        symbol_address(args.guest, 'ipi_vectors') + IRQ_VECTOR_OFFSET
    kernel, guest = mmio_trace.symbols(args.elf), mmio_trace.symbols(args.guest)
    # No service runs in the default operation: its addresses, if any,
    # show as 'service ?'.
    runs, totals = [], {}
    for cpu, pc in trace(args, start, stop):
        key = 'cpu%d %s' % (cpu, mmio_trace.pc_name(pc, kernel, [], guest))
        if runs and runs[-1][0] == key:
            runs[-1][1] += 1
        else:
            runs.append([key, 1])
        totals[cpu] = totals.get(cpu, 0) + 1
    print('%-48s %6s' % ('cpu, function (in the order run)', 'insns'))
    for key, count in runs:
        print('%-48s %6d' % (key, count))
    print('%-48s %6d' % ('total (' + ', '.join(
        'cpu%d %d' % kv for kv in sorted(totals.items())) + ')',
        sum(totals.values())))


if __name__ == '__main__':
    main()
