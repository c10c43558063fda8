"""Case conferences: project teams that review a pilot municipality's cases every week (Kreis Bergstraße).

Neue Wege set up a project team for each of its pilot municipalities Zwingenberg, Biblis and
Grasellenbach; the teams held weekly case conferences on single Bedarfsgemeinschaften, each
followed by a personal interview with the client and an agreed measure (regions.md s.5, seed
004). A client of the model stands for one Bedarfsgemeinschaft (an assumption).

Before the run (`plan_teams`, called by world.py) a team is T counsellors of one office (by
default the office whose catchment, offices.csv, lists the municipality). Its weekly conference
(H hours) and its weekly interview hours (`interviewers` members; where the interview is held in
the municipality, with the drive there and back) are blocked time of the office's staff
(staff.py): a blocked counsellor holds none of the office's sessions that overlap the block, the
whole session, so the office has fewer slots and waiting may rise for everyone it serves. On
a day with both, the conference and the interview hours are the same people: the team's members
are blocked once, from the first start to the last end (an assumption; a conference overlapping
the interview hours is refused).

During the run (`Conferences`) each conference reviews up to M cases of the municipality's
target group whose current occupant was never reviewed: those with the lowest priority, a
uniform number fixed per team and occupant (population row) from the team's own stream, so that
one candidate more or less does not change which of the others are chosen (common random
numbers). Each reviewed case is invited to the team's first free interview slot at least
`notice_days` ahead and within D days of the review (none free: closed without interview); the
client is busy that day (`caseload.make_busy`: a regular appointment that day is moved). The
client comes or not (the attendance model, with the travel time to the interview place), and a
measure is agreed with probability p, from uniforms fixed per team, occupant and invitation; a
no-show is invited again while inside D days, else the case is closed; a client who has left the
caseload by the interview closes the case. An agreed measure: `ContactCycle.measure_taken` raises
the client's hazard to work. Every reviewed case is interviewed, waiting or closed (`ledger`,
counted as the events happen). Sickness of team members is not modelled: the conference and the
interview hours are held every week as planned, like a room's consultation hours, whether or not
anyone is booked (an assumption): the interview hours count as consultation hours, face to face
for each interview held, idle for the rest, and an away team drives there every week.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.config import ConfigError
from sim.config.schema import WEEKDAYS, CalendarConfig, ScenarioConfig
from sim.district.calendar import MINUTES_PER_DAY, clock_minutes, clock_text, session_days
from sim.kpi.registry import declare
from sim.model.attendance import no_show_probability
from sim.model.caseload import TARGET_GROUPS
from sim.model.staff import CONFERENCE, Block, planned_present
from sim.model.streams import register_stream, stream

if TYPE_CHECKING:
    from sim.district.region import Region
    from sim.district.travel import TravelTimes
    from sim.model.simulation import ComponentKpis, Simulation
    from sim.model.world import Site

COMPONENT = "conferences"
INTERVIEW_PLACES = ("office", "municipality")
CASES = register_stream("conference cases", 30)  # which cases a conference reviews
INTERVIEWS = register_stream("conference interviews", 31)  # attendance at interviews, measures agreed

PLACES = ("scenario", "municipality")
declare(
    "conference_hours",
    "hours",
    "Fallkonferenzen: Arbeitszeit der Teammitglieder",
    "case conferences: team members' working time",
    None,
    PLACES,
    COMPONENT,
)
declare(
    "interview_hours",
    "hours",
    "Gesprächszeit der Projektteams (geblockt, mit Fahrt)",
    "project teams' interview hours (blocked, with the drive)",
    None,
    PLACES,
    COMPONENT,
)
declare(
    "sessions_missed",
    "count",
    "Sprechtage der Dienststelle, die Teammitgliedern entgehen (Beratungskraft × Sprechtag)",
    "office sessions the team members miss (counsellor × session)",
    "lower",
    PLACES,
    COMPONENT,
)
declare("cases_reviewed", "count", "in Fallkonferenzen beratene Fälle", "cases reviewed", "higher", PLACES, COMPONENT)
declare("interviews_held", "count", "geführte persönliche Gespräche", "interviews held", "higher", PLACES, COMPONENT)
declare("measures_agreed", "count", "vereinbarte Maßnahmen", "measures agreed", "higher", PLACES, COMPONENT)
declare(
    "days_to_measure",
    "days",
    "Tage von der Fallkonferenz bis zur vereinbarten Maßnahme",
    "days from case conference to agreed measure",
    "lower",
    PLACES,
    COMPONENT,
)
KPIS = (
    "conference_hours",
    "interview_hours",
    "sessions_missed",
    "cases_reviewed",
    "interviews_held",
    "measures_agreed",
    "days_to_measure",
)
LEDGER = ("reviewed", "interviewed", "waiting", "closed_no_slot", "closed_no_show", "closed_left")


@dataclass
class TeamPlan:
    """A team of the scenario with its conference and interview days (fixed before the run)."""

    key: str
    municipality: int
    office: str
    office_site: int  # the office's index among the world's sites
    members: int
    conference_days: list[int]
    conference_min: tuple[int, int]  # minutes after midnight
    interview_days: list[int]
    interview_min: tuple[int, int]  # the interviews themselves, at the interview place
    interview_block_min: tuple[int, int]  # the interviewers' blocked time: the interviews and the drive
    interviewers: int
    blocks: list[Block]  # the team's blocked time on its office's calendar, one block per team and day
    slot_min: int
    interview_at: str
    staff_travel_min: float  # one way, office -> municipality by car (0 at the office)
    staff_travel_km: float
    cases_per_conference: int
    target_group: str
    within_days: int
    notice_days: int
    measure_probability: float

    @property
    def attempts(self) -> int:
        """The most invitations a case can get: one per weekly interview day within D days."""
        return self.within_days // 7 + 1

    @property
    def slots(self) -> int:
        """Interviews per interview day: each interviewer holds one per slot."""
        return self.interviewers * ((self.interview_min[1] - self.interview_min[0]) // self.slot_min)


def validate_teams(config: ScenarioConfig, region: Region) -> None:
    """Each team's settings and references, one sentence per mistake (sim.config.validate calls it)."""
    from sim.config.validate import at_least, at_most, clock, municipality, one_of, open_office, probability, safe_name

    offices = [key for key, site in config.sites.items() if site.open and site.kind == "office"]
    workday = (clock_minutes(config.staff.workday_start), clock_minutes(config.staff.workday_end))
    pilots: dict[int, str] = {}
    for key, team in config.teams.items():
        where = f"teams.{key}"
        safe_name("teams", key)
        if not team.open:
            continue
        municipality(f"{where}.municipality", team.municipality, region)
        place = region.index(team.municipality)
        if place in pilots:
            raise ConfigError(
                f"{where}.municipality '{team.municipality}' has a team already (teams.{pilots[place]});"
                " one project team per pilot municipality."
            )
        pilots[place] = key
        if team.office is not None:
            open_office(f"{where}.office", team.office, offices)
        at_least(f"{where}.members", team.members, 1)
        at_least(f"{where}.interviewers", team.interviewers, 1)
        at_most(
            f"{where}.interviewers",
            team.interviewers,
            f"{where}.members",
            team.members,
            "the interviews are held by members of the team",
        )
        at_least(f"{where}.cases_per_conference", team.cases_per_conference, 1)
        one_of(f"{where}.target_group", team.target_group, TARGET_GROUPS)
        one_of(f"{where}.interview_at", team.interview_at, INTERVIEW_PLACES)
        one_of(f"{where}.weekday", team.weekday, WEEKDAYS)
        one_of(f"{where}.interview_weekday", team.interview_weekday, WEEKDAYS)
        probability(f"{where}.measure_probability", team.measure_probability)
        at_least(f"{where}.notice_days", team.notice_days, 1)
        if team.interview_within_days < team.notice_days:
            raise ConfigError(
                f"{where}.interview_within_days ({team.interview_within_days}) must be at least {where}.notice_days"
                f" ({team.notice_days}): the client is invited with notice."
            )
        first = (WEEKDAYS.index(team.weekday) + team.notice_days) % 7
        gap = (WEEKDAYS.index(team.interview_weekday) - first) % 7  # from the earliest day to the weekday
        if team.notice_days + gap > team.interview_within_days:
            raise ConfigError(
                f"no {where}.interview_weekday ({team.interview_weekday}) falls between {where}.notice_days"
                f" ({team.notice_days}) and {where}.interview_within_days ({team.interview_within_days}) days after"
                f" the conference ({where}.weekday {team.weekday}), so every case would close without an interview;"
                f" raise {where}.interview_within_days or move a weekday."
            )
        at_least(f"{where}.interview_min", team.interview_min, 1)
        for name, start_key, hours_key in (
            ("conference", "start", "hours"),
            ("interview hours", "interview_start", "interview_hours"),
        ):
            start = clock(f"{where}.{start_key}", getattr(team, start_key))
            hours = getattr(team, hours_key)
            at_least(f"{where}.{hours_key}", hours, 1e-9, "positive")
            if not (workday[0] <= start and start + hours * 60 <= workday[1]):
                raise ConfigError(
                    f"the {name} of {where} ({where}.{start_key} {getattr(team, start_key)}, {where}.{hours_key}"
                    f" {hours:g}) must fit into the working day"
                    f" {config.staff.workday_start}-{config.staff.workday_end}."
                )
        if team.interview_hours * 60 < team.interview_min:
            raise ConfigError(
                f"{where}.interview_min ({team.interview_min}) does not fit into {where}.interview_hours"
                f" ({team.interview_hours:g})."
            )


