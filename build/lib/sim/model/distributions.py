"""Distributions by name: one entry per name, sampled by inversion or drawn in bulk from a stream.

Contact durations are drawn by inversion of pre-drawn uniforms (the caseload's per-contact
numbers, common random numbers); walk-in service times, arrivals and patience are drawn in bulk
from a site's own stream as the session needs them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from sim.config.schema import DurationConfig

CHUNK = 512  # numbers drawn from a stream at a time


@dataclass(frozen=True)
class Distribution:
    """How a duration distribution turns uniforms into minutes, and draws minutes from a stream."""

    inverse: Callable[[DurationConfig, np.ndarray], np.ndarray]
    draw: Callable[[DurationConfig, np.random.Generator, int], np.ndarray]


def _lognormal_parameters(spec: DurationConfig) -> tuple[float, float]:
    """(mu, sigma) of the lognormal with mean `mean_min` and coefficient of variation `cv`."""
    sigma = math.sqrt(math.log1p(spec.cv**2))
    return math.log(spec.mean_min) - sigma**2 / 2, sigma


DISTRIBUTIONS = {
    "lognormal": Distribution(
        inverse=lambda spec, u: np.exp(_lognormal_parameters(spec)[0] + _lognormal_parameters(spec)[1] * ndtri(u)),
        draw=lambda spec, rng, size: rng.lognormal(*_lognormal_parameters(spec), size=size),
    ),
    "exponential": Distribution(
        inverse=lambda spec, u: -spec.mean_min * np.log1p(-u),
        draw=lambda spec, rng, size: rng.exponential(spec.mean_min, size=size),
    ),
    "fixed": Distribution(
        inverse=lambda spec, u: np.full(np.shape(u), spec.mean_min),
        draw=lambda spec, rng, size: np.full(size, spec.mean_min),
    ),
}


def durations_from_uniforms(spec: DurationConfig, uniforms: np.ndarray) -> np.ndarray:
    """Durations in minutes by inversion of uniforms."""
    return DISTRIBUTIONS[spec.distribution].inverse(spec, uniforms)


def duration_draws(spec: DurationConfig, rng: np.random.Generator) -> Callable[[], float]:
    """The next duration from a stream, drawn CHUNK at a time."""
    draw = DISTRIBUTIONS[spec.distribution].draw
    return bulk_draws(lambda size: draw(spec, rng, size))


def exponential_draws(rng: np.random.Generator, mean: float) -> Callable[[], float]:
    """The next exponential number (interarrival times, patience) from a stream."""
    return bulk_draws(lambda size: rng.exponential(mean, size=size))


def uniform_draws(rng: np.random.Generator) -> Callable[[], float]:
    """The next uniform number in [0, 1) from a stream."""
    return bulk_draws(lambda size: rng.random(size=size))


def bulk_draws(draw: Callable[[int], np.ndarray]) -> Callable[[], float]:
    """A function that returns the next float; `draw(CHUNK)` refills it when a chunk has run out."""

    def chunks() -> Iterator[float]:
        while True:
            yield from draw(CHUNK).tolist()

    return chunks().__next__
