"""Issue 16: two Linux VMs on the vnet service's switch (scenario
linux-net), its uplink QEMU's user network with restrict=on, traffic only
to 127.0.0.1.

One boot serves every test here, in order (the anti-spoofing test last: it
changes a VM's MAC). Each VM brings eth0 up with the address its kernel
command line names (tinyhyp.ip=, from its own device tree): linux
10.0.2.15 (the address hostfwd rules forward to), linux2 10.0.2.16.
  - the VMs ping each other through the switch;
  - wget in linux fetches a file from an HTTP server this test runs on
    127.0.0.1, through a guestfwd rule (10.0.2.100:80);
  - a guestfwd rule of the cmd: form starts a command per connection;
  - the host reaches linux through a hostfwd rule on 127.0.0.1 (Python
    socket here, busybox nc -l in the guest);
  - linux2 takes linux's MAC: its frames are dropped (ping fails) and the
    service says why.
"""
import http.server
import os
import re
import socket
import sys
import threading

import pytest

from conftest import Machine, untag

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import hypqemu  # noqa: E402

ESCAPE = '\x1d'
GUEST_PORT = 5555
PAYLOAD = 'hello-through-the-vnet-switch'
FILE_BODY = 'served-from-127.0.0.1-%d\n' % os.getpid()
CMD_WORD = 'started-by-guestfwd-cmd-%d' % os.getpid()
# Commands that wait in the guest (a listener to come up, data to arrive)
# are retried this many times, each one a round trip through the shell.
RETRIES = 50


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        body = FILE_BODY.encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Net:
    """The booted scenario and the console helpers."""

    def __init__(self, m):
        self.m = m
        self.focused = 'linux'
        self.n = 0

    def focus(self, vm):
        if vm != self.focused:
            key, window = ('1', 1) if vm == 'linux' else ('2', 2)
            self.m.child.send(ESCAPE + key)
            self.m.expect(r"\[uart\] uart: console input goes to '%s' "
                          r"\(window %d of 2" % (vm, window))
            self.focused = vm

    def sh(self, vm, command):
        """Run @command in @vm's shell; returns its output (tags off)."""
        self.focus(vm)
        self.n += 1
        tag = 'T%d' % self.n
        self.m.child.sendline('%s; echo @@%s$((6*7))' % (command, tag))
        out = self.m.expect(r'([\s\S]*?)@@%s42' % tag).group(1)
        self.m.expect(r'\[%s\] / # ' % vm)
        return untag(out, vm)

    def mac(self, vm):
        return re.search(r'\[vnet\] vnet: %s: port \d, MAC ([0-9a-f:]{17})' % vm,
                         self.m.output()).group(1)


@pytest.fixture(scope='module')
def net(request):
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    host_port = hypqemu.free_port()
    cfg = request.config
    elf = os.path.join(cfg.getoption('--build'), 'scenarios', 'linux-net', 'hyp.elf')
    if not os.path.exists(elf):
        pytest.fail('scenario image %s is missing: run scons first' % elf)
    # QEMU opens the guestfwd stream when it starts: the server listens.
    extra = hypqemu.net_args(hostfwd=['%d-%d' % (host_port, GUEST_PORT)],
                             guestfwd=['80-%d' % httpd.server_address[1],
                                       '81-cmd:echo %s' % CMD_WORD])
    m = Machine(elf, cfg.getoption('--qemu'), cfg.getoption('--qemu-timeout') * 4,
                extra=extra)
    n = Net(m)
    n.host_port = host_port
    try:
        m.expect(r'\[vnet\] vnet: uplink at 0xa002e00 up, 2 client\(s\)')
        # The two VMs boot side by side: their lines come in any order,
        # and one may cut the other's (conftest.vm_output()).
        for vm, ip in (('linux', '10.0.2.15'), ('linux2', '10.0.2.16')):
            m.expect_vm(vm, r'tinyhyp: eth0 %s/24, gateway 10\.0\.2\.2'
                        % re.escape(ip))
        for vm in ('linux', 'linux2'):
            n.focus(vm)
            m.child.sendline('')
            m.expect(r'\[%s\] / # ' % vm)
        yield n
    finally:
        m.kill()
        httpd.shutdown()


def test_vms_ping_each_other(net):
    out = net.sh('linux', 'ping -c 3 10.0.2.16')
    assert '3 packets transmitted, 3 packets received' in out, out
    out = net.sh('linux2', 'ping -c 2 10.0.2.15')
    assert '2 packets transmitted, 2 packets received' in out, out
    # Each VM's frames carry the MAC the service assigned it.
    assert net.mac('linux') in net.sh('linux2', 'ip neigh show 10.0.2.15')


def test_wget_through_guestfwd(net):
    out = net.sh('linux', 'wget -q -O - http://10.0.2.100/file.txt')
    assert FILE_BODY.strip() in out, out


def test_guestfwd_cmd_form_runs_a_command_per_connection(net):
    # stdin kept open a while: nc ends when its input does.
    for _ in range(2):
        out = net.sh('linux', '(sleep 2) | nc 10.0.2.100 81')
        assert CMD_WORD in out, out


def test_host_reaches_guest_through_hostfwd(net):
    # stdin from /dev/null: a background nc reading the console would be
    # stopped (SIGTTIN) before it copies what arrives.
    net.sh('linux', 'nc -l -p %d < /dev/null > /tmp/got & true' % GUEST_PORT)
    for _ in range(RETRIES):
        if ':%d ' % GUEST_PORT in net.sh('linux', 'netstat -tln'):
            break
    else:
        pytest.fail('nc never listened in the guest; console:\n' + net.m.output())
    with socket.create_connection(('127.0.0.1', net.host_port)) as s:
        s.sendall((PAYLOAD + '\n').encode())
    for _ in range(RETRIES):
        if PAYLOAD in net.sh('linux', 'cat /tmp/got'):
            break
    else:
        pytest.fail('the guest never got the host\'s bytes; console:\n'
                    + net.m.output())


def test_frames_with_another_vms_mac_are_dropped(net):
    linux_mac, linux2_mac = net.mac('linux'), net.mac('linux2')
    net.sh('linux2', 'ip neigh flush dev eth0; ip link set eth0 down; '
           'ip link set eth0 address %s; ip link set eth0 up; '
           'ip route add default via 10.0.2.2' % linux_mac)
    out = net.sh('linux2', 'ping -c 2 -W 2 10.0.2.15')
    assert '0 packets received' in out, out
    # The service's line (the first drop may come while the MAC changes).
    assert re.search(r"\[vnet\] vnet: linux2: frame dropped: source MAC is not "
                     r"the VM's own \(anti-spoofing\) \(\d+ so far\): source %s, "
                     r"its MAC %s" % (linux_mac, linux2_mac), net.m.output())
