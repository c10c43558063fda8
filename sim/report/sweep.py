"""A sweep's figures, from its summary rows: KPIs against each swept value, and a heatmap.

For researchers, in English: one figure per swept key with a numeric value, a panel per key KPI,
the mean with its 95 % CI band against the key's values, one line per scenario and combination of
the other swept keys' values; for two numeric swept keys, a heatmap of the first key KPI per
scenario (mean over any other swept keys)."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml
from matplotlib.figure import Figure

from sim.kpi.registry import ANSWER_KPIS, unit_of
from sim.report.kpis import in_display_unit
from sim.report.style import figure_style, save_figure, scenario_style
from sim.report.text import capitalise, kpi_label, unit_label

PANELS = 4  # key KPIs per figure
SEEDS = ("runner.seed", "seed")  # swept to repeat, not to plot against


def numeric(value: str) -> float | None:
    """A swept value as a number, or None if it is not one."""
    parsed = yaml.safe_load(value) if value else None
    return float(parsed) if isinstance(parsed, (int, float)) and not isinstance(parsed, bool) else None


def key_kpis(header: tuple[str, ...], table: list[dict]) -> list[str]:
    """The KPIs to draw: of those the summary has values of, those that change across the sweep
    first, the answer's KPIs first among them."""
    present = [column.removesuffix("_mean") for column in header if column.endswith("_mean") and "_diff_" not in column]
    values = {kpi: {row[f"{kpi}_mean"] for row in table} - {None, ""} for kpi in present}
    with_data = [kpi for kpi in present if values[kpi]]
    ordered = sorted(with_data, key=lambda kpi: (len(values[kpi]) < 2, kpi not in ANSWER_KPIS))
    return ordered[:PANELS]


def write_sweep_figures(folder: Path, header: tuple[str, ...], rows: list[tuple], keys: list[str]) -> list[Path]:
    """Write the sweep figures (PNG and SVG) into `folder`; return the PNG paths."""
    table = [dict(zip(header, row, strict=True)) for row in rows]
    varying = [key for key in keys if len({row[key] for row in table}) > 1]
    numeric_keys = [key for key in varying if key not in SEEDS and all(numeric(row[key]) is not None for row in table)]
    kpis = key_kpis(header, table)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("sweep_*"):  # of an earlier aggregation of this sweep
        stale.unlink()
    written = []
    with figure_style():
        for key in numeric_keys:
            figure = draw_against(table, key, [other for other in varying if other != key], kpis)
            written.append(save_figure(figure, folder, f"sweep_{safe(key)}")[0])
        if len(numeric_keys) >= 2 and kpis:
            figure = draw_heatmap(table, numeric_keys[0], numeric_keys[1], kpis[0])
            written.append(save_figure(figure, folder, "sweep_heatmap")[0])
    return written


def safe(key: str) -> str:
    return "".join(char if char.isalnum() or char in "._-" else "_" for char in key)


def value(row: dict, kpi: str, statistic: str = "mean") -> float:
    number = row.get(f"{kpi}_{statistic}")
    return in_display_unit(float(number), unit_of(kpi)) if number not in (None, "") else math.nan


def draw_against(table: list[dict], key: str, others: list[str], kpis: list[str]) -> Figure:
    """Each KPI against the key's values: mean and CI band per scenario and other keys' values."""
    lines: dict[tuple, list[dict]] = defaultdict(list)
    for row in table:
        lines[(row["scenario"], *(row[other] for other in others))].append(row)
    figure = Figure(figsize=(4.2 * max(1, len(kpis)), 3.8), layout="constrained")
    panels = figure.subplots(1, max(1, len(kpis)), squeeze=False)[0]
    for axes, kpi in zip(panels, kpis, strict=False):
        for index, (line, members) in enumerate(sorted(lines.items())):
            members = sorted(members, key=lambda row: numeric(row[key]))
            x = np.array([numeric(row[key]) for row in members])
            style = scenario_style(index)
            label = ", ".join(
                [line[0], *(f"{other}={given}" for other, given in zip(others, line[1:], strict=True) if given)]
            )
            axes.plot(
                x,
                [value(row, kpi) for row in members],
                color=style["colour"],
                marker=style["marker"],
                linestyle=style["linestyle"],
                label=label,
            )
            axes.fill_between(
                x,
                [value(row, kpi, "ci_low") for row in members],
                [value(row, kpi, "ci_high") for row in members],
                color=style["colour"],
                alpha=0.2,
                linewidth=0,
            )
        axes.set_title(capitalise(kpi_label(kpi, "en")), loc="left", fontweight="bold")
        axes.set_xlabel(key)
        axes.set_ylabel(unit_label(unit_of(kpi), "en"))
        axes.grid(color="0.85", linewidth=0.6)
    handles, labels = panels[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(3, max(1, len(labels))), frameon=False)
    return figure


def draw_heatmap(table: list[dict], x_key: str, y_key: str, kpi: str) -> Figure:
    """The KPI's mean over two numeric swept keys, one panel per scenario."""
    scenarios = list(dict.fromkeys(row["scenario"] for row in table))
    xs = sorted({numeric(row[x_key]) for row in table})
    ys = sorted({numeric(row[y_key]) for row in table})
    figure = Figure(figsize=(4.5 * len(scenarios), 3.8), layout="constrained")
    panels = figure.subplots(1, len(scenarios), squeeze=False)[0]
    for axes, scenario in zip(panels, scenarios, strict=True):
        cells: dict[tuple[float, float], list[float]] = defaultdict(list)
        for row in table:
            if row["scenario"] == scenario:
                cells[numeric(row[x_key]), numeric(row[y_key])].append(value(row, kpi))
        grid = np.array([[np.nanmean(cells.get((x, y), [math.nan])) for x in xs] for y in ys])
        image = axes.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
        axes.set_xticks(range(len(xs)), [f"{x:g}" for x in xs])
        axes.set_yticks(range(len(ys)), [f"{y:g}" for y in ys])
        for (j, i), cell in np.ndenumerate(grid):
            if math.isfinite(cell):
                axes.text(i, j, f"{cell:.3g}", ha="center", va="center", color="white", fontsize=8)
        axes.set_title(scenario, loc="left", fontweight="bold")
        axes.set_xlabel(x_key)
        axes.set_ylabel(y_key)
        figure.colorbar(image, ax=axes, label=f"{capitalise(kpi_label(kpi, 'en'))} ({unit_label(unit_of(kpi), 'en')})")
    return figure
