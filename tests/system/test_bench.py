"""The benchmark machinery works, and its deterministic instruction counts
(QEMU -icount, not time) have not regressed. The figures themselves are
reported by `scons bench` into docs/benchmarks.md."""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Goals from the issue that the code meets, and ceilings that catch a
# regression of the ones it does not meet yet (see docs/benchmarks.md).
HYP_CALL_GOAL = 100
# 565-594 on one CPU before SMP; the kernel lock and the stopped-VM check
# on both traps and the reply-deadline arming added about 75 (docs/benchmarks.md).
# Journaling the UART model for crash consistency costs ~120 of these
# instructions per DR write (docs/architecture.md). Issue 12 added, each
# for its item (docs/benchmarks.md): ~36 per round trip to hide the guest's
# untrapped EL1 registers from the service (item 4), ~8 to complete the
# instruction by ESR_EL2.IL and clear PSTATE.SS (items 3, 12), and ~50 per
# printed byte for the console filter and the line shared with the
# kernel's log (item 13; the DR write stores a printable byte). Then the
# hot paths were trimmed without touching those guarantees (the vCPUs last
# in struct vm, one bulk pl011_write() per access): 861 for a DR write.
# Issue 14 (cheaper exits) cut each row on its own; each has its own
# ceiling, its figure plus ~20: the UART service's DR-write fast path
# (journal of 16 bytes, no register lookup or TX buffer) 869 -> 769, its
# FR-read fast path 703 -> 645; libipc masks only a read's value and the
# trap dispatch tests a data abort first: the DR write 769 -> 759. Then
# (771, 654, 723 after later additions) an HVC straight to its handler
# and one reply guard fewer (-12 each), and the vgic service reading
# whole-word registers without its field loop or access_ok() call (GICD
# read -55): 759, 642, 668. These ceilings are the figure plus a few (the
# figures before failed them).
# The served-read test in the MMIO fast path (a load of the window's mask)
# and the UART service's FR page: 768. Then posted writes (hyp/posted.h):
# a DR store completes in the trap, into the ring of the window's page,
# and the service takes the ring later (the bench adds what that costs):
# 512 (with the served reads answered in the trap), of it about 150 the
# store's own exit; 341 with the service taking them in batches (one
# journal transaction per up to 64 bytes, services/uart take_tx_batch).
MMIO_WRITE_CEILING = 355
# The read row reads IMSC (CR until the kernel answered it too); before, CR
# since FR is
# answered by the kernel from the UART
# service's page (ipc_window_reads, the served row): the service's general
# read path, 705 when it moved (FR's own fast path was 642); 723 with
# posted writes (the service takes them before a write or a read of RIS or
# MIS; the kernel's checks in the trap). 730 (GICD forwarded 805) with the
# light switch leaving a compatible guest SCTLR_EL1 in place: a compare
# instead of two writes, each of which flushed QEMU's whole TLB (host time
# per round trip about 17.5 -> 14.7 us without icount).
MMIO_READ_CEILING = 735
# A read the kernel answers from the service's page: one trap, no switch
# (198 when added; the FR read it replaced went to the service: 642).
# Then answered in the trap before the general MMIO path (served_read in
# trap.c: no syndrome decode, no call, before the stopped-VM check): 150.
SERVED_READ_CEILING = 155
# A store the kernel completes because it writes what the register holds
# (window_quiet.c; the CR writes of Linux's console): one trap, no switch,
# checked after the posted stores (so that DR writes pay nothing for it):
# 214 when added, against 724 as a round trip.
QUIET_WRITE_CEILING = 225
# GICD_TYPER: 668-675 as a message to the vgic service, 142 once the
# service publishes CTLR, TYPER and IIDR for the kernel to answer. A
# register still sent to it (IPRIORITYR0, a byte: the model's per-field
# read) has its own row: 834.
GICD_READ_CEILING = 150
# find_reg() by halving instead of a linear scan of the register table
# (IPRIORITYR is the eleventh group): 845 -> 797.
GICD_READ_FORWARDED_CEILING = 810
# The virtual IPI was gated at 1200 (then an issue's goal); issue 14's
# trims (one run-queue walk into idle, no LR loop when every LR is empty,
# no service-timer frame) took it from 1244 to 1165; every LR free
# (GICH_ELRSR) placing into LR 0 without scans, the LR sync and queueing
# inline, services' state tested first: 1176 -> 1081. Then (1094 after
# the served-read restructuring) GICD_SGIR taken straight from the trap,
# a remote SGI posted without vgic_inject()'s generic steps, and only the
# LRs in use written at entry when all were free: 1018. Posted writes:
# 1030-1039 (the check before each of the two WFIs, the posted-store test
# in the trap; the figure moves by a tick, 16 instructions, with layout).
# Then a vCPU alone on its CPU waits in WFI in hardware (no trap, block,
# pick or idle loop on either side; under icount the sender's own WFI exit
# counted too) and the kick needs no slice re-arming (cpu_kick_entry):
# 1034 -> 678. Gated at the goal (issue 14: 700).
VIPI_CEILING = 700
# 687 before issue 12; 643 after its LR-sync and layout trims; 630 -> 496
# once an injection into the loaded vCPU writes its LRs and skips the
# refill on entry (issue 14); 495 with the empty-LR read; 400 (the goal)
# with every LR free meaning LR 0 written alone, no switch_to() for the
# guest that goes on, the LR sync and queueing inline.
VIRQ_CEILING = 410
EOI_CEILING = 10
# Linux boot to the prompt, N vCPUs on N physical CPUs under tinyhyp vs
# bare QEMU -smp N with the same kernel, initramfs, command line and
# device tree, virtual time under icount (deterministic). A regression
# ceiling, not the goal (1.05, docs/benchmarks.md): 1.052-1.054 for N = 1,
# 2, 4, 8 when added, about 22M of the ~48M extra instructions the
# kernel's own boot (copying the images) and most of the rest console
# MMIO exits; 0.006 (about 5.5M instructions) to spare.
BOOT_RATIO_CEILING = 1.06
# Disk rows (issue 16, item 5; tools/diskbench.py): instructions per 4 KiB
# O_DIRECT random read of /dev/vda, every CPU and EL, the cheapest of the
# run's reads (no idle wait: within ~1.5% from run to run, exact on an
# idle host). Goal: at most 1.5 times bare QEMU's. When added: 32,593
# under tinyhyp (four round trips to the vblk service: the queue notify,
# the disk's interrupt, the guest's InterruptStatus read and InterruptACK
# write), 32,748 with seg_max 32 (a pop journals a bigger record); bare
# QEMU 25,329-25,707. The ceiling is the figure plus ~4%. Since the
# register shadow page the InterruptStatus read costs no round trip:
# three (32,890-32,921 instructions, 6 VTTBR_EL2 writes, 11 ERETs on
# 2026-12-06; 32,381-32,428 and 4 when the disk answers while the service
# still runs the notify's exit: its interrupt then costs no switch).
DISK_READ_RATIO_GOAL = 1.5
DISK_READ_CEILING = 34000
# Each round trip switches VTTBR_EL2 twice (to the service and back): the
# notify, the disk's interrupt, the InterruptACK write; a register read
# that went to the service again would make it 8.
DISK_READ_VTTBR_WRITES = 6
# The Linux scenario with N vCPUs that `scons bench` boots on -smp N
# (SConstruct BENCH_LINUX) and the config directory of its device tree.
LINUX_SCENARIOS = {1: ('linux-up', 'linux_up'), 2: ('linux-smp2', 'linux_smp2'),
                   4: ('linux', 'linux'), 8: ('linux-smp8', 'linux_smp8')}


