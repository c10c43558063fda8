"""A synthetic but realistic results folder of a comparison, written as docs/outputs.md specifies.

The district is the Wartburgkreis (coordinates and population from shared/data/municipalities.csv):
two offices, the four municipal rooms it runs today, a vehicle tour through the Rhön, and the
scenario that adds a room in Ruhla. KPI values follow the domain defaults; replications are drawn
with common noise per replication, so paired differences are narrower than the levels, as with CRN.
"""

import csv
import json
import math
from pathlib import Path

import numpy as np
from scipy import stats

from sim.experiment.stats import paired_difference, significant_differences

REPLICATIONS = 20
SEED = 20240611
HORIZON_DAYS = 365
WARMUP_DAYS = 56
SGB2_SHARE = 0.045

# name, AGS, lat, lon, population (Zensus 2022)
MUNICIPALITIES = (
    ("Bad Salzungen", "16063003", 50.811679, 10.231992, 22806),
    ("Barchfeld-Immelborn", "16063004", 50.799712, 10.298592, 4350),
    ("Berka v. d. Hainich", "16063006", 51.043968, 10.385777, 740),
    ("Bischofroda", "16063008", 51.057873, 10.364171, 642),
    ("Buttlar", "16063011", 50.755501, 9.951776, 1155),
    ("Dermbach", "16063015", 50.716558, 10.119924, 7074),
    ("Empfertshausen", "16063023", 50.664091, 10.098294, 532),
    ("Geisa", "16063032", 50.716792, 9.949835, 4757),
    ("Gerstengrund", "16063033", 50.701184, 10.050555, 66),
    ("Krauthausen", "16063046", 51.016799, 10.271175, 1557),
    ("Lauterbach", "16063049", 51.070786, 10.350723, 658),
    ("Leimbach", "16063051", 50.815035, 10.195231, 1792),
    ("Nazza", "16063058", 51.114666, 10.337202, 538),
    ("Oechsen", "16063062", 50.745069, 10.065576, 602),
    ("Ruhla", "16063066", 50.892673, 10.365621, 5258),
    ("Schleid", "16063068", 50.695362, 9.952184, 1019),
    ("Seebach", "16063071", 50.915334, 10.420253, 1786),
    ("Treffurt", "16063076", 51.137051, 10.230207, 5935),
    ("Unterbreizbach", "16063078", 50.817165, 9.979598, 3322),
    ("Vacha", "16063082", 50.823079, 10.02408, 5045),
    ("Weilar", "16063084", 50.761567, 10.15542, 815),
    ("Wiesenthal", "16063086", 50.702214, 10.169147, 739),
    ("Wutha-Farnroda", "16063092", 50.956091, 10.395766, 6341),
    ("Gerstungen", "16063097", 50.968063, 10.075877, 9125),
    ("Hörselberg-Hainich", "16063098", 51.020649, 10.508844, 6077),
    ("Bad Liebenstein", "16063099", 50.815751, 10.34924, 7768),
    ("Krayenberggemeinde", "16063101", 50.837986, 10.084545, 4890),
    ("Werra-Suhl-Tal", "16063103", 50.939304, 10.068487, 6171),
    ("Amt Creuzburg", "16063104", 51.055715, 10.245336, 5003),
    ("Eisenach", "16063105", 50.977287, 10.322388, 39931),
)
OFFICES = {"Bad Salzungen": "Bad Salzungen", "Eisenach": "Eisenach"}
ROOMS = ("Gerstungen", "Wutha-Farnroda", "Treffurt", "Dermbach")
VEHICLE_STOPS = (
    "Geisa",
    "Buttlar",
    "Schleid",
    "Gerstengrund",
    "Empfertshausen",
    "Oechsen",
    "Wiesenthal",
    "Weilar",
    "Unterbreizbach",
    "Vacha",
)
ADDED_ROOM = "Ruhla"
SESSIONS_HELD = {"office": 222.0, "room": 22.0, "vehicle_stop": 11.0}
KEPT_PER_SESSION = {"office": (45.0, 70.0), "room": (5.0, 11.0), "vehicle_stop": (1.2, 6.0)}
SITE_ATTENDANCE = {"office": 0.58, "room": 0.66, "vehicle_stop": 0.63}

