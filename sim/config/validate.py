"""Range and cross-reference checks: each mistake is one sentence naming the key and what is allowed."""

from __future__ import annotations

import math
import re
from datetime import date

import holidays
from omegaconf import DictConfig, ListConfig, OmegaConf

from sim.config import ConfigError
from sim.config.schema import (
    ARRIVAL_OFFSET_LIMIT_MIN,
    WEEKDAYS,
    CalendarConfig,
    DurationConfig,
    RankConfig,
    ReportConfig,
    RunnerConfig,
    ScenarioConfig,
    WalkinConfig,
)
from sim.district.calendar import clock_minutes
from sim.district.region import Region, load_region
from sim.district.travel import read_matrix
from sim.model.caseload import SITE_TARGET_GROUPS
from sim.model.distributions import DISTRIBUTIONS

SITE_KINDS = ("office", "room")
VEHICLE_KINDS = ("van", "bus", "truck")
TRAVEL_MODES = ("model", "matrix", "zero")
POLICIES = ("local", "nearest", "catchment")


NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")  # a name that becomes a file name
# Limits that protect the machine (runner.machine_limits=false lifts them), each with its reason
LIMITS = {
    "horizon_days": (3660, "ten years; the run's memory grows with it"),
    "clients": (1_000_000, "a replication of 600,000 clients takes about 1.2 GB and 3 minutes"),
    "counsellors": (10_000, "per site; every counsellor is a process of every session"),
    "walkins.rate_per_hour": (600.0, "per site, ten a minute; every walk-in is an event"),
    "replications": (100_000, "a hundred thousand district years take about two days on two cores"),
}


def safe_name(key: str, value: str) -> None:
    if not isinstance(value, str) or not NAME.match(value) or ".." in value:
        raise ConfigError(
            f"{key} must be a name of letters, digits, '_', '-' and '.' starting with a letter or digit"
            f" (it names files), got '{value}'."
        )


def refuse_non_finite(node: DictConfig | ListConfig, prefix: str = "") -> None:
    """Refuse NaN and infinity (which pass every range check) anywhere in a config, named by the key
    that holds them: on a composed config, before its interpolations are resolved, that is the key
    the value was given to, not a key interpolated from it (sim.config.compose.to_scenario)."""
    keys = node.keys() if isinstance(node, DictConfig) else range(len(node))
    for key in keys:
        if OmegaConf.is_interpolation(node, key) or OmegaConf.is_missing(node, key):
            continue
        value = node[key]
        where = f"{prefix}{key}" if isinstance(node, DictConfig) else f"{prefix.rstrip('.')}[{key}]"
        if isinstance(value, (DictConfig, ListConfig)):
            refuse_non_finite(value, f"{where}.")
        elif isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{where} must be a finite number, got {value}.")


def within_limit(key: str, value: float, limit_key: str, limits: bool) -> None:
    limit, reason = LIMITS[limit_key]
    if limits and value > limit:
        raise ConfigError(
            f"{key} ({plain(value)}) is beyond the limit of {plain(limit)} that protects the machine ({reason});"
            " runner.machine_limits=false runs it anyway."
        )


def plain(number: float) -> str:
    """A number as a reader writes it: 1,000,000 and 600, not 1e+06 and 600.0."""
    return f"{number:,.0f}" if float(number).is_integer() and abs(number) < 1e18 else f"{number:g}"


