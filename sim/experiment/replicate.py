"""Replications: `single_run(scenario, replication)` is the one call every runner makes.

Serial runs, the process pool, a Dask cluster, the regression check and comparisons all go through it. A runner
takes any set of (alternative, replication) tasks, so "replications 10..19 of alternative 3" is
one call. Replication r of every alternative uses the random streams of (seed, r): alternatives
are compared on common random numbers, and no result depends on how many processes ran it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from tqdm import tqdm

from sim.config import ConfigError
from sim.config.schema import ScenarioConfig
from sim.kpi.monitor import RunResult
from sim.model import World, build_world, simulate

Task = tuple[int, int]  # (alternative, replication)


@dataclass(frozen=True)
class Scenario:
    """A scenario ready to run: its prepared world and the seed of its replications."""

    world: World
    seed: int

    @classmethod
    def prepare(cls, config: ScenarioConfig, seed: int) -> Scenario:
        return cls(build_world(config), seed)


def single_run(scenario: Scenario, replication: int) -> RunResult:
    """Run replication `replication` of a scenario."""
    return simulate(scenario.world, scenario.seed, replication)


def worker_count(requested: int) -> int:
    """The processes to use: the requested number, or all cores for 0."""
    return requested if requested > 0 else os.cpu_count() or 1


_scenarios: list[Scenario] = []  # per worker process: the scenarios its tasks refer to


def _keep(scenarios: list[Scenario]) -> None:
    global _scenarios
    _scenarios = scenarios


def _run(task: Task) -> tuple[Task, RunResult]:
    alternative, replication = task
    return task, single_run(_scenarios[alternative], replication)


def run_tasks(
    scenarios: list[Scenario],
    tasks: Iterable[Task],
    workers: int = 0,
    progress: bool = True,
    scheduler: str | None = None,
) -> dict[Task, RunResult]:
    """Run (alternative, replication) tasks on `workers` processes (0: all cores), or on Dask:
    `scheduler="local"` starts a LocalCluster of `workers` processes, an address uses that cluster.

    A progress bar (replications done, time left) goes to stderr when it is a terminal."""
    tasks = list(dict.fromkeys(tasks))
    results: dict[Task, RunResult] = {}
    bar = tqdm(total=len(tasks), desc="replications", unit="rep", disable=None if progress else True)
    processes = min(worker_count(workers), len(tasks))
    if scheduler is not None and tasks:
        for task, result in dask_tasks(scenarios, tasks, processes, scheduler):
            results[task] = result
            bar.update()
    elif processes <= 1:
        for task in tasks:
            alternative, replication = task
            results[task] = single_run(scenarios[alternative], replication)
            bar.update()
    else:
        with ProcessPoolExecutor(processes, initializer=_keep, initargs=(scenarios,)) as pool:
            for future in as_completed([pool.submit(_run, task) for task in tasks]):
                task, result = future.result()
                results[task] = result
                bar.update()
    bar.close()
    return results


def _run_on(scenarios: list[Scenario], task: Task) -> tuple[Task, RunResult]:
    """A task on a Dask worker, given the scenarios scattered to it once."""
    alternative, replication = task
    return task, single_run(scenarios[alternative], replication)


def dask_tasks(
    scenarios: list[Scenario], tasks: list[Task], processes: int, scheduler: str
) -> Iterator[tuple[Task, RunResult]]:
    """Tasks on a Dask cluster as they finish: the scenarios are sent to every worker once."""
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as finished
    except ImportError:
        raise ConfigError(
            f'runner.scheduler={scheduler} needs Dask: python -m pip install "outreach-sim[dask]".'
        ) from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=processes, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            shared = client.scatter(scenarios, broadcast=True)
            futures = [client.submit(_run_on, shared, task, pure=False) for task in tasks]
            for future in finished(futures):
                yield future.result()
    finally:
        if cluster is not None:
            cluster.close()


def run_replications(
    scenarios: list[Scenario],
    replications: int,
    workers: int = 0,
    progress: bool = True,
    scheduler: str | None = None,
) -> list[list[RunResult]]:
    """Replications 0..R-1 of every scenario, in replication order."""
    tasks = [(alternative, r) for alternative in range(len(scenarios)) for r in range(replications)]
    results = run_tasks(scenarios, tasks, workers, progress, scheduler)
    return [[results[alternative, r] for r in range(replications)] for alternative in range(len(scenarios))]
