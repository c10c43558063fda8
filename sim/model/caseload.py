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
MEASURES = register_stream("measures", 10)
ENTRY = register_stream("entry", 11)
SITE_TARGET_GROUPS = ("hard_to_reach", "no_car", "all")  # whom a room or vehicle invites (fixed per client)
TARGET_GROUPS = (*SITE_TARGET_GROUPS, "under25", "long_term")  # whom a course or a team is for
LONG_TERM_DAYS = 639  # long-term recipient: on benefits 21 of the last 24 months (the BA's definition), unbroken
RESERVES = 2  # reserve occupants per slot, for exits that measures bring inside the horizon
BLOCK_SLOTS = 128  # per-contact numbers are drawn this many slots at a time, to bound memory
CONTACT_BLOCK = 8  # ... and in blocks of this many contacts, each block from a stream of its own


def in_target_group(target_group: str, car: bool, hard: bool) -> bool:
    """Whether a client with or without a car, hard to reach or not, is in a site's target group."""
    return target_group == "all" or (target_group == "no_car" and not car) or (target_group == "hard_to_reach" and hard)


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
    has row `first_row[slot] + g` of the per-occupant arrays, g < occupants[slot]; occupant
    g = occupants[slot] + k (k < RESERVES), who come only when a measure brought an exit forward,
    have `reserve_row[slot] + k`.
    """

    municipality: np.ndarray  # [slot]
    departures: list[tuple[int, ...]]  # [slot] days on which the occupants leave within the horizon, ascending
    later: list[tuple[int, ...]]  # [slot] the next RESERVES days of leaving, at or after the horizon
    first_row: np.ndarray  # [slot]
    occupants: np.ndarray  # [slot] occupants within the horizon (without the reserve)
    reserve_row: np.ndarray  # [slot] the row of the slot's first reserve occupant (draw_population)
    has_car: np.ndarray  # [row] bool
    hard_to_reach: np.ndarray  # [row] bool: health limits or care duties, or no car and a poor connection
    interval_days: np.ndarray  # [row]
    first_due_day: np.ndarray  # [slot] first occupant: next contact due within one interval
    attendance_u: np.ndarray  # [row, k]
    service_min: np.ndarray  # [row, k]
    arrival_offset_min: np.ndarray  # [row, k] minutes after the slot time the client arrives (negative: early)
    leaves_for_work: np.ndarray  # [row] bool: the occupant's exit, when it comes, is to work (else another exit)
    under25: np.ndarray  # [row] bool
    first_entry_day: np.ndarray  # [slot] the day the client there at the start joined the caseload (<= 0)
    measure_u: np.ndarray  # [row] uniform in (0, 1]: the extra exit to work a measure may bring (contacts.py)


def draw_population(
    config: ScenarioConfig, counts: np.ndarray, poor_connection: np.ndarray, seed: int, replication: int
) -> Population:
    """Draw a replication's caseload; independent of which rooms a scenario has.

    A client is hard to reach with health limits or care duties (`clients.limited_share`), or
    without a car where the nearest office is more than `clients.poor_connection_min` away by bus.

    Each stream is laid out as if it were drawn [slot, generation, ...] up to the largest number of
    occupants any slot has; only the rows of occupants that exist are kept. After them come RESERVES
    *reserve* occupants per slot, from streams of their own: the newcomers who take the place of a
    slot's last occupant when a measure brings exits inside the horizon (contacts.py), each
    leaving after its own stay (`later`) but the last, who stays to the end; without measures no
    reserve row is ever used.
    """
    clients = config.clients
    n_slots = int(counts.sum())
    departures, later = draw_departures(
        stream(seed, replication, TURNOVER), n_slots, clients.mean_stay_days, config.horizon_days
    )
    occupants = np.array([len(days) + 1 for days in departures], dtype=int)
    generations = int(occupants.max(initial=1))
    exists = np.arange(generations) < occupants[:, None]  # [slot, generation]
    municipality = np.repeat(np.arange(len(counts)), counts)
    rows, first_due_day = occupant_rows_of(config, seed, replication, exists, poor_connection[municipality], "")
    reserve, _ = occupant_rows_of(
        config, seed, replication, np.ones((n_slots, RESERVES), dtype=bool), poor_connection[municipality], "reserve "
    )
    n_rows = len(rows["has_car"])
    return Population(
        municipality=municipality,
        departures=departures,
        later=later,
        first_row=np.cumsum(occupants) - occupants,
        occupants=occupants,
        reserve_row=n_rows + RESERVES * np.arange(n_slots),
        first_due_day=first_due_day,
        # the client there at the start has been on benefits for the age of a stationary process of
        # exponential stays: itself exponential with the mean stay (memorylessness)
        first_entry_day=-np.floor(stream(seed, replication, ENTRY).exponential(clients.mean_stay_days, n_slots)).astype(
            int
        ),
        **{key: np.concatenate([rows[key], reserve[key]]) for key in rows},
    )


def occupant_rows_of(
    config: ScenarioConfig, seed: int, replication: int, exists: np.ndarray, poor_connection: np.ndarray, family: str
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The per-occupant arrays [row, ...] of the occupants that `exists` [slot, generation] marks,
    from the streams of one family ("" the occupants, "reserve " the reserve); and the first
    occupant's first due day per slot. Generation 0 of family "" is the client there at the start."""
    clients = config.clients
    n_slots, generations = exists.shape
    rng = stream(seed, replication, POPULATION, family)
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
    hard_to_reach = limited | (~has_car & poor_connection[:, None])
    contacts = contacts_bound(config)
    duration_u = contact_uniforms(seed, replication, DURATIONS, exists, contacts, family)
    service_min = durations_from_uniforms(config.durations.followup, duration_u)
    newcomer = (np.nonzero(exists)[1] >= 1) | bool(family)  # a newcomer's first contact is a first interview
    service_min[newcomer, 0] = durations_from_uniforms(config.durations.first, duration_u[newcomer, 0])
    punctuality = contact_uniforms(seed, replication, PUNCTUALITY, exists, contacts, family)
    rows = {
        "has_car": has_car[exists],
        "hard_to_reach": hard_to_reach[exists],
        "interval_days": interval_days[exists],
        "attendance_u": contact_uniforms(seed, replication, ATTENDANCE, exists, contacts, family),
        "service_min": service_min,
        "leaves_for_work": (
            stream(seed, replication, EXITS, family).random((n_slots, generations)) < clients.work_share_of_exits
        )[exists],
        "under25": under25[exists],
        "measure_u": 1.0 - stream(seed, replication, MEASURES, family).random((n_slots, generations))[exists],
        "arrival_offset_min": np.clip(
            clients.arrival_offset_mean_min + clients.arrival_offset_sd_min * ndtri(punctuality),
            -ARRIVAL_OFFSET_LIMIT_MIN,
            ARRIVAL_OFFSET_LIMIT_MIN,
        ),
    }
    return rows, (due_u[:, 0] * interval_days[:, 0]).astype(int)


