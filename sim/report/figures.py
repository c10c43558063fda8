"""The report's charts: KPI comparison, waiting times, counsellor time and per-site use."""

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.kpi.registry import COUNSELLOR_KPIS, unit_of
from sim.report.folder import Estimate, Results
from sim.report.kpis import COMPARISON_KPIS, SITE_USE_KPIS, in_display_unit
from sim.report.map import draw_maps
from sim.report.style import figure_style, localise_numbers, save_figure, scenario_style
from sim.report.text import capitalise, decimals_for, format_number, kpi_label, phrase, unit_label

COMPARISON_FALLBACK_COUNT = 6
COUNSELLOR_TIME_STYLES = (  # counselling, case work, travel, meetings, off sick, idle
    {"color": "#0072B2", "hatch": ""},
    {"color": "#56B4E9", "hatch": "\\\\"},
    {"color": "#E69F00", "hatch": "////"},
    {"color": "#009E73", "hatch": "...."},
    {"color": "#CC79A7", "hatch": "xx"},
    {"color": "white", "hatch": ""},
)
SITE_KIND_ORDER = ("office", "room", "vehicle_stop")
MOSTLY_EMPTY_SHARE = 0.5
LABEL_WIDTH = 28
TITLE_WIDTH = 24
COMPARISON_TITLE_WIDTH = 48
AXIS_PADDING = 0.08  # room past the farthest value, so no CI end sits on the frame
SHARE_AXIS_MAX = 100.0
SMALLEST_SHARE_HALF_SPAN = 5.0  # percentage points
SMALLEST_HALF_SPAN_OF_BASELINE = 0.05  # of the baseline's mean, for every unit but shares
SMALLEST_TIME_CHANGE_HALF_SPAN = 1.0  # hours: a change of minutes is not drawn across the whole panel
TIME_CHANGE_LABEL_ROOM = 0.6  # of the largest change, for the value written past a bar's end
CHANGES_TITLE_WIDTH = 36
# The change panel's title. Its home is PHRASES in text.py (as "mean_differences"); it waits here
# until that file is free to change.


@dataclass(frozen=True)
class FigureFiles:
    """One figure written to the results folder, as PNG and SVG."""

    stem: str
    png: Path
    svg: Path


def write_figures(results: Results, lang: str, map_kpi: str, nearly_empty_max: int) -> list[FigureFiles]:
    """Draw every figure and write it to figures/ in the results folder."""
    folder = results.folder / "figures"
    figures = {
        "comparison": lambda: draw_comparison(results, lang),
        "map": lambda: draw_maps(results, lang, map_kpi),
        "waiting": lambda: draw_waiting(results, lang),
        "counsellor_time": lambda: draw_counsellor_time(results, lang),
        "site_use": lambda: draw_site_use(results, lang, nearly_empty_max),
    }
    written = []
    with figure_style():
        for stem, draw in figures.items():
            figure = draw()
            localise_numbers(figure, lang)
            png, svg = save_figure(figure, folder, stem)
            written.append(FigureFiles(stem, png, svg))
    return written


def wrap(label: str) -> str:
    """Break a long label over lines so tick labels stay narrow."""
    return textwrap.fill(label, LABEL_WIDTH)


def comparison_kpis(results: Results) -> list[str]:
    """Return the lead KPIs every scenario has, or the first few KPIs when none of them is there."""
    shared = [
        kpi
        for kpi in results.kpis[results.baseline]
        if all(kpi in results.kpis[scenario] for scenario in results.scenarios)
    ]
    lead = [kpi for kpi in COMPARISON_KPIS if kpi in shared]
    return lead or shared[:COMPARISON_FALLBACK_COUNT]


def draw_interval(axes, position: float, value: Estimate, unit: str, style: dict, filled: bool):
    """Draw one estimate as a point with a horizontal 95 % CI line at height `position`."""
    mean, low, high = (in_display_unit(x, unit) for x in (value.mean, value.ci_low, value.ci_high))
    axes.errorbar(
        mean,
        position,
        xerr=[[mean - low], [high - mean]],
        fmt=style["marker"],
        color=style["colour"],
        markerfacecolor=style["colour"] if filled else "white",
        markeredgecolor="black",
        ecolor="black",
        capsize=3,
        markersize=7,
    )


def shown_values(estimates: list[Estimate], unit: str) -> list[float]:
    """Return the finite means and CI ends of the estimates, as shown to a reader."""
    return [
        in_display_unit(value, unit)
        for estimate in estimates
        for value in (estimate.mean, estimate.ci_low, estimate.ci_high)
        if math.isfinite(value)
    ]


