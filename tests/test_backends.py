"""Beyond one process pool: a Dask cluster, Hydra's submitit launcher, and the SLURM preset."""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import results_folder, run_cli

MMC = ("scenario=mmc", "replications=4", "horizon_days=40", "warmup_days=4")


def test_a_dask_cluster_gives_the_numbers_of_a_serial_run(tmp_path):
    pytest.importorskip("dask.distributed", reason='the dask extra: pip install -e ".[dask]"')
    dask = run_cli("sim.run", *MMC, "runner=dask", "workers=2", cwd=tmp_path)  # a LocalCluster of 2 processes
    serial = run_cli("sim.run", *MMC, "workers=1", cwd=tmp_path)
    kpis = [json.loads((results_folder(done, tmp_path) / "kpis.json").read_text()) for done in (dask, serial)]
    assert kpis[0] == kpis[1]


@pytest.mark.slow
def test_a_sweep_runs_on_submitit_and_is_summarised(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason='the sweep extra: pip install -e ".[sweep]"')
    completed = run_cli(
        "sim.run",
        "-m",
        "hydra/launcher=submitit_local",
        "hydra.launcher.timeout_min=10",
        *MMC,
        "seed=1,2",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    (sweep,) = (tmp_path / "results" / "run-sweep").iterdir()
    with (sweep / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["runner.seed"] for row in rows] == ["1", "2"]
    assert rows[0]["walkins_served_mean"] != rows[1]["walkins_served_mean"]


def test_the_slurm_preset_composes_with_what_a_cluster_user_fills_in(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason='the sweep extra: pip install -e ".[sweep]"')
    completed = run_cli(
        "sim.run",
        "hydra/launcher=slurm",
        "hydra.launcher.partition=long",
        "scenario=mmc",
        "--cfg",
        "hydra",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    launcher = completed.stdout.split("\n  launcher:\n", 1)[1]
    for line in ("SlurmLauncher", "partition: long", "cpus_per_task: 8", "array_parallelism: 64", "timeout_min: 120"):
        assert line in launcher
