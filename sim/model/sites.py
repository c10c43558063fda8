"""Offices and municipal rooms: each site holds its sessions in turn, on its calendar.

When a session's doors open (an hour before it does, for the earliest clients) the counsellors
off sick that day (`staff.sick_rate`; not at a site open day and night, which has no days)
cancel their slots, whose clients are rebooked the next day, as are the clients at a course
meeting or an interview that day (caseload.make_busy); whether each other booked client comes is
decided (attendance.py). The present counsellors serve one queue (sessions.py)
of the booked clients who come, arriving around their slot times (`clients.arrival_offset_*`,
early on average), and of Poisson walk-ins from the opening, all through the reception desk if
the site has one. A room's counsellors drive from their base office and back; the drive is
working time (staff.py blocks their day).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

from sim.district.calendar import MINUTES_PER_DAY
from sim.model.distributions import duration_draws, exponential_draws, uniform_draws
from sim.model.sessions import ServiceQueue, check_in, counsellor, walkin_arrivals
from sim.model.streams import register_stream, stream

if TYPE_CHECKING:
    from sim.model.contacts import ContactCycle
    from sim.model.simulation import Simulation
    from sim.model.world import Site

WALKINS = register_stream("walkins", 3)
ABSENCE = register_stream("absence", 4)
RECEPTION = register_stream("reception", 7)
SICK = "sick"  # the reason of a cancellation when the counsellor is off sick
BUSY = "busy"  # ... when the client is at a course meeting or an interview that day (caseload.make_busy)


def counsellor_absences(simulation: Simulation, entity: str, counsellors: int) -> list[Callable[[], float]]:
    """Sick-day draws of each counsellor of a site or vehicle crew, one stream each: counsellor i's
    draws are the same numbers in every scenario that has a counsellor i, however many others the
    site has (common random numbers when a scenario adds staff)."""
    seed, replication = simulation.seed, simulation.replication
    return [uniform_draws(stream(seed, replication, ABSENCE, f"{entity} {i}")) for i in range(counsellors)]


class SiteDraws:
    """A site's own random numbers: walk-ins (gaps, service, patience) and check-in times."""

    def __init__(self, simulation: Simulation, site: Site) -> None:
        seed, replication, config = simulation.seed, simulation.replication, simulation.config
        walkins = stream(seed, replication, WALKINS, site.key)
        spec = site.walkins
        self.interarrival = exponential_draws(walkins, 60.0 / spec.rate_per_hour) if spec.rate_per_hour else None
        self.service = duration_draws(config.durations.walkin, walkins)
        self.patience = exponential_draws(walkins, spec.patience_min) if spec.patience_min else None
        self.checkin = exponential_draws(stream(seed, replication, RECEPTION, site.key), site.checkin_min)


class Sites:
    """The sessions of every office and room of the scenario; a vehicle's stops hold theirs when
    the vehicle stands there (vehicles.py calls `hold`)."""

    def __init__(self, simulation: Simulation, contacts: ContactCycle) -> None:
        self.simulation = simulation
        self.contacts = contacts
        self.office_of_site = [simulation.world.offices.index(site.base_office) for site in simulation.world.sites]
        self.draws = [SiteDraws(simulation, site) for site in simulation.world.sites]

    def start(self) -> None:
        for index, site in enumerate(self.simulation.world.sites):
            if site.vehicle is None:
                self.simulation.env.process(self.sessions(index))

    def sessions(self, index: int) -> Generator:
        """Hold the site's sessions one after another up to the horizon."""
        simulation = self.simulation
        env, config = simulation.env, simulation.config
        site, book = simulation.world.sites[index], simulation.appointments.books[index]
        absences = counsellor_absences(simulation, site.key, site.counsellors)
        # sick days are days off: a site open day and night (the queueing checks) has no days
        sick_rate = 0.0 if site.always_open else config.staff.sick_rate
        for session, day in enumerate(book.days):
            if day >= config.horizon_days:
                return
            yield env.timeout(day * MINUTES_PER_DAY + site.doors_min - env.now)
            staff = book.staff[session]
            # one draw per counsellor of the site, however many are present: the same sick days in
            # every scenario (common random numbers), whatever the rooms take from an office
            draws = [absence() for absence in absences]
            self.hold(index, session, [draw < sick_rate for draw in draws[:staff]])

    def hold(
        self, index: int, session: int, sick: list[bool], trace: list | None = None, first_of_day: bool = True
    ) -> ServiceQueue | None:
        """Hold one session now (its doors are open, or the vehicle has come): the slots of the
        counsellors off sick are cancelled and rebooked the next day, whether each other booked
        client comes is decided, and the present counsellors start serving. Return the session's
        queue (None if nobody is present: the session is cancelled). A counsellor off sick counts
        once a day (`first_of_day`: a vehicle holds several sessions a day)."""
        simulation = self.simulation
        env, config, appointments = simulation.env, simulation.config, simulation.appointments
        caseload, metrics = simulation.caseload, simulation.metrics
        site, book, draws = simulation.world.sites[index], appointments.books[index], self.draws[index]
        day = book.days[session]
        midnight = day * MINUTES_PER_DAY
        staff = book.staff[session]
        outcome, came, busy = self.contacts.outcome, [], caseload.busy
        for slot, client in enumerate(book.bookings[session]):
            if client < 0:
                continue
            if sick[slot % staff]:
                appointments.cancel(client, SICK, rebook_on=day + 1)
                continue
            if busy and day in busy.get(client, ()):
                appointments.cancel(client, BUSY, rebook_on=day + 1)
                continue
            slot_minute = midnight + book.slot_time(session, slot)
            arrival = slot_minute + caseload.arrival_offset(client)
            service_min = outcome(client, index, day)  # whether they will come is known now
            if service_min is not None:
                came.append((arrival, slot_minute, service_min))
        present = staff - sum(sick)
        opens_at, close_at = midnight + book.opens[session], midnight + book.closes[session]
        office = self.office_of_site[index]
        metrics.session_opened(opens_at, close_at, office, present, staff - present if first_of_day else 0)
        if present == 0:
            metrics.session_cancelled(opens_at)
            return None
        metrics.session_held(opens_at, index, office, len(came), present, site.staff_travel_min, site.staff_travel_km)
        opens_at = max(opens_at, env.now)  # a vehicle that came late opens late
        walkins, spec = [], site.walkins
        if draws.interarrival is not None:  # the session's walk-ins, drawn in the order they come
            minute = opens_at
            while (gap := draws.interarrival()) + minute < close_at:
                minute += gap
                metrics.walkin_arrived(minute)
                leaves_at = minute + draws.patience() if draws.patience is not None else math.inf
                walkins.append((minute, draws.service(), leaves_at))
        booked, walkins = check_in(came, walkins, site.reception_clerks, draws.checkin)
        queue = ServiceQueue(env, metrics, office, booked, trace, counsellors=present)
        for _ in range(present):
            env.process(counsellor(queue, config.durations.documentation_min, opens_at))
        if draws.interarrival is not None:
            queue.open_arrival_streams = 1
            env.process(walkin_arrivals(queue, walkins, spec.balk_queue))
        return queue
