"""A plain, idiomatic SimPy M/M/c queue: the yardstick for the simulator's own cost.

One process per customer, a `simpy.Resource` with c servers, exponential gaps and service times
from Python's `random` module, times in minutes. It counts what the simulator's `mmc` scenario
reports: customers who started service and their mean wait in the queue.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from dataclasses import dataclass

import simpy


@dataclass
class QueueStats:
    served: int = 0
    wait_total_min: float = 0.0

    @property
    def mean_wait_min(self) -> float:
        return self.wait_total_min / self.served if self.served else float("nan")


def customer(env: simpy.Environment, servers: simpy.Resource, service_min: float, stats: QueueStats) -> Generator:
    """Wait for a free server, then hold it for the service time."""
    arrival = env.now
    with servers.request() as request:
        yield request
        stats.served += 1
        stats.wait_total_min += env.now - arrival
        yield env.timeout(service_min)


def source(
    env: simpy.Environment,
    servers: simpy.Resource,
    rng: random.Random,
    arrival_rate_per_min: float,
    service_mean_min: float,
    stats: QueueStats,
) -> Generator:
    """Poisson arrivals, each a new customer process."""
    while True:
        yield env.timeout(rng.expovariate(arrival_rate_per_min))
        env.process(customer(env, servers, rng.expovariate(1.0 / service_mean_min), stats))


def simulate_mmc(
    servers: int, arrival_rate_per_hour: float, service_mean_min: float, horizon_min: float, seed: int
) -> QueueStats:
    """Run the queue from empty to the horizon."""
    env = simpy.Environment()
    stats = QueueStats()
    resource = simpy.Resource(env, capacity=servers)
    env.process(source(env, resource, random.Random(seed), arrival_rate_per_hour / 60.0, service_mean_min, stats))
    env.run(until=horizon_min)
    return stats
