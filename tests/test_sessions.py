"""A session's queue on its own: clients called at their slot, the reception desk, walk-ins in between."""

from __future__ import annotations

import math

import pytest
import simpy

from sim.model.sessions import ServiceQueue, check_in, counsellor, walkin_arrivals


class Monitor:
    """Stands in for the monitor: records who was called when, and the queue's area."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, float, bool]] = []  # (arrival, start, walk-in)
        self.area = 0.0

    def served(self, arrival, now, office, service_min, documentation_min, walkin) -> None:
        self.calls.append((arrival, now, walkin))

    def queue_area(self, since, now, waiting) -> None:
        self.area += waiting * (now - since)

    def walkin_balked(self, arrival) -> None:
        pass

    def walkin_reneged(self, arrival) -> None:
        pass


def session(booked=(), walkins=(), clerks=0, checkin_min=0.0, counsellors=1, opens_at=0.0):
    """Run one session: booked (arrival, slot minute, service minutes), walk-ins (arrival, service minutes)."""
    env, monitor = simpy.Environment(), Monitor()
    ready_booked, ready_walkins = check_in(
        list(booked), [(arrival, service, math.inf) for arrival, service in walkins], clerks, lambda: checkin_min
    )
    queue = ServiceQueue(env, monitor, 0, ready_booked)
    queue.open_arrival_streams = 1
    for _ in range(counsellors):
        env.process(counsellor(queue, 0.0, opens_at))
    env.process(walkin_arrivals(queue, ready_walkins, None))
    env.run()
    return monitor


def test_an_early_client_is_called_at_the_slot_and_a_late_one_at_once():
    assert session([(20.0, 30.0, 10.0), (50.0, 45.0, 10.0)]).calls == [(20.0, 30.0, False), (50.0, 50.0, False)]


def test_clients_who_come_before_the_opening_wait_for_it():
    assert session([(0.0, 60.0, 10.0)], opens_at=60.0).calls == [(0.0, 60.0, False)]


def test_the_earliest_slot_is_called_first_whoever_came_first():
    calls = session([(0.0, 40.0, 5.0), (10.0, 20.0, 5.0)]).calls
    assert calls == [(10.0, 20.0, False), (0.0, 40.0, False)]


def test_a_walk_in_is_seen_while_no_booked_client_is_due():
    calls = session([(5.0, 30.0, 10.0)], [(0.0, 10.0)]).calls
    assert calls == [(0.0, 0.0, True), (5.0, 30.0, False)]


def test_idle_counsellors_are_woken_for_each_booked_client_in_turn():
    """Three counsellors idle; clients due at 10 and 20: the second is called at 20, not when
    the first one's counsellor is free again."""
    calls = session([(0.0, 10.0, 30.0), (0.0, 20.0, 30.0)], counsellors=3).calls
    assert [start for _, start, _ in calls] == [10.0, 20.0]


def test_reception_clerks_check_in_first_come_first_served():
    """Two clerks, 3 minutes per check-in: of three who come together, the third waits for a clerk."""
    monitor = session([(0.0, 0.0, 1.0)] * 3, clerks=2, checkin_min=3.0, counsellors=3)
    assert sorted(start for _, start, _ in monitor.calls) == [3.0, 3.0, 6.0]
    assert monitor.area == pytest.approx(12.0)  # time on site before the call: 3 + 3 + 6 minutes


def test_a_walk_in_checks_in_between_booked_clients_in_order_of_arrival():
    booked, walkins = check_in([(0.0, 30.0, 10.0), (4.0, 30.0, 10.0)], [(2.0, 5.0, math.inf)], 1, lambda: 3.0)
    assert [ready for ready, *_ in booked] == [30.0, 30.0]
    assert walkins == [(6.0, (2.0, 5.0, math.inf))]  # after the first client (0-3), before the second (6-9)