def team_office(key: str, place: int, config: ScenarioConfig, region: Region, travel: TravelTimes) -> str:
    """The team's office: as configured, else the open office whose catchment (offices.csv) lists
    the municipality, else the open office nearest to it by car."""
    team = config.teams[key]
    if team.office is not None:
        return team.office
    offices = {
        region.index(site.municipality): name
        for name, site in config.sites.items()
        if site.open and site.kind == "office"
    }
    for office in region.offices:
        if place in (office.municipality, *office.catchment) and office.municipality in offices:
            return offices[office.municipality]
    return min(offices.items(), key=lambda item: travel.car_min[item[0], place])[1]


def plan_teams(
    config: ScenarioConfig,
    region: Region,
    travel: TravelTimes,
    sites: list[Site],
    holidays_off: frozenset[int],
    last_day: int,
) -> tuple[list[TeamPlan], list[Block]]:
    """The open teams with their days, and the time they block on their office's calendar."""
    plans: list[TeamPlan] = []
    blocks: list[Block] = []
    index = {site.key: i for i, site in enumerate(sites)}
    workday = (clock_minutes(config.staff.workday_start), clock_minutes(config.staff.workday_end))
    for key, team in config.teams.items():
        if not team.open:
            continue
        where = f"teams.{key}"
        place = region.index(team.municipality)
        office = team_office(key, place, config, region, travel)
        site = sites[index[office]]
        present = planned_present(site.counsellors, config.staff.leave_share)
        if team.members > present:
            raise ConfigError(
                f"{where}.members ({team.members}) is more than the counsellors of sites.{office} present on a"
                f" working day ({present} of {site.counsellors}, net of staff.leave_share); make the team smaller or"
                f" give the office more counsellors."
            )
        conference = clock_minutes(team.start), clock_minutes(team.start) + round(team.hours * 60)
        interviews = (
            clock_minutes(team.interview_start),
            clock_minutes(team.interview_start) + round(team.interview_hours * 60),
        )
        away = team.interview_at == "municipality" and place != site.municipality
        drive_min = float(travel.car_min[site.municipality, place]) if away else 0.0
        drive_km = float(travel.road_km[site.municipality, place]) if away else 0.0
        blocked = (interviews[0] - round(drive_min), interviews[1] + round(drive_min))
        if blocked[0] < workday[0] or blocked[1] > workday[1]:
            raise ConfigError(
                f"the interview hours of {where} in {region.names[place]} with the drive from sites.{office}"
                f" ({clock_text(blocked[0])}-{clock_text(blocked[1])}) must fit into the working day"
                f" {config.staff.workday_start}-{config.staff.workday_end}; move {where}.interview_start."
            )
        weekly = CalendarConfig(weekdays=[team.weekday], every_weeks=1)
        conference_days = session_days(weekly, 0, last_day, holidays_off)
        weekly = CalendarConfig(weekdays=[team.interview_weekday], every_weeks=1)
        interview_days = session_days(weekly, 0, last_day, holidays_off)
        both = set(conference_days) & set(interview_days)
        if both and conference[0] < blocked[1] and blocked[0] < conference[1]:
            raise ConfigError(
                f"the conference of {where} ({clock_text(conference[0])}-{clock_text(conference[1])}) overlaps its"
                f" interview hours with the drive ({clock_text(blocked[0])}-{clock_text(blocked[1])}) on"
                f" {team.weekday}, and the interviewers are members of the conference; move {where}.start or"
                f" {where}.interview_start."
            )
        team_blocks = []  # one team's conference and interview hours on one day are the same people: one block
        for day in sorted(set(conference_days) | set(interview_days)):
            if day in both:
                span = min(conference[0], blocked[0]), max(conference[1], blocked[1])
                team_blocks.append(Block(office, day, *span, team.members, CONFERENCE))
            elif day in interview_days:
                team_blocks.append(Block(office, day, *blocked, team.interviewers, CONFERENCE))
            else:
                team_blocks.append(Block(office, day, *conference, team.members, CONFERENCE))
        blocks += team_blocks
        plans.append(
            TeamPlan(
                key=key,
                municipality=place,
                office=office,
                office_site=index[office],
                members=team.members,
                conference_days=conference_days,
                conference_min=conference,
                interview_days=interview_days,
                interview_min=interviews,
                interview_block_min=blocked,
                interviewers=team.interviewers,
                blocks=team_blocks,
                slot_min=team.interview_min,
                interview_at=team.interview_at,
                staff_travel_min=drive_min,
                staff_travel_km=drive_km,
                cases_per_conference=team.cases_per_conference,
                target_group=team.target_group,
                within_days=team.interview_within_days,
                notice_days=team.notice_days,
                measure_probability=team.measure_probability,
            )
        )
    return plans, blocks


