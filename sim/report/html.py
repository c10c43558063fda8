"""The report page: one self-contained HTML file that opens offline in any browser.

Top to bottom: the question, the answer, the KPI table, the cost table (where the results hold
costs), the figures (SVG data URIs), the assumptions and the method. This module builds the page's
view (plain texts and numbers, in the reader's language); the Jinja2 template
`templates/report.html.j2` writes the markup, with autoescaping, so every text that comes from a
config or a results file is escaped once, there. Table cells carry the raw numbers in data
attributes so tests and tools can read them.
"""

import base64
from functools import cache
from pathlib import Path

import jinja2

from sim.kpi.registry import ANSWER_KPIS, unit_of
from sim.report.costs import DETERMINED, LOSES, NOT_DETERMINABLE, CostPerGain, scenario_cost_per_gain
from sim.report.figures import FigureFiles
from sim.report.folder import Estimate, Results
from sim.report.kpis import HARD_TO_REACH, in_display_unit
from sim.report.text import (
    capitalise,
    config_word,
    course_text,
    decimals_for,
    format_amount,
    format_number,
    format_plain,
    format_value,
    kpi_label,
    parameter_label,
    phrase,
    provenance_label,
    site_text,
    team_text,
    unit_label,
    vehicle_text,
    with_label,
    word_list,
)

STYLE = """
body { font-family: system-ui, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
  color: #111; background: #fff; line-height: 1.45; max-width: 1120px; margin: 1.5em auto;
  padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #111; padding-bottom: .15em; margin-top: 1.8em; }
.meta, .note { color: #444; font-size: .9em; }
.question { font-size: 1.2em; font-style: italic; }
.answer { font-size: 1.1em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
.scroll { overflow-x: auto; max-width: 100%; }  /* a wide table scrolls inside the page, not the page */
th, td { border-bottom: 1px solid #bbb; padding: .3em .65em; vertical-align: top; }
thead th { border-bottom: 2px solid #111; text-align: right; }
thead th:first-child, th[scope=row], .text, table.assumptions thead th { text-align: left; }
td { text-align: right; font-variant-numeric: tabular-nums; }
td.text { text-align: left; }
.unit { display: block; font-weight: normal; color: #555; font-size: .85em; }
.ci { display: block; color: #555; font-size: .82em; white-space: nowrap; }
.distinguishable { font-weight: bold; }
.differs { font-weight: bold; }
figure { margin: 1.5em 0; }
figure img { width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: .92em; margin-top: .3em; }
dl.provenance { display: grid; grid-template-columns: max-content auto; gap: .15em 1em; }
dl.provenance dt { font-weight: bold; }
dl.provenance dd { margin: 0; overflow-wrap: anywhere; }
code.key { display: block; font-weight: normal; color: #555; font-size: .8em; overflow-wrap: anywhere; }
@media print { body { max-width: none; margin: 0; } figure, tr { break-inside: avoid; } }
"""

WORDS = (
    "question", "answer", "kpi_table", "kpi", "table_note", "figures", "figure", "assumptions",
    "assumptions_note", "assumption_key", "source", "method", "provenance", "costs", "scenario",
)  # fmt: skip
COST_KPIS = (
    "cost_total_eur", "kept_contacts", "kept_contacts_hard_to_reach", "vehicle_km", "vehicle_days_lost",
    "sessions_cancelled", "cost_per_contact_eur",
)  # fmt: skip
GAIN_KPIS = {"kept_contacts": "cost_per_gain", "kept_contacts_hard_to_reach": "cost_per_gain_hard_to_reach"}


