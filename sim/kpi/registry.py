"""The KPI registry: every KPI declared once, with its unit, German and English label and better direction.

Results files, the printed table, the report and the regression check take their KPIs, units and
labels from here. A KPI belongs to the *component* of the model that produces it; a scenario
reports the KPIs of the components it has (`scenario_kpis`), so a component that one district uses
adds KPIs to that district's scenarios only. A new component declares its KPIs in its own module
with `declare`.

Levels: `scenario` KPIs are one number per replication (kpis.json); `municipality`, `site` and
`office` KPIs are per place (municipalities.csv, sites.csv, counsellors.csv).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

UNITS = ("share", "days", "minutes", "hours", "km", "euro", "count")
LEVELS = ("scenario", "municipality", "site", "office")
CORE = "core"  # the caseload, offices and rooms: every scenario has them
SCENARIO = ("scenario",)


@dataclass(frozen=True)
class Kpi:
    """One KPI: its name in results files, unit, labels, which direction is better, where it is counted."""

    name: str
    unit: str
    label: dict[str, str]
    better: str | None  # "higher", "lower", or None when neither is better in itself
    levels: tuple[str, ...]  # scenario (kpis.json) and the places it is also counted per
    component: str


KPIS: dict[str, Kpi] = {}


def declare(
    name: str,
    unit: str,
    de: str,
    en: str,
    better: str | None = None,
    levels: tuple[str, ...] = SCENARIO,
    component: str = CORE,
) -> str:
    """Declare a KPI once; return its name."""
    if name in KPIS:
        raise ValueError(f"KPI {name} is declared twice")
    if unit not in UNITS or not set(levels) <= set(LEVELS) or better not in (None, "higher", "lower"):
        raise ValueError(f"KPI {name}: unit {unit}, levels {levels} or better {better} is not allowed")
    KPIS[name] = Kpi(name, unit, {"de": de, "en": en}, better, tuple(levels), component)
    return name


def scenario_kpis(components: Iterable[str]) -> list[str]:
    """The scenario-level KPIs of a scenario with these components, in declaration order."""
    present = set(components)
    return [kpi.name for kpi in KPIS.values() if "scenario" in kpi.levels and kpi.component in present]


def level_kpis(level: str) -> tuple[str, ...]:
    """The KPIs counted per place of one level (municipality, site, office), in declaration order."""
    return tuple(kpi.name for kpi in KPIS.values() if level in kpi.levels)


def unit_of(name: str) -> str:
    """The unit of a KPI; a name the registry does not know (an older results folder) counts as a count."""
    return KPIS[name].unit if name in KPIS else "count"


def label_of(name: str, lang: str) -> str:
    """The reader's name of a KPI; an unknown one keeps its key, with spaces."""
    return KPIS[name].label[lang] if name in KPIS else name.replace("_", " ")


COVERAGE_THRESHOLDS_MIN = (30, 45, 60)
PLACES = ("scenario", "municipality")
SITES = ("scenario", "municipality", "site")

declare("wait_days_mean", "days", "mittlere Wartezeit bis zum Termin", "mean days to appointment", "lower", PLACES)
declare(
    "wait_days_p90", "days", "Wartezeit bis zum Termin, 90-%-Quantil", "days to appointment, 90th percentile", "lower"
)
declare("onsite_wait_min_mean", "minutes", "mittlere Wartezeit vor Ort", "mean wait on site", "lower")
declare("attendance_rate", "share", "Teilnahmequote", "attendance rate", "higher", SITES)
declare("reach", "share", "Anteil erreichter Klienten", "reach", "higher", PLACES)
for _minutes in COVERAGE_THRESHOLDS_MIN:
    declare(
        f"coverage_{_minutes}min",
        "share",
        f"Klienten höchstens {_minutes} Minuten von einem Standort",
        f"clients within {_minutes} minutes of a site",
        "higher",
    )
