#!/usr/bin/env python3
"""Look for schedule-dependent stalls: one Linux boot under -icount for each
of several builds that differ only in NOPs on the kernel's exit path.

    tools/perturb.py                          # scenario linux, -smp 4, N = 1..8
    tools/perturb.py --scenario linux-smp8 --smp 8 --first 20 --count 10

Under `-icount` QEMU runs its CPUs round robin in one thread, and a boot is
deterministic for one build: the same interleaving of the CPUs every time.
A bug that needs an unlucky interleaving (a CPU spinning while it holds the
kernel lock, a service starved past its deadline) shows in one build and
not in the next, so a clean run of one build proves little: CI's build,
with other paths in its debug information, takes other schedules than
yours. `scons perturb=N` makes the kernel run N more instructions on every
return to a partition (kernel_exit()), which moves every later switch
between the CPUs; each N is another schedule, as deterministic as the
first.

For each N the script builds build/scenarios/SCENARIO/hyp.elf with
perturb=N, keeps a copy, and boots it to the shell prompt under
`-icount shift=0`, where init prints the virtual counter (as `scons bench`
reads it). A boot slower than --outlier times the median of all of them,
or one that does not reach the prompt, is an outlier: the exit status is 1
and the next step is to trace that build (docs/architecture.md, "Finding
a schedule-dependent stall"). The normal image is rebuilt at the end.
Build with nothing else running scons in this tree: the N builds replace
the scenario's image in build/ until the last step rebuilds it.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import hypqemu  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A boot this much slower than the median is flagged (the icount boot rows
# of scons bench vary by about 0.2% between such builds).
OUTLIER_RATIO = 1.05
BOOT_TIMEOUT_S = 600
NS_PER_MS = 1000000


def elf_path(scenario):
    return os.path.join('build', 'scenarios', scenario, 'hyp.elf')


def build(scons, scenario, nops):
    """scons perturb=@nops of @scenario's image; raises on a failed build."""
    subprocess.run([scons, '-Q', 'perturb=%d' % nops, elf_path(scenario)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def boot_ns(qemu, elf, smp, timeout):
    """Virtual ns to the shell prompt under -icount, or None (no prompt)."""
    cmd = hypqemu.cmdline(elf, qemu=qemu, icount=True, smp=smp, extra=bench.RTC)
    try:
        return bench.boot(cmd, timeout)[0]
    except bench.NoPrompt:
        return None


def outliers(times, ratio):
    """{N: why} for each boot of @times ({N: ns or None}) slower than
    @ratio times the median of those that reached the prompt, or that did
    not reach it."""
    done = [t for t in times.values() if t is not None]
    med = bench.median(done) if done else 0
    out = {}
    for n, t in times.items():
        if t is None:
            out[n] = 'no prompt'
        elif t > med * ratio:
            out[n] = '%.3f x the median' % (t / med)
    return out


def report(times, slow):
    done = [t for t in times.values() if t is not None]
    med = bench.median(done) if done else 0
    lines = ['| perturb | virtual ms to the prompt | / median | |',
             '|---:|---:|---:|---|']
    for n, t in sorted(times.items()):
        if t is None:
            lines.append('| %d | - | - | **no prompt** |' % n)
        else:
            lines.append('| %d | %.1f | %.4f | %s |'
                         % (n, t / NS_PER_MS, t / med,
                            '**outlier**' if n in slow else ''))
    return '\n'.join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--scenario', default='linux',
                    help='a Linux scenario whose init prints the virtual counter')
    ap.add_argument('--smp', type=int, default=4, help='QEMU -smp')
    ap.add_argument('--first', type=int, default=1, help='first N (NOPs)')
    ap.add_argument('--count', type=int, default=8, help='how many builds')
    ap.add_argument('--outlier', type=float, default=OUTLIER_RATIO,
                    help='flag boots slower than this times the median')
    ap.add_argument('--timeout', type=float, default=BOOT_TIMEOUT_S,
                    help='host seconds a boot may take')
    ap.add_argument('--scons', default='scons')
    ap.add_argument('--qemu', default='qemu-system-aarch64')
    args = ap.parse_args(argv)
    if args.first < 1 or args.count < 1:
        ap.error('--first and --count must be at least 1')

    times = {}
    with tempfile.TemporaryDirectory(prefix='tinyhyp-perturb-') as tmp:
        elfs = {}
        try:
            for n in range(args.first, args.first + args.count):
                build(args.scons, args.scenario, n)
                elfs[n] = os.path.join(tmp, 'perturb-%d.elf' % n)
                shutil.copyfile(os.path.join(ROOT, elf_path(args.scenario)), elfs[n])
        finally:
            # The normal image back, whatever happened.
            build(args.scons, args.scenario, 0)
        for n, elf in sorted(elfs.items()):
            times[n] = boot_ns(args.qemu, elf, args.smp, args.timeout)
            shown = '-' if times[n] is None else '%.1f ms' % (times[n] / NS_PER_MS)
            print('perturb=%d: %s' % (n, shown), flush=True)
    slow = outliers(times, args.outlier)
    print(report(times, slow))
    for n, why in sorted(slow.items()):
        print('outlier: perturb=%d (%s): rebuild it with `scons perturb=%d` and '
              'trace it' % (n, why, n))
    return 1 if slow else 0


if __name__ == '__main__':
    sys.exit(main())
