"""Every command in README.md's code blocks runs as written, with small settings, so a broken example fails.

Run settings and run length are replaced by small ones; the regression commands run against
baselines made with those settings in a temporary folder, so the committed baselines are never touched.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

SMALL = {"replications": "2", "horizon_days": "35", "warmup_days": "7"}
SMALL_REGRESSION = {
    "regression.default.replications": "3",
    "regression.default.horizon_days": "42",
    "regression.default.warmup_days": "7",
    "regression.mmc.replications": "3",
}


def code_blocks(language: str) -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def readme_commands() -> list[str]:
    """The `python -m sim...` commands of the README's bash blocks, comments dropped, `&&` chains split."""
    commands = []
    for block in code_blocks("bash"):
        for line in block.splitlines():
            line = line.split(" #")[0].strip()
            for part in line.split("&&"):
                part = part.strip()
                if part.startswith("python -m sim"):
                    commands.append(part)
    return commands


def with_settings(arguments: list[str], settings: dict[str, str]) -> list[str]:
    """The arguments with each setting replaced by the small one."""
    kept = [item for item in arguments if item.partition("=")[0].lstrip("+") not in settings]
    return kept + [f"{key}={value}" for key, value in settings.items()]


def test_the_readme_has_the_commands_it_promises():
    commands = readme_commands()
    assert "python -m sim" in commands
    assert any(command.startswith("python -m sim.regress --update") for command in commands)
    assert len(commands) >= 10


@pytest.mark.parametrize("command", [c for c in readme_commands() if not c.startswith("python -m sim.regress")])
def test_a_readme_command_runs(command: str, tmp_path: Path) -> None:
    _, _, module, *arguments = shlex.split(command)
    small = {
        "sim.scenarios": arguments,
        "sim.warmup": with_settings(arguments, {"replications": "2", "horizon_days": "280"}),
        "sim.rank": with_settings(
            arguments, {"rank.n0": "3", "rank.max_replications": "6", "horizon_days": "35", "warmup_days": "7"}
        ),
    }.get(module, with_settings(arguments, SMALL))
    completed = run_cli(module, *small, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr
    if module == "sim.scenarios":
        assert "wartburgkreis_ruhla" in completed.stdout and "ruhla_question" in completed.stdout
    else:
        assert completed.stdout.strip().splitlines()[-1].startswith(("results: ", "sweep: "))


def test_the_readme_regression_commands_run(tmp_path: Path) -> None:
    commands = [c for c in readme_commands() if c.startswith("python -m sim.regress")]
    commands.sort(key=lambda command: "--update" not in command)  # baselines first
    settings = {**SMALL_REGRESSION, "baselines_dir": str(tmp_path / "baselines")}
    for command in commands:
        _, _, module, *arguments = shlex.split(command)
        completed = run_cli(module, *with_settings(arguments, settings), cwd=tmp_path)
        changes_numbers = any(item.split("=")[0] in ("attendance.intercept",) for item in arguments)
        allowed = (0, 1) if changes_numbers else (0,)
        assert completed.returncode in allowed, (command, completed.stdout[-2000:], completed.stderr[-2000:])
        assert "Traceback" not in completed.stderr


def test_the_readme_python_example_runs(tmp_path: Path) -> None:
    (block,) = code_blocks("python")
    completed = subprocess.run(
        [sys.executable, "-c", block + "\nassert len(runs) == 10 and len(more) == 10\n"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
