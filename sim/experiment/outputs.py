"""The results folder: KPIs with confidence intervals, per-replication values, provenance.

Every file is written atomically (a hidden temporary file `.NAME.*.tmp`, then a rename), so a crash
leaves no half file, and `kpis.json` is written last: a folder without it did not finish and is not
read as results. The layout is described in docs/outputs.md.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

import sim
from sim.config.compose import Alternative, Experiment
from sim.config.schema import RunnerConfig, ScenarioConfig
from sim.config.sources import assumptions
from sim.district.calendar import clock_text, describe
from sim.experiment.stats import paired_difference, significant_differences, summarise
from sim.kpi.monitor import RunResult
from sim.kpi.registry import COUNSELLOR_KPIS, SITE_KPIS, level_kpis, unit_of
from sim.model import World

LIBRARIES = ("simpy", "numpy", "scipy", "hydra-core", "omegaconf", "matplotlib", "tqdm", "jinja2", "babel")
typed_command: list[str] | None = None  # the command line as the user typed it (sim.cli.start keeps it)
COMMAND_ENV = "OUTREACH_SIM_COMMAND"  # the same, for the worker processes of a sweep's launcher


TEMPORARY = ".tmp"  # a file being written: `.NAME.<random>.tmp`, hidden, never read as a result
DONE = ("kpis.json", "ranking.json", "warmup.json")  # each command writes its own last: the folder is complete
UNFINISHED = (  # what a command writes before its DONE file (and failed.json, a sweep job's error)
    *("comparison.json", "replications.csv", "municipalities.csv", "sites.csv", "counsellors.csv"),
    *("wait_days.csv", "scenarios.json", "assumptions.json", "provenance.json", "failed.json"),
    *("ranking.csv", "scenario.yaml", "ranking.html", "weekly.csv"),
)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a hidden temporary file and a rename, so no half file remains,
    not even after a crash of the machine (the data is on disk before the rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:  # a full disk says so without a file name: name the file it was writing
        os.unlink(temporary)
        if error.filename is None:
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise
    except BaseException:
        os.unlink(temporary)
        raise


def remove_unfinished(folder: Path) -> None:
    """Remove what a run that stopped before its DONE file left in its folder (its files and their
    temporary files), so that the run taking the folder over does not mix its results with them."""
    scenarios = folder / "scenarios"
    leftovers = [folder / name for name in UNFINISHED] + sorted(scenarios.glob("*.yaml"))
    leftovers += [path for name in (*UNFINISHED, *DONE) for path in folder.glob(f".{name}.*{TEMPORARY}")]
    leftovers += sorted(scenarios.glob(f".*.yaml.*{TEMPORARY}"))
    for path in leftovers:
        path.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    write_atomically(path, text.encode("utf-8"))


def write_json(path: Path, data: object) -> None:
    write_text(path, json.dumps(clean(data), indent=2, ensure_ascii=False) + "\n")


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_text(path, buffer.getvalue())


def clean(value: object) -> object:
    """JSON-ready: NaN becomes null, numpy numbers become Python numbers."""
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(item) for item in value]
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def scenario_kpis(alternative: Alternative, runner: RunnerConfig, runs: list[RunResult]) -> dict:
    """The kpis.json entry of one alternative: its KPIs (those of its model components)."""
    return {
        "replications": len(runs),
        "seed": runner.seed,
        "horizon_days": alternative.config.horizon_days,
        "warmup_days": alternative.config.warmup_days,
        "kpis": {kpi: bounded(summarise([run.kpis[kpi] for run in runs]), kpi) for kpi in runs[0].kpis},
    }


def comparison(names: list[str], all_runs: list[list[RunResult]]) -> dict:
    """Paired differences of every alternative against the first (the baseline), on the KPIs both have."""
    baseline = all_runs[0]
    return {
        "baseline": names[0],
        "differences": {
            name: significant_differences(
                {
                    kpi: paired_difference([run.kpis[kpi] for run in runs], [run.kpis[kpi] for run in baseline])
                    for kpi in runs[0].kpis
                    if kpi in baseline[0].kpis
                }
            )
            for name, runs in zip(names[1:], all_runs[1:])
        },
    }


def write_results(
    folder: Path,
    experiment: Experiment,
    runner: RunnerConfig,
    worlds: list[World],
    all_runs: list[list[RunResult]],
    run_provenance: dict,
    replications_rule: dict | None = None,
) -> tuple[dict, dict]:
    """Write every result file of a run or comparison, kpis.json last (a folder that has it is
    complete); return the content of kpis.json and of comparison.json (empty for a single
    scenario). With replications=auto, `replications_rule` is how their number was chosen
    (sim.experiment.precision), recorded with every scenario."""
    alternatives = experiment.alternatives
    names = [alternative.name for alternative in alternatives]
    kpis = {"scenarios": {a.name: scenario_kpis(a, runner, runs) for a, runs in zip(alternatives, all_runs)}}
    if replications_rule is not None:
        for entry in kpis["scenarios"].values():
            entry["replications_rule"] = replications_rule
    differences = comparison(names, all_runs) if len(alternatives) > 1 else {}
    if differences:
        write_json(folder / "comparison.json", differences)
    replication_rows, municipality_rows, site_rows, counsellor_rows, wait_rows, tour_rows = [], [], [], [], [], []
    scenarios_meta, assumption_table = {}, {}
    for alternative, world, runs in zip(alternatives, worlds, all_runs):
        name, config = alternative.name, alternative.config
        write_text(folder / "scenarios" / f"{name}.yaml", OmegaConf.to_yaml(OmegaConf.structured(config)))
        for replication, run in enumerate(runs):
            replication_rows += [(name, replication, kpi, clean(value)) for kpi, value in run.kpis.items()]
        for m, municipality in enumerate(world.region.names):
            place = (name, world.region.ags[m], municipality, world.region.lat[m], world.region.lon[m])
            for kpi in (k for k in level_kpis("municipality") if k in runs[0].municipalities):  # components' too
                municipality_rows.append((*place, kpi, *row([run.municipalities[kpi][m] for run in runs], kpi)))
        for site in world.sites:
            m = site.municipality
            place = (name, site.key, site.kind, world.region.names[m], world.region.lat[m], world.region.lon[m])
            for kpi in SITE_KPIS:
                site_rows.append((*place, kpi, *row([run.sites[site.key][kpi] for run in runs], kpi)))
        for course in world.courses:  # a course's places (sim.model.courses): rows of kind course
            for spot in course.places:
                m = spot.municipality
                place = (name, spot.key, "course", world.region.names[m], world.region.lat[m], world.region.lon[m])
                for kpi in runs[0].sites.get(spot.key, {}):
                    site_rows.append((*place, kpi, *row([run.sites[spot.key][kpi] for run in runs], kpi)))
        for office in world.offices:
            for kpi in COUNSELLOR_KPIS:
                counsellor_rows.append((name, office, kpi, *row([run.counsellors[office][kpi] for run in runs], kpi)))
        tour_rows += [(name, *row) for row in tour_table(world)]
        histogram = np.sum([run.wait_days_histogram for run in runs], axis=0)
        wait_rows += [(name, days, int(count)) for days, count in enumerate(histogram) if count]
        scenarios_meta[name] = {
            "scenario": config.name,
            "district": config.region.name,
            "label": alternative.label or {"de": name, "en": name},
            "question": dict(experiment.question) or None,
            "sites": [site_description(world, site) for site in world.sites],
        }
        assumption_table[name] = assumptions(config, int(world.client_counts.sum()))
    where = ("scenario", "ags", "municipality", "lat", "lon")
    summary = ("kpi", "mean", "ci_low", "ci_high", "n")
    write_csv(folder / "replications.csv", ("scenario", "replication", "kpi", "value"), replication_rows)
    write_csv(folder / "municipalities.csv", where + summary, municipality_rows)
    write_csv(folder / "sites.csv", ("scenario", "site", "kind", "municipality", "lat", "lon") + summary, site_rows)
    write_csv(folder / "counsellors.csv", ("scenario", "office") + summary, counsellor_rows)
    write_csv(folder / "wait_days.csv", ("scenario", "days", "count"), wait_rows)
    if tour_rows:
        write_csv(folder / "tours.csv", ("scenario", *TOUR_COLUMNS), tour_rows)
    write_json(folder / "scenarios.json", scenarios_meta)
    write_json(folder / "assumptions.json", assumption_table)
    write_json(folder / "provenance.json", run_provenance)
    write_json(folder / "kpis.json", kpis)
    return kpis, differences


def row(values: list[float], kpi: str) -> tuple:
    summary = clean(bounded(summarise(values), kpi))
    return summary["mean"], summary["ci_low"], summary["ci_high"], summary["n"]


def bounded(summary: dict, kpi: str) -> dict:
    """A KPI's interval cut to what it can be: a share within 0-1, every other KPI (counts, hours,
    days, minutes, km, euro) at least 0; `bounded` says that it was cut."""
    if summary["ci_low"] is None:
        return summary
    low, high = 0.0, 1.0 if unit_of(kpi) == "share" else math.inf
    if not low <= summary["mean"] <= high:
        return summary
    cut = {"ci_low": max(low, summary["ci_low"]), "ci_high": min(high, summary["ci_high"])}
    if (cut["ci_low"], cut["ci_high"]) == (summary["ci_low"], summary["ci_high"]):
        return summary
    return {**summary, **cut, "bounded": True}


TOUR_COLUMNS = ("vehicle", "kind", "date", "day", "order", "site", "municipality", "lat", "lon", "arrive", "depart")


def tour_table(world: World) -> list[tuple]:
    """Every vehicle's stops, day by day over the horizon, in the order driven (tours.csv)."""
    start = date.fromisoformat(world.config.start_date)
    rows = []
    for plan in world.vehicles:
        for tour_day in plan.days:
            if tour_day.day >= world.config.horizon_days:
                break
            for order, (index, session) in enumerate(tour_day.stops):
                site = world.sites[index]
                m = site.municipality
                opens, closes = site.hours[session]
                rows.append(
                    (
                        plan.key,
                        plan.kind,
                        (start + timedelta(days=tour_day.day)).isoformat(),
                        tour_day.day,
                        order,
                        site.key,
                        world.region.names[m],
                        float(world.region.lat[m]),
                        float(world.region.lon[m]),
                        clock_text(opens),
                        clock_text(closes),
                    )
                )
    return rows


