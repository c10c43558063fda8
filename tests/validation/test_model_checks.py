"""Degenerate and extreme checks of the district model (DESIGN section 8, domain.md section 7)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.experiment.stats import summarise
from sim.model import build_world, simulate
from tests.conftest import load, replicate

SHORT = ("horizon_days=140", "warmup_days=28")
ROOMS = ("gerstungen", "wutha_farnroda", "treffurt", "dermbach")


def test_zero_travel_gives_the_base_attendance_rate():
    """Without travel, lead-time, prior no-show and segment (no car, hard to reach) effects,
    attendance = 1 - logistic(intercept)."""
    config = load(
        "scenario=wartburgkreis",
        "travel.mode=zero",
        "attendance.per_prior_no_show=0",
        "attendance.long_lead=0",
        "attendance.no_car=0",
        "attendance.hard_to_reach=0",
        "replications=6",
        *SHORT,
    )
    runs = replicate([config], workers=1)[0]
    attendance = summarise([run.kpis["attendance_rate"] for run in runs])
    base = 1.0 - 1.0 / (1.0 + math.exp(-config.attendance.intercept))
    assert attendance["ci_low"] <= base <= attendance["ci_high"], (base, attendance)


def test_closing_all_outreach_equals_the_central_only_baseline():
    """The Ruhla scenario with all five rooms closed gives the very numbers of wartburgkreis_central."""
    closed = load(
        "scenario=wartburgkreis_ruhla",
        *(f"sites.{room}.open=false" for room in (*ROOMS, "ruhla")),
        "replications=2",
        *SHORT,
    )
    central = load("scenario=wartburgkreis_central", "replications=2", *SHORT)
    runs_closed, runs_central = replicate([closed, central], workers=1)
    for a, b in zip(runs_closed, runs_central):
        assert a.kpis == pytest.approx(b.kpis, nan_ok=True, rel=0, abs=0)
    assert runs_central[0].kpis["counsellor_travel_hours"] == 0


def test_every_booking_ends_in_exactly_one_state():
    for scenario in ("wartburgkreis", "wartburgkreis_ruhla"):
        config = load(f"scenario={scenario}", "replications=3", *SHORT)
        for run in replicate([config], workers=1)[0]:
            ledger = run.ledger
            assert ledger["booked"] > 1000
            assert ledger["booked"] == ledger["kept"] + ledger["no_show"] + ledger["cancelled"] + ledger["pending"]
            assert ledger["stale"] == 0
            assert min(ledger.values()) >= 0
            assert ledger["cancelled"] > 0 and ledger["pending"] > 0  # sick days and turnover do happen
            assert run.kpis["kept_contacts"] <= ledger["kept"]


def test_common_random_numbers_across_the_ruhla_scenarios():
    """Client i's k-th attendance draw is the same number with and without Ruhla."""
    draws = []
    for scenario in ("wartburgkreis", "wartburgkreis_ruhla"):
        config = load(f"scenario={scenario}", "horizon_days=120", "warmup_days=14")
        trace: list = []
        simulate(build_world(config.config), config.seed, 0, trace)
        draws.append({(client, generation, k): u for client, generation, k, u in trace})
    baseline, ruhla = draws
    common = baseline.keys() & ruhla.keys()
    assert len(common) > 0.9 * len(baseline)
    assert all(baseline[key] == ruhla[key] for key in common)
    assert len(set(baseline.values())) > 0.99 * len(baseline)  # the draws are not one number


@pytest.fixture(scope="module")
def wartburgkreis_runs():
    """Six replications of the shipped Wartburgkreis scenario, with its world."""
    config = load("scenario=wartburgkreis", "replications=6")
    return build_world(config.config), replicate([config], workers=2)[0]


def test_room_attendance_is_calibrated_to_what_the_jobcenter_reports(wartburgkreis_runs):
    """Wartburgkreis reports that 60-70 % of those invited to the municipal rooms attend."""
    _, runs = wartburgkreis_runs
    kept = sum(run.sites[room]["kept_contacts"] for run in runs for room in ROOMS)
    appointments = sum(
        run.sites[room]["kept_contacts"] / run.sites[room]["attendance_rate"] for run in runs for room in ROOMS
    )
    assert 0.60 <= kept / appointments <= 0.70


