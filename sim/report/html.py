"""The report page: one self-contained HTML file that opens offline in any browser.

Top to bottom: the question, the answer, the KPI table, the figures (SVG data URIs), the
assumptions and the method. Every text that comes from a config or a results file goes through
`escape` before it reaches the page; table cells carry the raw numbers in data attributes so tests
and tools can read them.
"""

import base64
import json
from html import escape

from sim.kpi.registry import ANSWER_KPIS, unit_of
from sim.report.figures import FigureFiles
from sim.report.folder import Estimate, Results
from sim.report.kpis import HARD_TO_REACH, in_display_unit
from sim.report.text import (
    capitalise,
    decimals_for,
    format_amount,
    format_number,
    format_value,
    kpi_label,
    phrase,
    unit_label,
    with_label,
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
thead th:first-child, th[scope=row], .text { text-align: left; }
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
@media print { body { max-width: none; margin: 0; } figure, tr { break-inside: avoid; } }
"""


def render_report(results: Results, figures: list[FigureFiles], lang: str, map_kpi: str, nearly_empty_max: int) -> str:
    """Return the whole report page for the results, with the figures embedded."""
    first = results.alternatives[0] if results.alternatives else results.baseline
    label, baseline = results.label(first, lang), results.label(results.baseline, lang)
    title = phrase("title", lang, label=label, baseline=baseline)
    question = (results.descriptions.get(first, {}).get("question") or {}).get(lang)
    question = question or phrase("generic_question", lang, with_label=with_label(label, lang), baseline=baseline)
    sections = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(phrase("source_folder", lang, folder=results.folder.name))}</p>',
        f'<section id="answer"><h2>{phrase("question", lang)}</h2>',
        f'<p class="question">{escape(question)}</p>',
        f"<h2>{phrase('answer', lang)}</h2>",
        *(answer(results, scenario, lang) + added_sites(results, scenario, lang) for scenario in results.alternatives),
        "</section>",
        kpi_table(results, lang),
        figure_section(results, figures, lang, map_kpi, nearly_empty_max),
        assumption_table(results, lang),
        method_section(results, lang),
    ]
    body = "\n".join(sections)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def data_attributes(scenario: str, kpi: str, value: Estimate) -> str:
    """Return the data attributes that carry a cell's raw numbers."""
    return (
        f'data-scenario="{escape(scenario)}" data-kpi="{escape(kpi)}" '
        f'data-value="{value.mean!r}" data-ci-low="{value.ci_low!r}" '
        f'data-ci-high="{value.ci_high!r}" data-n="{value.n}"'
    )


def finding(kpi: str, difference: Estimate, lang: str) -> str:
    """Return one KPI's difference as a phrase: rises or falls by how much, or no difference."""
    unit = unit_of(kpi)
    mean, low, high = (in_display_unit(x, unit) for x in (difference.mean, difference.ci_low, difference.ci_high))
    decimals = shown_decimals(difference, unit, difference=True)
    sign = (mean > 0) - (mean < 0)
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
    distinguishable = str(difference.distinguishable_from_zero).lower()
    return (
        f'<span class="finding" data-kpi="{escape(kpi)}" data-sign="{sign}" '
        f'data-distinguishable="{distinguishable}">{escape(text)}</span>'
    )


def unchanged(difference: Estimate) -> bool:
    """Exactly the same number in every replication: no change, not 'not distinguishable'."""
    return difference.mean == 0 and difference.ci_low == 0 and difference.ci_high == 0


def relative_size(difference: Estimate, level: Estimate | None) -> float:
    """The size of a difference relative to the baseline's level (its absolute size without one)."""
    if level is None or not level.mean:
        return abs(difference.mean)
    return abs(difference.mean / level.mean)


def answer(results: Results, scenario: str, lang: str) -> str:
    """Return the answer for one scenario: the lead KPIs' differences with their CIs, the
    distinguishable ones first; the hard-to-reach's KPIs (whom outreach is for) before the
    district's, each largest relative to the baseline first."""
    differences = results.differences.get(scenario, {})
    kpis = [kpi for kpi in ANSWER_KPIS if kpi in differences]
    if not kpis:
        return f'<p class="answer">{phrase("no_answer_kpis", lang)}</p>'
    baseline = results.kpis.get(results.baseline, {})
    kpis.sort(key=lambda kpi: (not kpi.endswith(HARD_TO_REACH), -relative_size(differences[kpi], baseline.get(kpi))))
    same = [finding(k, differences[k], lang) for k in kpis if unchanged(differences[k])]
    kpis = [k for k in kpis if not unchanged(differences[k])]
    clear = [finding(k, differences[k], lang) for k in kpis if differences[k].distinguishable_from_zero]
    unclear = [finding(k, differences[k], lang) for k in kpis if not differences[k].distinguishable_from_zero]
    sentences = []
    if clear:
        sentences.append("; ".join(clear) + ".")
    if unclear:
        sentences.append(escape(phrase("not_distinguishable", lang)) + "; ".join(unclear) + ".")
    if same:
        sentences.append(escape(phrase("no_change", lang)) + "; ".join(same) + ".")
    text = " ".join(sentences)
    if len(results.alternatives) > 1:
        prefix = phrase(
            "answer_prefix",
            lang,
            label=results.label(scenario, lang),
            baseline=results.label(results.baseline, lang),
        )
        text = escape(capitalise(prefix)) + text
    elif clear:
        text = capitalise_markup(text)
    return f'<p class="answer" data-scenario="{escape(scenario)}">{text}</p>'


def added_sites(results: Results, scenario: str, lang: str) -> str:
    """Sentences on each site the scenario adds: its use, and what changes for the clients who
    live in its municipality (levels with their CIs; the difference is in the table and the map)."""
    baseline_sites = results.sites.get(results.baseline, {})
    sentences = []
    for name, site in results.sites.get(scenario, {}).items():
        if name in baseline_sites:
            continue
        kpis = site.kpis
        sessions, kept, attendance = (kpis.get(k) for k in ("sessions_held", "kept_per_session", "attendance_rate"))
        if sessions is None or kept is None or attendance is None:
            continue
        sentences.append(
            phrase(
                "added_site_use",
                lang,
                site=site.municipality or name,
                sessions=format_number(sessions.mean, lang, 0),
                kept=format_number(kept.mean, lang, 1),
                kept_low=format_number(kept.ci_low, lang, 1),
                kept_high=format_number(kept.ci_high, lang, 1),
                attendance=format_value(attendance.mean, "share", lang),
                attendance_low=format_value(attendance.ci_low, "share", lang),
                attendance_high=format_value(attendance.ci_high, "share", lang),
            )
        )
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
    if not sentences:
        return ""
    return f'<p class="added-sites" data-scenario="{escape(scenario)}">{escape(" ".join(sentences))}</p>'


def capitalise_markup(markup: str) -> str:
    """Capitalise the first letter of text that follows the first tag in `markup`."""
    start = markup.index(">") + 1
    return markup[:start] + capitalise(markup[start:])


def shown_decimals(value: Estimate, unit: str, difference: bool) -> int:
    """Return the decimals for a value and its CI: one for shares in %, more for small differences."""
    shown = [in_display_unit(x, unit) for x in (value.mean, value.ci_low, value.ci_high)]
    if not difference:
        return 1 if unit == "share" else decimals_for(shown[0])
    return max(1, decimals_for(*shown)) if unit == "share" else decimals_for(*shown)


def interval_text(value: Estimate, unit: str, lang: str, decimals: int, difference: bool) -> str:
    """Return the small print under a table value, e.g. '63,4 bis 64,2 % · n = 20'."""
    if not value.has_interval:
        return f'<span class="ci">n = {value.n}</span>'
    low = format_number(in_display_unit(value.ci_low, unit), lang, decimals, signed=difference)
    high = format_value(value.ci_high, unit, lang, decimals, difference=difference)
    return f'<span class="ci">{phrase("interval", lang, low=low, high=high)} · n = {value.n}</span>'


def level_cell(scenario: str, kpi: str, value: Estimate | None, lang: str) -> str:
    """Return a table cell with a KPI's mean, its 95 % CI and n."""
    if value is None:
        return "<td>–</td>"
    unit = unit_of(kpi)
    decimals = shown_decimals(value, unit, difference=False)
    return (
        f'<td class="level" {data_attributes(scenario, kpi, value)}>'
        f"{format_value(value.mean, unit, lang, decimals)}"
        f"{interval_text(value, unit, lang, decimals, difference=False)}</td>"
    )


def difference_cell(scenario: str, kpi: str, value: Estimate | None, lang: str) -> str:
    """Return a table cell with a paired difference; bold and starred when its CI excludes 0."""
    if value is None:
        return "<td>–</td>"
    unit = unit_of(kpi)
    decimals = shown_decimals(value, unit, difference=True)
    distinguishable = value.distinguishable_from_zero
    css = "difference distinguishable" if distinguishable else "difference"
    return (
        f'<td class="{css}" {data_attributes(scenario, kpi, value)} '
        f'data-distinguishable="{str(distinguishable).lower()}">'
        f"{format_value(value.mean, unit, lang, decimals, difference=True)}"
        f"{' *' if distinguishable else ''}"
        f"{interval_text(value, unit, lang, decimals, difference=True)}</td>"
    )


def kpi_table(results: Results, lang: str) -> str:
    """Return the section with every KPI per scenario and the differences against the baseline."""
    kpis = list(dict.fromkeys(kpi for s in results.scenarios for kpi in results.kpis[s]))
    baseline = results.label(results.baseline, lang)
    header = [f"<th>{phrase('kpi', lang)}</th>"]
    header += [f"<th>{escape(results.label(s, lang))}</th>" for s in results.scenarios]
    header += [
        "<th>{}</th>".format(escape(phrase("difference_to", lang, label=results.label(s, lang), baseline=baseline)))
        for s in results.alternatives
    ]
    rows = []
    for kpi in kpis:
        unit = unit_of(kpi)
        unit_text = "" if unit == "share" else f'<span class="unit">{unit_label(unit, lang)}</span>'
        cells = [f'<th scope="row">{escape(capitalise(kpi_label(kpi, lang)))}{unit_text}</th>']
        cells += [level_cell(s, kpi, results.kpis[s].get(kpi), lang) for s in results.scenarios]
        cells += [difference_cell(s, kpi, results.differences.get(s, {}).get(kpi), lang) for s in results.alternatives]
        rows.append(f'<tr data-kpi="{escape(kpi)}">{"".join(cells)}</tr>')
    return (
        f'<section id="kpis"><h2>{phrase("kpi_table", lang)}</h2>\n'
        f'<div class="scroll"><table class="kpis">\n<thead><tr>{"".join(header)}</tr></thead>\n'
        f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table></div>\n"
        f'<p class="note">{phrase("table_note", lang)}</p></section>'
    )


def figure_section(results: Results, figures: list[FigureFiles], lang: str, map_kpi: str, nearly_empty_max: int) -> str:
    """Return the section with every figure embedded as an SVG data URI and its caption."""
    parts = [f'<section id="figures"><h2>{phrase("figures", lang)}</h2>']
    for number, figure in enumerate(figures, start=1):
        caption = phrase(
            f"caption_{figure.stem}",
            lang,
            baseline=results.label(results.baseline, lang),
            kpi=kpi_label(map_kpi, lang),
            nearly_empty_max=nearly_empty_max,
        )
        encoded = base64.b64encode(figure.svg.read_bytes()).decode("ascii")
        parts.append(
            f'<figure id="figure-{figure.stem}">'
            f'<img src="data:image/svg+xml;base64,{encoded}" alt="{escape(caption)}">'
            f"<figcaption>{phrase('figure', lang)} {number}: {escape(caption)}</figcaption>"
            "</figure>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def assumption_value(value: object, lang: str) -> str:
    """Format an assumption's value for reading: numbers per language, mappings as key: value."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        text = repr(value)
        return text.replace(".", ",") if lang == "de" else text
    if isinstance(value, dict):
        return ", ".join(f"{key}: {assumption_value(item, lang)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(assumption_value(item, lang) for item in value)
    return str(value)


def assumption_table(results: Results, lang: str) -> str:
    """Return the section listing each assumption's value per scenario and its source."""
    entries: dict[str, dict[str, dict]] = {}
    for scenario in results.scenarios:
        for entry in results.assumptions.get(scenario, []):
            entries.setdefault(str(entry["key"]), {})[scenario] = entry
    header = [f"<th>{phrase('assumption_key', lang)}</th>"]
    header += [f"<th>{escape(results.label(s, lang))}</th>" for s in results.scenarios]
    header.append(f"<th>{phrase('source', lang)}</th>")
    rows = []
    for key, by_scenario in entries.items():
        values = {
            s: assumption_value(by_scenario[s]["value"], lang) if s in by_scenario else "–" for s in results.scenarios
        }
        css = "text differs" if len(set(values.values())) > 1 else "text"
        source = next((str(e["source"]) for e in by_scenario.values() if e.get("source")), "assumption")
        source_cell = (
            f"<em>{phrase('assumption', lang)}</em>" if source.strip().lower() == "assumption" else escape(source)
        )
        cells = [f'<th scope="row">{escape(key)}</th>']
        cells += [f'<td class="{css}">{escape(values[s])}</td>' for s in results.scenarios]
        cells.append(f'<td class="text">{source_cell}</td>')
        rows.append(f'<tr data-key="{escape(key)}">{"".join(cells)}</tr>')
    return (
        f'<section id="assumptions"><h2>{phrase("assumptions", lang)}</h2>\n'
        f'<p class="note">{phrase("assumptions_note", lang)}</p>\n'
        f'<div class="scroll"><table class="assumptions">\n<thead><tr>{"".join(header)}</tr></thead>\n'
        f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table></div></section>"
    )


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


def method_section(results: Results, lang: str) -> str:
    """Return the section on replications, seed, warm-up, CRN, CIs and provenance."""
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
    provenance = "".join(
        f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>" for key, value in flatten(results.provenance)
    )
    return (
        f'<section id="method"><h2>{phrase("method", lang)}</h2>\n'
        f"<p>{escape(runs)}</p>\n<p>{escape(crn)}</p>\n<p>{escape(phrase('method_ci', lang))}</p>\n"
        f'<h3>{phrase("provenance", lang)}</h3>\n<dl class="provenance">{provenance}</dl></section>'
    )
