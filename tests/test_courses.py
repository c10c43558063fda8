"""Group courses (Kreis Borken): never more than G, no start below the minimum, ledgers that add
up, staff blocked for every meeting, the outcome hook, bad inputs in one sentence, reproducibility."""

from __future__ import annotations

import dataclasses

import pytest

from sim.config import ConfigError
from sim.district.calendar import MINUTES_PER_DAY
from sim.model import build_world
from sim.model.caseload import Caseload
from sim.model.courses import Courses
from sim.model.simulation import Simulation
from sim.model.staff import COURSE
from tests.conftest import load, run_cli

SMALL = ("horizon_days=200", "warmup_days=28", "clients.count=3000")


def run_courses(*overrides: str, scenario: str = "borken_mobile", replication: int = 0, seed: int = 1):
    """One replication with its courses component."""
    world = build_world(load(f"scenario={scenario}", *SMALL, *overrides).config)
    simulation = Simulation(world, seed, replication)
    result = simulation.run()
    courses = next((c for c in simulation.components if isinstance(c, Courses)), None)
    return simulation, result, courses


def blocked_course_hours(simulation: Simulation) -> dict[str, float]:
    """Per office, the counsellor-hours its course blocks take inside the measured window."""
    hours: dict[str, float] = {}
    for blocks in simulation.world.staff.blocks.values():
        for block in blocks:
            if block.reason == COURSE and simulation.metrics.in_window(block.day * MINUTES_PER_DAY + block.start_min):
                minutes = block.counsellors * (block.end_min - block.start_min)
                hours[block.office] = hours.get(block.office, 0.0) + minutes / 60
    return hours


def team_meeting_hours(simulation: Simulation) -> dict[str, float]:
    hours: dict[str, float] = {}
    for block in simulation.world.staff.meetings():
        if simulation.metrics.in_window(block.day * MINUTES_PER_DAY + block.start_min):
            minutes = block.counsellors * (block.end_min - block.start_min)
            hours[block.office] = hours.get(block.office, 0.0) + minutes / 60
    return hours


POSTPONING = [
    f"courses.{key}.{setting}"
    for key in ("course_bocholt", "course_borken", "course_gronau")
    for setting in ("min_size=11", "invite_factor=1", "target_group=under25")
]


@pytest.fixture(scope="module")
def mobile_runs():
    return [run_courses(replication=r) for r in range(3)]


def test_a_course_never_holds_more_than_its_capacity(mobile_runs):
    for simulation, _, courses in mobile_runs:
        capacity = {plan.key: plan.capacity for plan in simulation.world.courses}
        meetings = [e for e in courses.events if e[0] == "meeting"]
        assert len(meetings) > 40
        assert all(e[6] <= capacity[e[1]] and e[5] <= capacity[e[1]] for e in meetings)
        minimum = {plan.key: plan.min_size for plan in simulation.world.courses}
        started = [e for e in courses.events if e[0] == "started"]
        assert started and all(minimum[e[1]] <= e[4] <= capacity[e[1]] for e in started)
        assert 0 < courses.max_in_course <= min(capacity.values())


def test_the_ledgers_add_up_in_every_replication(mobile_runs):
    for _, result, courses in mobile_runs:
        ledger = courses.final_ledger()
        assert ledger["invited"] == ledger["accepted"] + ledger["declined"] + ledger["pending"]
        assert ledger["accepted"] == ledger["started"] + ledger["waiting"] + ledger["left_waiting"]
        assert ledger["started"] == (
            ledger["completed"] + ledger["dropped_out"] + ledger["left_caseload"] + ledger["in_course"]
        )
        assert ledger["completed"] > 0 and ledger["dropped_out"] > 0 and ledger["pending"] > 0
        kpis = result.kpis
        assert kpis["course_participants"] > 0 and 0 < kpis["course_fill_rate"] <= 1
        assert 0 < kpis["meeting_attendance_rate"] <= 1 and 0 < kpis["course_completion_rate"] <= 1
        assert kpis["days_to_course_start"] >= 14  # at least the notice
        for kpi in ("course_participants", "course_completed"):  # by home municipality, adding up
            assert result.municipalities[kpi].sum() == kpis[kpi]
        for plan in courses.plans:
            for place in plan.places:
                assert place.key in result.sites and "course_fill_rate" in result.sites[place.key]


@pytest.fixture(scope="module")
def postponing_run():
    return run_courses(*POSTPONING, scenario="borken_local")


