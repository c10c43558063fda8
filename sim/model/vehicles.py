"""Vehicles: vans, buses and trucks fitted as mobile offices, and their tours.

Before any random number is drawn (`plan_vehicles`, called by world.py) a vehicle's stops become
sites of kind `vehicle_stop`, to which clients are invited like to rooms (the same policies and
target groups). A tour is written by hand (`vehicles.NAME.stops`, each stop with its calendar) or
generated (`vehicles.NAME.tour`: the stops and how often, sim.district.tours). Each tour day is a
route depot -> stops in time order -> depot on the travel model's car times, checked to fit the
working day with the driving between stops; planned maintenance days are taken out of the tour.

During a run (`Vehicles`) the vehicle leaves its depot on each tour day, drives to each stop,
stands there while its session lasts (sites.py `hold`: booked clients and walk-ins; the
counsellors serve until nobody is left) and at least until the stop's end, and only then drives
on: it never counsels while driving and is never at two stops at once. Driving is working time
of the counsellors on board (staff.py blocks their whole day); a session that runs late brings
the crew back after the working day (overtime). Counsellors off sick: one draw per counsellor
and tour day (each crew member's own stream); a crew all off sick stays at the depot.
Breakdowns: the tour days between failures and the working days of repair are exponential,
from the vehicle's own stream; at a failure every session of the repair days is cancelled
through the one cancel path and its clients are rebooked the next day.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Generator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from sim.config import ConfigError
from sim.config.schema import (
    ARRIVAL_OFFSET_LIMIT_MIN,
    WEEKDAYS,
    BreakdownConfig,
    ScenarioConfig,
    VehicleConfig,
    WalkinConfig,
)
from sim.district.calendar import (
    MINUTES_PER_DAY,
    clock_minutes,
    clock_text,
    describe,
    is_working_day,
    session_days,
)
from sim.district.region import Region, name_key
from sim.district.travel import TravelTimes
from sim.model.sites import counsellor_absences
from sim.model.streams import register_stream, stream
from sim.model.world import Site

if TYPE_CHECKING:
    from sim.district.tours import Visit
    from sim.model.simulation import Simulation
    from sim.model.sites import Sites

BREAKDOWNS = register_stream("breakdowns", 8)
BREAKDOWN = "breakdown"  # the reason of a cancellation when the vehicle is in the garage
STOP = "vehicle_stop"


@dataclass
class TourDay:
    """One day of a vehicle's tour: the route and the stop sessions it holds."""

    day: int
    stops: list[tuple[int, int]]  # (site index, session index) in the order driven
    departs_min: float  # leaves the depot, minutes after midnight
    legs_min: list[float]  # depot -> first stop, ..., last stop -> depot (car minutes)
    legs_km: list[float]


@dataclass
class VehiclePlan:
    """A vehicle of the scenario with its tour over the horizon (and the booking look-ahead)."""

    key: str
    kind: str
    depot: str  # the office key
    counsellors: int
    booths: int
    days: list[TourDay]
    maintenance_days: list[int]
    breakdowns: BreakdownConfig
    cost_per_year_eur: float
    per_km_eur: float
    stops: list[int]  # its site indices
    visits: list[Visit] | None = None  # a generated tour's cycle (written to the results folder)
    cycle_days: int = 0  # the generated cycle's length in days


@dataclass
class _Stop:
    key: str
    municipality: int
    days: list[int]
    hours: list[tuple[int, int]]
    walkins: WalkinConfig
    catchment: tuple[int, ...]
    schedule: str
    always_open: bool = False