@cache
def environment() -> jinja2.Environment:
    """The report's templates (sim/report/templates), autoescaped; a name a view lacks is an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sim.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def template() -> jinja2.Template:
    return environment().get_template("report.html.j2")


def render_report(results: Results, figures: list[FigureFiles], lang: str, map_kpi: str, nearly_empty_max: int) -> str:
    """Return the whole report page for the results, with the figures embedded."""
    first = results.alternatives[0] if results.alternatives else results.baseline
    label, baseline = results.label(first, lang), results.label(results.baseline, lang)
    alternative_labels = [results.label(name, lang) for name in results.alternatives]
    question = (results.descriptions.get(first, {}).get("question") or {}).get(lang)
    question = question or phrase("generic_question", lang, with_label=with_label(label, lang), baseline=baseline)
    return template().render(
        lang=lang,
        style=STYLE,
        title=phrase("title", lang, label=word_list(alternative_labels or [label], lang), baseline=baseline),
        source_folder=phrase("source_folder", lang, folder=results.folder.name),
        question=question,
        words={key: phrase(key, lang) for key in WORDS},
        answers=[answer(results, scenario, lang) for scenario in results.alternatives],
        table=kpi_table(results, lang),
        costs=cost_table(results, lang),
        figures=figure_views(results, figures, lang, map_kpi, nearly_empty_max),
        assumptions=assumption_table(results, lang),
        method=method_section(results, lang),
    )


def finding(kpi: str, difference: Estimate, lang: str) -> dict:
    """One KPI's difference as a phrase: rises or falls by how much, or no difference."""
    unit = unit_of(kpi)
    mean, low, high = (in_display_unit(x, unit) for x in (difference.mean, difference.ci_low, difference.ci_high))
    decimals = shown_decimals(difference, unit, difference=True)
    if unchanged(difference):
        text = phrase("no_change_finding", lang, kpi=kpi_label(kpi, lang))
    elif difference.distinguishable_from_zero:
        if mean < 0:
            low, high = -high, -low
        text = phrase(
            "finding",
            lang,
            kpi=kpi_label(kpi, lang),
            verb=phrase("rises" if mean > 0 else "falls", lang),
            amount=format_amount(abs(mean), unit, lang, decimals),
            low=format_number(low, lang, decimals),
            high=format_number(high, lang, decimals),
        )
    elif not difference.has_interval:
        text = phrase(
            "no_interval_finding",
            lang,
            kpi=kpi_label(kpi, lang),
            difference=format_amount(mean, unit, lang, decimals, signed=True),
            n=difference.n,
        )
    else:
        text = phrase(
            "not_distinguishable_finding",
            lang,
            kpi=kpi_label(kpi, lang),
            difference=format_amount(mean, unit, lang, decimals, signed=True),
            low=format_number(low, lang, decimals, signed=True),
            high=format_number(high, lang, decimals, signed=True),
        )
    return {
        "kpi": kpi,
        "sign": (mean > 0) - (mean < 0),
        "distinguishable": difference.distinguishable_from_zero,
        "text": text,
    }


def unchanged(difference: Estimate) -> bool:
    """Exactly the same number in every replication: no change, not 'not distinguishable'."""
    return difference.mean == 0 and difference.ci_low == 0 and difference.ci_high == 0


def relative_size(difference: Estimate, level: Estimate | None) -> float:
    """The size of a difference relative to the baseline's level (its absolute size without one)."""
    if level is None or not level.mean:
        return abs(difference.mean)
    return abs(difference.mean / level.mean)


def answer(results: Results, scenario: str, lang: str) -> dict:
    """The answer for one scenario: the lead KPIs' differences with their CIs, the distinguishable
    ones first; the hard-to-reach's KPIs (whom outreach is for) before the district's, each largest
    relative to the baseline first; then exactly unchanged ones; then the sites it adds."""
    view = {
        "scenario": scenario,
        "empty": "",
        "prefix": "",
        "groups": [],
        "added_sites": added_sites(results, scenario, lang),
        "cost": cost_answer(results, scenario, lang),
        "conferences": conference_answer(results, scenario, lang),
    }
    differences = results.differences.get(scenario, {})
    kpis = [kpi for kpi in ANSWER_KPIS if kpi in differences]
    if not kpis:
        view["empty"] = phrase("no_answer_kpis", lang)
        return view
    baseline = results.kpis.get(results.baseline, {})
    kpis.sort(key=lambda kpi: (not kpi.endswith(HARD_TO_REACH), -relative_size(differences[kpi], baseline.get(kpi))))
    same = [k for k in kpis if unchanged(differences[k])]
    clear = [k for k in kpis if k not in same and differences[k].distinguishable_from_zero]
    unclear = [k for k in kpis if k not in same and not differences[k].distinguishable_from_zero]
    for lead, group in (("", clear), (phrase("not_distinguishable", lang), unclear), (phrase("no_change", lang), same)):
        if group:
            view["groups"].append({"lead": lead, "findings": [finding(k, differences[k], lang) for k in group]})
    if len(results.alternatives) > 1:
        prefix = phrase(
            "answer_prefix", lang, label=results.label(scenario, lang), baseline=results.label(results.baseline, lang)
        )
        view["prefix"] = capitalise(prefix)
    elif clear:
        first = view["groups"][0]["findings"][0]
        first["text"] = capitalise(first["text"])
    return view


