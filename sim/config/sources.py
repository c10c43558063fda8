"""Where each default comes from: the parameters that drive a result, with value and source.

`SOURCES` holds the model's defaults; a district's facts (its client share, its attendance
calibration) come with its region file (`region.sources`) and are listed with them."""

from __future__ import annotations

from sim.config.schema import CalendarConfig, ScenarioConfig, SiteConfig, TeamConfig, VehicleConfig, reception_clerks

ASSUMPTION = "assumption"
ANNAHME = "Annahme"
# key -> (English, German): the report is in the reader's language, the source too
SOURCES = {
    "clients.count": (
        "population x clients.share_of_population per municipality (Zensus 2022)",
        "Einwohner x clients.share_of_population je Gemeinde (Zensus 2022)",
    ),
    "clients.no_car_share": (
        "domain.md s.6.2/s.7: 50 % (Coburg 38 %, MiD low status 53 %, EVS 64 %)",
        "domain.md Abschn. 6.2/7: 50 % (Coburg 38 %, MiD niedriger Status 53 %, EVS 64 %)",
    ),
    "clients.under25_share": (ASSUMPTION, ANNAHME),
    "clients.interval_weeks_under25": (
        "domain.md s.3.3/s.7: U25 every 4 weeks",
        "domain.md Abschn. 3.3/7: U25 alle 4 Wochen",
    ),
    "clients.interval_weeks_min": (
        "domain.md s.3.3/s.7: others every 6-8 weeks (uniform)",
        "domain.md Abschn. 3.3/7: übrige alle 6-8 Wochen (gleichverteilt)",
    ),
    "clients.mean_stay_days": (ASSUMPTION, ANNAHME),
    "clients.work_share_of_exits": (
        "assumption: half of those who leave the caseload leave for work (no exit figure in shared/reference)",
        "Annahme: die Hälfte der Abgänge aus dem Leistungsbezug geht in Arbeit (keine Abgangszahl in shared/reference)",
    ),
    "clients.measure_hazard_factor": (
        "assumption: a completed course or an agreed measure multiplies the hazard of leaving for work by 1.5"
        " from then on (no effect figure in shared/reference; a parameter to sweep)",
        "Annahme: ein abgeschlossener Kurs oder eine vereinbarte Maßnahme erhöht die Abgangsrate in Arbeit"
        " von da an um den Faktor 1,5 (keine Wirkungszahl in shared/reference; ein Parameter zum Variieren)",
    ),
    "attendance.travel_per_min_no_car": (
        "BMJ Qual Saf 2018 27(6):437, OR 1.55 over ~45 min (domain.md s.2.4)",
        "BMJ Qual Saf 2018 27(6):437, OR 1,55 über ~45 min (domain.md Abschn. 2.4)",
    ),
    "attendance.travel_per_min_car": (
        "BMJ Qual Saf 2018 27(6):437, OR 1.21 over ~45 min (domain.md s.2.4)",
        "BMJ Qual Saf 2018 27(6):437, OR 1,21 über ~45 min (domain.md Abschn. 2.4)",
    ),
    "attendance.per_prior_no_show": (
        "Shour & Onitilo 2023 OR 4.4; lower end of the range 2-5 used (domain.md s.7)",
        "Shour & Onitilo 2023 OR 4,4; verwendet: unteres Ende der Spanne 2-5 (domain.md Abschn. 7)",
    ),
    "attendance.long_lead": (
        "Lee et al. 2005, lead time > 21 days OR 2.38 (domain.md s.2.2)",
        "Lee u. a. 2005, Vorlauf > 21 Tage OR 2,38 (domain.md Abschn. 2.2)",
    ),
    "attendance.no_car": (
        "Shour & Onitilo 2023, Medicaid OR 1.56 as a proxy for the hard-to-reach segment",
        "Shour & Onitilo 2023, Medicaid OR 1,56 als Näherung für die schwer Erreichbaren",
    ),
    "travel.detour_factor": (
        "regions.md s.6: sourced Wartburgkreis routes give road/straight 1.1-1.3",
        "regions.md Abschn. 6: belegte Strecken im Wartburgkreis ergeben Straße/Luftlinie 1,1-1,3",
    ),
    "travel.car_speed_kmh": (ASSUMPTION, ANNAHME),
    "travel.pt_speed_kmh": (ASSUMPTION, ANNAHME),
    "travel.pt_headway_min": (
        "domain.md s.7: rural trunk lines hourly; waiting = headway / 2",
        "domain.md Abschn. 7: ländliche Hauptlinien stündlich; Wartezeit = Takt / 2",
    ),
    "durations.followup.mean_min": (
        "domain.md s.7: follow-up 30 min (assumption, 30-min slots common)",
        "domain.md Abschn. 7: Folgegespräch 30 min (Annahme, 30-Minuten-Termine üblich)",
    ),
    "durations.first.mean_min": (
        "domain.md s.7: first interview 60 min (assumption)",
        "domain.md Abschn. 7: Erstgespräch 60 min (Annahme)",
    ),
    "durations.documentation_min": (
        "domain.md s.7: 5-10 min documentation (assumption)",
        "domain.md Abschn. 7: 5-10 min Dokumentation (Annahme)",
    ),
    "staff.leave_share": ("TV-BA: 30 days leave of 260", "TV-BA: 30 Urlaubstage von 260"),
    "staff.sick_rate": (ASSUMPTION, ANNAHME),
    "staff.hours_per_day": ("TV-BA: 39 h/week", "TV-BA: 39 Stunden je Woche"),
    "booking.notice_days": (ASSUMPTION, ANNAHME),
    "booking.max_lead_days": (ASSUMPTION, ANNAHME),
    "booking.policy": (
        "local: a room invites the hard-to-reach residents of its municipality (seeds: 'vor Ort in der"
        " Gemeinde, wo der Eingeladene lebt'); the others go to their nearest office",
        "local: ein Gemeinderaum lädt die schwer Erreichbaren seiner Gemeinde ein (Presse: 'vor Ort in der"
        " Gemeinde, wo der Eingeladene lebt'); die übrigen gehen zur nächsten Dienststelle",
    ),
    "clients.limited_share": (
        "assumption: health limits or care duties (seeds name both; no figure found)",
        "Annahme: gesundheitliche Einschränkungen oder Pflege- und Betreuungspflichten (die Presse nennt"
        " beides; keine Zahl gefunden)",
    ),
    "clients.poor_connection_min": (
        "assumption: no car and more than an hour by bus to the office",
        "Annahme: kein Auto und mehr als eine Stunde mit dem Bus zur Dienststelle",
    ),
    "booking.reinvite_days": (
        "domain.md s.7: re-invite after 2-4 weeks",
        "domain.md Abschn. 7: erneute Einladung nach 2-4 Wochen",
    ),
    "clients.arrival_offset_mean_min": (
        "assumption: booked clients come 10 min early on average, so that on-site waiting lands in"
        " domain.md s.7's 10-15 min (Kundenzentrum 13 min); replace with reception logs",
        "Annahme: Klienten mit Termin kommen im Mittel 10 min zu früh, so dass die Wartezeit vor Ort in den"
        " 10-15 min aus domain.md Abschn. 7 liegt (Kundenzentrum 13 min); durch Empfangsdaten ersetzen",
    ),
    "clients.arrival_offset_sd_min": (ASSUMPTION, ANNAHME),
    "booking.lost_after_no_shows": (ASSUMPTION, ANNAHME),
    "costs.counsellor_hour_eur": (
        "assumption: the order of the federal personnel cost rates for pay grades E 9b-12 (BMF, 55 EUR/h"
        " direct cost); no Jobcenter figure in shared/reference",
        "Annahme: Größenordnung der Personalkostensätze des Bundes für E 9b-12 (BMF, 55 EUR/h Einzelkosten);"
        " keine Jobcenter-Zahl in shared/reference",
    ),
    "costs.per_km_eur": ("assumption: a staff car's cost per km", "Annahme: Kosten eines Dienstwagens je km"),
    "costs.room_day_eur": (
        "assumption: the municipality lends its room (no rent)",
        "Annahme: die Gemeinde stellt ihren Raum ohne Miete",
    ),
}
TRAVEL_MODEL = (
    "straight line x detour / speed; public transport adds headway / 2",
    "Luftlinie x Umwegfaktor / Geschwindigkeit; der ÖPNV kommt mit Takt / 2 Wartezeit hinzu",
)