def plan_vehicles(
    config: ScenarioConfig,
    region: Region,
    travel: TravelTimes,
    holidays_off: frozenset[int],
    last_day: int,
    first_index: int,
) -> tuple[list[Site], list[VehiclePlan]]:
    """The open vehicles' stops as sites (numbered from `first_index`) and their tour days."""
    workday = (clock_minutes(config.staff.workday_start), clock_minutes(config.staff.workday_end))
    sites: list[Site] = []
    plans: list[VehiclePlan] = []
    for key, vehicle in config.vehicles.items():
        if not vehicle.open:
            continue
        depot = region.index(config.sites[vehicle.depot].municipality)
        visits, cycle_days = None, 0
        if vehicle.tour.stops:
            stops, visits, cycle_days = generated_stops(
                key, vehicle, depot, region, travel, holidays_off, last_day, workday
            )
        else:
            stops = hand_stops(key, vehicle, region, holidays_off, last_day)
        maintenance = maintenance_days(key, vehicle, sorted({day for stop in stops for day in stop.days}))
        indices = []
        for stop in stops:
            kept = [i for i, day in enumerate(stop.days) if day not in maintenance]
            hours = [stop.hours[i] for i in kept]
            opens = min((start for start, _ in hours), default=workday[0])
            indices.append(first_index + len(sites))
            sites.append(
                Site(
                    key=stop.key,
                    kind=STOP,
                    municipality=stop.municipality,
                    counsellors=vehicle.counsellors,
                    base_office=vehicle.depot,
                    appointments=vehicle.appointments and not stop.always_open,
                    slot_min=vehicle.slot_min,
                    open_min=opens,
                    doors_min=max(0, opens - ARRIVAL_OFFSET_LIMIT_MIN),
                    close_min=max((end for _, end in hours), default=workday[1]),
                    days=[stop.days[i] for i in kept],
                    always_open=stop.always_open,
                    walkins=stop.walkins,
                    target_group=vehicle.target_group,
                    catchment=stop.catchment,
                    sessions_per_month=sum(day < 365 for day in (stop.days[i] for i in kept)) / 12.0,
                    hours=hours,
                    vehicle=key,
                    schedule=stop.schedule,
                )
            )
        tour_days = route_days(key, config, depot, [sites[i - first_index] for i in indices], indices, travel, workday)
        if not any(tour_day.day < config.horizon_days for tour_day in tour_days):
            raise ConfigError(
                f"vehicles.{key} has no tour day within the run (horizon_days {config.horizon_days}): its stops"
                " hold no session; give them days, or set its open: false."
            )
        plans.append(
            VehiclePlan(
                key=key,
                kind=vehicle.kind,
                depot=vehicle.depot,
                counsellors=vehicle.counsellors,
                booths=vehicle.booths,
                days=tour_days,
                maintenance_days=sorted(maintenance),
                breakdowns=vehicle.breakdowns,
                cost_per_year_eur=vehicle.cost_per_year_eur,
                per_km_eur=vehicle.per_km_eur,
                stops=indices,
                visits=visits,
                cycle_days=cycle_days,
            )
        )
    refuse_shared_stops(config, plans, sites, first_index)
    return sites, plans


def hand_stops(
    key: str, vehicle: VehicleConfig, region: Region, holidays_off: frozenset[int], last_day: int
) -> list[_Stop]:
    """The stops of a tour written by hand, each on its own calendar."""
    stops = []
    for name, stop in vehicle.stops.items():
        calendar = stop.calendar
        if calendar.always_open:  # the queueing checks: a vehicle that stands at its one stop day and night
            days, hours = [0], (0, last_day * MINUTES_PER_DAY)
        else:
            days = session_days(calendar, 0, last_day, holidays_off)
            hours = (clock_minutes(calendar.start), clock_minutes(calendar.end))
        stops.append(
            _Stop(
                key=f"{key}.{name}",
                municipality=region.index(stop.municipality),
                days=days,
                hours=[hours] * len(days),
                walkins=stop.walkins,
                catchment=tuple(region.index(place) for place in stop.catchment),
                schedule=describe(calendar),
                always_open=calendar.always_open,
            )
        )
    return stops


