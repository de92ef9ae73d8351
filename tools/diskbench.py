"""The disk rows of `scons bench` (issue 16, item 5; tools/bench.py):
Linux's /dev/vda through tinyhyp's vblk service against the same disk
given directly to the same Linux on bare QEMU, in one run.

- Wall time (no icount), tinyhyp and bare QEMU alternating, PAIRS pairs:
  sequential read and write MB/s with busybox dd and O_DIRECT
  (iflag=direct, oflag=direct: Debian's busybox 1.35 has both, so no page
  cache is involved and no drop_caches is needed), timed in the guest with
  the virtual counter (bin/cntvct around each dd: host time without
  icount), and 4 KiB random-read IOPS (bin/blkrand, O_DIRECT). The ratio of
  each figure is the median of tinyhyp's runs over the median of bare
  QEMU's (shared/MEASURE.md).
- Instructions per 4 KiB read under -icount shift=0,sleep=off: blkrand's
  reads between its two marker instructions, counted by the QEMU plugin
  tools/plugins/insn_mark.c (every instruction of every CPU at every EL:
  the guest, tinyhyp's kernel and services). Not the virtual time: a CPU
  idle while QEMU's disk (host time) completes a request makes icount warp
  to the next timer.

Both sides boot the same kernel, initramfs and device tree (the VM's, which
tinyhyp generates; the bare run places the disk on virtio-mmio slot 0,
where that tree's virtio node is) from a copy of the same disk image: a
fresh root file system (tools/mkrootfs.py with cntvct and blkrand) with
WRITE_AREA more bytes behind it, where dd writes without touching the file
system. Each run gets its own copy in a temp dir.
"""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

import hypqemu

MIB = 1 << 20
# The file system (mkrootfs.py's default size) and the area behind it.
FS_MIB = 64
WRITE_MIB = 64
READ_MIB = 64
DD_BS = '1M'
# Bytes per read when copy_image() reads a run's copy through once.
COPY_READ_CHUNK = 1 << 20
# Random reads per wall run (IOPS) and under icount (instructions).
WALL_READS = 1000
ICOUNT_READS = 200
# The VM's device tree puts its virtio-mmio node on virt's first transport
# (0x0a000000, SPI 16): bare QEMU gets the disk there.
BARE_DISK_BUS = 'virtio-mmio-bus.0'
# The shell's prompt; ash may follow it with a cursor position query
# (ESC [6n) on a console.
PROMPT = re.compile(rb'/ # (\x1b\[6n)?$')
SHELL_UP = b'tinyhyp: busybox shell'
END = b'@@END42'
COUNTER = re.compile(r'tinyhyp: counter (\d+) frequency (\d+)')
BLKRAND = re.compile(r'blkrand: reads (\d+) bytes (\d+) ticks (\d+) frequency (\d+)')
MARK = re.compile(r'^insn-mark \d+ (\d+) (\d+) (\d+) (\d+)$', re.M)
MARK_FIELDS = ('insn', 'vttbr_writes', 'erets', 'wfis')
# Goals of issue 16, item 5: throughput tinyhyp / bare, instructions per
# 4 KiB read tinyhyp / bare.
THROUGHPUT_GOAL = 0.7
INSN_RATIO_GOAL = 1.5
WALL_SCRIPT = ('cntvct; dd if=/dev/vda of=/dev/null bs=%s count=%d iflag=direct; cntvct; '
               'dd if=/dev/zero of=/dev/vda bs=%s count=%d seek=%d oflag=direct; cntvct; '
               'blkrand /dev/vda %d' % (DD_BS, READ_MIB, DD_BS, WRITE_MIB, FS_MIB,
                                        WALL_READS))
ICOUNT_SCRIPT = 'blkrand /dev/vda %d' % ICOUNT_READS


