"""Tours of a mobile office: visit counts, OR-Tools routes against brute force, spread, times, errors."""

import itertools
import sys

import numpy as np
import pytest

from sim.district.tours import TourError, Visit, generate_tour, route_minutes, visits_per_cycle

TUE, THU = 1, 3


@pytest.fixture
def ortools():
    """The tests that solve need OR-Tools (an optional dependency)."""
    return pytest.importorskip("ortools")


def drive_matrix(xy: list[tuple[float, float]], km_per_min: float = 1.0) -> np.ndarray:
    """Straight-line driving minutes between points (km) at a constant speed."""
    points = np.asarray(xy, dtype=float)
    return np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1)) / km_per_min


def total_driving(depot: int, tour: list[Visit], drive: np.ndarray) -> float:
    """Driving of all days of a tour."""
    by_day: dict[int, list[Visit]] = {}
    for visit in tour:
        by_day.setdefault(visit.day, []).append(visit)
    return sum(route_minutes(depot, day, drive) for day in by_day.values())


def brute_force(depot: int, stops: list[int], n_days: int, per_day: int, drive: np.ndarray) -> float:
    """Least driving over every assignment of stops to days (at most per_day each) and every order."""
    best = np.inf
    for assignment in itertools.product(range(n_days), repeat=len(stops)):
        groups = [[s for s, d in zip(stops, assignment) if d == day] for day in range(n_days)]
        if any(len(group) > per_day for group in groups):
            continue
        total = 0.0
        for group in groups:
            total += min(
                sum(drive[a, b] for a, b in zip((depot, *order), (*order, depot)))
                for order in itertools.permutations(group)
            )
        best = min(best, total)
    return best


def check_times(tour: list[Visit], depot: int, drive: np.ndarray, stop_min: int, day_start: int, day_end: int) -> None:
    """Sessions start on 5 minutes, after the driving, and the vehicle is back by the end of the day."""
    for day in {v.day for v in tour}:
        route = [v for v in tour if v.day == day]
        assert [v.order for v in route] == list(range(len(route)))
        assert route[0].arrive_min >= day_start + drive[depot, route[0].stop]
        for prev, nxt in zip(route, route[1:]):
            assert nxt.arrive_min >= prev.depart_min + drive[prev.stop, nxt.stop]
        for v in route:
            assert v.arrive_min % 5 == 0 and v.depart_min == v.arrive_min + stop_min
        assert route[-1].depart_min + drive[route[-1].stop, depot] <= day_end


def test_small_case_is_the_brute_force_optimum(ortools):
    # depot at the origin, two stops east and two north: the best tour drives east one day, north the other
    drive = drive_matrix([(0, 0), (10, 0), (20, 0), (0, 10), (0, 20)])
    stops = [1, 3, 2, 4]
    tour = generate_tour(0, stops, [1] * 4, [0, 1], drive, 60, 8 * 60, 16 * 60, 2)
    by_hand = 2 * 20 + 2 * 20  # 0-10-20-0 east and 0-10-20-0 north
    mixed = (10 + 200**0.5 + 10) + (20 + 800**0.5 + 20)  # one near and one far pair
    assert total_driving(0, tour, drive) == pytest.approx(by_hand)
    assert total_driving(0, tour, drive) < mixed
    assert total_driving(0, tour, drive) == pytest.approx(brute_force(0, stops, 2, 2, drive))
    assert [v.day for v in tour] == [0, 0, 1, 1]
    assert {frozenset(v.stop for v in tour if v.day == d) for d in (0, 1)} == {frozenset({1, 2}), frozenset({3, 4})}


def test_irregular_case_is_near_the_brute_force_optimum(ortools):
    rng = np.random.default_rng(7)
    drive = drive_matrix([tuple(p) for p in rng.uniform(0, 30, (6, 2))], km_per_min=0.8)
    stops = [1, 2, 3, 4, 5]
    tour = generate_tour(0, stops, [1] * 5, [0, 2, 4], drive, 90, 8 * 60, 17 * 60, 2)
    # GREEDY_DESCENT stops at a local optimum: here 1.2 % above the best calendar (in 4 of 30 such cases it misses
    # the best, by at most 1.2 %); it never reports less than the optimum
    best = brute_force(0, stops, 3, 2, drive)
    assert best - 0.05 <= total_driving(0, tour, drive) <= 1.02 * best
    check_times(tour, 0, drive, 90, 8 * 60, 17 * 60)


