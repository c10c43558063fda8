"""Shared fixtures: compose a scenario config the way the command line does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sim.config import CONFIG_DIR
from sim.config.load import load_config as load

REPO = CONFIG_DIR.parent
__all__ = ["load", "run_cli", "results_folder"]


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
