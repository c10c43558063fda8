"""A session: counsellors serving booked clients and walk-ins from one queue at one site.

Counsellors are long-lived processes for the length of a session: each takes the next waiting
client (booked clients first, then walk-ins in arrival order), serves, writes notes, and takes the
next; an idle counsellor waits for an arrival. Walk-ins balk at a long queue and renege after
their patience runs out (a reneged walk-in is dropped when a counsellor reaches it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

if TYPE_CHECKING:
    from sim.metrics import Metrics

CHUNK = 512  # random numbers are drawn in bulk, this many at a time


class BulkDraws:
    """A stream of floats from a generator method, drawn CHUNK at a time."""

    def __init__(self, draw, *args: float) -> None:
        self._draw, self._args = draw, args
        self._values: list[float] = []
        self._next = 0

    def __call__(self) -> float:
        if self._next == len(self._values):
            self._values = self._draw(*self._args, size=CHUNK).tolist()
            self._next = 0
        self._next += 1
        return self._values[self._next - 1]


class ServiceQueue:
    """Clients waiting at a session, with the idle counsellors that wait for them."""

    def __init__(self, env: simpy.Environment, metrics: Metrics, site: int, office: int) -> None:
        self.env = env
        self.metrics = metrics
        self.site = site
        self.office = office
        self.booked: deque = deque()  # (arrival, service_min, municipality)
        self.walkins: deque = deque()  # (arrival, service_min, leaves_at)
        self.idle: list[simpy.Event] = []
        self.open_arrival_streams = 0
        self._last_change = env.now

    def waiting(self) -> int:
        return len(self.booked) + len(self.walkins)

    def _count_area(self) -> None:
        now = self.env.now
        self.metrics.queue_area(self._last_change, now, self.waiting())
        self._last_change = now

    def add_booked(self, service_min: float, municipality: int) -> None:
        self._count_area()
        self.booked.append((self.env.now, service_min, municipality))
        self._wake()

    def add_walkin(self, service_min: float, leaves_at: float, balk_queue: int | None) -> None:
        self.metrics.walkin_arrived(self.env.now)
        if balk_queue is not None and len(self.walkins) >= balk_queue:
            self.metrics.walkin_balked(self.env.now)
            return
        self._count_area()
        self.walkins.append((self.env.now, service_min, leaves_at))
        self._wake()

    def _wake(self) -> None:
        if self.idle:
            self.idle.pop().succeed()

    def arrivals_done(self) -> None:
        """One arrival stream has closed; when all have, idle counsellors go home."""
        self.open_arrival_streams -= 1
        if self.open_arrival_streams == 0:
            while self.idle:
                self.idle.pop().succeed()

    def next_client(self) -> tuple[float, float, int] | None:
        """(arrival, service minutes, municipality or -1 for a walk-in), or None if nobody waits."""
        now = self.env.now
        if self.booked:
            self._count_area()
            return self.booked.popleft()
        while self.walkins:
            self._count_area()
            arrival, service_min, leaves_at = self.walkins.popleft()
            if leaves_at >= now:
                return arrival, service_min, -1
            self.metrics.walkin_reneged(arrival)
        return None


def counsellor(queue: ServiceQueue, documentation_min: float) -> Generator:
    """Serve waiting clients until the session's arrivals have ended and nobody waits."""
    env, metrics = queue.env, queue.metrics
    while True:
        client = queue.next_client()
        if client is None:
            if queue.open_arrival_streams == 0:
                return
            wake = env.event()
            queue.idle.append(wake)
            yield wake
            continue
        arrival, service_min, municipality = client
        metrics.served(
            arrival, env.now, queue.site, queue.office, service_min + documentation_min, walkin=municipality < 0
        )
        yield env.timeout(service_min + documentation_min)


def walkin_arrivals(
    queue: ServiceQueue,
    close_at: float,
    interarrival: BulkDraws,
    service: BulkDraws,
    patience: BulkDraws | None,
    balk_queue: int | None,
) -> Generator:
    """Poisson walk-ins until the site closes."""
    env = queue.env
    while True:
        gap = interarrival()
        if env.now + gap >= close_at:
            break
        yield env.timeout(gap)
        leaves_at = env.now + patience() if patience is not None else np.inf
        queue.add_walkin(service(), leaves_at, balk_queue)
    queue.arrivals_done()
