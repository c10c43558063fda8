"""Offices and municipal rooms: each site holds its sessions in turn, on its calendar.

At a session's opening the counsellors off sick that day (`staff.sick_rate`; not at a site open
day and night, which has no days) cancel their slots,
whose clients are rebooked the next day; the others serve one queue (sessions.py) fed by booked
clients arriving at their slot times and by Poisson walk-ins. A room's counsellors drive from
their base office and back; the drive is working time (staff.py blocks their day).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from sim.district.calendar import MINUTES_PER_DAY
from sim.model.distributions import duration_draws, exponential_draws, uniform_draws
from sim.model.sessions import ServiceQueue, counsellor, walkin_arrivals
from sim.model.streams import register_stream, stream

if TYPE_CHECKING:
    from sim.model.contacts import ContactCycle
    from sim.model.simulation import Simulation

WALKINS = register_stream("walkins", 3)
ABSENCE = register_stream("absence", 4)
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
        for session, day in enumerate(book.days):
            if day >= config.horizon_days:
                return
            yield env.timeout(day * MINUTES_PER_DAY + site.open_min - env.now)
            staff = book.staff[session]
            # one draw per counsellor of the site, however many are present: the same sick days in
            # every scenario (common random numbers), whatever the rooms take from an office
            draws = [absence() for _ in range(max(site.counsellors, staff))]
            sick = [draw < sick_rate for draw in draws[:staff]]
            arrivals = []
            for slot, client in enumerate(book.bookings[session]):
                if client < 0:
                    continue
                if sick[slot % staff]:
                    appointments.cancel(client, SICK, rebook_on=day + 1)
                else:
                    arrivals.append((day * MINUTES_PER_DAY + book.slot_time(session, slot), client, slot))
            present = staff - sum(sick)
            if present == 0:
                continue
            queue = ServiceQueue(env, simulation.metrics, index, office)
            queue.open_arrival_streams = 1 + (interarrival is not None)
            for _ in range(present):
                env.process(counsellor(queue, config.durations.documentation_min))
            env.process(self.booked_arrivals(queue, index, session, day, arrivals))
            if interarrival is not None:
                close_at = day * MINUTES_PER_DAY + site.close_min
                env.process(walkin_arrivals(queue, close_at, interarrival, service, patience, spec.balk_queue))

    def booked_arrivals(self, queue: ServiceQueue, site: int, session: int, day: int, arrivals: list) -> Generator:
        """Booked clients arrive at their slot times; those who come join the queue."""
        env, kept = self.simulation.env, 0
        booking, caseload = self.simulation.appointments.booking, self.simulation.caseload
        outcome = self.contacts.outcome
        for minute, client, slot in arrivals:
            if minute > env.now:
                yield env.timeout(minute - env.now)
            if booking[client] != (site, session, slot):  # cancelled since the session opened
                continue
            service_min = outcome(client, site, day)
            if service_min is not None:
                kept += 1
                queue.add_booked(service_min, caseload.municipality[client])
        place = self.simulation.world.sites[site]
        self.simulation.metrics.session_held(
            env.now, site, queue.office, kept, place.staff_travel_min, place.staff_travel_km
        )
        queue.arrivals_done()
