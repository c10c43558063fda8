"""Group courses: Jobcenter-internal projects run by an office's own counsellors (Kreis Borken).

Before any random number is drawn (`plan_courses`, called by world.py) each open course gets its
calendar: a run starts every `every_weeks` weeks from `first_week` (the first run no earlier than
`notice_days` after the start, so that its invitations give the full notice) and holds `meetings`
weekly meetings on the course's weekday (a public holiday moves the meeting on by a week). A course meets
in one municipality, or in several in turn (the "mobile" variant: each run in the next place). The
counsellors who run it are blocked on every meeting day of every planned run, for the meeting plus
the drive there and back when it meets outside their office's municipality (staff.py, reason
COURSE): their office's sessions on those hours have fewer counsellors, so there are fewer slots.
Place keys (sites.csv rows) must differ from each other and from the sites' and vehicles' keys.

During a run (`Courses`), for each run:
- `notice_days` before its first meeting the course invites `invite_factor` x its free seats
  (capacity less its waiting list) of the clients of its target group in the place's catchment
  who are in no course, on no waiting list, invited nowhere else and have not completed a course,
  in the order of a random priority the run gives every population row (an occupant's own number:
  one client more or less in the target group does not change the others' order); the invitations
  go out at 08:00, or at the meeting's start if that is earlier;
- at the first meeting every invitation is answered: accepted or declined with the attendance
  model's no-show probability (attendance.py: travel time to the meeting place by the client's
  own mode, car, the days from invitation to start as lead time, hard to reach) against the
  client's own draw (the run's answer number of its population row); a client who left the caseload meanwhile
  declines. Those on the place's waiting list take the first seats, then the new acceptors in
  invitation order, up to the capacity G; the rest wait for the place's next run. With fewer than
  `min_size` the run is postponed: nobody starts, all keep their place on the waiting list (in the
  mobile variant the place's next run comes after a full rotation);
- those invited and those waiting are busy on the first meeting day from the invitation on
  (caseload.make_busy: a regular appointment on such a day is moved to the next day), the
  participants on all the run's meeting days when it starts; those who decline or wait, and a
  dropout's remaining days, are freed (caseload.free);
- at each meeting each participant comes or not (the meeting's number of its population row, the
  same model, with the misses so far as prior no-shows and a week's lead); after `dropout_after`
  misses a participant drops out; a
  participant whose place in the caseload has a new occupant has left the caseload; those still
  there after the last meeting complete, and the measure takes effect (contacts.measure_taken).

The ledgers cover the whole run and add up in every replication: invited = accepted + declined
+ pending (unanswered at the end); accepted = started + waiting at the end + left while waiting;
participants = completed + dropped out + left the caseload + still in a course at the end.
KPIs count inside the measured window only, per course place (sites.csv rows `kind` course) and
for the scenario.

Staff time: every blocked course hour in the window is either used (course_staff_hours: meetings
that at least one participant came to, counted face to face in the time split through
metrics.group_held, and the drives to meetings with participants, metrics.staff_drove) or unused
(course_staff_hours_unused: every meeting day of a postponed run, meetings after the last
participant left, with the drive not made, and the meeting time of meetings nobody came to). Unused
time is recorded in the time split as blocked time (metrics.meeting_held, the meeting_hours
bucket): it is not case work, since the counsellors were away from their office's sessions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.config import ConfigError
from sim.config.schema import WEEKDAYS, ScenarioConfig
from sim.district.calendar import MINUTES_PER_DAY, clock_minutes
from sim.district.region import Region, name_key
from sim.district.travel import TravelTimes
from sim.kpi.registry import declare
from sim.model.attendance import no_show_probability
from sim.model.staff import COURSE, Block, planned_present
from sim.model.streams import register_stream, stream

if TYPE_CHECKING:
    from sim.model.simulation import ComponentKpis, Simulation

COMPONENT = "courses"
INVITATIONS = register_stream("course_invitations", 20)  # whom a run invites, and their answers
MEETINGS = register_stream("course_meetings", 21)  # who comes to each meeting
INVITE_MIN = 8 * 60  # invitations go out at 08:00 (or at an earlier meeting start)
WEEK_DAYS = 7
LEDGER = (
    "invited",
    "accepted",
    "declined",
    "pending",
    "started",
    "waiting",
    "left_waiting",
    "completed",
    "dropped_out",
    "left_caseload",
    "in_course",
)

COURSE_LEVELS = ("scenario", "site")
HOME_LEVELS = ("scenario", "municipality", "site")  # per municipality: where the participants live
declare(
    "course_participants",
    "count",
    "Kursteilnehmende (Beginn)",
    "course participants (started)",
    "higher",
    HOME_LEVELS,
    COMPONENT,
)
declare(
    "course_fill_rate", "share", "Auslastung der Kursplätze", "course seats filled", "higher", COURSE_LEVELS, COMPONENT
)
declare(
    "meeting_attendance_rate",
    "share",
    "Teilnahme an Kurstreffen",
    "course meeting attendance",
    "higher",
    COURSE_LEVELS,
    COMPONENT,
)
declare(
    "course_completion_rate",
    "share",
    "Anteil abgeschlossener Kursteilnahmen",
    "course completion rate",
    "higher",
    COURSE_LEVELS,
    COMPONENT,
)
declare(
    "course_completed",
    "count",
    "abgeschlossene Kursteilnahmen",
    "courses completed",
    "higher",
    HOME_LEVELS,
    COMPONENT,
)
declare(
    "days_to_course_start",
    "days",
    "Tage von der Einladung bis zum Kursbeginn",
    "days from invitation to course start",
    "lower",
    COURSE_LEVELS,
    COMPONENT,
)
declare(
    "course_staff_hours",
    "hours",
    "Arbeitszeit für Kurse (Treffen und Fahrt)",
    "staff time for courses (meetings and travel)",
    None,
    COURSE_LEVELS,
    COMPONENT,
)
declare(
    "course_staff_hours_unused",
    "hours",
    "blockierte, ungenutzte Kurszeit (verschobene oder leere Treffen)",
    "blocked course staff time unused (postponed or empty meetings)",
    "lower",
    COURSE_LEVELS,
    COMPONENT,
)
declare(
    "course_runs_postponed",
    "count",
    "verschobene Kursdurchgänge (zu wenige Zusagen)",
    "course runs postponed (too few accepted)",
    "lower",
    COURSE_LEVELS,
    COMPONENT,
)
declare(
    "course_waiting_list",
    "count",
    "Warteliste bei Kursbeginn (Mittel)",
    "waiting list at course start (mean)",
    None,
    COURSE_LEVELS,
    COMPONENT,
)
declare(
    "course_acceptance_rate",
    "share",
    "Anteil angenommener Kurseinladungen",
    "course invitations accepted",
    "higher",
    COURSE_LEVELS,
    COMPONENT,
)
declare(
    "course_travel_min",
    "minutes",
    "Fahrzeit der Teilnehmenden zum Kurs (einfach)",
    "participants' travel time to the course (one way)",
    "lower",
    COURSE_LEVELS,
    COMPONENT,
)
COURSE_KPIS = (
    "course_participants",
    "course_fill_rate",
    "meeting_attendance_rate",
    "course_completion_rate",
    "course_completed",
    "days_to_course_start",
    "course_staff_hours",
    "course_staff_hours_unused",
    "course_runs_postponed",
    "course_waiting_list",
    "course_acceptance_rate",
    "course_travel_min",
)


@dataclass
class CourseRun:
    """One planned run of a course: where it meets and its meeting days."""

    number: int
    place: int  # index into CoursePlan.places
    days: list[int]


@dataclass
class CoursePlace:
    """A municipality a course meets in, with the clients it invites there."""

    key: str  # its row in sites.csv: the course's key, or course.municipality for a rotating course
    municipality: int
    catchment: tuple[int, ...]  # home municipalities of the clients invited to its runs
    staff_travel_min: float  # one way from the office, by car (0 in the office's own municipality)
    staff_travel_km: float
    leaves_min: int = 0  # the staff's block on a meeting day: from leaving the office (whole minutes) ...
    back_min: int = 0  # ... to being back
    drive_min: int = 0  # the block's drive there and back (0 at the office): the staff time counted for it


@dataclass
class CoursePlan:
    """A course of the scenario with its calendar, fixed before the run."""

    key: str
    office: str
    staff: int
    capacity: int
    min_size: int
    start_min: int
    end_min: int
    target_group: str
    notice_days: int
    invite_factor: float
    dropout_after: int
    places: list[CoursePlace]
    runs: list[CourseRun] = field(default_factory=list)


def plan_courses(
    config: ScenarioConfig,
    region: Region,
    travel: TravelTimes,
    holidays_off: frozenset[int],
    last_day: int,
) -> tuple[list[CoursePlan], list[Block]]:
    """The open courses' calendars and the staff blocks of all their meeting days (validated config)."""
    plans, blocks = [], []
    taken = {key: f"the name of sites.{key}" for key in config.sites} | {
        key: f"the name of vehicles.{key}" for key in config.vehicles
    }  # place key -> what has it
    workday = (clock_minutes(config.staff.workday_start), clock_minutes(config.staff.workday_end))
    for key, course in config.courses.items():
        if not course.open:
            continue
        where = f"courses.{key}"
        office = config.sites[course.office]
        present = planned_present(office.counsellors, config.staff.leave_share)
        if course.staff > present:
            raise ConfigError(
                f"{where}.staff ({course.staff}) is more than the {present} counsellors office {course.office}"
                f" has present (sites.{course.office}.counsellors {office.counsellors} net of staff.leave_share);"
                f" lower it or give the office more counsellors."
            )
        home = region.index(office.municipality)
        extra = tuple(region.index(name) for name in course.catchment)
        places = []
        for name in course.places:
            m = region.index(name)
            own = tuple(
                c for o in region.offices if o.municipality == m and m == home for c in o.catchment if c != m
            )  # meeting at its office: the office's catchment (offices.csv) too
            places.append(
                CoursePlace(
                    key=key if len(course.places) == 1 else f"{key}.{name_key(region.names[m])}",
                    municipality=m,
                    catchment=tuple(dict.fromkeys((m, *own, *extra))),
                    staff_travel_min=float(travel.car_min[home, m]) if m != home else 0.0,
                    staff_travel_km=float(travel.road_km[home, m]) if m != home else 0.0,
                )
            )
        for place in places:
            if place.key in taken:
                raise ConfigError(
                    f"{where}: its place in {region.names[place.municipality]} would be named '{place.key}' in the"
                    f" results, {taken[place.key]}; rename the course (e.g. without '.')."
                )
            taken[place.key] = f"the name of a place of courses.{key}"
        start = clock_minutes(course.start)
        end = start + round(course.hours * 60)
        for place in places:
            leaves, back = start - place.staff_travel_min, end + place.staff_travel_min
            if leaves < workday[0] or back > workday[1]:
                raise ConfigError(
                    f"{where}: a meeting in {region.names[place.municipality]} ({course.start}, {course.hours} h)"
                    f" with the staff's drive from office {course.office} ({place.staff_travel_min:.0f} min each way)"
                    f" does not fit into the working day {config.staff.workday_start}-{config.staff.workday_end}."
                )
            place.leaves_min = round(start - place.staff_travel_min)
            place.back_min = round(end + place.staff_travel_min)
            place.drive_min = place.back_min - place.leaves_min - (end - start)
        plan = CoursePlan(
            key=key,
            office=course.office,
            staff=course.staff,
            capacity=course.capacity,
            min_size=course.min_size,
            start_min=start,
            end_min=end,
            target_group=course.target_group,
            notice_days=course.notice_days,
            invite_factor=course.invite_factor,
            dropout_after=course.dropout_after,
            places=places,
        )
        weekday = WEEKDAYS.index(course.weekday)
        planned = course.first_week * WEEK_DAYS + weekday
        free_from = course.notice_days  # the first run gives full notice; the next starts after the previous one
        number = 0
        while planned < last_day:
            day = max(planned, free_from)
            while day % WEEK_DAYS != weekday:
                day += 1
            days = []
            while len(days) < course.meetings and day < last_day:
                if day not in holidays_off:
                    days.append(day)
                day += WEEK_DAYS
            if len(days) < course.meetings:
                break  # a run that would end beyond the booking look-ahead is not planned
            plan.runs.append(CourseRun(number, number % len(places), days))
            place = places[number % len(places)]
            for meeting in days:
                blocks.append(Block(course.office, meeting, place.leaves_min, place.back_min, course.staff, COURSE))
            free_from = days[-1] + 1
            number += 1
            planned += course.every_weeks * WEEK_DAYS
        if not any(run.days[0] < config.horizon_days for run in plan.runs):
            raise ConfigError(
                f"{where} has no run that starts within the run (horizon_days {config.horizon_days}, first_week"
                f" {course.first_week}); start it earlier, or set its open: false."
            )
        plans.append(plan)
    return plans, blocks


