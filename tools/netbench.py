"""The network rows of `scons bench` (issue 16, item 5; tools/bench.py):
TCP throughput of Linux VMs on tinyhyp's vnet service against the same
Linux given a virtio-net device directly on bare QEMU, in one run.

Three transfers, each of NET_MIB MiB of zeros with busybox nc in the
guests, all traffic on 127.0.0.1 (QEMU's user network with restrict=on,
no DNS):
- VM -> host: `dd | nc -l` in VM linux, read through a hostfwd rule
  (127.0.0.1:PORT -> 10.0.2.15) by a Python socket here;
- host -> VM: a Python socket here sends through the hostfwd rule to
  `nc -l` in VM linux;
- VM -> VM: `dd | nc` in linux to `nc -l` in linux2 (10.0.2.16).
The receiver times each transfer from its first data to its last byte,
counted (it does not wait for the sender's close): the host from its first
recv() with time.monotonic(), a guest with the virtual counter (bin/cntvct:
host time without icount) after the first 64 KiB block and after the last
(busybox dd iflag=fullblock). Wall time, tinyhyp and bare QEMU
alternating, PAIRS pairs; each figure is the median of tinyhyp's runs over
the median of bare QEMU's (shared/MEASURE.md).

tinyhyp: scenario linux-net (two one-vCPU Linux VMs on -smp 3: one CPU
each, and the vnet service, switching between them and the uplink, on the
third, QEMU's virtio-net on virtio-mmio slot 23). Bare QEMU, the same
kernel, initramfs and device trees (each VM's; bootargs with its
tinyhyp.ip=), -smp 2 (a CPU beyond the VM's own, as tinyhyp's; the tree
names one, so Linux leaves it off), virtio-net on the slot
the tree's node names (0x0a001000: slot 8; the node's interrupt is changed
to the one virt wires to that slot, SPI 24 edge, instead of the vnet
window's SPI 17), with the MAC tinyhyp's service gives that VM:
- VM <-> host: one QEMU, its NIC on the user network with the same hostfwd;
- VM <-> VM: two QEMUs, one per VM, joined by `-netdev socket` on 127.0.0.1
  (listen= / connect=): QEMU's only way to join two machines' NICs without
  a host bridge or tap, which this machine does not allow.
"""
import os
import re
import socket
import subprocess
import threading
import time

import hypqemu

MIB = 1 << 20
NET_MIB = 4
# dd's block size in the sending guest.
DD_BS = 64 * 1024
GUEST_PORT = 5555
VM_PORT = 5556
VM_ADDR = {'linux': '10.0.2.15', 'linux2': '10.0.2.16'}
# The MAC tinyhyp's vnet service gives each VM (services/vnet/README.md:
# 02:74:68:79:00:NN, NN the VM's index in the scenario): bare QEMU's NICs
# get the same (two QEMUs would otherwise both take 52:54:00:12:34:56).
VM_MAC = {'linux': '02:74:68:79:00:04', 'linux2': '02:74:68:79:00:05'}
# The VMs' device trees put the virtio-net window at 0x0a001000: virt's
# virtio-mmio transport 8, which virt wires to SPI 16 + 8, edge-triggered
# (GIC binding: <type number flags>, 0 = SPI, 1 = rising edge).
BARE_NET_SLOT = 8
BARE_NET_NODE = '/eth0@a001000'
BARE_NET_IRQ = ('0', str(16 + BARE_NET_SLOT), '1')
ESCAPE = b'\x1d'
WINDOW_KEY = {'linux': b'1', 'linux2': b'2'}
PROMPT = re.compile(rb'/ # (\x1b\[6n)?$')
ETH_UP = rb'tinyhyp: eth0 10\.0\.2\.\d+/24'
COUNTER = re.compile(r'tinyhyp: counter (\d+) frequency (\d+)')
THROUGHPUT_GOAL = 0.7
# Physical CPUs of the tinyhyp run: one per VM, and one the vnet service
# runs on (its doorbell and its device's interrupt: docs/architecture.md,
# "Doorbells"). Each bare QEMU gets one CPU beyond its VM's too (BARE_SMP).
HYP_SMP = 3
BARE_SMP = 2
# Ends a guest's nc processes still waiting for their peer's close.
STOP = 'kill $(pidof nc sleep) 2>/dev/null; wait'
# A receiving nc's input: one that does not end. Busybox nc half-closes
# its socket when its input ends (shutdown SHUT_WR), and a sending nc
# quits when its socket reads EOF: the transfer would stop.
HOLD = 'sleep 100000'
KINDS = (('vm_host', 'VM -> host (busybox nc in VM linux, hostfwd, a socket on the host)'),
         ('host_vm', 'host -> VM (a socket on the host, hostfwd, busybox nc -l in VM linux)'),
         ('vm_vm', 'VM -> VM (busybox nc, linux to linux2)'))


