"""python -m sim.regress [scenarios=[A,...]] [--update] [--strict]: every scenario against its stored baseline.

Each scenario runs at the fixed seed, replication count and horizon of its entry in configs/regress.yaml
and is checked against `results/baselines/<scenario>.json` twice:

- exact: the digest of the numbers (every KPI's mean and replication values, written with repr) equals
  the stored one; otherwise "results changed", with the KPIs whose means differ. This fails the run
  only with strict=true, since library versions and platforms may move the last digits.
- statistical: a KPI drifts when a two-sided Welch t-test of the new against the stored mean gives
  p < alpha / m, m being the number of KPIs defined in both (Bonferroni). See `RULE`.

Exit code 0 when every scenario holds, 1 when something drifted (or changed, with strict=true), 2 on
bad input or when the regression could not run. `--update` rewrites the baselines instead.
"""

from __future__ import annotations

import hashlib
import json
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import hydra
import numpy as np
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from scipy import stats

import sim
from sim.cli import CommandFailed, command_keys, output_folder, overrides_of, start, user_errors
from sim.config import CONFIG_MODULE, ConfigError
from sim.config.compose import Alternative, AlternativeSpec, compose_alternatives, group_options
from sim.config.schema import CommandConfig, RunnerConfig, ScenarioConfig
from sim.config.validate import fixed_replications, validate_runner
from sim.experiment.outputs import provenance, scenario_kpis, write_json
from sim.experiment.replicate import Scenario, run_tasks, worker_count
from sim.experiment.stats import summarise
from sim.kpi.monitor import RunResult

RUNNER_SETTINGS = ("seed", "replications")
SCENARIO_SETTINGS = ("horizon_days", "warmup_days")
SETTINGS = (*RUNNER_SETTINGS, *SCENARIO_SETTINGS)
DEFAULT_BASELINES = "results/baselines"
FLAGS = {"--update": "update=true", "--strict": "strict=true"}
RELATIVE_TOLERANCE = 1e-9  # below this a difference is floating-point noise of another platform, never drift
FAILING = ("drift", "new KPI", "removed KPI")
RULE = (
    "Statistical check: a KPI drifts when a two-sided Welch t-test of the new against the stored mean"
    " (replication sd and n) gives p < alpha/m, alpha = {alpha}, m = KPIs defined in both (Bonferroni);"
    f" differences within a relative {RELATIVE_TOLERANCE:g} hold; with zero variance on both sides any larger"
    " difference drifts; a KPI defined on one side only drifts."
)


@dataclass
class RegressionSettings:
    """How one scenario runs in the regression; None takes the value of the `default` entry."""

    seed: int | None = None
    replications: int | None = None
    horizon_days: int | None = None
    warmup_days: int | None = None


@dataclass
class RegressCommand(CommandConfig):
    scenarios: list[str] = field(default_factory=list)  # empty: every scenario of the scenario/ config folders
    update: bool = False
    strict: bool = False
    alpha: float = 0.01
    baselines_dir: str = DEFAULT_BASELINES
    regression: dict[str, RegressionSettings] = field(default_factory=dict)


ConfigStore.instance().store(name="regress_schema", node=RegressCommand)


def all_scenarios() -> list[str]:
    return group_options("scenario")


def settings_for(regression: dict[str, RegressionSettings], name: str) -> dict[str, int]:
    """The seed, replications, horizon and warm-up of one scenario: its entry over the default entry.
    A horizon or warm-up that neither sets is the scenario's own."""
    default = regression.get("default", RegressionSettings())
    entry = regression.get(name, RegressionSettings())
    settings = {}
    for key in SETTINGS:
        value = getattr(entry, key) if getattr(entry, key) is not None else getattr(default, key)
        if value is None and key in RUNNER_SETTINGS:
            raise ConfigError(f"regression.default.{key} is missing; set it in sim/configs/regress.yaml.")
        if value is not None:
            settings[key] = value
    return settings


def regression_alternatives(
    names: list[str], regression: dict[str, RegressionSettings], change: dict, add: dict
) -> list[Alternative]:
    """Compose each scenario with its regression horizon and warm-up, then the user's scenario overrides."""
    alternatives = []
    for name in names:
        settings = settings_for(regression, name)
        own = {key: settings[key] for key in SCENARIO_SETTINGS if key in settings}
        alternatives += compose_alternatives([AlternativeSpec(name, name)], {**own, **change}, add)
    return alternatives


