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
