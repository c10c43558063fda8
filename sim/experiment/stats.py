"""Confidence intervals over replications: t-intervals for means and for paired differences.

Whether a difference between alternatives is distinguishable from zero is decided for all the
KPIs of a comparison together: paired t-tests, Holm's step-down correction at level 1 - CONFIDENCE
(`holm`), so that the chance of calling any unchanged KPI changed stays within 5 %."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
MIN_FOR_INTERVAL = 3  # with fewer replications the t-interval says little (t = 12.7 at n = 2): none is given


def summarise(values: list[float] | np.ndarray, confidence: float = CONFIDENCE) -> dict:
    """Mean and t-interval of i.i.d. replication values; NaN values (undefined KPIs) are dropped.

    With fewer than MIN_FOR_INTERVAL values the interval is not given (None)."""
    sample = np.asarray(values, dtype=float)
    sample = sample[~np.isnan(sample)]
    n = int(sample.size)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(sample.mean())
    if n < MIN_FOR_INTERVAL:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": n}
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sample.std(ddof=1) / math.sqrt(n))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def paired_difference(scenario: list[float], baseline: list[float], confidence: float = CONFIDENCE) -> dict:
    """Mean and t-interval of scenario - baseline, paired by replication (common random numbers),
    and the two-sided p-value of the paired t-test (None without an interval; 1 if all are equal)."""
    differences = np.asarray(scenario, dtype=float) - np.asarray(baseline, dtype=float)
    summary = summarise(differences, confidence)
    sample = differences[~np.isnan(differences)]
    if summary["ci_low"] is None:
        summary["p_value"] = None
    elif not sample.std(ddof=1):
        summary["p_value"] = 1.0 if summary["mean"] == 0 else 0.0
    else:
        t = summary["mean"] / (sample.std(ddof=1) / math.sqrt(sample.size))
        summary["p_value"] = float(2 * stats.t.sf(abs(t), sample.size - 1))
    return summary


def holm(p_values: dict[str, float | None], level: float = 1 - CONFIDENCE) -> dict[str, bool]:
    """Which hypotheses Holm's step-down procedure rejects at family-wise `level`; None is never rejected."""
    tested = sorted((p, name) for name, p in p_values.items() if p is not None)
    rejected = dict.fromkeys(p_values, False)
    for rank, (p, name) in enumerate(tested):
        if p > level / (len(tested) - rank):
            break
        rejected[name] = True
    return rejected


def significant_differences(differences: dict[str, dict]) -> dict[str, dict]:
    """Mark each KPI's paired difference `significant` (Holm over all KPIs of the comparison)."""
    flags = holm({kpi: summary.get("p_value") for kpi, summary in differences.items()})
    return {kpi: {**summary, "significant": flags[kpi]} for kpi, summary in differences.items()}