# The method paragraph of docs/benchmarks.md (tools/bench.py writes it).
DOC = (
    '**Disk** (disk rows, issue 16): the one-vCPU Linux VM (scenario '
    'linux-up) reads and writes /dev/vda through the vblk service, against '
    'bare QEMU giving the same disk to the same kernel, initramfs and device '
    'tree (the VM\'s; the disk on virtio-mmio slot 0, where that tree puts '
    'it), both modern virtio-mmio. The wall rows run both on the same machine '
    'of two CPUs (-smp 2): under tinyhyp Linux runs on CPU 0 and the vblk '
    'service, its device\'s interrupt sent to the CPU no guest calls home, '
    'on CPU 1, where the guest\'s queue notify rings its doorbell '
    '(HYP_IPC_WINDOW_DOORBELL, docs/architecture.md); bare Linux, told of '
    'one CPU by that device tree, leaves the second off (on -smp 1 it reads '
    'as fast: 4,343-4,679 IOPS against 4,323-4,721 on -smp 2, three pairs '
    'on 2026-12-07). The '
    'instructions row runs both on one CPU (-smp 1): the read path\'s own '
    'work, two round trips to the service on the guest\'s CPU; on two CPUs '
    'the read costs more instructions (37,939 against 31,638 on 2026-12-07: '
    'each CPU\'s wake-up from its idle loop and the two SGIs) and less '
    'host time. Each run boots from '
    'its own copy of one image made for the run (tools/mkrootfs.py: the root '
    'file system, with bin/cntvct and bin/blkrand, then %(write)d MiB behind '
    'it that dd overwrites), read through once on the host before QEMU starts, '
    'so that every run finds the whole image in the host\'s page cache (without '
    'that, sequential reads alternated between a slow and a fast speed from one '
    'run to the next, about 1,100 and 1,800 MB/s for tinyhyp, 1,400 and 2,800 '
    'for bare QEMU, and strict alternation gave tinyhyp the slow runs and bare '
    'QEMU the fast ones: the read row said 0.39-0.41 where it is about 0.62). '
    'Wall rows: sequential read of the disk\'s first '
    '%(read)d MiB and write of the %(write)d MiB behind the file system '
    '(busybox dd bs=1M with iflag=direct / oflag=direct: O_DIRECT, no page '
    'cache), timed in the guest with the virtual counter around each dd, and '
    '%(reads)d random 4 KiB O_DIRECT reads (guests/linux/blkrand.c); '
    'tinyhyp and bare QEMU alternate, %(pairs)s pairs, and each figure is '
    'tinyhyp\'s median over bare QEMU\'s (throughput: higher is better). '
    'Host load moves these a lot (every run is listed below). Instructions '
    'row: under `-icount shift=0,sleep=off` the QEMU plugin '
    'tools/plugins/insn_mark.c counts every instruction of every CPU at '
    'every EL between marker instructions blkrand runs around each of '
    '%(icount_reads)d reads; the row gives the cheapest read of each side (the '
    'disk answered before the CPU idled). That figure barely moves: the same '
    'to the instruction on an idle host, within about 1.5%% on a loaded one '
    '(bare QEMU 25,329 to 25,707: when the host\'s I/O thread is slow no '
    'read escapes the idle loop). A read that waits adds idle-loop and timer '
    'work that depends on how fast the host is, which the median shows. '
    'Virtual time would not do: an idle CPU waiting for the disk warps it to '
    'the next timer.\n\n'
    '**Where the disk\'s wall time goes.** On one CPU a 4 KiB read costs '
    'tinyhyp about 7,000 more instructions than bare Linux (1.27-1.29x) but '
    '3 to 5 times the host time (the rest of this paragraph is about one '
    'CPU; the doorbell on two CPUs takes the service\'s switches off the '
    'guest\'s CPU: docs/architecture.md, "Doorbells"). Each read makes two '
    'round trips to the vblk service '
    '(the queue notify and the disk\'s interrupt; its InterruptStatus read '
    'loads from the register shadow page, and since 2026-12-07 its '
    'InterruptACK write is completed by the kernel in the trap, '
    'HYP_IPC_WINDOW_ISR, where it was a third round trip): 4 VTTBR_EL2 '
    'writes and 7 more exception returns than bare Linux (9 against 2, the '
    'plugin\'s counts; 6 and 11 with the third). QEMU\'s '
    'TCG flushes its whole EL1&0 and stage-2 TLB and its TB jump cache at '
    'each VTTBR_EL2 write that changes the VMID (`vttbr_write` in '
    'target/arm), so the guest\'s kernel re-walks its page tables and looks '
    'its translated blocks up in the hash table after each: `perf` on the '
    'QEMU process during random reads shows `qht_lookup_custom` (12%%), '
    '`tcg_flush_jmp_cache` (5%%) and `tlb_set_page_full` near the top under '
    'tinyhyp, against `qht_lookup_custom` at 6%% and no flush on bare QEMU. '
    'On hardware a VMID-tagged TLB keeps those translations. Large '
    'sequential requests amortise the switches; 4 KiB random reads do not. '
    'The service offers seg_max 32 (bare QEMU 254; the journal bounds it): '
    'for 64 MiB with bs=1M Linux sends 64 reads and 128 writes under '
    'tinyhyp, 64 and 64 on bare QEMU (with seg_max 16 it was 129 and '
    '192). Each read also writes generic-timer registers 18 times (the '
    'guest\'s virtual timer and CNTKCTL_EL1 hidden from the service and '
    'given back at each of the 3 switches, as measured with three round '
    'trips) and touches the GIC about 23 '
    'times, against 0 and 3 for bare Linux; under TCG each takes QEMU\'s '
    'big lock and a timer write may wake its main loop (strace: 4.5 eventfd '
    'writes and 18 futex calls per read, bare 1.35 and 9.4). Besides '
    'VTTBR_EL2, each switch toggles HCR_EL2.DC (the service runs with stage '
    '1 off), which makes TCG flush its whole TLB, and until 2026-12-07 it '
    'also rewrote SCTLR_EL1 (another whole flush; now left in place when the '
    'guest\'s value cannot affect the service: about +6%% IOPS and read). '
    'What one round trip fewer is worth: a throwaway kernel that completed '
    'InterruptACK in the trap (line lowered, no message; not correct: the '
    'status bits were never cleared) read at 4,923 IOPS against 4,383, '
    '+12%%, in 3 alternating pairs, and the real one (the kernel keeps '
    'InterruptStatus) at 4,788-5,160 against 4,300-4,339 in two runs of 3 '
    'pairs, old and new kernel alternating: a round trip costs about 25 us of host '
    'time in this workload, and the 0.7 goal allows 21-28 us more per read '
    'than bare QEMU\'s 50-66 us, less than one round trip, where a read with '
    'the service on the guest\'s CPU needs two at least (the notify, the '
    'disk\'s interrupt). `perf` of QEMU during 30,000 random reads: under tinyhyp '
    '`qht_lookup_custom` 6.9%%, `tcg_flush_jmp_cache` 4.6%%, '
    '`tlb_set_page_full` 3.3%%, and TB lookup, jump-cache flush and TLB '
    'refill together about 20%% of QEMU\'s time, against 6.5%% on bare QEMU '
    '(QEMU\'s own code has no symbols here, so the rest cannot be split). '
    'docs/architecture.md, "What a round trip costs the host under '
    'TCG".\n\n')


