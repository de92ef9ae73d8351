"""System tests of guest-visible architecture the kernel must preserve when
it emulates an instruction: AArch32 EL0 code (instruction length, ITSTATE,
no A64 decoding of AArch32 code, no read past the guest's page) and
single-step (PSTATE.SS after an emulated instruction)."""
import re

from conftest import run_guest_test


def test_aarch32_el0_mmio_and_trapped_instructions(boot):
    m = run_guest_test(boot, 'test-aarch32')
    out = m.output()
    # LDRD and LDM have no syndrome: aborted, not decoded as A64.
    assert 'AArch32 access without syndrome; external abort injected' in out
    assert 'instruction fetch' not in out
    # The 16-bit WFI trapped (its timer's interrupt, which the guest does
    # not take, is masked, so its WFI is watched: hyp/vtimer.h) and the
    # kernel skipped it: not the PE's own WFI.
    exits = re.search(r"hyp: vm 'test' exits: \d+ MMIO, \d+ HVC/SMC, (\d+) WFI/WFE", out)
    assert exits and int(exits.group(1)) >= 1, out


def test_single_step_over_emulated_instructions(boot):
    m = run_guest_test(boot, 'test-step')
    assert 'step ldr (MMIO, fast path): 1 exception(s)' in m.output()
