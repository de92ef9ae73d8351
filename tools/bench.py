#!/usr/bin/env python3
"""`scons bench`: boot the benchmark scenario under QEMU -icount shift=0 and
report instructions per operation (method: shared/MEASURE.md).

Each figure counts the operation's own instruction and everything executed
until the guest's next instruction (kernel, IPC, service), averaged over the
guest's loop after subtracting the same loop with a `nop` in its place.
Deterministic (-icount shift=0,sleep=off; the bare-QEMU baseline without
random DTB seeds and with its RTC on the virtual clock): the same binaries
give the same numbers on any machine.
"""
import argparse
import json
import time
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hypqemu  # noqa: E402

# name -> (what it measures, goal in instructions or None, reference figure)
OPERATIONS = {
    'hyp_call': ('hypercall round trip (hvc, null call)', 100,
                 'KVM/arm64: 1453'),
    'mmio_uart_write': ('MMIO write via UART service (str to DR)', 400,
                        'KVM/arm64 to user space: 6417'),
    'mmio_uart_read': ('MMIO read via UART service (ldr of FR)', 400,
                       'KVM/arm64 to user space: 6417'),
    'gicd_read': ('GICD read via vgic service (ldr of TYPER)', None, '-'),
    'virq_delivery': ('virtual timer IRQ delivery (fire -> handler)', None,
                      '-'),
    'virq_eoi': ('IRQ completion (guest EOIR, no exit)', None, '-'),
    'virtual_ipi': ('virtual IPI (GICD_SGIR on vCPU 0 -> handler on vCPU 1, '
                    'two physical CPUs)', 1200, 'KVM/arm64: 5233'),
}
# The benchmark scenario's guest has two vCPUs, one per physical CPU.
BENCH_SMP = 2
LINE = re.compile(r'BENCH (\w+) (\d+) (\d+) (\d+)')
COUNTER = re.compile(r'tinyhyp: counter (\d+) frequency (\d+)\r?\n')
# Same kernel command line on bare QEMU as the Linux VM's (configs/SConscript).
LINUX_BOOTARGS = 'console=ttyAMA0 earlycon panic=-1'
# The Linux VM's RAM (configs/linux/layout.h), for the bare run.
LINUX_RAM = '256M'
BOOT_RATIO_GOAL = 1.05
NS_PER_S = 1000000000


