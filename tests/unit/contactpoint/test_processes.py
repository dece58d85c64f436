"""``contactpoint up`` starts a stopped service again unless it keeps stopping: a rate of restarts, not a lifetime's count."""
from __future__ import annotations

from contactpoint.processes import Restarts


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_service_that_stops_now_and_then_is_started_again_each_time():
    clock = Clock()
    restarts = Restarts(limit=5, window=60, clock=clock)

    allowed = []
    for _ in range(20):  # once every 15 minutes for five hours
        allowed.append(restarts.allow())
        clock.now += 15 * 60

    assert all(allowed)


def test_a_service_that_keeps_stopping_is_not_started_again_past_the_limit_within_the_window():
    clock = Clock()
    restarts = Restarts(limit=5, window=60, clock=clock)

    allowed = []
    for _ in range(6):
        allowed.append(restarts.allow())
        clock.now += 5

    assert allowed == [True] * 5 + [False]


def test_restarts_older_than_the_window_no_longer_count():
    clock = Clock()
    restarts = Restarts(limit=2, window=60, clock=clock)
    assert restarts.allow() and restarts.allow()
    assert not restarts.allow()

    clock.now = 60

    assert restarts.allow()
    assert restarts.allow()
    assert not restarts.allow()
