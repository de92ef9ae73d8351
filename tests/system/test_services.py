"""System tests of IPC, service partitions and MMIO emulation."""
from conftest import run_guest_test


def test_guest_uses_virtual_pl011_through_the_uart_service(boot):
    """FR/CR/IMSC/RIS/MIS/ICR and ID registers, LDP/writeback/register
    offset/signed loads (ISV=0), a service-refused 64-bit access and a
    window nobody owns: all checked inside the guest, which also prints
    with plain stores to DR."""
    m = run_guest_test(boot, 'test-mmio')
    out = m.output()
    # Printed by the guest with str to DR, emulated by the UART service,
    # which tags it as the kernel tags the debug console (the guest checks
    # the service's transmit count: the bytes went through the PL011).
    assert '\n[test] MMIO: hello through the UART service\r' in out
    # The access to the window nobody owns is logged as an injected abort.
    assert "data write at IPA 0x9100000" in out
    assert 'hyp: error' not in out


def test_service_cannot_reach_guest_memory(boot):
    """A service sees only its own RAM: every 2 MiB of physical RAM used as
    an IPA aborts, the kernel won't read guest memory for it, and its fault
    handler can still read its own ESR_EL1/FAR_EL1 (emulated under TRVM)."""
    m = boot('test-isolation')
    m.expect(r'\[probe\] probe: (\d+) IPAs outside its RAM all abort')
    m.expect(r'\[probe\] PROBE RESULT: PASS')
    m.expect(r'\[test\] TEST RESULT: PASS')
    m.expect(r"vm 'test' powered off")
    assert m.wait_exit() == 0
    out = m.output()
    assert 'TEST CHECK FAILED' not in out
    assert 'S3_0_C5_C2_0' not in out   # ESR_EL1 reads are not refused


def test_faulting_service_is_restarted_and_its_guest_goes_on(boot):
    """The kernel reports a service's fault, restarts it from its image and
    sends it the access in flight again: an access that crashes the
    restarted service too aborts in the guest (three poison writes, six
    restarts, and a hang twice); one that crashed it once completes, and
    the service's kept RAM survives. An instruction fetch outside its RAM
    is never delivered to the service (its vectors may be gone), and a service
    looping with no request in flight is stopped too: the guest sharing
    its CPU goes on."""
    m = boot('test-svcfault')
    for n in (1, 2, 3):
        # The poison write crashes the service, then again when resent.
        for restart in (2 * n - 1, 2 * n):
            m.expect(r"service 'echo' faulted: ESR_EL1 0x\w+ ELR_EL1 0x\w+ FAR_EL1 0x70000000")
            m.expect(r"service 'echo' restarted from its image \(restart %d of at most \d+\)" % restart)
    m.expect(r'\[test\] svcfault: service crashed 3 times, restarted each time')
    for restart in (7, 8):
        m.expect(r"service 'echo' did not answer within 1000 ms")
        m.expect(r"service 'echo' restarted from its image \(restart %d of at most \d+\)" % restart)
    m.expect(r'\[test\] svcfault: hung service restarted after its reply deadline')
    # A BRK (EC 0x3c) inside the service: its own vectors report it.
    m.expect(r"service 'echo' faulted: ESR_EL1 0xf2000000 ELR_EL1 0x\w+ FAR_EL1 0x\w+")
    m.expect(r"service 'echo' restarted from its image \(restart 9 of at most \d+\)")
    m.expect(r'\[test\] svcfault: transient crash survived, kept RAM survived the restart')
    for restart in (10, 11):
        # The BRK's vector: VBAR_EL1 + 0x200 (current EL, SP_ELx, sync).
        m.expect(r"service 'echo' faulted: an instruction fetch outside its "
                 r"RAM at IPA 0x70000200")
        m.expect(r"service 'echo' restarted from its image \(restart %d of at most \d+\)" % restart)
    m.expect(r'\[test\] svcfault: service without vectors restarted')
    m.expect(r"service 'echo' ran 1000 ms without waiting for work")
    m.expect(r"service 'echo' restarted from its image \(restart 12 of at most \d+\)")
    m.expect(r'\[test\] svcfault: looping service restarted, guest went on')
    m.expect(r'\[test\] TEST RESULT: PASS')
    out = m.output()
    # No fetch abort was injected into the service (its VBAR was gone),
    # and the only deadlines missed are those of the hang.
    assert 'instruction fetch at IPA' not in out
    assert out.count('did not answer within') == 2
    assert m.wait_exit() == 0
