"""The vehicles in the report: tours on the map, the cost table with the cost per additional kept
contact, the answer's cost sentence and the vehicles in the assumptions table."""

import math
from pathlib import Path

import pytest
from conftest import Report, read_report
from scipy import stats

from sim.report.costs import DETERMINED, LOSES, NO_INTERVAL, NOT_DETERMINABLE, cost_per_gain
from sim.report.folder import load_results
from sim.report.html import cost_answer
from sim.report.map import draw_maps, scenario_tours
from sim.report.text import vehicle_text

# --- the statistic, against hand-computed cases -----------------------------------------------------


def test_a_cost_in_proportion_to_the_gain_has_that_ratio_and_no_width() -> None:
    # Δcost = 50 · Δkept in every replication: the ratio is 50 whatever the noise, Fieller's interval is the point
    result = cost_per_gain([400, 500, 600], [8, 10, 12])
    assert result.status == DETERMINED
    assert result.ratio == pytest.approx(50)
    assert result.ci_low == pytest.approx(50, abs=1e-6) and result.ci_high == pytest.approx(50, abs=1e-6)
    assert result.n == 3


def test_a_fixed_cost_divides_by_the_interval_of_the_gain() -> None:
    # Δcost = 500 in every replication, Δkept = 8, 10, 12: mean 10, s = 2, t(0.975; 2) = 4.302653,
    # half-width 4.302653 · 2 / √3 = 4.968275, so the gain is 5.031725 to 14.968275 and the cost per
    # additional contact 500 / 14.968275 = 33.404 to 500 / 5.031725 = 99.369, at 500 / 10 = 50
    result = cost_per_gain([500, 500, 500], [8, 10, 12])
    half = stats.t.ppf(0.975, 2) * 2 / math.sqrt(3)
    assert half == pytest.approx(4.968275, abs=1e-6)
    assert result.ratio == pytest.approx(50)
    assert (result.gain_low, result.gain_high) == pytest.approx((5.031725, 14.968275), abs=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx((33.4041, 99.3695), abs=1e-3)


def test_a_gain_not_distinguishable_from_zero_gives_no_cost_per_contact() -> None:
    result = cost_per_gain([500, 520, 480], [-1, 0, 4])
    assert result.status == NOT_DETERMINABLE
    assert result.gain_low < 0 < result.gain_high
    assert math.isnan(result.ci_low) and math.isnan(result.ci_high)


def test_a_clear_loss_of_contacts_is_called_so() -> None:
    assert cost_per_gain([500, 520, 480], [-10, -12, -8]).status == LOSES


def test_two_replications_give_no_interval() -> None:
    result = cost_per_gain([500, 520], [10, 12])
    assert result.status == NO_INTERVAL and result.ratio == pytest.approx(1020 / 22)


# --- a real comparison with vehicles ------------------------------------------------------------------


@pytest.fixture(scope="module")
def vehicles_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """`python -m sim.compare experiment=odenwaldkreis_vehicles`, short: the report in German."""
    from tests.conftest import results_folder, run_cli

    cwd = tmp_path_factory.mktemp("vehicles")
    completed = run_cli(
        "sim.compare",
        "experiment=odenwaldkreis_vehicles",
        "replications=3",
        "horizon_days=120",
        "warmup_days=28",
        cwd=cwd,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    folder = results_folder(completed, cwd)
    return read_report(folder, folder / "report.html")


def test_the_map_draws_each_vehicles_routes_and_names_it(vehicles_report: Report) -> None:
    assert (vehicles_report.folder / "tours.csv").exists()
    assert vehicles_report.find("figure", id="figure-map")
    results = load_results(vehicles_report.folder)
    tours = scenario_tours(results, "odenwaldkreis_vans")
    assert {tour.vehicle for tour in tours} == {"van_west", "van_east"}
    erbach = next(s for s in results.descriptions["odenwaldkreis_vans"]["sites"] if s["name"] == "erbach")
    for tour in tours:
        for route in tour.routes:  # depot → stops in order → depot
            assert route[0] == route[-1] == (erbach["lat"], erbach["lon"]) and len(route) >= 3
    assert scenario_tours(results, "odenwaldkreis_office") == []
    figure = draw_maps(results, "de", "attendance_rate")
    labels = {text.get_text() for legend in figure.legends for text in legend.get_texts()}
    assert {"Transporter van_west", "Transporter van_east", "Bus", "Lkw"} <= labels
    english = draw_maps(results, "en", "attendance_rate")
    labels = {text.get_text() for legend in english.legends for text in legend.get_texts()}
    assert {"Van van_west", "Bus", "Truck"} <= labels
    (caption,) = [e for e in vehicles_report.find("figcaption") if "Touren der Beratungsmobile" in e.text]
    assert "Tagesroute" in caption.text


def test_the_cost_table_gives_the_cost_per_additional_kept_contact(vehicles_report: Report) -> None:
    (table,) = vehicles_report.find("table", **{"class": "costs"})
    assert "Kosten je zusätzlichem wahrgenommenem Kontakt" in table.text
    kpis = vehicles_report.json("kpis.json")["scenarios"]
    for scenario, entry in kpis.items():
        for kpi in ("cost_total_eur", "kept_contacts", "vehicle_km", "vehicle_days_lost", "sessions_cancelled"):
            (cell,) = vehicles_report.find("td", data_scenario=scenario, data_cost_kpi=kpi)
            assert float(cell.attributes["data-value"]) == entry["kpis"][kpi]["mean"]
            assert float(cell.attributes["data-ci-low"]) == entry["kpis"][kpi]["ci_low"]
            assert cell.attributes["data-n"] == "3" and "n = 3" in cell.text
    differences = vehicles_report.json("comparison.json")["differences"]
    for scenario, by_kpi in differences.items():
        (gain,) = vehicles_report.find("td", data_scenario=scenario, data_cost_kpi="cost_per_gain")
        ratio = by_kpi["cost_total_eur"]["mean"] / by_kpi["kept_contacts"]["mean"]
        assert float(gain.attributes["data-value"]) == pytest.approx(ratio)
        if gain.attributes["data-status"] == DETERMINED:
            assert float(gain.attributes["data-ci-low"]) <= ratio <= float(gain.attributes["data-ci-high"])
            assert "€" in gain.text
        else:
            assert gain.attributes["data-status"] in {NOT_DETERMINABLE, LOSES}
    assert not vehicles_report.find("td", data_scenario="odenwaldkreis_office", data_cost_kpi="cost_per_gain")


def test_the_answer_names_what_each_additional_contact_costs(vehicles_report: Report) -> None:
    sentences = vehicles_report.find("p", **{"class": "cost-answer"})
    assert {p.attributes["data-scenario"] for p in sentences} == {
        "odenwaldkreis_vans",
        "odenwaldkreis_bus",
        "odenwaldkreis_truck",
    }
    for sentence in sentences:
        text = sentence.text
        assert text.startswith("Mit ") and "wahrgenommene Kontakte (95-%-KI" in text
        assert "jeder zusätzliche Kontakt kostet" in text or "nicht bestimmbar, weil der Zuwachs" in text
        assert "schwer Erreichbaren" in text
    results = load_results(vehicles_report.folder)
    english = cost_answer(results, "odenwaldkreis_truck", "en")
    assert english.startswith("With the counselling truck") and "kept contacts (95 % CI" in english
    assert "each additional contact costs" in english or "cannot be determined" in english


def test_the_german_assumptions_describe_the_vehicles_in_german(vehicles_report: Report) -> None:
    (row,) = vehicles_report.find("tr", data_key="vehicles.truck")
    assert "Beratungsmobil" in row.text
    assert "Lkw ab Erbach, 2 Kabinen, 2 Beratungskräfte, 10 Halte (Bad König Montag alle 2 Wochen" in row.text
    assert "21 Wartungstage im Jahr, Pannen im Mittel alle 120 Tourtage" in row.text
    assert "12.000 € im Jahr, 0,60 € je km" in row.text
    assert "Fahrzeug: n-ag.de" in row.text  # the German source
    (vans,) = vehicles_report.find("tr", data_key="vehicles.van_west")
    assert "Transporter ab Erbach, 1 Kabine, 1 Beratungskraft, 5 Halte" in vans.text
    for english in ("every", "week", "booth", "breakdowns", "per km", "a year"):
        assert english not in row.text + vans.text


def test_a_generated_tour_reads_as_its_settings() -> None:
    vehicle = {
        "kind": "bus",
        "depot": "erbach",
        "depot_municipality": "Erbach",
        "booths": 2,
        "counsellors": 1,
        "tour": {
            "stops": ["Mossautal", "Oberzent"],
            "every_weeks": 2,
            "cycle_weeks": 4,
            "weekdays": ["tue", "thu"],
            "per_day": 1,
            "stop_hours": 6.0,
        },
        "maintenance_days_per_year": 0,
        "breakdowns": {"mean_days_between": 0.0, "repair_days_mean": 2.0},
        "cost_per_year_eur": 12000.0,
        "per_km_eur": 0.8,
    }
    text = vehicle_text(vehicle, "de")
    assert text.startswith(
        "Bus ab Erbach, 2 Kabinen, 1 Beratungskraft, erzeugte Tour mit 2 Halten (Mossautal, Oberzent)"
    )
    assert "keine Pannen" in text and "0,80 € je km" in text
    assert vehicle_text(vehicle, "en").startswith("Bus from Erbach, 2 booths, 1 counsellor, generated tour of 2 stops")


def test_a_folder_without_tours_has_no_tour_lines(german_report: Report) -> None:
    results = load_results(Path(german_report.folder))
    assert results.tours == []
    assert all(scenario_tours(results, s) == [] for s in results.scenarios)
    assert not german_report.find("table", **{"class": "costs"})  # the synthetic folder has no cost KPIs
