"""Build-side behaviour: scenario checking, dependency messages, QEMU args."""
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'site_scons'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hyp_deps  # noqa: E402
import hypqemu  # noqa: E402


@pytest.fixture
def cfgcheck(request):
    path = os.path.join(request.config.getoption('--build'), 'scenarios', 'demo', 'cfgcheck')
    if not os.path.exists(path):
        pytest.fail('%s missing: run scons first' % path)
    return path


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_cfgcheck_accepts_the_built_images(cfgcheck, request, tmp_path):
    build = request.config.getoption('--build')
    stamp = tmp_path / 'ok'
    r = run([cfgcheck, '--stamp', str(stamp),
             'hello=' + os.path.join(build, 'guests', 'hello.bin'),
             'uart=' + os.path.join(build, 'services', 'uart.bin')])
    assert r.returncode == 0, r.stdout
    assert stamp.exists()


def test_cfgcheck_reports_missing_image_file(cfgcheck):
    r = run([cfgcheck, 'hello=/nonexistent/hello.bin'])
    assert r.returncode == 1
    assert "image 'hello': cannot open '/nonexistent/hello.bin'" in r.stdout


def test_cfgcheck_reports_image_not_listed(cfgcheck):
    r = run([cfgcheck])
    assert r.returncode == 1
    assert "vm 'hello': image 'hello' is missing" in r.stdout


def test_cfgcheck_reports_image_larger_than_ram(cfgcheck, tmp_path):
    big = tmp_path / 'big.bin'
    with open(big, 'wb') as f:
        f.truncate(17 << 20)  # the demo VM has 16 MiB
    r = run([cfgcheck, 'hello=%s' % big])
    assert r.returncode == 1
    assert 'does not fit inside one ram region' in r.stdout


def test_cfgcheck_rejects_bad_usage(cfgcheck):
    r = run([cfgcheck, 'no-equals-sign'])
    assert r.returncode == 2
    assert 'usage' in r.stdout.lower()


@pytest.mark.parametrize('size', ['2T', '0G', 'G', '1.5G', '-1G'])
def test_cfgcheck_rejects_a_bad_board_ram(cfgcheck, size):
    r = run([cfgcheck, '--board-ram', size, 'hello=/nonexistent'])
    assert r.returncode == 2
    assert ("cfgcheck: --board-ram '%s': a size in MiB or GiB is needed, e.g. "
            "512M or 2G" % size) in r.stdout


def test_missing_packages_print_exact_apt_line_when_not_root(monkeypatch, capsys):
    monkeypatch.setenv('PATH', '/nonexistent')
    monkeypatch.setattr(os, 'geteuid', lambda: 1000)
    with pytest.raises(SystemExit) as exc:
        hyp_deps.ensure('aarch64-linux-gnu-gcc', True)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert 'apt-get install -y ' in err
    for pkg in ('qemu-system-arm', 'gcc-aarch64-linux-gnu', 'device-tree-compiler'):
        assert pkg in err


def test_user_cross_compile_is_not_replaced_by_debian_package(monkeypatch):
    monkeypatch.setenv('PATH', '/nonexistent')
    missing = hyp_deps.missing_packages('aarch64-none-elf-gcc', False)
    assert 'gcc-aarch64-linux-gnu' not in missing


def test_qemu_cmdline_matches_the_platform():
    args = hypqemu.cmdline('hyp.elf')
    # highmem=off: the PCIe ECAM below RAM, where the kernel finds the
    # pvpanic device that reports a failure at power-off.
    assert (args[args.index('-M') + 1] ==
            'virt,virtualization=on,gic-version=2,highmem=off')
    assert args[args.index('-device') + 1] == 'pvpanic-pci'
    assert args[args.index('-action') + 1] == 'panic=exit-failure'
    assert args[args.index('-cpu') + 1] == 'cortex-a57'
    assert args[args.index('-kernel') + 1] == 'hyp.elf'
    assert '-s' not in args and '-icount' not in args


def test_qemu_cmdline_gdb_and_icount():
    args = hypqemu.cmdline('hyp.elf', gdb=True, icount=True)
    assert '-s' in args and '-S' in args
    assert args[args.index('-icount') + 1] == hypqemu.ICOUNT
    assert hypqemu.ICOUNT.startswith('shift=0,')
    assert 'target remote :1234' in hypqemu.gdb_hint('hyp.elf')


