#!/usr/bin/env python3
"""`scons bench`: boot the benchmark scenario under QEMU -icount shift=0 and
report instructions per operation (method: shared/MEASURE.md); with
--linux, boot Linux with N vCPUs on N physical CPUs under tinyhyp and the
same kernel on bare QEMU -smp N, in virtual time (icount) and, for
--wall-smp, in wall time (alternating runs, ratio of medians).

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
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diskbench  # noqa: E402
import netbench  # noqa: E402
import hypqemu  # noqa: E402

# name -> (what it measures, goal in instructions, reference figure). The
# goals are issue 14's (item 4); IRQ completion's is ours: no exit at all
# (a store to the hardware virtual CPU interface, GICV_EOIR), far below the
# cheapest exit (a null hypercall round trip).
OPERATIONS = {
    'hyp_call': ('hypercall round trip (hvc, null call)', 80,
                 'KVM/arm64: 1453'),
    'mmio_uart_write': ('MMIO write via UART service (str to DR)', 400,
                        'KVM/arm64 to user space: 6417'),
    'mmio_uart_read': ('MMIO read via UART service (ldr of IMSC)', 350,
                       'KVM/arm64 to user space: 6417'),
    'mmio_served_read': ('MMIO read the kernel answers from the UART '
                         'service\'s page (ldr of FR, ipc_window_reads)', 150,
                         'KVM/arm64 to user space: 6417'),
    'mmio_quiet_write': ('MMIO write the kernel completes: CR of the value '
                         'the UART service\'s page holds (str, '
                         'ipc_window_quiet)', 250, '-'),
    'gicd_read': ('GICD read the kernel answers from the vgic service\'s '
                  'page (ldr of TYPER, ipc_window_reads)', 150, '-'),
    'gicd_read_forwarded': ('GICD read via vgic service (ldrb of IPRIORITYR0)',
                            350, '-'),
    'virq_delivery': ('virtual timer IRQ delivery (fire -> handler)', 400,
                      '-'),
    'virq_eoi': ('IRQ completion (guest EOIR, no exit)', 10, '-'),
    'virtual_ipi': ('virtual IPI (GICD_SGIR on vCPU 0 -> handler on vCPU 1, '
                    'two physical CPUs)', 700, 'KVM/arm64: 5233'),
}
# The benchmark scenario's guest has two vCPUs, one per physical CPU.
BENCH_SMP = 2
# The disk rows: the one-vCPU VM of scenario linux-up and bare Linux with
# its device tree, on two physical CPUs for the wall rows (tinyhyp's vblk
# service runs on the one Linux does not: the doorbell) and on one for the
# instructions row (the read path's own work; tools/diskbench.py, DOC).
DISK_SMP = 2
DISK_INSN_SMP = 1
LINE = re.compile(r'BENCH (\w+) (\d+) (\d+) (\d+)')
COUNTER = re.compile(r'tinyhyp: counter (\d+) frequency (\d+)\r?\n')
# Same kernel command line on bare QEMU as the Linux VM's (configs/SConscript).
LINUX_BOOTARGS = 'console=ttyAMA0 earlycon panic=-1'
# The Linux VM's RAM (configs/linux/layout.h), for the bare run.
LINUX_RAM = '256M'
# Linux boot, tinyhyp / bare QEMU (issue 14, item 2): virtual time under
# icount, and wall time on this project's 2-core machines.
BOOT_RATIO_GOAL = 1.05
WALL_RATIO_GOAL = 1.5
NS_PER_S = 1000000000


class NoPrompt(Exception):
    """Linux did not reach the shell prompt in time; the transcript's end."""


