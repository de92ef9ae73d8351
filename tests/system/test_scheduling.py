"""System test of time slicing with the EL2 timer (CNTHP)."""


def test_busy_guests_share_the_cpu_by_time_slices(boot):
    """Two guests that never wait: only the scheduling tick can let the
    second run before the first finishes."""
    m = boot('test-spin-two')
    m.expect(r'\[(one|two)\] TEST RESULT: PASS')
    m.expect(r'\[(one|two)\] TEST RESULT: PASS')
    assert m.wait_exit() == 0
    out = m.output()
    first_two = out.index('[two] spin step 1')
    last_one = out.index('[one] spin step 10')
    assert first_two < last_one, 'guest two only ran after guest one finished'
    # And they keep alternating, not just once.
    assert out.index('[one] spin step 5') < out.index('[two] spin step 9')
    assert out.index('[two] spin step 5') < out.index('[one] spin step 9')
