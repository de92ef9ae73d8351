"""Device passthrough: a physical device frame and its SPI given to a guest
(configs/pl031pt). QEMU's PL031 RTC counts in virtual time (-rtc clock=vm
under -icount, sleep=off), so its alarms come after a deterministic number
of instructions and an idle machine jumps straight to them; the test waits
only on what the guests print."""

# QEMU's RTC clock: the virtual clock, which -icount makes instruction time.
RTC_VIRTUAL = ['-rtc', 'clock=vm']


def test_pl031_alarm_reaches_its_guest_once_per_alarm(boot):
    # The guest enables INTID 34 in its virtual distributor, sets two
    # alarms and takes each exactly once (no storm of the level line); then
    # it keeps the third one active, disables it and resets itself: after
    # the reset the still-asserted alarm must be delivered again, which it
    # can only be if the kernel deactivated the physical SPI at the reset.
    # The second guest, which has no window there, aborts on the frame.
    m = boot('test-pl031pt', icount=True, extra=RTC_VIRTUAL)
    # The two guests run side by side, neither waits for the other: their
    # verdicts come in either order. Each is found in its VM's own output.
    m.expect_vm('other', r'TEST RESULT: PASS')
    m.expect_vm('rtc', r'TEST RESULT: (PASS|FAIL)')
    m.expect(r'(?m)^hyp: no guest left running: powering off')
    assert m.wait_exit() == 0
    out = m.output()
    assert 'TEST CHECK FAILED' not in out, out
    assert '[rtc] TEST RESULT: PASS' in out, out
    assert '[rtc] pl031pt: alarm 1: 1 interrupt(s) in all' in out
    assert '[rtc] pl031pt: alarm 2: 2 interrupt(s) in all' in out
    assert "hyp: vm 'rtc' reset (PSCI SYSTEM_RESET" in out
    assert '[rtc] pl031pt: after reset, the held alarm arrives: 1' in out
    assert '[other] pl031probe: the passed-through RTC frame aborts here' in out
