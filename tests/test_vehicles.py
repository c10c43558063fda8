"""Vehicles as mobile offices: tours driven as planned, breakdowns through the one cancel path,
a stop's queue against Erlang C, the Odenwaldkreis scenarios, and bad tours in one sentence."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from sim.config import ConfigError
from sim.experiment.stats import summarise
from sim.experiment.theory import erlang_c_wait_min
from sim.model import build_world
from sim.model.simulation import Simulation
from sim.model.vehicles import BREAKDOWN
from tests.conftest import load, replicate, results_folder, run_cli

SHORT = ("horizon_days=120", "warmup_days=14")


def traced_run(*overrides: str, seed: int = 1) -> tuple[Simulation, list, list, list]:
    """One replication with the vehicles' events, every booking and every cancellation recorded
    as (client, day, generation) and (client, reason, day, generation)."""
    config = load(*overrides).config
    world = build_world(config)
    events: list = []
    simulation = Simulation(world, seed, 0, events=events)
    appointments, caseload, env = simulation.appointments, simulation.caseload, simulation.env
    bookings, cancellations = [], []
    book, cancel = appointments.book, appointments.cancel

    def recording_book(client: int, today: int) -> None:
        book(client, today)
        bookings.append((client, today, caseload.generation[client]))

    def recording_cancel(client: int, reason: str, *args, **kwargs) -> None:
        cancellations.append((client, reason, int(env.now // 1440), caseload.generation[client]))
        cancel(client, reason, *args, **kwargs)

    appointments.book, appointments.cancel = recording_book, recording_cancel
    simulation.result = simulation.run()
    return simulation, events, bookings, cancellations


@pytest.fixture(scope="module")
def vans_run():
    return traced_run("scenario=odenwaldkreis_vans", *SHORT)


def test_a_vehicle_never_counsels_while_driving_and_is_at_one_stop_at_a_time(vans_run):
    simulation, events, _, _ = vans_run
    world = simulation.world
    for plan in world.vehicles:
        drives = [(e[2], e[3]) for e in events if e[0] == "drive" and e[1] == plan.key]
        stands = [(e[3], e[4], e[2]) for e in events if e[0] == "stand" and e[1] == plan.key]
        serves = [(e[3], e[4], e[2]) for e in events if e[0] == "serve" and e[1] == plan.key]
        assert len(stands) > 50 and len(serves) > 100
        periods = sorted([(start, end) for start, end in drives] + [(start, end) for start, end, _ in stands])
        for (_, end), (start, _) in zip(periods, periods[1:]):
            assert start >= end - 1e-9  # driving and standing never overlap: one place at a time
        for start, end, site in serves:  # every consultation while the vehicle stands at its stop
            assert any(s <= start and end <= e + 1e-9 and where == site for s, e, where in stands), (start, site)
        for start, end, site in stands:  # it stands there only on the stop's day, from its hours
            book = simulation.appointments.books[site]
            day = int(start // 1440)
            session = book.days.index(day)
            assert start >= day * 1440 + book.opens[session] - 60
            assert end >= day * 1440 + book.closes[session]


def test_the_crew_drives_only_on_tour_days_and_the_counsellors_day_is_blocked(vans_run):
    simulation, events, _, _ = vans_run
    world = simulation.world
    for plan in world.vehicles:
        tour_days = {tour_day.day for tour_day in plan.days}
        driven = {int(e[2] // 1440) for e in events if e[0] == "drive" and e[1] == plan.key}
        assert driven <= tour_days
        for day in list(tour_days)[:20]:
            assert world.staff.blocked(plan.depot, day, 8 * 60, 9 * 60) >= plan.counsellors
    assert simulation.result.kpis["vehicle_km"] > 0
    assert simulation.result.kpis["counsellor_travel_hours"] > 0


def test_without_breakdowns_or_sickness_no_session_is_cancelled():
    overrides = (
        "scenario=odenwaldkreis_vans",
        *SHORT,
        "staff.sick_rate=0",
        "vehicles.van_west.breakdowns.mean_days_between=0",
        "vehicles.van_east.breakdowns.mean_days_between=0",
    )
    simulation, events, _, _ = traced_run(*overrides)
    kpis = simulation.result.kpis
    assert kpis["sessions_cancelled"] == 0 and kpis["vehicle_days_lost"] == 0
    assert simulation.appointments.cancelled[BREAKDOWN] == 0
    assert not [e for e in events if e[0] == "breakdown"]


def test_every_booking_cancelled_by_a_breakdown_is_rebooked_or_pending_and_the_ledger_adds_up():
    overrides = (
        "scenario=odenwaldkreis_vans",
        *SHORT,
        "vehicles.van_west.breakdowns.mean_days_between=8",
        "vehicles.van_east.breakdowns.mean_days_between=8",
        "vehicles.van_west.breakdowns.repair_days_mean=3",
    )
    simulation, events, bookings, cancellations = traced_run(*overrides)
    kpis, ledger = simulation.result.kpis, simulation.result.ledger
    assert kpis["vehicle_days_lost"] > 0 and kpis["sessions_cancelled"] >= kpis["vehicle_days_lost"]
    assert simulation.appointments.cancelled[BREAKDOWN] > 0
    assert ledger["booked"] == ledger["kept"] + ledger["no_show"] + ledger["cancelled"] + ledger["pending"]
    assert ledger["stale"] == 0
    # no session of a day in the garage is held
    for plan in simulation.world.vehicles:
        plan_lost = {day for e in events if e[0] == "breakdown" and e[1] == plan.key for day in e[3]}
        plan_stood = {int(e[3] // 1440) for e in events if e[0] == "stand" and e[1] == plan.key}
        assert plan_lost and not plan_lost & plan_stood
    # every client whose booking a breakdown cancelled is booked again, still waits to be, or left
    caseload = simulation.caseload
    queued = {(client, generation) for clients in caseload.to_book.values() for client, generation in clients}
    booked_after = {(client, generation): day for client, day, generation in bookings}
    broken = [entry for entry in cancellations if entry[1] == BREAKDOWN]
    assert len(broken) == simulation.appointments.cancelled[BREAKDOWN] > 0
    for client, _, day, generation in broken:
        rebooked = booked_after.get((client, generation), -1) > day
        assert rebooked or (client, generation) in queued or caseload.generation[client] != generation, client


def test_walkins_at_a_vehicle_always_at_one_stop_reproduce_erlang_c():
    servers, rate, service = 3, 2.4, 60.0
    config = load(
        "scenario=mmc",
        "sites.walkin_centre.walkins.rate_per_hour=0",
        f"+vehicles.van={{depot: walkin_centre, booths: {servers}, counsellors: {servers}, appointments: false,"
        " stops: {here: {municipality: Bad Salzungen, calendar: {always_open: true},"
        f" walkins: {{rate_per_hour: {rate}}}}}}}}}",
        "replications=10",
        "seed=3",
    )
    runs = replicate([config], workers=2)[0]
    waits = summarise([run.kpis["onsite_wait_min_mean"] for run in runs])
    theory = erlang_c_wait_min(servers, rate, service)
    assert waits["ci_low"] <= theory <= waits["ci_high"], (theory, waits)
    assert np.mean([run.kpis["counsellor_utilisation"] for run in runs]) == pytest.approx(0.8, rel=0.03)


def test_the_truck_covers_more_clients_within_45_minutes_and_the_office_alone_drives_nothing():
    setups = [load(f"scenario=odenwaldkreis_{name}", *SHORT, "replications=2") for name in ("office", "truck")]
    office_runs, truck_runs = replicate(setups, workers=2)
    for office_run, truck_run in zip(office_runs, truck_runs):
        assert truck_run.kpis["coverage_45min"] > office_run.kpis["coverage_45min"]
        assert office_run.kpis["vehicle_km"] == 0 and office_run.kpis["vehicle_days_lost"] == 0
        assert truck_run.kpis["vehicle_km"] > 0


def test_the_truck_is_out_230_days_a_year():
    world = build_world(load("scenario=odenwaldkreis_truck").config)
    (truck,) = world.vehicles
    assert sum(tour_day.day < 365 for tour_day in truck.days) == 230
    assert all(len(tour_day.stops) == 1 for tour_day in truck.days)
    excluded = {"Erbach", "Michelstadt"}
    served = {world.region.names[world.sites[index].municipality] for index in truck.stops}
    assert served == set(world.region.names) - excluded


BAD_TOURS = [
    (
        "+vehicles.van_west.stops.x={municipality: Ruhla}",
        "vehicles.van_west.stops.x.municipality 'Ruhla' is not a municipality of region odenwaldkreis",
    ),
    (
        "vehicles.van_west.stops.reichelsheim.calendar.start=07:30",
        "vehicles.van_west: the tour of Tue",
    ),
    ("vehicles.van_west.counsellors=2", "vehicles.van_west.counsellors (2) is more than vehicles.van_west.booths (1)"),
    (
        "vehicles.van_east.stops.hoechst.municipality=06437013",
        "vehicles.van_west and vehicles.van_east both stand at a stop in the same municipality",
    ),
    ("vehicles.van_west.stops.fraenkisch_crumbach.calendar.start=11:00", "overlap; a vehicle stands at one stop"),
    ("vehicles.van_west.stops.fraenkisch_crumbach.calendar.start=12:05", "leave time to drive between stops"),
    ("vehicles.van_west.depot=michelstadt", "vehicles.van_west.depot 'michelstadt' must be an open office"),
]


@pytest.mark.parametrize(("override", "message"), BAD_TOURS)
def test_a_bad_tour_gets_one_sentence_naming_it(override, message):
    with pytest.raises(ConfigError) as error:
        build_world(load("scenario=odenwaldkreis_vans", override).config)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_bad_tour_on_the_command_line_exits_2_without_a_traceback(tmp_path):
    completed = run_cli(
        "sim.run", "scenario=odenwaldkreis_vans", "vehicles.van_west.counsellors=2", "replications=2", cwd=tmp_path
    )
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert "vehicles.van_west.counsellors (2) is more than vehicles.van_west.booths (1)" in completed.stderr
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").rglob("kpis.json"))


def test_a_generated_tour_runs_end_to_end_and_is_written_to_the_results_folder(tmp_path):
    pytest.importorskip("ortools")
    completed = run_cli(
        "sim.run",
        "scenario=odenwaldkreis_office",
        "+vehicles.van={depot: erbach, tour: {stops: ['Bad König', 'Höchst i. Odw.', Breuberg, 'Lützelbach'],"
        " every_weeks: 2, cycle_weeks: 2, weekdays: [tue, thu], per_day: 2, stop_hours: 3}}",
        "replications=2",
        *SHORT,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    folder = results_folder(completed, tmp_path)
    rows = (folder / "tours.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("scenario,vehicle,kind,date,day,order,site,municipality")
    visits = [row.split(",") for row in rows[1:]]
    by_stop = defaultdict(list)
    for row in visits:
        by_stop[row[7]].append(int(row[4]))
        assert int(row[4]) % 7 in (1, 3)  # Tuesdays and Thursdays only
    assert set(by_stop) == {"Bad König", "Höchst i. Odw.", "Breuberg", "Lützelbach"}
    for days in by_stop.values():  # once every two weeks: one visit in each fortnight
        fortnights = [day // 14 for day in days]
        assert len(fortnights) == len(set(fortnights))


def test_a_late_session_brings_the_crew_back_after_hours_and_that_is_counted_as_overtime(vans_run):
    simulation, events, _, _ = vans_run
    config, metrics = simulation.config, simulation.metrics
    workday_end = 16 * 60 + 30
    late = 0.0
    for plan in simulation.world.vehicles:
        back: dict[int, float] = {}
        for e in events:
            if e[0] == "drive" and e[1] == plan.key:
                back[int(e[2] // 1440)] = e[3]
        for day, minute in back.items():
            end = day * 1440 + workday_end
            if metrics.in_window(end):
                late += max(0.0, minute - end) * plan.counsellors
    assert config.staff.workday_end == "16:30"
    assert simulation.result.kpis["overtime_hours"] == pytest.approx(late / 60.0)


def test_a_first_drive_longer_than_an_hour_runs():
    """The vehicle leaves before the first clients may come: the day is decided at its departure."""
    config = load(
        "scenario=wartburgkreis",
        "horizon_days=60",
        "warmup_days=7",
        "+vehicles.v={depot: eisenach, stops: {s: {municipality: Schleid,"
        ' calendar: {weekdays: [tue], start: "09:00", end: "14:00"}}}}',
    ).config
    world = build_world(config)
    assert world.vehicles[0].days[0].legs_min[0] > 60
    events: list = []
    result = Simulation(world, 1, 0, events=events).run()
    assert result.kpis["vehicle_km"] > 0
    assert any(e[0] == "stand" for e in events)


def test_each_counsellor_has_own_sick_days_so_added_staff_leave_the_others_alone():
    from types import SimpleNamespace

    from sim.model.sites import counsellor_absences

    simulation = SimpleNamespace(seed=3, replication=2)
    thirty, thirty_two = (counsellor_absences(simulation, "erbach", n) for n in (30, 32))
    for _ in range(5):
        assert [draw() for draw in thirty] == [draw() for draw in thirty_two[:30]]
    crew = counsellor_absences(simulation, "vehicle erbach", 1)[0]()
    assert crew != counsellor_absences(simulation, "erbach", 1)[0]()


MORE_BAD_TOURS = [
    ("vehicles.van_west.slot_min=500", "vehicles.van_west.slot_min (500) does not fit into vehicles.van_west.stops."),
    ("vehicles.van_west.stops.brensbach.calendar.weekdays=[]", "calendar.weekdays must name at least one weekday"),
    ("+vehicles.erbach={depot: erbach, stops: {a: {municipality: Oberzent}}}", "has the name of a site"),
    ("+vehicles.x={depot: erbach}", "vehicles.x needs a tour"),
    ("vehicles.van_west.kind=tram", "vehicles.van_west.kind"),
    ("vehicles.van_west.maintenance_days_per_year=400", "leaves no tour day"),
]


@pytest.mark.parametrize(("override", "message"), MORE_BAD_TOURS)
def test_more_bad_vehicle_settings_get_one_sentence(override, message):
    with pytest.raises(ConfigError) as error:
        build_world(load("scenario=odenwaldkreis_vans", override).config)
    assert message in str(error.value)
