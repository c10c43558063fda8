"""What a scenario fixes before any random number is drawn: sites, travel, calendars, choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.config.schema import ARRIVAL_OFFSET_LIMIT_MIN, ScenarioConfig, WalkinConfig, reception_clerks
from sim.district.calendar import MINUTES_PER_DAY, clock_minutes, public_holidays, session_days, sessions_per_month
from sim.district.region import Region, load_region
from sim.district.travel import TravelTimes, travel_times
from sim.kpi.registry import CORE
from sim.model.caseload import in_target_group
from sim.model.conferences import COMPONENT as CONFERENCES
from sim.model.conferences import plan_teams
from sim.model.courses import COMPONENT as COURSES
from sim.model.courses import plan_courses
from sim.model.staff import Block, StaffPlan

if TYPE_CHECKING:
    from sim.model.conferences import TeamPlan
    from sim.model.courses import CoursePlan
    from sim.model.vehicles import VehiclePlan

OFFICE_RANK = 1e6  # under the local policy an office ranks after every room that serves the client
# Bookings may land after the horizon (they stay pending); the book reaches this far beyond it.
BOOKING_LOOKAHEAD_DAYS = 364


@dataclass
class Site:
    """An office, a municipal room or a vehicle's stop of the scenario."""

    key: str
    kind: str
    municipality: int
    counsellors: int
    base_office: str  # the office whose staff work here (itself for an office)
    appointments: bool
    slot_min: int
    open_min: int  # minutes after midnight
    doors_min: int  # the first clients come (ARRIVAL_OFFSET_LIMIT_MIN early); the session's bookings are fixed
    close_min: int
    days: list[int]  # session days in [0, horizon + lookahead)
    always_open: bool
    walkins: WalkinConfig
    reception_clerks: int = 0  # 0: no reception desk, clients wait for the counsellor at once
    checkin_min: float = 0.0  # mean check-in time at the reception desk
    staff_travel_min: float = 0.0  # one way, from the base office by car
    staff_travel_km: float = 0.0
    target_group: str = "all"  # a room or stop: whom it invites (hard_to_reach | no_car | all)
    catchment: tuple[int, ...] = ()  # a room or stop: municipalities it serves besides its own
    sessions_per_month: float = 0.0  # on average; a site held at least monthly counts for coverage
    hours: list[tuple[int, int]] | None = None  # (opens, closes) per session when they differ (a generated tour)
    vehicle: str | None = None  # the vehicle whose stop this is (vehicles.py holds its sessions)
    schedule: str = ""  # its calendar in words, when it has no calendar of its own in config.sites


@dataclass
class World:
    """A scenario prepared for simulation; shared by all its replications."""

    config: ScenarioConfig
    region: Region
    travel: TravelTimes
    sites: list[Site]
    site_index: dict[str, int]
    client_counts: np.ndarray  # clients per municipality
    # candidates[m][car][hard]: (site, rank) a client may be invited to, best rank first (booking.py)
    candidates: list[list[list[list[tuple[int, float]]]]]
    client_travel_min: np.ndarray  # [site, municipality, car] one-way minutes by own mode
    coverage_min: np.ndarray  # [municipality, car, hard] minutes to the nearest usable site held >= monthly
    poor_connection: np.ndarray  # [municipality] the nearest office is more than poor_connection_min by bus
    staff: StaffPlan  # each office's counsellors and their blocked time
    offices: list[str]  # keys of the open offices
    client_municipality: np.ndarray  # [client slot] home municipality
    holidays: frozenset[int] = frozenset()  # public holidays of the district's state: days off
    vehicles: list[VehiclePlan] = field(default_factory=list)  # mobile offices with their tour days
    components: tuple[str, ...] = (CORE,)  # the model components the scenario has (KPI registry)
    teams: list[TeamPlan] = field(default_factory=list)  # project teams with their case conferences
    courses: list[CoursePlan] = field(default_factory=list)  # group courses with their calendars (courses.py)


