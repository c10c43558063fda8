"""What the commands share: the command line, one-sentence errors, running an experiment, the KPI table.

`python -m sim.run`, `python -m sim.compare`, `python -m sim` and `python -m sim.regress` are thin
Hydra entry points. `start` hands Hydra the user's command line with every scenario override
carried to the alternatives (`sim.config.compose.command_line`); a user's mistake ends in one
sentence on stderr and exit code 2, not a traceback.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import re
import shutil
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import MISSING as MISSING_FIELD
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path

import yaml
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.config_loader import ConfigLoader
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import CompactHydraException, HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError
from sim.config.compose import (
    KEY_NOT_IN,
    Experiment,
    as_typed,
    command_line,
    explain,
    first_line,
    omegaconf_sentence,
    period,
    setting_sentence,
)
from sim.config.schema import RankConfig, ReportConfig, RunnerConfig, ScenarioConfig, register_configs
from sim.config.validate import AUTO, validate_runner
from sim.experiment import folders, outputs
from sim.experiment.outputs import provenance, write_json, write_results, write_text
from sim.experiment.precision import auto_replications
from sim.experiment.replicate import Scenario, run_replications, worker_count
from sim.table import kpi_table

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
        value = item.default
        match = re.search(rf"^\s+{item.name}: [^=\n]+= [^#\n]+#\s*(.+)$", source, flags=re.M)
        if value is MISSING_FIELD and item.default_factory is not MISSING_FIELD and match:
            value = item.default_factory()  # a documented list or mapping; a nested section has its own keys
            if not isinstance(value, list | dict):
                continue
        if value is MISSING_FIELD or value == "???":
            continue
        default = OmegaConf.to_yaml({"value": value}).strip().removeprefix("value: ")
        keys.append((f"{prefix}{item.name}={default}", match.group(1) if match else ""))
    width = max((len(key) for key, _ in keys), default=0)
    return [f"  {key.ljust(width)}  {what}".rstrip() for key, what in keys]


def help_text(doc: str, examples: list[str], settings: tuple[str, ...] = ()) -> str:
    """What `--help` prints: what the command does, its own settings (`settings`: sections of
    SETTINGS), its run settings and main keys with their defaults, examples, and where the rest is."""
    lines = [doc.strip()]
    for section in settings:
        lines += ["", f"Its settings ({section}.*):", *documented_keys(SETTINGS[section], f"{section}.")]
    lines += ["", "Run settings (runner.*; seed=, replications=, workers= for short):"]
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


def start(
    hydra_main: Callable[[], None],
    own_keys: list[str],
    doc: str = "",
    examples: tuple = (),
    settings: tuple = (),
    sweeps: bool = True,
) -> None:
    """Run a Hydra entry point on the user's command line. A mistake Hydra finds while composing
    the config (before the command's own code runs, or between the jobs of a sweep) is one sentence
    on stderr and exit code 2, like the command's own errors: its stderr is held until the command
    starts (`user_errors`). A sweep Hydra stops halfway keeps what it finished (`keep_finished_jobs`).
    `--help` prints `help_text`. A command that writes no kpis.json (`sweeps=False`: sim.rank,
    sim.warmup) refuses a sweep (-m) up front. The command line as typed is kept for provenance.json."""
    global _held
    if doc and any(item in ("--help", "-h") for item in sys.argv[1:]):
        print(help_text(doc, list(examples), settings))
        sys.exit(0)
    outputs.typed_command = list(sys.argv)
    os.environ[outputs.COMMAND_ENV] = outputs.command_text()
    try:
        if not sweeps and multirun(sys.argv[1:]):
            raise ConfigError(f"{command_name()} does not sweep (-m/--multirun); run one setting at a time.")
        check_launcher(sys.argv[1:])
        sys.argv = [sys.argv[0], *command_line(sys.argv[1:], own_keys)]
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    held = _held = _HeldStderr()
    try:
        hydra_main()
    except CommandFailed:
        raise
    except SystemExit as stop:
        failed = stop.code not in (0, None)
        message = hydra_error(held.getvalue(), sys.argv[1:]) if failed and held.holding else None
        if message:
            held.discard()
        if failed and _sweep is not None:
            kept = keep_finished_jobs()
            message = f"{message.rstrip('.')}; {kept}" if message and kept else message or kept
        if message:
            print(f"error: {message}", file=sys.stderr)
            sys.exit(2)
        if stop.code == 1:
            sys.exit(2)
        raise
    finally:
        held.release()
        _held = None


def multirun(arguments: list[str]) -> bool:
    """Whether a command line asks Hydra for a sweep."""
    return any(item in ("-m", "--multirun") or item.replace(" ", "") == "hydra.mode=MULTIRUN" for item in arguments)


def command_name() -> str:
    """The running command as the user names it (sim.rank), from `python -m sim.rank`."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return spec.name.removesuffix(".__main__") if spec is not None and spec.name else Path(sys.argv[0]).stem


class _HeldStderr(io.StringIO):
    """Stderr held back while Hydra composes the config; released when the command starts."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.hold()

    def hold(self) -> None:
        if not self.holding:
            self.holding, self.real, sys.stderr = True, sys.stderr, self

    def release(self) -> None:
        if self.holding:
            self.holding = False
            sys.stderr = self.real
            self.real.write(self.getvalue())
            self.seek(0)
            self.truncate()

    def discard(self) -> None:
        """Hydra's error has been said in one sentence: drop its own lines."""
        self.seek(0)
        self.truncate()
        self.release()


_held: _HeldStderr | None = None  # the command line's stderr, while `start` runs a command


def release_stderr() -> None:
    """The command has started: what Hydra said while composing (warnings) goes out now."""
    if _held is not None:
        _held.release()


def hold_stderr() -> None:
    """A job of a sweep has ended: hold stderr again while Hydra composes the next job."""
    if _held is not None and _sweep is not None:
        _held.hold()


def refuse(message: str) -> None:
    """Stop before anything runs: one sentence on stderr (instead of what Hydra said), exit code 2."""
    if _held is not None:
        _held.discard()
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


@dataclass
class Sweep:
    """A sweep under way: its folder, the multirun config, and every job's overrides in Hydra's order."""

    folder: Path
    config: DictConfig
    loader: ConfigLoader  # Hydra's, kept for after Hydra has stopped
    jobs: list[list[str]]


_sweep: Sweep | None = None  # the sweep this process runs, from its start to its end


def begin_sweep(config: DictConfig) -> None:
    """Before a sweep's first job, before its folder is made (Hydra's on_multirun_start): compose
    every job's config as Hydra will, and refuse the sweep in one sentence if one cannot be
    composed, rather than stop halfway at that job. Another sweeper than Hydra's basic one
    chooses its jobs as it goes: those are not checked ahead."""
    global _sweep
    if config.hydra.sweeper.get("_target_") != BASIC_SWEEPER:
        return
    loader = GlobalHydra.instance().config_loader()
    jobs = sweep_jobs(config, loader)
    for number, overrides in enumerate(jobs):
        error = composition_error(loader, config, overrides)
        if error:
            refuse(f"sweep job {number} ({swept_values(jobs, overrides)}): {error.rstrip('.')}; no job was started.")
    _sweep = Sweep(Path(config.hydra.sweep.dir), config, loader, jobs)


def end_sweep() -> None:
    """The sweep has run every job (Hydra's on_multirun_end): what follows is said as it comes."""
    global _sweep
    _sweep = None
    release_stderr()


def sweep_jobs(config: DictConfig, loader: ConfigLoader) -> list[list[str]]:
    """Every job's overrides, as Hydra's basic sweeper makes them: the product of the swept values
    of hydra.sweeper.params and of the command line."""
    params = config.hydra.sweeper.get("params") or {}
    arguments = [f"{key}={value}" for key, value in params.items()]
    arguments += OmegaConf.to_container(config.hydra.overrides.task, resolve=False)
    parser = OverridesParser.create(config_loader=loader)
    (jobs,) = BasicSweeper.split_arguments(parser.parse_overrides(arguments), None)
    return jobs


COMPOSITION_ERRORS = (HydraException, OmegaConfBaseException, yaml.YAMLError, ValueError, RecursionError, OSError)


def composition_error(loader: ConfigLoader, config: DictConfig, overrides: list[str]) -> str | None:
    """Why Hydra cannot compose a sweep job's config, in one sentence as for a single run; None if it can."""
    try:
        loader.load_sweep_config(config, list(overrides))
    except COMPOSITION_ERRORS as error:  # as Hydra prints it (run_and_report), then in one sentence
        if isinstance(error, CompactHydraException):
            cause = error.__cause__
            text = f"{error}\n{cause}" if isinstance(cause, OmegaConfBaseException) else str(error)
        else:
            text = "".join(traceback.format_exception(error))
        return hydra_error(text, sys.argv[1:])
    return None


def swept_values(jobs: list[list[str]], overrides: list[str]) -> str:
    """A job's overrides that differ between the jobs of its sweep, as typed."""
    varying = [item for item in overrides if not all(item in job for job in jobs)] or overrides
    return " ".join(as_typed(item) for item in varying)


def keep_finished_jobs() -> str | None:
    """A sweep Hydra stopped halfway (a job it could no longer compose, a launcher that failed):
    every job it did not start gets a folder with its overrides and failed.json, and the finished
    jobs are summarised (sim.aggregate); return what was kept, to be said."""
    global _sweep
    sweep, _sweep = _sweep, None
    if not sweep.folder.is_dir():
        return None
    from sim.aggregate import aggregate  # sim.aggregate builds on this module

    started = {tuple(job_overrides(path)) for path in sweep.folder.glob("*/.hydra/overrides.yaml")}
    missing = [(number, job) for number, job in enumerate(sweep.jobs) if tuple(job) not in started]
    stopped_at, error = None, None
    for number, job in missing:  # the job Hydra stopped at is the first it cannot compose
        error = composition_error(sweep.loader, sweep.config, job)
        if error:
            stopped_at = number
            break
    where = f"at job {stopped_at}" if stopped_at is not None else "halfway"
    for number, job in missing:
        folder = sweep.folder / str(number)
        if folder.exists():  # a job's folder named otherwise (hydra.sweep.subdir) holds this name
            continue
        write_text(folder / ".hydra" / "overrides.yaml", yaml.safe_dump(list(job)))
        write_json(
            folder / "failed.json", {"error": error if number == stopped_at else f"not run: the sweep stopped {where}."}
        )
    summary, done, failed = aggregate(sweep.folder)
    return (
        f"the sweep stopped {where}: {done} finished job(s) are summarised in {summary},"
        f" {failed} failed or not run are listed in {summary.parent / 'failed_jobs.json'}."
    )


def job_overrides(path: Path) -> list[str]:
    """The overrides Hydra recorded for a job (.hydra/overrides.yaml); none if it cannot be read."""
    try:
        overrides = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):  # a job folder cut short: it counts as not started
        return []
    return [str(item) for item in overrides] if isinstance(overrides, list) else []


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
    if first.startswith(("Error merging override", "Could not override")):
        return override_error(lines)
    if "Available options in" in text:
        listed = lines[1 : next((i for i, line in enumerate(lines) if line.startswith("Config search path")), None)]
        options = [line for line in listed if not line.startswith("Available options") and not line.endswith("_schema")]
        return f"{first.rstrip('.')}; allowed: {', '.join(options)}."
    if first.startswith(("LexerNoViableAltException", "mismatched input")):
        given = as_typed(lines[0].partition(":")[2].strip()) if ":" in lines[0] else ""
        letters = sorted({char for char in given if not char.isascii()})
        if letters:  # Hydra's grammar accepts letters such as ü only inside quoted values
            return (
                f"'{given}': Hydra reads a value with {', '.join(letters)} only in quotes; write it quoted,"
                " e.g. key='Lützelbach' or [Breuberg, 'Lützelbach']."
            )
        return f"'{given}' is not an override of the form key=value (Hydra's override syntax)."
    if first.endswith("raised while composing config:") and len(lines) > 1:
        return period(f"{first.partition(':')[0]}: {explain(lines[1], full_key_of(lines))}")
    if KEY_NOT_IN.search(first):  # a key a config file sets that the schema has not
        where, _, message = first.rpartition(": ")
        sentence = explain(message, full_key_of(lines))
        return period(f"{where}: {sentence}" if where else sentence)
    return first if first.endswith(".") else first + "."