def test_every_two_weeks_in_a_four_week_cycle(ortools):
    rng = np.random.default_rng(3)
    drive = drive_matrix([tuple(p) for p in rng.uniform(0, 40, (6, 2))])
    days = [w * 7 + d for w in range(4) for d in (TUE, THU)]
    visits = visits_per_cycle(5, len(days), 2, 2, 4, None)
    assert visits == [2] * 5
    tour = generate_tour(0, [1, 2, 3, 4, 5], visits, days, drive, 150, 7 * 60 + 30, 16 * 60 + 30, 2)
    for stop in range(1, 6):
        weeks = sorted(v.day // 7 for v in tour if v.stop == stop)
        assert len(weeks) == 2 and weeks[0] in (0, 1) and weeks[1] in (2, 3)
    assert all(v.day % 7 in (TUE, THU) and v.day < 28 for v in tour)
    assert len({(v.day, v.stop) for v in tour}) == len(tour)
    check_times(tour, 0, drive, 150, 7 * 60 + 30, 16 * 60 + 30)
    assert tour == sorted(tour, key=lambda v: (v.day, v.order))


def test_visits_in_proportion_to_clients():
    visits = visits_per_cycle(4, 4, 2, None, 4, [100, 10, 10, 50])
    assert sum(visits) == 8 and min(visits) >= 1
    assert visits == [4, 1, 1, 2]
    clients = [5, 80, 1, 1, 30, 12, 0]
    visits = visits_per_cycle(7, 20, 1, None, 4, clients)
    assert sum(visits) == 20 and min(visits) >= 1
    for a, b in itertools.permutations(range(7), 2):
        if clients[a] > clients[b]:
            assert visits[a] >= visits[b]
    assert visits_per_cycle(3, 5, 1, None, 1, None) == [2, 2, 1]


def test_same_input_same_tour(ortools):
    rng = np.random.default_rng(11)
    drive = drive_matrix([tuple(p) for p in rng.uniform(0, 50, (9, 2))])
    days = [w * 7 + d for w in range(2) for d in range(5)]
    args = (0, list(range(1, 9)), [2, 1, 1, 2, 1, 1, 1, 1], days, drive, 120, 8 * 60, 17 * 60, 2)
    first = generate_tour(*args)
    assert generate_tour(*args) == first
    assert generate_tour(*args) == first


def test_a_stop_too_far_is_named(ortools):
    drive = drive_matrix([(0, 0), (10, 0), (160, 0)])
    with pytest.raises(TourError, match="Oberzent") as error:
        generate_tour(0, [1, 2], [1, 1], [0, 1], drive, 240, 7 * 60 + 30, 16 * 60 + 30, 1, ["Michelstadt", "Oberzent"])
    assert "07:30-16:30" in str(error.value) and "320 minutes there and back plus 240 minutes" in str(error.value)
    with pytest.raises(TourError, match="municipality 2"):
        generate_tour(0, [1, 2], [1, 1], [0, 1], drive, 240, 7 * 60 + 30, 16 * 60 + 30, 1)


def test_counts_that_do_not_fit(ortools):
    with pytest.raises(TourError, match="every 3 weeks"):
        visits_per_cycle(5, 8, 1, 3, 4, None)
    with pytest.raises(TourError, match="9 stops"):
        visits_per_cycle(9, 4, 2, None, 4, [1] * 9)
    drive = drive_matrix([(0, 0), (5, 0), (0, 5), (5, 5)])
    with pytest.raises(TourError, match="3 visits must fall on day 0, more than the 2 stops"):
        generate_tour(0, [1, 2, 3], [1, 1, 1], [0], drive, 60, 8 * 60, 17 * 60, 2)
    with pytest.raises(TourError, match="visited 3 times"):
        generate_tour(0, [1, 2], [3, 1], [0, 1], drive, 60, 8 * 60, 17 * 60, 2)
    # each fits alone, but not two sessions in one day: the solver finds no tour
    with pytest.raises(TourError, match="OR-Tools found no tour"):
        generate_tour(0, [1, 2, 3], [1, 1, 1], [0, 1], drive, 300, 8 * 60, 17 * 60, 2)


def test_per_day_and_no_overlap_with_driving(ortools):
    rng = np.random.default_rng(5)
    drive = drive_matrix([tuple(p) for p in rng.uniform(0, 25, (13, 2))], km_per_min=0.7)
    days = [w * 7 + d for w in range(2) for d in range(5)]
    visits = visits_per_cycle(12, len(days), 3, None, 2, list(rng.uniform(5, 100, 12)))
    start, end = 7 * 60 + 32, 17 * 60  # a start off the 5-minute grid
    tour = generate_tour(0, list(range(1, 13)), visits, days, drive, 90, start, end, 3)
    assert len(tour) == sum(visits) == 30
    assert max(sum(v.day == d for v in tour) for d in days) <= 3
    assert all(sum(v.stop == s for v in tour) == visits[s - 1] for s in range(1, 13))
    check_times(tour, 0, drive, 90, start, end)


def test_first_calendar_too_long_solver_finds_one(ortools):
    # the first calendar puts stops 1 and 2 on day 0 (205 minutes apart in all); only 1+3 and 2+4 fit the day
    drive = drive_matrix([(0, 0), (60, 0), (0, 60), (60, 10), (0, 70)])
    tour = generate_tour(0, [1, 2, 3, 4], [1] * 4, [0, 1], drive, 200, 8 * 60, 17 * 60, 2)
    assert {frozenset(v.stop for v in tour if v.day == d) for d in (0, 1)} == {frozenset({1, 3}), frozenset({2, 4})}
    check_times(tour, 0, drive, 200, 8 * 60, 17 * 60)


def test_no_visits_no_tour_and_missing_ortools(monkeypatch):
    drive = drive_matrix([(0, 0), (5, 0)])
    assert generate_tour(0, [1], [0], [0], drive, 60, 8 * 60, 17 * 60, 1) == []
    monkeypatch.setitem(sys.modules, "ortools.constraint_solver", None)
    with pytest.raises(TourError, match="outreach-sim\\[tours\\]"):
        generate_tour(0, [1], [1], [0], drive, 60, 8 * 60, 17 * 60, 1)
