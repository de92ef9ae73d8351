"""tools/dtgen and passed-through SPIs (review of issue 15, items 1 and 4).

A passthrough window's interrupt is the partition's .irqs entry (README,
"Passing a device through"; rule Q3). dtgen writes a node's `interrupts`
from the window's .irq, which rule D9 used to forbid on a passthrough
window: a device passed through to a guest got a node without its
interrupt. Now the window's .irq names the SPI passed through with it (D9:
it must also be one of the partition's .irqs), dtgen writes it, and an SPI
passed through but named by no window is refused by dtgen.
(tests/dtgen/config.c's passthrough window carried .irq without .irqs, a
config the build refused: it is now one cfgcheck accepts.)
"""
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = 'tests/dtgen/passthru_config.c'
COMMON = ['kernel/core/config_bounds.c', 'lib/src/fmt.c', 'configs/platform/qemu_virt.c']
CC = ['cc', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-DHYP_HOST',
      '-I', 'kernel/include', '-I', 'lib/include']


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, cwd=ROOT, **kw)


def build(tmp_path, name, main_sources, config=CONFIG):
    out = str(tmp_path / name)
    r = run(CC + ['-o', out, config] + main_sources + COMMON)
    assert r.returncode == 0, r.stderr
    return out


@pytest.mark.parametrize('config', [CONFIG, 'tests/dtgen/config.c'])
def test_dtgen_configs_are_ones_the_build_accepts(tmp_path, config):
    cfgcheck = build(tmp_path, 'cfgcheck', ['tools/cfgcheck.c', 'tools/config_validate.c'],
                     config)
    guest = tmp_path / 'guest'
    guest.write_bytes(b'\0' * 4096)
    images = ['%s=%s' % (name, guest)
              for name in ('guest', 'vgic', 'uart', 'pl031', 'initrd', 'dtb')]
    r = run([cfgcheck] + images)
    assert r.returncode == 0, r.stderr


def test_passed_through_spi_is_in_the_device_tree(tmp_path):
    dtgen = build(tmp_path, 'dtgen', ['tools/dtgen.c'])
    r = run([dtgen, '--vm', 'pt'])
    assert r.returncode == 0, r.stderr
    m = re.search(r'(?m)^\tpl031@9010000 \{\n(.*?)^\t\};', r.stdout, re.S)
    assert m, r.stdout
    # INTID 34 = SPI 2, level high (the kernel links it to the physical one).
    assert 'interrupts = <0 2 4>;' in m.group(1), m.group(1)


def test_spi_passed_through_but_named_by_no_window_is_refused(tmp_path):
    dtgen = build(tmp_path, 'dtgen', ['tools/dtgen.c'])
    r = run([dtgen, '--vm', 'unlinked'])
    assert (r.returncode, r.stdout) == (1, ''), r.stdout
    assert r.stderr == ("dtgen-passthru: error: VM 'unlinked': irq 48 is passed through "
                        "but no device window names it (.irq of its passthrough window), "
                        "so its node would lack it\n")
