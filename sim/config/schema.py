"""The structured config: one dataclass per config node, registered in Hydra's ConfigStore.

Three kinds of config, kept apart:
- a *scenario* (`ScenarioConfig`): what is simulated, a district (`region`) with its sites, clients and
  behaviour; files in `sim/configs/scenario/`, each naming its district in `sim/configs/region/`;
- a *runner* (`RunnerConfig`): how it is run, seed, replications, worker processes; never part of a
  scenario or of its digest;
- an *experiment* (`ExperimentConfig`): a baseline and alternatives, each a scenario plus overrides,
  and the question they answer; files in `sim/configs/experiment/`.

Types are checked by OmegaConf when a config is composed; ranges and cross-references (a site's
municipality, a calendar inside the working day) are checked by `sim.config.validate`.
Every default names its source or says "assumption" (`sim.config.sources`); district facts come
with the district's region file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass
class RegionConfig:
    """A district: its municipalities and offices (CSV files) and where its facts come from."""

    name: str = MISSING
    label: str = MISSING
    state: str = MISSING  # federal state, ISO 3166-2 subdivision code without "DE-" (TH, HE, NW)
    municipalities_file: str = MISSING  # relative to the region/ folder of a config directory, or absolute
    offices_file: str | None = None  # the district's offices with their catchments, same rules
    source: str = ""  # where the municipality data comes from
    sources: dict[str, str] = field(default_factory=dict)  # scenario key -> source of the district's value
    sources_de: dict[str, str] = field(default_factory=dict)  # the same in German, for the German report


@dataclass
class CalendarConfig:
    """When a site holds sessions: weekdays, every n-th week, opening hours."""

    weekdays: list[str] = field(default_factory=lambda: ["wed"])
    every_weeks: int = 2  # 1 = weekly, 2 = every second week (assumption for the rooms)
    week_offset: int = 0  # which week of the cycle, 0 .. every_weeks-1
    start: str = "09:00"
    end: str = "15:00"
    always_open: bool = False  # one session over the whole horizon, every day and hour (queueing tests)


@dataclass
class WalkinConfig:
    rate_per_hour: float = 0.0  # Poisson arrivals while the site is open
    balk_queue: int | None = None  # a walk-in leaves at once when this many already wait
    patience_min: float | None = None  # mean of an exponential patience; None: waits forever


@dataclass
class ReceptionConfig:
    """The reception desk where clients check in before they wait for a counsellor."""

    clerks: int | None = None  # None: 2 at an office, 0 at a room (clients go straight to the counsellor)
    checkin_min: float = 2.0  # mean of an exponential check-in time (assumption)


@dataclass
class SiteConfig:
    kind: str = "room"  # office | room
    municipality: str = MISSING  # name or AGS code of a municipality of the region
    open: bool = True  # false removes the site from the scenario
    counsellors: int = 0  # office: counsellors based here; room: counsellors per session
    base_office: str | None = None  # room: office whose staff hold the session; None: nearest
    appointments: bool = True  # takes booked contacts
    slot_min: int = 60  # one booked contact per counsellor and slot
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    walkins: WalkinConfig = field(default_factory=WalkinConfig)
    reception: ReceptionConfig = field(default_factory=ReceptionConfig)
    target_group: str = "hard_to_reach"  # room: whom it is for: hard_to_reach | no_car | all
    catchment: list[str] = field(default_factory=list)  # room: municipalities it serves besides its own
    source: str = ""  # where the site, its staffing and calendar come from; empty: an assumption
    source_de: str = ""  # the same in German, for the German report; empty: the English one


@dataclass
class StopConfig:
    """A stop of a vehicle's tour written by hand: where it stands, on which days and hours."""

    municipality: str = MISSING  # name or AGS code of a municipality of the region
    calendar: CalendarConfig = field(default_factory=lambda: CalendarConfig(weekdays=["tue"], every_weeks=1))
    walkins: WalkinConfig = field(default_factory=WalkinConfig)  # arrivals while the vehicle stands here
    catchment: list[str] = field(default_factory=list)  # municipalities it serves besides its own


