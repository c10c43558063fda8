"""The regression command: baselines, the exact and the statistical check, exit codes.

Baselines are written into a temporary folder, with few and short replications, so the committed
baselines in results/baselines/ are never touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

from sim.cli import command_keys
from sim.config import CONFIG_MODULE, ConfigError
from sim.config.compose import command_line
from sim.regress import RegressCommand, all_scenarios, compare_kpi, read_baseline, regress

REPOSITORY = Path(__file__).resolve().parents[1]
SMALL = [  # a short year: the checks, not the numbers, are under test
    "regression.default.seed=11",
    "regression.default.replications=6",
    "regression.default.horizon_days=120",
    "regression.default.warmup_days=28",
    "regression.mmc.replications=6",
]


def regress_in_process(folder: Path, baselines: Path, *overrides: str) -> tuple[int, dict]:
    """What `python -m sim.regress` does, without a new process; returns the exit code and the report."""
    given = command_line([*SMALL, f"baselines_dir={baselines}", *overrides], command_keys(RegressCommand))
    with initialize_config_module(config_module=CONFIG_MODULE, version_base="1.3"):
        code = regress(compose("regress", overrides=given), given, folder)
    return code, json.loads((folder / "regression.json").read_text())


def regress_cli(cwd: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    command = [sys.executable, "-m", "sim.regress", *arguments]
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small baselines of wartburgkreis and mmc in a temporary folder."""
    root = tmp_path_factory.mktemp("regress")
    code, report = regress_in_process(
        root / "update", root / "baselines", "scenarios=[wartburgkreis,mmc]", "update=true"
    )
    assert code == 0 and report["update"]
    return root / "baselines"


def test_unchanged_code_passes(baselines: Path, tmp_path: Path) -> None:
    code, report = regress_in_process(tmp_path / "run", baselines, "scenarios=[wartburgkreis,mmc]")
    assert code == 0 and report["passed"]
    for result in report["scenarios"].values():
        assert result["exact"]["identical"] and not result["exact"]["changed_kpis"]
        assert {row["verdict"] for row in result["kpis"].values()} <= {"identical", "undefined"}
    mmc = report["scenarios"]["mmc"]["kpis"]
    assert mmc["attendance_rate"]["verdict"] == "undefined"  # NaN in every replication: skipped


def test_attendance_intercept_shift_is_drift(baselines: Path, tmp_path: Path) -> None:
    code, report = regress_in_process(
        tmp_path / "run", baselines, "scenarios=[wartburgkreis]", "attendance.intercept=-1.65"
    )
    result = report["scenarios"]["wartburgkreis"]
    assert code == 1 and not report["passed"]
    assert "attendance_rate" in result["statistical"]["drifted"]
    assert result["kpis"]["attendance_rate"]["difference"] < 0
    assert not result["exact"]["identical"]


def test_seed_change_passes_statistical_check_but_not_exact(baselines: Path, tmp_path: Path) -> None:
    overrides = ("scenarios=[wartburgkreis,mmc]", "seed=12")
    code, report = regress_in_process(tmp_path / "run", baselines, *overrides)
    assert code == 0
    for result in report["scenarios"].values():
        assert not result["statistical"]["drifted"]
        assert not result["exact"]["identical"] and result["exact"]["changed_kpis"]
        assert result["exact"]["settings_changed"] == {"seed": [11, 12]}
    strict, _ = regress_in_process(tmp_path / "strict", baselines, *overrides, "strict=true")
    assert strict == 1


