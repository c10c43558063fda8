"""python -m sim.aggregate SWEEP_FOLDER: one summary.csv and the sweep's figures, failed jobs listed.

A sweep (`python -m sim.run -m seed=1,2 sites.eisenach.counsellors=24,30`) writes one folder per
job. At its end the `AggregateSweep` callback (configs/run.yaml, configs/compare.yaml) writes

- `summary.csv`: one row per job and scenario, a column per key the sweep set (as typed), the
  replications, every KPI's mean and 95 % CI and, for a comparison, each alternative's paired
  difference to the baseline with its CI and whether it is distinguishable (Holm);
- `figures/sweep_<key>.png|svg`: key KPIs against each swept value with CI bands, one line per
  scenario and value of the other swept keys; `figures/sweep_heatmap.png|svg` for two numeric keys;
- `failed_jobs.json`: each job without results, with its error.

A sweep that broke halfway is aggregated by running this command on its folder.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hydra.experimental.callback import Callback

from sim.cli import CommandFailed, begin_sweep, end_sweep, hold_stderr
from sim.config.compose import as_typed
from sim.experiment.outputs import write_csv, write_json
from sim.kpi.registry import KPIS

STATISTICS = ("mean", "ci_low", "ci_high")
USAGE = "give the folder of one sweep: python -m sim.aggregate results/run-sweep/<time>"
SWEEP_MARK = "multirun.yaml"  # Hydra writes it at the root of every sweep folder


@dataclass
class Job:
    """One job of a sweep: the keys it set, and its results or its error."""

    name: str
    overrides: dict[str, str]  # key as typed -> value as typed
    kpis: dict[str, dict[str, dict]] = field(default_factory=dict)  # scenario -> kpi -> summary
    replications: dict[str, int] = field(default_factory=dict)  # scenario -> replications
    differences: dict[str, dict[str, dict]] = field(default_factory=dict)  # alternative -> kpi -> paired difference
    error: str | None = None


def read_job(folder: Path) -> Job:
    """A job folder's overrides and results (kpis.json, comparison.json) or its error (failed.json).
    A file that cannot be read (cut short, not JSON or YAML) makes the job a failed one, saying which."""
    overrides_file = folder / ".hydra" / "overrides.yaml"
    try:
        given = yaml.safe_load(overrides_file.read_text(encoding="utf-8")) or []
        if not isinstance(given, list) or not all(isinstance(item, str) for item in given):
            raise ValueError("not a list of overrides")
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
        return Job(folder.name, {}, error=f"{overrides_file} cannot be read ({first_line(error)})")
    job = Job(folder.name, dict(as_typed(item).split("=", 1) for item in given if "=" in item))
    current = folder / "kpis.json"
    try:
        if not current.is_file():
            job.error = "did not finish (no kpis.json)"
            current = folder / "failed.json"
            if current.is_file():
                job.error = str(json.loads(current.read_text(encoding="utf-8"))["error"])
            return job
        for scenario, entry in json.loads(current.read_text(encoding="utf-8"))["scenarios"].items():
            job.kpis[scenario] = entry["kpis"]
            job.replications[scenario] = entry["replications"]
        current = folder / "comparison.json"
        if current.is_file():
            job.differences = json.loads(current.read_text(encoding="utf-8")).get("differences", {})
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        job.kpis, job.replications, job.differences = {}, {}, {}
        job.error = f"{current} cannot be read ({first_line(error)})"
    return job


def first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def swept_keys(jobs: list[Job]) -> list[str]:
    """Every key a job set, in the order they were first given (the scenario has its own column)."""
    return list(dict.fromkeys(key for job in jobs for key in job.overrides if key != "scenario"))


def summary_rows(jobs: list[Job]) -> tuple[tuple[str, ...], list[tuple]]:
    """The header and rows of summary.csv: one row per finished job and scenario."""
    keys = swept_keys(jobs)
    done = [job for job in jobs if job.error is None]
    present = {kpi for job in done for scenario in job.kpis.values() for kpi in scenario}
    kpis = [kpi for kpi in KPIS if kpi in present]
    compared = [kpi for kpi in KPIS if any(kpi in diff for job in done for diff in job.differences.values())]
    header = (
        "job",
        *keys,
        "scenario",
        "replications",
        *(f"{kpi}_{statistic}" for kpi in kpis for statistic in STATISTICS),
        *(f"{kpi}_diff_{statistic}" for kpi in compared for statistic in (*STATISTICS, "significant")),
    )
    rows = []
    for job in done:
        for scenario, values in job.kpis.items():
            difference = job.differences.get(scenario, {})
            rows.append(
                (
                    job.name,
                    *(job.overrides.get(key, "") for key in keys),
                    scenario,
                    job.replications[scenario],
                    *(values.get(kpi, {}).get(statistic) for kpi in kpis for statistic in STATISTICS),
                    *(
                        difference.get(kpi, {}).get(statistic)
                        for kpi in compared
                        for statistic in (*STATISTICS, "significant")
                    ),
                )
            )
    return header, rows


def aggregate(sweep: Path) -> tuple[Path, int, int]:
    """Write summary.csv, the figures and failed_jobs.json into the sweep folder; return (summary, done, failed)."""
    from sim.report.sweep import write_sweep_figures  # matplotlib only when there is a sweep to draw

    folders = sorted((path.parent.parent for path in sweep.glob("*/.hydra/overrides.yaml")), key=job_order)
    jobs = [read_job(folder) for folder in folders]
    header, rows = summary_rows(jobs)
    write_csv(sweep / "summary.csv", header, rows)
    failed = [{"job": job.name, "overrides": overrides_text(job), "error": job.error} for job in jobs if job.error]
    write_json(sweep / "failed_jobs.json", failed)
    if rows:
        write_sweep_figures(sweep / "figures", header, rows, swept_keys(jobs))
    return sweep / "summary.csv", len(jobs) - len(failed), len(failed)


def overrides_text(job: Job) -> str:
    return " ".join(f"{key}={value}" for key, value in job.overrides.items())


def job_order(job: Path) -> tuple[int, str]:
    return (int(job.name), "") if job.name.isdigit() else (sys.maxsize, job.name)


def report(sweep: Path) -> None:
    """Aggregate and say so; exit code 1 if any job failed, as Hydra does."""
    summary, done, failed = aggregate(sweep)
    note = f"; {failed} failed, see {sweep / 'failed_jobs.json'}" if failed else ""
    print(f"sweep: {done} job(s) summarised in {summary}, figures in {sweep / 'figures'}{note}")
    if failed:
        raise CommandFailed(1)


class AggregateSweep(Callback):
    """Check every job of a sweep before it starts, and aggregate its job folders when it ends
    (or, when Hydra stops it halfway, `sim.cli.start` aggregates what it finished)."""

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        begin_sweep(config)

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        hold_stderr()

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        end_sweep()
        report(Path(config.hydra.sweep.dir))


def main() -> None:
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        print(f"error: {USAGE}", file=sys.stderr)
        sys.exit(2)
    sweep = Path(sys.argv[1])
    if not any(sweep.glob("*/.hydra/overrides.yaml")):
        print(f"error: {sweep} holds no sweep jobs (no */.hydra/overrides.yaml); {USAGE}", file=sys.stderr)
        sys.exit(2)
    if not (sweep / SWEEP_MARK).is_file():
        print(
            f"error: {sweep} is not the folder of a sweep (Hydra writes {SWEEP_MARK} there); {USAGE}.",
            file=sys.stderr,
        )
        sys.exit(2)
    report(sweep)


if __name__ == "__main__":
    main()
