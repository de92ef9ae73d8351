"""System tests of the foundation: boot, RAM, aborts, calls, WFI, traps."""
import os
import re
import struct

import pytest

from conftest import run_guest_test


def test_demo_boots_and_powers_off(boot):
    """What `scons qemu=1` shows: banner, guest output, QEMU exits."""
    m = boot('demo')
    m.expect(r'hyp: tinyhyp \S+: EL2 kernel starting')
    m.expect(r"scenario 'demo' on qemu-virt")
    m.expect(r'\[uart\] uart: serving 1 PL011 window')
    m.expect(r'Hello from a guest at EL1')
    m.expect(r'hypervisor ABI 2\.0, PSCI 1\.0')
    m.expect(r"hyp: vm 'hello' powered off \(PSCI SYSTEM_OFF\)")
    assert m.wait_exit() == 0


def test_kernel_refuses_to_run_below_el2(boot):
    """Without virtualization=on QEMU starts at EL1: a clear message, no boot.
    The check is the first thing the kernel does, so no kernel line (the
    banner, set-up) comes before the message; after it the CPU halts."""
    m = boot('demo', machine='virt,gic-version=2')
    m.expect(r'hyp: fatal: entered at an exception level other than EL2')
    assert 'hyp:' not in m.child.before, \
        'kernel printed before refusing to run:\n' + m.output()


def test_kernel_bounds_check_panics_and_qemu_exits_failure(boot):
    """A scenario linked without cfgcheck (test-bounds: 9 vCPUs, one more
    than a partition's array) meets the kernel's own boot check: one line
    naming the field, then QEMU exits 1 instead of hanging on a halted
    CPU."""
    m = boot('test-bounds')
    assert m.wait_exit() == 1
    out = m.output()
    assert re.search(r"(?m)^hyp: error: PANIC: scenario 'bounds': vm 'hello': "
                     r"vcpu_count 9 is not 1\.\.8\r*$", out), out
    assert 'Hello from a guest' not in out


def test_guest_reads_and_writes_its_ram(boot):
    run_guest_test(boot, 'test-mem')


# ELF64 (little endian): program header table fields, PT_LOAD.
ELF_PHOFF, ELF_PHENTSIZE, ELF_PHNUM = 0x20, 0x36, 0x38
PT_LOAD = 1
STALE_BLOCK = 2 << 20
STALE_BYTES = 64 << 20
STALE_BYTE = 0xa5
# The board of hypqemu.cmdline(): virt's RAM base, -m 1G.
RAM_BASE = 0x40000000
RAM_BYTES = 1 << 30


def image_end(elf):
    """Highest physical address the kernel image's segments occupy."""
    with open(elf, 'rb') as f:
        data = f.read()
    phoff, = struct.unpack_from('<Q', data, ELF_PHOFF)
    phentsize, = struct.unpack_from('<H', data, ELF_PHENTSIZE)
    phnum, = struct.unpack_from('<H', data, ELF_PHNUM)
    end = 0
    for i in range(phnum):
        p_type, _, _, _, paddr, _, memsz, _ = struct.unpack_from(
            '<IIQQQQQQ', data, phoff + i * phentsize)
        if p_type == PT_LOAD:
            end = max(end, paddr + memsz)
    return end


def test_guest_ram_is_zero_over_stale_memory(boot, request, tmp_path):
    """RAM as a previous boot leaves it: QEMU's loader fills 64 MiB above
    the kernel image, where the partitions' RAM comes from, with 0xa5
    before the kernel starts. The guest still finds every page of its RAM
    zero (test-mem), and touches it all: the kernel zeroes a guest's RAM a
    2 MiB block at a time when first touched (vm_ram.c), a service's at
    boot. Without any zeroing the guest reads 0xa5 and fails."""
    elf = os.path.join(request.config.getoption('--build'), 'scenarios',
                       'test-mem', 'hyp.elf')
    # Both ends of the pool: large runs (RAM) come from its bottom, small
    # ones (tables) from its top; either way a partition's RAM is stale.
    bottom = -(-image_end(elf) // STALE_BLOCK) * STALE_BLOCK
    top = RAM_BASE + RAM_BYTES - STALE_BYTES
    stale = tmp_path / 'stale.bin'
    stale.write_bytes(bytes([STALE_BYTE]) * STALE_BYTES)
    extra = []
    for at in (bottom, top):
        extra += ['-device', 'loader,file=%s,addr=0x%x' % (stale, at)]
    run_guest_test(boot, 'test-mem', extra=extra)


def test_access_outside_ram_injects_abort_and_kernel_lives(boot):
    m = run_guest_test(boot, 'test-abort')
    out = m.output()
    assert '1005 injected aborts handled' in out
    # Logged once per kind, not once per fault.
    assert len(re.findall(r'data read at IPA 0x50000000', out)) == 1
    assert out.count('external abort injected') == 2


def test_unknown_hvc_smc_return_not_supported(boot):
    run_guest_test(boot, 'test-hvc')


def test_undefined_and_trapped_sysregs_reflect_undef(boot):
    m = run_guest_test(boot, 'test-undef')
    assert 'undefined instruction injected' in m.output()


@pytest.mark.parametrize('smp', [1, 4])
def test_wfi_sleeps_without_spinning_the_host(boot, smp):
    """With -smp 4, three CPUs have nothing to run at all: they must sleep
    too (the 0.5 bound is for all four together)."""
    m = boot('test-wfi', smp=smp)
    m.expect(r'WFI SLEEP START')
    cpu0 = m.cpu_seconds()
    end = m.expect(r'WFI SLEEP END: (\d+) ms, (\d+) wake-ups')
    cpu1 = m.cpu_seconds()
    slept_ms = int(end.group(1))
    assert slept_ms >= 2000
    # A spinning WFI would burn a whole host core for the 2 s.
    assert cpu1 - cpu0 < 0.5 * slept_ms / 1000, \
        'QEMU used %.2f s of CPU during a %d ms WFI' % (cpu1 - cpu0, slept_ms)
    m.expect(r'TEST RESULT: PASS')
    assert m.wait_exit() == 0


def test_system_reset_restarts_vm_from_pristine_image(boot):
    m = boot('test-reset')
    m.expect(r'reset: boot with pristine state')
    m.expect(r"vm 'test' reset \(PSCI SYSTEM_RESET, reset #1\)")
    m.expect(r'reset: boot with pristine state')
    m.expect(r"vm 'test' reset \(PSCI SYSTEM_RESET, reset #2\)")
    assert 'TEST CHECK FAILED' not in m.output()
    assert 'SYSTEM_RESET returned' not in m.output()