def calendar_value(calendar: CalendarConfig) -> dict:
    """A calendar as data."""
    return {
        "weekdays": list(calendar.weekdays),
        "every_weeks": calendar.every_weeks,
        "start": calendar.start,
        "end": calendar.end,
        "always_open": calendar.always_open,
    }


def site_value(site: SiteConfig) -> dict:
    """A site's setting as data, which the report writes in the reader's language."""
    clerks = reception_clerks(site)
    return {
        "kind": site.kind,
        "municipality": site.municipality,
        "counsellors": site.counsellors,
        "calendar": calendar_value(site.calendar),
        "reception": {"clerks": clerks, "checkin_min": site.reception.checkin_min} if clerks else None,
    }


def vehicle_value(vehicle: VehicleConfig, config: ScenarioConfig) -> dict:
    """A vehicle's setting as data (crew, tour, downtime, costs), which the report writes in words: a
    tour written by hand as its stops with their calendars, a generated one as its settings."""
    depot = config.sites.get(vehicle.depot)
    value = {
        "kind": vehicle.kind,
        "depot": vehicle.depot,
        "depot_municipality": depot.municipality if depot is not None else vehicle.depot,
        "booths": vehicle.booths,
        "counsellors": vehicle.counsellors,
    }
    if vehicle.stops:
        value["stops"] = [
            {
                "name": key,
                "municipality": stop.municipality,
                "calendar": {**calendar_value(stop.calendar), "week_offset": stop.calendar.week_offset},
            }
            for key, stop in vehicle.stops.items()
        ]
    else:
        tour = vehicle.tour
        value["tour"] = {
            "stops": list(tour.stops),
            "every_weeks": tour.every_weeks,
            "cycle_weeks": tour.cycle_weeks,
            "weekdays": list(tour.weekdays),
            "per_day": tour.per_day,
            "stop_hours": tour.stop_hours,
        }
    value.update(
        {
            "maintenance_days_per_year": vehicle.maintenance_days_per_year,
            "breakdowns": {
                "mean_days_between": vehicle.breakdowns.mean_days_between,
                "repair_days_mean": vehicle.breakdowns.repair_days_mean,
            },
            "cost_per_year_eur": vehicle.cost_per_year_eur,
            "per_km_eur": vehicle.per_km_eur,
        }
    )
    return value


