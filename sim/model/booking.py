"""The appointment book: each site's sessions with their slots, the desk's booking rule, one cancel path.

The desk books a due contact into the earliest free slot at least `booking.notice_days` ahead at
the best-ranked of the client's sites (world.py: under the local policy the room that serves
them, else the nearest office) that has one within `booking.max_lead_days`; if none has, the
earliest slot at any of them. Every cancellation (a counsellor off sick, a client who leaves the
caseload, a vehicle breakdown) goes through `AppointmentBook.cancel`; a slot given up
before its session's doors open (world.py: `doors_min`) is offered again.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from typing import TYPE_CHECKING

from sim.model.caseload import Caseload
from sim.model.world import Site, World

if TYPE_CHECKING:
    from sim.kpi.monitor import Metrics

Booking = tuple[int, int, int]  # (site, session, slot)
DESK_OPENS_MIN = 0  # the desk books at the start of each day; a session whose doors open then is already open


class SiteBook:
    """The sessions of one site in time order; slot j of a session is held by counsellor
    j % staff at start + (j // staff) * slot length."""

    def __init__(self, site: Site, staff_by_day: list[int]) -> None:
        self.site = site
        self.days = list(site.days)
        self.staff = staff_by_day
        hours = site.hours or [(site.open_min, site.close_min)] * len(self.days)
        self.opens = [opens for opens, _ in hours]  # minutes after midnight, per session
        self.closes = [closes for _, closes in hours]
        self.capacity = [
            staff * max(0, (closes - opens) // site.slot_min) for staff, (opens, closes) in zip(staff_by_day, hours)
        ]
        self.bookings: list[list[int]] = [[] for _ in self.days]  # client per booked slot, -1 once cancelled
        # next_open[i]: a session index >= i that may have a slot never booked (path-compressed: a
        # session whose slots have all been handed out stays so); slots given back are kept apart
        self.next_open = list(range(len(self.days) + 1))
        self.given_back: dict[int, list[int]] = {}  # session -> slots given back, to offer again
        self.sessions_given_back: list[int] = []  # their sessions, ascending

    def first_free(self, earliest_day: int) -> int | None:
        """Index of the first session on or after earliest_day with a free slot."""
        next_open, bookings, capacity, n_sessions = self.next_open, self.bookings, self.capacity, len(self.days)
        start = first = root = bisect_left(self.days, earliest_day)
        while root < n_sessions and (next_open[root] != root or len(bookings[root]) >= capacity[root]):
            if next_open[root] == root:  # full: link it to the next session
                next_open[root] = root + 1
            root = next_open[root]
        while next_open[first] != first and first < n_sessions:  # path compression
            next_open[first], first = root, next_open[first]
        if self.sessions_given_back:
            position = bisect_left(self.sessions_given_back, start)
            if position < len(self.sessions_given_back) and self.sessions_given_back[position] < root:
                return self.sessions_given_back[position]
        return root if root < n_sessions else None

    def book(self, session: int, client: int) -> int:
        """Give the client a slot of the session, the earliest given back first; return the slot number."""
        slots = self.given_back.get(session)
        if slots:
            slot = slots.pop()
            if not slots:
                del self.given_back[session]
                self.sessions_given_back.remove(session)
            self.bookings[session][slot] = client
            return slot
        self.bookings[session].append(client)
        return len(self.bookings[session]) - 1

    def give_back(self, session: int, slot: int) -> None:
        """A slot whose booking was cancelled before its session: offer it again."""
        self.bookings[session][slot] = -1
        if session not in self.given_back:
            self.given_back[session] = []
            insort(self.sessions_given_back, session)
        self.given_back[session].append(slot)
        self.given_back[session].sort(reverse=True)

    def close(self, session: int) -> None:
        """A session that will not be held (its vehicle is in the garage): no slot is offered any more."""
        self.capacity[session] = 0
        if self.given_back.pop(session, None) is not None:
            self.sessions_given_back.remove(session)

    def slot_time(self, session: int, slot: int) -> int:
        """Minutes after midnight at which a slot begins."""
        return self.opens[session] + (slot // self.staff[session]) * self.site.slot_min


class AppointmentBook:
    """Every site's book, the booking each client holds, and the desk's rule for choosing a slot."""

    def __init__(self, world: World, caseload: Caseload, metrics: Metrics) -> None:
        self.world = world
        self.caseload = caseload
        self.metrics = metrics
        self.books = [SiteBook(site, world.staff.session_staff(site)) for site in world.sites]
        self.booking: list[Booking | None] = [None] * len(caseload)
        self.travel_min = world.client_travel_min.tolist()  # [site][municipality][car], one way, own mode
        self.cancelled: Counter[str] = Counter()  # by reason

    def book(self, client: int, today: int) -> None:
        """Book the earliest slot after the notice period at the nearest site that has one within
        max_lead_days (of sites equally near, the one with the earliest slot); if none has, the
        earliest slot at any of the client's sites."""
        caseload, booking = self.caseload, self.world.config.booking
        earliest = today + booking.notice_days
        latest = earliest + booking.max_lead_days
        municipality, row = caseload.municipality[client], caseload.row[client]
        candidates = self.world.candidates[municipality][int(caseload.has_car[row])][int(caseload.hard_to_reach[row])]
        chosen, fallback, chosen_rank = None, None, 0.0
        books = self.books
        for site, rank in candidates:
            if chosen is not None and rank > chosen_rank:
                break  # candidates come best rank first: no better site is left
            book = books[site]
            opens_before_desk = earliest == today and book.site.doors_min <= DESK_OPENS_MIN
            session = book.first_free(earliest + opens_before_desk)
            if session is None:
                continue
            if book.days[session] <= latest:
                if chosen is None or book.days[session] < books[chosen[0]].days[chosen[1]]:
                    chosen, chosen_rank = (site, session), rank
                continue
            if fallback is None or book.days[session] < books[fallback[0]].days[fallback[1]]:
                fallback = (site, session)
        chosen = chosen or fallback
        if chosen is None:  # every candidate is full to the end of the book: try again in a week
            caseload.queue(client, today + 7)
            return
        site, session = chosen
        slot = books[site].book(session, client)
        self.booking[client] = (site, session, slot)
        caseload.booked_on[client] = today
        self.metrics.ledger["booked"] += 1

    def cancel(self, client: int, reason: str, rebook_on: int | None = None, today: int | None = None) -> None:
        """Cancel the client's booking; with `rebook_on`, the desk books the contact again on that
        day, due date unchanged. Given `today` (the desk's day), a slot whose session is still to
        open is offered again; a session already open (a counsellor off sick) keeps it empty."""
        site, session, slot = self.booking[client]
        book = self.books[site]
        if today is not None and (book.days[session], book.site.doors_min) > (today, DESK_OPENS_MIN):
            book.give_back(session, slot)
        else:
            book.bookings[session][slot] = -1
        self.booking[client] = None
        self.metrics.ledger["cancelled"] += 1
        self.cancelled[reason] += 1
        if rebook_on is not None:
            self.caseload.queue(client, rebook_on)

    def pending(self, horizon_days: int) -> tuple[int, int]:
        """Bookings neither kept, missed nor cancelled at the end: (for a session still to come,
        for a session whose day has passed). The second is a defect of the model, never a state."""
        days = [self.books[site].days[session] for site, session, _ in filter(None, self.booking)]
        stale = sum(day < horizon_days for day in days)
        return len(days) - stale, stale
