"""What a scenario fixes before any random number is drawn: sites, travel, calendars, choices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.schema import ScenarioConfig, WalkinConfig
from sim.district.calendar import MINUTES_PER_DAY, clock_minutes, session_days, sessions_per_month
from sim.district.region import Region, load_region
from sim.district.travel import TravelTimes, travel_times
from sim.kpi.registry import CORE
from sim.model.staff import StaffPlan

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
    staff: StaffPlan  # each office's counsellors and their blocked time
    offices: list[str]  # keys of the open offices
    client_municipality: np.ndarray  # [client slot] home municipality
    components: tuple[str, ...] = (CORE,)  # the model components the scenario has (KPI registry)


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
        staff=StaffPlan(sites, config),
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
