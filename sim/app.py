"""What the command-line entry points share: load and check a config, run, write, report.

`python -m sim.run`, `python -m sim.compare` and `python -m sim` are thin Hydra wrappers around
`run_and_write`; a user's mistake ends in one sentence on stderr and exit code 2, not a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError
from sim.config.schema import Config, register_configs
from sim.config.validate import validate
from sim.experiment.outputs import provenance, write_json, write_results
from sim.experiment.replicate import run_replications, worker_count
from sim.experiment.stats import excludes_zero
from sim.metrics import KPI_NAMES

register_configs()


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn configuration mistakes into one line on stderr and exit code 2.

    In a sweep (Hydra multirun) the job's folder records the error in failed.json and the sweep
    goes on with its other jobs; `sim.aggregate` lists it among the failed jobs."""
    try:
        yield
    except (ConfigError, OmegaConfBaseException, HydraException) as error:
        message = str(error).strip().splitlines()[0]
        print(f"error: {message}", file=sys.stderr)
        if not HydraConfig.initialized():
            sys.exit(2)
        folder = Path(HydraConfig.get().runtime.output_dir)
        if not (folder / "kpis.json").exists():
            write_json(folder / "failed.json", {"error": message})
        if HydraConfig.get().mode != RunMode.MULTIRUN:
            sys.exit(2)


def to_config(cfg: DictConfig) -> Config:
    """A typed, validated scenario config from a composed one."""
    config = OmegaConf.to_object(cfg)
    validate(config)
    return config


def output_folder() -> Path:
    """The run's new results folder (Hydra's run dir); refuse one that already holds results."""
    folder = Path(HydraConfig.get().runtime.output_dir)
    if (folder / "kpis.json").exists():
        raise ConfigError(f"hydra.run.dir '{folder}' already holds results; choose a new folder.")
    return folder


def run_and_write(configs: list[Config], folder: Path) -> dict:
    """Run every scenario's replications, write the results folder, print the KPI table."""
    started = datetime.now(UTC)
    first = configs[0]
    for config in configs[1:]:
        for key in ("seed", "replications", "horizon_days", "warmup_days"):
            if getattr(config, key) != getattr(first, key):
                raise ConfigError(
                    f"{key} differs between scenarios {first.name} and {config.name}; a comparison"
                    " on common random numbers needs the same value (set it on the command line)."
                )
    workers = worker_count(first.workers)
    all_runs = run_replications(configs, workers)
    kpis, comparison = write_results(folder, configs, all_runs)
    write_json(folder / "provenance.json", provenance(first, started, workers))
    print(kpi_table(kpis["scenarios"], comparison.get("differences", {}), [config.name for config in configs]))
    return kpis


def kpi_table(kpis: dict, differences: dict, names: list[str]) -> str:
    """KPIs per scenario with 95 % CIs and, for a comparison, the paired differences."""
    header = ["kpi", *names, *(f"{name} - {names[0]}" for name in differences)]
    lines = []
    for kpi in KPI_NAMES:
        cells = [kpi, *(interval(kpis[name]["kpis"][kpi]) for name in names)]
        for name in differences:
            summary = differences[name][kpi]
            cells.append(interval(summary) + (" *" if excludes_zero(summary) else ""))
        lines.append(cells)
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    text = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in [header, *lines]]
    n = kpis[names[0]]["replications"]
    note = f"mean [95 % CI] over {n} replications"
    if differences:
        note += "; differences paired on common random numbers, * = CI excludes 0"
    return "\n".join([text[0], "-+-".join("-" * w for w in widths), *text[1:], note])


def interval(summary: dict) -> str:
    if summary["mean"] is None:
        return "n/a"
    if summary["ci_low"] is None:
        return number(summary["mean"])
    return f"{number(summary['mean'])} [{number(summary['ci_low'])}, {number(summary['ci_high'])}]"


def number(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
