"""What a scenario fixes before any random number is drawn: sites, travel, calendars, choices."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.config import ConfigError
from sim.config.schema import ScenarioConfig, WalkinConfig
from sim.district.calendar import MINUTES_PER_DAY, clock_minutes, session_days, sessions_per_month
from sim.district.region import Region, load_region
from sim.district.travel import TravelTimes, travel_times

# Bookings may land after the horizon (they stay pending); the book reaches this far beyond it.
BOOKING_LOOKAHEAD_DAYS = 364


@dataclass
class Site:
    """An office or a municipal room of the scenario."""

    key: str
    kind: str
    municipality: int
    counsellors: int
    base_office: str  # the office whose staff work here (itself for an office)
    appointments: bool
    slot_min: int
    open_min: int  # minutes after midnight
    close_min: int
    days: list[int]  # session days in [0, horizon + lookahead)
    always_open: bool
    walkins: WalkinConfig
    staff_travel_min: float = 0.0  # one way, from the base office by car
    staff_travel_km: float = 0.0


@dataclass
class World:
    """A scenario prepared for simulation; shared by all its replications."""

    config: ScenarioConfig
    region: Region
    travel: TravelTimes
    sites: list[Site]
    site_index: dict[str, int]
    client_counts: np.ndarray  # clients per municipality
    # candidates[m][car]: appointment sites in order of the client's own travel time
    candidates: list[list[list[int]]]
    client_travel_min: np.ndarray  # [site, municipality, car] one-way minutes by own mode
    coverage_min: np.ndarray  # [municipality, car] minutes to the nearest usable site held >= monthly
    office_staff: dict[tuple[str, int], int]  # (office, day) -> counsellors present as planned
    offices: list[str]  # keys of the open offices
    client_municipality: np.ndarray  # [client slot] home municipality


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
        days = [0] if calendar.always_open else session_days(calendar, 0, last_day)
        sites.append(
            Site(
                key=key,
                kind=site.kind,
                municipality=municipality,
                counsellors=site.counsellors,
                base_office=base,
                appointments=site.appointments and not calendar.always_open,
                slot_min=site.slot_min,
                open_min=0 if calendar.always_open else clock_minutes(calendar.start),
                close_min=(
                    config.horizon_days * MINUTES_PER_DAY if calendar.always_open else clock_minutes(calendar.end)
                ),
                days=days,
                always_open=calendar.always_open,
                walkins=site.walkins,
                staff_travel_min=0.0 if key == base else travel.car_min[base_municipality, municipality],
                staff_travel_km=0.0 if key == base else travel.road_km[base_municipality, municipality],
            )
        )
    site_index = {site.key: i for i, site in enumerate(sites)}
    n_municipalities = len(region.names)
    to = np.array([site.municipality for site in sites], dtype=int)
    # [site, home municipality, car]: car 0 = no car (public transport), 1 = car
    client_travel_min = np.stack([travel.pt_min[:, to].T, travel.car_min[:, to].T], axis=-1)
    candidates = [
        [appointment_candidates(m, bool(car), sites, client_travel_min, config) for car in (0, 1)]
        for m in range(n_municipalities)
    ]
    coverage_min = np.full((n_municipalities, 2), np.inf)
    for m in range(n_municipalities):
        for car in (0, 1):
            usable = [
                i for i in covering_sites(sites, config) if i in candidates[m][car] or sites[i].walkins.rate_per_hour
            ]
            if usable:
                coverage_min[m, car] = client_travel_min[usable, m, car].min()
    counts = client_counts(region, config)
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
        office_staff=planned_office_staff(sites, config),
        offices=[site.key for site in sites if site.kind == "office"],
        client_municipality=np.repeat(np.arange(n_municipalities), counts),
    )


def nearest_office(
    municipality: int, offices: list[str], config: ScenarioConfig, region: Region, travel: TravelTimes
) -> str:
    """The office nearest by car to a municipality."""
    return min(offices, key=lambda key: travel.car_min[region.index(config.sites[key].municipality), municipality])


def appointment_candidates(
    municipality: int, car: bool, sites: list[Site], client_travel_min: np.ndarray, config: ScenarioConfig
) -> list[int]:
    """Sites a client may be invited to, nearest first by the client's own travel time."""
    eligible = [
        i
        for i, site in enumerate(sites)
        if site.appointments and (site.kind == "office" or config.booking.outreach_for == "all" or not car)
    ]
    return sorted(eligible, key=lambda i: (client_travel_min[i, municipality, int(car)], i))


def covering_sites(sites: list[Site], config: ScenarioConfig) -> list[int]:
    """Sites that count for coverage: staffed and holding a session at least monthly."""
    return [
        i
        for i, site in enumerate(sites)
        if site.counsellors > 0 and sessions_per_month(config.sites[site.key].calendar) >= 1
    ]


def planned_present(counsellors: int, leave_share: float) -> int:
    """Counsellors an office plans with on a working day: its staff net of leave, rounded half up."""
    return math.floor(counsellors * (1.0 - leave_share) + 0.5)


def planned_office_staff(sites: list[Site], config: ScenarioConfig) -> dict[tuple[str, int], int]:
    """Counsellors present at each office on each of its days: net of planned leave and of the
    colleagues who hold an outreach session that day."""
    away: dict[tuple[str, int], int] = {}
    for site in sites:
        if site.kind != "office":
            for day in site.days:
                away[site.base_office, day] = away.get((site.base_office, day), 0) + site.counsellors
    staff = {}
    for site in sites:
        if site.kind == "office":
            present = planned_present(site.counsellors, config.staff.leave_share)
            for day in site.days:
                staff[site.key, day] = present - away.get((site.key, day), 0)
                if staff[site.key, day] < 0:
                    raise ConfigError(
                        f"sites.{site.key}.counsellors ({site.counsellors}, {present} present net of"
                        f" staff.leave_share) cannot staff the outreach sessions it serves on one day, which"
                        f" need {away[site.key, day]}; raise it or move rooms to another base_office."
                    )
    return staff
