"""How many replications: the confidence-interval method with look-ahead (Hoad, Robinson & Davies 2010).

Replications are added until every key KPI's 95 % CI half-width is within `runner.precision` of
its mean, and stays so over a look-ahead of `LOOK_AHEAD` more replications (kLimit = 5 for up to
100 replications, 5 % of n beyond, as the paper recommends), capped by `runner.max_replications`.
For a comparison the criterion holds for every alternative's KPIs and for the paired differences
to the baseline, their half-width within `runner.precision` of the baseline's mean (a difference
may be zero).
The key KPIs are the ones the report's answer is about (`sim.kpi.registry.ANSWER_KPIS`), as far as
the scenario has them and they vary; a scenario without any (the M/M/c check) uses all it has.

The number chosen is the first n that meets the criterion and keeps it through the look-ahead;
the results are those of replications 0..n-1, the same numbers as a fixed run of n.
"""

from __future__ import annotations

import math

import numpy as np

from sim.experiment.replicate import Scenario, run_tasks
from sim.experiment.stats import summarise
from sim.kpi.monitor import RunResult
from sim.kpi.registry import ANSWER_KPIS

METHOD = "CI method with look-ahead (Hoad, Robinson & Davies 2010)"
FIRST = 3  # the fewest replications with an interval worth judging
LOOK_AHEAD = 5  # kLimit


def look_ahead(n: int) -> int:
    """Replications to run past a first n that meets the criterion: kLimit, or kLimit x n/100 beyond 100."""
    return LOOK_AHEAD if n <= 100 else math.ceil(LOOK_AHEAD * n / 100)


def key_kpis(all_runs: list[list[RunResult]]) -> list[str]:
    """The answer's KPIs the scenarios have and that vary across replications; else every KPI that varies."""
    runs = all_runs[0]

    def varies(kpi: str) -> bool:
        values = np.array([run.kpis[kpi] for alternative in all_runs for run in alternative], dtype=float)
        values = values[~np.isnan(values)]
        return values.size > 1 and values.std() > 0

    answer = [kpi for kpi in ANSWER_KPIS if kpi in runs[0].kpis and varies(kpi)]
    return answer or [kpi for kpi in runs[0].kpis if varies(kpi)]


def relative_half_widths(all_runs: list[list[RunResult]], kpis: list[str], n: int) -> dict[str, float]:
    """Each key KPI's 95 % half-width over the first n replications relative to its mean, the worst
    of every alternative's level and, for a comparison, of every paired difference to the baseline
    (relative to the baseline's mean)."""
    widths = {}
    for kpi in kpis:
        levels = [np.array([run.kpis[kpi] for run in runs[:n]], dtype=float) for runs in all_runs]
        base = float(np.nanmean(levels[0])) if n else math.nan
        samples = [(level, float(np.nanmean(level))) for level in levels]
        samples += [(level - levels[0], base) for level in levels[1:]]
        widths[kpi] = max(relative(sample, mean) for sample, mean in samples)
    return widths


def relative(sample: np.ndarray, mean: float) -> float:
    """The t-interval's half-width over |mean|: 0 for a constant sample, infinite without an interval."""
    summary = summarise(sample)
    if summary["ci_low"] is None:
        return math.inf
    half = (summary["ci_high"] - summary["ci_low"]) / 2
    if half == 0:
        return 0.0
    return half / abs(mean) if mean else math.inf


def auto_replications(
    scenarios: list[Scenario], precision: float, most: int, workers: int, scheduler: str | None = None
) -> tuple[list[list[RunResult]], dict]:
    """Run replications in batches until the criterion holds through the look-ahead or `most`
    have run; return the runs of the chosen number and the decision, for kpis.json."""
    done: dict[tuple[int, int], RunResult] = {}
    batch = max(1, workers)
    target = min(most, FIRST)
    chosen, widths, kpis = None, {}, []
    while True:
        tasks = [(a, r) for a in range(len(scenarios)) for r in range(target) if (a, r) not in done]
        done.update(run_tasks(scenarios, tasks, workers, scheduler=scheduler))
        all_runs = [[done[a, r] for r in range(target)] for a in range(len(scenarios))]
        kpis = kpis or key_kpis(all_runs)
        chosen = first_precise(all_runs, kpis, precision, target)
        if chosen is not None or target >= most:
            break
        target = min(most, target + batch)
    reached = chosen is not None
    n = chosen if reached else target
    widths = relative_half_widths(all_runs, kpis, n)
    decision = {
        "method": METHOD,
        "precision": precision,
        "max_replications": most,
        "chosen": n,
        "run": target,
        "look_ahead": look_ahead(n),
        "reached": reached,
        "kpis": kpis,
        "relative_half_width": widths,
        "limiting_kpi": max(widths, key=widths.get) if widths else None,
        "why": (
            f"every key KPI's 95 % CI half-width within {precision:.0%} of its mean from {n} replications on,"
            f" through {look_ahead(n)} more"
            if reached
            else f"the precision of {precision:.0%} was not reached within runner.max_replications = {most}"
        ),
    }
    return [runs[:n] for runs in all_runs], decision


def first_precise(all_runs: list[list[RunResult]], kpis: list[str], precision: float, available: int) -> int | None:
    """The first n whose criterion holds for n and every count through its look-ahead, among the
    replications available; None if there is none yet."""
    met = [
        n >= FIRST and max(relative_half_widths(all_runs, kpis, n).values(), default=0.0) <= precision
        for n in range(available + 1)
    ]
    for n in range(FIRST, available + 1):
        end = n + look_ahead(n)
        if end > available:
            return None
        if all(met[n : end + 1]):
            return n
    return None
