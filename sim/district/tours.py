"""Tours of a mobile office (van, bus, truck): which stop it visits on which day, in which order.

The vehicle works on some days of an N-week cycle (day = week * 7 + weekday), leaves its depot at
`day_start`, stands `stop_min` minutes at each stop it visits and is back by `day_end`. Each stop is
visited a given number of times per cycle; `generate_tour` writes the calendar with the least driving.

Method: a vehicle routing problem solved with Google OR-Tools (pywrapcp). Every visit is a node and
every working day of the cycle a vehicle whose route starts and ends at the depot. Visit j of a stop
visited f times may only ride on the days of the j-th of f equal consecutive windows of the cycle's
days, so the visits are spread over the cycle and two visits of one stop never share a day (a "day"
dimension says it: SetAllowedVehiclesForIndex cannot be called from Python in OR-Tools 9.15). A count
dimension allows at most `per_day` stops a day; a time dimension in minutes (each leg's driving
rounded up to 5 minutes, plus the session) keeps each route within the working day. The arc cost is
the driving in hundredths of a minute.

Times: a session starts when the vehicle arrives, rounded up to 5 minutes (e.g. 08:25). The time
dimension starts at day_start rounded up to 5 and adds the session rounded up to 5; it is exact
when day_start and stop_min are multiples of 5 and an upper bound of the real times otherwise,
so every tour it accepts fits the day.

Search: it starts from a calendar of its own (earliest window end first, nearest stop next), or from
OR-Tools' PATH_CHEAPEST_ARC when that calendar does not fit the hours, and improves it by
GREEDY_DESCENT without a time limit. Visits may be dropped at a penalty above any calendar's
driving, so the search always has a solution to improve; one that still drops a visit is no tour.

Determinism: no clock, no randomness: the descent stops at a local optimum (usually the optimum; in
small tests at most about 1 % above it), so the same input gives the same tour on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.district.calendar import clock_text

ORTOOLS_MISSING = "generated tours need OR-Tools: python -m pip install 'outreach-sim[tours]'"


class TourError(ValueError):
    """A tour that cannot be built: one sentence naming what does not fit."""


@dataclass(frozen=True)
class Visit:
    """One session of the vehicle at a stop."""

    day: int  # day of the cycle, week * 7 + weekday
    order: int  # position in that day's route, 0 first
    stop: int  # municipality index
    arrive_min: int  # minutes after midnight the session starts (vehicle stands there)
    depart_min: int  # arrive_min + stop_min


def visits_per_cycle(
    n_stops: int, n_days: int, per_day: int, every_weeks: int | None, cycle_weeks: int, clients: list[float] | None
) -> list[int]:
    """Visits of each stop per cycle: every `every_weeks` weeks, or the cycle's capacity shared by clients.

    With every_weeks each stop gets cycle_weeks // every_weeks visits. Otherwise the capacity
    n_days * per_day is shared in proportion to `clients` (equal shares if None): stops whose share
    is below one get one visit, the rest is split by largest remainder, larger clients first on ties.
    """
    if every_weeks is not None:
        if every_weeks < 1 or cycle_weeks % every_weeks:
            raise TourError(f"a visit every {every_weeks} weeks does not fit a cycle of {cycle_weeks} weeks.")
        return [cycle_weeks // every_weeks] * n_stops
    capacity = n_days * per_day
    if n_stops > capacity:
        raise TourError(
            f"{n_stops} stops need at least {n_stops} visits, more than the {capacity} the cycle has "
            f"({n_days} days at {per_day} stops a day)."
        )
    weights = [1.0] * n_stops if clients is None else [float(c) for c in clients]
    if len(weights) != n_stops or any(not math.isfinite(w) or w < 0 for w in weights):
        raise TourError(f"clients must be {n_stops} numbers of zero or more, one for each stop.")
    if sum(weights) <= 0:
        weights = [1.0] * n_stops
    counts = [0] * n_stops
    free = list(range(n_stops))
    left = capacity
    while True:  # stops whose share is below one visit get one; the others share what is left
        total = sum(weights[s] for s in free)
        small = [s for s in free if left * weights[s] / total < 1]
        if not small:
            break
        for s in small:
            counts[s] = 1
        left -= len(small)
        free = [s for s in free if s not in small]
    quota = {s: left * weights[s] / total for s in free}
    for s in free:
        counts[s] = math.floor(quota[s])
    by_remainder = sorted(free, key=lambda s: (-(quota[s] - counts[s]), -weights[s], s))
    for s in by_remainder[: left - sum(counts[s] for s in free)]:
        counts[s] += 1
    return counts


def route_minutes(depot: int, visits_of_day: list[Visit], drive_min: np.ndarray) -> float:
    """Driving of one day's route: depot, its stops in order, depot (unrounded matrix minutes)."""
    path = [depot] + [v.stop for v in sorted(visits_of_day, key=lambda v: v.order)] + [depot]
    return float(sum(drive_min[a, b] for a, b in zip(path, path[1:])))