# KPI: (baseline value, effect of the added room, noise common to all scenarios, own noise)
SCENARIO_KPIS = {
    "wait_days_mean": (10.4, 0.0, 0.6, 0.15),
    "wait_days_p90": (21.0, -0.4, 1.0, 0.3),
    "onsite_wait_min_mean": (12.3, -0.4, 0.8, 0.2),
    "attendance_rate": (0.642, 0.011, 0.012, 0.003),
    "reach": (0.861, 0.008, 0.006, 0.002),
    "coverage_30min": (0.712, 0.048, 0.004, 0.002),
    "coverage_45min": (0.884, 0.021, 0.003, 0.002),
    "coverage_60min": (0.951, 0.0, 0.002, 0.0),
    "lost_clients": (142.0, -6.0, 9.0, 2.5),
    "kept_contacts": (15800.0, 190.0, 160.0, 40.0),
    "no_shows": (8800.0, -190.0, 160.0, 40.0),
    "walkins_served": (6610.0, 2.0, 70.0, 5.0),
    "counsellor_utilisation": (0.681, 0.009, 0.01, 0.003),
    "counsellor_travel_hours": (310.0, 82.0, 12.0, 4.0),
    "client_travel_km_per_contact": (23.7, -0.4, 0.2, 0.05),
    "staff_travel_km": (21500.0, 4700.0, 500.0, 150.0),
    "onsite_queue_mean": (0.86, -0.02, 0.1, 0.01),
    "walkin_arrivals_per_hour": (0.89, 0.0, 0.01, 0.0),
}
OFFICE_STAFF = {"Bad Salzungen": 14, "Eisenach": 10}
HOURS_PER_COUNSELLOR = (HORIZON_DAYS - WARMUP_DAYS) / 7 * 39 * 0.86