def regression_runner(regression: dict[str, RegressionSettings], name: str, runner: RunnerConfig, given: set[str]):
    """The runner of one scenario: its regression seed and replications, unless given on the command line."""
    settings = settings_for(regression, name)
    values = {key: getattr(runner, key) if key in given else settings[key] for key in RUNNER_SETTINGS}
    if "replications" in given:
        fixed_replications(runner, "sim.regress")
    if values["replications"] < 2:
        raise ConfigError(f"replications must be at least 2 for the t-test, got {values['replications']} ({name}).")
    return RunnerConfig(seed=values["seed"], replications=values["replications"], workers=runner.workers)


def config_digest(config: ScenarioConfig) -> str:
    """sha256 of the resolved scenario config (run settings are not part of it)."""
    resolved = OmegaConf.to_container(OmegaConf.structured(config), resolve=True)
    return hashlib.sha256(json.dumps(resolved, sort_keys=True).encode()).hexdigest()


def kpi_values(runs: list[RunResult]) -> dict[str, list[float]]:
    """Each KPI of the scenario (those of its model components) with its replication values."""
    return {kpi: [float(run.kpis[kpi]) for run in runs] for kpi in runs[0].kpis}


def kpi_summary(values: list[float]) -> dict:
    """Mean, replication sd, CI half-width and n of one KPI; NaN values (undefined) are left out."""
    summary = summarise(values)
    sample = np.asarray(values, dtype=float)
    sample = sample[~np.isnan(sample)]
    sd = float(sample.std(ddof=1)) if sample.size >= 2 else None
    half_width = summary["ci_high"] - summary["mean"] if summary["ci_high"] is not None else None
    return {"mean": summary["mean"], "sd": sd, "ci_half_width": half_width, "n": summary["n"]}


def numbers_digest(values: dict[str, list[float]], summaries: dict[str, dict]) -> str:
    """sha256 of every KPI's mean and replication values, written with repr (all digits)."""
    lines = [f"{kpi} {summaries[kpi]['mean']!r} {' '.join(map(repr, values[kpi]))}" for kpi in values]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def baseline_record(alternative: Alternative, runner: RunnerConfig, runs: list[RunResult], versions: dict) -> dict:
    """What a baseline file holds: the settings, digests, versions and each KPI's summary."""
    config = alternative.config
    values = kpi_values(runs)
    summaries = {kpi: kpi_summary(values[kpi]) for kpi in values}
    return {
        "scenario": alternative.name,
        **{key: getattr(runner, key) for key in RUNNER_SETTINGS},
        **{key: getattr(config, key) for key in SCENARIO_SETTINGS},
        "package_version": sim.__version__,
        "config_digest": config_digest(config),
        "numbers_digest": numbers_digest(values, summaries),
        **versions,
        "kpis": summaries,
    }


def shown(path: Path) -> str:
    """A path as the user should read it: relative to the working directory when inside it."""
    here = Path.cwd().resolve()
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)


def baselines_directory(setting: str) -> Path:
    return Path(setting).expanduser().resolve()


def read_baseline(path: Path, name: str) -> dict:
    """A stored baseline, checked; a missing or corrupt file is one sentence naming it."""
    elsewhere = "" if path.parent == baselines_directory(DEFAULT_BASELINES) else f" baselines_dir={path.parent}"
    fix = f"`python -m sim.regress --update scenarios=[{name}]{elsewhere}`"
    if not path.exists():
        raise ConfigError(f"scenario '{name}' has no baseline: {shown(path)} is missing; create it with {fix}.")
    try:
        baseline = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = f"not JSON: {error.msg}, line {error.lineno}" if isinstance(error, json.JSONDecodeError) else error
        raise ConfigError(
            f"{shown(path)} is not a valid baseline ({reason}); restore it from git or rewrite it with {fix}."
        ) from None
    problem = baseline_problem(baseline, name)
    if problem:
        raise ConfigError(
            f"{shown(path)} is not a valid baseline ({problem}); restore it from git or rewrite it with {fix}."
        )
    return baseline