def probability(key: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{key} must be a probability between 0 and 1, got {value}.")


def at_least(key: str, value: float, low: float, what: str = "") -> None:
    if value < low:
        raise ConfigError(f"{key} must be {what or f'at least {low}'}, got {value}.")


def open_office(key: str, office: str, offices: list[str]) -> None:
    """An office key (a room's base, a vehicle's depot, a course's or a team's office) names an open office."""
    if office not in offices:
        raise ConfigError(f"{key} '{office}' must be an open office of the scenario: {', '.join(offices)}.")


def at_most(key: str, value: int, limit_key: str, limit: int, why: str) -> None:
    """One count of a config may not exceed another (counsellors and booths, capacity and seats)."""
    if value > limit:
        raise ConfigError(f"{key} ({value}) is more than {limit_key} ({limit}): {why}.")


def one_of(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{key} must be one of {', '.join(allowed)}, got '{value}'.")


def clock(key: str, text: str) -> int:
    try:
        return clock_minutes(text)
    except (ValueError, AttributeError):
        raise ConfigError(f"{key} must be a time of day HH:MM between 00:00 and 24:00, got '{text}'.") from None


AUTO = "auto"  # runner.replications=auto


def fixed_replications(runner: RunnerConfig, command: str) -> int:
    """The replications of a command that needs a fixed number."""
    if runner.replications == AUTO:
        raise ConfigError(f"{command} needs a fixed number of replications (runner.replications), not auto.")
    return runner.replications


def validate_runner(runner: RunnerConfig) -> None:
    """Check the run settings: replications (a number or auto), seed, worker processes, precision."""
    refuse_non_finite(OmegaConf.structured(runner), "runner.")
    if runner.replications != AUTO:
        if isinstance(runner.replications, bool) or not isinstance(runner.replications, int):
            raise ConfigError(
                f"runner.replications must be a whole number of at least 1 or auto, got '{runner.replications}'."
            )
        at_least("runner.replications", runner.replications, 1)
        within_limit("runner.replications", runner.replications, "replications", runner.machine_limits)
    if not 0 < runner.precision < 1:
        raise ConfigError(f"runner.precision must lie between 0 and 1 (a share of the mean), got {runner.precision}.")
    at_least("runner.max_replications", runner.max_replications, 3)
    within_limit("runner.max_replications", runner.max_replications, "replications", runner.machine_limits)
    at_least("runner.seed", runner.seed, 0)
    at_least("runner.workers", runner.workers, 0, "0 (all cores) or a positive number of processes")


def validate(config: ScenarioConfig, limits: bool = True) -> None:
    """Check a composed scenario config; raise ConfigError at the first mistake. With `limits`,
    sizes beyond what the machine can hold are refused too (LIMITS)."""
    refuse_non_finite(OmegaConf.structured(config))
    safe_name("name", config.name)
    at_least("horizon_days", config.horizon_days, 1)
    within_limit("horizon_days", config.horizon_days, "horizon_days", limits)
    at_least("warmup_days", config.warmup_days, 0)
    if config.warmup_days >= config.horizon_days:
        raise ConfigError(f"warmup_days ({config.warmup_days}) must be less than horizon_days ({config.horizon_days}).")
    at_least("nearly_empty_max", config.nearly_empty_max, 0)
    try:
        monday = date.fromisoformat(config.start_date).weekday() == 0
    except ValueError:
        monday = False
    if not monday:
        raise ConfigError(
            f"start_date must be a Monday as YYYY-MM-DD (day 0 of the calendar), got '{config.start_date}'."
        )
    if config.region.state not in holidays.Germany.subdivisions:
        raise ConfigError(
            f"region.state must be a German federal state code ({', '.join(holidays.Germany.subdivisions)}),"
            f" got '{config.region.state}'."
        )

    clients = config.clients
    at_least("clients.poor_connection_min", clients.poor_connection_min, 0)
    at_least("clients.arrival_offset_sd_min", clients.arrival_offset_sd_min, 0)
    if abs(clients.arrival_offset_mean_min) > ARRIVAL_OFFSET_LIMIT_MIN:
        raise ConfigError(
            f"clients.arrival_offset_mean_min must lie within -{ARRIVAL_OFFSET_LIMIT_MIN}..{ARRIVAL_OFFSET_LIMIT_MIN}"
            f" minutes of the slot time, got {clients.arrival_offset_mean_min}."
        )
    for key in ("share_of_population", "no_car_share", "under25_share", "limited_share", "work_share_of_exits"):
        probability(f"clients.{key}", getattr(clients, key))
    at_least(
        "clients.measure_hazard_factor",
        clients.measure_hazard_factor,
        1.0,
        "at least 1 (1: a measure has no effect; a lock-in effect below 1 is not modelled)",
    )
    if clients.count is not None:
        at_least("clients.count", clients.count, 0)
        within_limit("clients.count", clients.count, "clients", limits)
    for key in ("interval_weeks_under25", "interval_weeks_min", "mean_stay_days"):
        at_least(f"clients.{key}", getattr(clients, key), 0.1, "positive")
    if clients.interval_weeks_max < clients.interval_weeks_min:
        raise ConfigError(
            f"clients.interval_weeks_max ({clients.interval_weeks_max}) must be at least"
            f" clients.interval_weeks_min ({clients.interval_weeks_min})."
        )

    travel = config.travel
    one_of("travel.mode", travel.mode, TRAVEL_MODES)
    at_least(
        "travel.detour_factor", travel.detour_factor, 1.0, "at least 1 (a road is never shorter than the straight line)"
    )
    for key in ("car_speed_kmh", "pt_speed_kmh"):
        at_least(f"travel.{key}", getattr(travel, key), 1e-9, "positive")
    at_least("travel.pt_headway_min", travel.pt_headway_min, 0)

    for kind in ("first", "followup", "walkin"):
        duration(f"durations.{kind}", getattr(config.durations, kind))
    at_least("durations.documentation_min", config.durations.documentation_min, 0)

    staff = config.staff
    workday_start = clock("staff.workday_start", staff.workday_start)
    workday_end = clock("staff.workday_end", staff.workday_end)
    if workday_end <= workday_start:
        raise ConfigError("staff.workday_end must be later than staff.workday_start.")
    probability("staff.leave_share", staff.leave_share)
    probability("staff.sick_rate", staff.sick_rate)
    at_least("staff.hours_per_day", staff.hours_per_day, 1e-9, "positive")
    if staff.hours_per_day * 60 > workday_end - workday_start:
        raise ConfigError(
            f"staff.hours_per_day ({staff.hours_per_day}) must fit into the working day"
            f" {staff.workday_start}-{staff.workday_end} (staff.workday_start and staff.workday_end)."
        )
    at_least("staff.meeting_hours_per_week", staff.meeting_hours_per_week, 0)
    for key in ("counsellor_hour_eur", "per_km_eur", "room_day_eur"):
        at_least(f"costs.{key}", getattr(config.costs, key), 0)
    one_of("staff.meeting_weekday", staff.meeting_weekday, WEEKDAYS)
    meeting_start = clock("staff.meeting_start", staff.meeting_start)
    if staff.meeting_hours_per_week > 0 and not (
        workday_start <= meeting_start and meeting_start + staff.meeting_hours_per_week * 60 <= workday_end
    ):
        raise ConfigError(
            f"the meeting (staff.meeting_start {staff.meeting_start}, staff.meeting_hours_per_week"
            f" {staff.meeting_hours_per_week}) must fit into the working day {staff.workday_start}-{staff.workday_end}."
        )

    booking = config.booking
    one_of("booking.policy", booking.policy, POLICIES)
    for key in ("notice_days", "max_lead_days"):
        at_least(f"booking.{key}", getattr(booking, key), 0)
    for key in ("reinvite_days", "lost_recontact_days"):  # the next contact falls on a later day
        at_least(f"booking.{key}", getattr(booking, key), 1)
    at_least("booking.lost_after_no_shows", booking.lost_after_no_shows, 1)
    at_least("attendance.long_lead_days", config.attendance.long_lead_days, 0)

    region = load_region(config.region)
    if travel.mode == "matrix":
        read_matrix(region, travel.matrix_file, region.distance_km())
    within_limit(
        "clients", round(config.clients.share_of_population * float(region.population.sum())), "clients", limits
    )
    validate_sites(config, region, workday_start, workday_end, limits)
    validate_vehicles(config, region, workday_start, workday_end, limits)
    validate_courses(config, region, workday_start, workday_end)
    from sim.model.conferences import validate_teams  # the project teams check their own settings

    validate_teams(config, region)
    from sim.model.world import build_world  # checks that the offices can staff their rooms

    build_world(config)


def validate_report(report: ReportConfig) -> None:
    """Check the report settings of a comparison before anything runs."""
    from sim.kpi.registry import MUNICIPALITY_KPIS
    from sim.report.text import LANGUAGES

    one_of("report.lang", report.lang, tuple(LANGUAGES))
    one_of("report.map_kpi", report.map_kpi, MUNICIPALITY_KPIS)


def duration(key: str, spec: DurationConfig) -> None:
    one_of(f"{key}.distribution", spec.distribution, tuple(DISTRIBUTIONS))
    at_least(f"{key}.mean_min", spec.mean_min, 1e-9, "positive")
    at_least(f"{key}.cv", spec.cv, 1e-9 if spec.distribution == "lognormal" else 0, "positive")


def validate_sites(
    config: ScenarioConfig, region: Region, workday_start: int, workday_end: int, limits: bool = True
) -> None:
    open_sites = {key: site for key, site in config.sites.items() if site.open}
    offices = [key for key, site in open_sites.items() if site.kind == "office"]
    if not offices:
        raise ConfigError("sites: at least one open site must be of kind 'office' (its staff hold the sessions).")
    has_clients = config.clients.count != 0 and config.clients.share_of_population > 0
    if has_clients and not any(open_sites[key].appointments for key in offices):
        raise ConfigError(
            "sites: with clients, at least one open office must take appointments (appointments: true),"
            " since offices are the sites every client may be invited to."
        )
    if config.booking.policy == "catchment" and not any(office.catchment for office in region.offices):
        raise ConfigError(
            f"booking.policy=catchment needs the district's offices with their catchments (region.offices_file);"
            f" region {region.name} has none: use local or nearest."
        )
    for key, site in config.sites.items():
        where = f"sites.{key}"
        one_of(f"{where}.kind", site.kind, SITE_KINDS)
        municipality(f"{where}.municipality", site.municipality, region)
        at_least(f"{where}.counsellors", site.counsellors, 0, "a count of at least 0")
        within_limit(f"{where}.counsellors", site.counsellors, "counsellors", limits)
        if site.open and site.kind == "room" and site.appointments and site.counsellors < 1:
            raise ConfigError(f"{where}.counsellors must be at least 1 for an open room, got {site.counsellors}.")
        one_of(f"{where}.target_group", site.target_group, SITE_TARGET_GROUPS)
        for name in site.catchment:
            municipality(f"{where}.catchment:", name, region)
        at_least(f"{where}.slot_min", site.slot_min, 1)
        if site.base_office is not None:
            open_office(f"{where}.base_office", site.base_office, offices)
        check_walkins(f"{where}.walkins", site.walkins, limits)
        if site.open and site.walkins.rate_per_hour > 0 and site.counsellors < 1:
            raise ConfigError(
                f"{where}.counsellors must be at least 1 for a site that takes walk-ins"
                f" ({where}.walkins.rate_per_hour > 0), got {site.counsellors}."
            )
        if site.reception.clerks is not None:
            at_least(f"{where}.reception.clerks", site.reception.clerks, 0)
        at_least(f"{where}.reception.checkin_min", site.reception.checkin_min, 0)
        if not site.calendar.always_open:
            check_calendar(f"{where}.calendar", site.calendar, config, workday_start, workday_end)
            check_slot(where, site.slot_min, site.appointments, site.calendar)


def check_calendar(
    where: str, calendar: CalendarConfig, config: ScenarioConfig, workday_start: int, workday_end: int
) -> None:
    """A session calendar: weekdays, its rhythm, and hours inside the working day."""
    if not calendar.weekdays:
        raise ConfigError(f"{where}.weekdays must name at least one weekday, got [].")
    for day in calendar.weekdays:
        one_of(f"{where}.weekdays", day, WEEKDAYS)
    at_least(f"{where}.every_weeks", calendar.every_weeks, 1)
    if not 0 <= calendar.week_offset < calendar.every_weeks:
        raise ConfigError(
            f"{where}.week_offset must lie in 0..{calendar.every_weeks - 1}"
            f" (every_weeks - 1), got {calendar.week_offset}."
        )
    start = clock(f"{where}.start", calendar.start)
    end = clock(f"{where}.end", calendar.end)
    if not workday_start <= start < end <= workday_end:
        raise ConfigError(
            f"{where} {calendar.start}-{calendar.end} must be a period inside the working"
            f" day {config.staff.workday_start}-{config.staff.workday_end} (staff.workday_start"
            " and staff.workday_end)."
        )
    if (end - start) / 60 > config.staff.hours_per_day:
        raise ConfigError(
            f"{where} {calendar.start}-{calendar.end} is longer than a counsellor's day"
            f" (staff.hours_per_day = {config.staff.hours_per_day})."
        )


def check_slot(where: str, slot_min: int, appointments: bool, calendar: CalendarConfig, at: str = "") -> None:
    """The slot length (key `where`.slot_min) fits into the calendar's hours (of `at`, if not the site itself)."""
    if appointments and clock_minutes(calendar.end) - clock_minutes(calendar.start) < slot_min:
        hours = f"{at} {calendar.start}-{calendar.end}" if at else f"{calendar.start}-{calendar.end}"
        raise ConfigError(f"{where}.slot_min ({slot_min}) does not fit into {hours}.")


def check_walkins(where: str, walkins: WalkinConfig, limits: bool) -> None:
    at_least(f"{where}.rate_per_hour", walkins.rate_per_hour, 0)
    within_limit(f"{where}.rate_per_hour", walkins.rate_per_hour, "walkins.rate_per_hour", limits)
    if walkins.balk_queue is not None:
        at_least(f"{where}.balk_queue", walkins.balk_queue, 0)
    if walkins.patience_min is not None:
        at_least(f"{where}.patience_min", walkins.patience_min, 1e-9, "positive")


def municipality(where: str, name: str, region: Region) -> None:
    if region.index(name) is None:
        raise ConfigError(
            f"{where} '{name}' is not a municipality of region {region.name}; allowed:"
            f" {', '.join(region.names)} (or their AGS codes)."
        )


def validate_vehicles(
    config: ScenarioConfig, region: Region, workday_start: int, workday_end: int, limits: bool
) -> None:
    """Each vehicle: its depot, booths and crew, and a tour written by hand or to generate. Whether
    each tour day can be driven (stops at once, time to drive, the working day) is checked when the
    tour is laid out on the travel times (sim.model.vehicles)."""
    offices = [key for key, site in config.sites.items() if site.open and site.kind == "office"]
    for key, vehicle in config.vehicles.items():
        where = f"vehicles.{key}"
        safe_name(where, key)
        one_of(f"{where}.kind", vehicle.kind, VEHICLE_KINDS)
        if not vehicle.open:
            continue
        open_office(f"{where}.depot", vehicle.depot, offices)
        at_least(f"{where}.booths", vehicle.booths, 1)
        at_least(f"{where}.counsellors", vehicle.counsellors, 1)
        at_most(
            f"{where}.counsellors",
            vehicle.counsellors,
            f"{where}.booths",
            vehicle.booths,
            "every counsellor on board needs a booth to counsel in",
        )
        one_of(f"{where}.target_group", vehicle.target_group, SITE_TARGET_GROUPS)
        at_least(f"{where}.slot_min", vehicle.slot_min, 1)
        at_least(f"{where}.maintenance_days_per_year", vehicle.maintenance_days_per_year, 0)
        at_least(f"{where}.breakdowns.mean_days_between", vehicle.breakdowns.mean_days_between, 0)
        at_least(f"{where}.breakdowns.repair_days_mean", vehicle.breakdowns.repair_days_mean, 1e-9, "positive")
        at_least(f"{where}.cost_per_year_eur", vehicle.cost_per_year_eur, 0)
        at_least(f"{where}.per_km_eur", vehicle.per_km_eur, 0)
        tour = vehicle.tour
        if bool(vehicle.stops) == bool(tour.stops):
            raise ConfigError(
                f"{where} needs a tour: either stops written by hand ({where}.stops) or stops to generate"
                f" a tour for ({where}.tour.stops), not {'both' if vehicle.stops else 'neither'}."
            )
        for name, stop in vehicle.stops.items():
            at = f"{where}.stops.{name}"
            safe_name(f"{where}.stops", name)
            municipality(f"{at}.municipality", stop.municipality, region)
            for place in stop.catchment:
                municipality(f"{at}.catchment:", place, region)
            if stop.calendar.always_open:
                if len(vehicle.stops) > 1:
                    raise ConfigError(
                        f"{at}.calendar.always_open: a vehicle always at one stop can have no other stop;"
                        f" {where}.stops has {len(vehicle.stops)}."
                    )
            else:
                check_calendar(f"{at}.calendar", stop.calendar, config, workday_start, workday_end)
                check_slot(where, vehicle.slot_min, vehicle.appointments, stop.calendar, f"{at}.calendar")
            check_walkins(f"{at}.walkins", stop.walkins, limits)
        if tour.stops:
            at = f"{where}.tour"
            for place in tour.stops:
                municipality(f"{at}.stops:", place, region)
            if len({region.index(place) for place in tour.stops}) < len(tour.stops):
                raise ConfigError(f"{at}.stops names a municipality twice; list each stop once.")
            if tour.every_weeks is not None:
                at_least(f"{at}.every_weeks", tour.every_weeks, 1)
            at_least(f"{at}.cycle_weeks", tour.cycle_weeks, 1)
            if not tour.weekdays:
                raise ConfigError(f"{at}.weekdays must name at least one weekday, got [].")
            for day in tour.weekdays:
                one_of(f"{at}.weekdays", day, WEEKDAYS)
            at_least(f"{at}.per_day", tour.per_day, 1)
            if not 0 < tour.stop_hours <= config.staff.hours_per_day:
                raise ConfigError(
                    f"{at}.stop_hours must be more than 0 and at most a counsellor's day"
                    f" (staff.hours_per_day = {config.staff.hours_per_day}), got {tour.stop_hours}."
                )
            if vehicle.appointments and tour.stop_hours * 60 < vehicle.slot_min:
                raise ConfigError(f"{where}.slot_min ({vehicle.slot_min}) does not fit into {at}.stop_hours.")
            check_walkins(f"{at}.walkins", tour.walkins, limits)
    shared = sorted(set(config.vehicles) & set(config.sites))
    if shared:
        raise ConfigError(f"vehicles.{shared[0]} has the name of a site (sites.{shared[0]}); name the vehicle apart.")
    taken = {f"{key}.{name}" for key, vehicle in config.vehicles.items() for name in vehicle.stops}
    clash = sorted(taken & set(config.sites))
    if clash:
        raise ConfigError(f"sites.{clash[0]} has the name of a vehicle stop; rename the site.")


def validate_rank(rank: RankConfig) -> None:
    """Check the ranking's settings before anything runs (the candidates and the objective are
    checked against the scenario in sim.experiment.ranking)."""
    floor = 1e-6  # rank.delta below it: KN's bound h^2 S^2 / delta^2 overflows or loses all meaning
    refuse_non_finite(OmegaConf.structured(rank), "rank.")
    if rank.delta is not None and rank.delta <= 0:
        raise ConfigError(
            f"rank.delta must be a positive number in the objective's unit (the indifference zone), got {rank.delta}."
        )
    if rank.delta is not None and rank.delta < floor:
        raise ConfigError(
            f"rank.delta must be at least {floor:g} in the objective's unit (a smaller indifference zone"
            f" makes KN's bound h^2 S^2 / delta^2 overflow), got {rank.delta:g}."
        )
    if not 0 < rank.alpha < 0.5:
        raise ConfigError(f"rank.alpha must be between 0 and 0.5 (1 - the confidence), got {rank.alpha}.")
    at_least("rank.n0", rank.n0, 3, "at least 3 (the first stage estimates each pair's variance)")
    at_least("rank.batch", rank.batch, 1)
    at_least("rank.max_replications", rank.max_replications, rank.n0, f"at least rank.n0 ({rank.n0})")
    within_limit("rank.max_replications", rank.max_replications, "replications", True)
    if rank.screen_keep is not None:
        at_least("rank.screen_keep", rank.screen_keep, 1)
    probability("rank.screen_margin", rank.screen_margin)
    if rank.counsellors is not None:
        at_least("rank.counsellors", rank.counsellors, 1)
    if rank.every_weeks is not None:
        at_least("rank.every_weeks", rank.every_weeks, 1)
    for day in rank.weekdays or []:
        one_of("rank.weekdays", day, WEEKDAYS)
    if rank.weekdays is not None and not rank.weekdays:
        raise ConfigError("rank.weekdays must name at least one weekday, got [].")


def validate_courses(config: ScenarioConfig, region: Region, workday_start: int, workday_end: int) -> None:
    """Each group course (sim.model.courses): its places, room, size, calendar, office and target
    group. Whether its staff fit the office and its drives the working day is checked when it is
    planned."""
    from sim.model.caseload import TARGET_GROUPS

    offices = [key for key, site in config.sites.items() if site.open and site.kind == "office"]
    for key, course in config.courses.items():
        where = f"courses.{key}"
        safe_name(where, key)
        if key in config.sites or key in config.vehicles:
            raise ConfigError(f"{where} has the name of a site or vehicle; name the course apart.")
        if not course.open:
            continue
        if not course.places:
            raise ConfigError(f"{where}.places must name at least one municipality where the course meets, got [].")
        for place in course.places:
            municipality(f"{where}.places:", place, region)
        if len({region.index(place) for place in course.places}) < len(course.places):
            raise ConfigError(f"{where}.places names a municipality twice; list each place once.")
        for place in course.catchment:
            municipality(f"{where}.catchment:", place, region)
        open_office(f"{where}.office", course.office, offices)
        at_least(f"{where}.room_seats", course.room_seats, 1)
        at_least(f"{where}.capacity", course.capacity, 1)
        at_most(
            f"{where}.capacity",
            course.capacity,
            f"{where}.room_seats",
            course.room_seats,
            "a course cannot take more participants than its room seats; lower the capacity or give it a larger room",
        )
        if not 1 <= course.min_size <= course.capacity:
            raise ConfigError(
                f"{where}.min_size must lie in 1..{course.capacity} ({where}.capacity), got {course.min_size}."
            )
        at_least(f"{where}.meetings", course.meetings, 1)
        one_of(f"{where}.weekday", course.weekday, WEEKDAYS)
        start = clock(f"{where}.start", course.start)
        if not (course.hours > 0 and workday_start <= start and start + course.hours * 60 <= workday_end):
            raise ConfigError(
                f"{where}: a meeting from {course.start} for {where}.hours ({course.hours}) must be a period inside"
                f" the working day {config.staff.workday_start}-{config.staff.workday_end}."
            )
        at_least(f"{where}.first_week", course.first_week, 0)
        if course.every_weeks < course.meetings:
            raise ConfigError(
                f"{where}.every_weeks ({course.every_weeks}) must be at least {where}.meetings ({course.meetings}):"
                " a run of weekly meetings ends before the next one starts."
            )
        at_least(f"{where}.staff", course.staff, 1)
        one_of(f"{where}.target_group", course.target_group, TARGET_GROUPS)
        at_least(f"{where}.notice_days", course.notice_days, 0)
        at_least(f"{where}.invite_factor", course.invite_factor, 1.0, "at least 1 (one invitation per free seat)")
        at_least(f"{where}.dropout_after", course.dropout_after, 1)