def bench(request, tmp_path, *args):
    """Run tools/bench.py with @args; its JSON results and its table."""
    out = tmp_path / 'bench.json'
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'bench.py'),
                        '--qemu', request.config.getoption('--qemu'),
                        '--json', str(out), '--timeout', '120'] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, r.stdout
    assert '| operation | measured | goal | met |' in r.stdout
    return json.loads(out.read_text()), r.stdout


def test_bench_reports_every_operation_within_bounds(request, tmp_path):
    build = request.config.getoption('--build')
    results, _ = bench(request, tmp_path,
                       '--elf', os.path.join(build, 'scenarios', 'bench', 'hyp.elf'))
    assert set(results) >= {'hyp_call', 'mmio_uart_write', 'mmio_uart_read',
                            'mmio_served_read', 'mmio_quiet_write', 'gicd_read',
                            'gicd_read_forwarded',
                            'virq_delivery', 'virq_eoi', 'virtual_ipi'}
    # A null hypercall is at least hvc + vector + eret.
    assert 3 < results['hyp_call'] <= HYP_CALL_GOAL
    for name, ceiling in (('mmio_uart_write', MMIO_WRITE_CEILING),
                          ('mmio_uart_read', MMIO_READ_CEILING),
                          ('gicd_read_forwarded', GICD_READ_FORWARDED_CEILING)):
        assert results['hyp_call'] < results[name] <= ceiling, results
    # A served read traps but never reaches the service: well under half a
    # round trip to it.
    assert results['hyp_call'] < results['mmio_served_read'] <= SERVED_READ_CEILING
    assert 2 * results['mmio_served_read'] < results['mmio_uart_read'], results
    # A CR write of the value held: one trap, no switch, as a served read.
    assert results['hyp_call'] < results['mmio_quiet_write'] <= QUIET_WRITE_CEILING
    assert 2 * results['mmio_quiet_write'] < results['mmio_uart_read'], results
    assert results['hyp_call'] < results['gicd_read'] <= GICD_READ_CEILING
    assert 2 * results['gicd_read'] < results['gicd_read_forwarded'], results
    # Delivery goes through EL2 (the physical timer interrupt) and back.
    assert results['hyp_call'] < results['virq_delivery'] <= VIRQ_CEILING
    # vCPU 0's GICD_SGIR store to vCPU 1's handler on another CPU: two
    # exits and a physical kick at least, within its ceiling.
    assert 2 * results['hyp_call'] < results['virtual_ipi'] <= VIPI_CEILING, results
    # Completion is a store to the hardware virtual CPU interface: no exit.
    assert 1 <= results['virq_eoi'] <= EOI_CEILING


