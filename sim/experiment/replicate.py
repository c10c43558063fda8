"""Replications: `single_run` is the one call everything else (compare, regress, sweeps) builds on.

Replication r of every scenario uses the random streams of (seed, r), so scenarios are compared
on common random numbers, and the results do not depend on how many processes ran them.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed

from tqdm import tqdm

from sim.config.schema import Config
from sim.metrics import RunResult
from sim.model import World, build_world, simulate

_worlds: list[World] = []  # per worker process: the prepared scenarios


def single_run(config: Config, replication: int = 0, world: World | None = None) -> RunResult:
    """Run replication `replication` of a scenario with its seed."""
    return simulate(world or build_world(config), config.seed, replication)


def worker_count(requested: int) -> int:
    """The processes to use: the requested number, or all cores for 0."""
    return requested if requested > 0 else os.cpu_count() or 1


def _prepare(configs: list[Config]) -> None:
    global _worlds
    _worlds = [build_world(config) for config in configs]


def _run(task: tuple[int, int]) -> tuple[int, int, RunResult]:
    scenario, replication = task
    world = _worlds[scenario]
    return scenario, replication, simulate(world, world.config.seed, replication)


def run_replications(configs: list[Config], workers: int = 0, progress: bool = True) -> list[list[RunResult]]:
    """All replications of each scenario, in replication order, on `workers` processes.

    A progress bar (replications done, time left) goes to stderr when it is a terminal."""
    tasks = [(s, r) for s, config in enumerate(configs) for r in range(config.replications)]
    results: list[list[RunResult | None]] = [[None] * config.replications for config in configs]
    bar = tqdm(total=len(tasks), desc="replications", unit="rep", disable=None if progress else True)
    processes = min(worker_count(workers), len(tasks))
    if processes <= 1:
        _prepare(configs)
        for task in tasks:
            scenario, replication, result = _run(task)
            results[scenario][replication] = result
            bar.update()
    else:
        with ProcessPoolExecutor(processes, initializer=_prepare, initargs=(configs,)) as pool:
            for future in as_completed([pool.submit(_run, task) for task in tasks]):
                scenario, replication, result = future.result()
                results[scenario][replication] = result
                bar.update()
    bar.close()
    return results  # type: ignore[return-value]
