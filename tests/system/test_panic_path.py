"""The panic path itself (review h9review): a failure power-off that
cannot reach the pvpanic device must still end the machine."""
import re

# QEMU virt without highmem=off: the PCIe ECAM moves above 4 GiB and the
# platform's pci_ecam_base (0x3f000000) is unbacked, so the pvpanic probe
# takes a synchronous external abort at EL2.
MACHINE_HIGH_ECAM = 'virt,virtualization=on,gic-version=2'


def test_panic_whose_pvpanic_probe_faults_powers_off_once(boot):
    """REVIEW h9review: FAILED BEFORE THE FIX. The EL2 abort in
    platform_power_off_failure() panicked again, which called
    platform_power_off_failure() again: an endless recursion, each level a
    new exception frame, until the stack ran through cpu_table and the rest
    of the kernel image; QEMU never exited."""
    m = boot('test-bounds', machine=MACHINE_HIGH_ECAM)
    m.wait_exit()
    out = m.output()
    assert re.search(r"PANIC: scenario 'bounds': vm 'hello': vcpu_count 9",
                     out), out
    assert out.count('exception at EL2') <= 1, out[:4000]
    assert 'the failure status is lost' in out, out[:4000]
