"""A session: counsellors serving booked clients and walk-ins from one queue at one site.

Counsellors are long-lived processes for the length of a session: each takes the next waiting
client (booked clients first, then walk-ins in arrival order), serves, writes notes, and takes the
next; an idle counsellor waits for an arrival. Walk-ins balk at a long queue and renege after
their patience runs out (a reneged walk-in is dropped when a counsellor reaches it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

if TYPE_CHECKING:
    from sim.kpi.monitor import Metrics


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

    def _count_area(self, now: float) -> None:
        self.metrics.queue_area(self._last_change, now, len(self.booked) + len(self.walkins))
        self._last_change = now

    def add_booked(self, service_min: float, municipality: int) -> None:
        now = self.env.now
        self._count_area(now)
        self.booked.append((now, service_min, municipality))
        self._wake()

    def add_walkin(self, service_min: float, leaves_at: float, balk_queue: int | None) -> None:
        now = self.env.now
        self.metrics.walkin_arrived(now)
        if balk_queue is not None and len(self.walkins) >= balk_queue:
            self._drop_reneged(now)  # those whose patience ran out have gone: they do not deter
            if len(self.walkins) >= balk_queue:
                self.metrics.walkin_balked(now)
                return
        self._count_area(now)
        self.walkins.append((now, service_min, leaves_at))
        self._wake()

    def _drop_reneged(self, now: float) -> None:
        """Remove the walk-ins who have left the queue by now."""
        self._count_area(now)
        staying = deque()
        for walkin in self.walkins:
            if walkin[2] >= now:
                staying.append(walkin)
            else:
                self._reneged(walkin, now)
        self.walkins = staying

    def _reneged(self, walkin: tuple[float, float, float], now: float) -> None:
        """A walk-in whose patience ran out at `leaves_at` is found gone at `now`: they left the queue
        then, so the queue-length area counted since is taken back."""
        arrival, _, leaves_at = walkin
        self.metrics.walkin_reneged(arrival)
        self.metrics.queue_area(leaves_at, now, -1)

    def _wake(self) -> None:
        if self.idle:
            self.idle.pop().succeed()

    def arrivals_done(self) -> None:
        """One arrival stream has closed; when all have, idle counsellors go home.

        Nobody is left for an idle counsellor (every client who came while one was idle woke one),
        so going home is simply never being woken again: the process is dropped, not resumed.
        """
        self.open_arrival_streams -= 1
        if self.open_arrival_streams == 0:
            for wake in self.idle:
                wake.callbacks.clear()  # frees the process now, not at the next garbage collection
            self.idle.clear()

    def next_client(self) -> tuple[float, float, int] | None:
        """(arrival, service minutes, municipality or -1 for a walk-in), or None if nobody waits."""
        now = self.env.now
        if self.booked:
            self._count_area(now)
            return self.booked.popleft()
        while self.walkins:
            self._count_area(now)
            arrival, service_min, leaves_at = self.walkins.popleft()
            if leaves_at >= now:
                return arrival, service_min, -1
            self._reneged((arrival, service_min, leaves_at), now)
        return None


def counsellor(queue: ServiceQueue, documentation_min: float) -> Generator:
    """Serve waiting clients until the session's arrivals have ended and nobody waits."""
    env, metrics, site, office = queue.env, queue.metrics, queue.site, queue.office
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
        busy_min = service_min + documentation_min
        metrics.served(arrival, env.now, site, office, busy_min, walkin=municipality < 0)
        yield env.timeout(busy_min)


def walkin_arrivals(
    queue: ServiceQueue,
    close_at: float,
    interarrival: Callable[[], float],
    service: Callable[[], float],
    patience: Callable[[], float] | None,
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
