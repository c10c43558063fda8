"""Selecting the best of k simulated alternatives: procedure KN (Kim & Nelson 2001).

Kim, S.-H. and Nelson, B. L. (2001), "A fully sequential procedure for indifference-zone selection
in simulation", ACM TOMACS 11(3):251-273. KN guarantees that the alternative it selects has the
best mean with probability at least 1 - alpha whenever the best mean beats every other by at least
the indifference zone delta; if several are within delta of the best it picks one of those. It
needs normal (or nearly normal, e.g. averaged) outputs and works with common random numbers:
replication j of every alternative uses the same random numbers, and only the variances of the
pairwise differences enter, so CRN's positive correlation makes it stop sooner.

The procedure, with c = 1 as in KN:

1. Setup: eta = 1/2 [(2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1] and h^2 = 2 c eta (n0 - 1).
2. First stage: n0 replications of every alternative; S_il^2 is the sample variance (n0 - 1 in the
   denominator) of the differences X_ij - X_lj over j = 1..n0. It is not updated later.
3. Screening at r = n0, n0 + 1, ...: alternative i stays if its mean after r replications is at
   least X_l(r) - W_il(r) for every other survivor l, with
   W_il(r) = max(0, delta / (2 c r) (h^2 S_il^2 / delta^2 - r)). All survivors are screened
   against the same set (those in contention before this screening).
4. Stop when one survivor is left; otherwise every survivor gets one more replication.

W_il(r) is zero once r > h^2 S_il^2 / delta^2, so the procedure ends after at most
max(n0, N + 1) replications, N = floor(h^2 max S_il^2 / delta^2), the paper's "if n0 > N select
the largest first-stage mean" included. At that point the survivors all share the largest mean;
an exact tie (possible only with discrete outputs) is broken by the lowest index, so the bound
holds.

`KimNelson` only does the bookkeeping: the caller runs the replications and hands them over with
`add`, which keeps the class free of the simulator and usable with any model.

Examples
--------
>>> rng = np.random.default_rng(7)
>>> selection = KimNelson(k=3, delta=0.5)
>>> while not selection.done:
...     noise = rng.normal(size=(1, 1))  # shared by the three alternatives: CRN
...     used = selection.add(np.array([[0.0, 0.2, 1.0]]) + noise + 0.3 * rng.normal(size=(1, 3)))
>>> selection.best
2
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = ["KimNelson", "kn_constants"]


def kn_constants(k: int, alpha: float, n0: int) -> tuple[float, float]:
    """The constants (eta, h^2) of procedure KN for k alternatives, level alpha and n0 first-stage replications.

    Uses the form of Kim & Nelson (2001), section 3, with c = 1:
    eta = 0.5 * ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) and h^2 = 2 * c * eta * (n0 - 1).
    The 2 alpha / (k - 1) is the Bonferroni split of alpha over the k - 1 comparisons with the best
    (KN++ replaces it with 1 - (1 - alpha) ** (1 / (k - 1)); this is not KN++).

    Parameters
    ----------
    k : int
        Number of alternatives, at least 2.
    alpha : float
        1 - alpha is the probability of correct selection; 0 < alpha < 1 - 1/k.
    n0 : int
        First-stage replications of every alternative, at least 2.

    Returns
    -------
    tuple[float, float]
        eta and h^2.
    """
    _check_k(k)
    _check_alpha(alpha, k)
    _check_n0(n0)
    eta = 0.5 * ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1)
    return eta, 2 * eta * (n0 - 1)


class KimNelson:
    """Procedure KN for selecting the alternative with the largest (or smallest) mean.

    Parameters
    ----------
    k : int
        Number of alternatives, at least 2.
    delta : float
        Indifference zone: the smallest difference in means worth detecting, positive and finite.
    alpha : float
        1 - alpha is the guaranteed probability of correct selection; 0 < alpha < 1 - 1/k (KN's
        setup asks for 1/k < 1 - alpha < 1: a guarantee below 1/k is met by guessing).
    n0 : int
        First-stage replications, from which the variances of the differences are estimated; at least 2.
    maximise : bool
        True to select the largest mean, False the smallest.

    Attributes
    ----------
    eta, h2 : float
        The procedure's constants, from `kn_constants`.
    """

    def __init__(self, k: int, delta: float, alpha: float = 0.05, n0: int = 10, maximise: bool = True) -> None:
        self.eta, self.h2 = kn_constants(k, alpha, n0)
        if not isinstance(delta, Real) or not math.isfinite(delta) or delta <= 0:
            raise ValueError(f"delta must be a positive finite number (the indifference zone), got {delta!r}.")
        if not isinstance(maximise, bool):
            raise ValueError(f"maximise must be True or False, got {maximise!r}.")
        self.k, self.delta, self.alpha, self.n0, self.maximise = int(k), float(delta), float(alpha), int(n0), maximise
        self._sign = 1.0 if maximise else -1.0
        self._sums = np.zeros(self.k)
        self._counts = np.zeros(self.k, dtype=int)
        self._first_stage = np.empty((self.n0, self.k))
        self._pair_variances: np.ndarray | None = None
        self._boundary: np.ndarray | None = None  # h^2 S_il^2 / delta^2, where W_il(r) reaches zero
        self._in_contention = np.ones(self.k, dtype=bool)
        self._eliminated_at: dict[int, int] = {}
        self._stage = 0  # r: replications every survivor has received

    def add(self, rows: np.ndarray) -> int:
        """Take new replications and screen after each one from the n0-th on; return how many rows were used.

        Parameters
        ----------
        rows : ndarray, shape (r, k) or (k,)
            Row j holds replication j of every alternative, all run with the same random numbers.
            Values of alternatives already eliminated are ignored and may be NaN; the others must
            be finite. Rows arriving after a single survivor remains are not used.

        Returns
        -------
        int
            The number of leading rows used: all of them unless the procedure stopped within the batch.
        """
        batch = np.atleast_2d(np.asarray(rows, dtype=float))
        if batch.ndim != 2 or batch.shape[1] != self.k:
            raise ValueError(f"rows must have shape (r, {self.k}), one column per alternative, got {batch.shape}.")
        if not np.isfinite(batch[:, self._in_contention]).all():
            raise ValueError("rows must be finite for every alternative still in contention.")
        used = 0
        for row in batch:
            if self.done:
                break
            self._take(row)
            used += 1
        return used

    @property
    def survivors(self) -> list[int]:
        """Indices of the alternatives still in contention."""
        return np.flatnonzero(self._in_contention).tolist()

    @property
    def eliminated_at(self) -> dict[int, int]:
        """Each eliminated alternative and the number of replications it had when it was eliminated."""
        return dict(self._eliminated_at)

    @property
    def replications(self) -> np.ndarray:
        """Replications each alternative has received; an eliminated one stops counting."""
        return self._counts.copy()

    @property
    def means(self) -> np.ndarray:
        """Sample mean of each alternative over the replications it received (NaN before the first)."""
        with np.errstate(invalid="ignore"):
            return self._sums / self._counts

    @property
    def pair_variances(self) -> np.ndarray | None:
        """The k x k first-stage variances S_il^2 of the pairwise differences; None until n0 replications are in."""
        return None if self._pair_variances is None else self._pair_variances.copy()

    @property
    def done(self) -> bool:
        """Whether a single alternative is left."""
        return len(self._eliminated_at) == self.k - 1

    @property
    def best(self) -> int | None:
        """The selected alternative once done, else None."""
        return self.survivors[0] if self.done else None

    def needed(self) -> int | None:
        """At most how many more replications the procedure can take (0 once done), for budgeting.

        KN's bound max(n0, N + 1) minus the replications so far, N = floor(h^2 max S_il^2 / delta^2),
        the maximum over the pairs still in contention (the same as the paper's N before any
        elimination, no larger after). None until the first stage is in, as the bound needs S_il^2.
        """
        if self.done:
            return 0
        if self._boundary is None:
            return None
        alive = np.flatnonzero(self._in_contention)
        last = math.floor(self._boundary[np.ix_(alive, alive)].max())
        return max(self.n0, last + 1) - self._stage

    def _take(self, row: np.ndarray) -> None:
        alive = self._in_contention
        self._sums[alive] += row[alive]
        self._counts[alive] += 1
        if self._stage < self.n0:
            self._first_stage[self._stage] = row
        self._stage += 1
        if self._stage == self.n0:
            differences = self._first_stage[:, :, None] - self._first_stage[:, None, :]
            self._pair_variances = differences.var(axis=0, ddof=1)
            self._boundary = self.h2 * self._pair_variances / self.delta**2
            self._first_stage = np.empty((0, self.k))  # no longer needed
        if self._stage >= self.n0:
            self._screen()

    def _screen(self) -> None:
        r = self._stage
        contenders = np.flatnonzero(self._in_contention)
        means = self._sign * self._sums[contenders] / r
        allowance = np.maximum(0.0, self.delta / (2 * r) * (self._boundary[np.ix_(contenders, contenders)] - r))
        stays = (means[:, None] >= means[None, :] - allowance).all(axis=1)
        if stays.sum() > 1 and not allowance[np.ix_(stays, stays)].any():
            # every W_il is zero, so the survivors share the largest mean exactly: take the first
            stays[np.flatnonzero(stays)[1:]] = False
        for index in contenders[~stays]:
            self._in_contention[index] = False
            self._eliminated_at[int(index)] = r


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, Integral) or k < 2:
        raise ValueError(f"k must be an integer of at least 2 (the number of alternatives), got {k!r}.")


def _check_alpha(alpha: float, k: int) -> None:
    if not isinstance(alpha, Real) or not 0 < alpha < 1 - 1 / k:
        raise ValueError(f"alpha must lie strictly between 0 and 1 - 1/k = {1 - 1 / k:.3g} for k = {k}, got {alpha!r}.")


def _check_n0(n0: int) -> None:
    if isinstance(n0, bool) or not isinstance(n0, Integral) or n0 < 2:
        raise ValueError(f"n0 must be an integer of at least 2 (first-stage replications), got {n0!r}.")