@dataclass
class TourConfig:
    """A tour the generator writes (sim.district.tours): the stops, how often, on which days."""

    stops: list[str] = field(default_factory=list)  # municipalities (names or AGS codes); empty: no generated tour
    every_weeks: int | None = 2  # each stop once every n weeks (assumption, as rooms); null: in proportion to clients
    cycle_weeks: int = 4  # the tour repeats after this many weeks
    weekdays: list[str] = field(default_factory=lambda: list(WEEKDAYS))  # the vehicle's days
    per_day: int = 1  # stops a day at most (assumption: a full day at one place, like a room)
    stop_hours: float = 6.0  # hours the vehicle stands at a stop (assumption: 09:00-15:00 like a room)
    walkins: WalkinConfig = field(default_factory=WalkinConfig)  # at every stop


@dataclass
class BreakdownConfig:
    """Unplanned days off the road; an own random stream, so breakdowns never move other draws."""

    mean_days_between: float = 0.0  # mean tour days between failures (exponential); 0: never fails (assumption)
    repair_days_mean: float = 2.0  # mean working days in the garage after a failure, whole days (assumption)


@dataclass
class VehicleConfig:
    """A van, bus or truck fitted as a mobile office: booths, counsellors on board, a tour."""

    kind: str = "van"  # van | bus | truck
    open: bool = True  # false removes the vehicle from the scenario
    depot: str = MISSING  # the office it starts from each day; its counsellors come from there
    booths: int = 1  # consultations that can run at once on board (a van's one; assumption)
    counsellors: int = 1  # on board, at most one per booth (assumption: one, as in each InA van)
    stops: dict[str, StopConfig] = field(default_factory=dict)  # a tour written by hand
    tour: TourConfig = field(default_factory=TourConfig)  # or a generated one (tour.stops)
    maintenance_days_per_year: int = 0  # planned days in the workshop, spread evenly over the tour days
    breakdowns: BreakdownConfig = field(default_factory=BreakdownConfig)
    cost_per_year_eur: float = 0.0  # purchase or conversion over its life, upkeep (give it: no default figure)
    per_km_eur: float = 0.0  # fuel and wear per km driven (give it: no default figure)
    appointments: bool = True
    slot_min: int = 60
    target_group: str = "hard_to_reach"  # whom its stops invite: hard_to_reach | no_car | all
    source: str = ""  # where the vehicle, its crew and tour come from; empty: an assumption
    source_de: str = ""


@dataclass
class TeamConfig:
    """A project team of one office's counsellors for a pilot municipality (Kreis Bergstraße,
    regions.md s.5): a weekly case conference on the municipality's cases, then a personal
    interview with each reviewed client, at which a measure may be agreed (sim.model.conferences)."""

    municipality: str = MISSING  # the pilot municipality (name or AGS code)
    office: str | None = None  # whose counsellors form it; None: the office whose catchment lists it (offices.csv)
    open: bool = True  # false removes the team from the scenario
    members: int = 3  # T counsellors in the team (assumption)
    weekday: str = "tue"  # the weekly case conference (regions.md s.5: weekly; its day: assumption)
    start: str = "10:00"  # inside the office's session hours, whose capacity it takes (assumption)
    hours: float = 1.5  # H, the conference's length (assumption)
    cases_per_conference: int = 3  # M cases reviewed at most per conference (assumption)
    target_group: str = "long_term"  # all | no_car | hard_to_reach | under25 | long_term (seed 004: long-term)
    interview_within_days: int = 14  # D: the interview within this many days of the review, else closed (assumption)
    interview_at: str = "office"  # office | municipality: where the interview is held (assumption)
    interview_weekday: str = "thu"  # the team's weekly interview hours (assumption)
    interview_start: str = "08:00"  # (assumption)
    interview_hours: float = 3.0  # (assumption)
    interviewers: int = 2  # members who hold the interviews (assumption)
    interview_min: int = 60  # one interview per interviewer and slot of this length (assumption)
    notice_days: int = 2  # the client is invited this many days ahead, at least one (assumption)
    measure_probability: float = 0.5  # p: a measure is agreed at the interview (assumption)
    source: str = ""  # where the team and its settings come from; empty: an assumption
    source_de: str = ""