def test_the_offices_no_show_rate_is_calibrated_near_a_quarter(wartburgkreis_runs):
    """domain.md section 7: baseline no-show at the central office 25 % (15-35 %)."""
    _, runs = wartburgkreis_runs
    kept = sum(run.sites[office]["kept_contacts"] for run in runs for office in ("bad_salzungen", "eisenach"))
    booked = sum(
        run.sites[office]["kept_contacts"] / run.sites[office]["attendance_rate"]
        for run in runs
        for office in ("bad_salzungen", "eisenach")
    )
    assert 0.23 <= 1 - kept / booked <= 0.27


def test_on_site_waiting_and_appointments_per_day_meet_domain_targets(wartburgkreis_runs):
    """domain.md section 7, targets 2 and 3: on-site waiting about 10-15 min (clients come early
    and check in), 4-6 appointments per counsellor-day."""
    _, runs = wartburgkreis_runs
    wait = summarise([run.kpis["onsite_wait_min_mean"] for run in runs])
    assert wait["ci_low"] >= 10.0 and wait["ci_high"] <= 15.0
    per_day = summarise([run.kpis["appointments_per_counsellor_day"] for run in runs])
    assert per_day["ci_low"] >= 4.0 and per_day["ci_high"] <= 6.0


def test_counsellor_time_adds_up_to_paid_time_and_idle_is_the_smaller_part(wartburgkreis_runs):
    """Counselling, case work, travel, meetings, sick and idle hours add up to each office's paid
    hours; none is negative; idle consultation time is well under a third, face to face well
    under all of it (domain.md section 7, target 2)."""
    world, runs = wartburgkreis_runs
    config = world.config
    for office in world.offices:
        paid = world.staff.working_hours(office, config.warmup_days, config.horizon_days)
        for run in runs:
            split = run.counsellors[office]
            assert sum(split.values()) == pytest.approx(paid, rel=1e-9)
            assert min(split.values()) >= 0, split
            assert split["idle_hours"] < paid / 3
            assert 0.15 < split["counselling_hours"] / paid < 0.5
            assert split["case_work_hours"] > split["counselling_hours"] / 2


def test_more_counsellors_shorten_the_wait_and_fewer_lengthen_it():
    waits = {}
    for eisenach in (20, 27, 34):
        config = load(
            "scenario=wartburgkreis_central", f"sites.eisenach.counsellors={eisenach}", "replications=2", *SHORT
        )
        runs = replicate([config], workers=1)[0]
        waits[eisenach] = summarise([run.kpis["wait_days_mean"] for run in runs])["mean"]
    assert waits[20] > waits[27] >= waits[34] >= config.booking.notice_days


def test_same_seed_same_numbers_whatever_the_worker_count():
    config = load("scenario=wartburgkreis_ruhla", "replications=4", *SHORT)
    one = replicate([config], workers=1)[0]
    two = replicate([config], workers=2)[0]
    for a, b in zip(one, two):
        assert a.kpis == pytest.approx(b.kpis, nan_ok=True, rel=0, abs=0)
    other_seed = replicate([load("scenario=wartburgkreis_ruhla", "replications=1", "seed=2", *SHORT)], workers=1)[0]
    assert other_seed[0].kpis["kept_contacts"] != one[0].kpis["kept_contacts"]


def test_a_travel_matrix_with_the_model_times_gives_the_same_numbers(tmp_path):
    """travel.mode=matrix reads every pair from a CSV; fed the model's own times it changes nothing."""
    from sim.district.region import load_region
    from sim.district.travel import travel_times

    modelled = load("scenario=wartburgkreis_ruhla", "replications=1", *SHORT)
    region = load_region(modelled.region)
    times = travel_times(region, modelled.travel)
    matrix = tmp_path / "matrix.csv"
    lines = ["from_ags,to_ags,car_min,pt_min,km"]
    for i, a in enumerate(region.ags):
        for j, b in enumerate(region.ags):
            cells = (float(times.car_min[i, j]), float(times.pt_min[i, j]), float(times.road_km[i, j]))
            lines.append(",".join([a, b, *map(repr, cells)]))
    matrix.write_text("\n".join(lines) + "\n")
    from_file = load(
        "scenario=wartburgkreis_ruhla", "replications=1", "travel.mode=matrix", f"travel.matrix_file={matrix}", *SHORT
    )
    a, b = replicate([modelled, from_file], workers=1)
    assert a[0].kpis == pytest.approx(b[0].kpis, nan_ok=True, rel=0, abs=0)

    matrix.write_text("\n".join(lines[:-1]) + "\n")  # one pair missing
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match="lacks the pair 16063105 -> 16063105"):
        load("scenario=wartburgkreis_ruhla", "travel.mode=matrix", f"travel.matrix_file={matrix}")


