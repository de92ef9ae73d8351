"""The one place that knows how to start QEMU for a scenario image.

Used by SConstruct (scons qemu=1, scons bench) and by the system tests, so
what a developer runs and what the tests run are the same machine.
"""
import os
import re
import select
import shlex
import subprocess

# QEMU virt board: GICv2, EL2 present, the PCIe ECAM below RAM
# (highmem=off), where the kernel finds pvpanic-pci. The kernel reads the
# board (RAM, CPUs, GIC, UART, PCIe) from the device tree QEMU builds.
MACHINE = 'virt,virtualization=on,gic-version=2,highmem=off'
# How the kernel reports a failure at power-off (a guest it had to stop,
# e.g. because its service died): a pvpanic event, which QEMU turns into
# exit status 1. PSCI SYSTEM_OFF alone always exits 0; semihosting stays
# off.
FAILURE_EXIT = ['-device', 'pvpanic-pci', '-action', 'panic=exit-failure']
CPU = 'cortex-a57'
# The board's RAM (-m) unless the caller asks for another (scons mem=).
MEMORY = '1G'
GDB_PORT = 1234
# One instruction = one ns of virtual time (shared/MEASURE.md); with
# sleep=off an idle CPU jumps to its next timer instead of waiting in host
# time, so that what a guest does, and the counts, do not depend on the
# host's speed or load.
ICOUNT = 'shift=0,sleep=off'


def cmdline(elf, qemu='qemu-system-aarch64', gdb=False, icount=False,
            smp=1, extra=(), machine=MACHINE, memory=MEMORY):
    """Argument list booting the hypervisor ELF with the console on stdio,
    on a board with @memory of RAM (QEMU's -m syntax, e.g. '2G')."""
    args = [qemu, '-M', machine, '-cpu', CPU, '-m', str(memory),
            '-smp', str(smp), '-nographic', '-no-reboot',
            # No network: virt's default NIC wants efi-virtio.rom, which a
            # --no-install-recommends QEMU lacks, and no scenario has one.
            '-nic', 'none',
            # Never semihosting: a guest kernel at EL1 could open, read and
            # write host files with it (docs/architecture.md, threat model).
            '-semihosting-config', 'enable=off',
            '-kernel', str(elf)] + FAILURE_EXIT
    if icount:
        args += ['-icount', ICOUNT]
    if gdb:
        args += ['-s', '-S']
    args += list(extra)
    return args


# The root disk (issue 16; /work VIRTIO_DESIGN: "the disk is on slot 31"):
# a virtio-blk device on virt's virtio-mmio transport 31 (0x0a003e00, INTID
# 79, the page 0x0a003000 a driver domain is given). QEMU 7.2's transports
# default to the legacy interface (MMIO version 1): force-legacy=false
# gives the modern one (virtio 1.2, section 4.2.2: Version 2).
DISK_SLOT = 31
DISK_ID = 'hd0'
MODERN_VIRTIO = ['-global', 'virtio-mmio.force-legacy=false']


def disk_args(image, readonly=False, slot=DISK_SLOT):
    """QEMU arguments giving the board the raw disk @image on virtio-mmio
    transport @slot (0x0a000000 + slot * 0x200, INTID 48 + slot). Without
    a virtio,mmio node for it in a guest's device tree nobody drives it
    (tinyhyp maps the transport to no VM unless a scenario says so). Bare
    QEMU booted with a tinyhyp VM's device tree (-dtb) finds the disk where
    that tree puts the VM's virtual one: slot 0 (VIRTIO_DESIGN, 0x0a000000,
    INTID 48)."""
    drive = 'file=%s,format=raw,if=none,id=%s' % (str(image).replace(',', ',,'), DISK_ID)
    if readonly:
        drive += ',readonly=on'
    return MODERN_VIRTIO + ['-drive', drive, '-device',
                            'virtio-blk-device,drive=%s,bus=virtio-mmio-bus.%d'
                            % (DISK_ID, slot)]


# Linux given the board directly (no hypervisor): the baseline of the disk
# and boot benchmarks and the root disk's own test. virt's own device tree
# (no -dtb) describes its 32 virtio-mmio transports.
BARE_MACHINE = 'virt,gic-version=2'