@dataclass
class CourseConfig:
    """A group course (a Jobcenter-internal project, Kreis Borken): where and when it meets, who
    runs it and whom it is for (sim.model.courses)."""

    open: bool = True  # false removes the course from the scenario
    places: list[str] = MISSING  # where it meets: one municipality, or several in turn (the mobile variant)
    room_seats: int = 15  # seats of the meeting room (assumption: a seminar room of a local jobcenter)
    capacity: int = 12  # G, participants per run at most (assumption: a group of 12)
    min_size: int = 6  # a run with fewer accepted is postponed to the next start (assumption)
    meetings: int = 8  # N weekly meetings per run (assumption)
    hours: float = 3.0  # H hours per meeting (assumption)
    weekday: str = "tue"  # the meeting day (assumption)
    start: str = "09:00"  # the meeting's start (assumption)
    first_week: int = 0  # week of the run (from start_date) of the first run's first meeting (assumption)
    every_weeks: int = 10  # a new run starts every so many weeks, at least `meetings` (assumption)
    office: str = MISSING  # the office whose counsellors run it
    staff: int = 1  # counsellors who run each meeting (assumption: one, with a second in big groups)
    target_group: str = "long_term"  # whom it invites (caseload TARGET_GROUPS; assumption: long-term recipients)
    catchment: list[str] = field(default_factory=list)  # who is invited besides the meeting place's residents
    notice_days: int = 14  # invitation ahead of the first meeting (assumption)
    invite_factor: float = 1.5  # invitations per free seat of a run (assumption: a third decline or move on)
    dropout_after: int = 3  # a participant who misses this many meetings drops out (assumption)
    source: str = ""  # where the course, its calendar and staff come from; empty: an assumption
    source_de: str = ""


ARRIVAL_OFFSET_LIMIT_MIN = 60  # a booked client arrives at most this long before or after the slot


OFFICE_RECEPTION_CLERKS = 2  # an office's reception desk unless its site says otherwise (assumption)


def reception_clerks(site: SiteConfig) -> int:
    """The clerks at a site's reception desk: as configured, else two at an office and none at a room."""
    if site.reception.clerks is not None:
        return site.reception.clerks
    return OFFICE_RECEPTION_CLERKS if site.kind == "office" else 0


@dataclass
class ClientsConfig:
    share_of_population: float = MISSING  # clients per inhabitant: a district fact, set by its region file
    count: int | None = None  # total clients; None: population x share
    no_car_share: float = 0.5  # domain.md s.7: 50 % (38-64 %)
    under25_share: float = 0.2  # assumption
    interval_weeks_under25: float = 4.0  # domain.md s.7
    interval_weeks_min: float = 6.0  # others: uniform 6-8 weeks, domain.md s.7 / DESIGN
    interval_weeks_max: float = 8.0
    mean_stay_days: float = 730.0  # caseload turnover: exponential stay (assumption)
    work_share_of_exits: float = 0.5  # of those who leave, the share who leave for work (assumption)
    measure_hazard_factor: float = 1.5  # a measure (course, case conference) multiplies the hazard to work (assumption)
    limited_share: float = 0.15  # health limits or care duties: hard to reach by car or bus (assumption)
    poor_connection_min: float = 60.0  # no car and the office this far by bus, one way: hard to reach (assumption)
    arrival_offset_mean_min: float = -10.0  # booked clients arrive this long after their slot time: early (assumption)
    arrival_offset_sd_min: float = 10.0  # normal spread around it, cut at ARRIVAL_OFFSET_LIMIT_MIN (assumption)


@dataclass
class AttendanceConfig:
    """logit P(no-show) = intercept + travel + prior no-shows + lead time + no-car segment."""

    enabled: bool = True  # false: every booked client attends
    intercept: float = MISSING  # calibrated per district (experiments/calibrate_attendance.py), region file
    travel_per_min_no_car: float = 0.0097  # ln(1.55)/45 min, BMJ Qual Saf 2018
    travel_per_min_car: float = 0.0042  # ln(1.21)/45 min, BMJ Qual Saf 2018
    per_prior_no_show: float = 0.693  # ln 2 per consecutive no-show (domain.md range OR 2-5)
    long_lead: float = 0.867  # ln(2.38) when booked more than long_lead_days ahead, Lee 2005
    long_lead_days: int = 21
    no_car: float = 0.445  # ln(1.56), clients without a car, Shour 2023 (Medicaid OR)
    hard_to_reach: float = MISSING  # the hard-to-reach segment, calibrated per district (region file)


