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
# in struct vm, one bulk pl011_write() per access): the worst access is 861
# now (DR write), with ~20 to spare.
MMIO_CEILING = 880
VIPI_GOAL = 1200
# 687 before issue 12; 643 after its LR-sync and layout trims.
VIRQ_CEILING = 670
EOI_CEILING = 10
# Linux boot under tinyhyp vs bare QEMU, with the same inputs (1.016 now;
# the goal, 1.05, is the ceiling; see docs/benchmarks.md).
BOOT_RATIO_CEILING = 1.05


def test_bench_reports_every_operation_within_bounds(request, tmp_path):
    build = request.config.getoption('--build')
    out = tmp_path / 'bench.json'
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'bench.py'),
                        '--elf', os.path.join(build, 'scenarios', 'bench', 'hyp.elf'),
                        '--qemu', request.config.getoption('--qemu'),
                        '--json', str(out), '--timeout', '120',
                        '--linux-elf', os.path.join(build, 'scenarios', 'linux-up', 'hyp.elf'),
                        '--linux-image', os.path.join(build, 'linux', 'Image'),
                        '--linux-initrd', os.path.join(build, 'linux', 'initrd.gz')],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, r.stdout
    assert '| operation | instructions |' in r.stdout
    results = json.loads(out.read_text())
    assert set(results) >= {'hyp_call', 'mmio_uart_write', 'mmio_uart_read',
                            'gicd_read', 'virq_delivery', 'virq_eoi',
                            'virtual_ipi'}
    # A null hypercall is at least hvc + vector + eret.
    assert 3 < results['hyp_call'] <= HYP_CALL_GOAL
    for name in ('mmio_uart_write', 'mmio_uart_read', 'gicd_read'):
        assert results['hyp_call'] < results[name] <= MMIO_CEILING, results
    # Delivery goes through EL2 (the physical timer interrupt) and back.
    assert results['hyp_call'] < results['virq_delivery'] <= VIRQ_CEILING
    # vCPU 0's GICD_SGIR store to vCPU 1's handler on another CPU: two
    # exits and a physical kick at least, within the goal.
    assert 2 * results['hyp_call'] < results['virtual_ipi'] <= VIPI_GOAL, results
    # Completion is a store to the hardware virtual CPU interface: no exit.
    assert 1 <= results['virq_eoi'] <= EOI_CEILING
    # A Linux boot is hundreds of millions of instructions either way.
    assert results['linux_boot_bare'] > 100000000
    ratio = results['linux_boot_hyp'] / results['linux_boot_bare']
    assert 1.0 < ratio <= BOOT_RATIO_CEILING, results


def test_mmio_trace_walks_one_access_through_kernel_and_service(request):
    """tools/mmio_trace.py single-steps one UART write of the benchmark
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
    assert 200 < steps <= MMIO_CEILING, r.stdout
    for where in ('kernel handle_dabt', 'kernel arch_service_enter',
                  'service uart_mmio', 'kernel arch_service_leave'):
        assert where in r.stdout, r.stdout