def level_limits(levels: list[Estimate], unit: str) -> tuple[float, float]:
    """Return the range of a level axis: from 0, since no KPI is negative, so a level is seen against its size.

    Shares span 0 to 100 %; every other unit reaches a little past the highest mean or CI end.
    """
    values = shown_values(levels, unit)
    low = min([0.0, *values])
    if unit == "share":
        return low, max([SHARE_AXIS_MAX, *values])
    high = max(values, default=0.0) * (1 + AXIS_PADDING)
    return low, high if high > low else low + 1.0


def difference_half_span(differences: list[Estimate], baseline: Estimate, unit: str) -> float:
    """Return half the width of a difference axis, which is symmetric around zero.

    The axis reaches a little past the farthest mean or CI end, and at least 5 percentage points for a
    share or 5 % of the baseline's mean for any other KPI: a difference that is small next to the level it
    changes looks small. With nothing to scale by (all zero) it spans one unit either side.
    """
    farthest = max((abs(value) for value in shown_values(differences, unit)), default=0.0) * (1 + AXIS_PADDING)
    if unit == "share":
        smallest = SMALLEST_SHARE_HALF_SPAN
    else:
        smallest = SMALLEST_HALF_SPAN_OF_BASELINE * abs(baseline.mean) if math.isfinite(baseline.mean) else 0.0
    return max(farthest, smallest) or 1.0


def draw_comparison(results: Results, lang: str) -> Figure:
    """Draw each lead KPI per scenario with its CI, and the paired differences against the baseline.

    Level axes start at 0; difference axes are symmetric around zero and at least as wide as
    `difference_half_span` says, so neither makes a small difference look large.
    """
    kpis = comparison_kpis(results)
    scenarios = results.scenarios
    alternatives = results.alternatives
    baseline_label = results.label(results.baseline, lang)
    row_height = 0.9 + 0.3 * len(scenarios)
    figure = Figure(figsize=(9.5, 0.4 + row_height * len(kpis)), layout="constrained")
    grid = figure.subplots(len(kpis), 2, squeeze=False)
    for row, kpi in enumerate(kpis):
        unit = unit_of(kpi)
        levels, differences = grid[row]
        for index, scenario in enumerate(scenarios):
            draw_interval(levels, index, results.kpis[scenario][kpi], unit, scenario_style(index), filled=True)
        for position, scenario in enumerate(alternatives):
            difference = results.differences[scenario][kpi]
            style = scenario_style(scenarios.index(scenario))
            draw_interval(differences, position, difference, unit, style, filled=difference.distinguishable_from_zero)
        levels.set_xlim(*level_limits([results.kpis[scenario][kpi] for scenario in scenarios], unit))
        half_span = difference_half_span(
            [results.differences[scenario][kpi] for scenario in alternatives], results.kpis[results.baseline][kpi], unit
        )
        differences.set_xlim(-half_span, half_span)
        differences.axvline(0, color="black", linestyle="--", linewidth=1)
        levels.set_yticks(range(len(scenarios)), [wrap(results.label(s, lang)) for s in scenarios])
        differences.set_yticks(range(len(alternatives)), [wrap(results.label(s, lang)) for s in alternatives])
        levels.set_ylim(len(scenarios) - 0.5, -0.5)
        differences.set_ylim(len(alternatives) - 0.5, -0.5)
        levels.xaxis.set_major_locator(MaxNLocator(nbins=5))
        differences.xaxis.set_major_locator(MaxNLocator(nbins=5, symmetric=True))
        for axes in (levels, differences):
            axes.grid(axis="x", color="0.85", linewidth=0.6)
        title = textwrap.shorten(capitalise(kpi_label(kpi, lang)), COMPARISON_TITLE_WIDTH)
        levels.set_title(title, loc="left", fontweight="bold")
        differences.set_title(capitalise(phrase("differences", lang, baseline=baseline_label)), loc="left")
        levels.set_xlabel(unit_label(unit, lang))
        differences.set_xlabel(unit_label(unit, lang, difference=True))
    return figure