def baseline_problem(baseline: object, name: str) -> str | None:
    """What is wrong with a parsed baseline file, or None."""
    if not isinstance(baseline, dict):
        return "not a JSON object"
    if baseline.get("scenario") != name:
        return f"its scenario is {baseline.get('scenario')!r}, not '{name}'"
    for key in ("config_digest", "numbers_digest", "package_version"):
        if not isinstance(baseline.get(key), str):
            return f"'{key}' is missing"
    if not isinstance(baseline.get("kpis"), dict) or not baseline["kpis"]:
        return "'kpis' is missing"
    for kpi, summary in baseline["kpis"].items():
        if not isinstance(summary, dict) or not isinstance(summary.get("n"), int):
            return f"kpis.{kpi} has no n"
        for key in ("mean", "sd"):
            value = summary.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                return f"kpis.{kpi}.{key} is not a number"
        if summary["mean"] is not None and summary["n"] >= 2 and summary.get("sd") is None:
            return f"kpis.{kpi}.sd is missing"
    return None


def compare_kpi(old: dict | None, new: dict | None, tests: int, alpha: float) -> dict:
    """The statistical verdict on one KPI (see RULE)."""
    if old is None or new is None:
        return {"difference": None, "p_value": None, "verdict": "new KPI" if old is None else "removed KPI"}
    if old["mean"] is None and new["mean"] is None:
        return {"difference": None, "p_value": None, "verdict": "undefined"}
    if old["mean"] is None or new["mean"] is None:
        return {"difference": None, "p_value": None, "verdict": "drift"}
    difference = new["mean"] - old["mean"]
    if difference == 0:
        return {"difference": 0.0, "p_value": None, "verdict": "identical"}
    if abs(difference) <= RELATIVE_TOLERANCE * max(abs(old["mean"]), abs(new["mean"])):
        return {"difference": difference, "p_value": None, "verdict": "holds"}
    old_sd, new_sd = old["sd"] or 0.0, new["sd"] or 0.0
    if old_sd == 0 and new_sd == 0:
        return {"difference": difference, "p_value": 0.0, "verdict": "drift"}
    p_value = float(  # a side with a single value has no spread: its sd counts as 0
        stats.ttest_ind_from_stats(
            new["mean"], new_sd, max(new["n"], 2), old["mean"], old_sd, max(old["n"], 2), equal_var=False
        ).pvalue
    )
    return {"difference": difference, "p_value": p_value, "verdict": "drift" if p_value < alpha / tests else "holds"}


def check(record: dict, baseline: dict, baseline_file: str, alpha: float, strict: bool) -> dict:
    """Both checks of one scenario: exact (numbers digest) and statistical (per KPI)."""
    old_kpis, new_kpis = baseline["kpis"], record["kpis"]
    kpis = [*new_kpis, *(kpi for kpi in old_kpis if kpi not in new_kpis)]
    tests = sum(
        1
        for kpi in kpis
        if kpi in old_kpis and kpi in new_kpis and None not in (old_kpis[kpi]["mean"], new_kpis[kpi]["mean"])
    )
    rows = {}
    for kpi in kpis:
        old, new = old_kpis.get(kpi), new_kpis.get(kpi)
        rows[kpi] = {"baseline": old, "new": new, **compare_kpi(old, new, max(tests, 1), alpha)}
    identical = record["numbers_digest"] == baseline["numbers_digest"]
    changed = [
        kpi
        for kpi in kpis
        if kpi not in old_kpis or kpi not in new_kpis or old_kpis[kpi]["mean"] != new_kpis[kpi]["mean"]
    ]
    drifted = [kpi for kpi, row in rows.items() if row["verdict"] in FAILING]
    return {
        "baseline_file": baseline_file,
        "settings": {key: record[key] for key in SETTINGS},
        "exact": {
            "identical": identical,
            "changed_kpis": changed,
            "numbers_digest": {"baseline": baseline["numbers_digest"], "new": record["numbers_digest"]},
            "config_digest": {"baseline": baseline["config_digest"], "new": record["config_digest"]},
            "package_version": {"baseline": baseline["package_version"], "new": record["package_version"]},
            "settings_changed": {
                key: [baseline.get(key), record[key]] for key in SETTINGS if baseline.get(key) != record[key]
            },
        },
        "statistical": {"alpha": alpha, "tests": tests, "drifted": drifted},
        "kpis": rows,
        "passed": not drifted and (identical or not strict),
        "new": record,
    }


