"""Long validation runs (pytest -m slow): tighter intervals than the quick checks."""

from __future__ import annotations

import pytest

from sim.experiment.stats import summarise
from sim.experiment.theory import erlang_c_wait_min
from tests.conftest import load, replicate
from tests.validation.test_queueing_theory import simulated_wait

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("servers", "rate", "service"), [(3, 2.4, 60.0), (4, 3.6, 60.0), (10, 9.0, 60.0)])
def test_erlang_c_over_long_horizons(servers, rate, service):
    waits, _ = simulated_wait(
        servers, rate, service, "replications=20", "horizon_days=1095", "warmup_days=56", "seed=11", workers=2
    )
    theory = erlang_c_wait_min(servers, rate, service)
    assert waits["ci_low"] <= theory <= waits["ci_high"], (theory, waits)
    assert (waits["ci_high"] - waits["ci_low"]) / 2 < 0.05 * theory  # and the interval is narrow


def test_room_attendance_with_many_replications():
    config = load("scenario=wartburgkreis", "replications=20", "seed=7")
    runs = replicate([config], workers=2)[0]
    rooms = [key for key, site in config.sites.items() if site.kind == "room"]
    rates = [run.sites[room]["attendance_rate"] for run in runs for room in rooms]
    assert 0.60 <= summarise(rates)["mean"] <= 0.70
