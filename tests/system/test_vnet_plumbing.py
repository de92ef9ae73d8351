"""The network's run plumbing (issue 16, item 3): a scenario whose
scenarios line has the `net` flag gets QEMU's virtio-net device on slot 23
on the user network with restrict=on (tools/hypqemu.py, net_args()) with
`scons qemu=1`, and the forwarding rules of scons hostfwd= / guestfwd=,
each bound to 127.0.0.1; malformed rules and rules for a scenario without
the flag are refused with one line."""
import os
import shutil
import sys

import pytest

from conftest import ROOT, SCENARIO_TEST_IMAGES, scons_run as scons

sys.path.insert(0, os.path.join(ROOT, 'site_scons'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import hyp_scenarios  # noqa: E402
import hypqemu  # noqa: E402


def test_parse_reads_the_net_flag_beside_the_others():
    got = hyp_scenarios.parse('a hello=hello net\nb hello=hello disk net unchecked\n'
                              'c hello=hello\n', 'demo', SCENARIO_TEST_IMAGES, 'f')
    assert [(s.name, s.net, s.disk, s.unchecked) for s in got] == [
        ('a', True, False, False), ('b', True, True, True), ('c', False, False, False)]


def test_parse_reads_a_second_linux_vms_device_tree():
    got = hyp_scenarios.parse('a dtb=linux:dtb dtb2=linux:dtb:linux2 net\n',
                              'demo', SCENARIO_TEST_IMAGES, 'f')
    assert got[0].images == {'dtb': 'linux:dtb', 'dtb2': 'linux:dtb:linux2'}
    with pytest.raises(hyp_scenarios.ScenarioFileError):
        hyp_scenarios.parse('a dtb=linux:dtb:\n', 'demo', SCENARIO_TEST_IMAGES, 'f')


def test_each_linux_vm_of_linux_net_has_its_own_address():
    build = os.path.join(ROOT, 'build', 'scenarios')
    for d, vm, addr in (('dtb-linux_net', 'linux', '10.0.2.15'),
                        ('dtb-linux_net-linux2', 'linux2', '10.0.2.16')):
        dts = os.path.join(build, d, vm + '.dts')
        if not os.path.exists(dts):
            pytest.fail('%s missing: run scons first' % dts)
        with open(dts) as f:
            assert 'tinyhyp.ip=%s/24"' % addr in f.read()


def test_net_args_put_a_restricted_user_network_on_slot_23():
    assert hypqemu.net_args() == [
        '-global', 'virtio-mmio.force-legacy=false',
        '-netdev', 'user,id=net0,restrict=on',
        '-device', 'virtio-net-device,netdev=net0,bus=virtio-mmio-bus.23']


def test_forwarding_rules_name_127_0_0_1_only():
    netdev = hypqemu.net_args(hostfwd=['5555-23', '8080-80'],
                              guestfwd=['80-8000', '81-cmd:nc 127.0.0.1 8000,x'])[3]
    assert netdev.split(',')[:5] == [
        'user', 'id=net0', 'restrict=on',
        'hostfwd=tcp:127.0.0.1:5555-:23', 'hostfwd=tcp:127.0.0.1:8080-:80']
    assert ',guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:8000,' in netdev
    # QEMU's option syntax: a comma in a value is doubled.
    assert netdev.endswith(',guestfwd=tcp:10.0.2.100:81-cmd:nc 127.0.0.1 8000,,x')


@pytest.mark.parametrize('kind,rule,msg', [
    ('hostfwd', '5555', "hostfwd rule '5555': HOSTPORT-GUESTPORT"),
    ('hostfwd', '0-23', "hostfwd host port: '0' is not a TCP port"),
    ('hostfwd', '0.0.0.0:5555-23', "hostfwd host port: '0.0.0.0:5555' is not a TCP port"),
    ('hostfwd', '5555-70000', "hostfwd guest port: '70000' is not a TCP port"),
    ('guestfwd', '80', "guestfwd rule '80': PORT-HOSTPORT or PORT-cmd:COMMAND"),
    ('guestfwd', '80-10.0.0.1:80', "guestfwd host port: '10.0.0.1:80' is not a TCP port"),
    ('guestfwd', '80-cmd: ', "guestfwd rule '80-cmd: ': an empty command"),
])
def test_malformed_rules_are_refused(kind, rule, msg):
    with pytest.raises(hypqemu.NetRuleError) as e:
        hypqemu.net_args(**{kind: [rule]})
    assert msg in str(e.value)


@pytest.fixture
def net_scenario():
    """configs/<tmp>/: configs/test's config.c (a bare-metal guest that
    exits 0) as scenario tmp-net, with the `net` flag; removed afterwards."""
    d = os.path.join(ROOT, 'configs', 'tmp_net_%d' % os.getpid())
    os.makedirs(d)
    shutil.copy(os.path.join(ROOT, 'configs', 'test', 'config.c'), d)
    with open(os.path.join(d, 'scenarios'), 'w') as f:
        f.write('tmp-net test=test_exit0 net\n')
    try:
        yield 'tmp-net'
    finally:
        shutil.rmtree(d)


def test_rules_refused_for_a_scenario_without_a_network():
    r = scons('qemu=1', 'scenario=demo', 'hostfwd=5555-23')
    assert r.returncode == 2, r.stdout
    assert ("error: hostfwd=/guestfwd=: scenario 'demo' has no network (no `net` "
            "flag in its scenarios line)") in r.stdout


def test_a_malformed_rule_stops_qemu_1_with_one_line(net_scenario):
    r = scons('qemu=1', 'scenario=' + net_scenario, 'hostfwd=5555')
    assert r.returncode == 2, r.stdout
    assert "error: hostfwd rule '5555': HOSTPORT-GUESTPORT" in r.stdout


def test_qemu_run_of_a_net_scenario_gets_the_uplink_and_rules(net_scenario):
    """A real `scons qemu=1` of a guest without the device: QEMU starts
    with the uplink and the hostfwd rule (its command line), the guest runs
    and exits 0."""
    port = hypqemu.free_port()
    r = scons('qemu=1', 'scenario=' + net_scenario, 'hostfwd=%d-23' % port, dry=False)
    assert r.returncode == 0, r.stdout
    assert ' '.join(hypqemu.net_args(hostfwd=['%d-23' % port])) in r.stdout, r.stdout