# The method paragraph of docs/benchmarks.md (tools/bench.py writes it).
DOC = (
    '**Network** (network rows, issue 16): TCP throughput with busybox nc, '
    '%(mib)d MiB of zeros per transfer, all traffic on 127.0.0.1 (QEMU\'s '
    'user network with restrict=on, no DNS). VM -> host: `dd | nc -l` in VM '
    'linux, read by a Python socket through a hostfwd rule (127.0.0.1:PORT '
    'to 10.0.2.15); host -> VM: a Python socket sends through that rule to '
    '`nc -l` in linux; VM -> VM: `dd | nc` in linux to `nc -l` in linux2 '
    '(10.0.2.16). The receiver times each transfer from its first data to '
    'its last byte, counted, not waiting for the sender\'s close: the host with '
    'its monotonic clock from its first recv(), a guest with the virtual counter (bin/cntvct, host '
    'time without icount) after the first 64 KiB block and after the last '
    '(busybox dd iflag=fullblock; head -c, which copies byte by byte, cost '
    'more CPU than the transfer). tinyhyp: '
    'scenario linux-net, two one-vCPU VMs on -smp 3, one CPU each and the '
    'vnet service, switching frames between them and the uplink (QEMU\'s '
    'virtio-net on virtio-mmio slot 23), on the third, where the VMs\' '
    'transmit kicks ring its doorbell and its device\'s interrupt goes '
    '(docs/architecture.md, "Doorbells"; two pairs on 2026-12-07, tinyhyp '
    'on -smp 2 against -smp 3: VM -> host 1.22-1.23 MB/s against 1.36-1.51, '
    'host -> VM 3.24-3.89 against 3.92, VM -> VM 2.04-2.17 against '
    '2.18-2.76). Bare '
    'QEMU: the same kernel, initramfs and each VM\'s device tree and '
    'bootargs (its tinyhyp.ip=), -smp 2 (a CPU beyond the VM\'s own, as '
    'under tinyhyp; the tree names one CPU, so Linux leaves it off: bare QEMU '
    'transfers as fast on -smp 1, 2.11-2.27, 4.82-5.08 and 3.21-3.42 MB/s '
    'against 2.26-2.30, 4.52-5.08 and 3.27-3.34 on -smp 2, two pairs), QEMU\'s '
    'virtio-net (modern virtio-mmio) on the slot that tree\'s node names '
    '(0x0a001000, slot 8; the node\'s interrupt changed to the one virt wires '
    'there, SPI 24 edge, for the vnet window\'s SPI 17) with the MAC '
    'tinyhyp\'s service gives the VM. VM <-> host: one QEMU on the user '
    'network with the same hostfwd rule; VM -> VM: two QEMUs, one per VM, '
    'joined by `-netdev socket` listen=/connect= on 127.0.0.1 (QEMU\'s way '
    'to join two machines\' NICs without a host bridge or tap). Neither '
    'side has offloads: QEMU\'s virtio-net offers no checksum or TSO over '
    'a backend without a virtio-net header (user, socket), and the vnet '
    'service offers none; both carry whole frames of at most 1,514 bytes. '
    'QEMU\'s device does offer VIRTIO_F_RING_EVENT_IDX (fewer notifies and '
    'interrupts) and VIRTIO_NET_F_MRG_RXBUF, which Linux takes (its '
    'features in sysfs); the vnet service offers VERSION_1, MAC and '
    'VIRTIO_F_RING_EVENT_IDX (no MRG_RXBUF). '
    'One run boots tinyhyp once for '
    'the three transfers, then bare QEMU (one QEMU, then two); %(pairs)s '
    'alternating pairs, and each figure is tinyhyp\'s median over bare '
    'QEMU\'s (throughput: higher is better). Wall time under host load: '
    'every run is listed below.\n\n'
    '**Where the network\'s wall time goes** (measured on -smp 2, the vnet '
    'service on the VMs\' CPUs, before it had a CPU of its own). Mostly not '
    'in instructions: with the '
    'QEMU plugin tools/plugins/insn_mark.c (one TCG thread, '
    '`-accel tcg,thread=single`) counting between the receiver\'s two '
    'bin/cntvct runs (cntvct executes the plugin\'s marker), 1 MiB VM -> VM '
    'costs the whole tinyhyp machine (both VMs, kernel, vnet service) 104M '
    'instructions, and the two bare QEMUs together 104M (46M the receiver, '
    '58M the sender); 1 MiB host -> VM 51.5M under tinyhyp, 49.3M bare. '
    'VM -> host (between two cntvct runs around the sending nc) is the '
    'exception: 82.7M against 57.7M (1.43x), in 994 frames of 1,109 bytes '
    'on average against 744 of 1,463 (likely because a transmit completes '
    'inside the notify exit, so Linux sends each of nc\'s writes at once '
    'instead of coalescing them behind a busy queue; not verified), and each '
    'frame costs its own '
    'switches (7.1 VTTBR_EL2 writes and 17 ERETs per frame; bare: 5 ERETs). '
    'What differs is the switches: VM -> VM makes 6,348 VTTBR_EL2 writes '
    'and 20,515 exception returns per MiB under tinyhyp (per data frame '
    'received: 7.7 VTTBR_EL2 writes, 25 ERETs; bare: none and 10), host -> '
    'VM 460 VTTBR_EL2 writes (0.6 per frame; 6.2 ERETs per frame against '
    '5.2). Each VTTBR_EL2 write that changes the VMID makes QEMU\'s TCG '
    'flush its EL1&0 and stage-2 TLB and its TB jump cache (`vttbr_write` '
    'in target/arm; see the disk paragraph), so both guests re-walk their '
    'page tables after every exit to the service: per frame, a queue '
    'notify from the sender, the copy into the receiver\'s ring and its '
    'interrupt, each a round trip VM -> service -> VM (its InterruptStatus '
    'read loads from the register shadow page, and since 2026-12-07 the '
    'kernel completes its InterruptACK write, HYP_IPC_WINDOW_ISR; the '
    'plugin counts below are from before). '
    'VIRTIO_F_RING_EVENT_IDX in the vnet service (a driver notifies and is '
    'interrupted only when its event indexes ask) cut them: the same '
    'plugin count of 1 MiB VM -> VM, two runs each side on 2026-12-06, '
    'went from 2,114 and 3,026 VTTBR_EL2 writes (82.7M and 89.7M '
    'instructions, 751 and 784 frames) to 754 and 1,218 (57.6M and 65.8M, '
    '748 and 736 frames); host -> VM moved within its noise (346 and 426 '
    'against 600 and 392; 52.0M and 53.4M against 49.2M and 48.0M). '
    'A transmit kick is still served inside the notify exit, so a one-vCPU '
    'sender still kicks and is interrupted per batch it hands over. Fewer '
    'switches still, or a VMID-tagged TLB (hardware; QEMU TCG has none), '
    'are what would close the gap; TSO between VMs (no '
    'segmentation inside the switch) would cut the frames per MiB. '
    'VM -> VM was bimodal: most runs about 2.2-2.4 MB/s, some 4.4-5.1 '
    '(five boots of one build in a row: 2.43, 5.06, 2.26, 2.20, 2.28): the '
    'two VMs found the one vnet service busy on the other CPU about 1.4 '
    'times per data frame. Since 2026-12-07 a transmit kick is batched on '
    'the service\'s timer (100 us) while another client used the service '
    'within 5 ms (docs/architecture.md, "A shared service batches transmit '
    'kicks"): 3.5-5.2 MB/s in 6 runs; deferring every kick would have made '
    'VM -> host slower (2.55 -> 2.1-2.25 MB/s). The guests\' busybox nc is '
    'slow on both sides (about 50,000 instructions per KiB received, bare '
    'QEMU too): these are ratios, not this hypervisor\'s best.\n\n')