@dataclass
class TravelConfig:
    mode: str = "model"  # model | matrix | zero
    detour_factor: float = 1.3  # road / straight line, regions.md s.6 (1.1-1.3)
    car_speed_kmh: float = 50.0  # assumption, rural roads door to door
    pt_speed_kmh: float = 25.0  # assumption, rural bus incl. stops
    pt_headway_min: float = 60.0  # rural trunk line, domain.md s.7; penalty = headway / 2
    matrix_file: str | None = None  # CSV from_ags,to_ags,car_min,pt_min,km (mode=matrix)


@dataclass
class DurationConfig:
    mean_min: float = 30.0
    cv: float = 0.4
    distribution: str = "lognormal"  # lognormal | exponential | fixed


@dataclass
class DurationsConfig:
    first: DurationConfig = field(default_factory=lambda: DurationConfig(mean_min=60.0))
    followup: DurationConfig = field(default_factory=lambda: DurationConfig(mean_min=30.0))
    walkin: DurationConfig = field(default_factory=lambda: DurationConfig(mean_min=15.0))
    documentation_min: float = 10.0  # after each contact, domain.md s.7 (5-10 min)


@dataclass
class StaffConfig:
    workday_start: str = "07:30"
    workday_end: str = "16:30"
    hours_per_day: float = 7.8  # 39 h/week, TV-BA
    leave_share: float = 0.115  # 30 days of 260, TV-BA
    sick_rate: float = 0.05  # daily probability of an unplanned absence (assumption)
    meeting_hours_per_week: float = 1.5  # weekly team meeting of every office (assumption)
    meeting_weekday: str = "mon"  # the meeting's day (assumption)
    meeting_start: str = "13:30"  # after the morning's appointments (assumption)


@dataclass
class BookingConfig:
    notice_days: int = 7  # invitation letter ahead of the appointment (assumption)
    max_lead_days: int = 14  # accept the nearest site only if it has a slot this soon after notice
    policy: str = "local"  # local: a room invites its target group where it serves; nearest: nearest site;
    # catchment: as local, with each municipality's office from the district's offices.csv
    reinvite_days: int = 14  # domain.md s.7: re-invite after 2-4 weeks
    lost_after_no_shows: int = 3  # K consecutive no-shows: the client counts as lost
    lost_recontact_days: int = 91  # a lost client is tried again after a quarter (assumption)


@dataclass
class MmcConfig:
    """Knobs of the M/M/c validation scenario."""

    servers: int = 3
    arrival_rate_per_hour: float = 2.4
    service_mean_min: float = 60.0


@dataclass
class CostConfig:
    """What outreach costs, in euros. No cost figure is in shared/reference: every default is an assumption."""

    counsellor_hour_eur: float = 55.0  # assumption: the order of federal staff cost rates for pay grades E 9b-12
    per_km_eur: float = 0.30  # assumption: a staff car's cost per kilometre driven
    room_day_eur: float = 0.0  # assumption: the municipality lends its room for a consultation day


@dataclass
class ScenarioConfig:
    """What is simulated: a district with its sites, clients, behaviour and run length."""

    name: str = MISSING
    label: dict[str, str] = field(default_factory=dict)  # {"de": ..., "en": ...}
    region: RegionConfig = MISSING
    sites: dict[str, SiteConfig] = field(default_factory=dict)
    vehicles: dict[str, VehicleConfig] = field(default_factory=dict)  # mobile offices and their tours
    courses: dict[str, CourseConfig] = field(default_factory=dict)  # group courses run by office staff
    teams: dict[str, TeamConfig] = field(default_factory=dict)  # project teams with case conferences
    clients: ClientsConfig = field(default_factory=ClientsConfig)
    attendance: AttendanceConfig = field(default_factory=AttendanceConfig)
    travel: TravelConfig = field(default_factory=TravelConfig)
    durations: DurationsConfig = field(default_factory=DurationsConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)
    booking: BookingConfig = field(default_factory=BookingConfig)
    costs: CostConfig = field(default_factory=CostConfig)
    mmc: MmcConfig = field(default_factory=MmcConfig)  # knobs used by the mmc scenario only
    start_date: str = "2025-01-06"  # day 0, a Monday; places the public holidays (assumption)
    horizon_days: int = 365  # simulated days, warm-up included
    warmup_days: int = 56
    nearly_empty_max: int = 2  # a session with at most this many kept contacts is nearly empty