def conference_answer(results: Results, scenario: str, lang: str) -> str:
    """What a scenario's case conferences take (team hours, the office sessions their members miss)
    and return (cases, interviews, measures), and the changes against the baseline in kept
    contacts, waiting and exits to work; empty for a scenario without project teams."""
    kpis = results.kpis.get(scenario, {})
    if "cases_reviewed" not in kpis:
        return ""
    differences = results.differences.get(scenario, {})

    def level(kpi: str, decimals: int = 0) -> str:
        return format_number(kpis[kpi].mean, lang, decimals) if kpi in kpis else "–"

    def change(kpi: str, decimals: int) -> str:
        difference = differences.get(kpi)
        if difference is None:
            return "–"
        text = format_number(difference.mean, lang, decimals, signed=True)
        if not difference.has_interval:
            return f"{text} (n = {difference.n})"
        low, high = (format_number(x, lang, decimals, signed=True) for x in (difference.ci_low, difference.ci_high))
        return phrase("change_with_interval", lang, difference=text, low=low, high=high)

    missed = kpis.get("sessions_missed")
    if missed is not None and missed.mean == 0:  # the teams' time outside the consultation hours
        sessions = phrase("conference_sessions_none", lang)
    else:
        sessions = phrase("conference_sessions_lost", lang, sessions=level("sessions_missed"))
    return phrase(
        "conference_answer",
        lang,
        conference=level("conference_hours"),
        interview=level("interview_hours"),
        sessions=sessions,
        cases=level("cases_reviewed"),
        interviews=level("interviews_held"),
        measures=level("measures_agreed"),
        days=level("days_to_measure", 1),
        baseline=results.label(results.baseline, lang),
        kept=change("kept_contacts", 0),
        wait=change("wait_days_mean", 1),
        exits=change("exits_to_work", 1),
    )


SITE_SENTENCES_MAX = 3  # more added sites than this (a vehicle's stops) get one sentence together


def added_sites(results: Results, scenario: str, lang: str) -> str:
    """Sentences on each site the scenario adds: its use, and what changes for the clients who
    live in its municipality (levels with their CIs; the difference is in the table and the map)."""
    baseline_sites = results.sites.get(results.baseline, {})
    added = [
        (name, site)
        for name, site in results.sites.get(scenario, {}).items()
        if name not in baseline_sites and site.kind != "course"  # courses: course_answer
    ]
    courses = course_answer(results, scenario, lang)
    if courses:
        rest = added_site_sentences(results, scenario, lang, added)
        return f"{courses} {rest}".strip()
    return added_site_sentences(results, scenario, lang, added)


def course_answer(results: Results, scenario: str, lang: str) -> str:
    """One sentence on a scenario's group courses (sim.model.courses): participants, seats filled,
    completion and the participants' travel, then the seats filled at each course place."""
    kpis = results.kpis.get(scenario, {})
    places = [(name, site) for name, site in results.sites.get(scenario, {}).items() if site.kind == "course"]
    if not places or "course_participants" not in kpis:
        return ""

    def value(estimate: Estimate | None, unit: str, decimals: int | None = None) -> str:
        return "–" if estimate is None else format_value(estimate.mean, unit, lang, decimals)

    fills = ", ".join(
        f"{site.municipality or name} {value(site.kpis.get('course_fill_rate'), 'share', 0)}" for name, site in places
    )
    fields = (
        value(kpis.get("course_participants"), "count", 0),
        value(kpis.get("course_fill_rate"), "share"),
        value(kpis.get("course_completion_rate"), "share"),
        value(kpis.get("course_travel_min"), "minutes", 0),
        value(kpis.get("course_staff_hours"), "hours", 0),
    )
    participants, fill, completion, travel, hours = fields
    unused_estimate = kpis.get("course_staff_hours_unused")
    unused = value(unused_estimate, "hours", 0)
    if unused_estimate is None or not unused_estimate.mean > 0:  # time blocked for postponed or empty meetings
        blocked = ""
    elif lang == "de":
        blocked = f", weitere {unused} Stunden bleiben für verschobene oder leere Treffen blockiert"
    else:
        blocked = f", with {unused} more hours blocked for postponed or empty meetings"
    exits = results.differences.get(scenario, {}).get("exits_to_work")
    if exits is None:
        work = ""
    else:
        change = format_value(exits.mean, "count", lang, 0, difference=True)
        if exits.has_interval:
            low, high = (format_value(x, "count", lang, 0, difference=True) for x in (exits.ci_low, exits.ci_high))
            span = f" (95-%-KI {low} bis {high})" if lang == "de" else f" (95% CI {low} to {high})"
        else:
            span = ""
        baseline = results.label(results.baseline, lang)
        work = (
            f" Abgänge in Arbeit gegenüber {baseline}: {change}{span}."
            if lang == "de"
            else f" Exits to work against {baseline}: {change}{span}."
        )
    if lang == "de":
        return (
            f"In den Gruppenkursen beginnen im gemessenen Zeitraum {participants} Teilnehmende; {fill} der"
            f" Kursplätze sind besetzt, {completion} der beendeten Teilnahmen sind abgeschlossen, die Anfahrt"
            f" dauert im Mittel {travel} min (einfach), die Kurse binden {hours} Stunden Arbeitszeit{blocked}."
            f" Besetzte Plätze je Kursort: {fills}.{work}"
        )
    return (
        f"In the group courses {participants} participants start in the measured period; {fill} of the seats"
        f" are taken, {completion} of the participations that ended are completed, the trip takes {travel} min"
        f" one way on average, and the courses take {hours} hours of staff time{blocked}. Seats taken by place:"
        f" {fills}.{work}"
    )


