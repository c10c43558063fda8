"""Shared fixtures: compose a scenario config the way the command line does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import CONFIG_DIR
from sim.config.schema import Config, register_configs
from sim.config.validate import validate

REPO = CONFIG_DIR.parent
register_configs()


def load(*overrides: str, check: bool = True) -> Config:
    """The validated config of `python -m sim.run <overrides>`."""
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR)):
        config = OmegaConf.to_object(compose("run", overrides=list(overrides)))
    if check:
        validate(config)
    return config


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


@pytest.fixture
def config_loader():
    return load
