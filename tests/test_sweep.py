"""A Hydra sweep: every job in summary.csv or listed as failed with its error."""

from __future__ import annotations

import csv
import json
import shutil

from tests.conftest import run_cli


def test_a_sweep_keeps_what_it_finished_and_names_what_failed(tmp_path):
    completed = run_cli(
        "sim.run",
        "-m",
        "scenario=mmc",
        "seed=1,2",
        "clients.no_car_share=0.5,1.5",
        "replications=2",
        "horizon_days=20",
        "warmup_days=2",
        cwd=tmp_path,
    )
    assert completed.returncode == 1  # two of the four jobs have a bad value
    (sweep,) = (tmp_path / "results" / "run-sweep").iterdir()
    with (sweep / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {row["job"] for row in rows} == {"0", "2"}
    served = [row for row in rows if row["kpi"] == "walkins_served"]
    assert [row["overrides"].split()[1] for row in served] == ["runner.seed=1", "runner.seed=2"]
    assert all(float(row["mean"]) > 0 for row in served)
    failed = json.loads((sweep / "failed_jobs.json").read_text())
    assert [job["job"] for job in failed] == ["1", "3"]
    assert failed[0]["error"] == "clients.no_car_share must be a probability between 0 and 1, got 1.5."

    # a job that never finished (the machine went down) is listed too, by the standalone command
    shutil.copytree(sweep / "0" / ".hydra", sweep / "4" / ".hydra")
    again = run_cli("sim.aggregate", str(sweep), cwd=tmp_path)
    assert again.returncode == 1 and "2 job(s) summarised" in again.stdout
    failed = json.loads((sweep / "failed_jobs.json").read_text())
    assert failed[-1] == {"job": "4", "overrides": failed[-1]["overrides"], "error": "did not finish (no kpis.json)"}


def test_aggregate_needs_a_sweep_folder(tmp_path):
    completed = run_cli("sim.aggregate", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert completed.returncode == 2 and completed.stderr.startswith("error: give the folder of one sweep")
