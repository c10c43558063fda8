"""What the commands share: the command line, one-sentence errors, running an experiment, the KPI table.

`python -m sim.run`, `python -m sim.compare`, `python -m sim` and `python -m sim.regress` are thin
Hydra entry points. `start` hands Hydra the user's command line with every scenario override
carried to the alternatives (`sim.config.compose.command_line`); a user's mistake ends in one
sentence on stderr and exit code 2, not a traceback.
"""

from __future__ import annotations

import inspect
import io
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import MISSING as MISSING_FIELD
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
from sim.experiment.stats import MIN_FOR_INTERVAL
from sim.kpi.registry import label_of, unit_of

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


def documented_keys(schema: type, prefix: str = "") -> list[str]:
    """(key, default, what it is) of a config dataclass's plain fields that have a default, from the
    schema itself: its field defaults and the comments beside them (sim/config/schema.py)."""
    source = inspect.getsource(schema)
    keys = []
    for item in fields(schema):
        if item.default is MISSING_FIELD or item.default == "???":
            continue
        match = re.search(rf"^\s+{item.name}: [^=\n]+= [^#\n]+#\s*(.+)$", source, flags=re.M)
        default = OmegaConf.to_yaml({"value": item.default}).strip().removeprefix("value: ")
        keys.append((f"{prefix}{item.name}={default}", match.group(1) if match else ""))
    width = max((len(key) for key, _ in keys), default=0)
    return [f"  {key.ljust(width)}  {what}".rstrip() for key, what in keys]


def help_text(doc: str, examples: list[str]) -> str:
    """What `--help` prints: what the command does, its run settings and main keys with their
    defaults, examples, and where the rest is."""
    lines = [doc.strip(), "", "Run settings (runner.*; seed=, replications=, workers= for short):"]
    lines += documented_keys(RunnerConfig, "runner.")
    lines += ["", "Main scenario keys (any key of a scenario can be set: key=value):"]
    lines += documented_keys(ScenarioConfig)
    lines += ["  sites.NAME.counsellors, sites.NAME.calendar.every_weeks, ...: a site's settings", ""]
    lines += ["Examples:", *(f"  {example}" for example in examples), ""]
    lines += [
        "python -m sim.scenarios lists the scenarios and experiments; --cfg job prints a composed config;",
        "README.md describes every key with its source. Hydra's own options: --hydra-help.",
    ]
    return "\n".join(lines)


def start(hydra_main: Callable[[], None], own_keys: list[str], doc: str = "", examples: tuple = ()) -> None:
    """Run a Hydra entry point on the user's command line. A mistake Hydra finds while composing
    the config (before the command's own code runs) is one sentence on stderr and exit code 2,
    like the command's own errors: its stderr is held until the command starts (`user_errors`).
    `--help` prints `help_text`."""
    if doc and any(item in ("--help", "-h") for item in sys.argv[1:]):
        print(help_text(doc, list(examples)))
        sys.exit(0)
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
            message = hydra_error(held.getvalue(), sys.argv[1:])
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