def boot_instructions(cmd, timeout):
    """Instructions from power-on to the shell prompt: the guest's init
    prints the virtual counter there, which under -icount shift=0 counts
    one nanosecond per instruction (idle time warps it the same way in
    both runs)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = b''
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            chunk = proc.stdout.read1(4096)
            if not chunk:
                break
            out += chunk
            m = COUNTER.search(out.decode('utf-8', 'replace'))
            if m:
                return int(m.group(1)) * NS_PER_S // int(m.group(2))
    finally:
        proc.kill()
        proc.wait()
    sys.stderr.write(out.decode('utf-8', 'replace')[-2000:])
    raise SystemExit('bench: Linux did not reach the shell prompt')


def linux_boot(args):
    hyp = boot_instructions(hypqemu.cmdline(args.linux_elf, qemu=args.qemu,
                                            icount=True), args.timeout)
    # The same determinism as hypqemu.cmdline(icount=True). What the guest
    # under tinyhyp does not get either: no random seeds in the DTB (KASLR
    # would move the kernel), virt's PL031 on the virtual clock from a
    # fixed date, not the host's.
    bare = [args.qemu, '-M', 'virt,gic-version=2,dtb-randomness=off',
            '-cpu', hypqemu.CPU,
            '-m', LINUX_RAM, '-nographic', '-no-reboot', '-nic', 'none',
            '-icount', hypqemu.ICOUNT, '-rtc', 'base=2026-01-01,clock=vm',
            '-kernel', args.linux_image, '-initrd', args.linux_initrd,
            '-append', LINUX_BOOTARGS]
    return hyp, boot_instructions(bare, args.timeout)


def run(elf, qemu, timeout):
    cmd = hypqemu.cmdline(elf, qemu=qemu, icount=True, smp=BENCH_SMP)
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout)
    out = proc.stdout.decode('utf-8', 'replace')
    if 'BENCH END' not in out:
        sys.stderr.write(out)
        raise SystemExit('bench: the benchmark guest did not finish')
    return out


def parse(out):
    results = {}
    for name, with_op, empty, n in LINE.findall(out):
        # +1: the operation's own instruction replaced a nop in the loop.
        results[name] = (int(with_op) - int(empty)) // int(n) + 1
    return results


def table(results):
    rows = ['| operation | instructions | goal | for comparison |',
            '|---|---:|---:|---|']
    if 'linux_boot_hyp' in results:
        ratio = results['linux_boot_hyp'] / results['linux_boot_bare']
        mark = '' if ratio <= BOOT_RATIO_GOAL else ' (over goal)'
        rows.append('| Linux boot to shell prompt under tinyhyp | %d | - | - |'
                    % results['linux_boot_hyp'])
        rows.append('| same kernel on bare QEMU | %d | - | - |'
                    % results['linux_boot_bare'])
        rows.append('| ratio | %.3f%s | ≤ %.2f | - |' % (ratio, mark, BOOT_RATIO_GOAL))
    for name, (what, goal, ref) in OPERATIONS.items():
        n = results.get(name)
        if goal is None:
            rows.append('| %s | %s | - | %s |' % (what, n, ref))
            continue
        mark = '' if n is not None and n <= goal else ' (over goal)'
        rows.append('| %s | %s%s | ≤ %d | %s |' % (what, n, mark, goal, ref))
    return '\n'.join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--elf', required=True)
    ap.add_argument('--qemu', default='qemu-system-aarch64')
    ap.add_argument('--json', required=True)
    ap.add_argument('--doc', help='markdown file to rewrite with the table')
    ap.add_argument('--timeout', type=float, default=300)
    ap.add_argument('--linux-elf', help='hyp.elf of the linux scenario')
    ap.add_argument('--linux-image', help='the same kernel Image, for bare QEMU')
    ap.add_argument('--linux-initrd')
    args = ap.parse_args()

    results = parse(run(args.elf, args.qemu, args.timeout))
    if args.linux_elf:
        results['linux_boot_hyp'], results['linux_boot_bare'] = linux_boot(args)
    missing = [n for n in OPERATIONS if n not in results]
    if missing:
        raise SystemExit('bench: no result for ' + ', '.join(missing))
    text = table(results)
    print(text)
    with open(args.json, 'w') as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write('\n')
    if args.doc:
        with open(args.doc, 'w') as f:
            f.write('# Benchmarks\n\n'
                    'Last results of `scons bench`: instructions per operation '
                    'under QEMU `-icount shift=0`, counted with the PMU cycle '
                    'counter (EL2 included), method in shared/MEASURE.md. Each '
                    'figure covers the guest instruction and everything until '
                    'the guest\'s next instruction. Deterministic '
                    '(`-icount shift=0,sleep=off`: an idle CPU jumps to its '
                    'next timer): rerunning gives the same numbers. The Linux '
                    'boot rows count virtual time (instructions, plus idle '
                    'time skipped to the next timer) from power-on to the '
                    'shell prompt (the guest\'s init prints its virtual '
                    'counter there), for the same kernel and initramfs under '
                    'tinyhyp (scenario linux-up: one vCPU) and on bare QEMU, '
                    'both with one CPU and the same inputs: bare QEMU runs '
                    'with `dtb-randomness=off` (tinyhyp gives its guest no '
                    'kaslr-seed or rng-seed either; with QEMU\'s random seeds '
                    'the bare kernel skips gathering entropy at boot and '
                    'needs about 919M, a ratio of 1.047) and its RTC on the '
                    'virtual clock. The benchmark guest runs '
                    'on two physical CPUs (-smp 2), one vCPU each; the virtual '
                    'IPI is timed with the virtual counter, shared by both '
                    'CPUs (one tick = 16 instructions at -icount shift=0, '
                    'averaged over 100 IPIs), and counts every instruction '
                    'either CPU executes from the SGIR store to the handler. '
                    'The MMIO figures include the kernel lock and the stopped-VM '
                    'check on both traps and the reply-deadline arming '
                    '(about 75 instructions per round trip since SMP). '
                    'Issue 12 (isolation) added, each for its item: the '
                    'light switch hiding the guest\'s untrapped EL1 registers '
                    'from the service and giving the service its own '
                    'SCTLR_EL1 (item 4 and a review finding: about 30 per '
                    'round trip); completing an emulated instruction by '
                    'ESR_EL2.IL with PSTATE.SS cleared (items 3 and 12: about '
                    '8); the console filter and the line shared with the '
                    'kernel\'s log (item 13: about 35 per printed byte). The '
                    'DR write stores a printable byte (a space): the console '
                    'drops NUL, which would skip the filter. Trimming the '
                    'interrupt paths at the same time (LR sync, struct '
                    'layout) brought the timer delivery from 687 to 643 and '
                    'the virtual IPI from 1168 to about 1156, despite the '
                    'checks item 1 added there. '
                    'The MMIO write also includes the UART service\'s crash '
                    'journal (about 120 instructions: an undo record of the '
                    'PL011 model and the byte held until the commit; the '
                    'Linux boot, which prints about 14 KB, pays it too). '
                    'Machine-readable copy: `build/bench.json`.\n\n' + text + '\n')


if __name__ == '__main__':
    main()
