"""The politeness gate's arithmetic, on a fake clock (no sleeping, no sockets)."""

from __future__ import annotations

import pytest

from paper_catalogue.sources.politeness import MARGIN_FRACTION, MARGIN_S, WARM_UP_ANSWERS, Gate


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


SPACING = 1.0 * (1 + MARGIN_FRACTION) + MARGIN_S


def gate(clock: FakeClock) -> Gate:
    return Gate(1.0, exclusive=True, clock=clock, sleep=clock.sleep)


def test_starts_are_spaced_by_the_interval_plus_margin() -> None:
    clock = FakeClock()
    g = gate(clock)
    with g.slot():
        pass
    with g.slot():
        pass
    assert clock.slept == [pytest.approx(SPACING)]
    assert g.waited_s == pytest.approx(SPACING)


def test_a_late_send_pushes_the_next_start() -> None:
    clock = FakeClock()
    g = gate(clock)
    granted = clock.now
    with g.slot():
        clock.now += 0.3  # stalled between the grant and the send
        g.mark_sent()
    with g.slot():
        pass
    assert clock.now == pytest.approx(granted + 0.3 + SPACING)


def test_a_stall_after_the_send_is_bounded_by_the_fastest_answer_seen() -> None:
    clock = FakeClock()
    g = gate(clock)
    for _ in range(WARM_UP_ANSWERS + 1):  # normal requests answered in 20 ms teach the gate the network time
        with g.slot():
            sent = g.mark_sent()
            clock.now += 0.02
            g.mark_answered(sent)
        clock.now += 5.0
    start = clock.now
    with g.slot():  # this one stalls 400 ms in the HTTP library before the bytes leave
        sent = g.mark_sent()
        clock.now += 0.42
        g.mark_answered(sent)
    with g.slot():
        pass
    # The server got it no earlier than 400 ms after our send: the next start is spaced from there.
    assert clock.now == pytest.approx(start + 0.40 + SPACING)


def test_the_first_answers_are_spaced_from_the_answer_itself() -> None:
    clock = FakeClock()
    g = gate(clock)
    with g.slot():  # a first request on a new connection: the server may have read it only just now
        sent = g.mark_sent()
        clock.now += 0.2
        g.mark_answered(sent)
    answered = clock.now
    with g.slot():
        pass
    assert clock.now == pytest.approx(answered + SPACING)


def test_cache_hits_never_reach_the_gate_so_an_idle_gate_never_waits() -> None:
    clock = FakeClock()
    g = gate(clock)
    with g.slot():
        pass
    clock.now += 10.0
    with g.slot():
        pass
    assert clock.slept == [] and g.waited_s == 0.0