def t_interval(values: np.ndarray) -> dict:
    """Return mean, 95 % t-interval and n of replication values, as kpis.json holds them."""
    n = len(values)
    mean = float(values.mean())
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def interval_around(mean: float, relative_sd: float) -> dict:
    """Return a plausible 95 % interval around a place-level mean."""
    half = 1.96 * abs(mean) * relative_sd / math.sqrt(REPLICATIONS)
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": REPLICATIONS}


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the straight-line distance in km between two (lat, lon) points."""
    north = math.radians(b[0] - a[0]) * 6371
    east = math.radians(b[1] - a[1]) * 6371 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(north, east)


def site_list(added_room: bool, vehicle_tour: bool) -> list[dict]:
    """Return the sites of a scenario as scenarios.json lists them."""
    where = {name: (lat, lon) for name, _, lat, lon, _ in MUNICIPALITIES}
    sites = [
        {"name": f"Jobcenter {town}", "kind": "office", "municipality": town, "calendar": "Mon-Fri 08:00-16:00"}
        for town in OFFICES
    ]
    sites += [
        {
            "name": f"Sprechtag {town}",
            "kind": "room",
            "municipality": town,
            "calendar": "every 2nd Wednesday 09:00-15:00",
        }
        for town in ROOMS + ((ADDED_ROOM,) if added_room else ())
    ]
    if vehicle_tour:
        sites += [
            {"name": f"Mobil {town}", "kind": "vehicle_stop", "municipality": town, "calendar": "every 4th Tuesday"}
            for town in VEHICLE_STOPS
        ]
    for site in sites:
        site["lat"], site["lon"] = where[site["municipality"]]
    return sites


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    """Write a CSV file with a header row."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def write_results_folder(
    folder: Path,
    names: tuple[str, ...] = ("wartburgkreis", "wartburgkreis_ruhla"),
    labels: dict[str, dict[str, str]] | None = None,
    vehicle_tour: bool = True,
) -> Path:
    """Write a comparison's results folder for `names` (first = baseline) into `folder`."""
    rng = np.random.default_rng(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    labels = labels or {
        names[0]: {"de": "Wartburgkreis heute", "en": "Wartburgkreis today"},
        **{
            name: {
                "de": f"Wartburgkreis mit Sprechtag in Ruhla ({index})",
                "en": f"Wartburgkreis with a Ruhla consultation day ({index})",
            }
            for index, name in enumerate(names[1:], start=1)
        },
    }
    sites = {name: site_list(index > 0, vehicle_tour) for index, name in enumerate(names)}

    common = {kpi: rng.normal(0, spec[2], REPLICATIONS) for kpi, spec in SCENARIO_KPIS.items()}
    replication_values = {
        name: {
            kpi: base + index * effect + common[kpi] + rng.normal(0, own, REPLICATIONS)
            for kpi, (base, effect, _, own) in SCENARIO_KPIS.items()
        }
        for index, name in enumerate(names)
    }
    run = {"replications": REPLICATIONS, "seed": SEED, "horizon_days": HORIZON_DAYS, "warmup_days": WARMUP_DAYS}
    kpis = {
        "scenarios": {
            name: {**run, "kpis": {kpi: t_interval(values) for kpi, values in by_kpi.items()}}
            for name, by_kpi in replication_values.items()
        }
    }
    comparison = {
        "baseline": names[0],
        "differences": {
            name: significant_differences(
                {
                    kpi: paired_difference(replication_values[name][kpi], replication_values[names[0]][kpi])
                    for kpi in SCENARIO_KPIS
                }
            )
            for name in names[1:]
        },
    }
    write_csv(
        folder / "replications.csv",
        ["scenario", "replication", "kpi", "value"],
        [
            [name, replication, kpi, float(values[replication])]
            for name, by_kpi in replication_values.items()
            for kpi, values in by_kpi.items()
            for replication in range(REPLICATIONS)
        ],
    )

    kept_per_session = {site["name"]: rng.uniform(*KEPT_PER_SESSION[site["kind"]]) for site in sites[names[-1]]}
    municipality_rows, site_rows, counsellor_rows, wait_rows = [], [], [], []
    for index, name in enumerate(names):
        for town, ags, lat, lon, population in MUNICIPALITIES:
            nearest = min(sites[name], key=lambda s: km_between((lat, lon), (s["lat"], s["lon"])))
            km = km_between((lat, lon), (nearest["lat"], nearest["lon"]))
            clients = population * SGB2_SHARE * rng.uniform(0.9, 1.1)
            travel_min = 6 + 1.9 * km
            attendance = min(0.75, 0.72 - 0.0035 * travel_min + rng.normal(0, 0.01))
            kept = clients * 6.5 * attendance * (HORIZON_DAYS - WARMUP_DAYS) / HORIZON_DAYS
            values = {
                "clients": (clients, 0.01),
                "attendance_rate": (attendance, 0.04),
                "travel_min": (travel_min, 0.02),
                "wait_days_mean": (10.4 + 0.05 * km + rng.normal(0, 0.5), 0.05),
                "kept_contacts": (kept, 0.04),
                "reach": (min(0.97, 0.93 - 0.002 * travel_min), 0.02),
            }
            for kpi, (mean, relative_sd) in values.items():
                estimate = interval_around(mean, relative_sd)
                municipality_rows.append([name, ags, town, lat, lon, kpi, *estimate.values()])
        for site in sites[name]:
            sessions = SESSIONS_HELD[site["kind"]]
            kept = kept_per_session[site["name"]] * rng.uniform(0.95, 1.05)
            values = {
                "sessions_held": (sessions, 0.01),
                "kept_contacts": (sessions * kept, 0.04),
                "kept_per_session": (kept, 0.04),
                "attendance_rate": (SITE_ATTENDANCE[site["kind"]] + rng.normal(0, 0.02), 0.05),
                "nearly_empty_sessions": (float(stats.poisson.cdf(2, kept)), 0.1),
            }
            for kpi, (mean, relative_sd) in values.items():
                estimate = interval_around(mean, relative_sd)
                site_rows.append(
                    [
                        name,
                        site["name"],
                        site["kind"],
                        site["municipality"],
                        site["lat"],
                        site["lon"],
                        kpi,
                        *estimate.values(),
                    ]
                )
        for office, staff in OFFICE_STAFF.items():
            hours = staff * HOURS_PER_COUNSELLOR
            travel = {"Bad Salzungen": 180.0, "Eisenach": 130.0}[office]
            travel += 82.0 * index if office == "Bad Salzungen" else 0.0
            counselling = 0.62 * hours + (40.0 * index if office == "Bad Salzungen" else 0.0)
            meetings = 0.08 * hours
            split = {
                "counselling_hours": counselling,
                "travel_hours": travel,
                "meeting_hours": meetings,
                "idle_hours": hours - counselling - travel - meetings,
            }
            for kpi, mean in split.items():
                counsellor_rows.append([name, office, kpi, *interval_around(mean, 0.03).values()])
        mean_wait = SCENARIO_KPIS["wait_days_mean"][0] - 0.3 * index
        days = np.arange(0, 61)
        shape = 3.0
        weights = stats.gamma.pdf(days + 0.5, shape, scale=mean_wait / shape)
        counts = np.round(weights / weights.sum() * 15800 * REPLICATIONS).astype(int)
        wait_rows += [[name, int(day), int(count)] for day, count in zip(days, counts) if count]

    place_header = ["mean", "ci_low", "ci_high", "n"]
    write_csv(
        folder / "municipalities.csv",
        ["scenario", "ags", "municipality", "lat", "lon", "kpi", *place_header],
        municipality_rows,
    )
    write_csv(
        folder / "sites.csv",
        ["scenario", "site", "kind", "municipality", "lat", "lon", "kpi", *place_header],
        site_rows,
    )
    write_csv(folder / "counsellors.csv", ["scenario", "office", "kpi", *place_header], counsellor_rows)
    write_csv(folder / "wait_days.csv", ["scenario", "days", "count"], wait_rows)

    question = {
        "de": "Was bewirkt ein zusätzlicher Sprechtag in Ruhla bei Wartezeit, Teilnahme, "
        "Erreichbarkeit und Arbeitszeit der Beratungskräfte?",
        "en": "What does an extra consultation day in Ruhla do to waiting times, attendance, "
        "coverage and counsellor time?",
    }
    descriptions = {
        name: {"label": labels[name], "question": question if index else None, "sites": sites[name]}
        for index, name in enumerate(names)
    }
    assumptions = {
        name: [
            {"key": "clients.share_without_car", "value": 0.5, "source": "Coburg, MiD, EVS"},
            {"key": "attendance.no_show_central", "value": 0.25, "source": "Dantas 23 %; BMJ QS 29.8 %"},
            {"key": "attendance.travel_effect_per_min", "value": 0.0097, "source": "BMJ QS 2018; derived"},
            {"key": "clients.contact_interval_weeks", "value": {"under_25": 4, "other": 8}, "source": "BMAS 2024"},
            {"key": "transit.headway_min", "value": 60, "source": "assumption"},
            {"key": "sessions.room_calendar", "value": "every 2nd Wednesday 09:00-15:00", "source": "assumption"},
            {"key": "sites.count", "value": len(sites[name]), "source": "scenario"},
        ]
        for name in names
    }
    provenance = {
        "package_version": "0.1.0",
        "git_commit": "4c1d2e9b7a0f3e5d6c8b9a1f2e3d4c5b6a7f8e9d",
        "seed": SEED,
        "replications": REPLICATIONS,
        "horizon_days": HORIZON_DAYS,
        "warmup_days": WARMUP_DAYS,
        "python": "3.11.2",
        "libraries": {"simpy": "4.1.2", "numpy": "2.4.6", "hydra-core": "1.3.8"},
        "command": "python -m sim.compare scenarios=[" + ",".join(names) + "]",
        "started": "2025-11-21T09:14:03+01:00",
        "finished": "2025-11-21T09:16:41+01:00",
    }
    for file_name, content in {
        "kpis.json": kpis,
        "comparison.json": comparison,
        "scenarios.json": descriptions,
        "assumptions.json": assumptions,
        "provenance.json": provenance,
    }.items():
        (folder / file_name).write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / ".hydra").mkdir(exist_ok=True)
    (folder / ".hydra" / "config.yaml").write_text("seed: 20240611\n", encoding="utf-8")
    return folder
