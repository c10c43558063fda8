"""Small parts against known values: distances, calendars, the appointment book, statistics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.config.schema import CalendarConfig, WalkinConfig
from sim.district.calendar import clock_minutes, session_days, sessions_per_month
from sim.district.region import load_region
from sim.district.travel import travel_times
from sim.experiment.stats import holm, paired_difference, significant_differences, summarise
from sim.model.booking import SiteBook
from sim.model.world import Site, build_world, client_counts
from tests.conftest import load


def test_region_has_the_30_municipalities_with_their_census_population():
    region = load_region(load().region)
    assert len(region.names) == 30
    assert region.population.sum() == 156_494  # Zensus 2022 at 2024 boundaries (regions.md)
    assert region.index("Ruhla") == region.index("16063066")


def test_straight_line_distances_match_the_reference_notes():
    """regions.md section 2 computes Eisenach-Ruhla 9.9 km and Bad Salzungen-Ruhla 13.0 km."""
    region = load_region(load().region)
    distance = region.distance_km()
    ruhla, eisenach, bad_salzungen = (region.index(n) for n in ("Ruhla", "Eisenach", "Bad Salzungen"))
    assert distance[eisenach, ruhla] == pytest.approx(9.9, abs=0.06)
    assert distance[bad_salzungen, ruhla] == pytest.approx(13.0, abs=0.06)
    assert distance[eisenach, region.index("Treffurt")] == pytest.approx(18.9, abs=0.06)


def test_public_transport_is_slower_and_waits_half_a_headway():
    config = load()
    region = load_region(config.region)
    travel = travel_times(region, config.travel)
    i, j = region.index("Eisenach"), region.index("Treffurt")
    km = region.distance_km()[i, j] * config.travel.detour_factor
    assert travel.car_min[i, j] == pytest.approx(km / config.travel.car_speed_kmh * 60)
    assert travel.pt_min[i, j] == pytest.approx(km / config.travel.pt_speed_kmh * 60 + config.travel.pt_headway_min / 2)


def test_client_counts_follow_population_and_share():
    config = load()
    counts = client_counts(load_region(config.region), config)
    assert counts.sum() == round(156_494 * config.clients.share_of_population)
    assert counts.max() == counts[load_region(config.region).index("Eisenach")]


def test_every_second_wednesday():
    calendar = CalendarConfig(weekdays=["wed"], every_weeks=2, week_offset=1)
    assert session_days(calendar, 0, 35) == [9, 23]
    assert sessions_per_month(calendar) == pytest.approx(52 / 2 / 12)
    assert clock_minutes("09:30") == 570


def test_the_book_gives_the_earliest_free_slot_and_fills_sessions_in_order():
    site = Site("room", "room", 0, 1, "office", True, 60, 9 * 60, 8 * 60, 12 * 60, [2, 9, 16], False, WalkinConfig())
    book = SiteBook(site, [1, 1, 1])  # 3 slots per session
    assert book.first_free(3) == 1
    for client in range(3):
        assert book.book(book.first_free(0), client) == client
    assert book.first_free(0) == 1  # the first session is full
    assert [book.slot_time(0, slot) for slot in range(3)] == [540, 600, 660]
    for client in range(4):
        book.book(book.first_free(0), client)
    assert book.first_free(0) == 2 and book.first_free(17) is None


def test_rooms_take_staff_from_the_nearest_office():
    world = build_world(load("scenario=wartburgkreis_ruhla").config)
    base = {site.key: site.base_office for site in world.sites}
    assert base["ruhla"] == "eisenach" and base["dermbach"] == "bad_salzungen"
    baseline = build_world(load("scenario=wartburgkreis").config)
    ruhla_day = next(site.days for site in world.sites if site.key == "ruhla")[0]

    # on a Ruhla day one more Eisenach colleague is out of the office
    def staff(world, office):
        site = world.sites[world.site_index[office]]
        return dict(zip(site.days, world.staff.session_staff(site)))[ruhla_day]

    assert staff(world, "eisenach") == staff(baseline, "eisenach") - 1
    assert staff(world, "bad_salzungen") == staff(baseline, "bad_salzungen")


def test_meetings_are_blocked_time_after_the_sessions():
    """The weekly meeting blocks every present counsellor, outside the office hours: no slot is lost."""
    world = build_world(load("scenario=wartburgkreis").config)
    meetings = world.staff.meetings()
    assert {block.day for block in meetings if block.day < 365} == set(range(0, 365, 7)) - world.holidays  # Mondays
    assert all(block.end_min - block.start_min == 90 for block in meetings)
    eisenach = world.sites[world.site_index["eisenach"]]
    first = next(block for block in meetings if block.office == "eisenach")
    assert first.counsellors == world.staff.session_staff(eisenach)[0]  # all present, none on outreach that day
    early = build_world(load("scenario=wartburgkreis", "staff.meeting_start=09:00").config)
    site = early.sites[early.site_index["eisenach"]]
    assert early.staff.session_staff(site)[0] == 0  # a meeting during office hours takes everyone away


def test_t_interval_matches_scipy():
    values = np.array([3.0, 4.5, 5.0, 6.5, 4.0])
    summary = summarise(values)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert summary["ci_low"] == pytest.approx(low) and summary["ci_high"] == pytest.approx(high)
    assert summarise([1.0])["ci_low"] is None and summarise([float("nan")])["n"] == 0


def test_paired_difference_removes_the_common_noise():
    baseline = np.array([10.0, 20.0, 30.0, 40.0])
    difference = paired_difference(baseline + 1.0 + np.array([0.01, -0.01, 0.02, -0.02]), baseline)
    assert difference["mean"] == pytest.approx(1.0)
    assert difference["p_value"] < 1e-4
    assert paired_difference([1.0, -1.0, 2.0], [0.0, 0.0, 0.0])["p_value"] > 0.3
    assert paired_difference([2.0, 2.0, 2.0], [2.0, 2.0, 2.0])["p_value"] == 1.0  # exactly equal: no change
    assert paired_difference([2.0, 3.0], [1.0, 1.0])["ci_low"] is None  # too few replications for an interval


def test_holm_corrects_for_the_number_of_kpis_compared():
    """Holm's step-down: the smallest p against alpha/m, the next against alpha/(m-1), ... until one fails."""
    p_values = {"a": 0.001, "b": 0.02, "c": 0.03, "d": 0.5, "e": None}
    assert holm(p_values) == {"a": True, "b": False, "c": False, "d": False, "e": False}  # 0.02 > 0.05/3
    assert holm({"a": 0.01, "b": 0.02}) == {"a": True, "b": True}  # 0.01 <= 0.025, 0.02 <= 0.05
    marked = significant_differences({"x": paired_difference([1.1, 1.2, 0.9, 1.0], [0.0] * 4)})
    assert marked["x"]["significant"] and marked["x"]["mean"] == pytest.approx(1.05)


def test_no_session_on_a_public_holiday_in_any_district():
    """3 October and 25 December are days off in every district's federal state; no site holds a session."""
    from datetime import date

    from sim.config.compose import compose_scenario
    from sim.config.schema import CalendarConfig
    from sim.district.calendar import public_holidays

    start = "2025-01-06"
    unity, christmas = ((date(2025, month, day) - date(2025, 1, 6)).days for month, day in ((10, 3), (12, 25)))
    every_day = CalendarConfig(weekdays=["mon", "tue", "wed", "thu", "fri"], every_weeks=1)
    for district in ("wartburgkreis", "odenwaldkreis", "borken", "bergstrasse"):
        state = compose_scenario("wartburgkreis", [f"region={district}"]).region.state
        off = public_holidays(state, start, 365)
        days = session_days(every_day, 0, 365, off)
        assert unity in off and christmas in off and unity not in days and christmas not in days
    world = build_world(load("scenario=wartburgkreis_ruhla").config)
    for site in world.sites:
        assert unity not in site.days and christmas not in site.days
    assert world.staff.working_hours("eisenach", 0, 365) < world.staff.present["eisenach"] * 261 * 7.8  # days off
