"""SMP: the kernel on every physical CPU, guests with several vCPUs (PSCI
CPU_ON/CPU_OFF/AFFINITY_INFO/CPU_SUSPEND, per-vCPU MPIDR) and virtual IPIs
between vCPUs on different physical CPUs."""
import re

import pytest

from conftest import run_guest_test

# guests/tests/smp.c: ping-pong rounds, each a wait in WFI on both vCPUs.
ROUNDS = 10000


@pytest.mark.parametrize('smp', [1, 2, 4])
def test_vcpus_start_and_exchange_ipis(boot, smp):
    """10,000 SGI ping-pong rounds with none lost, both vCPUs hammering the
    distributor service at once, CPU_OFF and a second CPU_ON: with the two
    vCPUs on one physical CPU (time-shared) and on two."""
    m = run_guest_test(boot, 'test-smp', smp=smp)
    out = m.output()
    assert '%d physical CPU(s)' % smp in out
    assert 'smp: 10000 SGI ping-pong rounds, none lost' in out
    assert 'each saw its own bank' in out
    assert 'smp: vcpu 1 restarted and stopped again' in out
    if smp >= 2:
        # The two vCPUs really ran on different physical CPUs.
        assert "vm 'test' vcpu 0 runs on cpu 0" in out
        assert "vm 'test' vcpu 1 runs on cpu 1" in out
    for cpu in range(1, smp):
        assert re.search(r'cpu %d online \(MPIDR 0x%x' % (cpu, cpu), out)
    exits = re.search(r"hyp: vm 'test' exits: \d+ MMIO, \d+ HVC/SMC, (\d+) WFI/WFE", out)
    assert exits, out
    if smp == 1:
        # Time-shared: every wait is the kernel's (WFI traps and blocks,
        # so that the other vCPU runs).
        assert int(exits.group(1)) >= ROUNDS, exits.group(0)
    else:
        # Alone on its CPU, each vCPU waits in WFI in hardware and the
        # SGI's kick ends it: no exit per wait (before: about 20,000).
        assert int(exits.group(1)) < ROUNDS // 10, exits.group(0)