def added_site_sentences(results: Results, scenario: str, lang: str, added: list) -> str:
    """The sentences on the sites (not the courses) a scenario adds."""
    if len(added) > SITE_SENTENCES_MAX:  # a vehicle's many stops: one sentence for all of them
        total = {
            k: sum(site.kpis[k].mean for _, site in added if k in site.kpis) for k in ("sessions_held", "kept_contacts")
        }
        if not total["sessions_held"]:
            return ""
        return phrase(
            "added_sites_summary",
            lang,
            count=len(added),
            sessions=format_number(total["sessions_held"], lang, 0),
            kept=format_number(total["kept_contacts"] / total["sessions_held"], lang, 1),
        )
    sentences = []
    for name, site in added:
        kpis = site.kpis
        sessions, kept, attendance = (kpis.get(k) for k in ("sessions_held", "kept_per_session", "attendance_rate"))
        if sessions is None or kept is None or attendance is None:
            continue
        fields = {
            "site": site.municipality or name,
            "sessions": format_number(sessions.mean, lang, 0),
            "kept": format_number(kept.mean, lang, 1),
            "attendance": format_value(attendance.mean, "share", lang),
        }
        if kept.has_interval and attendance.has_interval:
            sentences.append(
                phrase(
                    "added_site_use",
                    lang,
                    **fields,
                    kept_low=format_number(kept.ci_low, lang, 1),
                    kept_high=format_number(kept.ci_high, lang, 1),
                    attendance_low=format_value(attendance.ci_low, "share", lang),
                    attendance_high=format_value(attendance.ci_high, "share", lang),
                )
            )
        else:
            sentences.append(phrase("added_site_use_no_interval", lang, **fields, n=kept.n))
        before, after = (
            next((p for p in results.municipalities.get(name, {}).values() if p.name == site.municipality), None)
            for name in (results.baseline, scenario)
        )
        if before and after and all("travel_min" in p.kpis and "attendance_rate" in p.kpis for p in (before, after)):
            sentences.append(
                phrase(
                    "added_site_residents",
                    lang,
                    municipality=site.municipality,
                    travel_before=format_number(before.kpis["travel_min"].mean, lang, 0),
                    travel_after=format_number(after.kpis["travel_min"].mean, lang, 0),
                    attendance_before=format_value(before.kpis["attendance_rate"].mean, "share", lang),
                    attendance_after=format_value(after.kpis["attendance_rate"].mean, "share", lang),
                )
            )
    return " ".join(sentences)


def shown_decimals(value: Estimate, unit: str, difference: bool) -> int:
    """Return the decimals for a value and its CI: one for shares in %, more for small differences."""
    shown = [in_display_unit(x, unit) for x in (value.mean, value.ci_low, value.ci_high)]
    if not difference:
        return 1 if unit == "share" else decimals_for(shown[0])
    return max(1, decimals_for(*shown)) if unit == "share" else decimals_for(*shown)