def exact_summary(name: str, exact: dict, strict: bool) -> str:
    """One line on the exact check of a scenario."""
    if exact["identical"]:
        return f"{name}: exact check: identical to the baseline (numbers digest {exact['numbers_digest']['new'][:12]})"
    changed = exact["changed_kpis"]
    where = f"in {len(changed)} KPIs: {', '.join(changed)}" if changed else "in replication values (all means equal)"
    line = f"{name}: exact check: results changed {where}"
    reasons = [f"{key} {old} -> {new}" for key, (old, new) in exact["settings_changed"].items()]
    if exact["config_digest"]["baseline"] != exact["config_digest"]["new"]:
        reasons.append("the scenario config differs from the baseline's")
    if exact["package_version"]["baseline"] != exact["package_version"]["new"]:
        versions = exact["package_version"]
        reasons.append(f"package version {versions['baseline']} -> {versions['new']}")
    if reasons:
        line += f" ({'; '.join(reasons)})"
    return line + (" - fails with strict=true" if strict else "")


def statistical_summary(name: str, statistical: dict, rows: dict) -> str:
    drifted = statistical["drifted"]
    if drifted:
        return f"{name}: statistical check: {len(drifted)} KPIs drifted: {', '.join(drifted)}"
    defined = sum(1 for row in rows.values() if row["verdict"] != "undefined")
    return f"{name}: statistical check: all {defined} defined KPIs hold"


def failures(checks: dict[str, dict]) -> list[str]:
    """Why each failed scenario failed, in a few words."""
    reasons = []
    for name, result in checks.items():
        if result["statistical"]["drifted"]:
            reasons.append(f"{name} drifted ({', '.join(result['statistical']['drifted'])})")
        elif not result["passed"]:
            reasons.append(f"{name} results changed (strict=true)")
    return reasons


def value(number: float | None) -> str:
    return "n/a" if number is None else f"{number:.6g}"


def verdict_text(row: dict) -> str:
    if row["p_value"] is None or row["verdict"] not in ("holds", "drift"):
        return row["verdict"]
    return f"{row['verdict']} (p={row['p_value']:.2g})"


def table(checks: dict[str, dict], alpha: float, strict: bool) -> str:
    """scenario | KPI | baseline | new | difference | verdict, then one line per check and the rule."""
    header = ("scenario", "kpi", "baseline", "new", "difference", "verdict")
    lines = []
    for name, result in checks.items():
        for kpi, row in result["kpis"].items():
            old = (row["baseline"] or {}).get("mean")
            new = (row["new"] or {}).get("mean")
            difference = "" if row["difference"] is None else f"{row['difference']:+.3g}"
            lines.append((name, kpi, value(old), value(new), difference, verdict_text(row)))
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    text = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *lines]]
    text.insert(1, "-+-".join("-" * width for width in widths))
    for name, result in checks.items():
        text.append(exact_summary(name, result["exact"], strict))
        text.append(statistical_summary(name, result["statistical"], result["kpis"]))
    text.append(textwrap.fill(RULE.format(alpha=alpha), width=120))
    return "\n".join(text)


def update(record: dict, path: Path, alpha: float) -> str:
    """Rewrite one baseline if its numbers, config or package version changed; say what changed."""
    try:
        old = read_baseline(path, record["scenario"])
    except ConfigError:
        old = None
        if path.exists():
            write_json(path, record)
            return f"rewrote {shown(path)} (the old file was not a valid baseline)"
    if old is None:
        write_json(path, record)
        settings = ", ".join(f"{key} {record[key]}" for key in SETTINGS)
        return f"created {shown(path)} ({settings})"
    same = ("numbers_digest", "config_digest", "package_version")
    if all(old[key] == record[key] for key in same):
        return f"unchanged {shown(path)}"
    write_json(path, record)
    result = check(record, old, shown(path), alpha, strict=False)
    lines = [f"updated {shown(path)}: {len(result['exact']['changed_kpis'])} KPI means changed"]
    for key, (before, after) in result["exact"]["settings_changed"].items():
        lines.append(f"  {key}: {before} -> {after}")
    for key in same[1:]:
        if old[key] != record[key]:
            lines.append(f"  {key}: {old[key][:12]} -> {record[key][:12]}")
    for kpi in result["exact"]["changed_kpis"]:
        row = result["kpis"][kpi]
        before, after = (row["baseline"] or {}).get("mean"), (row["new"] or {}).get("mean")
        difference = "" if row["difference"] is None else f" ({row['difference']:+.3g})"
        lines.append(f"  {kpi}: {value(before)} -> {value(after)}{difference}, {verdict_text(row)}")
    return "\n".join(lines)


