"""The manager's view of a comparison: figures and one offline HTML report.

`write_report` reads only the files docs/outputs.md specifies and writes `figures/` (PNG and SVG)
and `report.html` into the same results folder.
"""

from pathlib import Path

from sim.experiment.outputs import write_atomically
from sim.kpi.registry import MUNICIPALITY_KPIS
from sim.report.figures import write_figures
from sim.report.folder import load_results
from sim.report.html import render_report
from sim.report.text import LANGUAGES

__all__ = ["write_report"]


def write_report(
    results_dir: Path,
    lang: str = "de",
    map_kpi: str = "attendance_rate",
    nearly_empty_max: int = 2,
) -> Path:
    """Write figures/ (PNG+SVG) and report.html into results_dir; return the report path."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}.")
    if map_kpi not in MUNICIPALITY_KPIS:
        raise ValueError(f"map_kpi must be a municipality KPI ({', '.join(MUNICIPALITY_KPIS)}), not {map_kpi!r}.")
    results = load_results(Path(results_dir))
    figures = write_figures(results, lang, map_kpi, nearly_empty_max)
    report = results.folder / "report.html"
    page = render_report(results, figures, lang, map_kpi, nearly_empty_max)
    write_atomically(report, page.encode("utf-8"))
    return report
