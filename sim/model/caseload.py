"""The caseload: client slots per municipality, their occupants over time, their dice and their state.

A *slot* is a place in the caseload of a municipality; when its client leaves (turnover), a new
client takes it. Client (slot, generation) draws every random number it will ever need at the
start, in bulk, from streams keyed by purpose: its k-th attendance draw and its k-th service time
are the same numbers in every scenario (common random numbers). `Caseload` holds the state of
every client during a replication, one list per attribute indexed by client slot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from sim.config.schema import ARRIVAL_OFFSET_LIMIT_MIN, ScenarioConfig
from sim.model.distributions import durations_from_uniforms
from sim.model.streams import register_stream, stream

POPULATION = register_stream("population", 0)
ATTENDANCE = register_stream("attendance", 1)
DURATIONS = register_stream("durations", 2)
TURNOVER = register_stream("turnover", 5)
PUNCTUALITY = register_stream("punctuality", 6)
EXITS = register_stream("exits", 9)
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
    hard_to_reach: np.ndarray  # [row] bool: health limits or care duties, or no car and a poor connection
    interval_days: np.ndarray  # [row]
    first_due_day: np.ndarray  # [slot] first occupant: next contact due within one interval
    attendance_u: np.ndarray  # [row, k]
    service_min: np.ndarray  # [row, k]
    arrival_offset_min: np.ndarray  # [row, k] minutes after the slot time the client arrives (negative: early)
    leaves_for_work: np.ndarray  # [row] bool: the occupant's exit, when it comes, is to work (else another exit)


def draw_population(
    config: ScenarioConfig, counts: np.ndarray, poor_connection: np.ndarray, seed: int, replication: int
) -> Population:
    """Draw a replication's caseload; independent of which rooms a scenario has.

    A client is hard to reach with health limits or care duties (`clients.limited_share`), or
    without a car where the nearest office is more than `clients.poor_connection_min` away by bus.

    Each stream is laid out as if it were drawn [slot, generation, ...] up to the largest number of
    occupants any slot has; only the rows of occupants that exist are kept.
    """
    clients = config.clients
    n_slots = int(counts.sum())
    departures = draw_departures(
        stream(seed, replication, TURNOVER), n_slots, clients.mean_stay_days, config.horizon_days
    )
    occupants = np.array([len(days) + 1 for days in departures], dtype=int)
    generations = int(occupants.max(initial=1))
    exists = np.arange(generations) < occupants[:, None]  # [slot, generation]

    rng = stream(seed, replication, POPULATION)
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
    limited = rng.random((n_slots, generations)) < clients.limited_share
    municipality = np.repeat(np.arange(len(counts)), counts)
    hard_to_reach = limited | (~has_car & poor_connection[municipality][:, None])
    contacts = contacts_bound(config)
    duration_u = contact_uniforms(seed, replication, DURATIONS, exists, contacts)
    service_min = durations_from_uniforms(config.durations.followup, duration_u)
    newcomer = np.nonzero(exists)[1] >= 1  # a newcomer's first contact is a first interview
    service_min[newcomer, 0] = durations_from_uniforms(config.durations.first, duration_u[newcomer, 0])
    return Population(
        municipality=municipality,
        departures=departures,
        first_row=np.cumsum(occupants) - occupants,
        has_car=has_car[exists],
        hard_to_reach=hard_to_reach[exists],
        interval_days=interval_days[exists],
        first_due_day=(due_u[:, 0] * interval_days[:, 0]).astype(int),
        attendance_u=contact_uniforms(seed, replication, ATTENDANCE, exists, contacts),
        service_min=service_min,
        leaves_for_work=(stream(seed, replication, EXITS).random((n_slots, generations)) < clients.work_share_of_exits)[
            exists
        ],
        arrival_offset_min=np.clip(
            clients.arrival_offset_mean_min
            + clients.arrival_offset_sd_min * ndtri(contact_uniforms(seed, replication, PUNCTUALITY, exists, contacts)),
            -ARRIVAL_OFFSET_LIMIT_MIN,
            ARRIVAL_OFFSET_LIMIT_MIN,
        ),
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


class Caseload:
    """The clients of one replication: who occupies each slot and where each stands in the contact cycle.

    Lists indexed by client slot (Python lists: item access is several times faster than NumPy's),
    except `has_car` and `interval_days`, indexed by the occupant's row in the population arrays."""

    def __init__(self, population: Population) -> None:
        n_clients = len(population.municipality)
        self.population = population
        self.municipality = population.municipality.tolist()
        self.generation = [0] * n_clients
        self.row = population.first_row.tolist()  # the current occupant's row in the population arrays
        self.has_car = population.has_car.tolist()  # [row]
        self.hard_to_reach = population.hard_to_reach.tolist()  # [row]
        self.interval_days = population.interval_days.tolist()  # [row]
        self.contact = [0] * n_clients  # k: appointments reached by the current occupant
        self.prior_no_shows = [0] * n_clients
        self.due_day = population.first_due_day.tolist()
        self.booked_on = [0] * n_clients
        self.window_generation: list[int] | None = None  # occupants at the end of the warm-up
        self.reached = np.zeros(n_clients, dtype=bool)
        self.to_book: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)  # day -> (client, generation)
        self.leaving: defaultdict[int, list[int]] = defaultdict(list)  # day -> clients whose occupant leaves
        self.contacts_bound = population.attendance_u.shape[1]
        for client in range(n_clients):
            self.to_book[self.due_day[client]].append((client, 0))
            if population.departures[client]:
                self.leaving[population.departures[client][0]].append(client)

    def __len__(self) -> int:
        return len(self.municipality)

    def queue(self, client: int, day: int) -> None:
        """Hand the client's contact to the booking desk on `day`, due date unchanged (a rebooking)."""
        self.to_book[day].append((client, self.generation[client]))

    def schedule_contact(self, client: int, due_day: int) -> None:
        """The client's next contact falls due on `due_day`."""
        self.due_day[client] = due_day
        self.to_book[due_day].append((client, self.generation[client]))

    def arrival_offset(self, client: int) -> float:
        """Minutes after its slot time at which the client comes to the next appointment."""
        k = self.contact[client] % self.contacts_bound
        return self.population.arrival_offset_min.item(self.row[client], k)

    def first_occupants(self) -> tuple[np.ndarray, np.ndarray]:
        """Whether the client of each slot at the start has a car, and is hard to reach (for coverage)."""
        first = self.population.first_row
        return self.population.has_car[first], self.population.hard_to_reach[first]
