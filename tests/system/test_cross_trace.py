"""tools/cross_trace.py (with the plugin tools/plugins/insn_trace.c): every
instruction of both CPUs between vCPU 0's GICD_SGIR store and vCPU 1's IRQ
vector, the operation of the bench's virtual IPI row, function by
function; and what that trace shows about the design."""
import os
import re
import subprocess
import sys

from test_bench import VIPI_CEILING

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, 'tools', 'cross_trace.py')
ROW = re.compile(r'^cpu(\d) (kernel|guest) (\S+)\s+(\d+)$', re.M)
TOTAL = re.compile(r'^total \(cpu0 (\d+), cpu1 (\d+)\)\s+(\d+)$', re.M)


def run_tool(request, *args):
    build = request.config.getoption('--build')
    return subprocess.run(
        [sys.executable, TOOL, '--qemu', request.config.getoption('--qemu'),
         '--elf', os.path.join(build, 'scenarios', 'bench', 'hyp.elf'),
         '--guest', os.path.join(build, 'guests', 'bench.elf')] + list(args),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)


def test_virtual_ipi_traced_across_both_cpus(request):
    build = request.config.getoption('--build')
    r = run_tool(request, '--plugin',
                 os.path.join(build, 'host', 'tools', 'plugins', 'insn_trace.so'))
    assert r.returncode == 0, r.stdout
    rows = [(int(cpu), side, fn, int(n)) for cpu, side, fn, n in ROW.findall(r.stdout)]
    total = TOTAL.search(r.stdout)
    assert rows and total, r.stdout
    # Every line counted, split between the two CPUs as listed.
    assert sum(n for *_, n in rows) == int(total.group(3)), r.stdout
    for cpu in (0, 1):
        assert sum(n for c, *_, n in rows if c == cpu) == int(total.group(cpu + 1))
    # From the store on vCPU 0 (the kernel's SGIR fast path, no service)
    # to the handler's first instruction on vCPU 1.
    assert rows[0][:3] == (0, 'guest', 'bench_ipi'), r.stdout
    assert rows[-1][:3] == (1, 'guest', 'ipi_vectors'), r.stdout
    assert (0, 'kernel', 'handle_sgir') in [row[:3] for row in rows], r.stdout
    assert any(c == 1 and fn.startswith('vgic_prepare_entry') for c, _, fn, _ in rows)
    # Each vCPU is alone on its CPU: the sender's WFI waits in hardware and
    # the receiver wakes from it by an interrupt, not from the kernel's
    # idle loop (before: about 375 instructions of handle_wfx, the pick and
    # the idle loop on vCPU 0, and idle_until_runnable on vCPU 1).
    fns = {fn for _, _, fn, _ in rows}
    assert not fns & {'handle_wfx', 'idle_until_runnable'}, r.stdout
    # What the bench row counts, give or take a counter tick.
    assert 2 * 72 < int(total.group(3)) <= VIPI_CEILING, r.stdout


def test_missing_plugin_is_named(request, tmp_path):
    r = run_tool(request, '--plugin', str(tmp_path / 'none.so'))
    assert r.returncode != 0
    assert 'none.so is missing: run scons first' in r.stdout