def generated_stops(
    key: str,
    vehicle: VehicleConfig,
    depot: int,
    region: Region,
    travel: TravelTimes,
    holidays_off: frozenset[int],
    last_day: int,
    workday: tuple[int, int],
) -> tuple[list[_Stop], list[Visit], int]:
    """The stops of a generated tour: the generator's cycle repeated over the horizon."""
    from sim.district.tours import TourError, generate_tour, visits_per_cycle

    tour = vehicle.tour
    municipalities = [region.index(name) for name in tour.stops]
    cycle = [week * 7 + WEEKDAYS.index(day) for week in range(tour.cycle_weeks) for day in tour.weekdays]
    cycle = sorted(set(cycle))
    clients = [float(region.population[m]) for m in municipalities]
    try:
        visits_each = visits_per_cycle(
            len(municipalities), len(cycle), tour.per_day, tour.every_weeks, tour.cycle_weeks, clients
        )
        visits = generate_tour(
            depot,
            municipalities,
            visits_each,
            cycle,
            travel.car_min,
            round(tour.stop_hours * 60),
            workday[0],
            workday[1],
            tour.per_day,
            [region.names[m] for m in municipalities],
        )
    except TourError as error:
        raise ConfigError(f"vehicles.{key}.tour: {error}") from None
    cycle_days = tour.cycle_weeks * 7
    by_stop: dict[int, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_stop[visit.stop].append(visit)
    stops = []
    for m in municipalities:
        sessions = sorted(
            (start + visit.day, (visit.arrive_min, visit.depart_min))
            for start in range(0, last_day, cycle_days)
            for visit in by_stop[m]
            if start + visit.day < last_day and start + visit.day not in holidays_off
        )
        per_cycle = len(by_stop[m])
        stops.append(
            _Stop(
                key=f"{key}.{name_key(region.names[m])}",
                municipality=m,
                days=[day for day, _ in sessions],
                hours=[hours for _, hours in sessions],
                walkins=tour.walkins,
                catchment=(),
                schedule=f"{per_cycle} visit(s) every {tour.cycle_weeks} week(s), generated tour",
            )
        )
    return stops, visits, cycle_days


def maintenance_days(key: str, vehicle: VehicleConfig, tour_days: list[int]) -> set[int]:
    """Planned workshop days: `maintenance_days_per_year` of the tour days, spread evenly."""
    per_year = vehicle.maintenance_days_per_year
    if per_year <= 0 or not tour_days:
        return set()
    in_a_year = sum(day < 365 for day in tour_days)
    if per_year >= in_a_year:
        raise ConfigError(
            f"vehicles.{key}.maintenance_days_per_year ({per_year}) leaves no tour day: the tour has"
            f" {in_a_year} days a year."
        )
    share = per_year / in_a_year
    return {day for i, day in enumerate(tour_days) if math.floor((i + 1) * share) > math.floor(i * share)}


def span(hours: tuple) -> str:
    return f"{clock_text(hours[0])}-{clock_text(hours[1])}"


def day_name(config: ScenarioConfig, day: int) -> str:
    """A day of the run in words: 'Tue 2025-01-14 (day 8)'."""
    when = date.fromisoformat(config.start_date) + timedelta(days=day)
    return f"{WEEKDAYS[day % 7].capitalize()} {when.isoformat()} (day {day})"


def route_days(
    key: str,
    config: ScenarioConfig,
    depot: int,
    stops: list[Site],
    indices: list[int],
    travel: TravelTimes,
    workday: tuple[int, int],
) -> list[TourDay]:
    """Each tour day's route, stops in time order; refuse a day the vehicle cannot drive: two
    stops at once, too little time to drive between them, or out of the working day."""
    by_day: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)  # day -> (opens, closes, site, session)
    for site, index in zip(stops, indices):
        for session, (day, (opens, closes)) in enumerate(zip(site.days, site.hours)):
            by_day[day].append((opens, closes, index, session))
    name_of = {index: site.key.split(".", 1)[1] for site, index in zip(stops, indices)}
    place_of = {index: site.municipality for site, index in zip(stops, indices)}
    where = f"vehicles.{key}"
    days = []
    for day in sorted(by_day):
        visits = sorted(by_day[day])
        if visits[0][1] - visits[0][0] > MINUTES_PER_DAY:  # always there (validated: its only stop)
            days.append(TourDay(day, [(visits[0][2], visits[0][3])], 0.0, [0.0, 0.0], [0.0, 0.0]))
            continue
        route = [depot] + [place_of[index] for _, _, index, _ in visits] + [depot]
        legs_min = [float(travel.car_min[a, b]) if a != b else 0.0 for a, b in zip(route, route[1:])]
        legs_km = [float(travel.road_km[a, b]) if a != b else 0.0 for a, b in zip(route, route[1:])]
        for i, (before, after) in enumerate(zip(visits, visits[1:])):
            first, second = name_of[before[2]], name_of[after[2]]
            if after[0] < before[1]:
                raise ConfigError(
                    f"{where}: on {day_name(config, day)} the stops {first} ({span(before)}) and {second}"
                    f" ({span(after)}) overlap; a vehicle stands at one stop at a time."
                )
            if after[0] - before[1] < legs_min[i + 1]:
                raise ConfigError(
                    f"{where}: on {day_name(config, day)} the drive from {first} to {second} takes"
                    f" {legs_min[i + 1]:.0f} min, but {first} ends at {clock_text(before[1])} and {second} starts at"
                    f" {clock_text(after[0])}; leave time to drive between stops."
                )
        departs = visits[0][0] - legs_min[0]
        back = visits[-1][1] + legs_min[-1]
        if departs < workday[0] or back > workday[1]:
            raise ConfigError(
                f"{where}: the tour of {day_name(config, day)} is longer than the working day"
                f" {config.staff.workday_start}-{config.staff.workday_end} (staff.workday_start and"
                f" staff.workday_end): it leaves the depot at {clock_text(departs)} and is back at {clock_text(back)}."
            )
        days.append(TourDay(day, [(index, session) for _, _, index, session in visits], departs, legs_min, legs_km))
    return days


