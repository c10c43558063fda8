"""The monitor: what happens during a replication, accumulated into KPIs on the fly (no event log).

Everything is counted inside the measured window [warm-up, horizon) only, except the booking
ledger, which covers the whole run so that its states add up: every booking ends kept, missed
(no-show), cancelled, or is pending at the end for a session still to come. A booking still held
for a session whose day has passed is counted as `stale`: the tests hold it at zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.district.calendar import MINUTES_PER_DAY
from sim.kpi.registry import scenario_kpis

LEDGER_STATES = ("kept", "no_show", "cancelled", "pending", "stale")  # stale: a passed session's booking (a defect)
MAX_WAIT_DAYS = 730
WEEK_MIN = 7 * MINUTES_PER_DAY


@dataclass
class RunResult:
    """The KPIs of one replication, overall and per municipality, site and office."""

    kpis: dict[str, float]
    municipalities: dict[str, np.ndarray]  # kpi -> value per municipality
    sites: dict[str, dict[str, float]]  # site -> kpi -> value
    counsellors: dict[str, dict[str, float]]  # office -> kpi -> value
    wait_days_histogram: np.ndarray  # count of appointments per whole day waited
    ledger: dict[str, int] = field(default_factory=dict)  # booked and its end states
    weekly: dict[str, np.ndarray] = field(default_factory=dict)  # week of the whole run -> value (warm-up)


class Metrics:
    """Counters fed by the model's processes.

    Counters per municipality, site and office are Python lists while the run lasts (adding to a
    list item is several times faster than to a NumPy element) and arrays in the result.
    """

    def __init__(
        self,
        n_municipalities: int,
        n_sites: int,
        n_offices: int,
        warmup_days: int,
        horizon_days: int,
        n_vehicles: int = 0,
    ) -> None:
        self.start = warmup_days * MINUTES_PER_DAY
        self.end = horizon_days * MINUTES_PER_DAY
        self.wait_hist = [0] * (MAX_WAIT_DAYS + 1)
        self.kept = [0] * n_municipalities
        self.missed = [0] * n_municipalities
        self.travel_min = [0.0] * n_municipalities
        self.wait_days = [0.0] * n_municipalities
        self.client_km = 0.0
        self.hard_appointments = [0] * n_municipalities  # the hard-to-reach clients' appointments
        self.hard_kept = [0] * n_municipalities
        self.hard_travel_min = [0.0] * n_municipalities
        self.hard_wait_days = 0.0
        self.site_kept = [0] * n_sites
        self.site_missed = [0] * n_sites
        self.session_kept: list[list[int]] = [[] for _ in range(n_sites)]
        self.site_clients: list[set[tuple[int, int]]] = [set() for _ in range(n_sites)]  # (slot, generation) seen
        self.office_counselling_min = [0.0] * n_offices  # face to face
        self.office_documentation_min = [0.0] * n_offices  # notes after each contact: case work
        self.office_consultation_min = [0.0] * n_offices  # counsellors x session hours: time to see clients
        self.office_absent_days = [0] * n_offices  # counsellors off sick on a session day
        self.office_travel_min = [0.0] * n_offices
        self.office_meeting_min = [0.0] * n_offices
        self.staff_km = 0.0
        self.vehicle_km = [0.0] * n_vehicles
        self.vehicle_days_lost = 0
        self.overtime_min = 0.0  # counsellor-minutes after the working day (a vehicle's late return)
        self.sessions_cancelled = 0  # nobody to hold them: counsellors off sick, the vehicle in the garage
        self.lost = 0
        self.exits_to_work = [0] * n_municipalities
        self.exits_other = 0
        self.exits = [0] * n_municipalities  # of both kinds
        self.exit_days_on_benefits = [0] * n_municipalities  # their days on the caseload, summed
        self.onsite_wait_sum = 0.0
        self.onsite_served = 0
        self.walkins_served = 0
        self.walkins_arrived = 0
        self.walkins_balked = 0
        self.walkins_reneged = 0
        self.queue_minutes = 0.0
        self.ledger = dict.fromkeys(("booked", *LEDGER_STATES), 0)
        weeks = -(-horizon_days // 7)
        self.week_appointments = [0] * weeks  # from day 0, warm-up included: the series warm-up is judged on
        self.week_kept = [0] * weeks
        self.week_wait_days = [0.0] * weeks
        self.week_lost = [0] * weeks

    def in_window(self, minute: float) -> bool:
        return self.start <= minute < self.end

    def appointment(
        self,
        minute: float,
        municipality: int,
        site: int,
        kept: bool,
        wait_days: int,
        travel_min: float,
        road_km: float,
        hard_to_reach: bool,
    ) -> None:
        """A booked client came (kept) or did not (no-show)."""
        self.ledger["kept" if kept else "no_show"] += 1
        week = int(minute // WEEK_MIN)
        if week < len(self.week_kept):
            self.week_appointments[week] += 1
            self.week_kept[week] += kept
            self.week_wait_days[week] += wait_days
        if not self.start <= minute < self.end:
            return
        self.wait_hist[min(wait_days, MAX_WAIT_DAYS)] += 1
        self.wait_days[municipality] += wait_days
        self.travel_min[municipality] += travel_min
        if hard_to_reach:
            self.hard_appointments[municipality] += 1
            self.hard_kept[municipality] += kept
            self.hard_travel_min[municipality] += travel_min
            self.hard_wait_days += wait_days
        if kept:
            self.kept[municipality] += 1
            self.site_kept[site] += 1
            self.client_km += 2 * road_km
        else:
            self.missed[municipality] += 1
            self.site_missed[site] += 1

    def session_opened(self, opens: float, closes: float, office: int, present: int, sick: int) -> None:
        """A session opens with `present` counsellors; `sick` more of them are off sick all day."""
        low = self.start if self.start > opens else opens
        high = self.end if self.end < closes else closes
        if high > low:
            self.office_consultation_min[office] += present * (high - low)
        if self.in_window(opens):
            self.office_absent_days[office] += sick

    def session_held(
        self, minute: float, site: int, office: int, kept: int, counsellors: int, travel_min: float, road_km: float
    ) -> None:
        """A session's booked arrivals are over; its counsellors drove there and back in one car."""
        if self.in_window(minute):
            self.session_kept[site].append(kept)
            self.office_travel_min[office] += 2 * travel_min * counsellors
            self.staff_km += 2 * road_km

    def session_cancelled(self, minute: float, sessions: int = 1) -> None:
        if self.in_window(minute):
            self.sessions_cancelled += sessions

    def vehicle_drove(
        self, minute: float, vehicle: int, office: int, counsellors: int, minutes: float, road_km: float
    ) -> None:
        """A leg of a vehicle's tour: its counsellors' working time, its kilometres."""
        if self.in_window(minute):
            self.office_travel_min[office] += minutes * counsellors
            self.vehicle_km[vehicle] += road_km

    def overtime(self, minute: float, counsellor_min: float) -> None:
        if self.in_window(minute):
            self.overtime_min += counsellor_min

    def vehicle_day_lost(self, minute: float, sessions: int) -> None:
        """A tour day the vehicle spends in the garage, with the sessions it would have held."""
        if self.in_window(minute):
            self.vehicle_days_lost += 1
            self.sessions_cancelled += sessions

    def served(
        self, arrival: float, now: float, office: int, service_min: float, documentation_min: float, walkin: bool
    ) -> None:
        """A client's counselling starts: the wait counts by arrival, the work (face to face, then
        the notes) where it falls."""
        start, end = self.start, self.end
        worked = min(end, now + service_min) - max(start, now)
        if worked > 0:
            self.office_counselling_min[office] += worked
        if documentation_min:
            notes_from = now + service_min
            noted = min(end, notes_from + documentation_min) - max(start, notes_from)
            if noted > 0:
                self.office_documentation_min[office] += noted
        if not start <= arrival < end:
            return
        self.onsite_wait_sum += now - arrival
        self.onsite_served += 1
        if walkin:
            self.walkins_served += 1

    def group_held(self, minute: float, office: int, counsellor_min: float) -> None:
        """A group meeting (a course) run by counsellors of an office: face to face, counsellors x minutes."""
        if self.in_window(minute):
            self.office_counselling_min[office] += counsellor_min
            self.office_consultation_min[office] += counsellor_min

    def staff_drove(self, minute: float, office: int, counsellor_min: float, road_km: float) -> None:
        """Counsellors of an office drove somewhere in one car (to a course, an interview): their
        working time, the car's kilometres."""
        if self.in_window(minute):
            self.office_travel_min[office] += counsellor_min
            self.staff_km += road_km

    def meeting_held(self, minute: float, office: int, counsellor_min: float) -> None:
        """A team meeting of an office: counsellors x minutes of blocked time."""
        if self.in_window(minute):
            self.office_meeting_min[office] += counsellor_min

    def walkin_arrived(self, minute: float) -> None:
        if self.start <= minute < self.end:
            self.walkins_arrived += 1

    def walkin_balked(self, minute: float) -> None:
        if self.in_window(minute):
            self.walkins_balked += 1

    def walkin_reneged(self, arrival: float) -> None:
        if self.in_window(arrival):
            self.walkins_reneged += 1

    def client_left(self, minute: float, municipality: int, for_work: bool, days_on_benefits: int) -> None:
        """A client leaves the caseload (turnover), for work or another exit, after so many days on it."""
        if self.in_window(minute):
            self.exits[municipality] += 1
            self.exit_days_on_benefits[municipality] += days_on_benefits
            if for_work:
                self.exits_to_work[municipality] += 1
            else:
                self.exits_other += 1

    def client_lost(self, minute: float) -> None:
        week = int(minute // WEEK_MIN)
        if week < len(self.week_lost):
            self.week_lost[week] += 1
        if self.in_window(minute):
            self.lost += 1

    def queue_area(self, since: float, now: float, waiting: int) -> None:
        """Add waiting x time, clipped to the window, for the time-average queue length."""
        low = self.start if self.start > since else since  # max() and min(), without the calls
        high = self.end if self.end < now else now
        if high > low:
            self.queue_minutes += waiting * (high - low)

    def result(
        self,
        world,
        reached: np.ndarray,
        hard_to_reach: np.ndarray,
        coverage: dict[int, float],
        nearly_empty_max: int,
        working_hours: np.ndarray,
        counsellor_days: np.ndarray,
    ) -> RunResult:
        """The replication's KPIs from the counters; `reached` and `hard_to_reach` are per client of
        the caseload at the end of the warm-up; `working_hours` and `counsellor_days` per office,
        net of leave."""
        measured_min = self.end - self.start
        kept_by_municipality = np.array(self.kept, dtype=np.int64)
        missed_by_municipality = np.array(self.missed, dtype=np.int64)
        travel_min, wait_days = np.array(self.travel_min), np.array(self.wait_days)
        site_kept, site_missed = np.array(self.site_kept, dtype=np.int64), np.array(self.site_missed, dtype=np.int64)
        wait_hist = np.array(self.wait_hist, dtype=np.int64)
        booked = kept_by_municipality + missed_by_municipality
        kept, missed = int(kept_by_municipality.sum()), int(missed_by_municipality.sum())
        appointments = kept + missed
        cumulative = np.cumsum(wait_hist)
        p90 = float(np.searchsorted(cumulative, 0.9 * cumulative[-1])) if appointments else np.nan
        time_split = counsellor_time(self, working_hours, counsellor_days)
        counselling_h = time_split["counselling_hours"]
        days_at_work = float(counsellor_days.sum() - sum(self.office_absent_days))
        kpis = {
            "wait_days_mean": ratio(float(wait_days.sum()), appointments),
            "wait_days_p90": p90,
            "onsite_wait_min_mean": ratio(self.onsite_wait_sum, self.onsite_served),
            "attendance_rate": ratio(kept, appointments),
            "reach": float(reached.mean()) if reached.size else np.nan,
            **{f"coverage_{minutes}min": share for minutes, share in coverage.items()},
            "lost_clients": float(self.lost),
            "kept_contacts": float(kept),
            "no_shows": float(missed),
            "walkins_served": float(self.walkins_served),
            "counsellor_utilisation": ratio(float(counselling_h.sum()), float(working_hours.sum())),
            "appointments_per_counsellor_day": ratio(appointments, days_at_work) if appointments else np.nan,
            "counsellor_travel_hours": float(time_split["travel_hours"].sum()),
            "client_travel_km_per_contact": ratio(self.client_km, kept),
            "staff_travel_km": self.staff_km,
            "onsite_queue_mean": self.queue_minutes / measured_min,
            "walkin_arrivals_per_hour": self.walkins_arrived / measured_min * 60.0,
            "reach_hard_to_reach": float(reached[hard_to_reach].mean()) if hard_to_reach.any() else np.nan,
            "unreached_hard_to_reach": float((hard_to_reach & ~reached).sum()),
            "kept_contacts_hard_to_reach": float(sum(self.hard_kept)),
            "attendance_rate_hard_to_reach": ratio(sum(self.hard_kept), sum(self.hard_appointments)),
            "travel_min_hard_to_reach": ratio(sum(self.hard_travel_min), sum(self.hard_appointments)),
            "wait_days_hard_to_reach": ratio(self.hard_wait_days, sum(self.hard_appointments)),
        }
        exits_to_work = np.array(self.exits_to_work, dtype=float)
        measured_years = measured_min / MINUTES_PER_DAY / 365.0
        client_years = float(world.client_counts.sum()) * measured_years
        kpis["exits_to_work"] = float(exits_to_work.sum())
        kpis["exits_to_work_rate"] = ratio(float(exits_to_work.sum()), client_years)
        exits, exit_days = np.array(self.exits, dtype=float), np.array(self.exit_days_on_benefits, dtype=float)
        kpis["days_on_benefits"] = ratio(float(exit_days.sum()), float(exits.sum()))
        kpis["vehicle_km"] = float(sum(self.vehicle_km))
        kpis["vehicle_days_lost"] = float(self.vehicle_days_lost)
        kpis["sessions_cancelled"] = float(self.sessions_cancelled)
        kpis["overtime_hours"] = self.overtime_min / 60.0
        costs = world.config.costs
        room_days = sum(len(self.session_kept[i]) for i, site in enumerate(world.sites) if site.kind == "room")
        kpis["cost_total_eur"] = (
            (float(working_hours.sum()) + kpis["overtime_hours"]) * costs.counsellor_hour_eur
            + self.staff_km * costs.per_km_eur
            + room_days * costs.room_day_eur
            + sum(
                plan.cost_per_year_eur * measured_years + km * plan.per_km_eur
                for plan, km in zip(world.vehicles, self.vehicle_km)
            )
        )
        kpis["cost_per_contact_eur"] = ratio(kpis["cost_total_eur"], kept)
        kpis = {kpi: kpis[kpi] for kpi in scenario_kpis(world.components) if kpi in kpis}  # components add theirs
        n_places = len(world.client_counts)
        municipalities = {
            "clients": world.client_counts.astype(float),
            "attendance_rate": divide(kept_by_municipality, booked),
            "travel_min": divide(travel_min, booked),
            "wait_days_mean": divide(wait_days, booked),
            "kept_contacts": kept_by_municipality.astype(float),
            "exits_to_work": exits_to_work,
            "exits_to_work_rate": divide(exits_to_work, world.client_counts * measured_years),
            "days_on_benefits": divide(exit_days, exits),
            "reach": share_per_municipality(reached, np.ones_like(reached), world.client_municipality, n_places),
            "clients_hard_to_reach": np.bincount(
                world.client_municipality, weights=hard_to_reach, minlength=n_places
            ).astype(float),
            "reach_hard_to_reach": share_per_municipality(reached, hard_to_reach, world.client_municipality, n_places),
            "kept_contacts_hard_to_reach": np.array(self.hard_kept, dtype=float),
            "travel_min_hard_to_reach": divide(np.array(self.hard_travel_min), np.array(self.hard_appointments)),
        }
        sites = {}
        for i, site in enumerate(world.sites):
            held = self.session_kept[i]
            site_appointments = int(site_kept[i] + site_missed[i])
            sites[site.key] = {
                "sessions_held": float(len(held)),
                "kept_contacts": float(site_kept[i]),
                "kept_per_session": ratio(float(site_kept[i]), len(held)),
                "attendance_rate": ratio(float(site_kept[i]), site_appointments),
                "nearly_empty_sessions": ratio(sum(k <= nearly_empty_max for k in held), len(held)),
                "clients_seen": float(len(self.site_clients[i])),
            }
        counsellors = {
            office: {kpi: float(hours[i]) for kpi, hours in time_split.items()}
            for i, office in enumerate(world.offices)
        }
        appointments = np.array(self.week_appointments, dtype=float)
        weekly = {
            "wait_days_mean": divide(np.array(self.week_wait_days), appointments),
            "attendance_rate": divide(np.array(self.week_kept, dtype=float), appointments),
            "kept_contacts": np.array(self.week_kept, dtype=float),
            "lost_clients": np.array(self.week_lost, dtype=float),
        }
        return RunResult(kpis, municipalities, sites, counsellors, wait_hist, dict(self.ledger), weekly)


def counsellor_time(metrics: Metrics, working_hours: np.ndarray, counsellor_days: np.ndarray) -> dict[str, np.ndarray]:
    """Each office's paid hours split so that the parts add up to them: face to face; case work and
    administration (the notes after each contact and the desk hours outside consultation hours);
    driving to rooms; team meetings; off sick; and idle (consultation hours with nobody to see:
    no-shows, free slots, waiting for the next slot)."""
    counselling = np.array(metrics.office_counselling_min) / 60.0
    notes = np.array(metrics.office_documentation_min) / 60.0
    consultation = np.array(metrics.office_consultation_min) / 60.0
    travel = np.array(metrics.office_travel_min) / 60.0
    meetings = np.array(metrics.office_meeting_min) / 60.0
    absent = np.array(metrics.office_absent_days) * divide(working_hours, counsellor_days.astype(float))
    absent = np.nan_to_num(absent)
    desk = working_hours - consultation - travel - meetings - absent
    return {
        "counselling_hours": counselling,
        "case_work_hours": notes + desk,
        "travel_hours": travel,
        "meeting_hours": meetings,
        "absent_hours": absent,
        "idle_hours": consultation - counselling - notes,
    }


def share_per_municipality(flag: np.ndarray, among: np.ndarray, municipality: np.ndarray, n: int) -> np.ndarray:
    """Per municipality, the share of the clients marked `among` who have `flag` (NaN where none)."""
    among = among.astype(bool)
    counts = np.bincount(municipality[among], minlength=n)
    hits = np.bincount(municipality[among & flag.astype(bool)], minlength=n)
    return divide(hits.astype(float), counts)


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)
