"""Hydra sweeps: every job in summary.csv with a column per swept key, figures, failed jobs named."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from tests.conftest import run_cli

TINY = ("replications=3", "horizon_days=20", "warmup_days=2")


def summary(sweep):
    with (sweep / "summary.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_a_sweep_keeps_what_it_finished_and_names_what_failed(tmp_path):
    completed = run_cli(
        "sim.run", "-m", "scenario=mmc", "seed=1,2", "clients.no_car_share=0.5,1.5", *TINY, cwd=tmp_path
    )
    assert completed.returncode == 1  # two of the four jobs have a bad value
    (sweep,) = (tmp_path / "results" / "run-sweep").iterdir()
    rows = summary(sweep)
    assert [(row["job"], row["runner.seed"], row["clients.no_car_share"]) for row in rows] == [
        ("0", "1", "0.5"),
        ("2", "2", "0.5"),
    ]
    assert all(float(row["walkins_served_mean"]) > 0 for row in rows)
    assert all(float(row["walkins_served_ci_low"]) <= float(row["walkins_served_mean"]) for row in rows)
    failed = json.loads((sweep / "failed_jobs.json").read_text())
    assert [job["job"] for job in failed] == ["1", "3"]
    assert failed[0]["error"] == "clients.no_car_share must be a probability between 0 and 1, got 1.5."
    provenance = json.loads((sweep / "0" / "provenance.json").read_text())
    assert provenance["command"] == (
        "python -m sim.run -m scenario=mmc seed=1,2 clients.no_car_share=0.5,1.5 " + " ".join(TINY)
    )  # as typed, not as handed to Hydra (+change.clients.no_car_share=...)
    assert {"jinja2", "babel"} <= set(provenance["libraries"])

    # a job that never finished (the machine went down) is listed too, by the standalone command
    shutil.copytree(sweep / "0" / ".hydra", sweep / "4" / ".hydra")
    again = run_cli("sim.aggregate", str(sweep), cwd=tmp_path)
    assert again.returncode == 1 and "2 job(s) summarised" in again.stdout
    failed = json.loads((sweep / "failed_jobs.json").read_text())
    assert failed[-1] == {"job": "4", "overrides": failed[-1]["overrides"], "error": "did not finish (no kpis.json)"}


def test_a_comparison_sweep_on_joblib_has_paired_differences_and_figures(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher", reason='the sweep extra: pip install -e ".[sweep]"')
    completed = run_cli(
        "sim.compare",
        "-m",
        "hydra/launcher=joblib",
        "scenarios=[wartburgkreis,wartburgkreis_ruhla]",
        "sites.ruhla.counsellors=1,2,40",  # 40 cannot be staffed: that job fails, the others finish
        "clients.no_car_share=0.4,0.6",
        "replications=3",
        "horizon_days=40",
        "warmup_days=5",
        cwd=tmp_path,
    )
    assert completed.returncode == 1, completed.stderr
    (sweep,) = (tmp_path / "results" / "compare-sweep").iterdir()
    rows = summary(sweep)
    assert {(row["sites.ruhla.counsellors"], row["clients.no_car_share"]) for row in rows} == {
        (counsellors, share) for counsellors in ("1", "2") for share in ("0.4", "0.6")
    }
    assert {row["scenario"] for row in rows} == {"wartburgkreis", "wartburgkreis_ruhla"}
    for row in rows:
        difference = row["kept_contacts_hard_to_reach_diff_mean"]
        if row["scenario"] == "wartburgkreis":
            assert difference == ""  # the baseline
        else:
            assert float(row["kept_contacts_hard_to_reach_diff_ci_low"]) <= float(difference)
            assert row["kept_contacts_hard_to_reach_diff_significant"] in ("True", "False")
    failed = json.loads((sweep / "failed_jobs.json").read_text())
    assert [job["overrides"].split()[1] for job in failed] == ["sites.ruhla.counsellors=40"] * 2
    assert "sites.eisenach.counsellors" in failed[0]["error"] or "counsellors" in failed[0]["error"]
    for stem in ("sweep_sites.ruhla.counsellors", "sweep_clients.no_car_share", "sweep_heatmap"):
        assert (sweep / "figures" / f"{stem}.png").stat().st_size > 1000
    # two jobs at once on two cores: one worker process each (jobs x workers <= cores)
    provenance = json.loads((sweep / "0" / "provenance.json").read_text())
    assert provenance["workers"] == 1


def test_aggregate_needs_a_sweep_folder(tmp_path):
    completed = run_cli("sim.aggregate", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert completed.returncode == 2 and completed.stderr.startswith("error: give the folder of one sweep")
    empty = run_cli("sim.aggregate", str(tmp_path), cwd=tmp_path)
    assert empty.returncode == 2 and "holds no sweep jobs" in empty.stderr
    assert not (tmp_path / "summary.csv").exists()


def test_a_launcher_without_its_plugin_is_one_sentence(monkeypatch):
    from sim import cli
    from sim.config import ConfigError

    monkeypatch.setitem(cli.LAUNCHER_PLUGINS, "joblib", "hydra_plugins.not_installed_here")
    with pytest.raises(ConfigError, match=r'hydra/launcher=joblib needs the sweep extra: .*"outreach-sim\[sweep\]"'):
        cli.check_launcher(["-m", "hydra/launcher=joblib", "seed=1,2"])
    cli.check_launcher(["-m", "hydra/launcher=basic", "seed=1,2"])  # Hydra's own: nothing to install


def test_aggregate_lists_a_job_whose_files_are_corrupt_and_summarises_the_rest(tmp_path):
    sweep = tmp_path / "sweep"
    good = {
        "scenarios": {
            "mmc": {"replications": 2, "kpis": {"walkins_served": {"mean": 5.0, "ci_low": 4.0, "ci_high": 6.0, "n": 2}}}
        }
    }
    for job, overrides, kpis in (
        ("0", "- seed=1\n", json.dumps(good)),
        ("1", "- seed=2\n", '{"scen'),  # cut short by a kill
        ("2", b"\x00\xff", json.dumps(good)),  # not text
        ("3", "- seed=4\n", '{"scenarios": 7}'),  # not what a job writes
    ):
        (sweep / job / ".hydra").mkdir(parents=True)
        path = sweep / job / ".hydra" / "overrides.yaml"
        path.write_bytes(overrides if isinstance(overrides, bytes) else overrides.encode())
        (sweep / job / "kpis.json").write_text(kpis)
    (sweep / "multirun.yaml").write_text("hydra: {}\n")  # what Hydra writes at a sweep's root
    completed = run_cli("sim.aggregate", str(sweep), cwd=tmp_path)
    assert completed.returncode == 1 and "Traceback" not in completed.stderr, completed.stderr
    assert [row["job"] for row in summary(sweep)] == ["0"]
    failed = {job["job"]: job["error"] for job in json.loads((sweep / "failed_jobs.json").read_text())}
    assert sorted(failed) == ["1", "2", "3"]
    assert "kpis.json cannot be read (JSONDecodeError" in failed["1"]
    assert "overrides.yaml cannot be read" in failed["2"]
    assert "kpis.json cannot be read" in failed["3"]


def test_a_folder_of_single_runs_is_not_aggregated(tmp_path):
    runs = tmp_path / "results" / "run"
    (runs / "2026-01-01" / ".hydra").mkdir(parents=True)
    (runs / "2026-01-01" / ".hydra" / "overrides.yaml").write_text("- seed=1\n")
    (runs / "2026-01-01" / "kpis.json").write_text('{"scenarios": {}}')
    before = sorted(runs.rglob("*"))
    completed = run_cli("sim.aggregate", str(runs), cwd=tmp_path)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not the folder of a sweep (Hydra writes multirun.yaml there)" in lines[0]
    assert sorted(runs.rglob("*")) == before  # no summary.csv, failed_jobs.json or figures/


def test_a_command_that_writes_no_kpis_refuses_a_sweep(tmp_path, monkeypatch, capsys):
    completed = run_cli("sim.warmup", "-m", "seed=1,2", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip() == "error: sim.warmup does not sweep (-m/--multirun); run one setting at a time."
    assert not (tmp_path / "results").exists()

    from sim import cli

    monkeypatch.setattr(cli.sys, "argv", ["rank.py", "--multirun", "rank.delta=5,10"])
    monkeypatch.setattr(cli, "command_name", lambda: "sim.rank")
    with pytest.raises(SystemExit) as stop:
        cli.start(lambda: pytest.fail("the sweep started"), ["rank"], sweeps=False)
    assert stop.value.code == 2
    assert capsys.readouterr().err == "error: sim.rank does not sweep (-m/--multirun); run one setting at a time.\n"
