"""The appointment book: sessions of each site with their free slots, and earliest-slot search."""

from __future__ import annotations

from bisect import bisect_left

from sim.model.world import Site


class SiteBook:
    """The sessions of one site in time order; slot j of a session is held by counsellor
    j % staff at start + (j // staff) * slot length."""

    def __init__(self, site: Site, staff_by_day: list[int]) -> None:
        self.site = site
        self.days = list(site.days)
        self.staff = staff_by_day
        slots_per_counsellor = max(0, (site.close_min - site.open_min) // site.slot_min)
        self.capacity = [staff * slots_per_counsellor for staff in staff_by_day]
        self.bookings: list[list[int]] = [[] for _ in self.days]  # client slot per booked slot
        # next_open[i]: a session index >= i that may have a free slot (path-compressed; slots
        # are never handed back, so a full session stays full)
        self.next_open = list(range(len(self.days) + 1))

    def first_free(self, earliest_day: int) -> int | None:
        """Index of the first session on or after earliest_day with a free slot."""
        next_open, bookings, capacity, n_sessions = self.next_open, self.bookings, self.capacity, len(self.days)
        first = root = bisect_left(self.days, earliest_day)
        while root < n_sessions and (next_open[root] != root or len(bookings[root]) >= capacity[root]):
            if next_open[root] == root:  # full: link it to the next session
                next_open[root] = root + 1
            root = next_open[root]
        while next_open[first] != first and first < n_sessions:  # path compression
            next_open[first], first = root, next_open[first]
        return root if root < n_sessions else None

    def book(self, session: int, client: int) -> int:
        """Give the client the next slot of the session; return the slot number."""
        self.bookings[session].append(client)
        return len(self.bookings[session]) - 1

    def slot_time(self, session: int, slot: int) -> int:
        """Minutes after midnight at which a slot begins."""
        return self.site.open_min + (slot // self.staff[session]) * self.site.slot_min