def test_a_run_below_its_minimum_size_does_not_start_and_its_acceptors_keep_their_place(postponing_run):
    simulation, result, courses = postponing_run
    postponed = {(e[1], e[2]) for e in courses.events if e[0] == "postponed"}
    held = {(e[1], e[2]) for e in courses.events if e[0] == "meeting"}
    assert postponed and held  # some runs wait, the waiting list fills the next ones
    assert not postponed & held
    assert all(e[4] < 11 for e in courses.events if e[0] == "postponed")
    started = [e for e in courses.events if e[0] == "started"]
    assert started and all(11 <= e[4] <= 12 for e in started)  # min_size 11, capacity 12
    assert result.kpis["course_runs_postponed"] > 0


def test_a_postponed_runs_blocked_staff_time_is_counted_as_unused_and_in_the_time_split(postponing_run):
    simulation, result, courses = postponing_run
    blocked = blocked_course_hours(simulation)
    kpis = result.kpis
    assert kpis["course_staff_hours_unused"] > 0 and kpis["course_staff_hours"] > 0
    # every blocked course hour in the window is used or unused
    assert kpis["course_staff_hours"] + kpis["course_staff_hours_unused"] == pytest.approx(sum(blocked.values()))
    # the unused time is blocked time in the offices' time split (meeting_hours), not case work
    teams = team_meeting_hours(simulation)
    unused = {plan.office: result.sites[plan.key]["course_staff_hours_unused"] for plan in simulation.world.courses}
    for office, hours in unused.items():
        assert result.counsellors[office]["meeting_hours"] == pytest.approx(teams.get(office, 0.0) + hours)


def test_course_staff_are_blocked_on_every_meeting_and_leave_the_office_sessions():
    with_courses = build_world(load("scenario=borken_mobile", *SMALL).config)
    without = build_world(load("scenario=borken", *SMALL).config)
    for plan in with_courses.courses:
        office = next(site for site in with_courses.sites if site.key == plan.office)
        other = next(site for site in without.sites if site.key == plan.office)
        staff_with = dict(zip(office.days, with_courses.staff.session_staff(office)))
        staff_without = dict(zip(other.days, without.staff.session_staff(other)))
        meeting_days = set()
        for run in plan.runs:
            place = plan.places[run.place]
            for day in run.days:
                meeting_days.add(day)
                # counsellors away for the meeting and the drive: never in a session at that time
                start, end = plan.start_min, plan.end_min
                assert with_courses.staff.blocked(plan.office, day, start, end) >= plan.staff
                if place.staff_travel_min:
                    assert with_courses.staff.blocked(plan.office, day, start - 5, start) >= plan.staff
        affected = [day for day in meeting_days if day in staff_with]
        assert affected
        for day in affected:  # the office's session on a course day has the course's staff fewer
            assert staff_with[day] <= staff_without[day] - plan.staff
        others = [day for day in staff_with if day not in meeting_days and day < 200]
        blocked_elsewhere = {
            day for p in with_courses.courses if p.office == plan.office for r in p.runs for day in r.days
        }
        assert all(staff_with[day] == staff_without[day] for day in others if day not in blocked_elsewhere)


def test_with_no_measure_effect_exits_to_work_are_those_of_the_district_without_courses():
    for replication in range(2):
        _, control, _ = run_courses("clients.measure_hazard_factor=1", scenario="borken", replication=replication)
        _, courses, ledger = run_courses("clients.measure_hazard_factor=1", replication=replication)
        assert ledger.final_ledger()["completed"] > 0
        assert courses.kpis["exits_to_work"] == control.kpis["exits_to_work"]
        assert (courses.municipalities["exits_to_work"] == control.municipalities["exits_to_work"]).all()


def test_with_a_large_measure_effect_exits_to_work_rise():
    control = sum(
        run_courses("clients.measure_hazard_factor=20", scenario="borken", replication=r)[1].kpis["exits_to_work"]
        for r in range(2)
    )
    courses = sum(
        run_courses("clients.measure_hazard_factor=20", replication=r)[1].kpis["exits_to_work"] for r in range(2)
    )
    assert courses > control