def full_key_of(lines: list[str]) -> str | None:
    """The key OmegaConf names in its error (`full_key: KEY`)."""
    return next((line.removeprefix("full_key:").strip() for line in lines if line.startswith("full_key:")), None)


def override_error(lines: list[str]) -> str:
    """An override Hydra could not apply: why, naming its key (an unknown key with the nearest
    known one, a value of the wrong type, a list given without brackets)."""
    first = lines[0]
    if first.startswith("Error merging override"):
        override = as_typed(first.removeprefix("Error merging override").strip())
    else:
        override = first.removeprefix("Could not override").strip().strip(".").strip("'")
    key = full_key_of(lines) or override.partition("=")[0].lstrip("+")
    causes = [
        line for line in lines[1:] if not line.startswith(("To append", "full_key:", "reference_type", "object_type"))
    ]
    if not causes:
        return f"{override}: not allowed."
    sentence = explain(causes[0], key)
    return period(sentence if key in sentence else f"{override}: {sentence}")


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
        return (
            f"{looping_config(arguments)} includes itself in its defaults list, directly or through another;"
            " check its defaults:."
        )
    return f"{kind}: {message.rstrip('.')} while composing the config."


def looping_config(arguments: list[str]) -> str:
    """The config file whose defaults list names itself (of the added config folders), else the
    chosen scenario's file."""
    for path in config_files(arguments):
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError):
            continue
        defaults = content.get("defaults") if isinstance(content, dict) else None
        names = [str(entry).strip("/") for entry in defaults or [] if isinstance(entry, str)]
        if path.stem in names or f"{path.parent.name}/{path.stem}" in names:
            return str(path)
    choice = next((item.partition("=")[2] for item in arguments if item.startswith("scenario=")), None)
    return f"scenario/{choice}.yaml" if choice else "a config"


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
    except ConfigError as error:
        record_failure(str(error).strip().splitlines()[0])
    except (OmegaConfBaseException, HydraException) as error:
        record_failure(period(first_line(error)))
    except OSError as error:  # a results folder that cannot be written: read-only, full, gone
        if error.filename is None:
            raise
        record_failure(f"cannot use '{error.filename}': {error.strerror} (is the results folder writable?).")
    except Exception as error:
        if not in_sweep():
            raise
        said = (str(error).strip().splitlines() or [""])[0]
        record_failure(f"{type(error).__name__}: {said}")


