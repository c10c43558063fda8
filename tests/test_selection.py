"""Procedure KN (Kim & Nelson 2001): its constants, its guarantee in the slippage configuration, its
use of common random numbers, and its bookkeeping."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from sim.experiment.selection import KimNelson, kn_constants

DELTA = 0.5
ALPHA = 0.05
N0 = 10
SLIPPAGE = (1.0, 1.0, 1.0, 1.0 + DELTA)  # the best by exactly delta: KN's least favourable configuration


def select(means, delta, rng, shared=0.0, own=1.0, n0=N0) -> tuple[KimNelson, int]:
    """Run KN on normal alternatives X_ij = mean_i + shared Z_j + own E_ij (Z_j common to all: CRN);
    return the procedure and the bound on its replications known after the first stage."""
    selection = KimNelson(len(means), delta, ALPHA, n0)

    def replications(n: int) -> np.ndarray:
        return np.asarray(means) + shared * rng.normal(size=(n, 1)) + own * rng.normal(size=(n, len(means)))

    selection.add(replications(n0))
    bound = n0 + selection.needed()
    while not selection.done:
        selection.add(replications(selection.needed()))
    return selection, bound


def equal_allocation(k: int, delta: float, sigma: float, confidence: float) -> int:
    """Bechhofer's fixed n per alternative for the slippage configuration with a known common sigma:
    the smallest n with P(CS) = integral of Phi(z + delta sqrt(n) / sigma)^(k-1) phi(z) dz >= confidence."""

    def pcs(n: int) -> float:
        shift = delta * math.sqrt(n) / sigma
        return integrate.quad(lambda z: stats.norm.cdf(z + shift) ** (k - 1) * stats.norm.pdf(z), -np.inf, np.inf)[0]

    n = 1
    while pcs(n) < confidence:
        n += 1
    return n


# constants


@pytest.mark.parametrize(
    ("k", "alpha", "n0", "eta", "h2"),
    [
        # sim-tools' KN (TomMonks/sim-tools @ d636f74, sim_tools/ovs/indifference_zone.py, KN.__init__
        # eta and KN._initialisation h_squared = 2 eta (n_0 - 1)), evaluated with those arguments
        (2, 0.05, 10, 0.3340502686000293, 6.012904834800527),
        (4, 0.05, 10, 0.5646801866188322, 10.16424335913898),
        (10, 0.05, 20, 0.3029338036492749, 11.511484538672446),
        (4, 0.1, 5, 1.4364916731037085, 11.491933384829668),
    ],
)
def test_constants_match_the_reference_implementation(k, alpha, n0, eta, h2):
    assert kn_constants(k, alpha, n0) == pytest.approx((eta, h2), rel=1e-12)


def test_constants_match_the_paper_formula_by_hand():
    # Kim & Nelson (2001), section 3: eta = 1/2 [(2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1], h^2 = 2 c eta (n0 - 1), c = 1
    # k = 2, alpha = 0.05, n0 = 10: (0.1)^(-2/9) = 10^(2/9)
    eta = 0.5 * (10 ** (2 / 9) - 1)
    assert kn_constants(2, 0.05, 10) == pytest.approx((eta, 2 * eta * 9))
    assert eta == pytest.approx(0.33405, abs=1e-5)
    # k = 4, alpha = 0.1, n0 = 5: (0.2 / 3)^(-1/2) = sqrt(15)
    eta = 0.5 * (math.sqrt(15) - 1)
    assert kn_constants(4, 0.1, 5) == pytest.approx((eta, 2 * eta * 4))
    assert eta == pytest.approx(1.43649, abs=1e-5)


def test_more_alternatives_or_smaller_alpha_widen_the_continuation_region():
    assert kn_constants(10, 0.05, 10)[1] > kn_constants(4, 0.05, 10)[1] > kn_constants(4, 0.1, 10)[1]


# the guarantee


def test_slippage_configuration_selects_the_best_with_probability_1_minus_alpha():
    rng = np.random.default_rng(2001)
    macro = 200
    runs = [select(SLIPPAGE, DELTA, rng) for _ in range(macro)]
    correct = sum(selection.best == 3 for selection, _ in runs)
    margin = 3 * math.sqrt(ALPHA * (1 - ALPHA) / macro)  # three binomial standard errors
    assert correct / macro >= 1 - ALPHA - margin  # measured: 196 of 200
    totals = np.array([selection.replications.sum() for selection, _ in runs])
    stages = np.array([selection.replications.max() for selection, _ in runs])
    bounds = np.array([bound for _, bound in runs])
    assert (stages <= bounds).all()  # never past the bound known after the first stage
    # equal allocation: even knowing sigma = 1 it takes 35 replications of each of the 4; with KN's own
    # bound as the fixed n, 4 x (N + 1). KN eliminates the clear losers early (measured: 119.8 on average)
    known_sigma = len(SLIPPAGE) * equal_allocation(len(SLIPPAGE), DELTA, 1.0, 1 - ALPHA)
    assert known_sigma == 140
    assert totals.mean() < 0.9 * known_sigma
    assert totals.mean() < 0.4 * (len(SLIPPAGE) * bounds).mean()


def test_identical_alternatives_are_not_declared_decided_when_the_budget_runs_out():
    rng = np.random.default_rng(11)
    selection = KimNelson(4, delta=0.01, alpha=ALPHA, n0=N0)
    budget = 200
    used = selection.add(1.0 + rng.normal(size=(budget, 4)))
    assert used == budget
    assert not selection.done and selection.best is None
    assert len(selection.survivors) >= 2
    assert selection.needed() > 0
    assert selection.replications[selection.survivors].tolist() == [budget] * len(selection.survivors)


def test_exactly_equal_alternatives_are_tied_and_the_tie_goes_to_the_lowest_index():
    rng = np.random.default_rng(3)
    column = rng.normal(size=(N0, 1))
    selection = KimNelson(3, DELTA, ALPHA, N0)
    selection.add(np.hstack([column - 1.0, column, column]))  # S_il^2 = 0: no allowance, the first stage decides
    assert selection.done and selection.best == 1
    assert selection.eliminated_at == {0: N0, 2: N0}


def test_a_wide_indifference_zone_selects_the_largest_first_stage_mean():
    rng = np.random.default_rng(4)
    rows = rng.normal(size=(N0, 3)) + np.array([0.0, 0.5, 0.2])
    selection = KimNelson(3, delta=100.0, alpha=ALPHA, n0=N0)  # N = floor(h^2 S^2 / delta^2) = 0 < n0
    assert selection.add(rows) == N0
    assert selection.done and selection.best == int(np.argmax(rows.mean(axis=0)))


def test_minimising_selects_the_smallest_mean():
    rng = np.random.default_rng(5)
    selection = KimNelson(3, DELTA, ALPHA, N0, maximise=False)
    while not selection.done:
        selection.add(np.array([2.0, 1.0, 3.0]) + rng.normal(size=(1, 3)))
    assert selection.best == 1


# common random numbers


def test_common_random_numbers_shrink_the_pairwise_variances_and_stop_sooner():
    rng = np.random.default_rng(5)
    macro = 50
    # the same marginal variance, 1 + 0.3^2, shared (correlation 0.92) or not
    crn = [select(SLIPPAGE, DELTA, rng, shared=1.0, own=0.3)[0] for _ in range(macro)]
    independent = [select(SLIPPAGE, DELTA, rng, own=math.sqrt(1.09))[0] for _ in range(macro)]

    def mean_pair_variance(runs: list[KimNelson]) -> float:
        off_diagonal = ~np.eye(len(SLIPPAGE), dtype=bool)
        return float(np.mean([selection.pair_variances[off_diagonal].mean() for selection in runs]))

    assert mean_pair_variance(crn) < 0.2 * mean_pair_variance(independent)  # 2 x 0.09 against 2 x 1.09
    crn_total = np.mean([selection.replications.sum() for selection in crn])
    independent_total = np.mean([selection.replications.sum() for selection in independent])
    assert crn_total < 0.5 * independent_total  # measured: 40.0 against 112.6


# bookkeeping


def test_eliminations_are_never_undone_and_eliminated_alternatives_get_no_more_replications():
    rng = np.random.default_rng(6)
    means = np.array([0.0, 0.3, 0.6, 0.9, 1.2])
    selection = KimNelson(len(means), DELTA, ALPHA, N0)
    assert selection.needed() is None and selection.pair_variances is None
    seen: dict[int, int] = {}
    frozen_means: dict[int, float] = {}
    survivors = set(range(len(means)))
    while not selection.done:
        row = means + rng.normal(size=len(means))
        row[list(seen)] = np.nan  # eliminated alternatives need not be simulated at all
        assert selection.add(row) == 1
        now = set(selection.survivors)
        assert now <= survivors
        survivors = now
        assert all(selection.eliminated_at[index] == stage for index, stage in seen.items())
        seen = selection.eliminated_at
        assert set(seen) | survivors == set(range(len(means))) and not set(seen) & survivors
        counts = selection.replications
        stage = counts.max()
        for index, at in seen.items():
            assert counts[index] == at <= stage
            frozen_means.setdefault(index, selection.means[index])
            assert selection.means[index] == frozen_means[index]
        assert all(counts[index] == stage for index in survivors)
    assert min(seen.values()) >= N0 and selection.needed() == 0
    assert selection.best in (3, 4)  # within delta of the best mean, 1.2
    assert selection.add(np.ones((3, len(means)))) == 0  # after the decision, rows are not used
    assert selection.replications.tolist() == counts.tolist()


def test_a_batch_stops_being_used_at_the_decision():
    rng = np.random.default_rng(7)
    selection = KimNelson(2, DELTA, ALPHA, N0)
    rows = np.array([0.0, 3.0]) + rng.normal(size=(50, 2))
    used = selection.add(rows)
    assert selection.done and selection.best == 1
    assert used == selection.replications.max() < 50


# bad inputs


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ({"k": 1, "delta": 1.0}, "k"),
        ({"k": 2.5, "delta": 1.0}, "k"),
        ({"k": True, "delta": 1.0}, "k"),
        ({"k": 3, "delta": 0.0}, "delta"),
        ({"k": 3, "delta": -1.0}, "delta"),
        ({"k": 3, "delta": math.inf}, "delta"),
        ({"k": 3, "delta": math.nan}, "delta"),
        ({"k": 3, "delta": 1.0, "alpha": 0.0}, "alpha"),
        ({"k": 3, "delta": 1.0, "alpha": 1.0}, "alpha"),
        ({"k": 3, "delta": 1.0, "alpha": math.nan}, "alpha"),
        ({"k": 2, "delta": 1.0, "alpha": 0.5}, "alpha"),  # 1 - alpha must beat guessing, 1/k
        ({"k": 3, "delta": 1.0, "n0": 1}, "n0"),
        ({"k": 3, "delta": 1.0, "n0": 5.0}, "n0"),
        ({"k": 3, "delta": 1.0, "maximise": "max"}, "maximise"),
    ],
)
def test_bad_parameters_raise_a_value_error_naming_them(arguments, name):
    with pytest.raises(ValueError, match=rf"^{name} must "):
        KimNelson(**arguments)


@pytest.mark.parametrize(
    "rows",
    [np.ones((2, 2)), np.ones(4), np.ones((2, 3, 3)), np.array([[1.0, np.nan, 1.0]]), np.array([[1.0, np.inf, 1.0]])],
)
def test_bad_rows_raise_a_value_error_and_change_nothing(rows):
    selection = KimNelson(3, DELTA, ALPHA, N0)
    selection.add(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"^rows must "):
        selection.add(rows)
    assert selection.replications.tolist() == [2, 2, 2]


def test_kn_constants_validates_its_arguments():
    for arguments, name in [((1, 0.05, 10), "k"), ((3, 1.5, 10), "alpha"), ((3, 0.05, 1), "n0")]:
        with pytest.raises(ValueError, match=rf"^{name} must "):
            kn_constants(*arguments)
