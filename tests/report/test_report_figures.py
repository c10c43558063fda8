"""The figures' scales: levels from zero, differences that look as large as they are, counsellor time changes."""

import math
from pathlib import Path

import pytest
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from results_folder import write_results_folder

from sim.kpi.registry import unit_of
from sim.report.figures import (
    comparison_kpis,
    difference_half_span,
    draw_comparison,
    draw_counsellor_time,
    level_limits,
)
from sim.report.folder import Estimate, Results, load_results
from sim.report.text import capitalise, kpi_label

OFFICE = "Bad Salzungen"


def load(folder: Path, names: tuple[str, ...] = ("wartburgkreis", "wartburgkreis_ruhla")) -> Results:
    """The results of the synthetic Wartburgkreis comparison, read back as the report reads them."""
    return load_results(write_results_folder(folder, names=names))


@pytest.fixture
def results(tmp_path: Path) -> Results:
    return load(tmp_path)


def comparison_axes(results: Results, kpi: str) -> tuple[Axes, Axes]:
    """The level and the difference panel of one KPI in the comparison figure."""
    figure = draw_comparison(results, "de")
    row = comparison_kpis(results).index(kpi)
    return figure.axes[2 * row], figure.axes[2 * row + 1]


def test_a_tiny_difference_looks_tiny_next_to_the_baseline_level(results: Results) -> None:
    alternative = results.alternatives[0]
    results.kpis[results.baseline]["wait_days_mean"] = Estimate(10.0, 9.6, 10.4, 20)
    results.differences[alternative]["wait_days_mean"] = Estimate(0.04, 0.01, 0.07, 20, significant=True)
    levels, differences = comparison_axes(results, "wait_days_mean")
    low, high = differences.get_xlim()
    assert low == pytest.approx(-high)
    assert high >= 0.5  # 5 % of the baseline's 10 days
    assert levels.get_xlim()[0] == 0


def test_level_axes_start_at_zero_and_shares_span_0_to_100_per_cent(results: Results) -> None:
    figure = draw_comparison(results, "en")
    for row, kpi in enumerate(comparison_kpis(results)):
        low, high = figure.axes[2 * row].get_xlim()
        assert low == 0, kpi
        if unit_of(kpi) == "share":
            assert high == 100, kpi
        else:
            assert high >= max(results.kpis[scenario][kpi].ci_high for scenario in results.scenarios), kpi


def test_difference_axes_are_symmetric_and_hold_zero_and_every_interval(results: Results) -> None:
    figure = draw_comparison(results, "en")
    for row, kpi in enumerate(comparison_kpis(results)):
        low, high = figure.axes[2 * row + 1].get_xlim()
        scale = 100 if unit_of(kpi) == "share" else 1
        assert low == pytest.approx(-high), kpi
        assert low < 0 < high, kpi
        for scenario in results.alternatives:
            difference = results.differences[scenario][kpi]
            assert low <= difference.ci_low * scale and difference.ci_high * scale <= high, kpi


def test_a_share_difference_axis_spans_at_least_five_points(results: Results) -> None:
    alternative = results.alternatives[0]
    results.differences[alternative]["attendance_rate"] = Estimate(0.0004, -0.0004, 0.0012, 20)
    _, differences = comparison_axes(results, "attendance_rate")
    assert differences.get_xlim() == pytest.approx((-5.0, 5.0))


def test_a_large_difference_sets_the_axis_past_its_interval() -> None:
    baseline = Estimate(46.5, 42.4, 50.6, 3)
    difference = Estimate(9.42, 8.68, 10.16, 3, significant=True)
    assert 10.16 < difference_half_span([difference], baseline, "hours") < 12


def test_axes_with_nothing_to_scale_by_still_span_one_unit() -> None:
    zero = Estimate(0.0, 0.0, 0.0, 3)
    assert difference_half_span([zero], zero, "count") == 1.0
    assert difference_half_span([Estimate(math.nan, math.nan, math.nan, 1)], zero, "days") == 1.0
    assert level_limits([zero], "count") == (0.0, 1.0)


def bars(axes: Axes) -> list[Rectangle]:
    """The bars drawn on an axes (its background patch is not among them)."""
    return [patch for patch in axes.patches if isinstance(patch, Rectangle)]


def category_at(axes: Axes, bar: Rectangle) -> str:
    """The tick label of the row a horizontal bar stands in."""
    centre = bar.get_y() + bar.get_height() / 2
    ticks = list(axes.get_yticks())
    row = min(range(len(ticks)), key=lambda index: abs(ticks[index] - centre))
    return axes.get_yticklabels()[row].get_text()


def with_travel_change(results: Results, hours: float) -> Results:
    """The results with the alternative's office time equal to the baseline's, but for `hours` more travel."""
    alternative = results.alternatives[0]
    for office, baseline_time in results.counsellors[results.baseline].items():
        results.counsellors[alternative][office] = dict(baseline_time)
    travel = results.counsellors[results.baseline][OFFICE]["travel_hours"]
    results.counsellors[alternative][OFFICE]["travel_hours"] = Estimate(
        travel.mean + hours, travel.ci_low + hours, travel.ci_high + hours, travel.n
    )
    return results


def test_a_travel_change_of_ten_hours_is_a_visible_labelled_bar(results: Results) -> None:
    figure = draw_counsellor_time(with_travel_change(results, 10.6), "de")
    travel = capitalise(kpi_label("travel_hours", "de"))
    drawn = [
        (axes, bar)
        for axes in figure.axes
        for bar in bars(axes)
        if bar.get_width() == pytest.approx(10.6) and category_at(axes, bar) == travel
    ]
    assert len(drawn) == 1
    axes, _ = drawn[0]
    low, high = axes.get_xlim()
    assert 10.6 / (high - low) > 0.2  # a fifth of the panel, not a sliver of thousands of hours
    assert low == pytest.approx(-high)
    assert "+10,6" in [text.get_text() for text in axes.texts]
    others = [bar.get_width() for bar in bars(axes) if category_at(axes, bar) != travel]
    assert others and all(width == 0 for width in others)


def test_the_stacked_bars_of_every_scenario_stay(results: Results) -> None:
    figure = draw_counsellor_time(results, "en")
    stacks = [axes for axes in figure.axes if axes.get_title(loc="left") == OFFICE]
    assert len(stacks) == 1
    totals = sorted(
        {round(bar.get_x() + bar.get_width()) for bar in bars(stacks[0]) if bar.get_width() > 0}, reverse=True
    )
    baseline_total = sum(estimate.mean for estimate in results.counsellors[results.baseline][OFFICE].values())
    assert round(baseline_total) in totals


def test_every_alternative_gets_its_own_change_bar_and_legend_mark(tmp_path: Path) -> None:
    results = load(tmp_path, names=("wartburgkreis", "ruhla", "ruhla_twice"))
    figure = draw_counsellor_time(results, "en")
    travel = capitalise(kpi_label("travel_hours", "en"))
    expected = sorted(
        results.counsellors[scenario][OFFICE]["travel_hours"].mean
        - results.counsellors[results.baseline][OFFICE]["travel_hours"].mean
        for scenario in results.alternatives
    )
    changes = [axes for axes in figure.axes if any(label.get_text() == travel for label in axes.get_yticklabels())]
    first_office = sorted(bar.get_width() for bar in bars(changes[0]) if category_at(changes[0], bar) == travel)
    assert first_office == pytest.approx(expected)
    legend_labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert all(results.label(scenario, "en") in legend_labels for scenario in results.alternatives)