def in_sweep() -> bool:
    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def record_failure(message: str) -> None:
    """Say what went wrong in one line; in a sweep, record it in the job's failed.json and go on."""
    print(f"error: {message}", file=sys.stderr)
    if not in_sweep():
        remove_unfinished_results()
        remove_unused_folder()
        sys.exit(2)
    folder = Path(HydraConfig.get().runtime.output_dir)
    if not (folder / "kpis.json").exists():
        write_json(folder / "failed.json", {"error": message})


def remove_unfinished_results() -> None:
    """A single run that failed while writing (a full disk) leaves no half results: what it wrote
    into the folder it claimed is removed (never a folder another run claimed, nor finished results)."""
    if not HydraConfig.initialized():
        return
    folder = Path(HydraConfig.get().runtime.output_dir)
    if folder not in folders.claimed or folders.finished(folder):
        return
    outputs.remove_unfinished(folder)
    for leftover in (folder / "scenarios", folder / "figures"):
        if leftover.is_dir():
            for path in leftover.iterdir():
                if path.is_file() and (
                    path.suffix in (".png", ".svg", ".yaml") or path.name.endswith(outputs.TEMPORARY)
                ):
                    path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                leftover.rmdir()  # only if it is empty now
    (folder / folders.CLAIM).unlink(missing_ok=True)
    folders.claimed.discard(folder)


