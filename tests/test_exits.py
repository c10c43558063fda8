"""Leaving the caseload: exits to work against their theory, and their share as a knob."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment.stats import summarise
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
