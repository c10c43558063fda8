"""The warm-up period from the data: MSER-5 on weekly series averaged over replications.

MSER-5 (White 1997; the one robust automatic method in Hoad, Robinson & Davies 2010) batches a
series into means of 5 observations and truncates the d batches that minimise the standard
error of the rest, MSER(d) = sum_{j>d} (Z_j - mean_{j>d} Z)^2 / (b - d)^2, with d at most half
the batches. A minimum in the second half means the series has not settled: run longer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BATCH = 5


@dataclass(frozen=True)
class Truncation:
    """Where MSER-5 cuts a series: observations to drop, and whether the minimum is trustworthy."""

    observations: int
    settled: bool


def mser5(series: np.ndarray) -> Truncation:
    """The MSER-5 truncation point of a series (NaN observations are dropped from the end only)."""
    values = np.asarray(series, dtype=float)
    values = values[: len(values) - np.argmax(~np.isnan(values[::-1]))] if np.isnan(values).any() else values
    batches = len(values) // BATCH
    if batches < 4:
        raise ValueError(f"MSER-5 needs at least {4 * BATCH} observations, got {len(values)}")
    means = values[: batches * BATCH].reshape(batches, BATCH).mean(axis=1)
    scores = []
    for d in range(batches // 2 + 1):
        rest = means[d:]
        scores.append(((rest - rest.mean()) ** 2).sum() / len(rest) ** 2)
    best = int(np.nanargmin(scores))
    return Truncation(best * BATCH, best < batches // 2)
