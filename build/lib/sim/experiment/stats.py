"""Confidence intervals over replications: t-intervals for means and for paired differences."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


def summarise(values: list[float] | np.ndarray, confidence: float = CONFIDENCE) -> dict:
    """Mean and t-interval of i.i.d. replication values; NaN values (undefined KPIs) are dropped.

    With fewer than two values the interval is undefined (None)."""
    sample = np.asarray(values, dtype=float)
    sample = sample[~np.isnan(sample)]
    n = int(sample.size)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(sample.mean())
    if n < 2:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": n}
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sample.std(ddof=1) / math.sqrt(n))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def paired_difference(scenario: list[float], baseline: list[float], confidence: float = CONFIDENCE) -> dict:
    """Mean and t-interval of scenario - baseline, paired by replication (common random numbers)."""
    return summarise(np.asarray(scenario, dtype=float) - np.asarray(baseline, dtype=float), confidence)


def excludes_zero(summary: dict) -> bool:
    """Whether an interval lies wholly above or below zero."""
    low, high = summary.get("ci_low"), summary.get("ci_high")
    return low is not None and high is not None and (low > 0 or high < 0)
