"""Faults: a run killed with SIGKILL, runs racing for a folder, a sweep Hydra cannot finish.

A killed run leaves no half file and no folder that reads as results, and the next run given the
same folder takes it over; a live run's claim is still refused. A sweep with a job Hydra cannot
compose is refused before any job starts; one that Hydra stops halfway keeps what it finished."""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sim.config import ConfigError
from sim.experiment import folders
from tests.conftest import REPO, run_cli

SMALL = ("scenario=mmc", "replications=2", "horizon_days=20", "warmup_days=2")
LONG = ("scenario=mmc", "replications=60", "horizon_days=200", "warmup_days=2", "workers=1")  # about 10 s

# `python -m sim.run` whose disk stalls at the fifth result file: half written, not yet renamed
STALLING_DISK = """
import os, sys, time
from pathlib import Path
real_fsync, calls = os.fsync, []
def stalling_fsync(descriptor):
    calls.append(descriptor)
    if len(calls) == 5:
        Path(os.environ["STALLED"]).touch()
        time.sleep(600)
    real_fsync(descriptor)
os.fsync = stalling_fsync
from sim.run import main
main()
"""


def start_run(folder: Path, *arguments: str, script: str | None = None, env: dict | None = None) -> subprocess.Popen:
    command = [sys.executable, *(["-c", script] if script else ["-m", "sim.run"]), *arguments]
    command.append(f"hydra.run.dir={folder}")
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.Popen(
        command, cwd=folder.parent, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def wait_for(path: Path, run: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert run.poll() is None, f"the run ended before {path} appeared: {run.stderr.read()}"
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.01)


def kill(run: subprocess.Popen) -> None:
    assert run.poll() is None, "the run finished before it was killed"
    run.send_signal(signal.SIGKILL)
    assert run.wait(timeout=30) == -signal.SIGKILL
    run.stderr.close()


def visible_files(folder: Path) -> list[Path]:
    """The files a reader sees: none hidden (temporary files, the claim) or Hydra's own."""
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]


def assert_complete(folder: Path) -> None:
    """Every visible file is whole: JSON parses, a CSV has its header and full rows, ends in a newline."""
    for path in visible_files(folder):
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".csv":
            text = path.read_text(encoding="utf-8")
            assert text.endswith("\n"), path
            header, *rows = list(csv.reader(text.splitlines()))
            assert header and all(len(row) == len(header) for row in rows), path


