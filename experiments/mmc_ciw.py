"""The same M/M/c queue in Ciw 3 (optional: `pip install .[bench]`), times in minutes."""

from __future__ import annotations

import ciw


def simulate_mmc(
    servers: int, arrival_rate_per_hour: float, service_mean_min: float, horizon_min: float, seed: int
) -> tuple[int, float]:
    """Run the queue from empty to the horizon; (customers served, mean wait in queue in minutes)."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate_per_hour / 60.0)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / service_mean_min)],
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon_min)
    records = simulation.get_all_records()
    waits = [record.waiting_time for record in records]
    return len(waits), sum(waits) / len(waits) if waits else float("nan")