def test_update_rewrites_only_what_changed(baselines: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "baselines"
    copy.mkdir()
    (copy / "mmc.json").write_text((baselines / "mmc.json").read_text())
    regress_in_process(tmp_path / "same", copy, "scenarios=[mmc]", "update=true")
    assert "unchanged" in capsys.readouterr().out
    regress_in_process(tmp_path / "more", copy, "scenarios=[mmc]", "update=true", "regression.mmc.replications=7")
    printed = capsys.readouterr().out
    assert "updated" in printed and "replications: 6 -> 7" in printed and "walkins_served:" in printed
    assert read_baseline(copy / "mmc.json", "mmc")["replications"] == 7


def test_update_refuses_scenario_overrides(baselines: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="attendance.intercept"):
        regress_in_process(tmp_path / "run", baselines, "scenarios=[mmc]", "update=true", "attendance.intercept=-1")


@pytest.mark.parametrize(
    ("old", "new", "verdict"),
    [
        ({"mean": None, "sd": None, "n": 0}, {"mean": None, "sd": None, "n": 0}, "undefined"),
        ({"mean": None, "sd": None, "n": 0}, {"mean": 0.5, "sd": 0.1, "n": 20}, "drift"),
        ({"mean": 3.0, "sd": 0.0, "n": 20}, {"mean": 3.0, "sd": 0.0, "n": 20}, "identical"),
        ({"mean": 3.0, "sd": 0.0, "n": 20}, {"mean": 3.0 + 1e-13, "sd": 0.0, "n": 20}, "holds"),  # last digits
        ({"mean": 3.0, "sd": 0.0, "n": 20}, {"mean": 3.001, "sd": 0.0, "n": 20}, "drift"),
        ({"mean": 0.70, "sd": 0.003, "n": 30}, {"mean": 0.701, "sd": 0.003, "n": 30}, "holds"),
        ({"mean": 0.70, "sd": 0.003, "n": 30}, {"mean": 0.68, "sd": 0.003, "n": 30}, "drift"),
        (None, {"mean": 1.0, "sd": 0.1, "n": 30}, "new KPI"),
    ],
)
def test_statistical_rule(old: dict | None, new: dict, verdict: str) -> None:
    assert compare_kpi(old, new, tests=18, alpha=0.01)["verdict"] == verdict


def test_missing_baseline_is_bad_input(tmp_path: Path) -> None:
    result = regress_cli(tmp_path, "scenarios=[mmc]", f"baselines_dir={tmp_path}", f"hydra.run.dir={tmp_path}/run")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: scenario 'mmc' has no baseline: mmc.json is missing; create it with"
        f" `python -m sim.regress --update scenarios=[mmc] baselines_dir={tmp_path}`."
    ]


@pytest.mark.parametrize("text", ["{not json", '{"scenario": "mmc", "kpis": {}}', "[]"])
def test_corrupt_baseline_is_bad_input(tmp_path: Path, text: str) -> None:
    (tmp_path / "mmc.json").write_text(text)
    result = regress_cli(tmp_path, "scenarios=[mmc]", f"baselines_dir={tmp_path}", f"hydra.run.dir={tmp_path}/run")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: mmc.json is not a valid baseline (")


def test_new_scenario_without_baseline_is_reported(baselines: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scenario 'wartburgkreis_ruhla' has no baseline"):
        regress_in_process(tmp_path / "run", baselines, "scenarios=[mmc,wartburgkreis_ruhla]")


def test_bad_input_exits_2(tmp_path: Path) -> None:
    unknown = regress_cli(tmp_path, "scenarios=[atlantis]", f"hydra.run.dir={tmp_path}/a")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("error: scenario 'atlantis' is not in the scenario/ config folders")
    assert regress_cli(tmp_path, "strict=maybe", f"hydra.run.dir={tmp_path}/b").returncode == 2


def test_cli_update_then_check(tmp_path: Path) -> None:
    common = ["scenarios=[mmc]", f"baselines_dir={tmp_path}/baselines", *SMALL]
    update = regress_cli(tmp_path, "--update", *common, f"hydra.run.dir={tmp_path}/update")
    assert update.returncode == 0, update.stderr
    assert update.stdout.splitlines()[-2].startswith("created baselines/mmc.json")
    checked = regress_cli(tmp_path, *common, f"hydra.run.dir={tmp_path}/check")
    assert checked.returncode == 0, checked.stderr
    lines = checked.stdout.splitlines()
    assert [cell.strip() for cell in lines[0].split(" | ")] == [
        "scenario",
        "kpi",
        "baseline",
        "new",
        "difference",
        "verdict",
    ]
    assert "regression passed" in lines and lines[-1] == f"results: {tmp_path}/check"
    assert json.loads((tmp_path / "check" / "regression.json").read_text())["passed"]
    drifted = regress_cli(tmp_path, *common, "durations.walkin.mean_min=66", f"hydra.run.dir={tmp_path}/drift")
    assert drifted.returncode == 1 and drifted.stdout.splitlines()[-1] == f"results: {tmp_path}/drift"


def test_every_scenario_has_a_committed_baseline() -> None:
    for name in all_scenarios():
        baseline = read_baseline(REPOSITORY / "results" / "baselines" / f"{name}.json", name)
        assert baseline["replications"] >= 2