def team_value(team: TeamConfig, config: ScenarioConfig) -> dict:
    """A project team's setting as data (sim.model.conferences), which the report writes in words."""
    office = config.sites.get(team.office) if team.office else None
    return {
        "team_of": team.municipality,
        "office": team.office,
        "office_municipality": office.municipality if office is not None else None,
        "members": team.members,
        "weekday": team.weekday,
        "start": team.start,
        "hours": team.hours,
        "cases_per_conference": team.cases_per_conference,
        "target_group": team.target_group,
        "interview_within_days": team.interview_within_days,
        "interview_at": team.interview_at,
        "interview_weekday": team.interview_weekday,
        "interview_start": team.interview_start,
        "interview_hours": team.interview_hours,
        "interviewers": team.interviewers,
        "interview_min": team.interview_min,
        "notice_days": team.notice_days,
        "measure_probability": team.measure_probability,
    }


def course_value(course, config: ScenarioConfig) -> dict:
    """A group course's setting as data (sim.model.courses), which the report writes in words."""
    office = config.sites.get(course.office)
    return {
        "places": list(course.places),
        "office": course.office,
        "office_municipality": office.municipality if office is not None else course.office,
        "staff": course.staff,
        "capacity": course.capacity,
        "room_seats": course.room_seats,
        "min_size": course.min_size,
        "meetings": course.meetings,
        "hours": course.hours,
        "weekday": course.weekday,
        "start": course.start,
        "first_week": course.first_week,
        "every_weeks": course.every_weeks,
        "target_group": course.target_group,
        "catchment": list(course.catchment),
        "notice_days": course.notice_days,
        "invite_factor": course.invite_factor,
        "dropout_after": course.dropout_after,
    }


def lookup(config: ScenarioConfig, key: str) -> object:
    """The value at a dotted key."""
    value: object = config
    for part in key.split("."):
        value = getattr(value, part)
    return value


def entry(key: str, value: object, source: str, source_de: str) -> dict:
    return {"key": key, "value": value, "source": source or ASSUMPTION, "source_de": source_de or source or ANNAHME}


def assumptions(config: ScenarioConfig, total_clients: int) -> list[dict]:
    """The parameters that drive a scenario's result, each with its source in English and German
    (a German source the config does not give falls back to the English one): sites and staffing,
    the vehicles, then the district's facts, then the model."""
    parts = (  # the scenario's own parts, each with its value as the report writes it
        ("sites", config.sites, site_value),
        ("vehicles", config.vehicles, lambda vehicle: vehicle_value(vehicle, config)),
        ("teams", config.teams, lambda team: team_value(team, config)),
        ("courses", config.courses, lambda course: course_value(course, config)),
    )
    rows = [
        entry(f"{group}.{key}", value_of(part), part.source, part.source_de)
        for group, members, value_of in parts
        for key, part in members.items()
        if part.open
    ]
    region = {key: (text, config.region.sources_de.get(key, "")) for key, text in config.region.sources.items()}
    defaults = {key: source for key, source in SOURCES.items() if key not in region}  # a district's own wins
    for key, (source, source_de) in {**region, **defaults}.items():
        value = total_clients if key == "clients.count" else lookup(config, key)
        rows.append(entry(key, value, source, source_de))
    if config.travel.mode == "matrix":
        travel = (f"matrix file {config.travel.matrix_file}", f"Matrixdatei {config.travel.matrix_file}")
    else:
        travel = TRAVEL_MODEL
    rows.append(entry("travel.mode", config.travel.mode, *travel))
    return rows