def refuse_shared_stops(config: ScenarioConfig, plans: list[VehiclePlan], sites: list[Site], first_index: int) -> None:
    """Two vehicles never stand at one stop (one parking place, one set of booths) at the same time."""
    standing: dict[tuple[int, int], list[tuple[int, int, str]]] = defaultdict(list)  # (day, place) -> hours, vehicle
    for plan in plans:
        for tour_day in plan.days:
            for index, session in tour_day.stops:
                site = sites[index - first_index]
                opens, closes = site.hours[session]
                for other_opens, other_closes, other in standing[tour_day.day, site.municipality]:
                    if other != plan.key and opens < other_closes and other_opens < closes:
                        raise ConfigError(
                            f"vehicles.{other} and vehicles.{plan.key} both stand at a stop in the same"
                            f" municipality on {day_name(config, tour_day.day)} ({span((opens, closes))});"
                            " two vehicles cannot share one stop's booths: move one of them to another day or hour."
                        )
                standing[tour_day.day, site.municipality].append((opens, closes, plan.key))


def breakdown_days(plan: VehiclePlan, rng: np.random.Generator, holidays_off: frozenset[int]) -> dict[int, list[int]]:
    """Failure day -> the tour days it takes off the road (itself first): the tour days between
    failures and the working days of repair are exponential (whole days, repair at least one)."""
    spec = plan.breakdowns
    if spec.mean_days_between <= 0:
        return {}
    days = [tour_day.day for tour_day in plan.days]
    failures = {}
    i = int(rng.exponential(spec.mean_days_between))
    while i < len(days):
        fails = days[i]
        repair = max(1, math.ceil(rng.exponential(spec.repair_days_mean)))
        back, working = fails, 0
        while working < repair:
            working += is_working_day(back, holidays_off)
            back += 1
        lost = [day for day in days[i:] if day < back]
        failures[fails] = lost
        i += len(lost) + int(rng.exponential(spec.mean_days_between))
    return failures