def test_turnover_keeps_going_when_two_clients_leave_on_one_day():
    """Every departure before the horizon happens, also when a newcomer leaves on the day it came."""
    from sim.model.simulation import Simulation

    config = load("scenario=wartburgkreis", "clients.mean_stay_days=20", "horizon_days=90", "warmup_days=7")
    simulation = Simulation(build_world(config.config), config.seed, 0)
    simulation.run()
    departures = simulation.caseload.population.departures
    assert any(len(set(days)) < len(days) for days in departures)  # the case happens
    assert simulation.caseload.generation == [len(days) for days in departures]


def test_sessions_opening_at_dawn_with_no_notice_serve_every_booking_once():
    """The desk books at the start of the day; a session cannot be served a stale or a late booking."""
    same = ("booking.notice_days=0", "clients.mean_stay_days=60", "replications=1", *SHORT)
    dawn = load(
        "staff.workday_start=06:00",
        *(f"sites.{office}.calendar.start=06:00" for office in ("eisenach", "bad_salzungen")),
        *(f"sites.{office}.calendar.end=11:00" for office in ("eisenach", "bad_salzungen")),  # same hours
        *same,
    )
    (early,), (usual,) = replicate([dawn, load(*same)], workers=1)
    ledger = early.ledger
    assert ledger["booked"] == ledger["kept"] + ledger["no_show"] + ledger["cancelled"] + ledger["pending"]
    assert ledger["stale"] == 0
    assert early.kpis["kept_contacts"] == pytest.approx(usual.kpis["kept_contacts"], rel=0.05)
    assert early.kpis["reach"] == pytest.approx(usual.kpis["reach"], abs=0.02)


def test_walkins_who_have_left_do_not_make_others_balk():
    from sim.model.simulation import Simulation

    config = load(
        "scenario=wartburgkreis_central",
        "sites.eisenach.walkins.rate_per_hour=30",
        "sites.eisenach.walkins.balk_queue=1",
        "sites.eisenach.walkins.patience_min=0.01",
        "horizon_days=30",
        "warmup_days=1",
    )
    simulation = Simulation(build_world(config.config), config.seed, 0)
    simulation.run()
    metrics = simulation.metrics
    assert metrics.walkins_reneged > 300
    assert metrics.walkins_balked < 0.01 * metrics.walkins_arrived


def test_coverage_counts_only_sites_a_client_can_use():
    """Rooms invite clients without a car; with everybody driving they add no coverage."""
    drivers = ("clients.no_car_share=0", "replications=1", *SHORT)
    baseline, central = replicate(
        [load("scenario=wartburgkreis", *drivers), load("scenario=wartburgkreis_central", *drivers)]
    )
    for kpi in ("coverage_30min", "coverage_45min", "coverage_60min"):
        assert baseline[0].kpis[kpi] == central[0].kpis[kpi]
    walkers = [
        load(f"scenario={name}", "replications=1", *SHORT) for name in ("wartburgkreis", "wartburgkreis_central")
    ]
    with_rooms, without = (runs[0].kpis["coverage_45min"] for runs in replicate(walkers))
    assert with_rooms > without


def test_an_overloaded_counsellor_is_busy_all_the_time():
    """Counselling time counts when it is done, clipped to the window, not by the arrival."""
    config = load(
        "scenario=mmc",
        "mmc.servers=1",
        "mmc.arrival_rate_per_hour=5",
        "horizon_days=60",
        "warmup_days=10",
        "replications=1",
    )
    (run,) = replicate([config], workers=1)[0]
    assert run.kpis["counsellor_utilisation"] == pytest.approx(1.0, abs=0.001)


def test_contact_draws_do_not_depend_on_booking_settings():
    """Client i's k-th attendance draw is the same with another notice period or re-invitation delay."""
    draws = []
    for overrides in ((), ("booking.notice_days=3", "booking.reinvite_days=21")):
        config = load("scenario=wartburgkreis", "horizon_days=120", "warmup_days=14", *overrides)
        trace: list = []
        simulate(build_world(config.config), config.seed, 0, trace)
        draws.append({(client, generation, k): u for client, generation, k, u in trace})
    common = draws[0].keys() & draws[1].keys()
    assert len(common) > 0.5 * len(draws[0])
    assert all(draws[0][key] == draws[1][key] for key in common)


