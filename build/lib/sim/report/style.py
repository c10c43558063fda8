"""The look every figure shares: black-and-white safe styles per scenario, and saving as PNG and SVG."""

import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, ScalarFormatter

from sim.experiment.outputs import write_atomically
from sim.report.text import format_number

# Okabe-Ito colours, told apart by colour-blind readers; markers, line styles and hatches
# tell the scenarios apart on a black-and-white print.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
MARKERS = ("o", "s", "^", "D", "v", "P")
LINESTYLES = ("-", "--", ":", "-.")
HATCHES = ("", "////", "....", "xxxx", "\\\\\\\\", "++++")

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.6,
    "text.parse_math": False,
    "svg.hashsalt": "sim.report",
    "svg.fonttype": "path",
}
PNG_DPI = 150
MOST_TICK_DECIMALS = 6


class NumberFormatter(Formatter):
    """Tick labels written the way the report's language writes numbers (64,5 or 64.5)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        """Choose the fewest decimals that show every tick exactly."""
        super().set_locs(locs)
        self.decimals = 0
        scale = max((abs(loc) for loc in locs), default=1.0) or 1.0
        while self.decimals < MOST_TICK_DECIMALS and any(
            not math.isclose(round(loc, self.decimals), loc, rel_tol=0, abs_tol=1e-9 * scale) for loc in locs
        ):
            self.decimals += 1

    def __call__(self, value: float, position: int | None = None) -> str:
        return format_number(value, self.lang, self.decimals)


def localise_numbers(figure: Figure, lang: str) -> None:
    """Give every numeric axis of the figure tick labels in the report's language."""
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            if isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(NumberFormatter(lang))


def scenario_style(index: int) -> dict[str, str]:
    """Return the colour, marker, line style and hatch of the scenario at `index`."""
    return {
        "colour": COLOURS[index % len(COLOURS)],
        "marker": MARKERS[index % len(MARKERS)],
        "linestyle": LINESTYLES[index % len(LINESTYLES)],
        "hatch": HATCHES[index % len(HATCHES)],
    }


@contextmanager
def figure_style() -> Iterator[None]:
    """Apply the shared look; config text (labels, names) is never read as mathtext."""
    with matplotlib.rc_context(RC):
        yield


def save_figure(figure: Figure, folder: Path, stem: str) -> tuple[Path, Path]:
    """Write the figure as `stem`.png and `stem`.svg into `folder`; return both paths."""
    paths = (folder / f"{stem}.png", folder / f"{stem}.svg")
    for path in paths:
        buffer = io.BytesIO()
        figure.savefig(
            buffer,
            format=path.suffix[1:],
            dpi=PNG_DPI,
            metadata={"Date": None} if path.suffix == ".svg" else None,
        )
        write_atomically(path, buffer.getvalue())
    return paths
