"""tools/dtgen: the device tree of a VM, generated from its partition.

Checked on the Linux scenarios' own generators (built by scons under
build/scenarios/<name>/dtgen) and on tests/dtgen/config.c, a scenario made
for this test (two vCPUs, two RAM regions, a PL031 window and a passthrough
device), compiled here with the host compiler. Every DTS goes through dtc.
"""
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# What dtgen is linked with besides a scenario's config.c (tools/SConscript).
DTGEN_SOURCES = ['tools/dtgen.c', 'kernel/core/config_bounds.c', 'lib/src/fmt.c',
                 'configs/platform/qemu_virt.c']


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kw)


def dtc_ok(dts, tmp_path):
    """dtc compiles @dts (warnings are errors: -Werror is not in dtc 1.6,
    so any warning on stderr fails)."""
    src = tmp_path / 'vm.dts'
    src.write_text(dts)
    r = run(['dtc', '-I', 'dts', '-O', 'dtb', '-o', str(tmp_path / 'vm.dtb'), str(src)])
    assert r.returncode == 0 and r.stderr == '', r.stderr
    return r


def node(dts, name):
    """The body of node @name (e.g. 'timer', 'pl011@9000000')."""
    m = re.search(r'(?m)^\t(?:\w+: )?%s \{\n(.*?)^\t\};' % re.escape(name), dts, re.S)
    assert m, 'no node %s in:\n%s' % (name, dts)
    return m.group(1)


@pytest.fixture(scope='module')
def example(tmp_path_factory):
    """dtgen linked with tests/dtgen/config.c."""
    out = tmp_path_factory.mktemp('dtgen') / 'dtgen'
    r = run(['cc', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-DHYP_HOST',
             '-I', 'kernel/include', '-I', 'lib/include', '-o', str(out),
             'tests/dtgen/config.c'] + DTGEN_SOURCES, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return str(out)


def scenario_dtgen(request, config_dir):
    """dtgen as the build links it with configs/<config_dir>/config.c (one
    per directory: configs/SConscript linux_dtb)."""
    path = os.path.join(request.config.getoption('--build'), 'scenarios',
                        'dtb-' + config_dir, 'dtgen')
    if not os.path.exists(path):
        pytest.fail('%s missing: run scons first' % path)
    return path


def test_linux_vm_has_every_node(request, tmp_path):
    initrd = os.path.join(request.config.getoption('--build'), 'linux', 'initrd.gz')
    r = run([scenario_dtgen(request, 'linux'), '--vm', 'linux',
             '--bootargs', 'console=ttyAMA0 "quoted"', '--initrd', 'initrd=' + initrd])
    assert r.returncode == 0, r.stderr
    dts = r.stdout
    dtc_ok(dts, tmp_path)
    chosen = node(dts, 'chosen')
    assert 'bootargs = "console=ttyAMA0 \\"quoted\\"";' in chosen
    assert 'stdout-path = "/pl011@9000000";' in chosen
    # configs/linux/layout.h: the initramfs at 0x4e000000, its file's size.
    end = 0x4e000000 + os.path.getsize(initrd)
    assert 'linux,initrd-start = <0x0 0x4e000000>;' in chosen
    assert 'linux,initrd-end = <0x0 0x%x>;' % end in chosen
    assert 'reg = <0x0 0x40000000 0x0 0x10000000>;' in node(dts, 'memory@40000000')
    cpus = node(dts, 'cpus')
    assert re.findall(r'cpu@(\d+) \{', cpus) == ['0', '1', '2', '3']
    assert cpus.count('enable-method = "psci";') == 4
    psci = node(dts, 'psci')
    assert 'method = "hvc";' in psci and '"arm,psci-0.2"' in psci
    # Binding order: secure phys, non-secure phys, virtual, hypervisor;
    # four CPUs in the PPI mask, level high.
    assert ('interrupts = <1 13 0xf04>, <1 14 0xf04>, <1 11 0xf04>, <1 10 0xf04>;'
            in node(dts, 'timer'))
    gic = node(dts, 'interrupt-controller@8000000')
    assert 'compatible = "arm,cortex-a15-gic";' in gic
    # Distributor = the vgic window, CPU interface = the GICV window.
    assert 'reg = <0x0 0x8000000 0x0 0x1000>, <0x0 0x8010000 0x0 0x2000>;' in gic
    assert 'compatible = "fixed-clock";' in node(dts, 'clock-24mhz')
    uart = node(dts, 'pl011@9000000')
    assert 'compatible = "arm,pl011", "arm,primecell";' in uart
    assert 'interrupts = <0 1 4>;' in uart
    assert 'clock-names = "uartclk", "apb_pclk";' in uart


def test_linux_up_has_one_cpu(request, tmp_path):
    r = run([scenario_dtgen(request, 'linux_up'), '--vm', 'linux'])
    assert r.returncode == 0, r.stderr
    dtc_ok(r.stdout, tmp_path)
    assert re.findall(r'cpu@(\d+) \{', r.stdout) == ['0']
    # One CPU in the timer PPIs' mask.
    assert '<1 11 0x104>' in node(r.stdout, 'timer')
    # No initramfs asked for, none in chosen.
    assert 'initrd' not in node(r.stdout, 'chosen')


def test_example_vm_two_cpus_and_its_devices(example, tmp_path):
    initrd = tmp_path / 'initrd'
    initrd.write_bytes(b'\0' * 1000)
    r = run([example, '--vm', 'two', '--initrd', 'initrd=%s' % initrd])
    assert r.returncode == 0, r.stderr
    dts = r.stdout
    dtc_ok(dts, tmp_path)
    assert re.findall(r'cpu@(\d+) \{', dts) == ['0', '1']
    assert '<1 14 0x304>' in node(dts, 'timer')
    assert 'reg = <0x0 0x60000000 0x0 0x4000000>;' in node(dts, 'memory@60000000')
    assert 'linux,initrd-end = <0x0 0x%x>;' % (0x47000000 + 1000) in node(dts, 'chosen')
    rtc = node(dts, 'pl031@9010000')
    assert 'compatible = "arm,pl031", "arm,primecell";' in rtc
    assert 'reg = <0x0 0x9010000 0x0 0x1000>;' in rtc
    assert 'interrupts = <0 2 4>;' in rtc
    assert 'clocks = <&apb_pclk>;' in rtc and 'clock-names = "apb_pclk";' in rtc
    virtio = node(dts, 'virtio0@a000000')
    assert 'compatible = "virtio,mmio";' in virtio
    assert 'reg = <0x0 0xa000000 0x0 0x1000>;' in virtio
    assert 'interrupts = <0 16 4>;' in virtio


def test_window_without_compatible_is_refused(example):
    r = run([example, '--vm', 'nodt'])
    assert r.returncode == 1
    assert r.stdout == ''
    assert r.stderr == ("dtgen-example: error: VM 'nodt': device window 'mystery' has "
                        "no .compatible, so dtgen cannot describe it (hyp/config.h, "
                        "struct cfg_device)\n")


def test_unknown_vm_and_missing_initrd(example):
    r = run([example, '--vm', 'nope'])
    assert (r.returncode, r.stderr) == (1, "dtgen-example: error: no VM 'nope'\n")
    r = run([example, '--vm', 'two', '--initrd', 'initrd=/nonexistent'])
    assert r.returncode == 1
    assert "initramfs '/nonexistent': No such file or directory" in r.stderr
