"""Leaving the caseload: exits to work and days on benefits against their theory, the work share as
a knob, and what a measure does to the hazard of leaving for work."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment.stats import summarise
from sim.model import build_world
from sim.model.caseload import RESERVES
from sim.model.simulation import Simulation
from tests.conftest import load, replicate


def test_exits_to_work_per_client_year_match_the_stay_and_the_work_share():
    """Exponential stays of mean D days and a work share w give w x 365 / D exits to work per client-year."""
    setup = load("scenario=wartburgkreis", "replications=6", "horizon_days=280", "warmup_days=35", "seed=4")
    runs = replicate([setup], workers=2)[0]
    rate = summarise([run.kpis["exits_to_work_rate"] for run in runs])
    theory = setup.clients.work_share_of_exits * 365 / setup.clients.mean_stay_days
    assert rate["ci_low"] <= theory <= rate["ci_high"], (theory, rate)
    for run in runs:  # per municipality they add up to the district's
        assert run.municipalities["exits_to_work"].sum() == run.kpis["exits_to_work"]
    # a leaver's days on benefits are a whole exponential stay: the first clients joined at the
    # stationary age, so those who leave in the window stayed D days on average
    days = summarise([run.kpis["days_on_benefits"] for run in runs])
    assert days["ci_low"] - 1 <= setup.clients.mean_stay_days <= days["ci_high"] + 1, days


def treated_at_day_0(factor: float) -> tuple[Simulation, list, np.ndarray]:
    """A replication prepared (not run) over ten years, every client given a measure on day 0;
    the departure days and exit kinds before it."""
    setup = load(
        "scenario=wartburgkreis", "horizon_days=3650", "warmup_days=0", f"clients.measure_hazard_factor={factor}"
    )
    simulation = Simulation(build_world(setup.config), seed=3, replication=0)
    caseload = simulation.caseload
    before = (list(caseload.leaves_on), caseload.to_work.copy())
    for client in range(len(caseload)):
        simulation.contacts.measure_taken(client, 0)
    return simulation, *before


def test_a_measure_without_effect_changes_no_exit():
    simulation, leaves_on, to_work = treated_at_day_0(1.0)
    assert simulation.caseload.leaves_on == leaves_on
    assert (simulation.caseload.to_work == to_work).all()


def test_a_measure_raises_the_hazard_to_work_by_its_factor():
    """Competing risks: from the measure on, exit to work at f x w / D, other exits at (1 - w) / D,
    so the mean time to the exit is D / (1 + (f - 1) w) and a share f w / (1 + (f - 1) w) goes to work."""
    factor = 3.0
    simulation, _, _ = treated_at_day_0(factor)
    caseload, clients = simulation.caseload, simulation.config.clients
    w, stay = clients.work_share_of_exits, clients.mean_stay_days
    days = np.array([day if day is not None else np.nan for day in caseload.leaves_on], dtype=float)
    assert np.isfinite(days).mean() > 0.99  # ten years: nearly every first client has left
    days = days[np.isfinite(days)]
    total = 1 + (factor - 1) * w
    standard_error = stay / total / np.sqrt(len(days))
    assert abs(days.mean() + 0.5 - stay / total) < 4 * standard_error, (days.mean(), stay / total)
    share = caseload.to_work[caseload.population.first_row].mean()
    expected = factor * w / total
    assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / len(caseload)), (share, expected)
    for client in range(len(caseload)):  # once per occupant: a second measure moves nothing
        before = caseload.leaves_on[client]
        simulation.contacts.measure_taken(client, 5)
        assert caseload.leaves_on[client] == before


@pytest.mark.parametrize(("share", "expected"), [(0.0, 0), (1.0, None)])
def test_the_work_share_is_a_knob_that_moves_nothing_else(share, expected):
    base, changed = (
        load("scenario=wartburgkreis", "replications=2", "horizon_days=120", "warmup_days=14", *extra)
        for extra in ((), (f"clients.work_share_of_exits={share}",))
    )
    base_runs, changed_runs = replicate([base, changed], workers=2)
    for before, after in zip(base_runs, changed_runs):
        if expected == 0:
            assert after.kpis["exits_to_work"] == 0
        else:
            assert after.kpis["exits_to_work"] > before.kpis["exits_to_work"]
        same = [k for k in before.kpis if not k.startswith("exits_to_work")]
        assert all(np.isclose(before.kpis[k], after.kpis[k], equal_nan=True) for k in same)


def test_a_run_after_measures_replaces_early_leavers_and_counts_their_exits():
    """Every client gets a measure on day 0 with a strong effect: exits to work rise, newcomers
    (the reserve occupant where the slot's last one left early) take the places, the run completes."""
    setup = load("scenario=wartburgkreis", "horizon_days=120", "warmup_days=0", "clients.measure_hazard_factor=20")
    world = build_world(setup.config)
    plain = Simulation(world, seed=2, replication=0).run()
    simulation = Simulation(world, seed=2, replication=0)
    for client in range(len(simulation.caseload)):
        simulation.contacts.measure_taken(client, 0)
    treated = simulation.run()
    assert treated.kpis["exits_to_work"] > 3 * plain.kpis["exits_to_work"]
    caseload = simulation.caseload
    reserve = caseload.population.reserve_row
    assert (np.asarray(caseload.row) == reserve).any()  # some last occupants left early
    last_reserve = caseload.population.occupants + RESERVES - 1
    assert (np.asarray(caseload.generation) <= last_reserve).all()
    assert treated.ledger["booked"] == sum(value for key, value in treated.ledger.items() if key != "booked")


def test_a_client_busy_elsewhere_that_day_is_rebooked_not_seen():
    """A client at a course meeting or an interview on the day of an appointment is never also at
    the consultation: the appointment is cancelled (reason busy) and the contact booked again."""
    setup = load(
        "scenario=wartburgkreis", "horizon_days=60", "warmup_days=0", "clients.count=400", "clients.mean_stay_days=1e6"
    )  # nobody leaves: a newcomer is not busy
    world = build_world(setup.config)
    plain = Simulation(world, seed=2, replication=0).run()
    simulation = Simulation(world, seed=2, replication=0)
    busy_clients = range(0, len(simulation.caseload), 2)
    for client in busy_clients:
        for day in range(30):
            simulation.caseload.make_busy(client, day)
    seen_on = []
    outcome = simulation.contacts.outcome
    simulation.contacts.outcome = lambda client, site, day: seen_on.append((client, day)) or outcome(client, site, day)
    simulation.run()
    assert simulation.appointments.cancelled["busy"] > 0
    assert not [(client, day) for client, day in seen_on if client % 2 == 0 and day < 30]
    assert any(client % 2 == 0 and day >= 30 for client, day in seen_on)  # seen once free again
    assert plain.kpis["kept_contacts"] > 0
