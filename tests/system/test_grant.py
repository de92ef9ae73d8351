"""Issue 16: memory grants and DMA translation.

The test service (services/grantsvc) translates its own RAM with
HYP_IPC_TRANSLATE (an IPA outside is refused); the guest
(guests/tests/grant.c) may not translate at all.
"""
from conftest import run_guest_test


def test_service_translates_its_ram_and_guest_may_not(boot):
    m = run_guest_test(boot, 'test-grant')
    assert '[grantsvc] check failed' not in m.output()
    assert '[grantsvc] own RAM at IPA 0x20000000 is PA 0x' in m.output()