def test_linux_boot_in_virtual_time_on_1_2_4_8_cpus_within_ceiling(request, tmp_path):
    """The icount rows of `scons bench`: Linux with N vCPUs on N physical
    CPUs against bare QEMU -smp N (about a minute for the eight boots)."""
    build = request.config.getoption('--build')
    scenarios = os.path.join(build, 'scenarios')
    args = ['--linux-image', os.path.join(build, 'linux', 'Image'),
            '--linux-initrd', os.path.join(build, 'linux', 'initrd.gz')]
    for n, (name, config_dir) in sorted(LINUX_SCENARIOS.items()):
        args += ['--linux', '%d:%s:%s' % (n, os.path.join(scenarios, name, 'hyp.elf'),
                                          os.path.join(scenarios, 'dtb-' + config_dir,
                                                       'linux.dtb'))]
    results, table = bench(request, tmp_path, *args)
    boots = results['linux_boot']
    assert sorted(boots, key=int) == ['1', '2', '4', '8'], results
    for n, r in boots.items():
        # A Linux boot is hundreds of millions of instructions either way.
        assert r['bare'] > 100000000, results
        assert 1.0 < r['hyp'] / r['bare'] <= BOOT_RATIO_CEILING, (n, results)
        assert re.search(r'\| Linux boot to the prompt, %s vCPU\(s\) on -smp %s, '
                         r'virtual time .*\| ≤ 1\.05 \| (yes|\*\*no\*\*) \|' % (n, n),
                         table), table


