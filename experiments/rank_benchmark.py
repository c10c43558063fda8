"""Ranking every candidate site (issue 13): the time and replications of `python -m sim.rank` with
its defaults against an equal allocation that gives the same guarantee.

    python experiments/rank_benchmark.py [--scenario wartburgkreis] [--workers 0]

The equal allocation is what a two-stage procedure with KN's constants (Rinott-like, the same eta and
h^2) would give every screened candidate: KN's first-stage bound max(n0, N + 1), N =
floor(h^2 max S_il^2 / delta^2), for each of them, plus the baseline beside them
(`Ranking.equal_allocation`, counted like `replications_used`). Its time is
estimated from the seconds per replication measured in this same run (wall-clock of the ranking
divided by the replications it ran), so both sides see the same machine. Prints the figures and
writes results/bench/rank_<timestamp>.json.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

from sim.config.compose import load_scenario
from sim.config.schema import RankConfig
from sim.experiment.outputs import write_json
from sim.experiment.ranking import rank_sites
from sim.experiment.replicate import worker_count

REPO = Path(__file__).resolve().parents[1]
OUTPUT_DIR = REPO / "results" / "bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="wartburgkreis")
    parser.add_argument("--workers", type=int, default=0, help="processes (0: all cores)")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    config = load_scenario(arguments.scenario)
    rank = RankConfig()
    workers = worker_count(arguments.workers)
    started, cpu = time.perf_counter(), time.process_time()
    ranking = rank_sites(config, rank, arguments.seed, workers, None)
    wall = time.perf_counter() - started
    screened = sum(item.screened_in for item in ranking.candidates)
    used = ranking.replications_used
    per_replication = wall / used
    equal_total = ranking.equal_allocation  # the baseline's share included, as in replications_used
    figures = {
        "scenario": arguments.scenario,
        "workers": workers,
        "candidates": len(ranking.candidates),
        "screened_in": screened,
        "selected": next((c.municipality for c in ranking.candidates if c.key == ranking.selected), None),
        "wall_s": round(wall, 1),
        "parent_cpu_s": round(time.process_time() - cpu, 1),
        "replications_kn": used,
        "seconds_per_replication": round(per_replication, 3),
        "replications_equal_allocation": equal_total,
        "equal_allocation_estimated_s": None if equal_total is None else round(equal_total * per_replication, 1),
        "ratio_replications": None if equal_total is None else round(used / equal_total, 3),
        "settings": {"n0": rank.n0, "batch": rank.batch, "delta": ranking.delta, "alpha": rank.alpha},
    }
    width = max(len(key) for key in figures)
    for key, value in figures.items():
        print(f"{key.ljust(width)}  {value}")
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    write_json(OUTPUT_DIR / f"rank_{stamp}.json", figures)
    print(f"written: results/bench/rank_{stamp}.json")


if __name__ == "__main__":
    main()
