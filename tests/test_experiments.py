"""The researcher's starting points in experiments/: the sweep scripts and the sensitivity analysis."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SMALL = ("replications=2", "horizon_days=35", "warmup_days=7")
SWEEPS = sorted((REPO / "experiments" / "sweeps").glob("*.sh"))


@pytest.mark.slow
@pytest.mark.parametrize("script", SWEEPS, ids=[path.stem for path in SWEEPS])
def test_a_sweep_script_runs_and_is_summarised(script: Path, tmp_path: Path) -> None:
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher", reason='the sweep extra: pip install -e ".[sweep]"')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    completed = subprocess.run(["bash", str(script), *SMALL], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr[-3000:]
    (sweep,) = (tmp_path / "results" / "compare-sweep").iterdir()
    with (sweep / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    jobs = {row["job"] for row in rows}
    assert len(jobs) >= 3 and {row["replications"] for row in rows} == {"2"}
    assert list((sweep / "figures").glob("sweep_*.png"))


@pytest.mark.slow
def test_the_sensitivity_analysis_ranks_a_parameter_without_effect_last(tmp_path: Path) -> None:
    """Where booked clients stand in the waiting room changes nothing about who comes: the
    arrival offsets have no effect on the answer's kept contacts, and rank last with mu* = 0."""
    pytest.importorskip("SALib", reason='the sweep extra: pip install -e ".[sweep]"')
    sys.path.insert(0, str(REPO / "experiments"))
    try:
        import sensitivity
    finally:
        sys.path.pop(0)
    folder = sensitivity.main(
        [
            "--trajectories",
            "2",
            "--replications",
            "1",
            "--workers",
            "2",
            "--results",
            str(tmp_path / "results"),
            "horizon_days=40",
            "warmup_days=5",
        ]
    )
    with (folder / "morris.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    names = [row["parameter"] for row in rows]
    assert "clients.limited_share" in names and "travel.car_speed_kmh" in names
    last = {row["parameter"]: float(row["mu_star"]) for row in rows[-2:]}
    assert last == {"clients.arrival_offset_mean_min": 0.0, "clients.arrival_offset_sd_min": 0.0}
    assert float(rows[0]["mu_star"]) > 0
    assert (folder / "morris.png").stat().st_size > 1000 and (folder / "morris.json").exists()