def test_the_same_seed_gives_the_same_results_and_another_seed_others():
    first, second, third = (run_courses(seed=seed)[1] for seed in (7, 7, 8))
    keys = [key for key in first.kpis if key.startswith("course")]
    assert keys
    assert first.kpis == second.kpis
    assert first.sites == second.sites
    assert any(first.kpis[key] != third.kpis[key] for key in keys)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "courses.course_gronau.capacity=20",
            "courses.course_gronau.capacity (20) is more than courses.course_gronau.room_seats (15)",
        ),
        (
            "courses.course_gronau.staff=13",
            "courses.course_gronau.staff (13) is more than the 12 counsellors office gronau has present",
        ),
        (
            "courses.course_gronau.places=[Dorsten]",
            "courses.course_gronau.places: 'Dorsten' is not a municipality of region borken",
        ),
        (
            "courses.course_gronau.office=muenster",
            "courses.course_gronau.office 'muenster' must be an open office of the scenario",
        ),
        ("courses.course_gronau.target_group=single_parents", "courses.course_gronau.target_group must be one of"),
        ("courses.course_gronau.every_weeks=4", "courses.course_gronau.every_weeks (4) must be at least"),
        ("courses.course_gronau.min_size=13", "courses.course_gronau.min_size must lie in 1..12"),
    ],
)
def test_a_bad_course_gets_one_sentence_naming_it(override, message):
    with pytest.raises(ConfigError) as refused:
        build_world(load("scenario=borken_local", *SMALL, override).config)
    assert message in str(refused.value), str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "override",
    [
        "courses.course_bocholt.capacity=16",
        "courses.course_bocholt.staff=30",
        "courses.course_bocholt.places=[Nowhere]",
        "courses.course_bocholt.office=nowhere",
        "courses.course_bocholt.target_group=nobody",
    ],
)
def test_a_bad_course_on_the_command_line_exits_2_in_one_line(override, tmp_path):
    completed = run_cli("sim.run", "scenario=borken_local", "replications=1", override, cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr[-2000:]
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: courses.course_bocholt."), completed.stderr


def check_course_staff_time(simulation, result, courses) -> tuple[int, int]:
    """course_staff_hours: meetings someone came to, with the drive, and the drive to meetings nobody
    came to; meetings with nobody left in the course take neither. Returns the meetings nobody came
    to and those with nobody left."""
    config, plans = simulation.config, {plan.key: plan for plan in simulation.world.courses}
    used_min, travel_min, face_min, nobody, empty = 0.0, 0.0, 0.0, 0, 0
    for _, key, number, day, _, came, _, enrolled in (e for e in courses.events if e[0] == "meeting"):
        if config.warmup_days <= day < config.horizon_days:
            plan = plans[key]
            place = plan.places[plan.runs[number].place]
            drive = plan.staff * place.drive_min if enrolled else 0.0
            face = plan.staff * (plan.end_min - plan.start_min) if came else 0.0
            used_min += drive + face
            travel_min += drive
            face_min += face
            nobody += enrolled > 0 and came == 0
            empty += enrolled == 0
    assert used_min > 0 and travel_min > 0  # the mobile course drives to its places
    assert result.kpis["course_staff_hours"] == pytest.approx(used_min / 60)
    assert result.kpis["counsellor_travel_hours"] == pytest.approx(travel_min / 60)
    assert result.kpis["course_staff_hours"] + result.kpis["course_staff_hours_unused"] == pytest.approx(
        sum(blocked_course_hours(simulation).values())
    )
    return nobody, empty


def test_course_staff_time_is_every_meeting_held_in_the_window_with_the_drive_there_and_back(mobile_runs):
    for run in mobile_runs:
        check_course_staff_time(*run)


def test_a_meeting_nobody_came_to_or_with_nobody_left_is_not_counselling():
    # nearly everybody misses, and one miss ends a participation: runs empty out
    simulation, result, courses = run_courses(
        "attendance.intercept=0", "courses.course_mobile.dropout_after=1", "courses.course_mobile.min_size=3"
    )
    nobody, empty = check_course_staff_time(simulation, result, courses)
    assert nobody > 0 and empty > 0
    assert result.kpis["course_staff_hours_unused"] > 0


def test_two_courses_of_one_office_on_one_day_beyond_its_staff_get_one_sentence():
    overrides = ("courses.course_mobile.weekday=tue", "courses.course_mobile.staff=9")
    with pytest.raises(ConfigError) as refused:
        build_world(load("scenario=borken_mobile", *SMALL, *overrides).config)
    message = str(refused.value)
    assert message.startswith("sites.borken.counsellors (11, 10 present") and "courses" in message, message
    assert "\n" not in message


def test_the_mobile_course_meets_in_each_place_in_turn_and_its_staff_drive_there():
    world = build_world(load("scenario=borken_mobile", *SMALL).config)
    mobile = next(plan for plan in world.courses if plan.key == "course_mobile")
    names = [world.region.names[place.municipality] for place in mobile.places]
    assert names == ["Vreden", "Stadtlohn", "Gescher", "Legden", "Schöppingen"]
    assert [run.place for run in mobile.runs[:7]] == [0, 1, 2, 3, 4, 0, 1]
    assert all(place.staff_travel_min > 0 for place in mobile.places)
    for run in mobile.runs:
        assert len(run.days) == 8 and all(day % 7 == 3 for day in run.days)  # Thursdays
        assert all(b - a >= 7 for a, b in zip(run.days, run.days[1:]))
    for before, after in zip(mobile.runs, mobile.runs[1:]):
        assert after.days[0] > before.days[-1]  # runs never overlap
    local = next(plan for plan in world.courses if plan.key == "course_bocholt")
    assert local.places[0].staff_travel_min == 0 and set(local.places[0].catchment) == {
        world.region.index(name) for name in ("Bocholt", "Rhede", "Isselburg")
    }


@pytest.mark.parametrize("key", ["hours", "invite_factor", "capacity", "notice_days"])
def test_a_course_number_that_is_not_finite_is_refused_by_name(key):
    with pytest.raises(ConfigError) as refused:
        load("scenario=borken_local", *SMALL, f"courses.course_gronau.{key}=nan")
    message = str(refused.value)
    assert f"courses.course_gronau.{key}" in message and "\n" not in message, message


def test_a_participant_has_no_regular_appointment_on_a_course_meeting_day():
    world = build_world(load("scenario=borken_local", *SMALL).config)
    simulation = Simulation(world, 1, 0)
    contacts, caseload = simulation.contacts, simulation.caseload
    outcome, seen = contacts.outcome, set()

    def recording(client, index, day):
        seen.add((client, caseload.generation[client], day))
        return outcome(client, index, day)

    contacts.outcome = recording
    simulation.run()
    courses = next(c for c in simulation.components if isinstance(c, Courses))
    at_meetings = {(e[4], e[5], e[3]) for e in courses.events if e[0] == "came"}
    assert len(at_meetings) > 200 and len(seen) > 10_000
    assert not at_meetings & seen


def test_one_client_more_or_less_in_the_target_group_leaves_every_other_clients_draws_alone(monkeypatch):
    fixed = ("clients.measure_hazard_factor=1",)
    _, _, with_all = run_courses(*fixed, scenario="borken_local")

    def draws(courses):
        answers = {(e[1], e[2], e[4], e[5]): e[6] for e in courses.events if e[0] == "answer"}
        came = {(e[1], e[2], e[3], e[4], e[5]): e[6] for e in courses.events if e[0] == "came"}
        return answers, came

    answers, came = draws(with_all)
    first_run = [key[2:] for key in answers if key[:2] == ("course_bocholt", 0)]
    left_out = first_run[0]  # the first client the Bocholt course invites is not in its target group
    in_group = Caseload.in_target_group

    def without_one(self, client, group, day):
        return (client, self.generation[client]) != left_out and in_group(self, client, group, day)

    monkeypatch.setattr(Caseload, "in_target_group", without_one)
    _, _, with_one_less = run_courses(*fixed, scenario="borken_local")
    answers_b, came_b = draws(with_one_less)
    first_run_b = [key[2:] for key in answers_b if key[:2] == ("course_bocholt", 0)]
    assert left_out not in first_run_b
    # the others keep their order: the next one in line takes the free invitation
    assert first_run_b[:-1] == first_run[1:] and len(first_run_b) == len(first_run)
    common = answers.keys() & answers_b.keys()
    assert len(common) > 0.5 * len(answers)
    assert all(answers[key] == answers_b[key] for key in common)
    common = came.keys() & came_b.keys()
    assert len(common) > 0.5 * len(came)
    assert all(came[key] == came_b[key] for key in common)


def test_an_early_course_start_with_no_notice_runs(tmp_path):
    overrides = ("courses.course_bocholt.start=07:30", "courses.course_bocholt.notice_days=0")
    _, result, courses = run_courses(*overrides, scenario="borken_local")
    assert any(e[0] == "answer" and e[1] == "course_bocholt" for e in courses.events)
    completed = run_cli(
        "sim.run",
        "scenario=borken_local",
        "replications=1",
        "horizon_days=60",
        "warmup_days=7",
        "clients.count=1000",
        *overrides,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]


@pytest.mark.parametrize("notice", [14, 30])
def test_the_first_run_gives_the_full_notice(notice):
    world = build_world(load("scenario=borken_mobile", *SMALL, f"courses.course_bocholt.notice_days={notice}").config)
    for plan in world.courses:
        first = plan.runs[0].days[0]
        assert first >= plan.notice_days and first % 7 in (1, 3)  # Tuesday or Thursday
    bocholt = next(plan for plan in world.courses if plan.key == "course_bocholt")
    assert bocholt.notice_days == notice and bocholt.runs[0].days[0] - 7 < notice <= bocholt.runs[0].days[0]


def test_a_course_whose_place_would_share_another_places_name_gets_one_sentence():
    config = load("scenario=borken_mobile", *SMALL).config
    courses = dict(config.courses)
    courses["course_mobile.vreden"] = dataclasses.replace(courses["course_gronau"], places=["Gronau (Westf.)"])
    with pytest.raises(ConfigError) as refused:
        build_world(dataclasses.replace(config, courses=courses))
    message = str(refused.value)
    assert "'course_mobile.vreden'" in message and "\n" not in message, message
