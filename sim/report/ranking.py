"""The ranking's page: the answer in a sentence, the ranked table, a map of the candidates coloured
by their effect, and what each costs in counsellor travel (ranking.html, offline, de or en)."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sim.config.schema import ScenarioConfig
from sim.district.region import load_region
from sim.experiment.outputs import write_atomically
from sim.kpi.registry import label_of
from sim.report.html import STYLE, environment, svg_data
from sim.report.kpis import in_display_unit
from sim.report.map import project
from sim.report.style import figure_style, localise_numbers, save_figure
from sim.report.text import capitalise, format_amount, format_number, format_value, own_decimals, phrase, unit_label

FIGURE_WIDTH_IN = 9.0


def objective_label(objective: dict, lang: str) -> str:
    if objective["name"] != "weighted":
        return label_of(objective["name"], lang)
    return " + ".join(f"{format_number(w, lang, 2)} × {label_of(k, lang)}" for k, w in objective["weights"].items())


def amount(summary: dict | None, unit: str, lang: str, signed: bool = False) -> str:
    """A mean with its CI for the table, e.g. '+24,5 (8,1 bis 40,9)', or the mean alone without an interval."""
    if not summary or summary.get("mean") is None:
        return "–"
    mean = format_value(summary["mean"], unit, lang, 1, difference=signed)
    if summary.get("ci_low") is None:
        return mean
    low = format_number(in_display_unit(summary["ci_low"], unit), lang, 1, signed=signed)
    high = format_number(in_display_unit(summary["ci_high"], unit), lang, 1, signed=signed)
    return f"{mean} ({phrase('interval', lang, low=low, high=high)})"


def delta_text(content: dict, lang: str) -> str:
    """rank.delta in the objective's display unit, e.g. '0,5 Prozentpunkte' for a share's 0.005."""
    unit = content["objective"]["unit"]
    shown = in_display_unit(content["delta"], unit)
    return format_amount(shown, unit, lang, own_decimals(shown))  # as many decimals as the user wrote


def verdict(row: dict, better: str) -> str:
    """'better', 'unclear' or 'worse': the candidate's paired difference to the baseline against zero,
    by its 95 % CI (its mean alone when it has none)."""
    effect = row.get("difference_to_baseline") or {}
    if effect.get("mean") is None:
        return "unclear"
    sign = 1.0 if better == "higher" else -1.0
    low, high = effect.get("ci_low"), effect.get("ci_high")
    if low is None or high is None:
        low = high = effect["mean"]
    low, high = sorted((sign * low, sign * high))
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "unclear"


def answer_text(content: dict, lang: str) -> str:
    """The answer in sentences: the selected site with its effect and the guarantee, or why none is;
    an effect not distinguishable from zero, or the wrong way, is said as such."""
    objective = content["objective"]
    label, unit = objective_label(objective, lang), objective["unit"]
    rows = {row["candidate"]: row for row in content["candidates"]}
    delta = delta_text(content, lang)
    confidence = format_number(100 * (1 - content["alpha"]), lang, 0) + " %"
    selected = content["selected"]
    simulated = [row for row in content["candidates"] if row.get("difference_to_baseline")]
    none_better = all(verdict(row, objective["better"]) != "better" for row in simulated)
    none_sentence = phrase("rank_none_better", lang, simulated=len(simulated))
    if selected is None and content["guarantee"].startswith("every candidate gives the same"):
        sentence = phrase("rank_identical", lang, survivors=", ".join(content["survivors"]))
        return sentence + (" " + none_sentence if none_better else "")
    if selected is None:
        sentence = phrase(
            "rank_no_winner",
            lang,
            survivors=", ".join(content["survivors"]),
            budget=content["settings"]["max_replications"],
        )
        return sentence + (" " + none_sentence if none_better else "")
    row = rows[selected]
    effect = amount(row.get("difference_to_baseline"), unit, lang, signed=True)
    outcome = verdict(row, objective["better"])
    if len(simulated) == 1:
        why = phrase("rank_one_named" if content.get("candidates_named") else "rank_one_screened", lang)
        sentence = phrase("rank_answer_one", lang, site=selected, why=why, kpi=label, effect=effect)
        extra = {"better": "", "unclear": "rank_no_difference", "worse": "rank_worse"}[outcome]
        return sentence + (" " + phrase(extra, lang) if extra else "")
    opener = {"better": "rank_answer", "unclear": "rank_answer_unclear", "worse": "rank_answer_worse"}[outcome]
    sentence = phrase(opener, lang, site=selected, kpi=label, effect=effect)
    if none_better:
        sentence += " " + none_sentence
    sentence += " " + phrase(
        "rank_answer_kn",
        lang,
        site=selected,
        confidence=confidence,
        delta=delta,
        screened=sum(row["screened_in"] for row in content["candidates"]),
        candidates=len(content["candidates"]),
    )
    if content["within_delta"]:
        sentence += " " + phrase("rank_within_delta", lang, others=", ".join(content["within_delta"]), delta=delta)
    return sentence


def table_rows(content: dict, lang: str) -> list[dict]:
    unit = content["objective"]["unit"]
    alone = sum(1 for row in content["candidates"] if row["replications"]) == 1
    rows = []
    for position, row in enumerate(content["candidates"], start=1):
        if row["selected"] and alone:
            status = phrase("rank_only_simulated", lang)
        elif row["selected"]:
            status = phrase("rank_selected", lang)
        elif row["survivor"]:
            status = phrase("rank_survivor", lang)
        elif row["eliminated_at"] is not None:
            status = phrase("rank_eliminated", lang, n=row["eliminated_at"])
        else:
            status = phrase("rank_screened_out", lang)
        rows.append(
            {
                "position": position,
                "candidate": row["candidate"],
                "selected": row["selected"],
                "score": format_number(row["screening_score"], lang, 0),
                "objective": amount(row.get("objective"), unit, lang),
                "baseline": amount(row.get("difference_to_baseline"), unit, lang, signed=True),
                "best": amount(row.get("difference_to_selected"), unit, lang, signed=True),
                "travel": amount(row.get("counsellor_travel_hours"), "hours", lang, signed=True),
                "cost": amount(row.get("cost_total_eur"), "euro", lang, signed=True),
                "replications": row["replications"],
                "status": status,
            }
        )
    return rows


def draw_map(config: ScenarioConfig, content: dict, lang: str) -> Figure:
    """Municipalities: today's sites, the candidates coloured by their simulated effect on a diverging
    scale centred on zero, blue where better than today (grey: screened out, not simulated)."""
    region = load_region(config.region)
    origin = (float(region.lat.mean()), float(region.lon.mean()))
    points = {
        name: project(float(lat), float(lon), origin) for name, lat, lon in zip(region.names, region.lat, region.lon)
    }
    effects = {
        row["candidate"]: row["difference_to_baseline"]["mean"]
        for row in content["candidates"]
        if row.get("difference_to_baseline")
    }
    unit = content["objective"]["unit"]
    figure, axes = plt.subplots(figsize=(FIGURE_WIDTH_IN, 6.5), layout="constrained")
    axes.scatter(*zip(*points.values()), s=8, color="#999999", zorder=1)
    grey = [points[row["candidate"]] for row in content["candidates"] if row["candidate"] not in effects]
    if grey:
        axes.scatter(*zip(*grey), s=40, color="#cccccc", edgecolor="#777777", label=phrase("rank_screened_out", lang))
    if effects:
        xy = [points[name] for name in effects]
        values = [in_display_unit(value, unit) for value in effects.values()]
        largest = max((abs(value) for value in values if math.isfinite(value)), default=0.0) or 1.0
        cmap = "RdBu" if content["objective"]["better"] == "higher" else "RdBu_r"  # blue: better than today
        shown = axes.scatter(
            *zip(*xy), c=values, s=110, cmap=cmap, vmin=-largest, vmax=largest, edgecolor="black", zorder=3
        )
        figure.colorbar(
            shown,
            ax=axes,
            shrink=0.7,
            label=effect_label(content, lang),
        )
    sites = {site.municipality for site in config.sites.values() if site.open}
    xy = [points[name] for name in sites if name in points]
    axes.scatter(
        *zip(*xy),
        marker="s",
        s=70,
        facecolor="white",
        edgecolor="black",
        zorder=4,
        label=phrase("rank_sites_today", lang),
    )
    selected = content["selected"]
    if selected:
        axes.scatter(
            *points[selected],
            s=420,
            facecolor="none",
            edgecolor="#D55E00",
            linewidth=2.5,
            zorder=5,
            label=phrase("rank_selected", lang),
        )
    for name in [*(row["candidate"] for row in content["candidates"]), *sites]:
        if name in points:
            axes.annotate(name, points[name], xytext=(6, 4), textcoords="offset points", fontsize=7.5)
    axes.set_aspect("equal")
    axes.set_xlabel("km")
    axes.set_ylabel("km")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=8, frameon=False)
    localise_numbers(figure, lang)
    return figure


def effect_label(content: dict, lang: str) -> str:
    """The effect axis' label, wrapped to fit beside a figure."""
    unit = unit_label(content["objective"]["unit"], lang, difference=True)
    label = objective_label(content["objective"], lang)
    return textwrap.fill(phrase("rank_effect_axis", lang, kpi=label, unit=unit), 40)


