"""replications=auto: the CI method with look-ahead stops where the precision is met, and not before."""

from __future__ import annotations

import json
import math

import numpy as np
from scipy import stats

from sim.experiment.precision import FIRST, auto_replications, look_ahead
from sim.experiment.replicate import run_replications
from tests.conftest import load, results_folder, run_cli

PRECISION = 0.1
MMC = ("scenario=mmc", "horizon_days=40", "warmup_days=4")


def precise(values: list[float], precision: float) -> bool:
    """The 95 % t-interval's half-width within `precision` of the mean (computed here, independently)."""
    sample = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.975, sample.size - 1) * sample.std(ddof=1) / math.sqrt(sample.size)
    return half <= precision * abs(sample.mean())


def test_auto_stops_at_the_first_count_that_stays_precise_through_the_look_ahead():
    scenario = load(*MMC).prepare()
    runs, rule = auto_replications([scenario], PRECISION, 60, workers=2)
    n = rule["chosen"]
    assert rule["reached"] and len(runs[0]) == n and n >= FIRST
    many = run_replications([scenario], n + look_ahead(n) + 10, workers=2, progress=False)[0]
    values = {kpi: [run.kpis[kpi] for run in many] for kpi in rule["kpis"]}

    def holds(m: int) -> bool:
        return all(precise(series[:m], PRECISION) for series in values.values())

    assert all(holds(m) for m in range(n, n + look_ahead(n) + 1))
    for m in range(FIRST, n):  # every smaller count fails, or fails within its look-ahead
        assert not all(holds(k) for k in range(m, m + look_ahead(m) + 1))
    np.testing.assert_equal([run.kpis for run in runs[0]], [run.kpis for run in many[:n]])  # NaN equals NaN


def test_auto_from_the_command_line_equals_a_fixed_run_of_the_chosen_number(tmp_path):
    auto = run_cli("sim.run", *MMC, "replications=auto", f"runner.precision={PRECISION}", cwd=tmp_path)
    entry = json.loads((results_folder(auto, tmp_path) / "kpis.json").read_text())["scenarios"]["mmc"]
    rule = entry["replications_rule"]
    assert entry["replications"] == rule["chosen"] and rule["reached"] and "Hoad" in rule["method"]
    fixed = run_cli("sim.run", *MMC, f"replications={rule['chosen']}", cwd=tmp_path)
    again = json.loads((results_folder(fixed, tmp_path) / "kpis.json").read_text())["scenarios"]["mmc"]
    assert again["kpis"] == entry["kpis"]


def test_a_bad_replications_value_is_one_sentence(tmp_path):
    for value, expected in (("abc", "whole number of at least 1 or auto"), ("0", "at least 1")):
        completed = run_cli("sim.run", *MMC, f"replications={value}", cwd=tmp_path)
        assert completed.returncode == 2 and expected in completed.stderr, completed.stderr
    completed = run_cli("sim.regress", "replications=auto", cwd=tmp_path)
    assert completed.returncode == 2 and "needs a fixed number of replications" in completed.stderr
