"""What each additional kept contact costs: a ratio of two paired differences, with Fieller's interval.

For each replication i (common random numbers) the alternative's cost and kept contacts are paired
with the baseline's: Δcost_i and Δkept_i. The statistic is the ratio of the means,

    R = mean(Δcost) / mean(Δkept),

the extra cost of the alternative divided by the contacts it adds. Its 95 % interval is Fieller's:
the θ for which mean(Δcost) − θ·mean(Δkept) is not distinguishable from 0 by a t-test over the n
paired replications, i.e. the roots of

    (m_c − θ m_k)² = t² (s_c² − 2θ s_ck + θ² s_k²) / n,     t = t(0,975; n − 1),

with m the means, s² the sample variances and s_ck the sample covariance of the paired differences.
The interval is bounded exactly when the t-interval of Δkept excludes 0 (m_k² > t² s_k² / n); when it
contains 0, the cost per additional contact cannot be determined. Fieller's interval, unlike the
delta method's symmetric one, stays right when Δkept is small against its noise.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
MIN_FOR_INTERVAL = 3  # as sim.experiment.stats: fewer replications give no interval

DETERMINED, NOT_DETERMINABLE, LOSES, NO_INTERVAL = "determined", "not_determinable", "loses", "no_interval"


@dataclass(frozen=True)
class CostPerGain:
    """The cost per additional kept contact of an alternative against the baseline."""

    status: str  # DETERMINED | NOT_DETERMINABLE | LOSES | NO_INTERVAL
    ratio: float  # mean(Δcost) / mean(Δkept); NaN when mean(Δkept) is 0
    ci_low: float  # Fieller's 95 % interval; NaN unless DETERMINED (or LOSES, where it is of a negative gain)
    ci_high: float
    cost: float  # mean(Δcost)
    gain: float  # mean(Δkept)
    gain_low: float  # the t-interval of Δkept
    gain_high: float
    n: int


def t_half_width(values: np.ndarray) -> float:
    """Half the width of the 95 % t-interval of the mean of `values`."""
    n = values.size
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))


def cost_per_gain(delta_cost: list[float] | np.ndarray, delta_kept: list[float] | np.ndarray) -> CostPerGain:
    """The cost per additional kept contact from paired per-replication differences (alternative −
    baseline) of cost and kept contacts, with Fieller's 95 % interval; replications where either is
    NaN are left out."""
    cost, kept = np.asarray(delta_cost, dtype=float), np.asarray(delta_kept, dtype=float)
    usable = ~(np.isnan(cost) | np.isnan(kept))
    cost, kept = cost[usable], kept[usable]
    n = int(cost.size)
    nan = math.nan
    if n == 0:
        return CostPerGain(NO_INTERVAL, nan, nan, nan, nan, nan, nan, nan, 0)
    m_c, m_k = float(cost.mean()), float(kept.mean())
    ratio = m_c / m_k if m_k else nan
    if n < MIN_FOR_INTERVAL:
        return CostPerGain(NO_INTERVAL, ratio, nan, nan, m_c, m_k, nan, nan, n)
    half = t_half_width(kept)
    gain_low, gain_high = m_k - half, m_k + half
    if gain_low <= 0 <= gain_high:
        return CostPerGain(NOT_DETERMINABLE, ratio, nan, nan, m_c, m_k, gain_low, gain_high, n)
    t2 = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) ** 2 / n
    v_c, v_k = float(cost.var(ddof=1)), float(kept.var(ddof=1))
    v_ck = float(np.cov(cost, kept, ddof=1)[0, 1])
    # a θ² − 2 b θ + c = 0, a > 0 because the interval of Δkept excludes 0
    a = m_k**2 - t2 * v_k
    b = m_c * m_k - t2 * v_ck
    c = m_c**2 - t2 * v_c
    root = math.sqrt(max(b * b - a * c, 0.0))
    low, high = (b - root) / a, (b + root) / a
    status = DETERMINED if m_k > 0 else LOSES
    return CostPerGain(status, ratio, low, high, m_c, m_k, gain_low, gain_high, n)


def paired_differences(replications: dict[str, dict[str, dict[int, float]]], scenario: str, baseline: str, kpi: str):
    """The per-replication differences scenario − baseline of a KPI, over the replications both have."""
    ours, theirs = replications.get(scenario, {}).get(kpi, {}), replications.get(baseline, {}).get(kpi, {})
    return {i: ours[i] - theirs[i] for i in sorted(ours.keys() & theirs.keys())}


def scenario_cost_per_gain(
    replications: dict[str, dict[str, dict[int, float]]], scenario: str, baseline: str, kept_kpi: str
) -> CostPerGain | None:
    """The cost per additional `kept_kpi` of a scenario against the baseline; None without the values."""
    cost = paired_differences(replications, scenario, baseline, "cost_total_eur")
    kept = paired_differences(replications, scenario, baseline, kept_kpi)
    both = sorted(cost.keys() & kept.keys())
    if not both:
        return None
    return cost_per_gain([cost[i] for i in both], [kept[i] for i in both])