def draw_trade_off(content: dict, lang: str) -> Figure:
    """Each simulated candidate's effect against the counsellor travel it adds, with both paired CIs."""
    unit = content["objective"]["unit"]
    figure, axes = plt.subplots(figsize=(FIGURE_WIDTH_IN, 4.8), layout="constrained")
    for row in content["candidates"]:
        effect, travel = row.get("difference_to_baseline"), row.get("counsellor_travel_hours")
        if not effect or not travel:
            continue
        x, y = travel["mean"], in_display_unit(effect["mean"], unit)
        xerr = [[x - travel["ci_low"]], [travel["ci_high"] - x]] if travel.get("ci_low") is not None else None
        yerr = None
        if effect.get("ci_low") is not None:
            yerr = [[y - in_display_unit(effect["ci_low"], unit)], [in_display_unit(effect["ci_high"], unit) - y]]
        colour = "#D55E00" if row["selected"] else "#0072B2"
        axes.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", color=colour, capsize=2)
        axes.annotate(row["candidate"], (x, y), xytext=(5, 4), textcoords="offset points", fontsize=7.5)
    axes.axhline(0, color="black", linewidth=0.8)
    axes.axvline(0, color="black", linewidth=0.5, linestyle=":")
    low, high = axes.get_xlim()
    axes.set_xlim(min(low, 0.0), max(high, 0.0))  # from no added travel at least: the zero is in view
    low, high = axes.get_ylim()
    axes.set_ylim(min(low, 0.0), max(high, 0.0))
    axes.set_xlabel(capitalise(phrase("rank_travel_axis", lang)))
    axes.set_ylabel(effect_label(content, lang))
    localise_numbers(figure, lang)
    return figure


