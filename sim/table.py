"""The terminal's view of a run: each KPI per scenario (mean ± 95 % CI half-width) and the paired
differences, labels with units, shares in %, no scientific notation, in blocks of 100 columns."""

from __future__ import annotations

import textwrap

from sim.experiment.stats import MIN_FOR_INTERVAL
from sim.kpi.registry import label_of, unit_of

TABLE_WIDTH = 100  # the terminal table fits this many columns; more scenarios wrap into blocks
LABEL_WIDTH = 34  # longer labels wrap onto a second line
UNIT_SHOWN = {"share": "%", "days": "days", "minutes": "min", "hours": "h", "km": "km", "euro": "EUR", "count": ""}


def kpi_table(kpis: dict, differences: dict, names: list[str]) -> str:
    """KPIs per alternative (mean ± 95 % CI half-width, shares in %) and, for a comparison, the
    paired differences; labels with units; blocks of columns that fit TABLE_WIDTH."""
    rows = kpis_of(kpis, names)
    columns = [(name, kpis[name]["kpis"], False) for name in names]
    columns += [(f"Δ {name}", differences[name], True) for name in differences]
    cells = [(header, [cell(values.get(kpi), kpi, diff) for kpi in rows]) for header, values, diff in columns]
    labels = [kpi_label_with_unit(kpi) for kpi in rows]
    label_width = min(LABEL_WIDTH, max(len(label) for label in [*labels, "KPI"]))
    widths = [max(len(header), *(len(text) for text in texts)) for header, texts in cells]
    blocks, block, used = [], [], label_width
    for index, width in enumerate(widths):
        if block and used + 3 + width > TABLE_WIDTH:
            blocks.append(block)
            block, used = [], label_width
        block.append(index)
        used += 3 + width
    blocks.append(block)
    text = []
    for block in blocks:
        header = ["KPI".ljust(label_width), *(cells[i][0].rjust(widths[i]) for i in block)]
        text += [" | ".join(header), "-+-".join("-" * len(part) for part in header)]
        for row, label in enumerate(labels):
            first, *more = textwrap.wrap(label, label_width) or [""]
            text.append(" | ".join([first.ljust(label_width), *(cells[i][1][row].rjust(widths[i]) for i in block)]))
            text += [" | ".join([line.ljust(label_width), *(" " * widths[i] for i in block)]) for line in more]
        text.append("")
    n = kpis[names[0]]["replications"]
    note = f"mean ± 95 % CI half-width over {n} replications; Δ: difference to {names[0]}"
    if n < MIN_FOR_INTERVAL:
        note = f"mean over {n} replication(s): too few replications for an interval"
    if differences:
        note += "; differences paired on common random numbers, * = distinguishable from 0 (paired t-tests, Holm, 5 %)"
    return "\n".join([*text, *textwrap.wrap(note, TABLE_WIDTH)])


def kpis_of(kpis: dict, names: list[str]) -> list[str]:
    return list(dict.fromkeys(kpi for name in names for kpi in kpis[name]["kpis"]))


def kpi_label_with_unit(kpi: str) -> str:
    unit = UNIT_SHOWN.get(unit_of(kpi), "")
    return f"{label_of(kpi, 'en')} ({unit})" if unit else label_of(kpi, "en")


def cell(summary: dict | None, kpi: str, difference: bool = False) -> str:
    """mean ± half-width in the KPI's display unit (shares in %, differences of shares in points)."""
    if summary is None or summary["mean"] is None:
        return "n/a"
    scale = 100.0 if unit_of(kpi) == "share" else 1.0
    if difference and summary["mean"] == 0 and summary.get("ci_low") == 0 and summary.get("ci_high") == 0:
        return "no change"
    mean = summary["mean"] * scale
    decimals = decimals_for(mean)
    if summary["ci_low"] is not None:
        half = (summary["ci_high"] - summary["ci_low"]) / 2 * scale
        decimals = decimals_for(max(abs(mean), half))
        while half and round(half, decimals) == 0 and decimals < 3:
            decimals += 1
        text = f"{number(mean, decimals, difference)} ± {number(half, decimals)}"
    else:
        text = number(mean, decimals, difference)
    if difference and summary.get("significant"):
        text += " *"
    return text


def decimals_for(value: float) -> int:
    """Decimals that show a value to about three significant digits, at most three."""
    size = abs(value)
    return 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 or size == 0 else 3


def number(value: float, decimals: int, signed: bool = False) -> str:
    """A number as a reader writes it: thousands separated, fixed decimals, never 1e-05."""
    return f"{value:{'+' if signed else ''},.{decimals}f}"