def assert_results(folder: Path) -> None:
    assert_complete(folder)
    kpis = json.loads((folder / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["scenarios"]["mmc"]["replications"] == 2
    names = {path.name for path in visible_files(folder)}
    assert {"replications.csv", "provenance.json", "assumptions.json", "mmc.yaml"} <= names
    assert not list(folder.rglob("*.tmp")), "a temporary file of the killed run is left"


def test_a_run_killed_while_it_simulates_leaves_nothing_half_and_the_next_run_takes_the_folder(tmp_path):
    folder = tmp_path / "run"
    run = start_run(folder, *LONG)
    wait_for(folder / folders.CLAIM, run)
    time.sleep(1.0)
    kill(run)
    assert_complete(folder)
    assert not (folder / "kpis.json").exists()

    again = run_cli("sim.run", *SMALL, f"hydra.run.dir={folder}", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert_results(folder)
    assert json.loads((folder / folders.CLAIM).read_text())["pid"] != run.pid


def test_a_run_killed_while_it_writes_leaves_no_half_file_and_no_results(tmp_path):
    folder, stalled = tmp_path / "run", tmp_path / "stalled"
    run = start_run(folder, *SMALL, "workers=1", script=STALLING_DISK, env={"STALLED": str(stalled)})
    wait_for(stalled, run)
    kill(run)
    half = list(folder.glob(".*.tmp"))
    assert len(half) == 1 and half[0].stat().st_size > 0  # the file being written: hidden
    assert_complete(folder)
    written = {path.name for path in visible_files(folder)}
    assert "replications.csv" in written and "kpis.json" not in written  # kpis.json comes last

    from sim.aggregate import read_job  # a sweep job killed so is a failed one, not results

    assert read_job(folder).error == "did not finish (no kpis.json)"

    again = run_cli("sim.run", *SMALL, f"hydra.run.dir={folder}", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert_results(folder)


def test_a_claim_of_a_live_run_is_refused(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / folders.CLAIM).write_text(json.dumps(folders.owner()))  # this test's process: alive
    completed = run_cli("sim.run", *SMALL, f"hydra.run.dir={folder}", cwd=tmp_path)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert lines == [
        f"error: hydra.run.dir '{folder}' is in use by another run (process {os.getpid()}); choose a new folder."
    ]
    assert json.loads((folder / folders.CLAIM).read_text())["pid"] == os.getpid()
    assert not (folder / "kpis.json").exists()


def test_a_claim_from_another_host_is_refused_and_named(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / folders.CLAIM).write_text(json.dumps({"pid": 1, "host": f"not-{socket.gethostname()}", "started": 5}))
    with pytest.raises(ConfigError, match=r"claimed by process 1 on host not-.*; choose a new folder \(or, if"):
        folders.claim(folder)


def dead_pid() -> int:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


@pytest.mark.parametrize("content", ["dead", "empty", "reused"])
def test_a_stale_claim_is_taken_over(tmp_path, content):
    """A dead run's claim, an empty one (as an older version made them), a pid now another process's."""
    folder = tmp_path / "run"
    folder.mkdir()
    host = socket.gethostname()
    stale = {
        "dead": json.dumps({"pid": dead_pid(), "host": host, "started": 1}),
        "empty": "",
        "reused": json.dumps({"pid": os.getpid(), "host": host, "started": -1}),
    }[content]
    (folder / folders.CLAIM).write_text(stale)
    folders.claim(folder)
    assert json.loads((folder / folders.CLAIM).read_text()) == folders.owner()
    assert sorted(path.name for path in folder.iterdir()) == [folders.CLAIM, folders.CLAIM_LOCK]  # no draft left
    folders.claimed.discard(folder)


def test_what_a_killed_run_left_is_removed_before_another_writes_there(tmp_path):
    from sim.experiment.outputs import remove_unfinished

    left = ["comparison.json", "replications.csv", "failed.json", ".sites.csv.x1y2.tmp", ".kpis.json.z3.tmp"]
    left += ["scenarios/other.yaml", "scenarios/.mmc.yaml.q4.tmp"]
    kept = [folders.CLAIM, ".hydra/config.yaml", "run.log", "notes.txt"]
    for name in left + kept:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    remove_unfinished(tmp_path)
    assert sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file()) == sorted(kept)


def test_runs_taking_over_one_stale_claim_at_once_one_wins(tmp_path):
    """Threads of this process claim as one owner, so each sees the winner's claim as a live one."""
    for attempt in range(30):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        (folder / folders.CLAIM).write_text(json.dumps({"pid": dead_pid(), "host": socket.gethostname()}))
        barrier, outcomes = threading.Barrier(6), []

        def take(folder=folder, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                folders.claim(folder)
                outcomes.append("claimed")
            except ConfigError as error:
                outcomes.append(str(error))

        threads = [threading.Thread(target=take) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("claimed") == 1, outcomes
        assert all("is in use by another run" in outcome for outcome in outcomes if outcome != "claimed")
        assert sorted(path.name for path in folder.iterdir()) == [folders.CLAIM, folders.CLAIM_LOCK]  # no draft left
        folders.claimed.discard(folder)


@pytest.mark.parametrize(
    ("sweep", "expected"),
    [
        (("seed=1,x",), "sweep job 1 (runner.seed=x): runner.seed must be a whole number, not x"),
        (("scenario=mmc,nope", "seed=1,2"), "sweep job 2 (scenario=nope runner.seed=1): In 'run': Could not find"),
    ],
    ids=["value", "config"],
)
def test_a_sweep_with_a_job_hydra_cannot_compose_is_refused_before_any_job(tmp_path, sweep, expected):
    # batches of one job: Hydra itself would check the second job only after the first has run
    arguments = ("-m", *SMALL, *sweep, "hydra.sweeper.max_batch_size=1")
    completed = run_cli("sim.run", *arguments, cwd=tmp_path)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {expected}"), completed.stderr
    assert lines[0].endswith("; no job was started.")
    assert not (tmp_path / "results").exists()


def test_a_sweep_hydra_stops_halfway_keeps_what_it_finished_and_lists_the_rest(tmp_path):
    configs = tmp_path / "configs" / "scenario"
    configs.mkdir(parents=True)
    for name in ("first", "second", "third"):
        (configs / f"{name}.yaml").write_text(f"# @package _global_\ndefaults:\n  - mmc\n  - _self_\nname: {name}\n")
    command = [sys.executable, "-m", "sim.run", "-m", "--config-dir", str(configs.parent)]
    command += ["scenario=first,second,third", "replications=20", "horizon_days=100", "warmup_days=2", "workers=1"]
    command += ["hydra.sweeper.max_batch_size=1"]  # each job composed when its turn comes
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    sweep = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list((tmp_path / "results").glob("run-sweep/*/0")):  # the first job runs: a file goes away
        assert sweep.poll() is None and time.monotonic() < deadline, sweep.communicate()
        time.sleep(0.01)
    (configs / "second.yaml").unlink()
    _, stderr = sweep.communicate(timeout=600)

    assert sweep.returncode == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: In 'run': Could not find 'scenario/second'"), stderr
    assert "the sweep stopped at job 1: 1 finished job(s) are summarised in" in lines[0]
    (folder,) = (tmp_path / "results" / "run-sweep").iterdir()
    with (folder / "summary.csv").open() as handle:
        assert [(row["job"], row["scenario"]) for row in csv.DictReader(handle)] == [("0", "first")]
    failed = json.loads((folder / "failed_jobs.json").read_text())
    assert [(job["job"], job["overrides"].split()[0]) for job in failed] == [
        ("1", "scenario=second"),
        ("2", "scenario=third"),
    ]
    assert failed[0]["error"].startswith("In 'run': Could not find 'scenario/second'; allowed: ")
    allowed = failed[0]["error"].partition("allowed: ")[2].rstrip(".").split(", ")
    assert {"first", "mmc", "third"} <= set(allowed) and "second" not in allowed
    assert failed[1]["error"] == "not run: the sweep stopped at job 1."

    again = run_cli("sim.aggregate", str(folder), cwd=tmp_path)  # the listing is kept in the job folders
    assert again.returncode == 1 and "1 job(s) summarised" in again.stdout
    assert json.loads((folder / "failed_jobs.json").read_text()) == failed


def test_every_path_that_validates_a_config_refuses_what_is_not_a_finite_number():
    from sim.config.compose import load_scenario
    from sim.config.schema import RunnerConfig
    from sim.config.validate import validate, validate_runner

    with pytest.raises(ConfigError, match=r"^runner\.precision must be a finite number, got nan\.$"):
        validate_runner(RunnerConfig(precision=math.nan))
    config = load_scenario("mmc", check=False)
    config.staff.hours_per_day = math.inf
    with pytest.raises(ConfigError, match=r"^staff\.hours_per_day must be a finite number, got inf\.$"):
        validate(config)
    with pytest.raises(ConfigError, match=r"^mmc\.arrival_rate_per_hour must be a finite number, got nan\.$"):
        load_scenario("mmc", "mmc.arrival_rate_per_hour=nan")  # named by its key, not by the site's interpolation


def test_a_full_disk_is_one_sentence_naming_the_file_and_leaves_no_temporary_file(tmp_path, monkeypatch, capsys):
    """ENOSPC comes from write() without a file name: the message still names the file being written."""
    import errno

    from sim.cli import user_errors
    from sim.experiment import outputs

    real_fsync = os.fsync

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "fsync", full)
    with pytest.raises(SystemExit) as stop, user_errors():
        outputs.write_json(tmp_path / "kpis.json", {"a": 1})
    monkeypatch.setattr(outputs.os, "fsync", real_fsync)
    assert stop.value.code == 2
    message = capsys.readouterr().err
    assert message.count("\n") == 1 and "No space left on device" in message and "kpis.json" in message
    assert list(tmp_path.iterdir()) == []


# `python -m sim.run` whose disk is full at the fourth result file (scenario, replications and
# municipalities are written by then)
FULL_DISK = """
import errno, os
real_fsync, calls = os.fsync, []
def full_fsync(descriptor):
    calls.append(descriptor)
    if len(calls) >= 4:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    real_fsync(descriptor)
os.fsync = full_fsync
from sim.run import main
main()
"""


def test_a_run_whose_disk_fills_while_it_writes_leaves_no_results_folder(tmp_path):
    folder = tmp_path / "run"
    run = start_run(folder, *SMALL, "workers=1", script=FULL_DISK)
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0] and "sites.csv" in lines[0], stderr
    assert not folder.exists(), sorted(str(path) for path in folder.rglob("*"))
