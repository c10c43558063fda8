"""What the commands share: the command line, one-sentence errors, running an experiment, the KPI table.

`python -m sim.run`, `python -m sim.compare`, `python -m sim` and `python -m sim.regress` are thin
Hydra entry points. `start` hands Hydra the user's command line with every scenario override
carried to the alternatives (`sim.config.compose.command_line`); a user's mistake ends in one
sentence on stderr and exit code 2, not a traceback.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError
from sim.config.compose import Experiment, as_typed, command_line
from sim.config.schema import RunnerConfig, ScenarioConfig, register_configs
from sim.config.validate import AUTO, validate_runner
from sim.experiment.outputs import provenance, write_json, write_results
from sim.experiment.precision import auto_replications
from sim.experiment.replicate import Scenario, run_replications, worker_count

register_configs()


class CommandFailed(SystemExit):
    """A command's own verdict (exit code 1, e.g. a regression that drifted), kept as it is by `start`."""


def command_keys(command: type, *groups: str) -> list[str]:
    """The top-level keys of a command's own config (not of a scenario), and its config groups."""
    scenario_keys = {item.name for item in fields(ScenarioConfig)}
    return [item.name for item in fields(command) if item.name not in scenario_keys] + list(groups)


LAUNCHER_PLUGINS = {  # hydra/launcher option -> the plugin it needs (the sweep extra)
    "joblib": "hydra_plugins.hydra_joblib_launcher",
    "submitit_local": "hydra_plugins.hydra_submitit_launcher",
    "submitit_slurm": "hydra_plugins.hydra_submitit_launcher",
    "slurm": "hydra_plugins.hydra_submitit_launcher",
}


def check_launcher(arguments: list[str]) -> None:
    """A launcher whose plugin is not installed is one sentence, not Hydra's composition error."""
    for item in arguments:
        key, _, choice = item.lstrip("+").partition("=")
        if key == "hydra/launcher" and choice in LAUNCHER_PLUGINS and not installed(LAUNCHER_PLUGINS[choice]):
            raise ConfigError(
                f'hydra/launcher={choice} needs the sweep extra: python -m pip install "outreach-sim[sweep]".'
            )


def installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:  # not even its parent package
        return False


def start(hydra_main: Callable[[], None], own_keys: list[str]) -> None:
    """Run a Hydra entry point on the user's command line. A mistake Hydra finds while composing
    the config (before the command's own code runs) is one sentence on stderr and exit code 2,
    like the command's own errors: its stderr is held until the command starts (`user_errors`)."""
    try:
        check_launcher(sys.argv[1:])
        sys.argv = [sys.argv[0], *command_line(sys.argv[1:], own_keys)]
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    held = _HeldStderr(sys.stderr)
    sys.stderr = held
    try:
        hydra_main()
    except CommandFailed:
        raise
    except SystemExit as stop:
        if held.holding and stop.code not in (0, None):
            message = hydra_error(held.getvalue())
            held.discard()
            print(f"error: {message}", file=sys.stderr)
            sys.exit(2)
        if stop.code == 1:
            sys.exit(2)
        raise
    finally:
        held.release()


class _HeldStderr(io.StringIO):
    """Stderr held back while Hydra composes the config; released when the command starts."""

    def __init__(self, real: object) -> None:
        super().__init__()
        self.real = real
        self.holding = True

    def release(self) -> None:
        if self.holding:
            self.holding = False
            sys.stderr = self.real
            self.real.write(self.getvalue())

    def discard(self) -> None:
        """Hydra's error has been said in one sentence: drop its own lines."""
        self.seek(0)
        self.truncate()
        self.release()


def release_stderr() -> None:
    """The command has started: what Hydra said while composing (warnings) goes out now."""
    if isinstance(sys.stderr, _HeldStderr):
        sys.stderr.release()


def hydra_error(text: str) -> str:
    """Hydra's multi-line composition error as one sentence."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Set the environment variable", "See https://"))]
    if not lines:
        return "the command line could not be read."
    first = lines[0]
    if first.startswith("Error merging override"):
        override = as_typed(first.removeprefix("Error merging override").strip())
        return f"{override}: {lines[1] if len(lines) > 1 else 'not allowed'}."
    if "Available options in" in text:
        listed = lines[1 : next((i for i, line in enumerate(lines) if line.startswith("Config search path")), None)]
        options = [line for line in listed if not line.startswith("Available options") and not line.endswith("_schema")]
        return f"{first.rstrip('.')}; allowed: {', '.join(options)}."
    if first.startswith(("LexerNoViableAltException", "mismatched input")):
        given = as_typed(lines[0].partition(":")[2].strip()) if ":" in lines[0] else ""
        return f"'{given}' is not an override of the form key=value (Hydra's override syntax)."
    return first if first.endswith(".") else first + "."


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn configuration mistakes into one line on stderr and exit code 2.

    In a sweep (Hydra multirun) the job's folder records the error in failed.json and the sweep
    goes on with its other jobs; `sim.aggregate` lists it among the failed jobs. A job of a sweep
    that crashes for another reason (a broken data file, a full disk) is recorded the same way,
    with the kind of error, so that the sweep's other jobs are still summarised."""
    release_stderr()
    try:
        yield
    except (ConfigError, OmegaConfBaseException, HydraException) as error:
        record_failure(str(error).strip().splitlines()[0])
    except Exception as error:
        if not in_sweep():
            raise
        first_line = (str(error).strip().splitlines() or [""])[0]
        record_failure(f"{type(error).__name__}: {first_line}")