def draw_departures(
    turnover: np.random.Generator, n_slots: int, mean_stay_days: float, horizon: int
) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """Per slot, the days on which its occupants leave within the horizon, and the next RESERVES
    days at or after it: exponential stays one after another, drawn four per slot at a time until
    every slot has that many past the horizon (the draws within it do not depend on how many)."""
    stays = turnover.exponential(mean_stay_days, size=(n_slots, 4))
    leave = np.cumsum(stays, axis=1)
    while ((leave >= horizon).sum(axis=1) < RESERVES).any():
        stays = np.hstack([stays, turnover.exponential(mean_stay_days, size=(n_slots, 4))])
        leave = np.cumsum(stays, axis=1)
    leaving = (leave < horizon).sum(axis=1)
    days = leave.astype(int)
    departures: list[tuple[int, ...]] = [()] * n_slots
    for slot in np.flatnonzero(leaving):
        departures[slot] = tuple(days[slot, : leaving[slot]].tolist())
    later = [tuple(days[slot, n : n + RESERVES].tolist()) for slot, n in enumerate(leaving.tolist())]
    return departures, later


def contact_uniforms(
    seed: int, replication: int, purpose: str, exists: np.ndarray, contacts: int, family: str = ""
) -> np.ndarray:
    """Uniforms [row, k] for at least `contacts` contacts of every occupant that exists. Contact
    block b (k in [8b, 8b + 8)) comes from a stream of its own, so a client's k-th number does not
    depend on how many contacts a scenario's settings allow."""
    blocks = -(-contacts // CONTACT_BLOCK)
    uniforms = np.empty((int(exists.sum()), blocks * CONTACT_BLOCK))
    for block in range(blocks):
        rng = stream(seed, replication, purpose, f"{family}contacts {block}")
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
        self.window_row: list[int] | None = None  # ... and their rows
        self.reached = np.zeros(n_clients, dtype=bool)
        self.to_book: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)  # day -> (client, generation)
        # day -> (client, generation) whose occupant leaves that day; an entry whose day is no longer
        # the occupant's `leaves_on` (a measure brought the exit forward) is stale
        self.leaving: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
        # the day the current occupant leaves (None: it stays to the end, the slot's last reserve)
        self.leaves_on: list[int | None] = [
            (*days, *more)[0] for days, more in zip(population.departures, population.later)
        ]
        self.entered = population.first_entry_day.tolist()  # the day the current occupant joined
        self.under25 = population.under25.tolist()  # [row]
        self.measured = np.zeros(len(population.has_car), dtype=bool)  # [row] a measure has raised the hazard
        self.to_work = population.leaves_for_work.copy()  # [row] the exit, when it comes, is to work
        self.shift = [0] * n_clients  # days a measure brought the slot's departures forward
        self.busy: dict[int, set[int]] = {}  # client -> days its occupant is at a course meeting or an interview
        self.contacts_bound = population.attendance_u.shape[1]
        for client in range(n_clients):
            self.to_book[self.due_day[client]].append((client, 0))
            if population.departures[client]:
                self.leaving[self.leaves_on[client]].append((client, 0))

    def __len__(self) -> int:
        return len(self.municipality)

    def queue(self, client: int, day: int) -> None:
        """Hand the client's contact to the booking desk on `day`, due date unchanged (a rebooking)."""
        self.to_book[day].append((client, self.generation[client]))

    def schedule_contact(self, client: int, due_day: int) -> None:
        """The client's next contact falls due on `due_day`."""
        self.due_day[client] = due_day
        self.to_book[due_day].append((client, self.generation[client]))

    def make_busy(self, client: int, day: int) -> None:
        """The current occupant is at a course meeting or an interview on `day`: an appointment
        booked for that day is moved to the next (sites.py), so nobody is in two places at once."""
        self.busy.setdefault(client, set()).add(day)

    def free(self, client: int, day: int) -> None:
        """The occupant is no longer expected elsewhere on `day` (dropped out of a course)."""
        days = self.busy.get(client)
        if days is not None:
            days.discard(day)

    def days_on_benefits(self, client: int, day: int) -> int:
        """Days the client's current occupant has been on the caseload by `day`."""
        return day - self.entered[client]

    def in_target_group(self, client: int, group: str, day: int) -> bool:
        """Whether the current occupant is in a target group (TARGET_GROUPS) on `day`."""
        row = self.row[client]
        if group == "under25":
            return self.under25[row]
        if group == "long_term":
            return self.days_on_benefits(client, day) >= LONG_TERM_DAYS
        return in_target_group(group, self.has_car[row], self.hard_to_reach[row])

    def arrival_offset(self, client: int) -> float:
        """Minutes after its slot time at which the client comes to the next appointment."""
        k = self.contact[client] % self.contacts_bound
        return self.population.arrival_offset_min.item(self.row[client], k)

    def first_occupants(self) -> tuple[np.ndarray, np.ndarray]:
        """Whether the client of each slot at the start has a car, and is hard to reach (for coverage)."""
        first = self.population.first_row
        return self.population.has_car[first], self.population.hard_to_reach[first]
