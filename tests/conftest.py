"""Shared fixtures: compose a scenario the way the command line does, run it, run a command."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sim.config.compose import load_scenario
from sim.config.schema import ScenarioConfig
from sim.experiment.replicate import Scenario, run_tasks
from sim.kpi.monitor import RunResult

REPO = Path(__file__).resolve().parents[1]
RUNNER_KEYS = ("seed", "replications")
__all__ = ["load", "replicate", "run_cli", "results_folder"]


@dataclass(frozen=True)
class Setup:
    """A scenario config with the run settings a test gives it; reads as the scenario config."""

    config: ScenarioConfig
    seed: int = 1
    replications: int = 10

    def __getattr__(self, name: str):
        return getattr(self.config, name)

    def prepare(self) -> Scenario:
        return Scenario.prepare(self.config, self.seed)


def load(*overrides: str, check: bool = True) -> Setup:
    """`python -m sim.run <overrides>` as a test setup: scenario=, seed= and replications= included."""
    settings = {"scenario": "wartburgkreis"}
    rest = []
    for item in overrides:
        key, _, value = item.partition("=")
        if key in ("scenario", *RUNNER_KEYS, "workers"):
            settings[key] = value
        else:
            rest.append(item)
    config = load_scenario(settings["scenario"], *rest, check=check)
    return Setup(config, **{key: int(settings[key]) for key in RUNNER_KEYS if key in settings})


def replicate(setups: list[Setup], workers: int = 1) -> list[list[RunResult]]:
    """Every replication of each setup, in replication order."""
    scenarios = [setup.prepare() for setup in setups]
    tasks = [(i, r) for i, setup in enumerate(setups) for r in range(setup.replications)]
    results = run_tasks(scenarios, tasks, workers, progress=False)
    return [[results[i, r] for r in range(setup.replications)] for i, setup in enumerate(setups)]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run `python -m <args>` as a user would, from cwd, with stderr not a terminal."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def results_folder(completed: subprocess.CompletedProcess, cwd: Path) -> Path:
    """The folder a command printed as its last line `results: <folder>`."""
    last = completed.stdout.strip().splitlines()[-1]
    assert last.startswith("results: "), completed.stdout[-2000:] + completed.stderr[-2000:]
    folder = Path(last.removeprefix("results: "))
    return folder if folder.is_absolute() else cwd / folder