@dataclass
class Case:
    """A reviewed case: the client slot and its occupant, and where it stands."""

    client: int
    generation: int
    reviewed: int  # the day of the conference
    invited: int = 0  # the day of the latest invitation
    misses: int = 0  # interviews the client did not come to
    state: str = "waiting"  # waiting | interviewed | closed_no_slot | closed_no_show | closed_left
    interview_day: int | None = None  # the day of the interview held
    agreed: bool = False  # a measure was agreed at it


@dataclass
class TeamState:
    """What one team does during a run."""

    plan: TeamPlan
    cases: list[Case] = field(default_factory=list)
    reviewed: set[tuple[int, int]] = field(default_factory=set)  # (slot, generation) reviewed before
    booked: dict[int, list[Case]] = field(default_factory=dict)  # interview day -> cases invited
    priority: np.ndarray = field(default_factory=lambda: np.zeros(0))  # [row] lowest first is reviewed first
    comes_u: np.ndarray = field(default_factory=lambda: np.zeros((0, 1)))  # [row, invitation] attendance
    agrees_u: np.ndarray = field(default_factory=lambda: np.zeros((0, 1)))  # [row, invitation] measure agreed


class Conferences:
    """Every team's conferences and interviews, during the run, and their KPIs."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        world = simulation.world
        self.teams = [TeamState(plan) for plan in world.teams]
        self.slots_of = {
            plan.municipality: np.flatnonzero(simulation.caseload.population.municipality == plan.municipality).tolist()
            for plan in world.teams
        }
        n = len(world.region.names)
        self.counts = {kpi: np.zeros(n) for kpi in KPIS}
        self.measure_days = [0.0] * n  # sum of the days to measure, per municipality
        self.events = dict.fromkeys(LEDGER, 0)  # the whole run's reviews, interviews and closures, as they happen

    def start(self) -> None:
        seed, replication = self.simulation.seed, self.simulation.replication
        rows = len(self.simulation.caseload.population.has_car)
        for team in self.teams:
            key, attempts = team.plan.key, team.plan.attempts
            team.priority = stream(seed, replication, CASES, f"{key} priority").random(rows)
            team.comes_u = stream(seed, replication, INTERVIEWS, f"{key} comes").random((rows, attempts))
            team.agrees_u = stream(seed, replication, INTERVIEWS, f"{key} agrees").random((rows, attempts))
            self.simulation.env.process(self.conferences(team))
            self.simulation.env.process(self.interviews(team))

    @property
    def ledger(self) -> dict[str, int]:
        """The whole run's reviews, interviews and closures, counted when they happen, and the cases
        still waiting at the end, counted from the cases: reviewed should be the sum of the others."""
        counts = dict(self.events)
        counts["waiting"] = sum(case.state == "waiting" for team in self.teams for case in team.cases)
        return counts

    def conferences(self, team: TeamState) -> Generator:
        simulation, plan = self.simulation, team.plan
        env, metrics, caseload = simulation.env, simulation.metrics, simulation.caseload
        office = simulation.world.offices.index(plan.office)
        opens, closes = plan.conference_min
        for day in plan.conference_days:
            begins = day * MINUTES_PER_DAY + opens
            if begins >= metrics.end:
                return
            yield env.timeout(begins - env.now)
            metrics.meeting_held(begins, office, plan.members * (closes - opens))
            generation = caseload.generation
            candidates = [
                client
                for client in self.slots_of[plan.municipality]
                if (client, generation[client]) not in team.reviewed
                and caseload.in_target_group(client, plan.target_group, day)
            ]
            # the lowest priorities: fixed per occupant, so that the others' do not depend on one candidate
            priority, row = team.priority, caseload.row
            chosen = sorted(candidates, key=lambda client: priority[row[client]])[: plan.cases_per_conference]
            in_window = metrics.in_window(begins)
            if in_window:
                self.counts["conference_hours"][plan.municipality] += plan.members * (closes - opens) / 60.0
            for client in chosen:
                case = Case(client, generation[client], day)
                team.reviewed.add((client, case.generation))
                team.cases.append(case)
                self.events["reviewed"] += 1
                if in_window:
                    self.counts["cases_reviewed"][plan.municipality] += 1
                self.invite(team, case, day)

    def invite(self, team: TeamState, case: Case, today: int) -> None:
        """Invite the client to the team's first free interview slot with notice, within D days of
        the review; with none, the case is closed without an interview."""
        plan = team.plan
        for day in plan.interview_days:
            if day < today + plan.notice_days:
                continue
            if day > case.reviewed + plan.within_days:
                break
            booked = team.booked.setdefault(day, [])
            if len(booked) < plan.slots:
                booked.append(case)
                case.invited = today
                self.simulation.caseload.make_busy(case.client, day)  # no regular appointment that day
                return
        case.state = "closed_no_slot" if case.misses == 0 else "closed_no_show"
        self.events[case.state] += 1

    def interviews(self, team: TeamState) -> Generator:
        simulation, plan = self.simulation, team.plan
        env, metrics, caseload, config = simulation.env, simulation.metrics, simulation.caseload, simulation.config
        world = simulation.world
        office = world.offices.index(plan.office)
        opens, closes = plan.interview_min
        place = plan.municipality
        for day in plan.interview_days:
            begins = day * MINUTES_PER_DAY + opens
            if begins >= metrics.end:
                return
            yield env.timeout(begins - env.now)
            cases = team.booked.pop(day, [])
            # held every week as planned (booked or not): the interviewers drive to the municipality
            # and back in one car; their interview hours are consultation hours (see the end)
            if plan.staff_travel_min:
                metrics.staff_drove(
                    begins, office, 2 * plan.staff_travel_min * plan.interviewers, 2 * plan.staff_travel_km
                )
            in_window = metrics.in_window(begins)
            held = 0
            for slot, case in enumerate(cases):
                client = case.client
                if caseload.generation[client] != case.generation:
                    case.state = "closed_left"
                    self.events["closed_left"] += 1
                    continue
                row = caseload.row[client]
                has_car, hard = caseload.has_car[row], caseload.hard_to_reach[row]
                if plan.interview_at == "office":
                    travel_min = float(world.client_travel_min[plan.office_site, place, int(has_car)])
                else:
                    travel_min = float((world.travel.car_min if has_car else world.travel.pt_min)[place, place])
                p_no_show = no_show_probability(
                    config.attendance,
                    travel_min,
                    has_car,
                    caseload.prior_no_shows[client] + case.misses,
                    day - case.invited,
                    hard,
                )
                came = team.comes_u[row, case.misses] >= p_no_show
                agreed = team.agrees_u[row, case.misses] < plan.measure_probability
                if not came:
                    case.misses += 1
                    self.invite(team, case, day)
                    continue
                case.state, case.interview_day, case.agreed = "interviewed", day, bool(agreed)
                self.events["interviewed"] += 1
                minute = begins + (slot // plan.interviewers) * plan.slot_min
                metrics.group_held(minute, office, plan.slot_min)  # face to face
                held += 1
                if in_window:
                    self.counts["interviews_held"][place] += 1
                if agreed:
                    simulation.contacts.measure_taken(client, day)
                    if in_window:
                        self.counts["measures_agreed"][place] += 1
                        self.measure_days[place] += day - case.reviewed
            # the rest of the interview hours, on every interview day: consultation time with nobody to see (idle)
            idle = plan.interviewers * (closes - opens) - held * plan.slot_min
            metrics.session_opened(begins, begins + idle, office, 1, 0)

    def blocked_time(self) -> None:
        """The time the teams block on their offices' calendars within the window: interview hours
        (with the drive), and the sessions of the office each blocked member misses, whole."""
        world, metrics = self.simulation.world, self.simulation.metrics
        first, last = metrics.start // MINUTES_PER_DAY, metrics.end // MINUTES_PER_DAY
        for team in self.teams:
            plan = team.plan
            office = world.sites[plan.office_site]
            hours = office.hours or [(office.open_min, office.close_min)] * len(office.days)
            sessions = {day: span for day, span in zip(office.days, hours) if first <= day < last}
            opens, closes = plan.interview_block_min
            interview_days = [day for day in plan.interview_days if first <= day < last]
            self.counts["interview_hours"][plan.municipality] += (
                len(interview_days) * plan.interviewers * (closes - opens) / 60
            )
            for block in plan.blocks:  # a day's conference and interview hours are one block: the same people
                span = sessions.get(block.day)
                if span is not None and block.start_min < span[1] and span[0] < block.end_min:
                    self.counts["sessions_missed"][plan.municipality] += block.counsellors

    def kpis(self) -> ComponentKpis:
        from sim.model.simulation import ComponentKpis

        self.blocked_time()
        counts = dict(self.counts)
        measures = counts["measures_agreed"]
        with np.errstate(invalid="ignore", divide="ignore"):
            counts["days_to_measure"] = np.where(
                measures > 0, np.array(self.measure_days) / np.maximum(measures, 1), np.nan
            )
        scenario = {kpi: float(counts[kpi].sum()) for kpi in KPIS if kpi != "days_to_measure"}
        scenario["days_to_measure"] = sum(self.measure_days) / measures.sum() if measures.sum() else float("nan")
        return ComponentKpis(scenario=scenario, municipalities=counts, sites={})