def site_description(world, site) -> dict:
    m = site.municipality
    return {
        "name": site.key,
        "kind": site.kind,
        "municipality": world.region.names[m],
        "lat": float(world.region.lat[m]),
        "lon": float(world.region.lon[m]),
        "calendar": site.schedule or describe(world.config.sites[site.key].calendar),
        **({"vehicle": site.vehicle} if site.vehicle else {}),
    }


def git_commit() -> str | None:
    """The commit of the checkout the package runs from, if it is one."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(sim.__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def command_text() -> str:
    """The command line as typed: `python -m sim.run key=value ...` (not as handed to Hydra)."""
    if typed_command is None and os.environ.get(COMMAND_ENV):  # a sweep job in a launcher's worker process
        return os.environ[COMMAND_ENV]
    arguments = typed_command if typed_command is not None else sys.argv
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    module = spec.name.removesuffix(".__main__") if spec is not None and spec.name else None
    program = f"python -m {module}" if module else arguments[0]
    return " ".join([program, *(shlex.quote(item) for item in arguments[1:])])


def provenance(runner: RunnerConfig, config: ScenarioConfig, started: datetime, workers: int) -> dict:
    """What produced a results folder: versions, seed, command line, times."""
    versions = {}
    for library in LIBRARIES:
        try:
            versions[library] = metadata.version(library)
        except metadata.PackageNotFoundError:
            versions[library] = None
    return {
        "package_version": sim.__version__,
        "git_commit": git_commit(),
        "seed": runner.seed,
        "replications": runner.replications,
        "horizon_days": config.horizon_days,
        "warmup_days": config.warmup_days,
        "workers": workers,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": versions,
        "command": command_text(),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
    }
