"""The clients' contact cycle: the booking desk each morning, and what follows an appointment.

Every morning clients who left the caseload are replaced by newcomers, due at once; on working
days the desk books every contact that fell due (booking.py). A booked client comes or not
(attendance.py): kept -> the next contact falls due one interval later; no-show -> a
re-invitation after `booking.reinvite_days`, and after K no-shows in a row the client counts as
lost and is tried again after `booking.lost_recontact_days`.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING

from sim.district.calendar import MINUTES_PER_DAY, is_working_day
from sim.model.attendance import no_show_probability
from sim.model.booking import DESK_OPENS_MIN
from sim.model.caseload import RESERVES

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
        self.caseload.window_row = list(self.caseload.row)

    def desk(self) -> Generator:
        """At the start of each day: clients who left are replaced; on working days, due contacts are booked."""
        env, caseload, appointments = self.env, self.caseload, self.appointments
        generation, booking = caseload.generation, appointments.booking
        holidays_off = self.simulation.world.holidays
        next_due = 0
        for day in range(self.config.horizon_days):
            yield env.timeout(day * MINUTES_PER_DAY + DESK_OPENS_MIN - env.now)
            for client, occupant in caseload.leaving.pop(day, ()):
                if generation[client] == occupant and caseload.leaves_on[client] == day:
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
        row = caseload.row[client]
        self.metrics.client_left(
            day * MINUTES_PER_DAY,
            caseload.municipality[client],
            bool(caseload.to_work.item(row)),
            caseload.days_on_benefits(client, day),
        )
        if self.appointments.booking[client] is not None:
            self.appointments.cancel(client, TURNOVER, today=day)
        generation = caseload.generation[client] = caseload.generation[client] + 1
        caseload.busy.pop(client, None)
        population = caseload.population
        occupants = population.occupants.item(client)
        if generation < occupants:
            caseload.row[client] += 1
        else:  # measures brought the slot's exits forward: a reserve occupant comes
            caseload.row[client] = population.reserve_row.item(client) + generation - occupants
        caseload.entered[client] = day
        caseload.contact[client] = 0
        caseload.prior_no_shows[client] = 0
        caseload.schedule_contact(client, day)
        caseload.leaves_on[client] = None  # the slot's last reserve stays to the end
        if generation < occupants + RESERVES - 1:
            leaves = (*population.departures[client], *population.later[client])[generation] - caseload.shift[client]
            caseload.leaves_on[client] = leaves
            if leaves <= day:  # the newcomer leaves the same day too
                self.replace(client, day)
            elif leaves < self.config.horizon_days:
                caseload.leaving[leaves].append((client, generation))

    def measure_taken(self, client: int, day: int) -> None:
        """A measure (a completed course, a measure agreed after a case conference) multiplies the
        current occupant's hazard of leaving for work by `clients.measure_hazard_factor` from `day`
        on, once per occupant.

        The stays are exponential, so from `day` the occupant's exit is the earlier of the exit it
        had (hazard 1 / mean stay) and an extra exit to work at the added hazard (factor - 1) x
        work share / mean stay, drawn from the occupant's own number (`measure_u`): competing risks
        with the right total hazard, and with factor 1 nothing changes. An exit brought forward
        brings the slot's later occupants forward by as many days (their stays unchanged, those that
        were past the horizon included: the reserve occupants); the slot's last reserve stays to
        the end, and a measure for it changes nothing."""
        caseload, clients = self.caseload, self.config.clients
        row = caseload.row[client]
        if caseload.measured[row]:
            return
        caseload.measured[row] = True
        extra_per_day = (clients.measure_hazard_factor - 1.0) * clients.work_share_of_exits / clients.mean_stay_days
        if extra_per_day <= 0.0:
            return
        leaves = max(day + 1, int(day - math.log(caseload.population.measure_u.item(row)) / extra_per_day))
        current = caseload.leaves_on[client]
        if current is None or leaves >= min(current, self.config.horizon_days):
            return  # the last reserve, or the exit it had comes first, or neither comes within the horizon
        caseload.shift[client] += current - leaves
        caseload.leaves_on[client] = leaves
        caseload.to_work[row] = True
        caseload.leaving[leaves].append((client, caseload.generation[client]))

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