class NetBenchError(Exception):
    """A run did not complete; the message ends with the console's end."""


class Console:
    """A QEMU process and its console (stdio), read by a thread."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = b''
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            with self.cond:
                if not chunk:
                    self.buf += b'\n[QEMU ended]\n'
                    self.cond.notify_all()
                    return
                self.buf += chunk
                self.cond.notify_all()

    def expect(self, regex, start, deadline):
        """The first match of @regex in the output from @start on."""
        pattern = re.compile(regex)
        with self.cond:
            while True:
                m = pattern.search(self.buf, start)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or self.buf.endswith(b'[QEMU ended]\n'):
                    raise NetBenchError('no %r on the console:\n%s'
                                        % (regex, self.buf[-3000:].decode('utf-8', 'replace')))
                self.cond.wait(min(left, 1))

    def expect_vm(self, vm, regex, deadline):
        """@regex in what VM @vm printed, its console lines joined
        (hypqemu.vm_output(): two VMs printing at once cut each other's
        lines, down to single characters)."""
        with self.cond:
            while True:
                text = self.buf.decode('utf-8', 'replace')
                if re.search(regex, hypqemu.vm_output(text, vm)):
                    return len(self.buf)
                left = deadline - time.monotonic()
                if left <= 0 or self.buf.endswith(b'[QEMU ended]\n'):
                    raise NetBenchError('no %r from %s on the console:\n%s'
                                        % (regex, vm, text[-3000:]))
                self.cond.wait(min(left, 1))

    def write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.thread.join()


class Shell:
    """VM @vm's shell on @console; @switch: the console serves several VMs
    (tinyhyp's UART service: ESC 1, ESC 2 choose where input goes)."""

    def __init__(self, console, vm, switch):
        self.console, self.vm, self.switch = console, vm, switch
        self.n = 0

    def send(self, line, deadline):
        """Send @line; returns the console offset before it."""
        c = self.console
        if self.switch is not None and self.switch['focus'] != self.vm:
            start = len(c.buf)
            c.write(ESCAPE + WINDOW_KEY[self.vm])
            c.expect(rb"console input goes to '%s'" % self.vm.encode(), start, deadline)
            self.switch['focus'] = self.vm
        start = len(c.buf)
        c.write(line.encode() + b'\n')
        return start

    def run(self, command, deadline):
        """Run @command; the console's text up to its end marker (the
        marker is computed by the shell: the echoed line never matches)."""
        self.n += 1
        tag = '@@%s%d_' % (self.vm, self.n)
        start = self.send('%s; echo %s$((6*7))' % (command, tag), deadline)
        m = self.console.expect(re.escape(tag.encode()) + b'42', start, deadline)
        return self.console.buf[start:m.start()].decode('utf-8', 'replace')


def wait_up(console, count, deadline, vms=None):
    """Wait for @count VMs' eth0 lines and the shell's prompt; @vms: their
    names on a console that tags each VM's lines (tinyhyp's)."""
    if vms:
        for vm in vms:
            console.expect_vm(vm, ETH_UP.decode() + r'[\s\S]*/ # ', deadline)
        return
    pos = 0
    for _ in range(count):
        pos = console.expect(ETH_UP, pos, deadline).end()
    console.expect(rb'/ # ', pos, deadline)


def listen_cmd(port, source, sink):
    """Start `nc -l` on @port in the background (stdin from @source,
    stdout into @sink) and return when it listens (netstat)."""
    return ('%s | nc -l -p %d | %s & until netstat -tln | grep -q ":%d "; '
            'do usleep 20000; done' % (source, port, sink, port))


def timed_sink(nbytes):
    """A receiving guest's pipeline: the first block, the counter, the rest
    by count, the counter, an end marker. dd with iflag=fullblock reads
    whole blocks from the pipe (busybox head -c copies byte by byte: about
    five times the CPU time of the transfer's own copies)."""
    block = 'dd bs=%d count=%%d iflag=fullblock of=/dev/null 2>/dev/null' % DD_BS
    return ('(%s; cntvct; %s; cntvct; echo @@RECV$((6*7)))'
            % (block % 1, block % (nbytes // DD_BS - 1)))


def source_cmd(nbytes):
    return 'dd if=/dev/zero bs=%d count=%d 2>/dev/null' % (DD_BS, nbytes // DD_BS)


def guest_rate(text, nbytes):
    """MB/s from the two counter lines of timed_sink() in @text (all but
    the first block)."""
    counters = [(int(c), int(f)) for c, f in COUNTER.findall(text)][-2:]
    if len(counters) != 2:
        raise NetBenchError('no counter lines:\n' + text[-2000:])
    seconds = (counters[1][0] - counters[0][0]) / counters[0][1]
    return (nbytes - DD_BS) / 1e6 / seconds


def host_receive(port, nbytes, timeout):
    """Connect to 127.0.0.1:@port and read @nbytes: MB/s from the first
    byte to the last."""
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        got = s.recv(1 << 16)
        if not got:
            raise NetBenchError('the hostfwd connection closed at once')
        t0 = time.monotonic()
        n = len(got)
        while n < nbytes:
            chunk = s.recv(1 << 16)
            if not chunk:
                raise NetBenchError('VM -> host: the stream ended after %d bytes' % n)
            n += len(chunk)
        return (nbytes - len(got)) / 1e6 / (time.monotonic() - t0)


def host_send(port, nbytes, timeout):
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        block = bytes(1 << 16)
        left = nbytes
        while left > 0:
            s.sendall(block[:min(left, len(block))])
            left -= min(left, len(block))


def host_transfers(linux, port, nbytes, deadline):
    """VM -> host and host -> VM on VM linux's booted shell, its guest port
    forwarded from 127.0.0.1:@port: {'vm_host', 'host_vm': MB/s}."""
    timeout = max(deadline - time.monotonic(), 1)
    out = {}
    # VM -> host: the host reads what nc -l in the guest sends.
    linux.run(listen_cmd(GUEST_PORT, source_cmd(nbytes), 'cat > /dev/null'), deadline)
    out['vm_host'] = host_receive(port, nbytes, timeout)
    linux.run(STOP, deadline)
    # host -> VM: nc -l in the guest, timed by the guest.
    linux.run(listen_cmd(GUEST_PORT, HOLD, timed_sink(nbytes)), deadline)
    start = len(linux.console.buf)
    host_send(port, nbytes, timeout)
    m = linux.console.expect(rb'@@RECV42', start, deadline)
    out['host_vm'] = guest_rate(linux.console.buf[start:m.start()].decode('utf-8', 'replace'),
                                nbytes)
    linux.run(STOP, deadline)
    return out


def vm_transfer(linux, linux2, nbytes, deadline):
    """VM -> VM: linux2 listens and times, linux sends; MB/s."""
    linux2.run(listen_cmd(VM_PORT, HOLD, timed_sink(nbytes)), deadline)
    start = len(linux2.console.buf)
    linux.run('%s | nc %s %d & true' % (source_cmd(nbytes), VM_ADDR['linux2'], VM_PORT),
              deadline)
    m = linux2.console.expect(rb'@@RECV42', start, deadline)
    rate = guest_rate(linux2.console.buf[start:m.start()].decode('utf-8', 'replace'), nbytes)
    linux.run(STOP, deadline)
    linux2.run(STOP, deadline)
    return rate


class Sides:
    """The command lines of a network run: tinyhyp (@elf: scenario
    linux-net, -smp HYP_SMP, with the uplink) and bare QEMU (@bare_cmdline:
    bench.py's, -smp BARE_SMP, given each VM's device tree from @dtbs {'linux',
    'linux2'}, patched into @tmp)."""

    def __init__(self, qemu, elf, dtbs, image, initrd, bare_cmdline, rtc, tmp):
        self.qemu, self.elf, self.rtc = qemu, elf, rtc
        self.bare = {}
        for vm, dtb in dtbs.items():
            bootargs = subprocess.run(['fdtget', '-t', 's', dtb, '/chosen', 'bootargs'],
                                      check=True, stdout=subprocess.PIPE,
                                      text=True).stdout.strip()
            patched = os.path.join(tmp, vm + '.dtb')
            subprocess.run(['cp', dtb, patched], check=True)
            subprocess.run(['fdtput', '-t', 'u', patched, BARE_NET_NODE, 'interrupts']
                           + list(BARE_NET_IRQ), check=True)
            cmd = bare_cmdline(qemu, BARE_SMP,
                               {'dtb': patched, 'image': image, 'initrd': initrd},
                               False)
            cmd[cmd.index('-append') + 1] = bootargs
            self.bare[vm] = cmd

    def hyp(self, port):
        return hypqemu.cmdline(self.elf, qemu=self.qemu, smp=HYP_SMP,
                               extra=self.rtc + hypqemu.net_args(
                                   hostfwd=['%d-%d' % (port, GUEST_PORT)]))

    def bare_vm(self, vm, netdev):
        return self.bare[vm] + hypqemu.MODERN_VIRTIO + [
            '-netdev', netdev + ',id=' + hypqemu.NET_ID, '-device',
            'virtio-net-device,netdev=%s,bus=virtio-mmio-bus.%d,mac=%s'
            % (hypqemu.NET_ID, BARE_NET_SLOT, VM_MAC[vm])]


def hyp_run(sides, nbytes, timeout):
    """One tinyhyp boot: both VMs on one console, the three transfers."""
    port = hypqemu.free_port()
    console = Console(sides.hyp(port))
    try:
        deadline = time.monotonic() + timeout
        wait_up(console, 2, deadline, ('linux', 'linux2'))
        switch = {'focus': 'linux'}
        linux, linux2 = (Shell(console, vm, switch) for vm in ('linux', 'linux2'))
        out = host_transfers(linux, port, nbytes, deadline)
        out['vm_vm'] = vm_transfer(linux, linux2, nbytes, deadline)
        return out
    finally:
        console.close()


def bare_run(sides, nbytes, timeout):
    """Bare QEMU: linux on the user network (VM <-> host), then linux and
    linux2 in two QEMUs joined by a socket on 127.0.0.1 (VM -> VM)."""
    deadline = time.monotonic() + timeout
    port = hypqemu.free_port()
    console = Console(sides.bare_vm('linux', 'user,restrict=on,' + hypqemu.hostfwd_rule(
        '%d-%d' % (port, GUEST_PORT))))
    try:
        wait_up(console, 1, deadline)
        out = host_transfers(Shell(console, 'linux', None), port, nbytes, deadline)
    finally:
        console.close()
    link = hypqemu.free_port()
    first = Console(sides.bare_vm('linux', 'socket,listen=127.0.0.1:%d' % link))
    second = None
    try:
        while not hypqemu.listening(link):
            if time.monotonic() > deadline or first.proc.poll() is not None:
                raise NetBenchError('bare QEMU never listened on 127.0.0.1:%d' % link)
            time.sleep(0.05)
        second = Console(sides.bare_vm('linux2', 'socket,connect=127.0.0.1:%d' % link))
        wait_up(first, 1, deadline)
        wait_up(second, 1, deadline)
        out['vm_vm'] = vm_transfer(Shell(first, 'linux', None), Shell(second, 'linux2', None),
                                   nbytes, deadline)
    finally:
        first.close()
        if second:
            second.close()
    return out


def median(xs):
    xs = sorted(xs)
    return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2


def run(sides, pairs, timeout, nbytes=NET_MIB * MIB):
    """All the network rows: {'runs': {'hyp': [{kind: MB/s}], 'bare': [...]},
    the load average before and after}."""
    result = {'when': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
              'load_before': [round(x, 2) for x in os.getloadavg()],
              'mib': nbytes // MIB, 'runs': {'hyp': [], 'bare': []}}
    for _ in range(pairs):
        result['runs']['hyp'].append(hyp_run(sides, nbytes, timeout))
        result['runs']['bare'].append(bare_run(sides, nbytes, timeout))
    result['load_after'] = [round(x, 2) for x in os.getloadavg()]
    return result


def table_rows(net):
    """Markdown rows of the main table."""
    rows = []
    hyp_runs, bare_runs = net['runs']['hyp'], net['runs']['bare']
    for key, what in KINDS if hyp_runs else ():
        hyp = median([r[key] for r in hyp_runs])
        bare = median([r[key] for r in bare_runs])
        ratio = hyp / bare
        met = 'yes' if ratio >= THROUGHPUT_GOAL else '**no**'
        rows.append('| network TCP throughput, %s, MB/s (%d MiB), wall time, tinyhyp / '
                    'bare (ratio of medians of %d runs each) | %.2f | ≥ %.1f | %s | '
                    'tinyhyp %.2f, bare QEMU %.2f |'
                    % (what, net['mib'], len(hyp_runs), ratio, THROUGHPUT_GOAL, met,
                       hyp, bare))
    return rows


def section(net):
    """Markdown: every run of the network rows."""
    if not net['runs']['hyp']:
        return ''
    out = ['Load average (1, 5, 15 min) %s before, %s after (%s).\n'
           % (' '.join('%.2f' % x for x in net['load_before']),
              ' '.join('%.2f' % x for x in net['load_after']), net['when']),
           '| run | side | VM -> host MB/s | host -> VM MB/s | VM -> VM MB/s |',
           '|---:|---|---:|---:|---:|']
    for i in range(len(net['runs']['hyp'])):
        for who, name in (('hyp', 'tinyhyp'), ('bare', 'bare QEMU')):
            r = net['runs'][who][i]
            out.append('| %d | %s | %.2f | %.2f | %.2f |'
                       % (i + 1, name, r['vm_host'], r['host_vm'], r['vm_vm']))
    return '\n'.join(out) + '\n'