def bare_linux_cmdline(image, initrd, append, qemu='qemu-system-aarch64',
                       smp=1, memory='256M', extra=()):
    """Argument list booting the Linux @image with @initrd and kernel
    command line @append on bare QEMU, console on stdio."""
    return [qemu, '-M', BARE_MACHINE, '-cpu', CPU, '-m', str(memory),
            '-smp', str(smp), '-nographic', '-no-reboot', '-nic', 'none',
            '-semihosting-config', 'enable=off',
            '-kernel', str(image), '-initrd', str(initrd),
            '-append', append] + list(extra)
# The network uplink (issue 16, services/vnet): a virtio-net device on
# virt's virtio-mmio transport 23 (0x0a002e00, INTID 71, the page
# 0x0a002000 the vnet driver domain is given), modern (virtio 1.2 §4.2.2:
# QEMU 7.2 defaults to the legacy transport), on QEMU's user network with
# restrict=on: nothing leaves this machine. The host is reached only
# through the forwarding rules, each bound to 127.0.0.1 (README: The
# network). No DNS server is given to the guests.
NET_SLOT = 23
NET_ID = 'net0'
NET_MODERN = MODERN_VIRTIO
# Where a guest reaches a guestfwd rule: an address of the user network
# that nothing else uses (10.0.2.2 is the gateway, .3 the DNS, .15 the
# address hostfwd rules forward to).
GUESTFWD_ADDR = '10.0.2.100'
LOOPBACK = '127.0.0.1'
_PORT = re.compile(r'^\d{1,5}$')


class NetRuleError(ValueError):
    """A malformed forwarding rule; the message says which and why."""


def _port(text, what):
    if not _PORT.match(text) or not 0 < int(text) < 65536:
        raise NetRuleError('%s: %r is not a TCP port (1-65535)' % (what, text))
    return int(text)


def hostfwd_rule(rule):
    """'HOSTPORT-GUESTPORT' -> QEMU's hostfwd=tcp:127.0.0.1:HOSTPORT-:GUESTPORT.
    Always 127.0.0.1: without an address QEMU listens on every interface."""
    host, dash, guest = rule.partition('-')
    if not dash:
        raise NetRuleError("hostfwd rule %r: HOSTPORT-GUESTPORT" % rule)
    return 'hostfwd=tcp:%s:%d-:%d' % (LOOPBACK, _port(host, 'hostfwd host port'),
                                      _port(guest, 'hostfwd guest port'))


def guestfwd_rule(rule):
    """'PORT-HOSTPORT' -> guestfwd=tcp:10.0.2.100:PORT-tcp:127.0.0.1:HOSTPORT
    (one stream QEMU opens when it starts: it refuses to start if nothing
    listens on 127.0.0.1:HOSTPORT); 'PORT-cmd:COMMAND' -> the cmd: form
    (QEMU runs COMMAND for each connection, its stdin/stdout the stream)."""
    port, dash, target = rule.partition('-')
    if not dash:
        raise NetRuleError("guestfwd rule %r: PORT-HOSTPORT or PORT-cmd:COMMAND"
                           % rule)
    guest = 'guestfwd=tcp:%s:%d-' % (GUESTFWD_ADDR, _port(port, 'guestfwd port'))
    if target.startswith('cmd:'):
        if not target[len('cmd:'):].strip():
            raise NetRuleError('guestfwd rule %r: an empty command' % rule)
        # QEMU's option syntax: a ',' inside a value is written ',,'.
        return guest + target.replace(',', ',,')
    return guest + 'tcp:%s:%d' % (LOOPBACK, _port(target, 'guestfwd host port'))


def net_args(hostfwd=(), guestfwd=()):
    """QEMU arguments giving the board the uplink: @hostfwd rules
    'HOSTPORT-GUESTPORT', @guestfwd rules 'PORT-HOSTPORT' or
    'PORT-cmd:COMMAND' (hostfwd_rule(), guestfwd_rule())."""
    netdev = ['user', 'id=' + NET_ID, 'restrict=on']
    netdev += [hostfwd_rule(r) for r in hostfwd]
    netdev += [guestfwd_rule(r) for r in guestfwd]
    return NET_MODERN + ['-netdev', ','.join(netdev), '-device',
                         'virtio-net-device,netdev=%s,bus=virtio-mmio-bus.%d'
                         % (NET_ID, NET_SLOT)]


