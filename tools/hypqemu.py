"""The one place that knows how to start QEMU for a scenario image.

Used by SConstruct (scons qemu=1, scons bench) and by the system tests, so
what a developer runs and what the tests run are the same machine.
"""
import shlex

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
