"""Offices and municipal rooms: each site holds its sessions in turn, on its calendar.

When a session's doors open (an hour before it does, for the earliest clients) the counsellors
off sick that day (`staff.sick_rate`; not at a site open day and night, which has no days)
cancel their slots, whose clients are rebooked the next day, and whether each other booked
client comes is decided (attendance.py). The present counsellors serve one queue (sessions.py)
of the booked clients who come, arriving around their slot times (`clients.arrival_offset_*`,
early on average), and of Poisson walk-ins from the opening, all through the reception desk if
the site has one. A room's counsellors drive from their base office and back; the drive is
working time (staff.py blocks their day).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING

from sim.district.calendar import MINUTES_PER_DAY
from sim.model.distributions import duration_draws, exponential_draws, uniform_draws
from sim.model.sessions import ServiceQueue, check_in, counsellor, walkin_arrivals
from sim.model.streams import register_stream, stream

if TYPE_CHECKING:
    from sim.model.contacts import ContactCycle
    from sim.model.simulation import Simulation

WALKINS = register_stream("walkins", 3)
ABSENCE = register_stream("absence", 4)
RECEPTION = register_stream("reception", 7)
SICK = "sick"  # the reason of a cancellation when the counsellor is off sick


class Sites:
    """The sessions of every office and room of the scenario."""

    def __init__(self, simulation: Simulation, contacts: ContactCycle) -> None:
        self.simulation = simulation
        self.contacts = contacts
        self.office_of_site = [simulation.world.offices.index(site.base_office) for site in simulation.world.sites]

    def start(self) -> None:
        for index in range(len(self.simulation.world.sites)):
            self.simulation.env.process(self.sessions(index))

    def sessions(self, index: int) -> Generator:
        """Hold the site's sessions one after another up to the horizon."""
        simulation = self.simulation
        env, config, appointments = simulation.env, simulation.config, simulation.appointments
        caseload, metrics = simulation.caseload, simulation.metrics
        site, book = simulation.world.sites[index], appointments.books[index]
        seed, replication = simulation.seed, simulation.replication
        absence = uniform_draws(stream(seed, replication, ABSENCE, site.key))
        walkins = stream(seed, replication, WALKINS, site.key)
        spec = site.walkins
        interarrival = exponential_draws(walkins, 60.0 / spec.rate_per_hour) if spec.rate_per_hour else None
        service = duration_draws(config.durations.walkin, walkins)
        patience = exponential_draws(walkins, spec.patience_min) if spec.patience_min else None
        office = self.office_of_site[index]
        # sick days are days off: a site open day and night (the queueing checks) has no days
        sick_rate = 0.0 if site.always_open else config.staff.sick_rate
        checkin = exponential_draws(stream(seed, replication, RECEPTION, site.key), site.checkin_min)
        for session, day in enumerate(book.days):
            if day >= config.horizon_days:
                return
            midnight = day * MINUTES_PER_DAY
            yield env.timeout(midnight + site.doors_min - env.now)
            staff = book.staff[session]
            # one draw per counsellor of the site, however many are present: the same sick days in
            # every scenario (common random numbers), whatever the rooms take from an office
            draws = [absence() for _ in range(max(site.counsellors, staff))]
            sick = [draw < sick_rate for draw in draws[:staff]]
            outcome, came = self.contacts.outcome, []
            for slot, client in enumerate(book.bookings[session]):
                if client < 0:
                    continue
                if sick[slot % staff]:
                    appointments.cancel(client, SICK, rebook_on=day + 1)
                    continue
                slot_minute = midnight + book.slot_time(session, slot)
                arrival = slot_minute + caseload.arrival_offset(client)
                service_min = outcome(client, index, day)  # whether they will come is known now
                if service_min is not None:
                    came.append((arrival, slot_minute, service_min))
            present = staff - sum(sick)
            opens_at, close_at = midnight + site.open_min, midnight + site.close_min
            metrics.session_opened(opens_at, close_at, office, present, staff - present)
            if present == 0:
                continue
            metrics.session_held(
                opens_at, index, office, len(came), present, site.staff_travel_min, site.staff_travel_km
            )
            walkins = []
            if interarrival is not None:  # the session's walk-ins, drawn in the order they come
                minute = opens_at
                while (gap := interarrival()) + minute < close_at:
                    minute += gap
                    metrics.walkin_arrived(minute)
                    leaves_at = minute + patience() if patience is not None else math.inf
                    walkins.append((minute, service(), leaves_at))
            booked, walkins = check_in(came, walkins, site.reception_clerks, checkin)
            queue = ServiceQueue(env, metrics, office, booked)
            for _ in range(present):
                env.process(counsellor(queue, config.durations.documentation_min, opens_at))
            if interarrival is not None:
                queue.open_arrival_streams = 1
                env.process(walkin_arrivals(queue, walkins, spec.balk_queue))