@dataclass
class _Participation:
    client: int
    generation: int
    invited_day: int
    missed: int = 0


@dataclass
class _PlaceCount:
    """What happened at one course place inside the measured window."""

    runs_due: int = 0
    seats: int = 0  # capacity x runs due
    runs_postponed: int = 0
    started: int = 0
    waiting_at_start: int = 0
    days_to_start: float = 0.0
    travel_min: float = 0.0
    expected: int = 0  # participant-meetings
    attended: int = 0
    completed: int = 0
    ended: int = 0  # participations that ended: completed, dropped out or left
    accepted: int = 0
    answered: int = 0
    staff_min: float = 0.0  # used: meetings with participants there, drives to meetings with participants
    unused_min: float = 0.0  # blocked but unused: postponed runs, meetings with nobody there


class Courses:
    """Every course's runs, held during the run."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        world = simulation.world
        self.plans: list[CoursePlan] = world.courses
        self.ledger = dict.fromkeys(LEDGER, 0)
        self.engaged: dict[int, int] = {}  # client slot -> generation: invited, waiting or in a course
        self.completed: set[tuple[int, int]] = set()  # (slot, generation) who completed a course
        self.waiting: dict[str, list[_Participation]] = defaultdict(list)  # place key -> accepted, in order
        self.pending: dict[tuple[str, int], list[_Participation]] = {}  # (course, run) -> unanswered
        self.in_course: dict[tuple[str, int], list[_Participation]] = {}  # (course, run) -> participants
        self.count = {place.key: _PlaceCount() for plan in self.plans for place in plan.places}
        self.max_in_course = 0  # the most participants any run held (the capacity check)
        # (what, course, run, day, ...): meetings held, runs postponed, each answer and attendance
        self.events: list[tuple] = []
        self.by_municipality = [np.flatnonzero(world.client_municipality == m) for m in range(len(world.region.names))]
        self.home_started = np.zeros(len(world.region.names))  # in the window, by home municipality
        self.home_completed = np.zeros(len(world.region.names))
        self.n_rows = len(simulation.caseload.has_car)  # population rows, the reserve included

    def start(self) -> None:
        for plan in self.plans:
            for run in plan.runs:  # a run invited before the horizon (its answers may be pending at the end)
                if run.days[0] - plan.notice_days < self.simulation.config.horizon_days:
                    self.simulation.env.process(self.hold(plan, run))

    def hold(self, plan: CoursePlan, run: CourseRun) -> Generator:
        simulation = self.simulation
        env, metrics, caseload = simulation.env, simulation.metrics, simulation.caseload
        place = plan.places[run.place]
        count = self.count[place.key]
        office = simulation.world.offices.index(plan.office)
        # every number is an occupant's own: indexed by its population row, drawn for all rows in a
        # fixed order (priority, answers, then one array per meeting), whoever is invited or comes
        rng = stream(simulation.seed, simulation.replication, INVITATIONS, f"{plan.key} run {run.number}")
        attendance = stream(simulation.seed, simulation.replication, MEETINGS, f"{plan.key} run {run.number}")
        invite_day = max(0, run.days[0] - plan.notice_days)
        yield env.timeout(invite_day * MINUTES_PER_DAY + min(INVITE_MIN, plan.start_min) - env.now)
        invited = self.invite(plan, run, place, invite_day, rng.random(self.n_rows))
        self.pending[plan.key, run.number] = invited
        for participation in (*self.waiting.get(place.key, ()), *invited):  # expected at the first meeting
            if caseload.generation[participation.client] == participation.generation:
                caseload.make_busy(participation.client, run.days[0])
        first = run.days[0] * MINUTES_PER_DAY + plan.start_min
        yield env.timeout(first - env.now)
        # the answers, in invitation order (each client's own draw, whether or not it is still there)
        del self.pending[plan.key, run.number]
        accepted = []
        answers = rng.random(self.n_rows)
        for participation in invited:
            client = participation.client
            here = caseload.generation[client] == participation.generation
            lead = run.days[0] - participation.invited_day
            yes = here and answers.item(caseload.row[client]) >= self.decline_probability(client, place, lead)
            self.events.append(("answer", plan.key, run.number, run.days[0], client, participation.generation, yes))
            if yes:
                accepted.append(participation)
                self.ledger["accepted"] += 1
            else:
                self.ledger["declined"] += 1
                self.release(participation)
                if here:
                    caseload.free(client, run.days[0])
        in_window = metrics.in_window(first)
        if in_window:
            count.answered += len(invited)
            count.accepted += len(accepted)
            count.runs_due += 1
        queue = []
        for participation in self.waiting.pop(place.key, []) + accepted:
            if caseload.generation[participation.client] == participation.generation:
                queue.append(participation)
            else:  # left the caseload while on the waiting list
                self.ledger["left_waiting"] += 1
                self.release(participation)
        if in_window:
            count.seats += plan.capacity
        if len(queue) < plan.min_size:  # postponed: all keep their place; the blocked staff time is unused
            self.waiting[place.key] = queue
            for participation in queue:
                caseload.free(participation.client, run.days[0])
            if in_window:
                count.runs_postponed += 1
                count.waiting_at_start += len(queue)
            for day in run.days:
                self.unused(plan, place, office, count, day)
            if simulation.events is not None:
                simulation.events.append(("course_postponed", plan.key, run.number, run.days[0], len(queue)))
            self.events.append(("postponed", plan.key, run.number, run.days[0], len(queue)))
            return
        participants, self.waiting[place.key] = queue[: plan.capacity], queue[plan.capacity :]
        self.ledger["started"] += len(participants)
        self.ledger["in_course"] += len(participants)
        self.max_in_course = max(self.max_in_course, len(participants))
        self.in_course[plan.key, run.number] = participants
        self.events.append(("started", plan.key, run.number, run.days[0], len(participants)))
        for participation in participants:  # at the course on its meeting days, not at an appointment
            for day in run.days:
                caseload.make_busy(participation.client, day)
        for participation in self.waiting[place.key]:
            caseload.free(participation.client, run.days[0])
        if in_window:
            count.started += len(participants)
            count.waiting_at_start += len(self.waiting[place.key])
            for participation in participants:
                self.home_started[caseload.municipality[participation.client]] += 1
                count.days_to_start += run.days[0] - participation.invited_day
                count.travel_min += self.travel_min(participation.client, place)
        meeting_min = plan.end_min - plan.start_min
        for meeting, day in enumerate(run.days):
            begins = day * MINUTES_PER_DAY + plan.start_min
            if begins >= metrics.end:
                return  # the run goes on after the horizon: its participants are still in the course
            if env.now < begins:
                yield env.timeout(begins - env.now)
            counted = metrics.in_window(begins)
            draws = attendance.random(self.n_rows)
            enrolled = []
            for participation in participants:
                if caseload.generation[participation.client] != participation.generation:
                    self.end(participation, "left_caseload", count, counted)
                else:
                    enrolled.append(participation)
            if not enrolled:  # nobody left in the course: the meeting and the drive do not take place
                self.unused(plan, place, office, count, day)
                participants = enrolled
                self.in_course[plan.key, run.number] = participants
                self.events.append(("meeting", plan.key, run.number, day, meeting, 0, 0, 0))
                continue
            if place.drive_min > 0:
                metrics.staff_drove(
                    begins - place.staff_travel_min, office, place.drive_min * plan.staff, 2 * place.staff_travel_km
                )
            if counted:
                count.staff_min += plan.staff * place.drive_min
            staying = []
            came_here = 0
            for participation in enrolled:
                client = participation.client
                row = caseload.row[client]
                p_miss = no_show_probability(
                    simulation.config.attendance,
                    self.travel_min(client, place),
                    caseload.has_car[row],
                    participation.missed,
                    WEEK_DAYS,
                    caseload.hard_to_reach[row],
                )
                came = draws.item(row) >= p_miss
                came_here += came
                self.events.append(("came", plan.key, run.number, day, client, participation.generation, came))
                if counted:
                    count.expected += 1
                    count.attended += came
                if not came:
                    participation.missed += 1
                    if participation.missed >= plan.dropout_after:
                        self.end(participation, "dropped_out", count, counted)
                        for later in run.days[meeting + 1 :]:
                            caseload.free(client, later)
                        continue
                staying.append(participation)
            if came_here:  # face to face with those who came
                metrics.group_held(begins, office, plan.staff * meeting_min)
                if counted:
                    count.staff_min += plan.staff * meeting_min
            else:  # nobody came: the meeting time was blocked for nothing
                metrics.meeting_held(begins, office, plan.staff * meeting_min)
                if counted:
                    count.unused_min += plan.staff * meeting_min
            participants = staying
            self.in_course[plan.key, run.number] = participants
            self.events.append(
                ("meeting", plan.key, run.number, day, meeting, came_here, len(participants), len(enrolled))
            )
        last = run.days[-1]
        for participation in participants:
            client = participation.client
            if caseload.generation[client] != participation.generation:
                self.end(participation, "left_caseload", count, metrics.in_window(env.now))
                continue
            self.completed.add((client, participation.generation))
            self.end(participation, "completed", count, metrics.in_window(env.now))
            simulation.contacts.measure_taken(client, last)
        del self.in_course[plan.key, run.number]

    def unused(self, plan: CoursePlan, place: CoursePlace, office: int, count: _PlaceCount, day: int) -> None:
        """A meeting day's blocked staff time nobody used: the meeting and the drive, not made."""
        begins = day * MINUTES_PER_DAY + plan.start_min
        minutes = plan.staff * (plan.end_min - plan.start_min + place.drive_min)
        self.simulation.metrics.meeting_held(begins, office, minutes)
        if self.simulation.metrics.in_window(begins):
            count.unused_min += minutes

    def release(self, participation: _Participation) -> None:
        """The client is no longer invited, waiting or in a course: free for another invitation."""
        if self.engaged.get(participation.client) == participation.generation:
            del self.engaged[participation.client]

    def end(self, participation: _Participation, how: str, count: _PlaceCount, counted: bool) -> None:
        """A participation ends: completed, dropped out, or the client left the caseload."""
        self.ledger[how] += 1
        self.ledger["in_course"] -= 1
        self.release(participation)
        if counted:
            count.ended += 1
            count.completed += how == "completed"
            if how == "completed":
                self.home_completed[self.simulation.caseload.municipality[participation.client]] += 1

    def invite(
        self, plan: CoursePlan, run: CourseRun, place: CoursePlace, day: int, priority: np.ndarray
    ) -> list[_Participation]:
        """The run's invitations: free seats x invite_factor of the target group in the catchment who
        are free, lowest priority (a number per population row) first."""
        caseload = self.simulation.caseload
        free = plan.capacity - len(self.waiting.get(place.key, ()))
        wanted = math.ceil(plan.invite_factor * free) if free > 0 else 0
        invited: list[_Participation] = []
        if wanted == 0:
            return invited
        candidates = np.concatenate([self.by_municipality[m] for m in place.catchment])
        rows = np.array(caseload.row)[candidates] if len(candidates) else candidates
        order = candidates[np.argsort(priority[rows], kind="stable")] if len(candidates) else candidates
        generation = caseload.generation
        for client in order.tolist():
            if len(invited) >= wanted:
                break
            occupant = generation[client]
            if self.engaged.get(client) == occupant or (client, occupant) in self.completed:
                continue
            if not caseload.in_target_group(client, plan.target_group, day):
                continue
            self.engaged[client] = occupant
            invited.append(_Participation(client, occupant, day))
        self.ledger["invited"] += len(invited)
        return invited

    def travel_min(self, client: int, place: CoursePlace) -> float:
        """The client's one-way travel to the meeting place by own mode (a car, else the bus)."""
        caseload, travel = self.simulation.caseload, self.simulation.world.travel
        home = caseload.municipality[client]
        if caseload.has_car[caseload.row[client]]:
            return float(travel.car_min[home, place.municipality])
        return float(travel.pt_min[home, place.municipality])

    def decline_probability(self, client: int, place: CoursePlace, lead_days: int) -> float:
        """The chance the client declines an invitation `lead_days` before the first meeting."""
        caseload = self.simulation.caseload
        row = caseload.row[client]
        return no_show_probability(
            self.simulation.config.attendance,
            self.travel_min(client, place),
            caseload.has_car[row],
            0,
            lead_days,
            caseload.hard_to_reach[row],
        )

    def final_ledger(self) -> dict[str, int]:
        """The ledger at the horizon: unanswered invitations are pending."""
        ledger = dict(self.ledger)
        ledger["pending"] = sum(len(invited) for invited in self.pending.values())
        ledger["waiting"] = sum(len(queue) for queue in self.waiting.values())
        return ledger

    def kpis(self) -> ComponentKpis:
        from sim.model.simulation import ComponentKpis

        sites = {key: place_kpis([count]) for key, count in self.count.items()}
        homes = {"course_participants": self.home_started.copy(), "course_completed": self.home_completed.copy()}
        return ComponentKpis(scenario=place_kpis(list(self.count.values())), municipalities=homes, sites=sites)


def place_kpis(counts: list[_PlaceCount]) -> dict[str, float]:
    """The course KPIs of one place, or of several summed (the scenario)."""

    def total(name: str) -> float:
        return float(sum(getattr(count, name) for count in counts))

    def ratio(numerator: str, denominator: str) -> float:
        low = total(denominator)
        return total(numerator) / low if low else math.nan

    started = total("started")
    return {
        "course_participants": started,
        "course_fill_rate": ratio("started", "seats"),
        "meeting_attendance_rate": ratio("attended", "expected"),
        "course_completion_rate": ratio("completed", "ended"),
        "course_completed": total("completed"),
        "days_to_course_start": ratio("days_to_start", "started"),
        "course_staff_hours": total("staff_min") / 60.0,
        "course_staff_hours_unused": total("unused_min") / 60.0,
        "course_runs_postponed": total("runs_postponed"),
        "course_waiting_list": ratio("waiting_at_start", "runs_due"),
        "course_acceptance_rate": ratio("accepted", "answered"),
        "course_travel_min": ratio("travel_min", "started"),
    }