def remove_unused_folder() -> None:
    """A command that stopped before writing results leaves no folder behind: Hydra's own files
    (.hydra/, the log) are removed with the folder it made, never a folder that holds anything else."""
    if not HydraConfig.initialized():
        return
    folder = Path(HydraConfig.get().runtime.output_dir)
    hydra_files = {".hydra", f"{HydraConfig.get().job.name}.log", folders.CLAIM, folders.CLAIM_LOCK}
    if (folder / folders.CLAIM).exists() and folder not in folders.claimed:
        return  # another run's
    if folder.is_dir() and {entry.name for entry in folder.iterdir()} <= hydra_files:
        shutil.rmtree(folder, ignore_errors=True)


SETTINGS = {"runner": RunnerConfig, "report": ReportConfig, "rank": RankConfig}  # a command's own sections


def refuse_unknown_settings(cfg: DictConfig) -> None:
    """A key added to a command's own settings (`+rank.colour=red`) is refused by name: '+' adds to a
    scenario only, a setting that does not exist would be ignored silently."""
    for section, schema in SETTINGS.items():
        if section not in cfg:
            continue
        known = [item.name for item in fields(schema)]
        for key in cfg[section]:
            if key not in known:
                raise ConfigError(period(setting_sentence(section, schema, str(key))))
        try:
            OmegaConf.structured(OmegaConf.to_object(cfg[section]))  # typed again, as validate_rank does
        except OmegaConfBaseException as error:  # a value of the wrong kind, named by its key
            key = str(getattr(error, "full_key", None) or "")
            if key and not key.startswith(f"{section}."):
                error.full_key = f"{section}.{key}"  # the key as the user gives it
            raise ConfigError(period(omegaconf_sentence(error))) from None


def runner_of(cfg: DictConfig) -> RunnerConfig:
    """The checked run settings of a command's config (none of its own settings unknown)."""
    refuse_unknown_settings(cfg)
    runner = OmegaConf.to_object(cfg.runner)
    validate_runner(runner)
    return runner


def overrides_of(cfg: DictConfig) -> tuple[dict, dict]:
    """The user's scenario overrides, as carried by the command line: (change, add)."""
    return OmegaConf.to_container(cfg.change), OmegaConf.to_container(cfg.add)


def output_folder() -> Path:
    """The run's new results folder (Hydra's run dir), claimed for this run alone (sim.experiment.folders)."""
    return folders.take(Path(HydraConfig.get().runtime.output_dir))


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
    run_provenance = provenance(runner, experiment.alternatives[0].config, started, workers)
    kpis, comparison = write_results(folder, experiment, runner, worlds, all_runs, run_provenance, rule)
    names = [alternative.name for alternative in experiment.alternatives]
    print(kpi_table(kpis["scenarios"], comparison.get("differences", {}), names))
    return kpis