def test_wall_time_runs_each_listed_with_boots_load_and_goal():
    """docs/benchmarks.md gives every wall-time run separately (each boot,
    the load average, the ratio of medians and its goal) so that a reader
    sees the spread; the table's figure is the worst run."""
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    import bench as tool

    def run(hyp, bare):
        return {'when': 'now', 'load_before': [2.5, 2, 1], 'load_after': [3, 2, 1],
                'times': {'1': {'hyp': hyp, 'bare': bare}}}
    runs = [run([3.0, 2.0, 9.0], [2.0, 2.0, 2.0]),
            run([4.0, float('inf'), 4.0], [2.0, 2.0, 2.5]),
            run([2.0, 2.0, 2.0], [2.0, 2.0, 2.0])]
    text = tool.table({'linux_wall': runs})
    assert re.search(r'\| Linux boot to the prompt, 1 vCPU\(s\) on -smp 1, wall time.*'
                     r'worst of 3 runs\) \| 2\.00 \| ≤ 1\.5 \| \*\*no\*\* \| '
                     r'runs: 1\.50, 2\.00, 1\.00 \|', text), text
    section = tool.wall_section(runs)
    assert section.count('| CPUs | tinyhyp, s (each boot) |') == 3, section
    assert 'Run 2 of 3, now; load average (1, 5, 15 min) 2.50 2.00 1.00 before' in section
    assert '| 1 | 4.0 none 4.0 | 2.0 2.0 2.5 | 2.00 | ≤ 1.5 | **no** |' in section, section
    assert '| 1 | 2.0 2.0 2.0 | 2.0 2.0 2.0 | 1.00 | ≤ 1.5 | yes |' in section, section


def test_mmio_trace_walks_one_access_through_kernel_and_service(request):
    """tools/mmio_trace.py single-steps one UART IMSC read of the benchmark
    loop with gdb: every instruction from the guest's store to its next
    instruction, in the kernel and in the service, with the functions they
    belong to (docs/architecture.md uses its table)."""
    build = request.config.getoption('--build')
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'mmio_trace.py'),
                        '--elf', os.path.join(build, 'scenarios', 'bench', 'hyp.elf'),
                        '--guest', os.path.join(build, 'guests', 'bench.elf'),
                        '--service', os.path.join(build, 'services', 'uart.elf'),
                        '--qemu', request.config.getoption('--qemu')],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout
    total = re.search(r'^total \(guest 1, kernel (\d+), service (\d+)\)\s+(\d+)$',
                      r.stdout, re.M)
    assert total, r.stdout
    kernel, service, steps = (int(g) for g in total.groups())
    assert 1 + kernel + service == steps
    # The same order of magnitude as the bench figure (its own ceiling).
    assert 200 < steps <= MMIO_READ_CEILING, r.stdout
    for where in ('kernel handle_dabt', 'kernel arch_service_enter',
                  'service uart_mmio', 'kernel arch_service_leave'):
        assert where in r.stdout, r.stdout


def test_disk_read_instructions_within_goal_and_ceiling(request, tmp_path):
    """The instruction row of the disk benchmark (no wall time here): the
    one-vCPU Linux VM reads /dev/vda through the vblk service, bare QEMU
    the same disk with the same kernel, initramfs and device tree; the
    QEMU plugin counts every instruction of every CPU per read."""
    build = request.config.getoption('--build')
    results, table = bench(
        request, tmp_path,
        '--linux-image', os.path.join(build, 'linux', 'Image'),
        '--linux-initrd', os.path.join(build, 'linux', 'initrd.gz'),
        '--disk', '%s:%s' % (os.path.join(build, 'scenarios', 'linux-up', 'hyp.elf'),
                             os.path.join(build, 'scenarios', 'dtb-linux_up', 'linux.dtb')),
        '--disk-busybox', os.path.join(build, 'linux', 'busybox'),
        '--disk-extra', 'bin/cntvct=' + os.path.join(build, 'guests', 'linux', 'cntvct'),
        '--disk-extra', 'bin/blkrand=' + os.path.join(build, 'guests', 'linux', 'blkrand'),
        '--disk-plugin', os.path.join(build, 'host', 'tools', 'plugins', 'insn_mark.so'),
        '--disk-pairs', '0')
    hyp, bare = results['disk']['insn']['hyp'], results['disk']['insn']['bare']
    # A read is a syscall, the block layer and the virtio driver at least.
    assert bare['min']['insn'] > 10000, results
    assert hyp['min']['insn'] <= DISK_READ_CEILING, results
    assert hyp['min']['insn'] / bare['min']['insn'] <= DISK_READ_RATIO_GOAL, results
    assert hyp['min']['vttbr_writes'] <= DISK_READ_VTTBR_WRITES, results
    # Bare QEMU has no hypervisor: nothing writes VTTBR_EL2.
    assert bare['min']['vttbr_writes'] == 0, results
    assert re.search(r'\| disk /dev/vda, instructions per 4 KiB random read .*\| '
                     r'≤ 1\.5 \| yes \|', table), table