def interval_text(value: Estimate, unit: str, lang: str, decimals: int, difference: bool) -> str:
    """Return the small print under a table value, e.g. '63,4 bis 64,2 % · n = 20'."""
    if not value.has_interval:
        return f"n = {value.n}"
    low = format_number(in_display_unit(value.ci_low, unit), lang, decimals, signed=difference)
    high = format_value(value.ci_high, unit, lang, decimals, difference=difference)
    return f"{phrase('interval', lang, low=low, high=high)} · n = {value.n}"


def cell(scenario: str, kpi: str, value: Estimate | None, lang: str, difference: bool) -> dict | None:
    """A table cell: a KPI's mean or paired difference, its 95 % CI and n, and the raw numbers."""
    if value is None:
        return None
    unit = unit_of(kpi)
    decimals = shown_decimals(value, unit, difference=difference)
    return {
        "scenario": scenario,
        "kpi": kpi,
        "mean": repr(value.mean),
        "ci_low": repr(value.ci_low),
        "ci_high": repr(value.ci_high),
        "n": value.n,
        "difference": difference,
        "distinguishable": difference and value.distinguishable_from_zero,
        "text": (
            phrase("no_change_cell", lang)
            if difference and unchanged(value)
            else format_value(value.mean, unit, lang, decimals, difference=difference)
        ),
        "ci": f"n = {value.n}"
        if difference and unchanged(value)
        else interval_text(value, unit, lang, decimals, difference),
    }


def kpi_table(results: Results, lang: str) -> dict:
    """Every KPI per scenario and the differences against the baseline."""
    kpis = list(dict.fromkeys(kpi for s in results.scenarios for kpi in results.kpis[s]))
    baseline = results.label(results.baseline, lang)
    headings = [results.label(s, lang) for s in results.scenarios]
    headings += [
        phrase("difference_to", lang, label=results.label(s, lang), baseline=baseline) for s in results.alternatives
    ]
    rows = []
    for kpi in kpis:
        unit = unit_of(kpi)
        cells = [cell(s, kpi, results.kpis[s].get(kpi), lang, difference=False) for s in results.scenarios]
        cells += [
            cell(s, kpi, results.differences.get(s, {}).get(kpi), lang, difference=True) for s in results.alternatives
        ]
        rows.append(
            {
                "kpi": kpi,
                "label": capitalise(kpi_label(kpi, lang)),
                "unit": "" if unit == "share" else unit_label(unit, lang),
                "cells": cells,
            }
        )
    return {"headings": headings, "rows": rows}


def figure_views(results: Results, figures: list[FigureFiles], lang: str, map_kpi: str, nearly_empty_max: int) -> list:
    """Every figure as an SVG data URI with its caption."""
    return [
        {
            "stem": figure.stem,
            "data": svg_data(figure.svg),
            "caption": phrase(
                f"caption_{figure.stem}",
                lang,
                baseline=results.label(results.baseline, lang),
                kpi=kpi_label(map_kpi, lang),
                nearly_empty_max=nearly_empty_max,
            )
            + (phrase("caption_map_tours", lang) if figure.stem == "map" and results.tours else ""),
        }
        for figure in figures
    ]


def euros(value: float, lang: str, *alike: float) -> str:
    """An amount of euros for the cost per contact, with the decimals that the largest of it and
    `alike` (its interval's ends) deserve, so a value and its interval read alike."""
    return format_number(value, lang, decimals_for(value, *alike))


def gain_cell(scenario: str, kpi: str, result: CostPerGain | None, lang: str) -> dict | None:
    """A cell of the cost per additional kept contact: the ratio with Fieller's 95 % CI and n, or why
    there is none; the raw numbers in data attributes."""
    if result is None:
        return None
    view = {
        "scenario": scenario,
        "kpi": kpi,
        "status": result.status,
        "mean": repr(result.ratio),
        "ci_low": repr(result.ci_low),
        "ci_high": repr(result.ci_high),
        "n": result.n,
        "gain": repr(result.gain),
    }
    gain = format_number(result.gain, lang, 0, signed=True)
    if result.status == DETERMINED:
        ends = (result.ratio, result.ci_low, result.ci_high)
        low, high = euros(result.ci_low, lang, *ends), euros(result.ci_high, lang, *ends)
        view["text"] = euros(result.ratio, lang, *ends) + NBSP_EURO
        view["ci"] = f"{phrase('interval', lang, low=low, high=high + NBSP_EURO)} · n = {result.n}"
    elif result.status in (NOT_DETERMINABLE, LOSES):
        key = "not_determinable" if result.status == NOT_DETERMINABLE else "loses"
        view["text"] = phrase(f"{key}_cell", lang)
        reason = phrase(
            f"{key}_reason",
            lang,
            gain=gain,
            low=format_number(result.gain_low, lang, 0, signed=True),
            high=format_number(result.gain_high, lang, 0, signed=True),
            cost=format_number(result.cost, lang, 0, signed=True),
        )
        view["ci"] = f"{reason} · n = {result.n}"
    else:
        view["text"] = euros(result.ratio, lang) + NBSP_EURO if result.ratio == result.ratio else "–"
        view["ci"] = f"n = {result.n}"
    return view