def client_counts(region: Region, config: ScenarioConfig) -> np.ndarray:
    """Clients per municipality: population x share, or a given total split by population."""
    clients = config.clients
    if clients.count is not None:
        weights = region.population / region.population.sum()
        exact = weights * clients.count
    else:
        exact = region.population * clients.share_of_population
    counts = np.floor(exact).astype(int)
    total = int(round(exact.sum()))
    remainder = np.argsort(-(exact - counts), kind="stable")[: max(0, total - counts.sum())]
    counts[remainder] += 1
    return counts


def build_world(config: ScenarioConfig) -> World:
    """Prepare a validated scenario config for simulation."""
    region = load_region(config.region)
    travel = travel_times(region, config.travel)
    last_day = config.horizon_days + BOOKING_LOOKAHEAD_DAYS
    holidays_off = public_holidays(config.region.state, config.start_date, last_day)
    open_sites = [(key, site) for key, site in config.sites.items() if site.open]
    offices = [key for key, site in open_sites if site.kind == "office"]
    sites: list[Site] = []
    for key, site in open_sites:
        municipality = region.index(site.municipality)
        assert municipality is not None, "validated before"
        base = (
            key
            if site.kind == "office"
            else site.base_office or nearest_office(municipality, offices, config, region, travel)
        )
        base_municipality = region.index(config.sites[base].municipality)
        calendar = site.calendar
        days = [0] if calendar.always_open else session_days(calendar, 0, last_day, holidays_off)
        opens = 0 if calendar.always_open else clock_minutes(calendar.start)
        sites.append(
            Site(
                key=key,
                kind=site.kind,
                municipality=municipality,
                counsellors=site.counsellors,
                base_office=base,
                appointments=site.appointments and not calendar.always_open,
                slot_min=site.slot_min,
                open_min=opens,
                doors_min=max(0, opens - ARRIVAL_OFFSET_LIMIT_MIN),
                close_min=(
                    config.horizon_days * MINUTES_PER_DAY if calendar.always_open else clock_minutes(calendar.end)
                ),
                days=days,
                always_open=calendar.always_open,
                walkins=site.walkins,
                reception_clerks=reception_clerks(site),
                checkin_min=site.reception.checkin_min,
                staff_travel_min=0.0 if key == base else travel.car_min[base_municipality, municipality],
                staff_travel_km=0.0 if key == base else travel.road_km[base_municipality, municipality],
                target_group=site.target_group,
                catchment=tuple(region.index(name) for name in site.catchment),
                sessions_per_month=sessions_per_month(calendar),
            )
        )
    from sim.model.vehicles import plan_vehicles  # here: vehicles.py builds its stops as Sites of this module

    stops, vehicles = plan_vehicles(config, region, travel, holidays_off, last_day, len(sites))
    sites += stops
    site_index = {site.key: i for i, site in enumerate(sites)}
    n_municipalities = len(region.names)
    to = np.array([site.municipality for site in sites], dtype=int)
    # [site, home municipality, car]: car 0 = no car (public transport), 1 = car
    client_travel_min = np.stack([travel.pt_min[:, to].T, travel.car_min[:, to].T], axis=-1)
    served = [served_municipalities(site, config, region) for site in sites]
    assigned = assigned_offices(region, sites, config)
    candidates = [
        [
            [
                appointment_candidates(m, bool(car), bool(hard), sites, served, client_travel_min, config, assigned[m])
                for hard in (0, 1)
            ]
            for car in (0, 1)
        ]
        for m in range(n_municipalities)
    ]
    coverage_min = np.full((n_municipalities, 2, 2), np.inf)
    covering = covering_sites(sites)
    for m in range(n_municipalities):
        for car in (0, 1):
            for hard in (0, 1):
                invited = {site for site, _ in candidates[m][car][hard]}
                usable = [i for i in covering if i in invited or sites[i].walkins.rate_per_hour]
                if usable:
                    coverage_min[m, car, hard] = client_travel_min[usable, m, car].min()
    offices_at = [site.municipality for site in sites if site.kind == "office" and site.appointments]
    bus_to_office = travel.pt_min[:, offices_at].min(axis=1) if offices_at else np.zeros(n_municipalities)
    counts = client_counts(region, config)
    blocks: list[Block] = []  # staff time that courses and case conferences block
    components = [CORE]
    teams, team_blocks = plan_teams(config, region, travel, sites, holidays_off, last_day)
    blocks += team_blocks
    if teams:
        components.append(CONFERENCES)
    courses, course_blocks = plan_courses(config, region, travel, holidays_off, last_day)
    blocks += course_blocks
    if courses:
        components.append(COURSES)
    return World(
        config=config,
        region=region,
        travel=travel,
        sites=sites,
        site_index=site_index,
        client_counts=counts,
        candidates=candidates,
        client_travel_min=client_travel_min,
        coverage_min=coverage_min,
        poor_connection=bus_to_office > config.clients.poor_connection_min,
        staff=StaffPlan(sites, config, holidays_off, vehicles, blocks),
        holidays=holidays_off,
        vehicles=vehicles,
        teams=teams,
        courses=courses,
        components=tuple(components),
        offices=[site.key for site in sites if site.kind == "office"],
        client_municipality=np.repeat(np.arange(n_municipalities), counts),
    )