def in_sweep() -> bool:
    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def record_failure(message: str) -> None:
    """Say what went wrong in one line; in a sweep, record it in the job's failed.json and go on."""
    print(f"error: {message}", file=sys.stderr)
    if not in_sweep():
        remove_unused_folder()
        sys.exit(2)
    folder = Path(HydraConfig.get().runtime.output_dir)
    if not (folder / "kpis.json").exists():
        write_json(folder / "failed.json", {"error": message})


def remove_unused_folder() -> None:
    """A command that stopped before writing results leaves no folder behind: Hydra's own files
    (.hydra/, the log) are removed with the folder it made, never a folder that holds anything else."""
    if not HydraConfig.initialized():
        return
    folder = Path(HydraConfig.get().runtime.output_dir)
    hydra_files = {".hydra", f"{HydraConfig.get().job.name}.log"}
    if folder.is_dir() and {entry.name for entry in folder.iterdir()} <= hydra_files:
        shutil.rmtree(folder, ignore_errors=True)


def runner_of(cfg: DictConfig) -> RunnerConfig:
    """The checked run settings of a command's config."""
    runner = OmegaConf.to_object(cfg.runner)
    validate_runner(runner)
    return runner


def overrides_of(cfg: DictConfig) -> tuple[dict, dict]:
    """The user's scenario overrides, as carried by the command line: (change, add)."""
    return OmegaConf.to_container(cfg.change), OmegaConf.to_container(cfg.add)


def output_folder() -> Path:
    """The run's new results folder (Hydra's run dir); refuse one that already holds results."""
    folder = Path(HydraConfig.get().runtime.output_dir)
    if (folder / "kpis.json").exists():
        raise ConfigError(f"hydra.run.dir '{folder}' already holds results; choose a new folder.")
    return folder


def parallel_jobs() -> int:
    """How many sweep jobs run at once beside this one: the joblib launcher's `n_jobs` (-1: all
    cores), every job at once for submitit's local launcher, else one (jobs run in turn)."""
    if not in_sweep():
        return 1
    launcher = HydraConfig.get().launcher
    target = str(launcher.get("_target_", ""))
    cores = os.cpu_count() or 1
    if "joblib" in target:
        n_jobs = int(launcher.get("n_jobs", -1))
        return cores if n_jobs < 0 else max(1, n_jobs)
    if "LocalLauncher" in target:  # submitit_local starts every job at once
        return cores
    return 1


def job_workers(requested: int) -> int:
    """A job's worker processes: the requested number (0: all cores), but never so many that the
    sweep's jobs running at once times their workers exceed the cores."""
    cores = os.cpu_count() or 1
    return max(1, min(worker_count(requested), cores // parallel_jobs()))


def run_experiment(experiment: Experiment, runner: RunnerConfig, folder: Path) -> dict:
    """Run every alternative's replications, write the results folder, print the KPI table."""
    started = datetime.now(UTC)
    workers = job_workers(runner.workers)
    scenarios = [Scenario.prepare(alternative.config, runner.seed) for alternative in experiment.alternatives]
    rule = None
    if runner.replications == AUTO:
        all_runs, rule = auto_replications(
            scenarios, runner.precision, runner.max_replications, workers, runner.scheduler
        )
        print(f"replications=auto: {rule['chosen']} ({rule['why']})")
    else:
        all_runs = run_replications(scenarios, runner.replications, workers, scheduler=runner.scheduler)
    worlds = [scenario.world for scenario in scenarios]
    kpis, comparison = write_results(folder, experiment, runner, worlds, all_runs, rule)
    write_json(folder / "provenance.json", provenance(runner, experiment.alternatives[0].config, started, workers))
    names = [alternative.name for alternative in experiment.alternatives]
    print(kpi_table(kpis["scenarios"], comparison.get("differences", {}), names))
    return kpis


def kpi_table(kpis: dict, differences: dict, names: list[str]) -> str:
    """KPIs per alternative with 95 % CIs and, for a comparison, the paired differences."""
    header = ["kpi", *names, *(f"{name} - {names[0]}" for name in differences)]
    lines = []
    for kpi in dict.fromkeys(kpi for name in names for kpi in kpis[name]["kpis"]):
        cells = [kpi, *(interval(kpis[name]["kpis"].get(kpi)) for name in names)]
        for name in differences:
            summary = differences[name].get(kpi)
            cells.append(interval(summary) + (" *" if summary and summary.get("significant") else ""))
        lines.append(cells)
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    text = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in [header, *lines]]
    n = kpis[names[0]]["replications"]
    note = f"mean [95 % CI] over {n} replications"
    if differences:
        note += "; differences paired on common random numbers"
        note += ", * = distinguishable from 0 (paired t-tests, Holm over all KPIs, 5 %)"
    return "\n".join([text[0], "-+-".join("-" * w for w in widths), *text[1:], note])


def interval(summary: dict | None) -> str:
    if summary is None or summary["mean"] is None:
        return "n/a"
    if summary["ci_low"] is None:
        return number(summary["mean"])
    return f"{number(summary['mean'])} [{number(summary['ci_low'])}, {number(summary['ci_high'])}]"


def number(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