class DiskBenchError(Exception):
    """A run did not complete; the message ends with the console's end."""


def make_image(tmp, busybox, extras):
    """The disk every run copies: mkrootfs.py's file system, then
    WRITE_MIB of zeros (a hole) behind it."""
    image = os.path.join(tmp, 'disk.img')
    cmd = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        'mkrootfs.py'),
           '--busybox', busybox, '--size', '%dM' % FS_MIB, '--out', image]
    for extra in extras:
        cmd += ['--extra', extra]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    os.truncate(image, (FS_MIB + WRITE_MIB) * MIB)
    return image


def copy_image(image, tmp):
    """A fresh copy of @image for one run, read through once on the host.

    Without the read, sequential reads in the guest alternated between two
    speeds from one run to the next (about 1,100 and 1,800 MB/s for
    tinyhyp, 1,400 and 2,800 for bare QEMU, run 1 slow, run 2 fast, ...,
    whichever side ran): cp leaves the copy's data out of the host's page
    cache or in it, and QEMU reads the image through that cache. Strictly
    alternating runs then gave every run of one side the slow phase and
    every run of the other the fast one. Read once, every run starts with
    the whole image cached."""
    run_copy = os.path.join(tmp, 'run.img')
    subprocess.run(['cp', '--sparse=always', image, run_copy], check=True)
    with open(run_copy, 'rb') as f:
        while f.read(COPY_READ_CHUNK):
            pass
    return run_copy


def bare_disk_args(image):
    drive = 'file=%s,format=raw,if=none,id=%s' % (image.replace(',', ',,'), hypqemu.DISK_ID)
    return hypqemu.MODERN_VIRTIO + ['-drive', drive, '-device',
                                    'virtio-blk-device,drive=%s,bus=%s'
                                    % (hypqemu.DISK_ID, BARE_DISK_BUS)]