@dataclass
class RunnerConfig:
    """How replications are run; none of it changes a result but the seed and the count."""

    seed: int = 1
    replications: Any = 10  # a number, or auto: as many as runner.precision needs (sim.experiment.precision)
    workers: int = 0  # parallel processes; 0: all cores
    precision: float = 0.05  # replications=auto: CI half-width within this share of the mean (domain.md s.7: 5-10 %)
    max_replications: int = 100  # replications=auto stops here, precise or not
    scheduler: str | None = None  # None: worker processes here; local: a Dask LocalCluster; or a Dask address
    machine_limits: bool = True  # false lifts the limits that protect the machine (sim.config.validate.LIMITS)


@dataclass
class AlternativeConfig:
    """One alternative of an experiment: a scenario and the overrides that make it this alternative."""

    scenario: str = MISSING
    overrides: list[str] = field(default_factory=list)  # Hydra overrides of the scenario, key=value
    label: dict[str, str] = field(default_factory=dict)  # empty: the scenario's label


@dataclass
class ExperimentConfig:
    """A baseline and its alternatives on common random numbers, and the question they answer."""

    name: str = MISSING
    question: dict[str, str] = field(default_factory=dict)  # {"de": ..., "en": ...}
    alternatives: dict[str, AlternativeConfig] = field(default_factory=dict)  # the first is the baseline


@dataclass
class ReportConfig:
    lang: str = "de"  # de | en
    map_kpi: str = "attendance_rate"


@dataclass
class CommandConfig:
    """What every command composes: the runner, and the user's scenario overrides.

    `change` and `add` carry the command line's scenario overrides (`key=value`, `+key=value`) to
    every alternative that has the key (see `sim.config.compose`); the command line writes them."""

    runner: RunnerConfig = field(default_factory=RunnerConfig)
    change: dict[str, Any] = field(default_factory=dict)
    add: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunCommand(ScenarioConfig, CommandConfig):
    """python -m sim.run: the chosen scenario file is composed in, so that `scenario=NAME` picks it."""


@dataclass
class CompareCommand(CommandConfig):
    experiment: ExperimentConfig = MISSING
    scenarios: list[str] = field(default_factory=list)  # instead of the experiment: "scenario [key=value ...]"
    report: ReportConfig = field(default_factory=ReportConfig)


@dataclass
class RankConfig:
    """python -m sim.rank: which municipality would do most with one more room (sim.experiment.ranking)."""

    candidates: list[str] = field(default_factory=list)  # names or AGS codes; empty: every one without a site
    objective: str = "kept_contacts_hard_to_reach"  # a KPI, optimised in its better direction
    weights: dict[str, float] = field(default_factory=dict)  # instead of objective: maximise sum(weight x KPI)
    # (the default 10 for counts is an assumption: 10 kept contacts a period; a share is a fraction)
    delta: float | None = None  # indifference zone in the objective's unit; null: 10 for a count, else give it
    alpha: float = 0.05  # the selected site is within delta of the best with probability >= 1 - alpha
    n0: int = 10  # first-stage replications of every screened candidate (Kim & Nelson 2001)
    batch: int = 5  # replications added to the survivors per round
    max_replications: int = 60  # budget per candidate, first stage included
    screen_keep: int | None = None  # keep this many best screening scores; None: rank.screen_margin decides
    screen_margin: float = 0.5  # without candidates or screen_keep: keep scores of at least this share of the best
    like: str | None = None  # the site the new room copies; None: the scenario's first open room
    counsellors: int | None = None  # the new room's counsellors; None: as the room it copies
    weekdays: list[str] | None = None  # its weekdays; None: as the room it copies
    every_weeks: int | None = None  # its rhythm; None: as the room it copies


@dataclass
class RankCommand(ScenarioConfig, CommandConfig):
    """python -m sim.rank: the chosen scenario file is composed in, so that `scenario=NAME` picks it."""

    rank: RankConfig = field(default_factory=RankConfig)
    report: ReportConfig = field(default_factory=ReportConfig)


def register_configs() -> None:
    """Store the schemas so that YAML configs are validated against them."""
    store = ConfigStore.instance()
    store.store(name="scenario_schema", node=ScenarioConfig)
    store.store(name="run_schema", node=RunCommand)
    store.store(name="compare_schema", node=CompareCommand)
    store.store(name="rank_schema", node=RankCommand)
    store.store(group="runner", name="runner_schema", node=RunnerConfig)
    store.store(group="experiment", name="experiment_schema", node=ExperimentConfig)
