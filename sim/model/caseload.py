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

from sim.config.schema import DurationConfig, ScenarioConfig
from sim.model.streams import stream

BLOCK_SLOTS = 128  # per-contact numbers are drawn this many slots at a time, to bound memory
CONTACT_BLOCK = 8  # ... and in blocks of this many contacts, each block from a stream of its own


def contacts_bound(config: ScenarioConfig) -> int:
    """An upper bound on the appointments one client can reach within the horizon."""
    booking = config.booking
    shortest_gap = booking.notice_days + min(
        booking.reinvite_days,
        booking.lost_recontact_days,
        7 * config.clients.interval_weeks_under25,
        7 * config.clients.interval_weeks_min,
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
    """Client slots, the occupants each slot has during the run, and all their pre-drawn numbers.

    Occupant g of a slot (g = 0 is the client there at the start, g = 1 the first newcomer, ...)
    has row `first_row[slot] + g` of the per-occupant arrays.
    """

    municipality: np.ndarray  # [slot]
    departures: list[tuple[int, ...]]  # [slot] days on which the occupant leaves, ascending
    first_row: np.ndarray  # [slot]
    has_car: np.ndarray  # [row] bool
    interval_days: np.ndarray  # [row]
    first_due_day: np.ndarray  # [slot] first occupant: next contact due within one interval
    attendance_u: np.ndarray  # [row, k]
    service_min: np.ndarray  # [row, k]


def draw_population(config: ScenarioConfig, counts: np.ndarray, seed: int, replication: int) -> Population:
    """Draw a replication's caseload; independent of which sites a scenario has.

    Each stream is laid out as if it were drawn [slot, generation, ...] up to the largest number of
    occupants any slot has; only the rows of occupants that exist are kept.
    """
    clients = config.clients
    n_slots = int(counts.sum())
    departures = draw_departures(
        stream(seed, replication, "turnover"), n_slots, clients.mean_stay_days, config.horizon_days
    )
    occupants = np.array([len(days) + 1 for days in departures], dtype=int)
    generations = int(occupants.max(initial=1))
    exists = np.arange(generations) < occupants[:, None]  # [slot, generation]

    rng = stream(seed, replication, "population")
    has_car = rng.random((n_slots, generations)) >= clients.no_car_share
    under25 = rng.random((n_slots, generations)) < clients.under25_share
    interval_u = rng.random((n_slots, generations))
    interval_weeks = np.where(
        under25,
        clients.interval_weeks_under25,
        clients.interval_weeks_min + interval_u * (clients.interval_weeks_max - clients.interval_weeks_min),
    )
    interval_days = np.maximum(1, np.rint(7 * interval_weeks)).astype(int)
    due_u = rng.random((n_slots, generations))
    contacts = contacts_bound(config)
    duration_u = contact_uniforms(seed, replication, "durations", exists, contacts)
    service_min = duration_minutes(config.durations.followup, duration_u)
    newcomer = np.nonzero(exists)[1] >= 1  # a newcomer's first contact is a first interview
    service_min[newcomer, 0] = duration_minutes(config.durations.first, duration_u[newcomer, 0])
    return Population(
        municipality=np.repeat(np.arange(len(counts)), counts),
        departures=departures,
        first_row=np.cumsum(occupants) - occupants,
        has_car=has_car[exists],
        interval_days=interval_days[exists],
        first_due_day=(due_u[:, 0] * interval_days[:, 0]).astype(int),
        attendance_u=contact_uniforms(seed, replication, "attendance", exists, contacts),
        service_min=service_min,
    )


def draw_departures(
    turnover: np.random.Generator, n_slots: int, mean_stay_days: float, horizon: int
) -> list[tuple[int, ...]]:
    """Per slot, the days on which its occupants leave: exponential stays one after another,
    drawn four per slot at a time until every slot's stays pass the horizon."""
    stays = turnover.exponential(mean_stay_days, size=(n_slots, 4))
    leave = np.cumsum(stays, axis=1)
    while (leave[:, -1] < horizon).any():
        stays = np.hstack([stays, turnover.exponential(mean_stay_days, size=(n_slots, 4))])
        leave = np.cumsum(stays, axis=1)
    leaving = (leave < horizon).sum(axis=1)
    departures: list[tuple[int, ...]] = [()] * n_slots
    for slot in np.flatnonzero(leaving):
        departures[slot] = tuple(leave[slot, : leaving[slot]].astype(int).tolist())
    return departures


def contact_uniforms(seed: int, replication: int, purpose: str, exists: np.ndarray, contacts: int) -> np.ndarray:
    """Uniforms [row, k] for at least `contacts` contacts of every occupant that exists. Contact
    block b (k in [8b, 8b + 8)) comes from a stream of its own, so a client's k-th number does not
    depend on how many contacts a scenario's settings allow."""
    blocks = -(-contacts // CONTACT_BLOCK)
    uniforms = np.empty((int(exists.sum()), blocks * CONTACT_BLOCK))
    for block in range(blocks):
        rng = stream(seed, replication, purpose, f"contacts {block}")
        uniforms[:, block * CONTACT_BLOCK : (block + 1) * CONTACT_BLOCK] = occupant_rows(rng, exists, CONTACT_BLOCK)
    return uniforms


def occupant_rows(rng: np.random.Generator, exists: np.ndarray, contacts: int) -> np.ndarray:
    """Per-contact uniforms [row, k] of the occupants that exist: the stream read as [slot,
    generation, k], a block of slots at a time; the same numbers as one draw of the whole array,
    in a fraction of its memory."""
    rows = np.empty((int(exists.sum()), contacts))
    done = 0
    for start in range(0, len(exists), BLOCK_SLOTS):
        block = exists[start : start + BLOCK_SLOTS]
        values = rng.random((*block.shape, contacts))
        kept = values[block]
        rows[done : done + len(kept)] = kept
        done += len(kept)
    return rows