def nearest_office(
    municipality: int, offices: list[str], config: ScenarioConfig, region: Region, travel: TravelTimes
) -> str:
    """The office nearest by car to a municipality."""
    return min(offices, key=lambda key: travel.car_min[region.index(config.sites[key].municipality), municipality])


def served_municipalities(site: Site, config: ScenarioConfig, region: Region) -> set[int]:
    """The municipalities a room serves: its own and its catchment (an office serves all)."""
    if site.kind == "office":
        return set(range(len(region.names)))
    return {site.municipality, *site.catchment}


def assigned_offices(region: Region, sites: list[Site], config: ScenarioConfig) -> list[int | None]:
    """Under `booking.policy=catchment`, the office site each municipality's clients belong to: the
    district's office (offices.csv) whose catchment lists the municipality, if the scenario has an
    open office in that office's municipality; None elsewhere (the nearest office then)."""
    if config.booking.policy != "catchment":
        return [None] * len(region.names)
    office_at = {site.municipality: i for i, site in enumerate(sites) if site.kind == "office" and site.appointments}
    assigned: list[int | None] = [None] * len(region.names)
    for office in region.offices:
        for m in (office.municipality, *office.catchment):
            assigned[m] = office_at.get(office.municipality, assigned[m])
    return assigned


def appointment_candidates(
    municipality: int,
    car: bool,
    hard: bool,
    sites: list[Site],
    served: list[set[int]],
    client_travel_min: np.ndarray,
    config: ScenarioConfig,
    assigned: int | None = None,
) -> list[tuple[int, float]]:
    """The sites a client may be invited to, with their rank (lower first).

    Policy `local` (the Jobcenters' practice): a room invites the residents of the municipalities it
    serves who are in its target group, ahead of any office; everyone else is invited to the nearest
    office. Policy `catchment`: as `local`, but the office is the one the district's offices.csv
    assigns to the client's municipality (`assigned`; the nearest where none is). Policy `nearest`:
    any site whose target group the client is in, nearest first. The rank is the client's own
    one-way travel time (plus a large constant for offices under `local` and `catchment`)."""
    ranked = []
    policy = config.booking.policy
    for i, site in enumerate(sites):
        if not site.appointments:
            continue
        travel = float(client_travel_min[i, municipality, int(car)])
        if site.kind == "office":
            if assigned is None or i == assigned:
                ranked.append((i, travel + (0.0 if policy == "nearest" else OFFICE_RANK)))
            continue
        local = config.booking.policy == "nearest" or municipality in served[i]
        if local and in_target_group(site.target_group, car, hard):
            ranked.append((i, travel))
    return sorted(ranked, key=lambda pair: (pair[1], pair[0]))


def covering_sites(sites: list[Site]) -> list[int]:
    """Sites that count for coverage: staffed and holding a session at least monthly."""
    return [i for i, site in enumerate(sites) if site.counsellors > 0 and site.sessions_per_month >= 1]
