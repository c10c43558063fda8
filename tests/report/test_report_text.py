"""Numbers per language, KPI units from their names, the map projection, tick labels."""

import math

import pytest

from sim.kpi.registry import unit_of
from sim.report.map import project, scale_bar_length
from sim.report.style import NumberFormatter
from sim.report.text import format_amount, format_number, format_value, kpi_label


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "signed", "expected"),
    [
        (64.25, "de", 1, False, "64,2"),
        (64.25, "en", 1, False, "64.2"),
        (15818.4, "de", 0, False, "15.818"),
        (15818.4, "en", 0, False, "15,818"),
        (1234567.891, "de", 2, False, "1.234.567,89"),
        (-0.17, "de", 2, True, "\u22120,17"),
        (0.08, "en", 2, True, "+0.08"),
        (0.0, "de", 1, True, "0,0"),
        (-0.001, "de", 1, True, "0,0"),
        (math.nan, "de", 1, False, "–"),
    ],
)
def test_numbers_are_written_as_the_language_writes_them(
    value: float, lang: str, decimals: int, signed: bool, expected: str
) -> None:
    assert format_number(value, lang, decimals, signed=signed) == expected


def test_shares_are_shown_in_per_cent_and_their_differences_in_points() -> None:
    assert format_value(0.6432, "share", "de") == "64,3\u00a0%"
    assert format_value(0.6432, "share", "en") == "64.3%"
    assert format_value(0.0105, "share", "de", difference=True) == "+1,1\u00a0Pp."
    assert format_value(-0.0105, "share", "en", difference=True) == "\u22121.1\u00a0pp"
    assert format_value(10.4, "days", "de") == "10,4"
    assert format_amount(1.05, "share", "de", 1) == "1,1\u00a0Prozentpunkte"
    assert format_amount(82.7, "hours", "en", 1) == "82.7\u00a0hours"


@pytest.mark.parametrize(
    ("kpi", "unit"),
    [
        ("attendance_rate", "share"),
        ("reach", "share"),
        ("coverage_30min", "share"),
        ("counsellor_utilisation", "share"),
        ("nearly_empty_sessions", "share"),
        ("wait_days_mean", "days"),
        ("wait_days_p90", "days"),
        ("onsite_wait_min_mean", "minutes"),
        ("travel_min", "minutes"),
        ("counsellor_travel_hours", "hours"),
        ("staff_travel_km", "km"),
        ("client_travel_km_per_contact", "km"),
        ("kept_contacts", "count"),
        ("lost_clients", "count"),
    ],
)
def test_a_kpi_unit_follows_from_its_name(kpi: str, unit: str) -> None:
    assert unit_of(kpi) == unit


def test_an_unknown_kpi_keeps_its_name_and_coverage_names_its_minutes() -> None:
    assert kpi_label("vehicle_breakdowns", "en") == "vehicle breakdowns"
    assert kpi_label("coverage_45min", "de") == "Klienten höchstens 45 Minuten von einem Standort"


def test_the_projection_keeps_kilometres_in_both_directions() -> None:
    origin = (50.9, 10.2)
    east, north = project(51.9, 10.2, origin)
    assert east == pytest.approx(0) and north == pytest.approx(111.19, abs=0.01)
    east, north = project(50.9, 10.3, origin)
    assert east == pytest.approx(111.19 * 0.1 * math.cos(math.radians(50.9)), rel=1e-3)
    # Eisenach to Bad Salzungen: about 20 km as the crow flies.
    east, north = project(50.811679, 10.231992, (50.977287, 10.322388))
    assert math.hypot(east, north) == pytest.approx(19.6, abs=0.3)


def test_the_scale_bar_is_a_round_length_within_a_quarter_of_the_width() -> None:
    assert scale_bar_length(60) == 10
    assert scale_bar_length(9) == 2
    assert scale_bar_length(2) == 1


def test_tick_labels_show_every_tick_exactly_with_the_fewest_decimals() -> None:
    formatter = NumberFormatter("de")
    formatter.set_locs([0.0, 0.25, 0.5, 0.75])
    assert [formatter(x) for x in (0.0, 0.25, 0.5)] == ["0,00", "0,25", "0,50"]
    formatter.set_locs([0, 5000, 10000])
    assert formatter(10000) == "10.000"
