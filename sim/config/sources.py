"""Where each default comes from: the parameters that drive a result, with value and source.

`SOURCES` holds the model's defaults; a district's facts (its client share, its attendance
calibration) come with its region file (`region.sources`) and are listed with them."""

from __future__ import annotations

from sim.config.schema import ScenarioConfig, SiteConfig, reception_clerks
from sim.district.calendar import describe

ASSUMPTION = "assumption"
SOURCES = {
    "clients.count": "population x clients.share_of_population per municipality (Zensus 2022)",
    "clients.no_car_share": "domain.md s.6.2/s.7: 50 % (Coburg 38 %, MiD low status 53 %, EVS 64 %)",
    "clients.under25_share": ASSUMPTION,
    "clients.interval_weeks_under25": "domain.md s.3.3/s.7: U25 every 4 weeks",
    "clients.interval_weeks_min": "domain.md s.3.3/s.7: others every 6-8 weeks (uniform)",
    "clients.mean_stay_days": ASSUMPTION,
    "attendance.travel_per_min_no_car": "BMJ Qual Saf 2018 27(6):437, OR 1.55 over ~45 min (domain.md s.2.4)",
    "attendance.travel_per_min_car": "BMJ Qual Saf 2018 27(6):437, OR 1.21 over ~45 min (domain.md s.2.4)",
    "attendance.per_prior_no_show": "Shour & Onitilo 2023 OR 4.4; lower end of the range 2-5 used (domain.md s.7)",
    "attendance.long_lead": "Lee et al. 2005, lead time > 21 days OR 2.38 (domain.md s.2.2)",
    "attendance.no_car": "Shour & Onitilo 2023, Medicaid OR 1.56 as a proxy for the hard-to-reach segment",
    "travel.detour_factor": "regions.md s.6: sourced Wartburgkreis routes give road/straight 1.1-1.3",
    "travel.car_speed_kmh": ASSUMPTION,
    "travel.pt_speed_kmh": ASSUMPTION,
    "travel.pt_headway_min": "domain.md s.7: rural trunk lines hourly; waiting = headway / 2",
    "durations.followup.mean_min": "domain.md s.7: follow-up 30 min (assumption, 30-min slots common)",
    "durations.first.mean_min": "domain.md s.7: first interview 60 min (assumption)",
    "durations.documentation_min": "domain.md s.7: 5-10 min documentation (assumption)",
    "staff.leave_share": "TV-BA: 30 days leave of 260",
    "staff.sick_rate": ASSUMPTION,
    "staff.hours_per_day": "TV-BA: 39 h/week",
    "booking.notice_days": ASSUMPTION,
    "booking.max_lead_days": ASSUMPTION,
    "booking.policy": (
        "local: a room invites the hard-to-reach residents of its municipality (seeds: 'vor Ort in der"
        " Gemeinde, wo der Eingeladene lebt'); the others go to their nearest office"
    ),
    "clients.limited_share": "assumption: health limits or care duties (seeds name both; no figure found)",
    "clients.poor_connection_min": "assumption: no car and more than an hour by bus to the office",
    "booking.reinvite_days": "domain.md s.7: re-invite after 2-4 weeks",
    "clients.arrival_offset_mean_min": (
        "assumption: booked clients come 10 min early on average, so that on-site waiting lands in"
        " domain.md s.7's 10-15 min (Kundenzentrum 13 min); replace with reception logs"
    ),
    "clients.arrival_offset_sd_min": ASSUMPTION,
    "booking.lost_after_no_shows": ASSUMPTION,
}


def reception(site: SiteConfig) -> str:
    """The site's reception desk, in words (an office has two clerks unless it says otherwise: an assumption)."""
    clerks = reception_clerks(site)
    if not clerks:
        return ""
    return f", reception {clerks} clerk(s), check-in {site.reception.checkin_min:g} min (assumption)"


def lookup(config: ScenarioConfig, key: str) -> object:
    """The value at a dotted key."""
    value: object = config
    for part in key.split("."):
        value = getattr(value, part)
    return value


def assumptions(config: ScenarioConfig, total_clients: int) -> list[dict]:
    """The parameters that drive a scenario's result: sites and staffing, then the model."""
    rows = []
    for key, site in config.sites.items():
        if not site.open:
            continue
        rows.append(
            {
                "key": f"sites.{key}",
                "value": f"{site.kind} in {site.municipality}, {site.counsellors} counsellor(s), "
                + describe(site.calendar)
                + reception(site),
                "source": site.source or ASSUMPTION,
            }
        )
    for key, source in {**config.region.sources, **SOURCES}.items():
        value = total_clients if key == "clients.count" else lookup(config, key)
        rows.append({"key": key, "value": str(value), "source": source})
    rows.append(
        {
            "key": "travel.mode",
            "value": config.travel.mode,
            "source": (
                f"matrix file {config.travel.matrix_file}"
                if config.travel.mode == "matrix"
                else "straight line x detour / speed; public transport adds headway / 2"
            ),
        }
    )
    return rows