NBSP_EURO = "\u00a0€"


def cost_table(results: Results, lang: str) -> dict | None:
    """One row per scenario: its costs, contacts and vehicle downtime (mean, 95 % CI, n), then, for an
    alternative, the cost per additional kept contact against the baseline; None without cost KPIs."""
    if not any("cost_total_eur" in results.kpis.get(s, {}) for s in results.scenarios):
        return None
    kpis = [kpi for kpi in COST_KPIS if any(kpi in results.kpis.get(s, {}) for s in results.scenarios)]
    gains = [kpi for kpi in GAIN_KPIS if kpi in kpis]
    baseline = results.label(results.baseline, lang)
    headings = []
    for kpi in kpis:
        unit = unit_of(kpi)
        headings.append(
            {
                "label": capitalise(kpi_label(kpi, lang)),
                "unit": "" if unit in ("share", "count") else unit_label(unit, lang),
            }
        )
    headings += [{"label": capitalise(phrase(GAIN_KPIS[kpi], lang, baseline=baseline)), "unit": "€"} for kpi in gains]
    rows = []
    for scenario in results.scenarios:
        cells = [cell(scenario, kpi, results.kpis[scenario].get(kpi), lang, difference=False) for kpi in kpis]
        gain_cells = [
            None
            if scenario == results.baseline
            else gain_cell(
                scenario,
                GAIN_KPIS[kpi],
                scenario_cost_per_gain(results.replications, scenario, results.baseline, kpi),
                lang,
            )
            for kpi in gains
        ]
        rows.append({"scenario": scenario, "label": results.label(scenario, lang), "cells": cells, "gains": gain_cells})
    return {"headings": headings, "rows": rows, "note": phrase("costs_note", lang, baseline=baseline)}


def price_text(result: CostPerGain, lang: str) -> str:
    """What each additional contact costs, in a clause: with its CI, or why it cannot be told."""
    if result.status == DETERMINED:
        ends = (result.ratio, result.ci_low, result.ci_high)
        if result.ratio < 0:  # more contacts at lower cost
            low, high = euros(-result.ci_high, lang, *ends), euros(-result.ci_low, lang, *ends)
            return phrase("price_saves", lang, cost=euros(-result.ratio, lang, *ends), low=low, high=high)
        fields = {"low": euros(result.ci_low, lang, *ends), "high": euros(result.ci_high, lang, *ends)}
        return phrase("price", lang, cost=euros(result.ratio, lang, *ends), **fields)
    if result.status == NOT_DETERMINABLE:
        return phrase("price_not_determinable", lang)
    if result.status == LOSES:
        return phrase("price_loses", lang, cost=format_number(result.cost, lang, 0, signed=True))
    return phrase("price_no_interval", lang, cost=euros(result.ratio, lang), n=result.n)


def cost_answer(results: Results, scenario: str, lang: str) -> str:
    """One sentence on what the alternative adds in kept contacts and what each additional one costs
    (and the same for the hard-to-reach); '' without cost KPIs or replication values."""
    kept = scenario_cost_per_gain(results.replications, scenario, results.baseline, "kept_contacts")
    difference = results.differences.get(scenario, {}).get("kept_contacts")
    if kept is None or difference is None or "cost_total_eur" not in results.differences.get(scenario, {}):
        return ""

    def gain_fields(result: CostPerGain) -> dict:
        return {
            "gain": format_number(result.gain, lang, 0, signed=True),
            "low": format_number(result.gain_low, lang, 0, signed=True),
            "high": format_number(result.gain_high, lang, 0, signed=True),
            "price": price_text(result, lang),
        }

    label = capitalise(results.label(scenario, lang))
    text = phrase("cost_answer", lang, label=label, kept=kpi_label("kept_contacts", lang), **gain_fields(kept))
    hard = scenario_cost_per_gain(results.replications, scenario, results.baseline, "kept_contacts_hard_to_reach")
    if hard is not None:
        text += phrase("cost_answer_hard_to_reach", lang, **gain_fields(hard))
    return text


