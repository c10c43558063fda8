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
        (["seed=abc"], "runner.seed must be a whole number, not abc"),
        (["=3"], "is not an override of the form key=value"),
        (["+foo=1"], "+foo: a scenario has no key foo"),
        (["+replicatons=3"], "+replicatons: a scenario has no key replicatons"),
        (["scenario=nope"], "Could not find 'scenario/nope'; allowed: bergstrasse, "),
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
    "unknown_key": (
        "# @package _global_\ndefaults:\n  - wartburgkreis\n  - _self_\nbogus_key: 1\n",
        "bogus_key is not a key of the scenario",
    ),
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
    assert "Command" not in lines[0] and "ScenarioConfig" not in lines[0]
    if name in ("yaml_error", "tab_indent", "binary", "names_itself"):
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


def hydra_text(first: str, cause: str, key: str) -> str:
    """Hydra's message for an override it could not apply, as it prints it."""
    return (
        f"{first}\n{cause}\n    full_key: {key}\n    object_type=X\n\nSet the environment variable HYDRA_FULL_ERROR=1"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            hydra_text(
                "Could not override 'rank.dleta'.\nTo append to your config use +rank.dleta=5",
                "Key 'dleta' not in 'RankConfig'",
                "rank.dleta",
            ),
            "rank.dleta is not a setting of this command; did you mean rank.delta? (allowed: rank.candidates,",
        ),
        (
            hydra_text("Could not override 'runner.foo'.", "Key 'foo' not in 'RunnerConfig'", "runner.foo"),
            "runner.foo is not a setting of this command (allowed: runner.seed, runner.replications,",
        ),
        (
            hydra_text("Could not override 'report.foo'.", "Key 'foo' not in 'ReportConfig'", "report.foo"),
            "report.foo is not a setting of this command (allowed: report.lang,",
        ),
        (
            hydra_text(
                "Error merging override rank.candidates=Ruhla",
                "Invalid value assigned: str is not a ListConfig, list or tuple.",
                "rank.candidates",
            ),
            "rank.candidates must be a list in brackets, e.g. rank.candidates=[a,b].",
        ),
        (
            "In 'scenario/unk': Key 'foo' not in 'RunCommand'.\n    full_key: foo\n    object_type=RunCommand",
            "In 'scenario/unk': foo is not a key of the scenario.",
        ),
    ],
    ids=["rank", "runner", "report", "not-a-list", "file-key"],
)
def test_hydra_s_override_errors_name_the_key_and_what_is_allowed(text: str, expected: str) -> None:
    from sim.cli import hydra_error

    message = hydra_error(text)
    assert message.startswith(expected), message
    assert "Could not override" not in message and "Config'" not in message


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("foo=1", "scenario wartburgkreis_ruhla: foo is not a key of the scenario."),
        ("sites.ruhla.counsellors=nan", "sites.ruhla.counsellors must be a whole number, not nan."),
        ("sites.ruhla.counsellors=abc", "sites.ruhla.counsellors must be a whole number, not abc."),
    ],
)
def test_an_alternative_s_own_override_says_why_it_is_refused(override: str, expected: str) -> None:
    with pytest.raises(ConfigError) as refused:
        compose_scenario("wartburgkreis_ruhla", [override])
    assert str(refused.value).endswith(expected), refused.value


def test_a_misspelt_top_level_key_gets_the_nearest_key_and_no_plus_hint() -> None:
    with pytest.raises(ConfigError) as refused:
        load_scenario("wartburgkreis", "replicatons=3")
    assert str(refused.value) == "replicatons is not a key of scenario wartburgkreis; did you mean replications?"
    with pytest.raises(ConfigError, match=r"experiment=NAME is a setting of python -m sim.compare\.$"):
        load_scenario("wartburgkreis", "experiment=where_next")
    with pytest.raises(ConfigError, match=r"\(a new key needs \+sites\.seebach\.counsellors=\.\.\.\)"):
        load_scenario("wartburgkreis", "sites.seebach.counsellors=2")  # a new site is a new entry: + is right


@pytest.mark.parametrize(
    ("command", "arguments", "expected"),
    [
        ("sim.rank", ["rank.dleta=5"], "rank.dleta is not a setting of this command; did you mean rank.delta?"),
        (
            "sim.compare",
            ["scenarios=wartburgkreis_ruhla"],
            "scenarios must be a list in brackets, e.g. scenarios=[a,b].",
        ),
        ("sim.rank", ["rank.candidates=[[Ruhla]]"], "rank.candidates must be a list of single values in brackets"),
    ],
    ids=["misspelt-setting", "not-a-list", "nested-list"],
)
def test_a_command_s_own_setting_is_named_with_what_is_allowed(command, arguments, expected, tmp_path) -> None:
    completed = run_cli(command, *arguments, cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {expected}"), completed.stderr
    results = tmp_path / "results"
    assert not results.exists() or not any(path.is_file() for path in results.rglob("*"))


def test_a_comparison_names_the_key_of_a_scenario_file_and_a_file_that_includes_itself(tmp_path) -> None:
    folder = tmp_path / "configs" / "scenario"
    folder.mkdir(parents=True)
    (folder / "unk.yaml").write_text("# @package _global_\ndefaults:\n  - mmc\n  - _self_\nfoo: 1\n")
    (folder / "loop.yaml").write_text("# @package _global_\ndefaults:\n  - loop\n  - _self_\nname: x\n")
    for scenario, expected in (
        ("unk", "scenario unk: In 'scenario/unk': foo is not a key of the scenario."),
        ("loop", "scenario loop: scenario/loop.yaml, or a config its defaults list names"),
    ):
        completed = run_cli(
            "sim.compare", "--config-dir", str(tmp_path / "configs"), f"scenarios=[mmc,{scenario}]", cwd=tmp_path
        )
        assert completed.returncode == 2
        lines = completed.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {expected}"), completed.stderr
    assert not (tmp_path / "results").exists() or not any(p.is_file() for p in (tmp_path / "results").rglob("*"))