def boot(cmd, timeout):
    """Boot Linux until its init prints the virtual counter at the shell
    prompt: (virtual time in ns, host seconds from QEMU's start). Under
    -icount shift=0 the virtual time counts one nanosecond per instruction
    (idle time warps it the same way in both runs)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = b''
    # A guest that prints nothing would block read1() past the deadline:
    # the timer kills QEMU, which ends the read.
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        while True:
            chunk = proc.stdout.read1(4096)
            if not chunk:
                break
            out += chunk
            m = COUNTER.search(out[-8192:].decode('utf-8', 'replace'))
            if m:
                wall = time.monotonic() - start
                return int(m.group(1)) * NS_PER_S // int(m.group(2)), wall
    finally:
        killer.cancel()
        proc.kill()
        proc.wait()
    raise NoPrompt(out.decode('utf-8', 'replace')[-2000:])


# What both sides' PL031 reads (bare: virt's; tinyhyp: the board's, which
# the pl031 service reads): a fixed date on the virtual clock, not the
# host's time (Linux mixes the RTC into its entropy pool at boot, which
# changes the instruction count by ~0.01% from run to run).
RTC = ['-rtc', 'base=2026-01-01,clock=vm']


def bare_cmdline(qemu, smp, linux, icount):
    """The same kernel, initramfs, command line and device tree (@linux's
    'dtb', the one tinyhyp gives its VM: the same CPUs, RAM and devices)
    on bare QEMU with @smp CPUs. The same determinism as
    hypqemu.cmdline(icount=True): no random seeds in the DTB (KASLR would
    move the kernel), virt's PL031 on the virtual clock from a fixed date."""
    cmd = [qemu, '-M', 'virt,gic-version=2,dtb-randomness=off',
           '-cpu', hypqemu.CPU, '-smp', str(smp),
           '-m', LINUX_RAM, '-nographic', '-no-reboot', '-nic', 'none',
           '-kernel', linux['image'], '-initrd', linux['initrd'],
           '-dtb', linux['dtb'], '-append', LINUX_BOOTARGS] + RTC
    return cmd + (['-icount', hypqemu.ICOUNT] if icount else [])


def hyp_cmdline(qemu, smp, linux, icount):
    return hypqemu.cmdline(linux['elf'], qemu=qemu, icount=icount, smp=smp, extra=RTC)


def linux_icount(args, linux):
    """{N: {'hyp': ns, 'bare': ns}}: virtual time to the prompt under
    -icount shift=0, deterministic."""
    out = {}
    for smp in sorted(linux):
        row = {}
        for who, cmdline in (('hyp', hyp_cmdline), ('bare', bare_cmdline)):
            cmd = cmdline(args.qemu, smp, linux[smp], True)
            try:
                row[who] = boot(cmd, args.timeout)[0]
            except NoPrompt as e:
                sys.stderr.write(str(e))
                raise SystemExit('bench: Linux (%s, -smp %d) did not reach the '
                                 'shell prompt under icount' % (who, smp))
        out[str(smp)] = row
    return out


def median(xs):
    xs = sorted(xs)
    return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2


def linux_wall_run(args, linux, smps):
    """One run of the wall-time rows (shared/MEASURE.md): for each pair,
    tinyhyp then bare QEMU for every N in turn, so that a change of the
    host's load hits both sides alike. A boot that does not reach the
    prompt in --wall-timeout seconds counts as infinitely slow."""
    times = {str(n): {'hyp': [], 'bare': []} for n in smps}
    load_before = os.getloadavg()
    for _ in range(args.wall_pairs):
        for smp in smps:
            for who, cmdline in (('hyp', hyp_cmdline), ('bare', bare_cmdline)):
                try:
                    t = boot(cmdline(args.qemu, smp, linux[smp], False),
                             args.wall_timeout)[1]
                except NoPrompt:
                    t = float('inf')
                times[str(smp)][who].append(t)
    return {'when': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
            'load_before': [round(x, 2) for x in load_before],
            'load_after': [round(x, 2) for x in os.getloadavg()],
            'times': times}


def wall_ratio(times):
    return median(times['hyp']) / median(times['bare'])


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


def mark(value, goal):
    return 'yes' if value <= goal else '**no**'


def fmt_seconds(xs):
    return ' '.join('%.1f' % x if x != float('inf') else 'none' for x in xs)


def table(results):
    rows = ['| operation | measured | goal | met | for comparison |',
            '|---|---:|---:|:-:|---|']
    for name, (what, goal, ref) in OPERATIONS.items():
        if name not in results:
            continue
        n = results[name]
        rows.append('| %s | %d | ≤ %d | %s | %s |' % (what, n, goal, mark(n, goal), ref))
    for smp, r in sorted(results.get('linux_boot', {}).items(), key=lambda kv: int(kv[0])):
        ratio = r['hyp'] / r['bare']
        rows.append('| Linux boot to the prompt, %s vCPU(s) on -smp %s, virtual time '
                    '(icount), tinyhyp / bare | %.3f | ≤ %.2f | %s | '
                    'tinyhyp %d, bare QEMU %d |'
                    % (smp, smp, ratio, BOOT_RATIO_GOAL, mark(ratio, BOOT_RATIO_GOAL),
                       r['hyp'], r['bare']))
    if results.get('disk'):
        rows += diskbench.table_rows(results['disk'], mark)
    if results.get('net'):
        rows += netbench.table_rows(results['net'])
    runs = results.get('linux_wall', [])
    for smp in sorted(runs[0]['times'] if runs else (), key=int):
        ratios = [wall_ratio(run['times'][smp]) for run in runs]
        worst = max(ratios)
        rows.append('| Linux boot to the prompt, %s vCPU(s) on -smp %s, wall time, '
                    'tinyhyp / bare (ratio of medians; worst of %d runs) | %.2f | '
                    '≤ %.1f | %s | runs: %s |'
                    % (smp, smp, len(runs), worst, WALL_RATIO_GOAL,
                       mark(worst, WALL_RATIO_GOAL),
                       ', '.join('%.2f' % r for r in ratios)))
    return '\n'.join(rows)


