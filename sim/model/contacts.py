"""The clients' contact cycle: the booking desk each morning, and what follows an appointment.

Every morning clients who left the caseload are replaced by newcomers, due at once; on working
days the desk books every contact that fell due (booking.py). A booked client comes or not
(attendance.py): kept -> the next contact falls due one interval later; no-show -> a
re-invitation after `booking.reinvite_days`, and after K no-shows in a row the client counts as
lost and is tried again after `booking.lost_recontact_days`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from sim.district.calendar import MINUTES_PER_DAY, is_working_day
from sim.model.attendance import no_show_probability
from sim.model.booking import DESK_OPENS_MIN

if TYPE_CHECKING:
    from sim.model.simulation import Simulation

TURNOVER = "turnover"  # the reason of a cancellation when the client leaves the caseload


class ContactCycle:
    """The desk and the outcome of each appointment, for every client of the caseload."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        self.env = simulation.env
        self.config = simulation.config
        self.caseload = simulation.caseload
        self.appointments = simulation.appointments
        self.metrics = simulation.metrics
        self.trace = simulation.trace
        world = simulation.world
        # as nested lists, for fast lookup: [site][municipality][car] and [site][municipality]
        self.client_travel_min = simulation.appointments.travel_min
        sites_at = [site.municipality for site in world.sites]
        self.client_road_km = world.travel.road_km[:, sites_at].T.tolist()

    def start(self) -> None:
        self.env.process(self.desk())
        self.env.process(self.open_window())

    def open_window(self) -> Generator:
        """At the end of the warm-up, fix whose reach is measured: the clients present then."""
        yield self.env.timeout(self.metrics.start)
        self.caseload.window_generation = list(self.caseload.generation)

    def desk(self) -> Generator:
        """At the start of each day: clients who left are replaced; on working days, due contacts are booked."""
        env, caseload, appointments = self.env, self.caseload, self.appointments
        generation, booking = caseload.generation, appointments.booking
        holidays_off = self.simulation.world.holidays
        next_due = 0
        for day in range(self.config.horizon_days):
            yield env.timeout(day * MINUTES_PER_DAY + DESK_OPENS_MIN - env.now)
            for client in caseload.leaving.pop(day, ()):
                self.replace(client, day)
            if is_working_day(day, holidays_off):
                for due in range(next_due, day + 1):
                    for client, occupant in caseload.to_book.pop(due, ()):
                        if generation[client] == occupant and booking[client] is None:
                            appointments.book(client, day)
                next_due = day + 1

    def replace(self, client: int, day: int) -> None:
        """The client leaves the caseload (for work, or another exit); a new client takes the place."""
        caseload = self.caseload
        for_work = caseload.population.leaves_for_work.item(caseload.row[client])
        self.metrics.client_left(day * MINUTES_PER_DAY, caseload.municipality[client], for_work)
        if self.appointments.booking[client] is not None:
            self.appointments.cancel(client, TURNOVER, today=day)
        generation = caseload.generation[client] = caseload.generation[client] + 1
        caseload.row[client] += 1
        caseload.contact[client] = 0
        caseload.prior_no_shows[client] = 0
        caseload.schedule_contact(client, day)
        departures = caseload.population.departures[client]
        if generation < len(departures):
            if departures[generation] <= day:  # the newcomer leaves the same day too
                self.replace(client, day)
            else:
                caseload.leaving[departures[generation]].append(client)

    def outcome(self, client: int, site: int, day: int) -> float | None:
        """The booked client comes or not; return the service minutes if they came."""
        caseload, booking = self.caseload, self.config.booking
        population = caseload.population
        generation, row = caseload.generation[client], caseload.row[client]
        k = caseload.contact[client] % caseload.contacts_bound
        municipality = caseload.municipality[client]
        has_car, hard = caseload.has_car[row], caseload.hard_to_reach[row]
        travel_min = self.client_travel_min[site][municipality][int(has_car)]
        p_no_show = no_show_probability(
            self.config.attendance,
            travel_min,
            has_car,
            caseload.prior_no_shows[client],
            day - caseload.booked_on[client],
            hard,
        )
        draw = population.attendance_u.item(row, k)
        if self.trace is not None:
            self.trace.append((client, generation, caseload.contact[client], draw))
        came = draw >= p_no_show
        now = self.env.now
        road_km = self.client_road_km[site][municipality]
        self.metrics.appointment(
            now, municipality, site, came, day - caseload.due_day[client], travel_min, road_km, hard
        )
        caseload.contact[client] += 1
        self.appointments.booking[client] = None
        if came:
            caseload.prior_no_shows[client] = 0
            if self.metrics.in_window(now):
                self.metrics.site_clients[site].add((client, generation))
            window = caseload.window_generation
            if window is not None and window[client] == generation and self.metrics.in_window(now):
                caseload.reached[client] = True
            # the next contact falls due on the client's plan, an interval after this one fell due
            # (the contact density of domain.md s.3.3), and never before tomorrow
            caseload.schedule_contact(client, max(caseload.due_day[client] + caseload.interval_days[row], day + 1))
            return population.service_min.item(row, k)
        caseload.prior_no_shows[client] += 1
        if caseload.prior_no_shows[client] >= booking.lost_after_no_shows:
            self.metrics.client_lost(now)
            caseload.prior_no_shows[client] = 0
            caseload.schedule_contact(client, day + booking.lost_recontact_days)
        else:
            caseload.schedule_contact(client, day + booking.reinvite_days)
        return None
