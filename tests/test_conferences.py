"""Case conferences (Kreis Bergstraße): every reviewed case accounted for, at most M cases a
conference, the team's time blocked on its office's calendar (a day's conference and interviews
once: the same people), interviewees busy that day, the interview hours in the time split, what
the conferences cost the office and return in exits to work, common random numbers (one candidate
more or less leaves the others' selections and draws alone), and bad teams in one sentence."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from sim.config import ConfigError
from sim.model import build_world
from sim.model.conferences import LEDGER, Conferences
from sim.model.simulation import Simulation
from tests.conftest import load, replicate, results_folder, run_cli

# a small district: a third of the clients, and about a third of each office's counsellors, so that
# the offices are as busy as at full size (121 clients per counsellor)
SMALL = (
    "clients.count=3000",
    "sites.heppenheim.counsellors=10",
    "sites.buerstadt.counsellors=6",
    "sites.moerlenbach.counsellors=7",
    "sites.viernheim.counsellors=3",
    "horizon_days=210",
    "warmup_days=56",
)
TEAMS = {"zwingenberg": "heppenheim", "biblis": "buerstadt", "grasellenbach": "moerlenbach"}


def run(*overrides: str, scenario: str = "bergstrasse_pilot", seed: int = 1, replication: int = 0):
    """One replication of a scenario; the simulation (with its components) and its result."""
    simulation = Simulation(build_world(load(f"scenario={scenario}", *SMALL, *overrides).config), seed, replication)
    return simulation, simulation.run()


def conferences_of(simulation: Simulation) -> Conferences:
    (component,) = [c for c in simulation.components if isinstance(c, Conferences)]
    return component


@pytest.fixture(scope="module")
def pilot_runs():
    return [run(replication=r) for r in range(3)]


def test_every_reviewed_case_is_interviewed_waiting_or_closed_in_every_replication(pilot_runs):
    for simulation, result in pilot_runs:
        ledger = conferences_of(simulation).ledger
        assert set(ledger) == set(LEDGER)
        assert ledger["reviewed"] > 30 and ledger["interviewed"] > 0
        assert ledger["reviewed"] == sum(count for state, count in ledger.items() if state != "reviewed")
        # the ledger counts events as they happen; every case's state agrees with it
        states = Counter(case.state for team in conferences_of(simulation).teams for case in team.cases)
        assert ledger["reviewed"] == sum(len(team.cases) for team in conferences_of(simulation).teams)
        assert all(ledger[state] == states[state] for state in LEDGER if state != "reviewed"), (ledger, states)
        assert result.kpis["measures_agreed"] <= result.kpis["interviews_held"]
        assert result.kpis["days_to_measure"] >= simulation.config.teams["biblis"].notice_days
        for kpi in ("conference_hours", "cases_reviewed", "interviews_held", "measures_agreed"):
            per_place = result.municipalities[kpi]
            assert per_place.sum() == pytest.approx(result.kpis[kpi])
            pilots = {simulation.world.region.index(name.capitalize()) for name in TEAMS}
            assert all(value == 0 for m, value in enumerate(per_place) if m not in pilots)


def test_a_conference_reviews_at_most_m_cases_each_once_from_its_target_group(pilot_runs):
    for simulation, _ in pilot_runs:
        for team in conferences_of(simulation).teams:
            plan = team.plan
            per_conference = Counter(case.reviewed for case in team.cases)
            assert per_conference and max(per_conference.values()) <= plan.cases_per_conference
            assert set(per_conference) <= set(plan.conference_days)
            occupants = [(case.client, case.generation) for case in team.cases]
            assert len(occupants) == len(set(occupants))  # never the same client twice
            municipality = simulation.caseload.population.municipality
            assert all(municipality[case.client] == plan.municipality for case in team.cases)
            assert plan.target_group == "long_term"
            entered = simulation.caseload.population.first_entry_day
            for case in team.cases:  # a client there from the start was on benefits 639 days by the review
                if case.generation == 0:
                    assert case.reviewed - entered[case.client] >= 639


def test_the_conference_and_interview_hours_take_every_member_out_of_the_office_session():
    base, pilot = (build_world(load(f"scenario={name}").config) for name in ("bergstrasse", "bergstrasse_pilot"))
    assert [team.office for team in pilot.teams] == list(TEAMS.values())
    for team in pilot.teams:
        index = pilot.site_index[team.office]
        before = base.staff.session_staff(base.sites[index])
        after = pilot.staff.session_staff(pilot.sites[index])
        conference, interviews = set(team.conference_days), set(team.interview_days)
        assert conference and interviews
        for day, staff_before, staff_after in zip(pilot.sites[index].days, before, after):
            drop = team.members if day in conference else team.interviewers if day in interviews else 0
            assert staff_before - staff_after == drop, (team.key, day)
            if day in conference:
                assert pilot.staff.blocked(team.office, day, *team.conference_min) == team.members
        site = pilot.sites[index]  # inside the office's hours by default: the office loses capacity
        assert site.open_min <= team.conference_min[0] < team.conference_min[1] <= site.close_min
    offices = {base.sites[base.site_index[key]].key for key in base.offices}
    untouched = offices - set(TEAMS.values())
    for key in untouched:
        index = base.site_index[key]
        assert base.staff.session_staff(base.sites[index]) == pilot.staff.session_staff(pilot.sites[index])


def test_the_blocked_hours_and_the_sessions_the_members_miss_are_counted_in_the_window(pilot_runs):
    simulation, result = pilot_runs[0]
    first, last = simulation.config.warmup_days, simulation.config.horizon_days
    conference = interview = missed = 0.0
    for team in simulation.world.teams:
        sessions = {day for day in simulation.world.sites[team.office_site].days if first <= day < last}
        in_window = [day for day in team.conference_days if first <= day < last]
        talks = [day for day in team.interview_days if first <= day < last]
        conference += len(in_window) * team.members * 1.5
        interview += len(talks) * team.interviewers * 3.0
        missed += team.members * len(sessions & set(in_window)) + team.interviewers * len(sessions & set(talks))
    assert result.kpis["conference_hours"] == pytest.approx(conference)
    assert result.kpis["interview_hours"] == pytest.approx(interview)
    assert result.kpis["sessions_missed"] == missed > 0


def test_the_default_office_is_the_one_whose_catchment_lists_the_municipality():
    setup = load("scenario=bergstrasse_pilot", *(f"teams.{key}.office=null" for key in TEAMS))
    assert [team.office for team in build_world(setup.config).teams] == list(TEAMS.values())


def test_the_pilot_costs_its_offices_contacts_and_waiting_on_common_random_numbers():
    base, pilot = (load(f"scenario={name}", *SMALL, "replications=3") for name in ("bergstrasse", "bergstrasse_pilot"))
    base_runs, pilot_runs = replicate([base, pilot], workers=2)
    lost = [
        sum(
            b.sites[office].get("kept_contacts", 0) - p.sites[office].get("kept_contacts", 0)
            for office in TEAMS.values()
        )
        for b, p in zip(base_runs, pilot_runs)
    ]
    assert np.mean(lost) > 0, lost
    waits = [p.kpis["wait_days_mean"] - b.kpis["wait_days_mean"] for b, p in zip(base_runs, pilot_runs)]
    assert np.mean(waits) > 0, waits
    for b, p in zip(base_runs, pilot_runs):
        assert "cases_reviewed" not in b.kpis and p.kpis["cases_reviewed"] > 0
        assert p.kpis["conference_hours"] > 0
        for office in TEAMS.values():  # the conference hours count as meetings of the office
            assert p.counsellors[office]["meeting_hours"] > b.counsellors[office]["meeting_hours"]


def test_without_a_measure_effect_exits_to_work_are_those_without_teams_and_with_a_large_one_they_rise():
    for r in range(2):
        _, base = run("clients.measure_hazard_factor=1", scenario="bergstrasse", replication=r)
        _, none = run("clients.measure_hazard_factor=1", replication=r)
        _, large = run("clients.measure_hazard_factor=20", replication=r)
        assert none.kpis["measures_agreed"] > 0
        assert none.kpis["exits_to_work"] == base.kpis["exits_to_work"]
        assert (none.municipalities["exits_to_work"] == base.municipalities["exits_to_work"]).all()
        assert large.kpis["exits_to_work"] > base.kpis["exits_to_work"]


def test_the_same_seed_gives_the_same_conferences_and_another_seed_others():
    (first, a), (second, b) = run(), run()
    assert a.kpis == pytest.approx(b.kpis, nan_ok=True, rel=0, abs=0)
    for kpi, values in a.municipalities.items():
        np.testing.assert_array_equal(values, b.municipalities[kpi])
    assert conferences_of(first).ledger == conferences_of(second).ledger
    reviewed = [[(c.client, c.reviewed) for c in team.cases] for team in conferences_of(first).teams]
    assert reviewed == [[(c.client, c.reviewed) for c in team.cases] for team in conferences_of(second).teams]
    other, _ = run(seed=2)
    assert reviewed != [[(c.client, c.reviewed) for c in team.cases] for team in conferences_of(other).teams]


def test_interviews_in_the_municipality_count_the_drive_and_block_it():
    at_office, office_result = run()
    there, result = run(*(f"teams.{key}.interview_at=municipality" for key in TEAMS))
    assert office_result.kpis["counsellor_travel_hours"] == 0
    assert result.kpis["counsellor_travel_hours"] > 0 and result.kpis["staff_travel_km"] > 0
    for team in there.world.teams:
        assert team.staff_travel_min > 0
        day = team.interview_days[0]
        start, end = team.interview_min
        drive = round(team.staff_travel_min)
        assert there.world.staff.blocked(team.office, day, start - drive, start - drive + 1) == team.interviewers
    assert conferences_of(there).ledger["interviewed"] > 0


# the reviewer's input: Biblis's conference (08:00-09:00) and interview hours (10:00-13:00) both on Thursday
SAME_DAY = (
    "sites.buerstadt.counsellors=4",
    "teams.biblis.weekday=thu",
    "teams.biblis.start=08:00",
    "teams.biblis.hours=1",
    "teams.biblis.interview_start=10:00",
)


def test_a_day_with_the_conference_and_the_interviews_blocks_the_team_once():
    simulation, result = run(*SAME_DAY, "horizon_days=120")
    world = simulation.world
    (team,) = [team for team in world.teams if team.key == "biblis"]
    assert team.conference_days == team.interview_days
    site = world.sites[world.site_index["buerstadt"]]
    present = world.staff.present["buerstadt"]
    assert present == 4 and team.members == 3
    days = set(team.conference_days)
    for day, staff in zip(site.days, world.staff.session_staff(site)):
        assert staff == (present - team.members if day in days else present), day  # the same 3 people, not 5
    assert [block.day for block in team.blocks] == sorted(days)  # one block a day
    first, last = simulation.config.warmup_days, simulation.config.horizon_days
    sessions = [day for day in site.days if first <= day < last and day in days]
    biblis = world.region.index("Biblis")
    assert sessions and result.municipalities["sessions_missed"][biblis] == 3 * len(sessions)


def test_a_conference_overlapping_the_teams_interview_hours_is_refused_in_one_sentence():
    with pytest.raises(ConfigError) as error:
        build_world(load("scenario=bergstrasse_pilot", "teams.biblis.weekday=thu", "teams.biblis.start=09:00").config)
    assert "the conference of teams.biblis (09:00-10:30) overlaps its interview hours" in str(error.value)
    assert "\n" not in str(error.value)


def test_the_afternoon_teams_take_no_session_and_their_interview_hours_are_consultation_hours_every_week():
    base, _ = run(scenario="bergstrasse")
    afternoon, result = run(scenario="bergstrasse_pilot_afternoon")
    nobody = Simulation(afternoon.world, 1, 0)  # no case ever reviewed: every interview day without bookings
    nobody.caseload.in_target_group = lambda client, group, day: False
    empty = nobody.run()
    assert result.kpis["sessions_missed"] == 0 == empty.kpis["sessions_missed"]
    assert result.kpis["interviews_held"] > 0 and empty.kpis["cases_reviewed"] == 0
    first, last = afternoon.config.warmup_days, afternoon.config.horizon_days
    for team in afternoon.world.teams:
        index = afternoon.world.site_index[team.office]
        assert base.world.staff.session_staff(base.world.sites[index]) == afternoon.world.staff.session_staff(
            afternoon.world.sites[index]
        )
        office = afternoon.world.offices.index(team.office)
        talks = sum(first <= day < last for day in team.interview_days)
        hours = talks * team.interviewers * (team.interview_min[1] - team.interview_min[0])
        for simulation in (afternoon, nobody):  # booked or not, the same rule
            extra = simulation.metrics.office_consultation_min[office] - base.metrics.office_consultation_min[office]
            assert extra == pytest.approx(hours), team.key


def test_an_invited_client_is_busy_on_the_interview_day(pilot_runs):
    cancelled = 0
    for simulation, _ in pilot_runs:
        caseload = simulation.caseload
        interviewed = [
            case
            for team in conferences_of(simulation).teams
            for case in team.cases
            if case.state == "interviewed" and caseload.generation[case.client] == case.generation
        ]
        assert interviewed
        assert all(case.interview_day in caseload.busy.get(case.client, ()) for case in interviewed)
        cancelled += simulation.appointments.cancelled["busy"]
    assert cancelled > 0  # a regular appointment on an interview day is moved to the next day


def test_one_candidate_less_leaves_the_other_selections_and_their_draws_alone():
    def simulate(exclude=None):
        setup = load("scenario=bergstrasse_pilot", *SMALL, "clients.measure_hazard_factor=1")
        simulation = Simulation(build_world(setup.config), 1, 0)
        if exclude is not None:  # this client is no candidate: as if reviewed before
            conferences_of(simulation).teams[1].reviewed.add(exclude)
        simulation.run()
        return conferences_of(simulation).teams

    with_all = simulate()
    first = with_all[1].cases[0]
    without = simulate((first.client, first.generation))
    assert with_all[1].plan.key == "biblis"
    for a, b in zip(with_all, without):
        cases_a = {(c.client, c.generation): c for c in a.cases}
        cases_b = {(c.client, c.generation): c for c in b.cases}
        if a.plan.key != "biblis":
            assert [(c.client, c.reviewed, c.state) for c in a.cases] == [
                (c.client, c.reviewed, c.state) for c in b.cases
            ]
            continue
        assert set(cases_a) - set(cases_b) == {(first.client, first.generation)}
        assert len(set(cases_b) - set(cases_a)) <= 1
        same_day = [key for key in cases_a.keys() & cases_b.keys() if cases_a[key].reviewed == cases_b[key].reviewed]
        assert len(same_day) > 10
        for key in same_day:  # the same occupant's draws: the same outcome
            a_case, b_case = cases_a[key], cases_b[key]
            assert (a_case.state, a_case.agreed, a_case.misses) == (b_case.state, b_case.agreed, b_case.misses), key


BAD_TEAMS = [
    ("teams.biblis.members=40", "teams.biblis.members (40) is more than the counsellors of sites.buerstadt present"),
    (
        "teams.biblis.municipality=Ruhla",
        "teams.biblis.municipality 'Ruhla' is not a municipality of region bergstrasse",
    ),
    ("teams.biblis.office=erbach", "teams.biblis.office 'erbach' must be an open office of the scenario"),
    ("teams.biblis.interview_at=home", "teams.biblis.interview_at must be one of office, municipality, got 'home'"),
    ("teams.biblis.interviewers=4", "teams.biblis.interviewers (4) is more than teams.biblis.members (3)"),
    ("teams.biblis.target_group=young", "teams.biblis.target_group must be one of"),
    ("teams.biblis.measure_probability=1.5", "teams.biblis.measure_probability must be a probability"),
    ("teams.biblis.municipality=Zwingenberg", "has a team already (teams.zwingenberg)"),
    ("teams.biblis.start=16:00", "the conference of teams.biblis"),
    ("teams.biblis.interview_within_days=1", "teams.biblis.interview_within_days (1) must be at least"),
    (
        "teams.biblis.notice_days=14",
        "no teams.biblis.interview_weekday (thu) falls between teams.biblis.notice_days (14) and",
    ),
]


@pytest.mark.parametrize(("override", "message"), BAD_TEAMS)
def test_a_bad_team_gets_one_sentence_naming_it(override, message):
    with pytest.raises(ConfigError) as error:
        load("scenario=bergstrasse_pilot", override)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(("override", "message"), BAD_TEAMS[:4])
def test_a_bad_team_on_the_command_line_exits_2_with_one_line(override, message, tmp_path):
    completed = run_cli("sim.run", "scenario=bergstrasse_pilot", override, "replications=2", cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], completed.stderr
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").rglob("kpis.json"))


def test_the_comparison_writes_the_teams_kpis_assumptions_and_answer_into_its_report(tmp_path):
    completed = run_cli(
        "sim.compare",
        "experiment=bergstrasse_case_conferences",
        "replications=2",
        "workers=1",
        *SMALL,
        "report.lang=en",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    folder = results_folder(completed, tmp_path)
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert 'class="conference-answer" data-scenario="bergstrasse_pilot"' in page
    answers = dict(re.findall(r'class="conference-answer" data-scenario="([a-z_]+)">(.*?)</p>', page, flags=re.S))
    assert set(answers) == {"bergstrasse_pilot", "bergstrasse_pilot_afternoon"}
    assert "the offices lose" in answers["bergstrasse_pilot"] and "no session" not in answers["bergstrasse_pilot"]
    assert "no session loses a counsellor" in answers["bergstrasse_pilot_afternoon"]
    assert "Project team with case conferences" in page and "for Grasellenbach from the office in" in page
    for kpi in ("conference_hours", "cases_reviewed", "interviews_held", "measures_agreed", "days_to_measure"):
        assert f'data-kpi="{kpi}"' in page, kpi
    rows = (folder / "municipalities.csv").read_text(encoding="utf-8").splitlines()
    reviewed = [row.split(",") for row in rows if ",cases_reviewed," in row and row.startswith("bergstrasse_pilot,")]
    assert len(reviewed) == 22 and {row[2] for row in reviewed if float(row[6]) > 0} <= set(
        ["Zwingenberg", "Biblis", "Grasellenbach"]
    )


def test_a_pilot_replication_reports_exactly_the_core_and_conference_kpis(pilot_runs):
    from sim.kpi.registry import CORE, scenario_kpis

    _, result = pilot_runs[0]
    assert sorted(result.kpis) == sorted(scenario_kpis([CORE, "conferences"]))
