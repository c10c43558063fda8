"""The model against queueing theory: Erlang C waiting times and Little's law (scenario mmc)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment.stats import summarise
from sim.experiment.theory import erlang_a_queue_length, erlang_c_wait_min
from tests.conftest import load, replicate

CASES = [
    (3, 2.4, 60.0),  # the default: rho = 0.8
    (5, 4.0, 60.0),  # rho = 0.8, more servers
    (1, 0.5, 60.0),  # M/M/1, rho = 0.5
    (2, 3.0, 30.0),  # rho = 0.75, shorter service
]


def simulated_wait(servers: int, rate: float, service: float, *overrides: str, workers: int = 1) -> tuple:
    """The mmc scenario's on-site wait summary and utilisation summary for one setting."""
    config = load(
        "scenario=mmc",
        f"mmc.servers={servers}",
        f"mmc.arrival_rate_per_hour={rate}",
        f"mmc.service_mean_min={service}",
        *overrides,
    )
    runs = replicate([config], workers=workers)[0]
    return (
        summarise([run.kpis["onsite_wait_min_mean"] for run in runs]),
        summarise([run.kpis["counsellor_utilisation"] for run in runs]),
    )


@pytest.mark.parametrize(("servers", "rate", "service"), CASES)
def test_onsite_wait_matches_erlang_c(servers, rate, service):
    waits, utilisation = simulated_wait(servers, rate, service, "replications=10", "seed=3")
    theory = erlang_c_wait_min(servers, rate, service)
    assert waits["ci_low"] <= theory <= waits["ci_high"], (theory, waits)
    assert utilisation["mean"] == pytest.approx(rate * service / 60 / servers, rel=0.02)


def test_littles_law_on_the_queue():
    """Time-average number waiting = arrival rate x mean wait, replication by replication."""
    config = load("scenario=mmc", "replications=4", "seed=5")
    for run in replicate([config], workers=1)[0]:
        kpis = run.kpis
        littles = kpis["walkin_arrivals_per_hour"] / 60.0 * kpis["onsite_wait_min_mean"]
        assert kpis["onsite_queue_mean"] == pytest.approx(littles, rel=0.01)


def test_erlang_c_formula_against_known_value():
    """Guard the reference itself: M/M/1 with rho 0.5 waits rho/(mu - lambda) = 60 min."""
    assert erlang_c_wait_min(1, 0.5, 60.0) == pytest.approx(60.0)
    assert erlang_c_wait_min(3, 2.4, 60.0) == pytest.approx(64.72, abs=0.01)


def test_always_open_counsellors_serve_without_travel():
    config = load("scenario=mmc", "replications=2", "horizon_days=60", "warmup_days=7")
    for run in replicate([config], workers=1)[0]:
        assert run.kpis["counsellor_travel_hours"] == 0
        assert np.isnan(run.kpis["attendance_rate"])


@pytest.mark.parametrize(("servers", "rate"), [(1, 1.5), (3, 3.6)])
def test_the_queue_with_reneging_matches_erlang_a(servers, rate):
    """Walk-ins who run out of patience leave the queue then: the time-average queue is Erlang A's Lq."""
    config = load(
        "scenario=mmc",
        f"mmc.servers={servers}",
        f"mmc.arrival_rate_per_hour={rate}",
        "sites.walkin_centre.walkins.patience_min=30",
        "replications=10",
        "horizon_days=100",
        "warmup_days=10",
        "seed=4",
    )
    queue = summarise([run.kpis["onsite_queue_mean"] for run in replicate([config], workers=2)[0]])
    theory = erlang_a_queue_length(servers, rate, 60.0, 30.0)
    assert queue["ci_low"] <= theory <= queue["ci_high"], (theory, queue)


def test_sick_days_do_not_take_a_server_away_for_good_at_an_always_open_site():
    """An always-open site holds one endless session: a sick day there would last the whole horizon."""
    short = ("scenario=mmc", "replications=3", "horizon_days=30", "warmup_days=3")
    healthy, sick = replicate([load(*short), load(*short, "staff.sick_rate=0.5")])
    for a, b in zip(healthy, sick):
        assert a.kpis == pytest.approx(b.kpis, nan_ok=True, rel=0, abs=0)
