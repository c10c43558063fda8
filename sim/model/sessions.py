"""A session: a reception desk and counsellors serving booked clients and walk-ins at one site.

Clients check in at the reception desk (an office's; a room has none and clients go straight to
the counsellor), each in order of arrival taking the clerk free first, then wait for a counsellor.
Counsellors are long-lived processes for the length of a session: each calls the booked client
who is ready first (checked in, and their slot has come: a client who came early waits for the
slot, one who came late is called once checked in), else the walk-in who came first; with nobody
to call, a counsellor waits for the next walk-in or the next booked client's time, whichever
comes first. Walk-ins balk at a long queue and renege after their patience runs out (a reneged
walk-in is dropped when a counsellor reaches it).

Whether each booked client comes is known when the session's doors open, so their arrivals cost
no events: they wait in a heap keyed by the minute they can be called.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

import simpy

if TYPE_CHECKING:
    from sim.kpi.monitor import Metrics

Walkin = tuple[float, float, float]  # (arrival, service_min, leaves_at)


def check_in(
    booked: list[tuple[float, float, float]], walkins: list[Walkin], clerks: int, checkin: Callable[[], float]
) -> tuple[list[tuple[float, float, float, float]], list[tuple[float, Walkin]]]:
    """A session's clients at the reception desk of `clerks` clerks (none: done on arrival), in
    order of arrival, first come first served, each taking the clerk free first.

    booked: (arrival, slot minute, service_min) of those who come; walkins: (arrival, service_min,
    leaves_at). Returns the booked as (minute they can be called: checked in and their slot has
    come, slot minute, arrival, service_min) and the walk-ins as (checked-in minute, walk-in),
    in the order they join the queue."""
    order = sorted(
        [(client[0], 0, i) for i, client in enumerate(booked)] + [(walkin[0], 1, i) for i, walkin in enumerate(walkins)]
    )
    free_at = [-math.inf] * clerks
    ready_booked, ready_walkins = [], []
    for arrival, is_walkin, i in order:
        done = arrival
        if clerks:
            clerk = free_at.index(min(free_at))
            done = free_at[clerk] = max(arrival, free_at[clerk]) + checkin()
        if is_walkin:
            ready_walkins.append((done, walkins[i]))
        else:
            _, slot_minute, service_min = booked[i]
            ready_booked.append((max(done, slot_minute), slot_minute, arrival, service_min))
    ready_walkins.sort()
    return ready_booked, ready_walkins


class ServiceQueue:
    """The clients waiting at a session, and the idle counsellors that wait for them.

    `booked` is a heap of (ready minute, slot minute, arrival, service_min); `open_arrival_streams`
    counts the processes that may still bring a walk-in."""

    def __init__(
        self,
        env: simpy.Environment,
        metrics: Metrics,
        office: int,
        booked: list | None = None,
        trace: list | None = None,
        counsellors: int = 0,
    ) -> None:
        self.env = env
        self.trace = trace  # (start, end) of every consultation and its notes, when given
        self.counsellors = counsellors  # serving this session
        self.gone = 0  # of them done for the session
        self.over: simpy.Event | None = None  # set by whoever waits for the session's end (a vehicle)
        self.metrics = metrics
        self.office = office
        self.booked = booked or []
        heapq.heapify(self.booked)
        self.walkins: deque[Walkin] = deque()
        self.idle: list[simpy.Event] = []
        self.alarm_at: float | None = None  # the minute an alarm will wake idle counsellors for booked clients
        self.open_arrival_streams = 0
        self._last_change = env.now

    def _count_area(self, now: float) -> None:
        self.metrics.queue_area(self._last_change, now, len(self.walkins))
        self._last_change = now

    def add_walkin(self, arrival: float, service_min: float, leaves_at: float, balk_queue: int | None) -> None:
        """A walk-in, checked in, joins the queue (or balks at it)."""
        now = self.env.now
        self.metrics.queue_area(arrival, now, 1)  # on site since arriving, at the reception desk
        if balk_queue is not None and len(self.walkins) >= balk_queue:
            self._drop_reneged(now)  # those whose patience ran out have gone: they do not deter
            if len(self.walkins) >= balk_queue:
                self.metrics.walkin_balked(arrival)
                return
        if leaves_at < now:  # patience ran out at the reception desk
            self.metrics.walkin_reneged(arrival)
            return
        self._count_area(now)
        self.walkins.append((arrival, service_min, leaves_at))
        if self.idle:
            self.idle.pop().succeed()

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

    def _reneged(self, walkin: Walkin, now: float) -> None:
        """A walk-in whose patience ran out at `leaves_at` is found gone at `now`: they left the queue
        then, so the queue-length area counted since is taken back."""
        arrival, _, leaves_at = walkin
        self.metrics.walkin_reneged(arrival)
        self.metrics.queue_area(leaves_at, now, -1)

    def arrivals_done(self) -> None:
        """A walk-in stream has ended; when all have and no booked client is left, idle counsellors go home."""
        self.open_arrival_streams -= 1
        if self.open_arrival_streams == 0 and not self.booked:
            self.go_home()

    def go_home(self) -> None:
        """Nobody is left for an idle counsellor, so going home is simply never being woken again:
        the process is dropped, not resumed."""
        for wake in self.idle:
            wake.callbacks.clear()  # frees the process now, not at the next garbage collection
        self.leave(len(self.idle))
        self.idle.clear()

    def leave(self, counsellors: int) -> None:
        """Counsellors are done for the session; after the last, `over` fires (if someone waits)."""
        self.gone += counsellors
        if self.ended and self.over is not None and not self.over.triggered:
            self.over.succeed()

    @property
    def ended(self) -> bool:
        """Every counsellor of the session is done: nobody is left to serve and nobody can come."""
        return self.gone >= self.counsellors

    def next_client(self) -> tuple[float, float, bool] | None:
        """(arrival, service minutes, walk-in?) of the client to call now, or None if nobody can be called."""
        now = self.env.now
        booked = self.booked
        if booked and booked[0][0] <= now:
            _, _, arrival, service_min = heapq.heappop(booked)
            self.metrics.queue_area(arrival, now, 1)  # a booked client waited on site since arriving
            if self.idle and booked:  # the next booked client: another idle counsellor now, or an alarm
                if booked[0][0] <= now:
                    self.idle.pop().succeed()
                elif self.alarm_at is None or booked[0][0] < self.alarm_at:
                    self._arm(booked[0][0])
            return arrival, service_min, False
        while self.walkins:
            self._count_area(now)
            arrival, service_min, leaves_at = self.walkins.popleft()
            if leaves_at >= now:
                return arrival, service_min, True
            self._reneged((arrival, service_min, leaves_at), now)
        return None

    def wait(self) -> simpy.Event:
        """The event an idle counsellor waits for: the next walk-in, or the time the next booked
        client can be called (one alarm for all idle counsellors)."""
        wake = self.env.event()
        self.idle.append(wake)
        if self.booked and (self.alarm_at is None or self.booked[0][0] < self.alarm_at):
            self._arm(self.booked[0][0])
        return wake

    def _arm(self, minute: float) -> None:
        self.alarm_at = minute
        self.env.timeout(minute - self.env.now).callbacks.append(self._ring)

    def _ring(self, _: simpy.Event) -> None:
        """A booked client can be called now: wake an idle counsellor (who wakes the next, see next_client)."""
        if self.env.now != self.alarm_at:
            return  # superseded by an earlier alarm, which has rung
        self.alarm_at = None
        if self.idle:
            self.idle.pop().succeed()


def counsellor(queue: ServiceQueue, documentation_min: float, opens_at: float) -> Generator:
    """From the session's opening, serve waiting clients until no more can come and nobody waits."""
    env, metrics, office = queue.env, queue.metrics, queue.office
    if opens_at > env.now:
        yield env.timeout(opens_at - env.now)
    while True:
        client = queue.next_client()
        if client is None:
            if queue.open_arrival_streams == 0 and not queue.booked:
                queue.go_home()
                queue.leave(1)
                return
            yield queue.wait()
            continue
        arrival, service_min, walkin = client
        metrics.served(arrival, env.now, office, service_min, documentation_min, walkin)
        if queue.trace is not None:
            queue.trace.append((env.now, env.now + service_min + documentation_min))
        yield env.timeout(service_min + documentation_min)


def walkin_arrivals(queue: ServiceQueue, walkins: list[tuple[float, Walkin]], balk_queue: int | None) -> Generator:
    """The session's walk-ins, each joining the queue when checked in: (checked-in minute, walk-in)."""
    env = queue.env
    for minute, (arrival, service_min, leaves_at) in walkins:
        if minute > env.now:
            yield env.timeout(minute - env.now)
        queue.add_walkin(arrival, service_min, leaves_at, balk_queue)
    queue.arrivals_done()
