"""MSER-5 finds the end of an initial transient; python -m sim.warmup reports it for a scenario."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.experiment.warmup import mser5
from tests.conftest import results_folder, run_cli


def test_mser5_cuts_an_initial_transient_and_keeps_a_stationary_series():
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.2, 200)
    transient = 5 * np.exp(-np.arange(200) / 8) + noise  # settles after about 30 observations
    cut = mser5(transient)
    assert cut.settled and 20 <= cut.observations <= 45
    assert mser5(noise).observations <= 10
    assert not mser5(np.arange(200.0) + noise).settled  # a trend never settles
    with pytest.raises(ValueError, match="at least 20 observations"):
        mser5(noise[:12])


def test_the_warmup_command_recommends_whole_weeks(tmp_path):
    completed = run_cli(
        "sim.warmup", "scenario=wartburgkreis", "replications=2", "horizon_days=280", "workers=2", cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    folder = results_folder(completed, tmp_path)
    result = json.loads((folder / "warmup.json").read_text())
    assert result["recommended_warmup_days"] % 7 == 0 and 0 < result["recommended_warmup_days"] <= 140
    assert set(result["truncation_weeks"]) == {"wait_days_mean", "attendance_rate", "kept_contacts", "lost_clients"}
    assert "recommended warmup_days=" in completed.stdout
    assert (folder / "weekly.csv").read_text().startswith("week,wait_days_mean,")
