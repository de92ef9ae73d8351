"""Issue 16, item 4: the vnet service killed again and again while a Linux
VM downloads a file; the TCP transfer resumes and the file is intact
(scenario linux-net-crash: the vnet image built with fault injection,
crashing after every 997 crash points, at each kind in turn: a transmit
chain popped or used, a receive chain used, a frame in the switch;
services/vnet/README.md).

Each time the kernel restarts the service from its image it finds its
clients' virtio state in its kept RAM (the journal rolls back the change it
died in) and goes on with it: the guest's driver never sees a device reset;
frames in flight are lost and TCP sends them again. The uplink (QEMU's
virtio-net) is reset and set up afresh.

wget in VM linux fetches a few MiB from an HTTP server this test runs on
127.0.0.1, through a guestfwd rule (10.0.2.100:80), into md5sum.
"""
import hashlib
import http.server
import os
import random
import re
import sys
import threading

import pytest

from conftest import Machine, untag

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import hypqemu  # noqa: E402

BODY_BYTES = 4 * 1024 * 1024
BODY = random.Random(16).randbytes(BODY_BYTES)
MIN_RESTARTS = 4
# Crash points of vnet-faultinject: a transmit chain popped, its used
# entry out, a receive chain's used entry out, a frame in the switch.
CRASH_KINDS = 4
# The download stops after this long (guest time: busybox timeout): a
# stalled device fails the test without waiting for QEMU's deadline.
WGET_SECONDS = 300
# Status of a virtio device its driver set up (§2.1): ACKNOWLEDGE, DRIVER,
# DRIVER_OK, FEATURES_OK; a device reset reads 0.
STATUS_RUNNING = 0x0f
EXPECTED_WARNINGS = re.compile(
    r"service 'vnet' faulted: |service 'vnet' restarted from its image|"
    r"vm 'vnet': vcpu 0: data write at IPA 0x70000000 .* \(reported once\)")


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Length', str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


def sh(m, command, n=[0]):
    """Run @command in linux's shell; returns its output (tags off)."""
    n[0] += 1
    tag = 'T%d' % n[0]
    m.child.sendline('%s; echo @@%s$((6*7))' % (command, tag))
    out = m.expect(r'([\s\S]*?)@@%s42' % tag).group(1)
    m.expect(r'\[linux\] / # ')
    return untag(out, 'linux')


def test_tcp_transfer_survives_vnet_crashes(request):
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    cfg = request.config
    elf = os.path.join(cfg.getoption('--build'), 'scenarios', 'linux-net-crash',
                       'hyp.elf')
    if not os.path.exists(elf):
        pytest.fail('scenario image %s is missing: run scons first' % elf)
    # QEMU opens the guestfwd stream when it starts: the server listens.
    extra = hypqemu.net_args(guestfwd=['80-%d' % httpd.server_address[1]])
    m = Machine(elf, cfg.getoption('--qemu'), cfg.getoption('--qemu-timeout') * 6,
                extra=extra)
    try:
        m.expect(r'\[vnet\] vnet: uplink at 0xa002e00 up, 2 client\(s\)')
        # The two VMs boot side by side: their lines come in any order,
        # and one may cut the other's (conftest.vm_output(), as in
        # test_vnet_linux): each is found in its VM's own output.
        for vm in ('linux', 'linux2'):
            m.expect_vm(vm, r'tinyhyp: eth0 10\.0\.2\.1[56]/24')
        m.child.sendline('')
        m.expect(r'\[linux\] / # ')
        out = sh(m, 'timeout %d wget -O /tmp/big http://10.0.2.100/big '
                 '2>/dev/null; md5sum /tmp/big' % WGET_SECONDS)
        assert hashlib.md5(BODY).hexdigest() in out, out
        log = m.output()
        restarts = re.findall(r"service 'vnet' restarted from its image", log)
        assert len(restarts) >= MIN_RESTARTS, log
        # At each kind of crash point (they come in turn).
        kinds = set(re.findall(r'vnet: fault injection: crashing ([^\r\n]*)',
                               log))
        assert len(kinds) == CRASH_KINDS, kinds
        # The restarted service kept the devices (no reset of the guests').
        assert len(re.findall(r'vnet: restart \d+: devices kept', log)) == \
            len(restarts), log
        # The guest's driver saw no reset: its device still runs, its
        # interface is up, and virtio_net complained of nothing.
        status = sh(m, 'cat /sys/class/net/eth0/device/status')
        assert int(re.search(r'0x[0-9a-f]+', status).group(0), 16) == \
            STATUS_RUNNING, status
        assert 'up' in sh(m, 'cat /sys/class/net/eth0/operstate')
        dmesg = sh(m, 'dmesg | grep -iE "virtio|eth0|watchdog"')
        for bad in ('error', 'timed out', 'reset', 'unexpected', 'BAD'):
            assert bad not in dmesg, dmesg
        warnings = re.findall(r'(?m)^hyp: warning: ([^\r\n]*)', m.output())
        assert all(EXPECTED_WARNINGS.search(w) for w in warnings), warnings
        for bad in ('Kernel panic', 'Internal error: Oops', 'Unable to handle',
                    'hyp: error'):
            assert bad not in m.output()
    finally:
        m.kill()
        httpd.shutdown()