class Vehicles:
    """Every vehicle's tour, driven during the run."""

    def __init__(self, simulation: Simulation, sites: Sites) -> None:
        self.simulation = simulation
        self.sites = sites

    def start(self) -> None:
        for number, plan in enumerate(self.simulation.world.vehicles):
            self.simulation.env.process(self.tour(number, plan))

    def tour(self, number: int, plan: VehiclePlan) -> Generator:
        simulation = self.simulation
        env, config, metrics = simulation.env, simulation.config, simulation.metrics
        appointments = simulation.appointments
        seed, replication, events = simulation.seed, simulation.replication, simulation.events
        absences = counsellor_absences(simulation, f"vehicle {plan.key}", plan.counsellors)
        workday_end = clock_minutes(config.staff.workday_end)
        failures = breakdown_days(plan, stream(seed, replication, BREAKDOWNS, plan.key), simulation.world.holidays)
        lost: set[int] = set()
        office = simulation.world.offices.index(plan.depot)
        by_day = {tour_day.day: tour_day for tour_day in plan.days}
        always_there = any(simulation.world.sites[index].always_open for index in plan.stops)
        sick_rate = 0.0 if always_there else config.staff.sick_rate  # as at a site open day and night
        for tour_day in plan.days:
            day = tour_day.day
            if day >= config.horizon_days:
                return
            midnight = day * MINUTES_PER_DAY
            books = [appointments.books[index] for index, _ in tour_day.stops]
            first_opens = min(book.opens[session] for book, (_, session) in zip(books, tour_day.stops))
            # the day is decided when the first clients may come or the vehicle leaves, whichever is first
            wakes = min(tour_day.departs_min, max(0, first_opens - ARRIVAL_OFFSET_LIMIT_MIN))
            yield env.timeout(midnight + wakes - env.now)
            # one draw per counsellor and tour day, lost or not: the same sick days in every scenario
            sick = [absence() < sick_rate for absence in absences]
            if day in failures:  # the garage keeps it: close the repair days' sessions, rebook their clients
                for lost_day in failures[day]:
                    lost.add(lost_day)
                    for index, session in by_day[lost_day].stops:
                        book = appointments.books[index]
                        book.close(session)
                        for client in list(book.bookings[session]):
                            if client >= 0:
                                appointments.cancel(client, BREAKDOWN, rebook_on=day + 1)
                if events is not None:
                    events.append(("breakdown", plan.key, midnight, failures[day]))
            if day in lost:
                metrics.vehicle_day_lost(midnight + first_opens, len(tour_day.stops))
                continue
            if all(sick):  # nobody to drive it: its sessions are cancelled (sites.py rebooks)
                for leg, (index, session) in enumerate(tour_day.stops):
                    self.sites.hold(index, session, sick, first_of_day=leg == 0)
                continue
            aboard = plan.counsellors - sum(sick)
            yield env.timeout(midnight + tour_day.departs_min - env.now)
            for leg, (index, session) in enumerate(tour_day.stops):
                yield from self.drive(number, plan, office, aboard, tour_day, leg)
                arrived = env.now
                served: list | None = [] if events is not None else None
                queue = self.sites.hold(index, session, sick, served, first_of_day=leg == 0)
                if queue is not None:
                    queue.over = env.event()
                    if not queue.ended:
                        yield queue.over
                closes = midnight + appointments.books[index].closes[session]
                if env.now < closes:
                    yield env.timeout(closes - env.now)
                if events is not None:
                    events.append(("stand", plan.key, index, arrived, env.now))
                    events.extend(("serve", plan.key, index, start, end) for start, end in served)
            yield from self.drive(number, plan, office, aboard, tour_day, len(tour_day.stops))
            if env.now > midnight + workday_end:  # a session ran late: the crew is back after hours
                metrics.overtime(midnight + workday_end, aboard * (env.now - midnight - workday_end))

    def drive(self, number: int, plan: VehiclePlan, office: int, aboard: int, tour_day: TourDay, leg: int) -> Generator:
        """One leg of the day's route: working time of the counsellors on board, kilometres of the vehicle."""
        env = self.simulation.env
        started, minutes = env.now, tour_day.legs_min[leg]
        self.simulation.metrics.vehicle_drove(started, number, office, aboard, minutes, tour_day.legs_km[leg])
        if minutes > 0:
            yield env.timeout(minutes)
        if self.simulation.events is not None:
            self.simulation.events.append(("drive", plan.key, started, env.now))