def session(cmd, script, timeout):
    """Boot @cmd to the shell prompt, run @script and return what the
    console printed after it; QEMU is killed then (the disk is a copy)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    out = b''
    sent = None
    try:
        while True:
            chunk = proc.stdout.read1(4096)
            if not chunk:
                break
            out += chunk
            if sent is None and SHELL_UP in out and PROMPT.search(out[-64:]):
                # The end marker is computed by the shell: the echoed
                # command line never matches it.
                proc.stdin.write(script.encode() + b'; echo @@END$((6*7))\n')
                proc.stdin.flush()
                sent = len(out)
            if sent is not None and END in out[sent:]:
                return out[sent:].decode('utf-8', 'replace')
    finally:
        killer.cancel()
        proc.kill()
        proc.wait()
    raise DiskBenchError(out.decode('utf-8', 'replace')[-3000:])


def parse_wall(text):
    """{'read': MB/s, 'write': MB/s, 'iops': reads/s} of one wall run."""
    counters = [(int(c), int(f)) for c, f in COUNTER.findall(text)]
    rand = BLKRAND.search(text)
    if len(counters) != 3 or not rand or 'records out' not in text:
        raise DiskBenchError('unexpected output:\n' + text[-3000:])
    freq = counters[0][1]
    read_s = (counters[1][0] - counters[0][0]) / freq
    write_s = (counters[2][0] - counters[1][0]) / freq
    reads, _, ticks, rfreq = (int(g) for g in rand.groups())
    return {'read': READ_MIB * MIB / 1e6 / read_s, 'write': WRITE_MIB * MIB / 1e6 / write_s,
            'iops': reads / (ticks / rfreq)}


def median(xs):
    xs = sorted(xs)
    return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2


def parse_marks(log_text, reads):
    """The plugin's last lines, one before the first read and one after each:
    {'min': the read that cost the fewest instructions, {'insn',
    'vttbr_writes', 'erets', 'wfis'}; 'median', 'mean': instructions per
    read}. The minimum is a request served without idling: the disk
    (host time) answered before the CPU ran out of work; it is the same
    from run to run. The median and the mean add waits in the idle loop,
    how many depends on the host."""
    marks = [[int(n) for n in m] for m in MARK.findall(log_text)]
    # blkrand's are the last: bin/cntvct, which the boot runs, marks too.
    if len(marks) < reads + 1:
        raise DiskBenchError('expected %d insn-mark lines in the plugin log, got %d:\n%s'
                             % (reads + 1, len(marks), log_text[-2000:]))
    marks = marks[-(reads + 1):]
    per_read = [dict(zip(MARK_FIELDS, (b - a for a, b in zip(before, after))))
                for before, after in zip(marks, marks[1:])]
    counts = [r['insn'] for r in per_read]
    return {'min': min(per_read, key=lambda r: r['insn']), 'median': median(counts),
            'mean': sum(counts) / len(counts)}


class Sides:
    """The two command lines of a disk run: tinyhyp with the vblk service
    (@elf: a Linux scenario with vblk; @smp: (CPUs of the wall runs, of the
    icount runs)) and bare QEMU with @dtb,
    the device tree of that scenario's VM, and the same @image/@initrd."""

    def __init__(self, qemu, elf, dtb, image, initrd, smp, bare_cmdline, rtc):
        self.qemu, self.elf, self.rtc = qemu, elf, rtc
        # (wall runs, icount runs): bench.py's DISK_SMP, DISK_INSN_SMP.
        self.smp, self.insn_smp = smp
        self.linux = {'dtb': dtb, 'image': image, 'initrd': initrd}
        self.bare_cmdline = bare_cmdline

    def cmd(self, who, disk, icount, extra=()):
        smp = self.insn_smp if icount else self.smp
        if who == 'hyp':
            return hypqemu.cmdline(self.elf, qemu=self.qemu, icount=icount, smp=smp,
                                   extra=self.rtc + hypqemu.disk_args(disk) + list(extra))
        return (self.bare_cmdline(self.qemu, smp, self.linux, icount)
                + bare_disk_args(disk) + list(extra))