def test_without_travel_every_room_gets_contacts_and_nobody_waits_longer():
    """With travel.mode=zero every site is equally near: the earliest slot decides, not the config order."""
    zero, usual = replicate(
        [load("travel.mode=zero", "replications=2", *SHORT), load("replications=2", *SHORT)], workers=2
    )
    for run in zero:
        assert all(run.sites[room]["kept_contacts"] > 0 for room in ROOMS)
    wait = [summarise([run.kpis["wait_days_mean"] for run in runs])["mean"] for runs in (zero, usual)]
    assert wait[0] <= wait[1], wait


def test_a_booking_made_as_its_session_opens_is_served_or_moved_never_left_stale():
    """Offices opening at 00:00 with no notice: the desk's booking at that minute goes to a later session."""
    midnight = load(
        "scenario=wartburgkreis_central",
        "staff.workday_start=00:00",
        "booking.notice_days=0",
        *(f"sites.{office}.calendar.start=00:00" for office in ("eisenach", "bad_salzungen")),
        *(f"sites.{office}.calendar.end=05:00" for office in ("eisenach", "bad_salzungen")),
        "replications=1",
        *SHORT,
    )
    ((run,),) = replicate([midnight])
    ledger = run.ledger
    assert ledger["stale"] == 0, ledger
    assert ledger["booked"] == ledger["kept"] + ledger["no_show"] + ledger["cancelled"] + ledger["pending"]
    assert ledger["pending"] < 0.1 * ledger["booked"]  # bookings for sessions after the horizon


def test_slots_given_up_before_their_session_are_offered_again():
    """At saturation (everyone comes) more demand never keeps fewer contacts: a slot that a client
    leaving the caseload gives up goes to the next client."""
    kept = {}
    for clients in (12_332, 61_660):  # twice and ten times the caseload
        setup = load(f"clients.count={clients}", "attendance.enabled=false", "replications=1", *SHORT)
        ((run,),) = replicate([setup])
        kept[clients] = run.kpis["kept_contacts"]
    assert kept[61_660] >= 0.98 * kept[12_332], kept


def ruhla_residents(runs: list, kpi: str) -> np.ndarray:
    """A per-municipality KPI of Ruhla's residents, replication by replication."""
    from sim.district.region import load_region

    region = load_region(load("scenario=wartburgkreis").region)
    index = region.index("Ruhla")
    return np.array([run.municipalities[kpi][index] for run in runs])


def test_a_room_in_ruhla_serves_its_hard_to_reach_residents():
    """With the Jobcenter's practice (a room invites the hard-to-reach where they live), adding Ruhla
    raises its hard-to-reach residents' kept contacts and reach and shortens their journeys; three
    counsellors in the room never keep fewer contacts or reach fewer than one."""
    setups = [
        load("scenario=wartburgkreis", "replications=6"),
        load("scenario=wartburgkreis_ruhla", "replications=6"),
        load("scenario=wartburgkreis_ruhla", "sites.ruhla.counsellors=3", "replications=6"),
    ]
    today, ruhla, three = replicate(setups, workers=2)
    kept = [ruhla_residents(runs, "kept_contacts_hard_to_reach") for runs in (today, ruhla, three)]
    travel = [ruhla_residents(runs, "travel_min_hard_to_reach") for runs in (today, ruhla, three)]
    reach = [ruhla_residents(runs, "reach_hard_to_reach") for runs in (today, ruhla, three)]
    assert (kept[1] - kept[0]).mean() > 0
    assert (reach[1] - reach[0]).mean() > 0 and (reach[2] - reach[1]).mean() >= 0
    assert (travel[1] < travel[0]).all() and (travel[2] < travel[1]).all()
    assert (kept[2] - kept[1]).mean() >= 0
    everyone = [ruhla_residents(runs, "kept_contacts") for runs in (ruhla, three)]
    assert (everyone[1] - everyone[0]).mean() >= 0


def test_a_room_brings_car_less_clients_within_half_an_hour():
    """Within their own municipality car-less clients wait for no bus: the rooms raise coverage_30min."""
    nobody_drives = ("clients.no_car_share=1", "replications=1", *SHORT)
    (rooms,), (central,) = replicate([load(*nobody_drives), load("scenario=wartburgkreis_central", *nobody_drives)])
    assert central.kpis["coverage_30min"] > 0  # the office towns' own residents
    assert rooms.kpis["coverage_30min"] > central.kpis["coverage_30min"] + 0.05
