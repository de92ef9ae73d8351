"""Issue 16: memory grants and DMA translation (configs/grant).

The test service (services/grantsvc) translates its own RAM and its grant
of the guest's RAM with HYP_IPC_TRANSLATE (IPAs outside are refused) and
finds the grant with HYP_IPC_GRANT_INFO; it sums and inverts a buffer the
guest (guests/tests/grant.c) wrote in the granted RAM; touching the byte
past the grant faults it, the kernel restarts it (twice: the access is sent
again) and the restarted service still reaches the grant. The guest may not
translate. A grant of a guest the service does not serve is refused by
cfgcheck (tests/host/test_config.c, rule G2).
"""
from conftest import run_guest_test

GRANT_IPA = 0x100000000
GRANT_SIZE = 0x10000


def test_service_reaches_only_its_ram_and_its_grant(boot):
    m = run_guest_test(boot, 'test-grant')
    out = m.output()
    assert '[grantsvc] check failed' not in out
    assert ("vm 'grantsvc': RAM of 'test' [0x40800000, +0x10000) granted "
            "at IPA 0x100000000") in out
    assert '[grantsvc] own RAM at IPA 0x20000000 is PA 0x' in out
    assert '[grantsvc] grant of VM 1 [0x40800000, +0x10000) at IPA 0x100000000 is PA 0x' in out
    # The byte past the grant is not mapped: a fault at exactly that
    # address, a restart, the same when the access is sent again.
    past = 'FAR_EL1 0x%x' % (GRANT_IPA + GRANT_SIZE)
    assert out.count("service 'grantsvc' faulted") == 2, out
    assert out.count(past) == 2, out
    assert "service 'grantsvc' restarted from its image (restart 2 of" in out
    assert 'still reaches the grant' in out