def run(sides, busybox, extras, plugin, pairs, timeout):
    """All the disk rows: {'wall': {'hyp': [...], 'bare': [...]}, 'insn':
    {'hyp': n, 'bare': n}, ...}."""
    result = {'when': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
              'load_before': [round(x, 2) for x in os.getloadavg()],
              'wall': {'hyp': [], 'bare': []}, 'insn': {}}
    with tempfile.TemporaryDirectory(prefix='tinyhyp-diskbench-') as tmp:
        image = make_image(tmp, busybox, extras)
        for _ in range(pairs):
            for who in ('hyp', 'bare'):
                disk = copy_image(image, tmp)
                text = session(sides.cmd(who, disk, False), WALL_SCRIPT, timeout)
                result['wall'][who].append(parse_wall(text))
        result['load_after'] = [round(x, 2) for x in os.getloadavg()]
        for who in ('hyp', 'bare'):
            disk = copy_image(image, tmp)
            log = os.path.join(tmp, 'plugin-%s.log' % who)
            extra = ['-plugin', plugin, '-d', 'plugin', '-D', log]
            session(sides.cmd(who, disk, True, extra), ICOUNT_SCRIPT, timeout)
            with open(log) as f:
                result['insn'][who] = parse_marks(f.read(), ICOUNT_READS)
    return result


WALL_ROWS = (('read', 'sequential read, MB/s (dd bs=1M iflag=direct, %d MiB)' % READ_MIB),
             ('write', 'sequential write, MB/s (dd bs=1M oflag=direct, %d MiB)' % WRITE_MIB),
             ('iops', '4 KiB random reads, IOPS (blkrand, O_DIRECT, %d reads)' % WALL_READS))


def table_rows(disk, mark):
    """Markdown rows of the main table (@mark(value, goal) -> met)."""
    rows = []
    for key, what in WALL_ROWS if disk['wall']['hyp'] else ():
        hyp = median([r[key] for r in disk['wall']['hyp']])
        bare = median([r[key] for r in disk['wall']['bare']])
        ratio = hyp / bare
        met = 'yes' if ratio >= THROUGHPUT_GOAL else '**no**'
        rows.append('| disk /dev/vda, %s, wall time, tinyhyp / bare (ratio of medians of '
                    '%d runs each) | %.2f | ≥ %.1f | %s | tinyhyp %.1f, bare QEMU %.1f |'
                    % (what, len(disk['wall']['hyp']), ratio, THROUGHPUT_GOAL, met, hyp, bare))
    hyp, bare = disk['insn']['hyp'], disk['insn']['bare']
    ratio = hyp['min']['insn'] / bare['min']['insn']
    rows.append('| disk /dev/vda, instructions per 4 KiB random read (O_DIRECT, one CPU, '
                'every EL, icount; the cheapest of %d reads: no idle wait), tinyhyp / bare | '
                '%.2f | ≤ %.1f | %s | tinyhyp %d (%d VTTBR_EL2 writes, %d ERETs), bare '
                'QEMU %d (%d ERETs); median of the reads, idle waits included: tinyhyp '
                '%d, bare QEMU %d |'
                % (ICOUNT_READS, ratio, INSN_RATIO_GOAL, mark(ratio, INSN_RATIO_GOAL),
                   hyp['min']['insn'], hyp['min']['vttbr_writes'], hyp['min']['erets'],
                   bare['min']['insn'], bare['min']['erets'], hyp['median'],
                   bare['median']))
    return rows


def section(disk):
    """Markdown: every wall run of the disk rows."""
    if not disk['wall']['hyp']:
        return ''
    out = ['Load average (1, 5, 15 min) %s before, %s after (%s).\n'
           % (' '.join('%.2f' % x for x in disk['load_before']),
              ' '.join('%.2f' % x for x in disk['load_after']), disk['when']),
           '| run | side | read MB/s | write MB/s | 4 KiB random-read IOPS |',
           '|---:|---|---:|---:|---:|']
    for i in range(len(disk['wall']['hyp'])):
        for who, name in (('hyp', 'tinyhyp'), ('bare', 'bare QEMU')):
            r = disk['wall'][who][i]
            out.append('| %d | %s | %.1f | %.1f | %.0f |'
                       % (i + 1, name, r['read'], r['write'], r['iops']))
    return '\n'.join(out) + '\n'