def regress(cfg: DictConfig, overrides: list[str], folder: Path) -> int:
    """Run the regression scenarios into `folder`, check or update their baselines; return the exit code."""
    options: RegressCommand = OmegaConf.to_object(cfg)
    validate_runner(options.runner)
    if not 0 < options.alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1, got {options.alpha}.")
    known = all_scenarios()
    names = options.scenarios or known
    if len(set(names)) != len(names):
        raise ConfigError(f"scenarios lists a scenario twice: {names}.")
    for key in options.regression:
        if key != "default" and key not in known:
            raise ConfigError(f"regression.{key} is not a scenario of the config folders; allowed: {', '.join(known)}.")
    change, add = overrides_of(cfg)
    given = {item.split("=")[0].removeprefix("runner.") for item in overrides if item.startswith("runner.")}
    if options.update and (change or add or given - {"workers"}):
        changes = [item for item in overrides if item.startswith(("+change.", "+add.", "runner.seed", "runner.rep"))]
        raise ConfigError(
            f"update=true writes baselines from the config files alone; drop {' '.join(changes)}, or make the"
            " change in the config files first."
        )
    alternatives = regression_alternatives(names, options.regression, change, add)
    runners = [regression_runner(options.regression, name, options.runner, given) for name in names]
    directory = baselines_directory(options.baselines_dir)
    paths = {name: directory / f"{name}.json" for name in names}
    baselines = {} if options.update else {name: read_baseline(paths[name], name) for name in names}

    started = datetime.now(UTC)
    workers = worker_count(options.runner.workers)
    scenarios = [Scenario.prepare(a.config, runner.seed) for a, runner in zip(alternatives, runners)]
    tasks = [(i, r) for i, runner in enumerate(runners) for r in range(runner.replications)]
    results = run_tasks(scenarios, tasks, workers)
    all_runs = [[results[i, r] for r in range(runner.replications)] for i, runner in enumerate(runners)]
    run_provenance = provenance(runners[0], alternatives[0].config, started, workers)
    versions = {key: run_provenance[key] for key in ("python", "platform", "libraries")}
    records = {
        a.name: baseline_record(a, runner, runs, versions) for a, runner, runs in zip(alternatives, runners, all_runs)
    }
    kpis = {a.name: scenario_kpis(a, runner, runs) for a, runner, runs in zip(alternatives, runners, all_runs)}
    write_json(folder / "kpis.json", {"scenarios": kpis})
    write_json(folder / "provenance.json", run_provenance)

    if options.update:
        messages = [update(records[name], paths[name], options.alpha) for name in names]
        write_json(folder / "regression.json", {"update": True, "changes": messages, "baselines": records})
        print("\n".join(messages))
        return 0

    checks = {
        name: check(records[name], baselines[name], shown(paths[name]), options.alpha, options.strict) for name in names
    }
    failed = [name for name, result in checks.items() if not result["passed"]]
    report = {
        "rule": RULE.format(alpha=options.alpha),
        "strict": options.strict,
        "passed": not failed,
        "failed": failed,
        "scenarios": checks,
    }
    write_json(folder / "regression.json", report)
    print(table(checks, options.alpha, options.strict))
    stale = sorted(path.stem for path in directory.glob("*.json") if path.stem not in known)
    if stale and not options.scenarios:
        print(f"note: baselines without a scenario file: {', '.join(stale)}")
    print(f"regression failed: {'; '.join(failures(checks))}" if failed else "regression passed")
    return 1 if failed else 0


@hydra.main(version_base="1.3", config_path=f"pkg://{CONFIG_MODULE}", config_name="regress")
def run_regression(cfg: DictConfig) -> None:
    with user_errors():
        folder = output_folder()
        code = regress(cfg, list(HydraConfig.get().overrides.task), folder)
    print(f"results: {folder}")
    if code:
        raise CommandFailed(code)


def main() -> None:
    """`--update` and `--strict` as flags; Hydra's own errors (a bad override) exit with 2, not 1."""
    sys.argv = [sys.argv[0], *(FLAGS.get(argument, argument) for argument in sys.argv[1:])]
    start(
        run_regression,
        command_keys(RegressCommand),
        __doc__,
        ("python -m sim.regress", "python -m sim.regress scenarios=[mmc] --strict", "python -m sim.regress --update"),
    )


if __name__ == "__main__":
    main()
