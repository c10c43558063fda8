"""One replication of a scenario: the kernel and the components that run on it.

The kernel holds the SimPy clock, the caseload (caseload.py), the appointment book with its one
cancel path (booking.py), the staff plan with blocked time (staff.py, prepared in the world) and
the monitor that counts KPIs (sim.kpi.monitor). Components register their processes in `start`:
the contact cycle (contacts.py), the sites' sessions (sites.py) and the offices' meetings
(staff.py), and the vehicles' tours (vehicles.py). A new component (a course, a case conference) is one more module
with its processes, its random streams (registered by name, sim.model.streams) and its KPIs
(declared in sim.kpi.registry, returned by its `kpis()`).
"""

from __future__ import annotations

import gc
from typing import Protocol

import numpy as np
import simpy

from sim.district.calendar import MINUTES_PER_DAY
from sim.kpi.monitor import Metrics, RunResult
from sim.kpi.registry import COVERAGE_THRESHOLDS_MIN
from sim.model.booking import AppointmentBook
from sim.model.caseload import Caseload, draw_population
from sim.model.contacts import ContactCycle
from sim.model.sites import Sites
from sim.model.staff import Meetings
from sim.model.vehicles import Vehicles
from sim.model.world import World


class Component(Protocol):
    """A part of the model that runs processes on the kernel."""

    def start(self) -> None: ...


class Simulation:
    """The state of one replication and the components whose processes change it."""

    def __init__(
        self, world: World, seed: int, replication: int, trace: list | None = None, events: list | None = None
    ) -> None:
        config = world.config
        self.world = world
        self.config = config
        self.seed, self.replication = seed, replication
        self.env = simpy.Environment()
        self.trace = trace  # attendance draws (contacts.py), for the CRN checks
        self.events = events  # what the vehicles do, when (vehicles.py), for the tour checks
        self.metrics = Metrics(
            len(world.region.names),
            len(world.sites),
            len(world.offices),
            config.warmup_days,
            config.horizon_days,
            len(world.vehicles),
        )
        self.caseload = Caseload(draw_population(config, world.client_counts, world.poor_connection, seed, replication))
        self.appointments = AppointmentBook(world, self.caseload, self.metrics)
        contacts = ContactCycle(self)
        sites = Sites(self, contacts)
        self.components: list[Component] = [contacts, sites, Vehicles(self, sites), Meetings(self)]
        for component in self.components:
            component.start()

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
        self.metrics.ledger["pending"], self.metrics.ledger["stale"] = self.appointments.pending(config.horizon_days)
        window = (config.warmup_days, config.horizon_days)
        working_hours = [world.staff.working_hours(office, *window) for office in world.offices]
        counsellor_days = [world.staff.counsellor_days(office, *window) for office in world.offices]
        has_car, hard = self.caseload.first_occupants()
        minutes = world.coverage_min[self.caseload.population.municipality, has_car.astype(int), hard.astype(int)]
        coverage = {
            limit: float((minutes <= limit).mean()) if minutes.size else np.nan for limit in COVERAGE_THRESHOLDS_MIN
        }
        population = self.caseload.population
        window_rows = population.first_row + np.asarray(self.caseload.window_generation, dtype=int)
        return self.metrics.result(
            world,
            self.caseload.reached,
            population.hard_to_reach[window_rows],
            coverage,
            config.nearly_empty_max,
            np.array(working_hours),
            np.array(counsellor_days),
        )
