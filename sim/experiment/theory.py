"""Queueing theory the model is checked against (tests/validation, experiments/benchmark.py)."""

from __future__ import annotations

import math


def erlang_c_wait_min(servers: int, arrival_per_hour: float, service_mean_min: float) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C), in minutes."""
    offered = arrival_per_hour * service_mean_min / 60.0
    if offered >= servers:
        return math.inf
    terms = sum(offered**k / math.factorial(k) for k in range(servers))
    top = offered**servers / math.factorial(servers) / (1 - offered / servers)
    return top / (terms + top) * service_mean_min / (servers - offered)


def erlang_a_queue_length(
    servers: int, arrival_per_hour: float, service_mean_min: float, patience_mean_min: float
) -> float:
    """Mean number waiting in an M/M/c+M queue (Erlang A: exponential patience, reneging).

    The number in the system is a birth-death chain with birth rate lambda and death rate
    mu * min(n, c) + theta * max(n - c, 0); its stationary distribution is summed until the
    terms vanish."""
    arrival = arrival_per_hour / 60.0
    service, patience = 1.0 / service_mean_min, 1.0 / patience_mean_min
    weights, weight, n = [1.0], 1.0, 0
    while weight > 1e-15 * sum(weights) or n < servers:
        n += 1
        weight *= arrival / (service * min(n, servers) + patience * max(n - servers, 0))
        weights.append(weight)
    total = sum(weights)
    return sum(max(k - servers, 0) * w for k, w in enumerate(weights)) / total