def draw_waiting(results: Results, lang: str) -> Figure:
    """Draw the distribution of days to appointment per scenario as an ECDF, the mean marked."""
    figure = Figure(figsize=(8, 4.2), layout="constrained")
    axes = figure.subplots()
    for index, scenario in enumerate(results.scenarios):
        histogram = results.wait_days.get(scenario, [])
        if not histogram:
            continue
        days = np.array([day for day, _ in histogram], dtype=float)
        counts = np.array([count for _, count in histogram], dtype=float)
        share_within = np.cumsum(counts) / counts.sum() * 100
        mean = float((days * counts).sum() / counts.sum())
        style = scenario_style(index)
        label = "{} ({} {} {})".format(
            results.label(scenario, lang),
            phrase("mean", lang),
            format_number(mean, lang, 1),
            unit_label("days", lang),
        )
        # Start each curve at 0 % on its first day, so the first step shows as a rise.
        axes.step(
            np.concatenate([days[:1], days]),
            np.concatenate([[0.0], share_within]),
            where="post",
            color=style["colour"],
            linestyle=style["linestyle"],
            marker=style["marker"],
            markevery=max(1, len(days) // 12),
            markersize=5,
            label=label,
        )
        # The mean: a line from the x-axis up to the curve, the scenario's marker on the axis.
        share_at_mean = share_within[days <= mean][-1] if (days <= mean).any() else 0.0
        axes.vlines(mean, 0, share_at_mean, color=style["colour"], linestyle=style["linestyle"], linewidth=1.2)
        axes.plot(
            mean,
            0,
            marker=style["marker"],
            markersize=9,
            color=style["colour"],
            markeredgecolor="black",
            clip_on=False,
            zorder=5,
        )
    axes.set_ylim(0, 101)
    axes.set_xlabel(phrase("days_to_appointment", lang))
    axes.set_ylabel(phrase("share_within", lang))
    axes.grid(color="0.85", linewidth=0.6)
    axes.legend(loc="lower right", frameon=True)
    return figure


def counsellor_categories(results: Results) -> list[str]:
    """Return the time categories some office reports in some scenario, in the registry's order."""
    present = {
        kpi for by_office in results.counsellors.values() for office_time in by_office.values() for kpi in office_time
    }
    return [kpi for kpi in COUNSELLOR_KPIS if kpi in present]


def time_changes(results: Results, office: str, categories: list[str]) -> dict[str, list[float]]:
    """Return each alternative's change of time per category at `office` against the baseline, in hours.

    counsellors.csv holds a mean and CI per office but no replication values, so the change is the
    difference of the two means, without a paired interval; a category either scenario lacks is NaN.
    """
    baseline_time = results.counsellors.get(results.baseline, {}).get(office, {})
    changes = {}
    for scenario in results.alternatives:
        office_time = results.counsellors.get(scenario, {}).get(office, {})
        changes[scenario] = [
            office_time[kpi].mean - baseline_time[kpi].mean if kpi in office_time and kpi in baseline_time else math.nan
            for kpi in categories
        ]
    return changes


def scenario_marker(index: int) -> dict:
    """Return the line properties that mark a bar as the scenario's at `index`, when several share a row."""
    style = scenario_style(index)
    return {
        "marker": style["marker"],
        "markersize": 5,
        "color": style["colour"],
        "markeredgecolor": "black",
        "linestyle": "none",
    }


def draw_time_changes(
    axes, results: Results, categories: list[str], changes: dict[str, list[float]], decimals: int, lang: str
) -> None:
    """Draw one office's change per time category as bars in the category's style, each with its value."""
    alternatives = results.alternatives
    bar_height = 0.8 / len(alternatives)
    for index, scenario in enumerate(alternatives):
        for row, (kpi, change) in enumerate(zip(categories, changes[scenario], strict=True)):
            style = COUNSELLOR_TIME_STYLES[COUNSELLOR_KPIS.index(kpi)]
            position = row - 0.4 + bar_height * (index + 0.5)
            drawn = change if math.isfinite(change) else 0.0
            bars = axes.barh(
                position,
                drawn,
                height=bar_height,
                color=style["color"],
                hatch=style["hatch"],
                edgecolor="black",
                linewidth=0.6,
            )
            label = format_number(change, lang, decimals, signed=True)
            axes.bar_label(bars, labels=[label], padding=3 if len(alternatives) == 1 else 6)
            if len(alternatives) > 1:
                axes.plot(0, position, **scenario_marker(results.scenarios.index(scenario)), zorder=3)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_yticks(range(len(categories)), [wrap(capitalise(kpi_label(kpi, lang))) for kpi in categories])
    axes.set_ylim(len(categories) - 0.5, -0.5)
    axes.grid(axis="x", color="0.85", linewidth=0.6)
    axes.set_axisbelow(True)


def draw_counsellor_time(results: Results, lang: str) -> Figure:
    """Draw counsellor time per office as stacked, hatched bars (one per scenario) and each category's change.

    A change of a few hours is invisible next to thousands in a stack, so each office also gets a panel
    of the changes alone, symmetric around zero and at least an hour either side, each bar with its value.
    """
    offices = list(
        dict.fromkeys(office for scenario in results.scenarios for office in results.counsellors.get(scenario, {}))
    )
    scenarios = results.scenarios
    alternatives = results.alternatives
    categories = counsellor_categories(results)
    changes = {office: time_changes(results, office, categories) for office in offices}
    stack_height = 0.55 + 0.32 * len(scenarios)
    changes_height = 0.45 + len(categories) * (0.1 + 0.16 * len(alternatives)) if alternatives else 0.0
    panel_height = max(stack_height, changes_height)
    rows = max(1, len(offices))
    figure = Figure(figsize=(11 if alternatives else 9, 0.9 + panel_height * rows), layout="constrained")
    grid = figure.subplots(
        rows, 2 if alternatives else 1, sharex="col", squeeze=False, width_ratios=(3, 2) if alternatives else None
    )
    panels = grid[:, 0]
    for axes, office in zip(panels, offices, strict=False):
        for position, scenario in enumerate(scenarios):
            office_time = results.counsellors.get(scenario, {}).get(office, {})
            start = 0.0
            for kpi, style in zip(COUNSELLOR_KPIS, COUNSELLOR_TIME_STYLES, strict=True):
                hours = office_time[kpi].mean if kpi in office_time else 0.0
                axes.barh(
                    position,
                    hours,
                    left=start,
                    height=0.7,
                    color=style["color"],
                    hatch=style["hatch"],
                    edgecolor="black",
                    linewidth=0.6,
                )
                start += hours if math.isfinite(hours) else 0.0
        axes.set_yticks(range(len(scenarios)), [wrap(results.label(s, lang)) for s in scenarios])
        axes.set_ylim(len(scenarios) - 0.5, -0.5)
        axes.set_title(site_title(results, office), loc="left", fontweight="bold")
        axes.grid(axis="x", color="0.85", linewidth=0.6)
        axes.set_axisbelow(True)
    panels[-1].set_xlabel(unit_label("hours", lang))
    if alternatives:
        every_change = [change for by_scenario in changes.values() for row in by_scenario.values() for change in row]
        decimals = decimals_for(*every_change)
        for axes, office in zip(grid[:, 1], offices, strict=False):
            draw_time_changes(axes, results, categories, changes[office], decimals, lang)
        farthest = max((abs(change) for change in every_change if math.isfinite(change)), default=0.0)
        half_span = max(farthest * (1 + TIME_CHANGE_LABEL_ROOM), SMALLEST_TIME_CHANGE_HALF_SPAN)
        grid[0, 1].set_xlim(-half_span, half_span)
        grid[0, 1].xaxis.set_major_locator(MaxNLocator(nbins=5, symmetric=True))
        baseline_label = results.label(results.baseline, lang)
        title = capitalise(phrase("mean_differences", lang, baseline=baseline_label))
        grid[0, 1].set_title(textwrap.fill(title, CHANGES_TITLE_WIDTH), loc="left")
        grid[-1, 1].set_xlabel(unit_label("hours", lang, difference=True))
    handles = [
        Patch(facecolor=style["color"], hatch=style["hatch"], edgecolor="black", label=label)
        for style, label in zip(
            COUNSELLOR_TIME_STYLES,
            [capitalise(kpi_label(kpi, lang)) for kpi in COUNSELLOR_KPIS],
            strict=True,
        )
    ]
    if len(alternatives) > 1:
        handles += [
            Line2D([], [], **scenario_marker(scenarios.index(scenario)), label=results.label(scenario, lang))
            for scenario in alternatives
        ]
    figure.legend(handles=handles, loc="outside upper center", ncols=3, frameon=False)
    return figure


def site_title(results: Results, site: str) -> str:
    """A site as a reader knows it: the municipality it stands in (its key if it has none)."""
    for scenario in results.scenarios:
        place = results.sites.get(scenario, {}).get(site)
        if place is not None and place.municipality:
            return place.municipality
    return site


def ordered_sites(results: Results) -> list[tuple[str, str]]:
    """Return (site, kind) of every site in any scenario: offices, rooms, then vehicle stops."""
    kinds = {
        site: place.kind
        for scenario in results.scenarios
        for site, place in results.sites.get(scenario, {}).items()
        if place.kind != "course"  # a course place has no sessions (the answer names its seats filled)
    }

    def order(item: tuple[str, str]) -> tuple[int, str]:
        site, kind = item
        rank = SITE_KIND_ORDER.index(kind) if kind in SITE_KIND_ORDER else len(SITE_KIND_ORDER)
        return rank, site

    return sorted(kinds.items(), key=order)


def mostly_empty(results: Results, site: str) -> bool:
    """True when more than half of the site's sessions are nearly empty in some scenario."""
    for scenario in results.scenarios:
        place = results.sites.get(scenario, {}).get(site)
        share = place.kpis.get("nearly_empty_sessions") if place else None
        if share is not None and share.mean > MOSTLY_EMPTY_SHARE:
            return True
    return False


def draw_site_use(results: Results, lang: str, nearly_empty_max: int) -> Figure:
    """Draw sessions held, kept contacts per session, attendance and nearly empty sessions per site."""
    sites = ordered_sites(results)
    scenarios = results.scenarios
    bar_height = 0.8 / len(scenarios)
    figure = Figure(figsize=(11, 1.6 + len(sites) * (0.12 + 0.17 * len(scenarios))), layout="constrained")
    panels = figure.subplots(1, len(SITE_USE_KPIS), sharey=True)
    for axes, kpi in zip(panels, SITE_USE_KPIS, strict=True):
        unit = unit_of(kpi)
        for index, scenario in enumerate(scenarios):
            style = scenario_style(index)
            for row, (site, _) in enumerate(sites):
                place = results.sites.get(scenario, {}).get(site)
                if place is None or kpi not in place.kpis:
                    continue
                value = place.kpis[kpi]
                mean, low, high = (in_display_unit(x, unit) for x in (value.mean, value.ci_low, value.ci_high))
                axes.barh(
                    row - 0.4 + bar_height * (index + 0.5),
                    mean,
                    height=bar_height,
                    color=style["colour"],
                    alpha=0.85,
                    hatch=style["hatch"],
                    edgecolor="black",
                    linewidth=0.5,
                    xerr=[[max(mean - low, 0)], [max(high - mean, 0)]],
                    error_kw={"elinewidth": 0.7, "capsize": 1.5},
                )
        title = textwrap.fill(capitalise(kpi_label(kpi, lang)), TITLE_WIDTH)
        axes.set_title(title, loc="left", fontweight="bold")
        axes.set_xlabel(unit_label(unit, lang))
        axes.grid(axis="x", color="0.85", linewidth=0.6)
        axes.set_axisbelow(True)
    nearly_empty_line = {"color": "black", "linestyle": "--", "linewidth": 1}
    half_line = {"color": "black", "linestyle": ":", "linewidth": 1}
    panels[SITE_USE_KPIS.index("kept_per_session")].axvline(nearly_empty_max, **nearly_empty_line)
    panels[SITE_USE_KPIS.index("nearly_empty_sessions")].axvline(MOSTLY_EMPTY_SHARE * 100, **half_line)
    flagged = [mostly_empty(results, site) for site, _ in sites]
    panels[0].set_yticks(
        range(len(sites)),
        [
            f"! {site_title(results, site)}" if flag else site_title(results, site)
            for (site, _), flag in zip(sites, flagged, strict=True)
        ],
    )
    for tick, flag in zip(panels[0].get_yticklabels(), flagged, strict=True):
        tick.set_fontweight("bold" if flag else "normal")
    panels[0].set_ylim(len(sites) - 0.5, -0.5)
    scenario_handles = [
        Patch(
            facecolor=scenario_style(index)["colour"],
            hatch=scenario_style(index)["hatch"],
            edgecolor="black",
            label=results.label(scenario, lang),
        )
        for index, scenario in enumerate(scenarios)
    ]
    line_handles = [
        Line2D([], [], **nearly_empty_line, label=phrase("nearly_empty_line", lang, nearly_empty_max=nearly_empty_max)),
        Line2D([], [], **half_line, label=phrase("half_line", lang)),
    ]
    figure.legend(
        handles=scenario_handles + line_handles,
        loc="outside upper center",
        ncols=min(len(scenario_handles) + len(line_handles), 4),
        frameon=False,
    )
    return figure