def hydra_error(text: str, arguments: list[str] = ()) -> str:
    """Hydra's multi-line composition error (or the traceback of a config file it could not read)
    as one sentence."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Set the environment variable", "See https://"))]
    if not lines:
        return "the command line could not be read."
    if lines[0].startswith("Traceback"):
        return traceback_error(lines, arguments)
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
    if first.endswith("raised while composing config:") and len(lines) > 1:
        return f"{first.partition(':')[0]}: {lines[1].rstrip('.')}."
    return first if first.endswith(".") else first + "."


def config_files(arguments: list[str]) -> list[Path]:
    """The YAML files of the config folders a command line adds (--config-dir, -cd)."""
    folders = [arguments[i + 1] for i, item in enumerate(arguments[:-1]) if item in ("--config-dir", "-cd")]
    folders += [item.split("=", 1)[1] for item in arguments if item.startswith(("--config-dir=", "-cd="))]
    return sorted(path for folder in folders for path in Path(folder).rglob("*.yaml"))


def utf8(path: Path) -> bool:
    try:
        path.read_text(encoding="utf-8")
        return True
    except (UnicodeDecodeError, OSError):
        return False


OS_ERRORS = ("PermissionError", "NotADirectoryError", "FileExistsError", "IsADirectoryError", "OSError")
OS_ERROR = re.compile(r"^\[Errno \d+\] ([^:]+): '(.+)'")
EXCEPTION_LINE = re.compile(r"^(?:[\w]+\.)*(\w+(?:Error|Exception)): ?(.*)$")
YAML_PLACE = re.compile(r'^in "(.+)", line (\d+), column (\d+)$')


def traceback_error(lines: list[str], arguments: list[str]) -> str:
    """A config file Hydra could not read: what is wrong, and where (file and line for YAML)."""
    last = max((i for i, line in enumerate(lines) if EXCEPTION_LINE.match(line)), default=len(lines) - 1)
    match = EXCEPTION_LINE.match(lines[last])
    kind, message = (match.group(1), match.group(2)) if match else ("error", lines[last])
    details = [message, *lines[last + 1 :]]
    place = next((YAML_PLACE.match(line) for line in details if YAML_PLACE.match(line)), None)
    if place:
        what = "; ".join(line for line in details if line and not YAML_PLACE.match(line))
        return f"{place.group(1)}, line {place.group(2)}, column {place.group(3)}: {what} (not valid YAML)."
    os_error = OS_ERROR.match(message)
    if kind in OS_ERRORS and os_error:
        return (
            f"cannot write '{os_error.group(2)}': {os_error.group(1)}; give a writable results folder"
            " (run from another directory, or hydra.run.dir=...)."
        )
    if kind == "UnicodeDecodeError":
        unreadable = next((path for path in config_files(arguments) if not utf8(path)), None)
        where = str(unreadable) if unreadable else "a config file"
        return f"{where} is not UTF-8 text (binary content?); a config must be a YAML text file."
    if kind == "RecursionError":
        return "a config's defaults list includes itself, directly or through another; check its defaults:."
    return f"{kind}: {message.rstrip('.')} while composing the config."


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
    except OSError as error:  # a results folder that cannot be written: read-only, full, gone
        if error.filename is None:
            raise
        record_failure(f"cannot use '{error.filename}': {error.strerror} (is the results folder writable?).")
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
    hydra_files = {".hydra", f"{HydraConfig.get().job.name}.log", CLAIM}
    if (folder / CLAIM).exists() and folder not in _claimed:
        return  # another run's
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


CLAIM = ".claimed"  # made once, atomically, by the run that writes a results folder
_claimed: set[Path] = set()  # the folders this process claimed


def output_folder() -> Path:
    """The run's new results folder (Hydra's run dir), claimed for this run alone: a folder that
    holds results, or that another run has claimed (two runs given one hydra.run.dir), is refused."""
    folder = Path(HydraConfig.get().runtime.output_dir)
    if (folder / "kpis.json").exists():
        raise ConfigError(f"hydra.run.dir '{folder}' already holds results; choose a new folder.")
    try:
        os.close(os.open(folder / CLAIM, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        _claimed.add(folder)
    except FileExistsError:
        raise ConfigError(
            f"hydra.run.dir '{folder}' is in use by another run (or by one that stopped); choose a new folder."
        ) from None
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


TABLE_WIDTH = 100  # the terminal table fits this many columns; more scenarios wrap into blocks
LABEL_WIDTH = 34  # longer labels wrap onto a second line
UNIT_SHOWN = {"share": "%", "days": "days", "minutes": "min", "hours": "h", "km": "km", "euro": "EUR", "count": ""}


def kpi_table(kpis: dict, differences: dict, names: list[str]) -> str:
    """KPIs per alternative (mean ± 95 % CI half-width, shares in %) and, for a comparison, the
    paired differences; labels with units; blocks of columns that fit TABLE_WIDTH."""
    rows = kpis_of(kpis, names)
    columns = [(name, kpis[name]["kpis"], False) for name in names]
    columns += [(f"Δ {name}", differences[name], True) for name in differences]
    cells = [(header, [cell(values.get(kpi), kpi, diff) for kpi in rows]) for header, values, diff in columns]
    labels = [kpi_label_with_unit(kpi) for kpi in rows]
    label_width = min(LABEL_WIDTH, max(len(label) for label in [*labels, "KPI"]))
    widths = [max(len(header), *(len(text) for text in texts)) for header, texts in cells]
    blocks, block, used = [], [], label_width
    for index, width in enumerate(widths):
        if block and used + 3 + width > TABLE_WIDTH:
            blocks.append(block)
            block, used = [], label_width
        block.append(index)
        used += 3 + width
    blocks.append(block)
    text = []
    for block in blocks:
        header = ["KPI".ljust(label_width), *(cells[i][0].rjust(widths[i]) for i in block)]
        text += [" | ".join(header), "-+-".join("-" * len(part) for part in header)]
        for row, label in enumerate(labels):
            first, *more = textwrap.wrap(label, label_width) or [""]
            text.append(" | ".join([first.ljust(label_width), *(cells[i][1][row].rjust(widths[i]) for i in block)]))
            text += [" | ".join([line.ljust(label_width), *(" " * widths[i] for i in block)]) for line in more]
        text.append("")
    n = kpis[names[0]]["replications"]
    note = f"mean ± 95 % CI half-width over {n} replications; Δ: difference to {names[0]}"
    if n < MIN_FOR_INTERVAL:
        note = f"mean over {n} replication(s): too few replications for an interval"
    if differences:
        note += "; differences paired on common random numbers, * = distinguishable from 0 (paired t-tests, Holm, 5 %)"
    return "\n".join([*text, *textwrap.wrap(note, TABLE_WIDTH)])


def kpis_of(kpis: dict, names: list[str]) -> list[str]:
    return list(dict.fromkeys(kpi for name in names for kpi in kpis[name]["kpis"]))


def kpi_label_with_unit(kpi: str) -> str:
    unit = UNIT_SHOWN.get(unit_of(kpi), "")
    return f"{label_of(kpi, 'en')} ({unit})" if unit else label_of(kpi, "en")


def cell(summary: dict | None, kpi: str, difference: bool = False) -> str:
    """mean ± half-width in the KPI's display unit (shares in %, differences of shares in points)."""
    if summary is None or summary["mean"] is None:
        return "n/a"
    scale = 100.0 if unit_of(kpi) == "share" else 1.0
    if difference and summary["mean"] == 0 and summary.get("ci_low") == 0 and summary.get("ci_high") == 0:
        return "no change"
    mean = summary["mean"] * scale
    decimals = decimals_for(mean)
    if summary["ci_low"] is not None:
        half = (summary["ci_high"] - summary["ci_low"]) / 2 * scale
        decimals = decimals_for(max(abs(mean), half))
        while half and round(half, decimals) == 0 and decimals < 3:
            decimals += 1
        text = f"{number(mean, decimals, difference)} ± {number(half, decimals)}"
    else:
        text = number(mean, decimals, difference)
    if difference and summary.get("significant"):
        text += " *"
    return text


def decimals_for(value: float) -> int:
    """Decimals that show a value to about three significant digits, at most three."""
    size = abs(value)
    return 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 or size == 0 else 3


def number(value: float, decimals: int, signed: bool = False) -> str:
    """A number as a reader writes it: thousands separated, fixed decimals, never 1e-05."""
    return f"{value:{'+' if signed else ''},.{decimals}f}"
