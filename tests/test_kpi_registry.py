"""The KPI registry: every KPI declared once; a component's KPIs belong to the scenarios that have it."""

from __future__ import annotations

import pytest

from sim.kpi.registry import CORE, KPIS, declare, label_of, scenario_kpis, unit_of
from tests.conftest import load, replicate


def test_a_component_adds_its_kpis_only_to_the_scenarios_that_have_it():
    name = declare("test_vehicle_km", "km", "Fahrzeugkilometer", "vehicle kilometres", "lower", component="vehicles")
    try:
        assert name not in scenario_kpis([CORE])
        assert scenario_kpis([CORE, "vehicles"])[-1] == name
        assert (unit_of(name), label_of(name, "de")) == ("km", "Fahrzeugkilometer")
        with pytest.raises(ValueError, match="declared twice"):
            declare("test_vehicle_km", "km", "x", "x")
    finally:
        del KPIS[name]


def test_a_replication_reports_exactly_the_kpis_of_its_components():
    (run,) = replicate([load("scenario=mmc", "replications=1", "horizon_days=10", "warmup_days=1")])[0]
    assert list(run.kpis) == scenario_kpis([CORE])


def test_every_kpi_has_a_unit_labels_in_both_languages_and_a_direction_or_none():
    for kpi in KPIS.values():
        assert kpi.label["de"] and kpi.label["en"]
        assert kpi.better in (None, "higher", "lower")
    assert KPIS["wait_days_mean"].better == "lower" and KPIS["reach"].better == "higher"