def wall_section(runs):
    """Markdown: every wall-time run with its boots, so that a reader sees
    the spread."""
    out = []
    for i, run in enumerate(runs, 1):
        out.append('Run %d of %d, %s; load average (1, 5, 15 min) %s before, '
                   '%s after:\n' % (i, len(runs), run['when'],
                                    ' '.join('%.2f' % x for x in run['load_before']),
                                    ' '.join('%.2f' % x for x in run['load_after'])))
        out.append('| CPUs | tinyhyp, s (each boot) | bare QEMU, s (each boot) | '
                   'ratio of medians | goal | met |')
        out.append('|---:|---|---|---:|---:|:-:|')
        for smp, t in sorted(run['times'].items(), key=lambda kv: int(kv[0])):
            ratio = wall_ratio(t)
            out.append('| %s | %s | %s | %.2f | ≤ %.1f | %s |'
                       % (smp, fmt_seconds(t['hyp']), fmt_seconds(t['bare']),
                          ratio, WALL_RATIO_GOAL, mark(ratio, WALL_RATIO_GOAL)))
        out.append('')
    return '\n'.join(out)


INTRO = (
    'Last results of `scons bench`, rewritten by it (`tools/bench.py`; '
    'machine-readable copy: `build/bench.json`). Every row has the goal of '
    'issue 14 and whether it is met. Method: shared/MEASURE.md.\n\n'
    '**Instructions per operation** (the first rows): counted under QEMU '
    '`-icount shift=0` with the PMU cycle counter (EL2 included). Each '
    'figure covers the guest instruction and everything until the guest\'s '
    'next instruction. Deterministic (`-icount shift=0,sleep=off`: an idle '
    'CPU jumps to its next timer): rerunning gives the same numbers. The '
    'benchmark guest runs on two physical CPUs (-smp 2), one vCPU each; the '
    'virtual IPI is timed with the virtual counter, shared by both CPUs (one '
    'tick = 16 instructions at -icount shift=0, averaged over 100 IPIs), and '
    'counts every instruction either CPU executes from the SGIR store to the '
    'handler. The MMIO figures include the kernel lock and the stopped-VM '
    'check on both traps and the reply-deadline arming (about 75 '
    'instructions per round trip since SMP). Issue 12 (isolation) added, each '
    'for its item: the light switch hiding the guest\'s untrapped EL1 '
    'registers from the service and giving the service its own SCTLR_EL1 '
    '(item 4 and a review finding: about 30 per round trip); completing an '
    'emulated instruction by ESR_EL2.IL with PSTATE.SS cleared (items 3 and '
    '12: about 8); the console filter and the line shared with the kernel\'s '
    'log (item 13: about 35 per printed byte). The DR write stores a '
    'printable byte (a space): the console drops NUL, which would skip the '
    'filter. The MMIO write also includes the UART service\'s crash journal '
    '(about 120 instructions: an undo record of the PL011 model and the byte '
    'held until the commit; the Linux boot, which prints about 14 KB, pays it '
    'too). IRQ completion\'s goal, ≤ 10, is ours: no exit at all (the '
    'guest\'s store goes to the hardware virtual CPU interface, GICV_EOIR); '
    'any trap costs more (a null hypercall round trip is the cheapest).\n\n'
    '**Linux boot, virtual time** (icount rows): virtual time (instructions, '
    'plus idle time skipped to the next timer, of the clock all CPUs share: '
    'under icount QEMU runs its CPUs round robin in one thread) from '
    'power-on to the shell prompt (the guest\'s init prints its virtual '
    'counter there), for the same kernel, initramfs, command line and device '
    'tree under tinyhyp, N vCPUs on N physical CPUs (scenarios linux-up, '
    'linux-smp2, linux, linux-smp8), and on bare QEMU `-smp N`. Bare QEMU '
    'gets the device tree tinyhyp generates for its VM (`-dtb`, the same '
    'CPUs, RAM, GIC, PL011 and PL031; QEMU fills in the initramfs and PSCI), '
    '`dtb-randomness=off` (tinyhyp gives its guest no kaslr-seed or rng-seed '
    'either) and its RTC on the virtual clock. With QEMU\'s own, richer device '
    'tree the bare kernel probes PCIe, virtio-mmio, fw_cfg and GPIO and needs '
    'about 26M more instructions (947.8M, -smp 1), which made the ratio look '
    'about 0.03 better than it is. Deterministic: a loaded host cannot change '
    'these figures.\n\n'
    '**Linux boot, wall time** (wall rows): the same boots without icount '
    '(QEMU runs one host thread per CPU), host seconds from starting QEMU to '
    'the prompt. One run boots, for each pair, tinyhyp then bare QEMU for N '
    '= 1, 2, 4 in turn, %(pairs)s pairs; its ratio is the median of '
    'tinyhyp\'s boots over the median of bare QEMU\'s. `scons bench` makes '
    '`bench_runs` separate runs (%(runs)s here), each listed below with every '
    'boot and the host\'s load average, so that the spread shows; the table '
    'gives each run\'s ratio and the worst as the measured figure. Not gated '
    'in tests: this machine has 2 cores shared with other work (the load '
    'average includes the benchmark\'s own QEMU, about 1 per busy QEMU CPU '
    'thread up to the 2 cores; above 2, other work shared the cores), so '
    'these figures move from run to run.\n\n'
    '**Where the Linux ratios come from.** Under icount tinyhyp\'s extra '
    'instructions (about 25M) barely depend on N: about 10M are the '
    'kernel\'s own boot before the first partition runs (5.4M copying the '
    'Image into the guest: bare QEMU\'s loader places it without executing '
    'an instruction; a QEMU plugin\'s profile; until 2026-12-07 another '
    '10M zeroed the guest\'s 256 MiB, which is now zeroed a 2 MiB block at '
    'a time when first touched, docs/architecture.md, "Guest RAM") '
    'and most of the rest the console: each of the ~13 KB Linux prints to '
    'the prompt is a DR write through the UART service (774 instructions) '
    'and an FR read the kernel answers from the service\'s page (150; it '
    'was a round trip too, 642, until HYP_IPC_WINDOW_READS). Wall time '
    'costs tinyhyp '
    'far more than its instructions: every switch to a service writes '
    'VTTBR_EL2, and QEMU\'s TCG then flushes its whole EL1&0 and stage-2 TLB '
    '(`vttbr_write` in target/arm), so the guest refills its translations '
    'after each exit: before the kernel answered FR, linux-up made about '
    '67,000 VTTBR_EL2 writes to the prompt, most of them the console\'s, '
    'and QEMU\'s `info jit` counted about 376,000 TLB flushes by MMU index, '
    'against 130 on bare QEMU.\n\n')


