"""python -m sim.aggregate SWEEP_FOLDER: one summary.csv for a Hydra sweep, failed jobs listed.

A sweep (`python -m sim.run -m seed=1,2 sites.eisenach.counsellors=24,30`) writes one folder per
job. At its end the `AggregateSweep` callback (configs/run.yaml) writes `summary.csv` (job,
overrides, scenario, KPI, mean, CI, n) and `failed_jobs.json` (each job without results, with its
error). A sweep that broke halfway is aggregated by running this command on its folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from hydra.experimental.callback import Callback

from sim.cli import CommandFailed
from sim.config.compose import as_typed
from sim.experiment.outputs import write_csv, write_json

HEADER = ("job", "overrides", "scenario", "kpi", "mean", "ci_low", "ci_high", "n")


def aggregate(sweep: Path) -> tuple[Path, int, int]:
    """Write summary.csv and failed_jobs.json into the sweep folder; return (summary, done, failed)."""
    rows, failed, done = [], [], 0
    jobs = sorted((path.parent.parent for path in sweep.glob("*/.hydra/overrides.yaml")), key=job_order)
    for job in jobs:
        given = yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text()) or []
        overrides = " ".join(as_typed(item) for item in given)
        if (job / "kpis.json").is_file():
            done += 1
            for scenario, entry in json.loads((job / "kpis.json").read_text())["scenarios"].items():
                for kpi, summary in entry["kpis"].items():
                    rows.append((job.name, overrides, scenario, kpi, *(summary[key] for key in HEADER[4:])))
        else:
            error = "did not finish (no kpis.json)"
            if (job / "failed.json").is_file():
                error = json.loads((job / "failed.json").read_text())["error"]
            failed.append({"job": job.name, "overrides": overrides, "error": error})
    write_csv(sweep / "summary.csv", HEADER, rows)
    write_json(sweep / "failed_jobs.json", failed)
    return sweep / "summary.csv", done, len(failed)


def job_order(job: Path) -> tuple[int, str]:
    return (int(job.name), "") if job.name.isdigit() else (sys.maxsize, job.name)


def report(sweep: Path) -> None:
    """Aggregate and say so; exit code 1 if any job failed, as Hydra does."""
    summary, done, failed = aggregate(sweep)
    note = f"; {failed} failed, see {sweep / 'failed_jobs.json'}" if failed else ""
    print(f"sweep: {done} job(s) summarised in {summary}{note}")
    if failed:
        raise CommandFailed(1)


class AggregateSweep(Callback):
    """Aggregate a sweep's job folders when the sweep ends."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        report(Path(config.hydra.sweep.dir))


def main() -> None:
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        print("error: give the folder of one sweep: python -m sim.aggregate results/run-sweep/<time>", file=sys.stderr)
        sys.exit(2)
    report(Path(sys.argv[1]))


if __name__ == "__main__":
    main()
