"""The ranking's page: the answer in a sentence, the ranked table, a map of the candidates coloured
by their effect, and what each costs in counsellor travel (ranking.html, offline, de or en)."""

from __future__ import annotations

import base64
import math
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sim.config.schema import ScenarioConfig
from sim.district.region import load_region
from sim.experiment.outputs import write_atomically
from sim.kpi.registry import label_of
from sim.report.html import STYLE, environment
from sim.report.kpis import in_display_unit
from sim.report.map import project
from sim.report.style import figure_style, localise_numbers, save_figure
from sim.report.text import capitalise, format_amount, format_number, format_value, phrase, unit_label

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


def answer_text(content: dict, lang: str) -> str:
    """The answer in a sentence: the selected site with its effect and the guarantee, or why none is."""
    objective = content["objective"]
    label, unit = objective_label(objective, lang), objective["unit"]
    rows = {row["candidate"]: row for row in content["candidates"]}
    delta = format_amount(content["delta"], unit if unit != "share" else "count", lang, decimals_of(content["delta"]))
    confidence = format_number(100 * (1 - content["alpha"]), lang, 0) + " %"
    selected = content["selected"]
    if selected is None and content["guarantee"].startswith("every candidate gives the same"):
        return phrase("rank_identical", lang, survivors=", ".join(content["survivors"]))
    if selected is None:
        return phrase(
            "rank_no_winner",
            lang,
            survivors=", ".join(content["survivors"]),
            budget=content["settings"]["max_replications"],
        )
    effect = rows[selected].get("difference_to_baseline") or {}
    sentence = phrase(
        "rank_answer",
        lang,
        site=selected,
        kpi=label,
        effect=amount(effect, unit, lang, signed=True),
        confidence=confidence,
        delta=delta,
        screened=sum(row["screened_in"] for row in content["candidates"]),
        candidates=len(content["candidates"]),
    )
    if content["within_delta"]:
        sentence += " " + phrase("rank_within_delta", lang, others=", ".join(content["within_delta"]), delta=delta)
    if sum(row["screened_in"] for row in content["candidates"]) == 1:
        sentence += " " + phrase("rank_one_screened", lang)
    return sentence


def decimals_of(value: float) -> int:
    return 0 if float(value).is_integer() else min(4, max(1, -math.floor(math.log10(abs(value))) + 1))


def table_rows(content: dict, lang: str) -> list[dict]:
    unit = content["objective"]["unit"]
    rows = []
    for position, row in enumerate(content["candidates"], start=1):
        if row["selected"]:
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
                "replications": row["replications"],
                "status": status,
            }
        )
    return rows


def draw_map(config: ScenarioConfig, content: dict, lang: str) -> Figure:
    """Municipalities: today's sites, the candidates coloured by their simulated effect (grey: screened out)."""
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
        shown = axes.scatter(*zip(*xy), c=values, s=110, cmap="viridis", edgecolor="black", zorder=3)
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


def label_of_objective(content: dict, lang: str) -> str:
    return objective_label(content["objective"], lang)


def effect_label(content: dict, lang: str) -> str:
    """The effect axis' label, wrapped to fit beside a figure."""
    unit = unit_label(content["objective"]["unit"], lang, difference=True)
    return textwrap.fill(phrase("rank_effect_axis", lang, kpi=label_of_objective(content, lang), unit=unit), 40)


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
                    "data": base64.b64encode(svg.read_bytes()).decode("ascii"),
                    "caption": phrase(f"caption_{stem}", lang),
                }
            )
    unit = content["objective"]["unit"]
    page = (
        environment()
        .get_template("ranking.html.j2")
        .render(
            lang=lang,
            style=STYLE,
            title=phrase("rank_title", lang, region=config.region.label),
            question=phrase("rank_question", lang, region=config.region.label, kpi=label_of_objective(content, lang)),
            answer=answer_text(content, lang),
            guarantee=content["guarantee"],
            headings=[
                phrase(key, lang, unit=unit_label(unit, lang), difference_unit=unit_label(unit, lang, difference=True))
                for key in RANK_HEADINGS
            ],
            rows=table_rows(content, lang),
            figures=embedded,
            method=[
                phrase(
                    "rank_method_screen",
                    lang,
                    margin=format_number(100 * content["settings"]["screen_margin"], lang, 0),
                ),
                phrase(
                    "rank_method_kn",
                    lang,
                    n0=content["settings"]["n0"],
                    batch=content["settings"]["batch"],
                    budget=content["settings"]["max_replications"],
                    used=content["replications_used"],
                ),
            ],
            words={
                key: phrase(key, lang) for key in ("question", "answer", "rank_table", "figures", "figure", "method")
            },
        )
    )
    path = folder / "ranking.html"
    write_atomically(path, page.encode("utf-8"))
    return path


RANK_HEADINGS = (
    "rank_position", "rank_candidate", "rank_score", "rank_objective", "rank_to_baseline", "rank_to_selected",
    "rank_travel", "rank_replications", "rank_status",
)  # fmt: skip