def test_disk_wall_rows_are_ratios_of_medians_with_every_run_listed():
    """The disk rows' wall-time figures: tinyhyp's median over bare QEMU's
    per figure (throughput: higher is better, goal >= 0.7), every run
    listed in docs/benchmarks.md."""
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    import bench as tool
    import diskbench

    def runs(*reads):
        return [{'read': r, 'write': 2 * r, 'iops': 10 * r} for r in reads]
    point = {'insn': 1000, 'vttbr_writes': 8, 'erets': 13, 'wfis': 0}
    disk = {'when': 'now', 'load_before': [1, 1, 1], 'load_after': [2, 2, 2],
            'wall': {'hyp': runs(60, 100, 80), 'bare': runs(100, 100, 200)},
            'insn': {'hyp': {'min': point, 'median': 1000, 'mean': 1000},
                     'bare': {'min': dict(point, insn=500, vttbr_writes=0),
                              'median': 600, 'mean': 700}}}
    rows = '\n'.join(diskbench.table_rows(disk, tool.mark))
    assert re.search(r'sequential read, MB/s .* \| 0\.80 \| ≥ 0\.7 \| yes \| '
                     r'tinyhyp 80\.0, bare QEMU 100\.0 \|', rows), rows
    assert re.search(r'4 KiB random reads, IOPS .* \| 0\.80 \| ≥ 0\.7 \| yes \|', rows), rows
    assert re.search(r'instructions per 4 KiB random read .* \| 2\.00 \| ≤ 1\.5 \| '
                     r'\*\*no\*\* \| tinyhyp 1000 \(8 VTTBR_EL2 writes', rows), rows
    section = diskbench.section(disk)
    assert '| 3 | bare QEMU | 200.0 | 400.0 | 2000 |' in section, section
    disk['wall'] = {'hyp': runs(50, 50, 50), 'bare': runs(100, 100, 100)}
    assert re.search(r'sequential read, MB/s .* \| 0\.50 \| ≥ 0\.7 \| \*\*no\*\* \|',
                     '\n'.join(diskbench.table_rows(disk, tool.mark)))


def test_net_rows_are_ratios_of_medians_with_every_run_listed():
    """The network rows (tools/netbench.py): per transfer, tinyhyp's median
    MB/s over bare QEMU's (goal >= 0.7), every run listed in
    docs/benchmarks.md. Made-up figures: the machinery, not the network."""
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    import bench as tool
    import netbench

    def runs(*rates):
        return [{'vm_host': r, 'host_vm': 2 * r, 'vm_vm': 3 * r} for r in rates]
    net = {'when': 'now', 'load_before': [1, 1, 1], 'load_after': [2, 2, 2], 'mib': 4,
           'runs': {'hyp': runs(6, 10, 8), 'bare': runs(10, 10, 20)}}
    rows = tool.table({'net': net})
    for what, hyp, bare in (('VM -> host', 8, 10), ('host -> VM', 16, 20),
                            ('VM -> VM', 24, 30)):
        assert re.search(r'\| network TCP throughput, %s .*MB/s \(4 MiB\), wall time, '
                         r'tinyhyp / bare \(ratio of medians of 3 runs each\) \| 0\.80 \| '
                         r'≥ 0\.7 \| yes \| tinyhyp %.2f, bare QEMU %.2f \|'
                         % (what, hyp, bare), rows), rows
    section = netbench.section(net)
    assert '| 3 | bare QEMU | 20.00 | 40.00 | 60.00 |' in section, section
    assert '| 1 | tinyhyp | 6.00 | 12.00 | 18.00 |' in section, section
    assert 'Load average (1, 5, 15 min) 1.00 1.00 1.00 before, 2.00 2.00 2.00 after' in section
    # An even number of runs: the median is the mean of the middle two.
    net['runs'] = {'hyp': runs(1, 2, 3, 100), 'bare': runs(10, 10, 10, 10)}
    assert re.search(r'VM -> host .* \| 0\.25 \| ≥ 0\.7 \| \*\*no\*\* \| tinyhyp 2\.50, '
                     r'bare QEMU 10\.00 \|', '\n'.join(netbench.table_rows(net)))
    assert not netbench.table_rows(dict(net, runs={'hyp': [], 'bare': []}))
