"""Staff: the counsellors of each office and the time blocked on their calendars.

An office plans with its counsellors net of leave (`staff.leave_share`). Time is blocked for
outreach duty (a room's counsellors are away from their office the whole working day, driving
there and back), for vehicle duty (the crew's whole tour day), for the weekly team meeting, and
for a course's staff and a project team's case conferences (planned by their components). A
session of an office is held by the counsellors not blocked during its hours. `Meetings` holds
the meetings during the run, and their time counts as meetings in the counsellors' time split; a
counsellor off sick on a session day cancels their slots (sites.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import ConfigError
from sim.config.schema import WEEKDAYS, ScenarioConfig
from sim.district.calendar import MINUTES_PER_DAY, clock_minutes, is_working_day

if TYPE_CHECKING:
    from sim.model.simulation import Simulation
    from sim.model.vehicles import VehiclePlan
    from sim.model.world import Site

OUTREACH, VEHICLE, MEETING = "outreach", "vehicle", "meeting"
COURSE, CONFERENCE = "course", "conference"  # a course's staff (courses.py), a project team (conferences.py)
REASON_WORDS = {
    OUTREACH: "outreach sessions",
    VEHICLE: "vehicle crews",
    MEETING: "team meetings",
    COURSE: "courses",
    CONFERENCE: "case conferences",
}


@dataclass(frozen=True)
class Block:
    """Counsellors of an office blocked for a period of a day."""

    office: str
    day: int
    start_min: int  # minutes after midnight
    end_min: int
    counsellors: int
    reason: str


def planned_present(counsellors: int, leave_share: float) -> int:
    """Counsellors an office plans with on a working day: its staff net of leave, rounded half up."""
    return math.floor(counsellors * (1.0 - leave_share) + 0.5)


class StaffPlan:
    """Each office's counsellors and their blocked time over the horizon (fixed before the run)."""

    def __init__(
        self,
        sites: list[Site],
        config: ScenarioConfig,
        holidays_off: frozenset[int] = frozenset(),
        vehicles: list[VehiclePlan] = (),
        blocks: list[Block] = (),
    ) -> None:
        staff = config.staff
        self.config = config
        self.holidays = holidays_off
        self.offices = {site.key: site for site in sites if site.kind == "office"}
        self.present = {key: planned_present(site.counsellors, staff.leave_share) for key, site in self.offices.items()}
        self.blocks: defaultdict[tuple[str, int], list[Block]] = defaultdict(list)
        workday = (clock_minutes(staff.workday_start), clock_minutes(staff.workday_end))
        for site in sites:
            if site.kind != "office" and site.vehicle is None:
                for day in site.days:
                    self.block(Block(site.base_office, day, *workday, site.counsellors, OUTREACH))
        for vehicle in vehicles:  # the crew's whole day, however many stops it holds
            for tour_day in vehicle.days:
                self.block(Block(vehicle.depot, tour_day.day, *workday, vehicle.counsellors, VEHICLE))
        for block in blocks:  # courses and case conferences, planned by their components
            self.block(block)
        self._check()
        if staff.meeting_hours_per_week > 0:
            start = clock_minutes(staff.meeting_start)
            end = start + round(staff.meeting_hours_per_week * 60)
            weekday = WEEKDAYS.index(staff.meeting_weekday)
            for key, site in self.offices.items():
                if site.always_open:
                    continue
                for day in site.days:
                    if day % 7 == weekday:
                        attendees = self.present[key] - self.blocked(key, day, start, end)
                        self.block(Block(key, day, start, end, attendees, MEETING))

    def block(self, block: Block) -> None:
        self.blocks[block.office, block.day].append(block)

    def blocked(self, office: str, day: int, start_min: int, end_min: int) -> int:
        """Counsellors of the office blocked at some time within [start_min, end_min) of the day."""
        return sum(
            block.counsellors
            for block in self.blocks.get((office, day), ())
            if block.start_min < end_min and start_min < block.end_min
        )

    def session_staff(self, site: Site) -> list[int]:
        """Counsellors holding each of a site's sessions: an office's present and unblocked staff;
        a room's or an always-open site's own counsellors."""
        if site.kind != "office" or site.always_open:
            return [site.counsellors] * len(site.days)
        present = self.present[site.key]
        return [present - self.blocked(site.key, day, site.open_min, site.close_min) for day in site.days]

    def meetings(self) -> list[Block]:
        return sorted(
            (block for blocks in self.blocks.values() for block in blocks if block.reason == MEETING),
            key=lambda block: (block.day, block.start_min, block.office),
        )

    def counsellor_days(self, office: str, first_day: int, last_day: int) -> int:
        """Days at work of the office's counsellors in [first_day, last_day), net of leave (before
        sick days); a site open day and night counts every day."""
        site = self.offices[office]
        if site.always_open:
            return site.counsellors * (last_day - first_day)
        days = sum(is_working_day(day, self.holidays) for day in range(first_day, last_day))
        return self.present[office] * days

    def working_hours(self, office: str, first_day: int, last_day: int) -> float:
        """Paid hours of the office's counsellors in [first_day, last_day), net of leave."""
        hours = 24.0 if self.offices[office].always_open else self.config.staff.hours_per_day
        return self.counsellor_days(office, first_day, last_day) * hours

    def _check(self) -> None:
        """Every office can staff, at every moment of a day, what blocks its counsellors then
        (outreach sessions, vehicle crews, courses and case conferences), and its own session keeps
        no fewer than none: every block that touches the session takes its counsellors from all of it."""
        session_days = {key: set(site.days) for key, site in self.offices.items() if not site.always_open}
        for (office, day), blocks in sorted(self.blocks.items()):
            away = max(self.blocked(office, day, block.start_min, block.start_min + 1) for block in blocks)
            site = self.offices[office]
            if day in session_days.get(office, ()):  # a session is held by those blocked at no time in it
                away = max(away, self.blocked(office, day, site.open_min, site.close_min))
            if away > self.present[office]:
                duties = sorted({REASON_WORDS[block.reason] for block in blocks})
                raise ConfigError(
                    f"sites.{office}.counsellors ({site.counsellors}, {self.present[office]} present net of"
                    f" staff.leave_share) cannot staff the {' and '.join(duties)} it serves at one time, which"
                    f" need {away}; raise it or move them to another office."
                )


class Meetings:
    """The weekly team meetings of every office, held during the run."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation

    def start(self) -> None:
        self.simulation.env.process(self.hold())

    def hold(self) -> Generator:
        env, metrics = self.simulation.env, self.simulation.metrics
        offices = self.simulation.world.offices
        for block in self.simulation.world.staff.meetings():
            begins = block.day * MINUTES_PER_DAY + block.start_min
            if begins >= metrics.end:
                return
            yield env.timeout(begins - env.now)
            counsellor_min = block.counsellors * (block.end_min - block.start_min)
            metrics.meeting_held(begins, offices.index(block.office), counsellor_min)