# TCP state LISTEN in /proc/net/tcp (include/net/tcp_states.h).
TCP_LISTEN = '0A'


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on now, for a private gdb
    stub (-gdb tcp:127.0.0.1:PORT): a fixed port could reach another QEMU."""
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def gdb_stub_args(port):
    """QEMU arguments: a gdb stub on 127.0.0.1:port, CPUs halted until gdb
    continues them."""
    return ['-gdb', 'tcp:127.0.0.1:%d' % port, '-S']


def listening(port):
    """True once a socket listens on 127.0.0.1:port. Probing by connecting
    would not do: QEMU resumes the guest when a gdb client disconnects."""
    with open('/proc/net/tcp') as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if int(fields[1].split(':')[1], 16) == port and fields[3] == TCP_LISTEN:
                return True
    return False


def gdb_hint(elf):
    return ("gdb-multiarch %s -ex 'target remote :%d'"
            % (shlex.quote(str(elf)), GDB_PORT))


# The kernel's line for a guest that ended with HYP_CALL_EXIT
# (kernel/core/vm.c, vm_stop). Only the kernel's lines begin with "hyp: ":
# a guest's always carry its "[name] " tag (docs/architecture.md, the
# console), so no guest can forge one.
EXIT_LINE = re.compile(rb"hyp: vm '[^']+' exited with status (\d+)\r?\Z")
# The kernel's line for a VM reset (kernel/core/vm.c, vm_reset): PSCI
# SYSTEM_RESET, which Linux calls when it panics with panic=-1 (the linux
# scenario's bootargs) as well as for `reboot`.
RESET_LINE = re.compile(
    rb"hyp: vm '([^']+)' reset \(PSCI SYSTEM_RESET, reset #(\d+)\)\r?\Z")
# The end of a shell prompt ("/ # ", "$ ") on the console's last line: when
# piped input may be sent to the guest.
PROMPT = re.compile(rb'[#$] $')
# Bytes of the console's incomplete last line kept to find the lines above
# (the longest is ~80 bytes); a longer line is never matched.
TAIL_KEEP = 4096
# run()'s status when a VM reset while piped input still waited for its
# first prompt: the boot failed (QEMU stopped by the runner).
BOOT_FAILED = 1


def exit_status(qemu_status, statuses):
    """What `scons qemu=1` exits with: the first non-zero status a guest
    exited with (HYP_CALL_EXIT; a test suite failing in one VM is never
    hidden by another VM's later status), else QEMU's (1 when the kernel
    stopped a guest after a fault or because its service died, or
    panicked: pvpanic). Guests that all exited 0 while QEMU failed
    (another VM was stopped) give 1."""
    failed = [s for s in statuses if s != 0]
    if failed:
        return failed[0]
    if qemu_status < 0:  # killed by a signal
        return 128 - qemu_status
    return qemu_status


class _Console:
    """QEMU's console output on its way to @out: exit lines and prompts.

    Each chunk is split into lines first; only a complete line seen from
    its first byte is matched. The incomplete last line is kept (at most
    TAIL_KEEP bytes): once it grows past that, its start is gone and it is
    never matched, so a long guest line cannot be cut into what looks like
    the start of a kernel line."""

    def __init__(self, out):
        self.out = out
        # The last TAIL_KEEP bytes of the incomplete last line: prompts.
        self.tail = b''
        # The incomplete last line from its first byte; None once it grew
        # past TAIL_KEEP (its start was dropped).
        self.line = b''
        self.statuses = []
        self.resets = []  # (vm, reset number), in order

    def feed(self, data):
        os.write(self.out, data)
        lines = data.split(b'\n')
        for part in lines[:-1]:
            self._line_ends(part)
        self._line_grows(lines[-1])
        if len(lines) > 1:
            self.tail = b''
        self.tail = (self.tail + lines[-1])[-TAIL_KEEP:]

    def _line_ends(self, part):
        if self.line is not None:
            m = EXIT_LINE.match(self.line + part)
            if m:
                self.statuses.append(int(m.group(1)))
            m = RESET_LINE.match(self.line + part)
            if m:
                self.resets.append((m.group(1).decode(errors='replace'),
                                    int(m.group(2))))
        self.line = b''

    def _line_grows(self, part):
        if self.line is not None:
            self.line += part
            if len(self.line) > TAIL_KEEP:
                self.line = None

    def at_prompt(self):
        return PROMPT.search(self.tail) is not None


def run(cmd, stdin=0, stdout=1):
    """Run QEMU (@cmd from cmdline()) with its console on @stdout and
    return exit_status(). From a terminal @stdin goes to QEMU as it is;
    from a pipe or file it is held and sent one line at a time, each when
    the console shows a shell prompt: input that arrives while the guest
    is still booting could be lost (bytes that reach the UART before the
    guest's driver is up; a shell that flushes typed-ahead input). When
    the input ends the guest just runs on.

    A VM reset (PSCI SYSTEM_RESET) while piped input still waits for the
    first prompt is a failed boot: a Linux that panics at boot with
    panic=-1 resets and boots again for ever, which would hold a CI job
    until its time limit. QEMU is stopped, one "error:" line written, and
    BOOT_FAILED returned. Without input waiting (none piped, or a prompt
    seen) a reset is the guest's business."""
    tty = os.isatty(stdin)
    proc = subprocess.Popen(cmd, stdin=stdin if tty else subprocess.PIPE,
                            stdout=subprocess.PIPE)
    console = _Console(stdout)
    out = proc.stdout.fileno()
    watch = [out] if tty or not _is_open(stdin) else [out, stdin]
    held = b''
    prompted = False
    while True:
        if b'\n' in held and console.at_prompt():
            line, held = held.split(b'\n', 1)
            proc.stdin.write(line + b'\n')
            proc.stdin.flush()
            console.tail = b''  # the next line waits for the next prompt
            prompted = True
        waiting = not tty and not prompted and (held or stdin in watch)
        if waiting and console.resets:
            return _boot_failed(proc, console, stdout)
        ready, _, _ = select.select(watch, [], [])
        if stdin in ready:
            data = os.read(stdin, 65536)
            held += data
            if not data:  # the input ended: its last line, ended too
                watch.remove(stdin)
                held += b'\n' if held and not held.endswith(b'\n') else b''

        if out in ready:
            data = os.read(out, 65536)
            if not data:
                break
            console.feed(data)
    status = proc.wait()
    if proc.stdin:
        proc.stdin.close()
    return exit_status(status, console.statuses)


def _boot_failed(proc, console, stdout):
    """Stop QEMU after a reset before the first prompt; one line says why."""
    proc.terminate()
    proc.wait()
    if proc.stdin:
        proc.stdin.close()
    vm, number = console.resets[0]
    os.write(stdout, ("%serror: vm '%s' reset (reset #%d) before a shell prompt: "
                      "its boot failed (a kernel panic with panic=-1 resets); "
                      "QEMU stopped, the piped input not sent\n"
                      % ('\n' if console.tail else '', vm, number)).encode())
    return BOOT_FAILED


def _is_open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False

def untag(text, vm):
    """@vm's console output as it printed it: its "[vm] " tags taken off
    (at line starts and after a carriage return), and where the kernel
    ended its line (SGR 0, CR LF) to print its own: the line joined again
    if @vm went on with it, else just ended. Take the kernel's lines out
    first."""
    tag = re.escape('[%s] ' % vm)
    # (The pty QEMU writes to turns each \n into \r\n.) The kernel's break
    # and the service's own when it starts the line again (out_restart) may
    # both come before the tag.
    text = re.sub(r'(?:\x1b\[0m\r+\n)+%s' % tag, '', text)
    text = re.sub(r'\x1b\[0m(\r+\n)', r'\1', text)
    return re.sub(r'(?m)(^|\r)%s' % tag, r'\1', text)


def vm_output(text, vm):
    """Everything @vm printed, in order, as one string: its console lines
    with their tags taken off and joined with nothing between them. The
    console ends a VM's line wherever another VM's or the kernel's output
    comes in (services/uart/console.c, end_line()), so one line of a VM
    can arrive in pieces with other lines between them; joined, a pattern
    that does not cross the VM's own line ends matches however it was cut.
    Only lines under @vm's tag count, so nothing another VM prints can
    match (no line anchors needed against forgery)."""
    tag = '[%s] ' % vm
    parts = []
    for line in re.split(r'\r*\n', text):
        line = line.lstrip('\r')
        if line.startswith(tag):
            parts.append(untag(line, vm).replace('\x1b[0m', '').rstrip('\r'))
    return ''.join(parts)