def write_doc(path, results, args):
    text = '# Benchmarks\n\n' + INTRO % {'pairs': args.wall_pairs, 'runs': args.wall_runs}
    text += diskbench.DOC % {'read': diskbench.READ_MIB, 'write': diskbench.WRITE_MIB,
                             'reads': diskbench.WALL_READS, 'pairs': args.disk_pairs,
                             'icount_reads': diskbench.ICOUNT_READS}
    text += netbench.DOC % {'mib': netbench.NET_MIB, 'pairs': args.net_pairs}
    text += table(results) + '\n'
    if results.get('linux_wall'):
        text += '\n## Wall-time runs\n\n' + wall_section(results['linux_wall'])
    if results.get('disk'):
        text += '\n## Disk runs\n\n' + diskbench.section(results['disk'])
    if results.get('net'):
        text += '\n## Network runs\n\n' + netbench.section(results['net'])
    with open(path, 'w') as f:
        f.write(text.rstrip('\n') + '\n')


def parse_linux(specs, image, initrd):
    """--linux N:ELF:DTB -> {N: {'elf', 'dtb', 'image', 'initrd'}}."""
    linux = {}
    for spec in specs:
        smp, elf, dtb = spec.split(':', 2)
        linux[int(smp)] = {'elf': elf, 'dtb': dtb, 'image': image, 'initrd': initrd}
    return linux


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--elf', help='hyp.elf of the bench scenario (the '
                    'instruction rows; without it only the Linux rows)')
    ap.add_argument('--qemu', default='qemu-system-aarch64')
    ap.add_argument('--json', required=True)
    ap.add_argument('--doc', help='markdown file to rewrite with the table')
    ap.add_argument('--timeout', type=float, default=300)
    ap.add_argument('--linux', action='append', default=[], metavar='N:ELF:DTB',
                    help='Linux boot rows: hyp.elf of a Linux scenario with N '
                    'vCPUs, booted on -smp N, and the DTB of its VM, which '
                    'bare QEMU -smp N gets')
    ap.add_argument('--linux-image', help='the same kernel Image, for bare QEMU')
    ap.add_argument('--linux-initrd')
    ap.add_argument('--wall-smp', default='',
                    help='comma-separated N of --linux for the wall-time rows')
    ap.add_argument('--wall-runs', type=int, default=3,
                    help='separate wall-time runs (each its ratios)')
    ap.add_argument('--wall-pairs', type=int, default=3,
                    help='alternating tinyhyp/bare boots per N in a run')
    ap.add_argument('--wall-timeout', type=float, default=120,
                    help='seconds a wall-time boot may take (then: none)')
    ap.add_argument('--disk', metavar='ELF:DTB',
                    help='disk rows (tools/diskbench.py): hyp.elf of a Linux '
                    'scenario with the vblk service, booted on -smp 1, and the '
                    'DTB of its VM, which bare QEMU gets with the same disk')
    ap.add_argument('--disk-busybox', help='busybox for the disk image (mkrootfs.py)')
    ap.add_argument('--disk-extra', action='append', default=[], metavar='NAME=PATH',
                    help='a program for the disk image (bin/cntvct, bin/blkrand)')
    ap.add_argument('--disk-plugin', help='tools/plugins/insn_mark.c built (.so)')
    ap.add_argument('--disk-pairs', type=int, default=5,
                    help='alternating tinyhyp/bare wall-time disk runs (0: '
                    'only the instruction count)')
    ap.add_argument('--net', metavar='ELF:DTB:DTB2',
                    help='network rows (tools/netbench.py): hyp.elf of scenario '
                    'linux-net and the DTBs of its VMs linux and linux2, which '
                    'bare QEMU gets')
    ap.add_argument('--net-pairs', type=int, default=3,
                    help='alternating tinyhyp/bare network runs')
    args = ap.parse_args()

    linux = parse_linux(args.linux, args.linux_image, args.linux_initrd)
    wall_smp = [int(n) for n in args.wall_smp.split(',') if n]
    unknown = [n for n in wall_smp if n not in linux]
    if unknown:
        raise SystemExit('bench: --wall-smp %s has no --linux' % unknown)

    results = {}
    if args.elf:
        results = parse(run(args.elf, args.qemu, args.timeout))
        missing = [n for n in OPERATIONS if n not in results]
        if missing:
            raise SystemExit('bench: no result for ' + ', '.join(missing))
    if linux:
        results['linux_boot'] = linux_icount(args, linux)
    if args.disk:
        elf, dtb = args.disk.split(':', 1)
        sides = diskbench.Sides(args.qemu, elf, dtb, args.linux_image, args.linux_initrd,
                                (DISK_SMP, DISK_INSN_SMP), bare_cmdline, RTC)
        try:
            results['disk'] = diskbench.run(sides, args.disk_busybox, args.disk_extra,
                                            args.disk_plugin, args.disk_pairs,
                                            args.timeout)
        except diskbench.DiskBenchError as e:
            sys.stderr.write(str(e))
            raise SystemExit('bench: a disk run did not complete')
    if args.net:
        elf, dtb, dtb2 = args.net.split(':', 2)
        with tempfile.TemporaryDirectory(prefix='tinyhyp-netbench-') as tmp:
            sides = netbench.Sides(args.qemu, elf, {'linux': dtb, 'linux2': dtb2},
                                   args.linux_image, args.linux_initrd, bare_cmdline,
                                   RTC, tmp)
            try:
                results['net'] = netbench.run(sides, args.net_pairs, args.timeout)
            except netbench.NetBenchError as e:
                sys.stderr.write(str(e))
                raise SystemExit('bench: a network run did not complete')
    if wall_smp:
        results['linux_wall'] = [linux_wall_run(args, linux, wall_smp)
                                 for _ in range(args.wall_runs)]
    print(table(results))
    with open(args.json, 'w') as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write('\n')
    if args.doc:
        write_doc(args.doc, results, args)


if __name__ == '__main__':
    main()
