"""One replication of a scenario: the booking desk, the sites' sessions, the clients' cycle."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Generator

import numpy as np
import simpy

from sim.config.schema import DurationConfig
from sim.district.calendar import MINUTES_PER_DAY, is_working_day
from sim.kpi.monitor import Metrics, RunResult, working_days
from sim.kpi.registry import COVERAGE_THRESHOLDS_MIN
from sim.model.attendance import no_show_probability
from sim.model.booking import SiteBook
from sim.model.caseload import draw_population
from sim.model.sessions import ServiceQueue, bulk_draws, counsellor, walkin_arrivals
from sim.model.streams import stream
from sim.model.world import World, planned_present

DESK_OPENS_MIN = 0  # the desk works at the start of each day, before any session of the day opens


class Simulation:
    """The state of one replication and the SimPy processes that change it."""

    def __init__(self, world: World, seed: int, replication: int, trace: list | None = None) -> None:
        config = world.config
        self.world = world
        self.config = config
        self.env = simpy.Environment()
        self.trace = trace
        self.population = population = draw_population(config, world.client_counts, seed, replication)
        n_clients = len(population.municipality)
        self.municipality = population.municipality.tolist()
        self.generation = [0] * n_clients
        self.row = population.first_row.tolist()  # the current occupant's row in the population arrays
        self.has_car = population.has_car.tolist()  # [row]
        self.interval_days = population.interval_days.tolist()  # [row]
        self.contact = [0] * n_clients  # k: appointments reached by the current occupant
        self.prior_no_shows = [0] * n_clients
        self.due_day = population.first_due_day.tolist()
        self.booked_on = [0] * n_clients
        self.booking: list[tuple[int, int, int] | None] = [None] * n_clients  # (site, session, slot)
        self.window_generation: list[int] | None = None
        self.reached = np.zeros(n_clients, dtype=bool)
        self.to_book: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
        self.leaving: defaultdict[int, list[int]] = defaultdict(list)
        self.contacts_bound = population.attendance_u.shape[1]
        # as nested lists, for fast lookup: [site][municipality][car] and [site][municipality]
        self.client_travel_min = world.client_travel_min.tolist()
        sites_at = [site.municipality for site in world.sites]
        self.client_road_km = world.travel.road_km[:, sites_at].T.tolist()
        for client in range(n_clients):
            self.to_book[self.due_day[client]].append((client, 0))
            if population.departures[client]:
                self.leaving[population.departures[client][0]].append(client)

        self.books = [
            SiteBook(site, [world.office_staff.get((site.key, day), site.counsellors) for day in site.days])
            for site in world.sites
        ]
        self.office_of_site = [world.offices.index(site.base_office) for site in world.sites]
        self.metrics = Metrics(
            len(world.region.names),
            len(world.sites),
            len(world.offices),
            config.warmup_days,
            config.horizon_days,
        )
        self.seed, self.replication = seed, replication
        self.env.process(self.desk())
        self.env.process(self.open_window())
        for index in range(len(world.sites)):
            self.env.process(self.site_sessions(index))

    def run(self) -> RunResult:
        """Simulate to the horizon and summarise.

        Python's cyclic garbage collector is paused meanwhile: the model leaves no reference
        cycles behind (none are found after a run), and with a large caseload the collector's
        rescans of the live clients cost up to 15 % of the time."""
        config, world = self.config, self.world
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.env.run(until=config.horizon_days * MINUTES_PER_DAY)
        finally:
            if collecting:
                gc.enable()
        self.metrics.ledger["pending"] = sum(booking is not None for booking in self.booking)
        days = working_days(config.warmup_days, config.horizon_days)
        measured_hours = (config.horizon_days - config.warmup_days) * 24.0
        weeks = (config.horizon_days - config.warmup_days) / 7.0
        working_hours, meeting_hours = [], []
        for office in world.offices:
            site = world.sites[world.site_index[office]]
            present = planned_present(site.counsellors, config.staff.leave_share)
            working_hours.append(
                site.counsellors * measured_hours if site.always_open else present * days * config.staff.hours_per_day
            )
            meeting_hours.append(present * weeks * config.staff.meeting_hours_per_week)
        has_car = self.population.has_car[self.population.first_row].astype(int)
        minutes = world.coverage_min[self.population.municipality, has_car]
        coverage = {
            limit: float((minutes <= limit).mean()) if minutes.size else np.nan for limit in COVERAGE_THRESHOLDS_MIN
        }
        return self.metrics.result(
            world,
            self.reached,
            coverage,
            config.nearly_empty_max,
            np.array(working_hours),
            np.array(meeting_hours),
        )

    # -- the clients' contact cycle ------------------------------------------------------------
    def open_window(self) -> Generator:
        """At the end of the warm-up, fix whose reach is measured: the clients present then."""
        yield self.env.timeout(self.metrics.start)
        self.window_generation = list(self.generation)

    def desk(self) -> Generator:
        """At the start of each day: clients who left are replaced; on working days, due contacts are booked."""
        env, config = self.env, self.config
        next_due = 0
        for day in range(config.horizon_days):
            yield env.timeout(day * MINUTES_PER_DAY + DESK_OPENS_MIN - env.now)
            for client in self.leaving.pop(day, ()):
                self.replace(client, day)
            if is_working_day(day):
                for due in range(next_due, day + 1):
                    for client, generation in self.to_book.pop(due, ()):
                        if self.generation[client] == generation and self.booking[client] is None:
                            self.book(client, day)
                next_due = day + 1

    def book(self, client: int, today: int) -> None:
        """Book the earliest slot after the notice period at the nearest site that has one within
        max_lead_days; if none has, the earliest slot at any of the client's sites."""
        booking = self.config.booking
        earliest = today + booking.notice_days
        municipality = self.municipality[client]
        car = int(self.has_car[self.row[client]])
        chosen, fallback = None, None
        for site in self.world.candidates[municipality][car]:
            book = self.books[site]
            session = book.first_free(earliest)
            if session is None:
                continue
            if book.days[session] <= earliest + booking.max_lead_days:
                chosen = (site, session)
                break
            if fallback is None or book.days[session] < self.books[fallback[0]].days[fallback[1]]:
                fallback = (site, session)
        chosen = chosen or fallback
        if chosen is None:  # every candidate is full to the end of the book: try again in a week
            self.to_book[today + 7].append((client, self.generation[client]))
            return
        site, session = chosen
        slot = self.books[site].book(session, client)
        self.booking[client] = (site, session, slot)
        self.booked_on[client] = today
        self.metrics.ledger["booked"] += 1

    def schedule_contact(self, client: int, due_day: int) -> None:
        self.due_day[client] = due_day
        self.to_book[due_day].append((client, self.generation[client]))

    def replace(self, client: int, day: int) -> None:
        """The client leaves the caseload (work, move); a new client takes the place."""
        if self.booking[client] is not None:
            site, session, slot = self.booking[client]
            self.books[site].bookings[session][slot] = -1
            self.booking[client] = None
            self.metrics.ledger["cancelled"] += 1
        generation = self.generation[client] = self.generation[client] + 1
        self.row[client] += 1
        self.contact[client] = 0
        self.prior_no_shows[client] = 0
        self.schedule_contact(client, day)
        departures = self.population.departures[client]
        if generation < len(departures):
            if departures[generation] <= day:  # the newcomer leaves the same day too
                self.replace(client, day)
            else:
                self.leaving[departures[generation]].append(client)

    def outcome(self, client: int, site: int, day: int) -> float | None:
        """The booked client comes or not; return the service minutes if they came."""
        population, booking = self.population, self.config.booking
        generation, row, k = self.generation[client], self.row[client], self.contact[client] % self.contacts_bound
        municipality = self.municipality[client]
        has_car = self.has_car[row]
        travel_min = self.client_travel_min[site][municipality][int(has_car)]
        p_no_show = no_show_probability(
            self.config.attendance,
            travel_min,
            has_car,
            self.prior_no_shows[client],
            day - self.booked_on[client],
        )
        draw = population.attendance_u.item(row, k)
        if self.trace is not None:
            self.trace.append((client, generation, self.contact[client], draw))
        came = draw >= p_no_show
        now = self.env.now
        road_km = self.client_road_km[site][municipality]
        self.metrics.appointment(now, municipality, site, came, day - self.due_day[client], travel_min, road_km)
        self.contact[client] += 1
        self.booking[client] = None
        if came:
            self.prior_no_shows[client] = 0
            in_reach_window = self.window_generation is not None and self.window_generation[client] == generation
            if in_reach_window and self.metrics.in_window(now):
                self.reached[client] = True
            self.schedule_contact(client, day + self.interval_days[row])
            return population.service_min.item(row, k)
        self.prior_no_shows[client] += 1
        if self.prior_no_shows[client] >= booking.lost_after_no_shows:
            self.metrics.client_lost(now)
            self.prior_no_shows[client] = 0
            self.schedule_contact(client, day + booking.lost_recontact_days)
        else:
            self.schedule_contact(client, day + booking.reinvite_days)
        return None

    # -- the sites -----------------------------------------------------------------------------
    def site_sessions(self, index: int) -> Generator:
        """Hold the site's sessions one after another up to the horizon."""
        env, site, book = self.env, self.world.sites[index], self.books[index]
        config = self.config
        absence = bulk_draws(stream(self.seed, self.replication, "absence", site.key).random)
        walkins = stream(self.seed, self.replication, "walkins", site.key)
        spec = site.walkins
        interarrival = bulk_draws(walkins.exponential, 60.0 / spec.rate_per_hour) if spec.rate_per_hour else None
        service = service_draws(config.durations.walkin, walkins)
        patience = bulk_draws(walkins.exponential, spec.patience_min) if spec.patience_min else None
        office = self.office_of_site[index]
        for session, day in enumerate(book.days):
            if day >= config.horizon_days:
                return
            yield env.timeout(day * MINUTES_PER_DAY + site.open_min - env.now)
            staff = book.staff[session]
            # one draw per counsellor of the site, however many are present: the same sick days in
            # every scenario (common random numbers), whatever the rooms take from an office
            draws = [absence() for _ in range(max(site.counsellors, staff))]
            sick = [draw < config.staff.sick_rate for draw in draws[:staff]]
            arrivals = []
            for slot, client in enumerate(book.bookings[session]):
                if client < 0:
                    continue
                if sick[slot % staff]:
                    self.booking[client] = None
                    self.metrics.ledger["cancelled"] += 1
                    self.to_book[day + 1].append((client, self.generation[client]))
                else:
                    arrivals.append((day * MINUTES_PER_DAY + book.slot_time(session, slot), client, slot))
            present = staff - sum(sick)
            if present == 0:
                continue
            queue = ServiceQueue(env, self.metrics, index, office)
            queue.open_arrival_streams = 1 + (interarrival is not None)
            for _ in range(present):
                env.process(counsellor(queue, config.durations.documentation_min))
            env.process(self.booked_arrivals(queue, index, session, day, arrivals))
            if interarrival is not None:
                close_at = day * MINUTES_PER_DAY + site.close_min
                env.process(walkin_arrivals(queue, close_at, interarrival, service, patience, spec.balk_queue))

    def booked_arrivals(self, queue: ServiceQueue, site: int, session: int, day: int, arrivals: list) -> Generator:
        """Booked clients arrive at their slot times; those who come join the queue."""
        env, kept = self.env, 0
        for minute, client, slot in arrivals:
            if minute > env.now:
                yield env.timeout(minute - env.now)
            if self.booking[client] != (site, session, slot):  # cancelled since the session opened
                continue
            service_min = self.outcome(client, site, day)
            if service_min is not None:
                kept += 1
                queue.add_booked(service_min, self.municipality[client])
        place = self.world.sites[site]
        self.metrics.session_held(env.now, site, queue.office, kept, place.staff_travel_min, place.staff_travel_km)
        queue.arrivals_done()


def service_draws(spec: DurationConfig, rng: np.random.Generator) -> Callable[[], float]:
    """Walk-in service times in bulk from the site's stream."""
    if spec.distribution == "exponential":
        return bulk_draws(rng.exponential, spec.mean_min)
    if spec.distribution == "fixed":
        return bulk_draws(lambda value, size: np.full(size, value), spec.mean_min)
    sigma = float(np.sqrt(np.log1p(spec.cv**2)))
    return bulk_draws(rng.lognormal, float(np.log(spec.mean_min)) - sigma**2 / 2, sigma)