def write_ranking_report(folder: Path, config: ScenarioConfig, content: dict, lang: str) -> Path:
    """Write figures/ranking_map and figures/ranking_trade_off (PNG+SVG) and ranking.html."""
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    embedded = []
    with figure_style():
        for stem, draw in (
            ("ranking_map", lambda: draw_map(config, content, lang)),
            ("ranking_trade_off", lambda: draw_trade_off(content, lang)),
        ):
            figure = draw()
            _, svg = save_figure(figure, figures, stem)
            plt.close(figure)
            embedded.append(
                {
                    "stem": stem,
                    "data": svg_data(svg),
                    "caption": caption_of(stem, content, lang),
                }
            )
    unit = content["objective"]["unit"]
    to_best = "rank_to_selected" if content["selected"] else "rank_to_leading"
    page = (
        environment()
        .get_template("ranking.html.j2")
        .render(
            lang=lang,
            style=STYLE,
            title=phrase("rank_title", lang, region=config.region.label),
            question=phrase(
                "rank_question", lang, region=config.region.label, kpi=objective_label(content["objective"], lang)
            ),
            answer=answer_text(content, lang),
            headings=[
                phrase(
                    to_best if key == "rank_to_selected" else key,
                    lang,
                    unit=unit_label(unit, lang),
                    difference_unit=unit_label(unit, lang, difference=True),
                )
                for key in RANK_HEADINGS
            ],
            rows=table_rows(content, lang),
            figures=embedded,
            method=method_text(content, lang),
            words={
                key: phrase(key, lang) for key in ("question", "answer", "rank_table", "figures", "figure", "method")
            },
        )
    )
    path = folder / "ranking.html"
    write_atomically(path, page.encode("utf-8"))
    return path


def caption_of(stem: str, content: dict, lang: str) -> str:
    """A figure's caption; the map's names grey and the ring only where the map shows them."""
    if stem != "ranking_map":
        return phrase(f"caption_{stem}", lang)
    grey = any(not row.get("difference_to_baseline") for row in content["candidates"])
    return phrase(
        "caption_ranking_map",
        lang,
        grey=phrase("caption_ranking_map_grey", lang) if grey else "",
        ring=phrase("caption_ranking_map_ring", lang) if content["selected"] else "",
    )


def method_text(content: dict, lang: str) -> list[str]:
    """The method's paragraphs: the screen and the rule that decided who went on, then the selection."""
    settings = content["settings"]
    if settings.get("screen_keep") is not None:
        rule = phrase("rank_method_keep", lang, keep=settings["screen_keep"])
    elif content.get("candidates_named"):
        rule = phrase("rank_method_named", lang)
    else:
        rule = phrase("rank_method_margin", lang, margin=format_number(100 * settings["screen_margin"], lang, 0))
    simulated = sum(1 for row in content["candidates"] if row["replications"])
    if simulated == 1:
        selection = phrase("rank_method_one", lang, n0=settings["n0"], used=content["replications_used"])
    else:
        selection = phrase(
            "rank_method_kn",
            lang,
            delta=delta_text(content, lang),
            n0=settings["n0"],
            batch=settings["batch"],
            budget=settings["max_replications"],
            used=content["replications_used"],
        )
    return [phrase("rank_method_screen", lang) + " " + rule, selection]


RANK_HEADINGS = (
    "rank_position", "rank_candidate", "rank_score", "rank_objective", "rank_to_baseline", "rank_to_selected",
    "rank_travel", "rank_cost", "rank_replications", "rank_status",
)  # fmt: skip
