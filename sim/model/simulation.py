"""One replication of a scenario: the kernel and the components that run on it.

The kernel holds the SimPy clock, the caseload (caseload.py), the appointment book with its one
cancel path (booking.py), the staff plan with blocked time (staff.py, prepared in the world) and
the monitor that counts KPIs (sim.kpi.monitor). Components register their processes in `start`:
the contact cycle (contacts.py), the sites' sessions (sites.py) and the offices' meetings
(staff.py), the vehicles' tours (vehicles.py), and, where a scenario has them, the courses
(courses.py) and the project teams' case conferences (conferences.py). A component is one module
with its processes, its random streams (registered by name, sim.model.streams) and its KPIs
(declared with sim.kpi.registry.declare, returned by its `kpis()` as ComponentKpis).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import simpy

from sim.district.calendar import MINUTES_PER_DAY
from sim.kpi.monitor import Metrics, RunResult
from sim.kpi.registry import COVERAGE_THRESHOLDS_MIN
from sim.model.booking import AppointmentBook
from sim.model.caseload import Caseload, draw_population
from sim.model.conferences import Conferences
from sim.model.contacts import ContactCycle
from sim.model.courses import Courses
from sim.model.sites import Sites
from sim.model.staff import Meetings
from sim.model.vehicles import Vehicles
from sim.model.world import World


class Component(Protocol):
    """A part of the model that runs processes on the kernel; one with KPIs of its own also has
    `kpis(self) -> ComponentKpis`, called after the run."""

    def start(self) -> None: ...


@dataclass
class ComponentKpis:
    """A component's KPIs of one replication, merged into the RunResult after the core's."""

    scenario: dict[str, float] = field(default_factory=dict)
    municipalities: dict[str, np.ndarray] = field(default_factory=dict)  # kpi -> value per municipality
    sites: dict[str, dict[str, float]] = field(default_factory=dict)  # place key -> kpi -> value


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
        self.contacts = contacts = ContactCycle(self)  # its measure_taken is the outcome hook of courses and teams
        sites = Sites(self, contacts)
        self.components: list[Component] = [contacts, sites, Vehicles(self, sites), Meetings(self)]
        if world.teams:
            self.components.append(Conferences(self))
        if world.courses:
            self.components.append(Courses(self))
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
        window_rows = np.asarray(self.caseload.window_row, dtype=int)
        result = self.metrics.result(
            world,
            self.caseload.reached,
            population.hard_to_reach[window_rows],
            coverage,
            config.nearly_empty_max,
            np.array(working_hours),
            np.array(counsellor_days),
        )
        for component in self.components:
            if hasattr(component, "kpis"):
                extra = component.kpis()
                result.kpis.update(extra.scenario)
                result.municipalities.update(extra.municipalities)
                for place, values in extra.sites.items():
                    result.sites.setdefault(place, {}).update(values)
        return result