def svg_data(path: Path) -> str:
    """An SVG file as the base64 text of a data URI, so the page needs nothing beside it."""
    return base64.b64encode(path.read_bytes()).decode("ascii")


def assumption_value(value: object, lang: str) -> str:
    """An assumption's value for reading, in the reader's language: a site in words, numbers the
    language's way (an older results folder's values written as text are read as numbers), a
    mapping as key: value."""
    if isinstance(value, dict) and {"kind", "municipality", "counsellors", "calendar"} <= value.keys():
        return site_text(value, lang)
    if isinstance(value, dict) and {"kind", "depot", "booths", "counsellors"} <= value.keys():
        return vehicle_text(value, lang)
    if isinstance(value, dict) and {"team_of", "members", "cases_per_conference"} <= value.keys():
        return team_text(value, lang)
    if isinstance(value, dict) and {"places", "capacity", "meetings", "invite_factor"} <= value.keys():
        return course_text(value, lang)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {assumption_value(item, lang)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(assumption_value(item, lang) for item in value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return config_word(value, lang)
        return format_plain(int(number) if value.lstrip("+-").isdigit() else number, lang)
    return format_plain(value, lang)


def assumption_source(entry: dict, lang: str) -> tuple[str, str]:
    """The entry's source in the reader's language, and the language it is written in where that is
    another (a German source the config did not give)."""
    source = str(entry.get("source") or "assumption")
    if lang == "de" and entry.get("source_de"):
        return str(entry["source_de"]), ""
    if source.strip().lower() == "assumption":
        return phrase("assumption", lang), ""
    return source, "" if lang == "en" else "en"


def assumption_table(results: Results, lang: str) -> dict:
    """Each assumption's value per scenario and its source."""
    entries: dict[str, dict[str, dict]] = {}
    for scenario in results.scenarios:
        for entry in results.assumptions.get(scenario, []):
            entries.setdefault(str(entry["key"]), {})[scenario] = entry
    rows = []
    for key, by_scenario in entries.items():
        values = [
            assumption_value(by_scenario[s]["value"], lang) if s in by_scenario else "–" for s in results.scenarios
        ]
        source, source_lang = assumption_source(next(iter(by_scenario.values())), lang)
        rows.append(
            {
                "key": key,
                "label": capitalise(parameter_label(key, lang)),
                "cells": values,
                "differs": len(set(values)) > 1,
                "source": source,
                "source_lang": source_lang,
                "is_assumption": source == phrase("assumption", lang),
            }
        )
    return {"headings": [results.label(s, lang) for s in results.scenarios], "rows": rows}


def flatten(mapping: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Return nested provenance entries as (dotted key, text) pairs."""
    pairs = []
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            pairs += flatten(value, f"{name}.")
        else:
            pairs.append((name, "–" if value is None else str(value)))
    return pairs


def method_section(results: Results, lang: str) -> dict:
    """Replications, seed, warm-up, CRN, CIs and provenance."""
    run = results.runs[results.baseline]
    runs = phrase(
        "method_runs",
        lang,
        replications=run["replications"],
        seed=run["seed"],
        horizon=format_number(run["horizon_days"], lang, 0),
        warmup=format_number(run["warmup_days"], lang, 0),
        measured=format_number(run["horizon_days"] - run["warmup_days"], lang, 0),
    )
    rule = run.get("replications_rule")
    if rule:
        runs += " " + phrase(
            "method_auto" if rule["reached"] else "method_auto_not_reached",
            lang,
            chosen=rule["chosen"],
            precision=format_number(100 * rule["precision"], lang, 0) + " %",
            ahead=rule["look_ahead"],
            limiting=kpi_label(rule["limiting_kpi"], lang) if rule["limiting_kpi"] else "–",
        )
    crn = phrase("method_crn", lang, baseline=results.label(results.baseline, lang))
    provenance = [(provenance_label(key, lang), value) for key, value in flatten(results.provenance)]
    return {"paragraphs": [runs, crn, phrase("method_ci", lang)], "provenance": provenance}
