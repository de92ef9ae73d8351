"""The root disk's build and run plumbing (issue 16, item 2): a scenario
whose scenarios line has the `disk` flag gets QEMU's virtio-blk device
(tools/hypqemu.py, disk_args()) with `scons qemu=1`, on
build/disk/linux-root.img (made only when missing) or on `disk=PATH`; a
scenario without the flag refuses disk=. A scenario that gives no VM the
device is not harmed: the hypervisor maps the transport to nobody."""
import os
import shutil
import sys

import pytest

from conftest import ROOT, SCENARIO_TEST_IMAGES, scons_run as scons

sys.path.insert(0, os.path.join(ROOT, 'site_scons'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hyp_deps  # noqa: E402
import hyp_scenarios  # noqa: E402
import hypqemu  # noqa: E402

DEFAULT_DISK = 'build/disk/linux-root.img'


def test_parse_reads_the_disk_flag_beside_the_others():
    got = hyp_scenarios.parse('a hello=hello disk\nb hello=hello bench disk unchecked\n'
                              'c hello=hello\n', 'demo', SCENARIO_TEST_IMAGES, 'f')
    assert [(s.name, s.disk, s.bench, s.unchecked) for s in got] == [
        ('a', True, False, False), ('b', True, True, True), ('c', False, False, False)]


def test_disk_args_put_a_modern_virtio_blk_device_on_slot_31():
    assert hypqemu.disk_args('/x/root.img') == [
        '-global', 'virtio-mmio.force-legacy=false',
        '-drive', 'file=/x/root.img,format=raw,if=none,id=hd0',
        '-device', 'virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.31']
    ro = hypqemu.disk_args('/x/a,b.img', readonly=True)
    # QEMU's option syntax: a comma in a value is doubled.
    assert ro[3] == 'file=/x/a,,b.img,format=raw,if=none,id=hd0,readonly=on'
    assert hypqemu.disk_args('d', slot=0)[-1] == 'virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0'


@pytest.fixture
def disk_scenario():
    """configs/<tmp>/: configs/test's config.c (a bare-metal guest that
    exits 0) as scenario tmp-disk, with the `disk` flag; removed afterwards."""
    d = os.path.join(ROOT, 'configs', 'tmp_disk_%d' % os.getpid())
    os.makedirs(d)
    shutil.copy(os.path.join(ROOT, 'configs', 'test', 'config.c'), d)
    with open(os.path.join(d, 'scenarios'), 'w') as f:
        f.write('tmp-disk test=test_exit0 disk\n')
    try:
        yield 'tmp-disk'
    finally:
        shutil.rmtree(d)


def test_qemu_run_of_a_disk_scenario_needs_the_build_disk(disk_scenario):
    r = scons('--tree=prune', 'qemu=1', 'scenario=' + disk_scenario)
    assert r.returncode == 0, r.stdout
    assert DEFAULT_DISK in r.stdout, r.stdout


def test_no_disk_for_a_scenario_without_the_flag():
    r = scons('--tree=prune', 'qemu=1', 'scenario=demo')
    assert r.returncode == 0, r.stdout
    assert 'linux-root.img' not in r.stdout


def test_disk_option_refused_for_a_scenario_without_a_disk(tmp_path):
    image = tmp_path / 'mine.img'
    image.write_bytes(b'\0' * 4096)
    r = scons('qemu=1', 'scenario=demo', 'disk=%s' % image)
    assert r.returncode == 2, r.stdout
    assert ("error: disk=%s: scenario 'demo' has no disk (no `disk` flag in its "
            "scenarios line)" % image) in r.stdout


def test_disk_option_names_a_missing_file(disk_scenario, tmp_path):
    r = scons('qemu=1', 'scenario=' + disk_scenario, 'disk=%s' % (tmp_path / 'none.img'))
    assert r.returncode == 2, r.stdout
    assert 'error: disk=%s: no such file' % (tmp_path / 'none.img') in r.stdout


def test_qemu_run_with_disk_option_boots_with_that_image(disk_scenario, tmp_path):
    """A real `scons qemu=1 disk=PATH` of a guest without the device: QEMU
    gets the disk (its command line), the guest runs and exits 0, and
    neither the build's disk is made nor the given image written."""
    image = tmp_path / 'mine.img'
    image.write_bytes(b'tinyhyp' * 1000)
    before = image.read_bytes()
    default_existed = os.path.exists(os.path.join(ROOT, DEFAULT_DISK))
    r = scons('qemu=1', 'scenario=' + disk_scenario, 'disk=%s' % image, dry=False)
    assert r.returncode == 0, r.stdout
    assert ' '.join(hypqemu.disk_args(str(image))) in r.stdout, r.stdout
    assert image.read_bytes() == before
    assert os.path.exists(os.path.join(ROOT, DEFAULT_DISK)) == default_existed


def test_the_build_installs_e2fsprogs_when_mke2fs_is_missing(monkeypatch):
    """The root disk needs mke2fs (and its test e2fsck): a machine without
    them gets e2fsprogs from hyp_deps, like the build's other packages
    (.ci/run's first line installs them as root)."""
    real_glob = hyp_deps.glob.glob
    monkeypatch.setattr(hyp_deps.glob, 'glob',
                        lambda p: [] if 'e2fs' in p or 'mke2fs' in p else real_glob(p))
    assert 'e2fsprogs' in hyp_deps.missing_packages('aarch64-linux-gnu-gcc', False)
