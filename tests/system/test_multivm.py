"""Two VMs on one machine (scenario linux-two): Debian Linux and the
bare-metal console guest, each with its own RAM, VMID, GIC distributor and
PL011, all on one physical console. The UART service tags every line with
the VM that printed it and switches console input between the VMs with
Ctrl-] 1 / Ctrl-] 2."""
import re

from conftest import shell, vm_output

ESCAPE = '\x1d'
PROMPT = r'\[linux\] / # '
VMID = re.compile(r"vm '(\w+)' \((?:guest|service)\): .* VMID (\d+)")


def focus(m, key, name, window):
    m.child.send(ESCAPE + key)
    m.expect(r"\[uart\] uart: console input goes to '%s' \(window %d of 2"
             % (name, window))


def test_two_vms_share_the_console_with_tagged_output_and_switched_input(boot):
    m = boot('linux-two', smp=2, timeout_scale=3)
    # The two VMs boot side by side, so their lines come in either order
    # (CI once saw Linux's first line before the console guest's "ready"):
    # wait for Linux's prompt, the last line of the boot, then find each
    # VM's lines in that VM's own output.
    m.expect(PROMPT)
    m.expect_vm('uart', r'uart: serving 2 PL011 window\(s\), state kept across '
                r'restarts, output tagged per VM')
    m.expect_vm('uart', r"uart: console input goes to 'linux' \(window 1 of 2")
    # Stage 2 keeps the console guest out of Linux's RAM range.
    m.expect_vm('console', r"console: (\d+) probes of Linux's RAM range aborted")
    m.expect_vm('console', r'console: ready for input')
    m.expect_vm('linux', r'\[ *[\d.]+\] Booting Linux on physical CPU')
    m.expect_vm('linux', r'tinyhyp: busybox shell on Linux 6\.1')

    # Distinct VMIDs: each VM has its own Stage-2 translation regime.
    vmids = dict(VMID.findall(m.output()))
    assert set(vmids) == {'vgic', 'uart', 'pl031', 'linux', 'console'}, vmids
    assert len(set(vmids.values())) == len(vmids), vmids

    # Every Linux line is tagged; no untagged Linux output slips through.
    boot_log = m.output()
    # Linux's lines, tagged (vm_output() joins the pieces of a line another
    # VM's output cut: CI once saw the console guest's line cut this one).
    assert re.search(r'\[ *[\d.]+\] Linux version 6\.1', vm_output(boot_log, 'linux'))
    assert not re.search(r'^\[ *[\d.]+\] ', boot_log, re.M)

    assert 'linux-42-first' in shell(m, 'echo linux-$((40+2))-first', 'A', prompt=PROMPT)

    # Input to the console guest: Linux does not see it.
    focus(m, '2', 'console', 2)
    m.child.send('hello vm two\r')
    m.expect(r"\[console\] console: you typed 'hello vm two'")
    focus(m, 'n', 'linux', 1)
    out = shell(m, 'echo back-$((40+2))', 'B', prompt=PROMPT)
    assert 'back-42' in out
    assert 'hello' not in out and 'not found' not in out, out

    # Ctrl-] ? lists the windows; an unknown command is dropped.
    m.child.send(ESCAPE + '?')
    m.expect(r"uart:   window 1: 'linux' \(input\)")
    m.expect(r"uart:   window 2: 'console'")
    m.child.send(ESCAPE + 'z')
    assert 'alive-42' in shell(m, 'echo alive-$((40+2))', 'C', prompt=PROMPT)

    # Linux powers off; the console guest runs on, still answering.
    m.child.sendline('poweroff')
    m.expect(r"hyp: vm 'linux' powered off \(PSCI SYSTEM_OFF\)")
    focus(m, '2', 'console', 2)
    m.child.send('still here\r')
    m.expect(r"\[console\] console: you typed 'still here'")
    assert 'no guest left running' not in m.output()
    m.kill()