def ceil5(minutes: float) -> int:
    """Minutes rounded up to a multiple of 5 (a float within 1e-9 of one is taken as it)."""
    return 5 * math.ceil(minutes / 5 - 1e-9)


def windows(n_days: int, visits: int) -> list[tuple[int, int]]:
    """The positions [lo, hi) in the sorted days of each of `visits` equal consecutive windows."""
    return [(j * n_days // visits, (j + 1) * n_days // visits) for j in range(visits)]


def generate_tour(
    depot: int,
    stops: list[int],
    visits: list[int],
    days: list[int],
    drive_min: np.ndarray,
    stop_min: int,
    day_start: int,
    day_end: int,
    per_day: int,
    stop_names: list[str] | None = None,
) -> list[Visit]:
    """The calendar with the least driving that visits stop s visits[s] times, sorted by (day, order).

    `stops` and `depot` are municipality indices into `drive_min`, `days` the vehicle's working days
    of the cycle, `stop_min` the session at each stop, `day_start`/`day_end` minutes after midnight.
    Raises TourError naming the stop or the number that does not fit.
    """
    try:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    except ImportError as error:
        raise TourError(ORTOOLS_MISSING) from error

    def name(s: int) -> str:
        return stop_names[s] if stop_names is not None else f"municipality {stops[s]}"

    days = sorted(days)
    drive = np.asarray(drive_min, dtype=float)
    nodes = check_inputs(depot, stops, visits, days, drive, stop_min, day_start, day_end, per_day, name)
    if not nodes:
        return []
    n_days = len(days)
    place = [depot] + [stops[s] for s, _ in nodes]
    legs = drive[np.ix_(place, place)]
    session = ceil5(stop_min)
    timing = [
        [0 if a == b else ceil5(legs[a, b]) + (session if a else 0) for b in range(len(place))]
        for a in range(len(place))
    ]
    cost = [[round(100 * legs[a, b]) for b in range(len(place))] for a in range(len(place))]

    manager = pywrapcp.RoutingIndexManager(len(place), n_days, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost))
    count = routing.RegisterUnaryTransitVector([0] + [1] * len(nodes))
    routing.AddDimension(count, 0, per_day, True, "stops")
    routing.AddDimension(routing.RegisterTransitMatrix(timing), 0, day_end, False, "time")
    time = routing.GetDimensionOrDie("time")
    for vehicle in range(n_days):
        time.CumulVar(routing.Start(vehicle)).SetValue(ceil5(day_start))
    # Each visit's window of days. SetAllowedVehiclesForIndex would say it, but the Python binding of
    # OR-Tools 9.15 accepts no argument for its absl::Span (TypeError), and restricting VehicleVar
    # hides the windows from the search's filters. A "day" dimension says it so that they see it:
    # day d's route carries the value d (start d, transit 0) and a visit's value must lie in its window.
    routing.AddDimension(routing.RegisterUnaryTransitVector([0] * len(place)), 0, n_days - 1, False, "day")
    on_day = routing.GetDimensionOrDie("day")
    for vehicle in range(n_days):
        on_day.CumulVar(routing.Start(vehicle)).SetValue(vehicle)
    for node, (s, j) in enumerate(nodes, start=1):
        lo, hi = windows(n_days, visits[s])[j]
        on_day.CumulVar(manager.NodeToIndex(node)).SetRange(lo, hi - 1)

    # Every visit may be dropped at a penalty above any calendar's driving, so that the search always has a
    # solution to improve; a calendar that still drops one is no tour. It starts from first_routes if that fits.
    penalty = 100 * (math.ceil(legs.max()) + 1) * (len(place) + n_days) + 1
    for node in range(1, len(place)):
        routing.AddDisjunction([manager.NodeToIndex(node)], penalty)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    routing.CloseModelWithParameters(parameters)
    routes = [[manager.NodeToIndex(n) for n in route] for route in first_routes(nodes, visits, n_days, per_day, legs)]
    start = routing.ReadAssignmentFromRoutes(routes, True)
    if start is not None:
        solution = routing.SolveFromAssignmentWithParameters(start, parameters)
    else:
        solution = routing.SolveWithParameters(parameters)
    if solution is None or any(
        solution.Value(routing.ActiveVar(manager.NodeToIndex(n))) == 0 for n in range(1, len(place))
    ):
        raise TourError(
            f"OR-Tools found no tour that fits {len(nodes)} visits into {n_days} days of at most {per_day} "
            f"stops between {clock_text(day_start)} and {clock_text(day_end)}."
        )

    tour: list[Visit] = []
    for vehicle, day in enumerate(days):
        index, order, now = routing.Start(vehicle), 0, day_start
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            s, _ = nodes[manager.IndexToNode(index) - 1]
            previous = tour[-1].stop if order else depot
            arrive = ceil5(now + drive[previous, stops[s]])
            tour.append(Visit(day, order, stops[s], arrive, arrive + stop_min))
            now, order = arrive + stop_min, order + 1
            index = solution.Value(routing.NextVar(index))
        if order and now + drive[tour[-1].stop, depot] > day_end:  # cannot happen: the time dimension bounds it
            raise TourError(f"the tour of day {day} is back at the depot after {clock_text(day_end)}.")
    return tour


def first_routes(
    nodes: list[tuple[int, int]], visits: list[int], n_days: int, per_day: int, legs: np.ndarray
) -> list[list[int]]:
    """A first calendar of nodes (1 + position in nodes) per day: the visits whose window closes first go first.

    Earliest deadline first fills the days whenever the windows leave room (check_inputs checked that);
    each day's stops are then ordered nearest first from the depot (node 0). It may not fit the hours.
    """
    window = {node: windows(n_days, visits[s])[j] for node, (s, j) in enumerate(nodes, start=1)}
    waiting = sorted(window, key=lambda node: (window[node][1], node))
    routes = []
    for day in range(n_days):
        today = [node for node in waiting if window[node][0] <= day][:per_day]
        waiting = [node for node in waiting if node not in today]
        route, here = [], 0
        while today:
            here = min(today, key=lambda node: (legs[here, node], node))
            route.append(here)
            today.remove(here)
        routes.append(route)
    return routes


def check_inputs(
    depot: int,
    stops: list[int],
    visits: list[int],
    days: list[int],
    drive: np.ndarray,
    stop_min: int,
    day_start: int,
    day_end: int,
    per_day: int,
    name: Callable[[int], str],
) -> list[tuple[int, int]]:
    """The visits as (stop position, visit number), after the checks that name what does not fit."""
    if len(visits) != len(stops) or any(f < 0 for f in visits):
        raise TourError(f"visits must be {len(stops)} counts of zero or more, one for each stop.")
    if len(set(days)) != len(days) or any(d < 0 for d in days):
        raise TourError(f"the vehicle's days must be distinct days of the cycle, not {days}.")
    if per_day < 1 or stop_min < 0 or day_end <= day_start:
        hours = f"{clock_text(day_start)}-{clock_text(day_end)}"
        raise TourError(f"the working day {hours} with {per_day} stops must hold a stop.")
    places = [depot, *stops]
    if drive.ndim != 2 or drive.shape[0] != drive.shape[1] or not all(0 <= p < drive.shape[0] for p in places):
        raise TourError(f"drive_min must be a square matrix over the municipalities, not of shape {drive.shape}.")
    if not np.all(np.isfinite(drive[np.ix_(places, places)])):
        raise TourError("drive_min has no driving time between some of the depot and the stops.")
    for s, f in enumerate(visits):
        if f > len(days):
            raise TourError(f"{name(s)} is to be visited {f} times, but the vehicle works on {len(days)} days.")
        there, back = ceil5(drive[depot, stops[s]]), ceil5(drive[stops[s], depot])
        if f and ceil5(day_start) + there + ceil5(stop_min) + back > day_end:
            raise TourError(
                f"the tour cannot visit {name(s)} and be back within the working day "
                f"{clock_text(day_start)}-{clock_text(day_end)} ({there + back} minutes there and back plus {stop_min} "
                "minutes at the stop)."
            )
    # Hall's condition over intervals: the visits whose windows lie within days [a, b) fit on them
    n = len(days)
    inside = np.zeros((n + 1, n + 1), dtype=int)
    for f in visits:
        for lo, hi in windows(n, f) if f else []:
            inside[lo, hi] += 1
    inside = np.cumsum(np.cumsum(inside[::-1], axis=0)[::-1], axis=1)  # visits with a <= lo and hi <= b
    for a in range(n):
        for b in range(a + 1, n + 1):
            if inside[a, b] > (b - a) * per_day:
                span = (
                    f"day {days[a]}" if b - a == 1 else f"the {b - a} working days from day {days[a]} to {days[b - 1]}"
                )
                raise TourError(
                    f"{inside[a, b]} visits must fall on {span}, more than the {(b - a) * per_day} stops "
                    f"the vehicle makes there at {per_day} a day."
                )
    return [(s, j) for s, f in enumerate(visits) for j in range(f)]
