"""Scenarios without plumbing (issue 15, item 2): configs/<dir>/scenarios
declares a directory's scenarios (site_scons/hyp_scenarios.py), so a new
directory needs no edit of configs/SConscript; `scons qemu=1 scenario=X`
builds only what X needs."""
import os
import shutil
import sys

import pytest

from conftest import ROOT, SCENARIO_TEST_IMAGES, scons_run as scons

sys.path.insert(0, os.path.join(ROOT, 'site_scons'))
import hyp_scenarios  # noqa: E402


@pytest.fixture
def new_config_dir():
    """A scenario directory made the way a user would: config.c (a copy of
    configs/test's) and a scenarios file; removed afterwards."""
    d = os.path.join(ROOT, 'configs', 'tmp_item2_%d' % os.getpid())
    os.makedirs(d)
    with open(os.path.join(ROOT, 'configs', 'test', 'config.c')) as f:
        config = f.read()
    with open(os.path.join(d, 'config.c'), 'w') as f:
        f.write(config)
    try:
        yield d
    finally:
        shutil.rmtree(d)


def test_parse_reads_scenarios_and_flags():
    got = hyp_scenarios.parse('# comment\n\ndemo hello=hello uart=uart  # two\n'
                              'bounds hello=hello unchecked\n'
                              'lx Image=linux:Image dtb=linux:dtb\n',
                              'demo', SCENARIO_TEST_IMAGES, 'f')
    assert [(s.name, s.images, s.unchecked) for s in got] == [
        ('demo', {'hello': 'hello', 'uart': 'uart'}, False),
        ('bounds', {'hello': 'hello'}, True),
        ('lx', {'Image': 'linux:Image', 'dtb': 'linux:dtb'}, False)]


@pytest.mark.parametrize('line, msg', [
    ('demo', "scenario 'demo' names no image"),
    ('demo hello', "'hello': IMAGE=SOURCE expected"),
    ('demo hello=nosuch', "no guest or service image 'nosuch'"),
    ('demo hello=hello hello=uart', "image 'hello' named twice"),
    ('Demo hello=hello', "scenario name 'Demo'"),
])
def test_parse_rejects_a_malformed_line_naming_file_and_line(line, msg):
    with pytest.raises(hyp_scenarios.ScenarioFileError) as e:
        hyp_scenarios.parse('# first\n' + line + '\n', 'demo', SCENARIO_TEST_IMAGES,
                            'configs/demo/scenarios')
    assert str(e.value).startswith('configs/demo/scenarios:2: ')
    assert msg in str(e.value)


def test_a_new_config_dir_is_listed_and_built(new_config_dir):
    with open(os.path.join(new_config_dir, 'scenarios'), 'w') as f:
        f.write('tmp-item2 test=test_exit0\n')
    r = scons('-h')
    assert r.returncode == 0, r.stdout
    assert 'tmp-item2' in r.stdout
    r = scons('--tree=prune', 'build/scenarios/tmp-item2/hyp.elf')
    assert r.returncode == 0, r.stdout
    d = os.path.basename(new_config_dir)
    assert 'configs/%s/config.c' % d in r.stdout, r.stdout
    assert 'build/guests/test_exit0.bin' in r.stdout, r.stdout


def test_a_malformed_scenarios_file_stops_the_build_with_one_line(new_config_dir):
    with open(os.path.join(new_config_dir, 'scenarios'), 'w') as f:
        f.write('tmp-item2 test=no_such_image\n')
    r = scons('-h')
    d = os.path.basename(new_config_dir)
    assert r.returncode == 2, r.stdout
    assert ("error: configs/%s/scenarios:1: 'test=no_such_image': no guest "
            "or service image 'no_such_image'" % d) in r.stdout


def test_qemu_demo_builds_no_linux():
    """What `scons qemu=1 scenario=demo` would build: the demo's image only;
    no Linux fetch, initramfs or other scenario."""
    r = scons('--tree=prune', 'qemu=1', 'scenario=demo')
    assert r.returncode == 0, r.stdout
    assert 'build/scenarios/demo/hyp.elf' in r.stdout, r.stdout
    assert 'build/linux/' not in r.stdout
    assert 'fetch_linux' not in r.stdout
    others = [l for l in r.stdout.splitlines()
              if 'build/scenarios/' in l and 'build/scenarios/demo/' not in l]
    assert not others, others


@pytest.mark.parametrize('name, msg', [
    ('own', "scenario name 'own' is reserved: the scenario scons guest=PATH builds"),
    ('dtb-linux', "scenario name 'dtb-linux' is reserved: names starting with "
                  "'dtb-' are the build's device trees"),
])
def test_names_the_build_uses_are_reserved(name, msg):
    """Review of issue 15: build/scenarios/own/ is scons guest=PATH's and
    build/scenarios/dtb-<dir>/ a directory's generated device tree; a
    declared scenario of either name would share their files."""
    with pytest.raises(hyp_scenarios.ScenarioFileError) as e:
        hyp_scenarios.parse(name + ' hello=hello\n', 'demo', SCENARIO_TEST_IMAGES,
                            'configs/demo/scenarios')
    assert str(e.value) == 'configs/demo/scenarios:1: ' + msg


def test_parse_reads_the_bench_flag_beside_unchecked():
    got = hyp_scenarios.parse('a hello=hello bench\nb hello=hello unchecked bench\n'
                              'c hello=hello bench unchecked\nd hello=hello\n',
                              'demo', SCENARIO_TEST_IMAGES, 'f')
    assert [(s.name, s.unchecked, s.bench) for s in got] == [
        ('a', False, True), ('b', True, True), ('c', True, True), ('d', False, False)]


def test_bench_scenarios_are_built_for_scons_bench_not_by_a_plain_scons():
    """linux-smp8 (a `bench` line) is in `scons bench`'s tree, not in the
    default targets' (issue 14: the Linux boot rows on 8 CPUs)."""
    r = scons('--tree=prune')
    assert r.returncode == 0, r.stdout
    assert 'build/scenarios/linux-up/hyp.elf' in r.stdout
    assert 'build/scenarios/linux-smp8/hyp.elf' not in r.stdout
    r = scons('--tree=prune', 'bench')
    assert r.returncode == 0, r.stdout
    assert 'build/scenarios/linux-smp8/hyp.elf' in r.stdout, r.stdout
