"""The caseload: client slots per municipality, their occupants over time, and their dice.

A *slot* is a place in the caseload of a municipality; when its client leaves (turnover), a new
client takes it. Client (slot, generation) draws every random number it will ever need at the
start, in bulk, from streams keyed by purpose: its k-th attendance draw and its k-th service time
are the same numbers in every scenario (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from sim.config.schema import Config, DurationConfig
from sim.rng import stream


def contacts_bound(config: Config) -> int:
    """An upper bound on the appointments one client can reach within the horizon."""
    booking = config.booking
    shortest_gap = booking.notice_days + min(
        booking.reinvite_days, 7 * config.clients.interval_weeks_under25, 7 * config.clients.interval_weeks_min
    )
    return int(config.horizon_days // max(1.0, shortest_gap)) + 2


def duration_minutes(spec: DurationConfig, uniforms: np.ndarray) -> np.ndarray:
    """Durations by inversion of uniforms: lognormal (mean, cv), exponential (mean) or fixed."""
    if spec.distribution == "fixed":
        return np.full(uniforms.shape, spec.mean_min)
    if spec.distribution == "exponential":
        return -spec.mean_min * np.log1p(-uniforms)
    sigma = math.sqrt(math.log1p(spec.cv**2))
    return np.exp(math.log(spec.mean_min) - sigma**2 / 2 + sigma * ndtri(uniforms))


@dataclass
class Population:
    """Client slots, their current occupants' state, and all their pre-drawn numbers."""

    municipality: np.ndarray  # [slot]
    departures: list[list[int]]  # [slot] days on which the occupant leaves, ascending
    has_car: np.ndarray  # [slot, generation] bool
    interval_days: np.ndarray  # [slot, generation]
    first_due_day: np.ndarray  # [slot] generation 0: next contact due within one interval
    attendance_u: np.ndarray  # [slot, generation, k]
    service_min: np.ndarray  # [slot, generation, k]


def draw_population(config: Config, counts: np.ndarray, seed: int, replication: int) -> Population:
    """Draw a replication's caseload; independent of which sites a scenario has."""
    clients = config.clients
    n_slots = int(counts.sum())
    municipality = np.repeat(np.arange(len(counts)), counts)
    rng = stream(seed, replication, "population")
    turnover = stream(seed, replication, "turnover")
    horizon = config.horizon_days

    departures: list[list[int]] = []
    generations = 1
    stays = turnover.exponential(clients.mean_stay_days, size=(n_slots, 4))
    for slot in range(n_slots):
        leave, days, column = 0.0, [], 0
        while True:
            if column == stays.shape[1]:
                stays = np.hstack([stays, turnover.exponential(clients.mean_stay_days, size=(n_slots, 4))])
            leave += stays[slot, column]
            column += 1
            if leave >= horizon:
                break
            days.append(int(leave))
        departures.append(days)
        generations = max(generations, len(days) + 1)

    car_u, age_u, interval_u, due_u = rng.random((4, n_slots, generations))
    under25 = age_u < clients.under25_share
    interval_weeks = np.where(
        under25,
        clients.interval_weeks_under25,
        clients.interval_weeks_min + interval_u * (clients.interval_weeks_max - clients.interval_weeks_min),
    )
    interval_days = np.maximum(1, np.rint(7 * interval_weeks)).astype(int)
    contacts = contacts_bound(config)
    attendance_u = stream(seed, replication, "attendance").random((n_slots, generations, contacts))
    duration_u = stream(seed, replication, "durations").random((n_slots, generations, contacts))
    service_min = duration_minutes(config.durations.followup, duration_u)
    if generations > 1:  # a newcomer's first contact is a first interview
        service_min[:, 1:, 0] = duration_minutes(config.durations.first, duration_u[:, 1:, 0])
    return Population(
        municipality=municipality,
        departures=departures,
        has_car=car_u >= clients.no_car_share,
        interval_days=interval_days,
        first_due_day=(due_u[:, 0] * interval_days[:, 0]).astype(int),
        attendance_u=attendance_u,
        service_min=service_min,
    )