@pytest.mark.parametrize('kw', [{}, {'gdb': True}, {'icount': True, 'smp': 4}])
def test_qemu_cmdline_keeps_semihosting_off(kw):
    # Every scenario, test and benchmark starts QEMU through this one
    # function: semihosting would let a guest kernel reach host files.
    args = hypqemu.cmdline('hyp.elf', **kw)
    i = args.index('-semihosting-config')
    assert args[i + 1] == 'enable=off'
    assert '-semihosting' not in args
    assert sum('semihosting' in a for a in args) == 1


GICV2_ABI = os.path.join('kernel', 'include', 'abi', 'gicv2.h')


def gic_offsets_outside_abi(root):
    """Lines that define again a GICv2 register of abi/gicv2.h."""
    with open(os.path.join(root, GICV2_ABI), encoding='utf-8') as f:
        regs = re.findall(r'(?m)^#define (GIC[DC]_[A-Z0-9]+) 0x', f.read())
    again = re.compile(r'^#define (%s)\b' % '|'.join(regs))
    found = []
    for top in ('kernel', 'services', 'libipc', 'guests', 'lib', 'tests'):
        for d, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                path = os.path.join(d, n)
                if not n.endswith(('.c', '.h')) or path.endswith(GICV2_ABI):
                    continue
                with open(path, encoding='utf-8') as f:
                    found += ['%s: %s' % (os.path.relpath(path, root), l.strip())
                              for l in f if again.match(l)]
    return found


def test_gicv2_register_offsets_are_defined_once():
    """The kernel's GIC driver, the vgic service's model and the test
    guests read one register map (kernel/include/abi/gicv2.h)."""
    assert gic_offsets_outside_abi(ROOT) == []


# The sources .clang-format covers, and the version whose output it was
# tuned to (another version breaks some lines differently).
FORMATTED_DIRS = ('kernel', 'libipc', 'services', 'lib')
CLANG_FORMAT_MAJOR = 14


def clang_format_major():
    exe = shutil.which('clang-format')
    if exe is None:
        return None
    m = re.search(r'version (\d+)', run([exe, '--version']).stdout)
    return int(m.group(1)) if m else None


def unformatted(root, paths):
    """The files of @paths (relative to @root) clang-format would change."""
    r = subprocess.run(['clang-format', '--dry-run'] + list(paths), cwd=root,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return sorted(set(re.findall(r'(?m)^(\S+?):\d+:\d+: warning', r.stdout)))


@pytest.mark.skipif(clang_format_major() != CLANG_FORMAT_MAJOR,
                    reason='needs clang-format %d' % CLANG_FORMAT_MAJOR)
def test_sources_follow_clang_format():
    sources = sorted(os.path.relpath(os.path.join(d, n), ROOT)
                     for top in FORMATTED_DIRS
                     for d, _, names in os.walk(os.path.join(ROOT, top))
                     for n in names if n.endswith(('.c', '.h')))
    with open(os.path.join(ROOT, 'tests', 'system', 'clang_format_pending.txt')) as f:
        pending = {l.strip() for l in f if l.strip() and not l.startswith('#')}
    bad = unformatted(ROOT, sources)
    assert [p for p in bad if p not in pending] == [], 'run clang-format -i on these'
    assert [p for p in pending if p in sources and p not in bad] == [], \
        'formatted now: delete them from clang_format_pending.txt'


def test_loc_counts_code_lines_only(tmp_path):
    """tools/loc.py, which reports the kernel's size: comment-only and blank
    lines count 0, code lines 1, and // or /* inside a literal is code."""
    import loc
    src = tmp_path / 'x.c'
    src.write_text('\n'.join([
        '/** A block comment',            # 0
        ' * over lines. */',              # 0
        '',                               # 0
        '   \t',                          # 0
        '// a line comment',              # 0
        'int a; // trailing comment',     # 1
        'const char *u = "http://x";',    # 1
        'const char *c = "/* no */";',    # 1
        'const char *o = "/*";',          # 1
        'int d;',                         # 1: that /* opened no comment
        'const char *e = "*/";',          # 1
        "char q = '\"'; /* quote */",     # 1
        'int b; /* spans',                # 1
        '   lines */ int c;',             # 1
        '   /* only */ /* comments */',   # 0
        '}',                              # 1
    ]) + '\n')
    assert loc.count_file(str(src)) == 10
    (tmp_path / 'notes.txt').write_text('not counted\n')
    per_dir, per_file = loc.count_tree(str(tmp_path))
    assert per_file == {str(src): 10} and per_dir == {str(tmp_path): 10}
