"""Bad inputs generated from the schema: every number of a scenario, every bad value, one sentence.

The keys are read from the composed scenarios' configs, so a key added to the schema gets its
bad-input tests by construction. From the command line, a sample of each kind ends in one line on
stderr, exit code 2, no traceback and no results folder."""

from __future__ import annotations

import functools
import math
from dataclasses import fields, is_dataclass

import pytest
from omegaconf import DictConfig

from sim.config import ConfigError
from sim.config.compose import apply_overrides, compose_scenario, load_scenario, to_scenario
from tests.conftest import run_cli

SCENARIOS = ("wartburgkreis_ruhla", "mmc")


def numeric_keys(node: object, prefix: str = "") -> list[tuple[str, object]]:
    """(dotted key, value) of every number in a config, nested configs and sites included."""
    found = []
    if is_dataclass(node):
        items = [(item.name, getattr(node, item.name)) for item in fields(node)]
    elif isinstance(node, dict):
        items = list(node.items())
    else:
        return found
    for name, value in items:
        key = f"{prefix}{name}"
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            found.append((key, value))
        else:
            found += numeric_keys(value, f"{key}.")
    return found


KEYS = sorted({(scenario, key) for scenario in SCENARIOS for key, _ in numeric_keys(load_scenario(scenario))})


@functools.cache
def composed(scenario: str) -> DictConfig:
    return compose_scenario(scenario, [])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(("scenario", "key"), KEYS, ids=[f"{s}:{k}" for s, k in KEYS])
def test_every_number_refuses_what_is_not_a_finite_number(scenario: str, key: str, bad: float) -> None:
    """The override goes the way of the command line's (apply_overrides, then to_scenario)."""
    with pytest.raises(ConfigError) as refused:
        cfg, lacking = apply_overrides(composed(scenario).copy(), scenario, [(key, bad)], {})
        assert not lacking
        to_scenario(cfg, scenario)
    message = str(refused.value)
    assert key in message, message
    assert "\n" not in message


def test_the_generated_keys_cover_the_schema() -> None:
    keys = {key for _, key in KEYS}
    for expected in ("attendance.intercept", "sites.ruhla.counsellors", "clients.arrival_offset_sd_min", "mmc.servers"):
        assert expected in keys
    assert len(keys) > 60


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["attendance.intercept=nan"], "attendance.intercept must be a finite number"),
        (["staff.hours_per_day=25"], "staff.hours_per_day (25.0) must fit into the working day"),
        (["travel.detour_factor=0.5"], "travel.detour_factor must be at least 1"),
        (["sites.gerstungen.counsellors=0"], "sites.gerstungen.counsellors must be at least 1 for an open room"),
        (["name=../../escape"], "name must be a name of letters"),
        (["name="], "name must be a name of letters"),
        (["horizon_days=1000000000000"], "beyond the limit of 3,660"),
        (["clients.count=1000000000000"], "beyond the limit of 1,000,000"),
        (["replications=1000000000000"], "beyond the limit of 100,000"),
        (["seed=abc"], "runner.seed=abc: Value 'abc'"),
        (["=3"], "is not an override of the form key=value"),
        (["+foo=1"], "+foo: a scenario has no key foo"),
        (["+replicatons=3"], "+replicatons: a scenario has no key replicatons"),
        (["scenario=nope"], "Could not find 'scenario/nope'; allowed: mmc"),
        (["scenario=[wartburgkreis,mmc]"], "sim.run runs one scenario"),
    ],
)
def test_a_bad_command_line_is_one_sentence_and_leaves_nothing(arguments, expected, tmp_path) -> None:
    completed = run_cli("sim.run", *arguments, cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], completed.stderr
    results = tmp_path / "results"
    assert not results.exists() or not any(path.is_file() for path in results.rglob("*"))


def test_the_machine_limits_can_be_lifted_deliberately() -> None:
    config = load_scenario("mmc", "horizon_days=4000", check=False)
    assert config.horizon_days == 4000
    from sim.config.validate import validate

    with pytest.raises(ConfigError, match="runner.machine_limits=false"):
        validate(config)
    validate(config, limits=False)


def test_a_comparison_refuses_one_name_for_every_alternative(tmp_path) -> None:
    completed = run_cli("sim.compare", "scenarios=[wartburgkreis,wartburgkreis_ruhla]", "name=same", cwd=tmp_path)
    assert completed.returncode == 2 and "would give every alternative the same name" in completed.stderr


SCENARIO_FILES = {
    "yaml_error": (
        "# @package _global_\ndefaults:\n  - /region: wartburgkreis\n  - _self_\nname: x\n  sites: [\n",
        "line 6",
    ),
    "tab_indent": ("# @package _global_\ndefaults:\n\t- /region: wartburgkreis\nname: x\n", "line 3"),
    "binary": (bytes(range(128, 256)) * 3, "is not UTF-8 text"),
    "names_itself": ("# @package _global_\ndefaults:\n  - names_itself\n  - _self_\nname: x\n", "includes itself"),
    "unknown_key": ("# @package _global_\ndefaults:\n  - wartburgkreis\n  - _self_\nbogus_key: 1\n", "'bogus_key'"),
}


@pytest.mark.parametrize("name", sorted(SCENARIO_FILES))
def test_a_broken_scenario_file_is_one_sentence_naming_it(name: str, tmp_path) -> None:
    content, expected = SCENARIO_FILES[name]
    folder = tmp_path / "my_configs" / "scenario"
    folder.mkdir(parents=True)
    path = folder / f"{name}.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    completed = run_cli("sim.run", "--config-dir", str(tmp_path / "my_configs"), f"scenario={name}", cwd=tmp_path)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], completed.stderr
    if name in ("yaml_error", "tab_indent", "binary"):
        assert str(path) in lines[0]


def test_a_results_location_that_cannot_be_written_is_one_sentence(tmp_path) -> None:
    (tmp_path / "results").write_text("a file where the results folder should be\n")
    completed = run_cli("sim.run", "scenario=mmc", "replications=2", "horizon_days=10", "warmup_days=1", cwd=tmp_path)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot write 'results/run/"), completed.stderr


def test_two_runs_racing_for_one_folder_one_refuses_and_the_other_finishes(tmp_path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    command = [sys.executable, "-m", "sim.run", "scenario=mmc", "replications=3", "horizon_days=120", "warmup_days=5"]
    command += [f"hydra.run.dir={tmp_path / 'shared'}", "workers=1"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    runs.append(
        subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    )
    outcomes = sorted((run.wait(timeout=600), run.stderr.read()) for run in runs)
    assert [code for code, _ in outcomes] == [0, 2], outcomes
    assert "is in use by another run" in outcomes[1][1] or "already holds results" in outcomes[1][1]
    assert (tmp_path / "shared" / "kpis.json").is_file() and (tmp_path / "shared" / "replications.csv").is_file()
