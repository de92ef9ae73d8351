"""tools/perturb.py and `scons perturb=N`: builds that differ only in NOPs on
the kernel's exit path, each another deterministic -icount schedule. The
sweep itself boots Linux once per build (minutes), so it is a tool, not a
test: these check its parts."""
import os
import sys

from conftest import ROOT, scons_run

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import perturb  # noqa: E402

LINUX_ELF = 'build/scenarios/linux/hyp.elf'


def test_outliers_are_slow_boots_and_boots_without_a_prompt():
    times = {1: 1000, 2: 1002, 3: 998, 4: 1100, 5: None}
    assert perturb.outliers(times, 1.05) == {4: '1.099 x the median', 5: 'no prompt'}
    assert perturb.outliers({1: 1000, 2: 1040}, 1.05) == {}


def test_report_marks_the_outliers():
    times = {1: 1000000000, 2: 2000000000, 3: None}
    text = perturb.report(times, perturb.outliers(times, 1.05))
    assert '| 1 | 1000.0 | 0.6667 |  |' in text
    assert '| 2 | 2000.0 | 1.3333 | **outlier** |' in text
    assert '| 3 | - | - | **no prompt** |' in text


def test_scons_perturb_compiles_the_nops_into_the_kernel_only():
    out = scons_run('V=1', 'perturb=3', LINUX_ELF).stdout
    # A compile line names its source last; '-Ikernel/include' is on every
    # target compile (a scenario's config.c too, when it is rebuilt).
    compiles = [line for line in out.splitlines() if ' -c ' in line]
    kernel = [line for line in compiles if line.split()[-1].startswith('kernel/')]
    others = [line for line in compiles if line not in kernel]
    assert kernel and all('-DHYP_PERTURB_NOPS=3' in line for line in kernel), out
    assert not any('HYP_PERTURB_NOPS' in line for line in others), out
    assert 'HYP_PERTURB_NOPS' not in scons_run('V=1', LINUX_ELF).stdout


def test_scons_refuses_a_bad_perturb():
    r = scons_run('perturb=many')
    assert r.returncode != 0
    assert 'error: perturb=many: a whole number of NOPs from 0 to 4096' in r.stdout
