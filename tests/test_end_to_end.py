"""The README's main command, as a user runs it, with small overrides; then its outputs are read."""

from __future__ import annotations

import csv
import json

from sim.kpi.registry import CORE, scenario_kpis
from tests.conftest import results_folder, run_cli

KPI_NAMES = scenario_kpis([CORE])

SMALL = ("replications=3", "horizon_days=120", "warmup_days=28")


def test_main_job_compares_the_ruhla_question(tmp_path):
    completed = run_cli("sim", *SMALL, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    folder = results_folder(completed, tmp_path)
    assert folder.parent == tmp_path / "results" / "compare"
    assert "%|" not in completed.stderr  # no progress bar when stderr is not a terminal

    kpis = json.loads((folder / "kpis.json").read_text())["scenarios"]
    assert list(kpis) == ["wartburgkreis", "wartburgkreis_ruhla"]
    for entry in kpis.values():
        assert (entry["replications"], entry["seed"], entry["horizon_days"], entry["warmup_days"]) == (3, 1, 120, 28)
        assert set(entry["kpis"]) >= set(KPI_NAMES)
        attendance = entry["kpis"]["attendance_rate"]
        assert attendance["n"] == 3 and attendance["ci_low"] <= attendance["mean"] <= attendance["ci_high"]

    comparison = json.loads((folder / "comparison.json").read_text())
    assert comparison["baseline"] == "wartburgkreis"
    travel = comparison["differences"]["wartburgkreis_ruhla"]["counsellor_travel_hours"]
    assert travel["ci_low"] > 0  # someone has to drive to Ruhla

    with (folder / "replications.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * 3 * len(KPI_NAMES)
    kept = [float(r["value"]) for r in rows if r["scenario"] == "wartburgkreis" and r["kpi"] == "kept_contacts"]
    assert sum(kept) / 3 == kpis["wartburgkreis"]["kpis"]["kept_contacts"]["mean"]

    with (folder / "sites.csv").open() as handle:
        sites = {(r["scenario"], r["site"]) for r in csv.DictReader(handle)}
    assert ("wartburgkreis_ruhla", "ruhla") in sites and ("wartburgkreis", "ruhla") not in sites
    with (folder / "municipalities.csv").open() as handle:
        municipalities = {r["municipality"] for r in csv.DictReader(handle)}
    assert len(municipalities) == 30

    provenance = json.loads((folder / "provenance.json").read_text())
    assert provenance["seed"] == 1 and provenance["libraries"]["simpy"]
    assert provenance["started"] <= provenance["finished"]
    assert (folder / "scenarios" / "wartburgkreis_ruhla.yaml").read_text().count("ruhla:") == 1
    assert (folder / ".hydra" / "config.yaml").is_file()

    printed = completed.stdout
    assert "attendance rate (%)" in printed and "Δ wartburgkreis_ruhla" in printed

    report = (folder / "report.html").read_text(encoding="utf-8")  # the manager's page, in German
    assert "Was ändert sich, wenn Ruhla einen Beratungstag bekommt?" in report
    figures = sorted(path.name for path in (folder / "figures").glob("*.png"))
    assert figures == ["comparison.png", "counsellor_time.png", "map.png", "site_use.png", "waiting.png"]
    assert f"report: {folder / 'report.html'}" in printed


def test_run_one_scenario_with_the_mmc_knobs(tmp_path):
    completed = run_cli(
        "sim.run",
        "scenario=mmc",
        "mmc.servers=5",
        "mmc.arrival_rate_per_hour=4.0",
        "mmc.service_mean_min=60",
        "replications=2",
        "horizon_days=30",
        "warmup_days=5",
        "workers=1",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    folder = results_folder(completed, tmp_path)
    kpis = json.loads((folder / "kpis.json").read_text())["scenarios"]["mmc"]["kpis"]
    assert abs(kpis["counsellor_utilisation"]["mean"] - 0.8) < 0.05
    assert not (folder / "comparison.json").exists()


def test_the_progress_bar_shows_on_a_terminal(tmp_path):
    """On a terminal, stderr shows replications done and the time left."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    from tests.conftest import REPO

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a size
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim.run",
            "scenario=mmc",
            "replications=3",
            "horizon_days=20",
            "warmup_days=2",
            "workers=1",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    process.stdout.read()
    assert process.wait(timeout=300) == 0
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    text = shown.decode(errors="replace")
    assert "replications" in text and "3/3" in text and "<" in text  # tqdm: [elapsed<left]


def test_a_comparison_applies_an_override_to_the_scenarios_that_have_its_key(tmp_path):
    """`python -m sim sites.ruhla...` changes the Ruhla room and leaves the baseline, which has none, alone."""
    completed = run_cli(
        "sim",
        "sites.ruhla.calendar.every_weeks=1",
        "sites.ruhla.calendar.week_offset=0",
        "replications=2",
        "horizon_days=63",
        "warmup_days=7",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "note: sites.ruhla.calendar.every_weeks=1 does not apply to wartburgkreis" in completed.stderr
    folder = results_folder(completed, tmp_path)
    assert "every_weeks: 1" in (folder / "scenarios" / "wartburgkreis_ruhla.yaml").read_text()
    with (folder / "sites.csv").open() as handle:
        held = [
            float(row["mean"])
            for row in csv.DictReader(handle)
            if row["site"] == "ruhla" and row["kpi"] == "sessions_held"
        ]
    (sessions,) = held
    assert 6 <= sessions <= 8  # every Wednesday of the 8 measured weeks, less sick days (every 2nd: 4)


def test_the_same_seed_writes_the_same_kpis_json_on_one_or_two_workers(tmp_path):
    numbers = []
    for workers in (1, 2):
        completed = run_cli(
            "sim", "replications=4", "horizon_days=63", "warmup_days=7", f"workers={workers}", cwd=tmp_path
        )
        assert completed.returncode == 0, completed.stderr[-2000:]
        folder = results_folder(completed, tmp_path)
        numbers.append([(folder / name).read_bytes() for name in ("kpis.json", "comparison.json", "replications.csv")])
    assert numbers[0] == numbers[1]