declare("lost_clients", "count", "verlorene Klienten", "clients lost", "lower")
declare("kept_contacts", "count", "wahrgenommene Kontakte", "kept contacts", "higher", SITES)
declare("no_shows", "count", "nicht wahrgenommene Termine", "no-shows", "lower")
declare("walkins_served", "count", "bediente Kunden ohne Termin", "walk-ins served", "higher")
declare(
    "counsellor_utilisation",
    "share",
    "Anteil Beratung im Gespräch an der Arbeitszeit",
    "share of working time face to face",
)
declare(
    "appointments_per_counsellor_day",
    "count",
    "Termine je Beratungskraft und Arbeitstag",
    "appointments per counsellor-day",
)
declare("counsellor_travel_hours", "hours", "Fahrzeit der Beratungskräfte", "counsellor travel time", "lower")
declare(
    "client_travel_km_per_contact", "km", "Wegstrecke der Klienten je Kontakt", "client kilometres per contact", "lower"
)
declare("staff_travel_km", "km", "Wegstrecke der Beratungskräfte", "staff kilometres", "lower")
declare("exits_to_work", "count", "Abgänge in Arbeit", "exits to work", "higher", PLACES)
declare(
    "exits_to_work_rate",
    "count",
    "Abgänge in Arbeit je Klientenjahr",
    "exits to work per client-year",
    "higher",
    PLACES,
)
declare(
    "days_on_benefits",
    "days",
    "Tage im Leistungsbezug der Abgänge (Mittel)",
    "days on benefits of those who left (mean)",
    None,  # neither: a measure for the long-term brings the exits of long stays forward, and raises it
    PLACES,
)
declare("vehicle_km", "km", "Fahrstrecke der Beratungsmobile", "vehicle kilometres")
declare("vehicle_days_lost", "count", "Ausfalltage der Beratungsmobile", "vehicle days lost to breakdowns", "lower")
declare(
    "sessions_cancelled",
    "count",
    "ausgefallene Sprechtage (krank, Panne)",
    "sessions cancelled (sickness, breakdown)",
    "lower",
)
declare(
    "overtime_hours",
    "hours",
    "Überstunden der Fahrzeugbesatzungen (Rückkehr nach Dienstschluss)",
    "overtime of vehicle crews (back after the working day)",
    "lower",
)
declare(
    "cost_total_eur",
    "euro",
    "Kosten: Arbeitszeit der Beratungskräfte, Fahrten, Räume, Fahrzeuge",
    "cost: counsellor working time, travel, rooms, vehicles",
    "lower",
)
declare("cost_per_contact_eur", "euro", "Kosten je wahrgenommenem Kontakt", "cost per kept contact", "lower")
declare("onsite_queue_mean", "count", "mittlere Warteschlange vor Ort", "mean queue on site", "lower")
declare(
    "walkin_arrivals_per_hour", "count", "Kunden ohne Termin je Öffnungsstunde", "walk-in arrivals per opening hour"
)

HARD = ("scenario", "municipality")
declare(
    "reach_hard_to_reach",
    "share",
    "Anteil erreichter schwer erreichbarer Klienten",
    "reach of the hard-to-reach",
    "higher",
    HARD,
)
declare(
    "unreached_hard_to_reach",
    "count",
    "nicht erreichte schwer erreichbare Klienten",
    "hard-to-reach clients not reached",
    "lower",
)
declare(
    "kept_contacts_hard_to_reach",
    "count",
    "wahrgenommene Kontakte schwer Erreichbarer",
    "kept contacts of the hard-to-reach",
    "higher",
    HARD,
)
declare(
    "attendance_rate_hard_to_reach",
    "share",
    "Teilnahmequote schwer Erreichbarer",
    "attendance of the hard-to-reach",
    "higher",
)
declare(
    "travel_min_hard_to_reach",
    "minutes",
    "Fahrzeit schwer Erreichbarer zum Termin (einfach)",
    "travel time of the hard-to-reach (one way)",
    "lower",
    HARD,
)
declare(
    "wait_days_hard_to_reach",
    "days",
    "Wartezeit schwer Erreichbarer bis zum Termin",
    "days to appointment of the hard-to-reach",
    "lower",
)

declare("clients", "count", "Klienten", "clients", levels=("municipality",))
declare(
    "clients_hard_to_reach", "count", "schwer erreichbare Klienten", "hard-to-reach clients", levels=("municipality",)
)
declare(
    "travel_min",
    "minutes",
    "Fahrzeit der Klienten (einfach)",
    "client travel time (one way)",
    "lower",
    ("municipality",),
)
declare("sessions_held", "count", "abgehaltene Sprechtage", "sessions held", levels=("site",))
declare(
    "kept_per_session", "count", "wahrgenommene Kontakte je Sprechtag", "kept contacts per session", "higher", ("site",)
)
declare(
    "clients_seen", "count", "Klienten mit wahrgenommenem Kontakt", "clients with a kept contact", "higher", ("site",)
)
declare("nearly_empty_sessions", "share", "fast leere Sprechtage", "nearly empty sessions", "lower", ("site",))
declare("counselling_hours", "hours", "Beratung im Gespräch", "counselling face to face", levels=("office",))
declare("case_work_hours", "hours", "Fallarbeit und Verwaltung", "case work and administration", levels=("office",))
declare("travel_hours", "hours", "Fahrt", "travel", levels=("office",))
declare(
    "meeting_hours",
    "hours",
    "Besprechungen, Fallkonferenzen, ungenutzte Kurszeit",
    "meetings, case conferences, unused course time",
    levels=("office",),
)
declare("absent_hours", "hours", "krank", "off sick", levels=("office",))
declare("idle_hours", "hours", "freie Sprechzeit", "idle consultation time", levels=("office",))

# The answer's KPIs: first what outreach is for (the hard-to-reach), then the district and its cost;
# district attendance is left out, since one room's slots barely move it by arithmetic
ANSWER_KPIS = (
    "kept_contacts_hard_to_reach",
    "reach_hard_to_reach",
    "travel_min_hard_to_reach",
    "wait_days_hard_to_reach",
    "kept_contacts",
    "coverage_45min",
    "wait_days_mean",
    "counsellor_travel_hours",
)

MUNICIPALITY_KPIS = level_kpis("municipality")
SITE_KPIS = level_kpis("site")
COUNSELLOR_KPIS = level_kpis("office")
