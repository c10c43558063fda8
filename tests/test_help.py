"""--help on every command: what it does, the run settings with their defaults, examples."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize(
    "command", ["sim", "sim.run", "sim.compare", "sim.warmup", "sim.regress", "sim.scenarios", "sim.rank"]
)
def test_help_says_what_the_command_does_with_keys_defaults_and_examples(command, tmp_path):
    completed = run_cli(command, "--help", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    text = completed.stdout
    assert text.startswith("python -m sim")
    assert "runner.replications=10" in text and "runner.workers=0" in text and "horizon_days=365" in text
    assert "Examples:\n  python -m sim" in text
    assert not (tmp_path / "results").exists()


def test_aggregate_help_is_its_description(tmp_path):
    completed = run_cli("sim.aggregate", "--help", cwd=tmp_path)
    assert completed.returncode == 0 and completed.stdout.startswith("python -m sim.aggregate SWEEP_FOLDER")


def test_rank_help_lists_its_own_settings(tmp_path):
    completed = run_cli("sim.rank", "--help", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    for key in ("rank.candidates=[]", "rank.delta=null", "rank.alpha=0.05", "rank.objective=", "report.lang=de"):
        assert key in completed.stdout
