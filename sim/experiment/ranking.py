"""Where next? Every candidate municipality for one more room, ranked: a cheap static screen, then
selection on the simulator with a statistical guarantee.

1. Candidates: every municipality of the region without an open site (or `rank.candidates`), each
   given one more room like the scenario's first room (`rank.like`, counsellors, weekdays, every_weeks
   overridable).
2. Screening, stated as such: the add-one step of a p-median on the travel times. A candidate's
   score is the travel time it saves the hard-to-reach clients it would serve (its own municipality
   and catchment under the `local` booking policy, everyone under `nearest`): the sum over those
   municipalities of hard-to-reach clients x max(0, minutes to their site now - minutes by public
   transport to the candidate). The hard-to-reach counts and today's travel times are the baseline's
   first-stage means. Kept: the `rank.screen_keep` best; else every candidate the user named
   (`rank.candidates`); else every candidate scoring at least `rank.screen_margin` of the best.
3. Selection: Kim & Nelson's KN (`sim.experiment.selection`) on common random numbers, indifference
   zone `rank.delta` in the objective's unit (default 10 for a count objective; any other unit must
   give it, shares as fractions) and confidence 1 - `rank.alpha`; replications added in
   batches of `rank.batch` through the runner (processes or Dask), eliminated candidates stop
   running, until one remains or `rank.max_replications` is spent. The baseline runs beside the
   survivors, so every candidate has its paired difference to it.

The objective is a KPI of the registry, optimised in its better direction, or a weighted sum
(`rank.weights`, maximised: a KPI better when lower takes a negative weight). It must be defined in
every replication (a NaN is refused, naming the key). Nothing here depends on how many processes
run the replications.
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from sim.config import ConfigError
from sim.config.schema import RankConfig, ScenarioConfig, SiteConfig
from sim.config.validate import validate, within_limit
from sim.district.region import name_key
from sim.experiment.replicate import Scenario, run_tasks
from sim.experiment.selection import KimNelson
from sim.experiment.stats import paired_difference, summarise
from sim.kpi.monitor import RunResult
from sim.kpi.registry import KPIS, scenario_kpis

DEFAULT_COUNT_DELTA = 10.0  # rank.delta's default for a count objective: 10 kept contacts a period, an assumption
WALK_IN_FREE = 0.0  # a candidate room takes booked clients only, as the rooms do (walk-ins: none)
TRADE_OFFS = ("counsellor_travel_hours", "staff_travel_km", "cost_total_eur")  # what a candidate costs


@dataclass
class Objective:
    """What the ranking optimises: sum(weight x KPI), a larger one better when `maximise`."""

    name: str
    weights: dict[str, float]
    unit: str
    maximise: bool
    mixed_units: bool = False  # a weighted sum of KPIs in different units: no unit, delta must be given

    @property
    def key(self) -> str:
        """The setting that chose it, for messages."""
        return "rank.weights" if self.name == "weighted" else "rank.objective"

    def of(self, run: RunResult) -> float:
        return float(sum(weight * run.kpis[kpi] for kpi, weight in self.weights.items()))

    def better(self, value: float) -> float:
        """The value with its sign turned so that larger is better."""
        return value if self.maximise else -value


@dataclass
class Ranked:
    """One candidate's result."""

    municipality: str
    key: str
    score: float
    screened_in: bool
    runs: list[RunResult] = field(default_factory=list)
    eliminated_at: int | None = None


@dataclass
class Ranking:
    """What `rank_sites` found."""

    objective: Objective
    delta: float
    alpha: float
    baseline: list[RunResult]
    candidates: list[Ranked]
    selected: str | None  # the candidate's key, or None when the budget ran out first
    survivors: list[str]
    within_delta: list[str]  # simulated candidates (besides the leader) whose mean is within delta of its mean
    replications_used: int  # the baseline's included
    # (candidates + the baseline) x KN's first-stage bound: an equal allocation with the same guarantee,
    # counted like replications_used (the baseline beside them); None when there was no selection
    equal_allocation: int | None
    guarantee: str
    named: bool = False  # the user named the candidates (rank.candidates): no screen decided who went on


def objective_of(rank: RankConfig, components: tuple[str, ...]) -> Objective:
    """The objective from `rank.objective` or `rank.weights`, refused in one sentence if it names no KPI."""
    available = scenario_kpis(components)
    if rank.weights:
        for kpi, weight in rank.weights.items():
            if kpi not in available:
                raise ConfigError(
                    f"rank.weights: '{kpi}' is not a KPI of this scenario; allowed: {', '.join(available)}."
                )
            better = KPIS[kpi].better
            if (better == "lower" and weight > 0) or (better == "higher" and weight < 0):
                raise ConfigError(
                    f"rank.weights.{kpi} is {weight:g}, but {kpi} is better when {better} and the weighted sum is"
                    f" maximised: give it a {'negative' if better == 'lower' else 'positive'} weight."
                )
        if not any(rank.weights.values()):
            raise ConfigError("rank.weights are all zero; give at least one KPI a non-zero weight.")
        units = {KPIS[kpi].unit for kpi in rank.weights}
        mixed = len(units) > 1
        return Objective("weighted", dict(rank.weights), "count" if mixed else units.pop(), True, mixed)
    kpi = rank.objective
    if kpi not in available:
        raise ConfigError(f"rank.objective '{kpi}' is not a KPI of this scenario; allowed: {', '.join(available)}.")
    better = KPIS[kpi].better
    if better is None:
        raise ConfigError(
            f"rank.objective '{kpi}' has no better direction; give rank.weights={{{kpi}: 1}} (or -1) to say which."
        )
    return Objective(kpi, {kpi: 1.0}, KPIS[kpi].unit, better == "higher")


def delta_of(rank: RankConfig, objective: Objective) -> float:
    """rank.delta, or its default for a count objective; refused in one sentence when the objective's
    unit needs one given, or when a share's indifference zone is not a fraction."""
    setting = f"{objective.key}={objective.name}" if objective.name != "weighted" else "rank.weights"
    if rank.delta is None:
        if objective.unit == "count" and not objective.mixed_units:
            return DEFAULT_COUNT_DELTA
        if objective.mixed_units:
            need = "a weighted sum of KPIs in different units: give it in the sum's own terms"
        elif objective.unit == "share":
            need = "a share: give it as a fraction, e.g. 0.005 for half a percentage point"
        else:
            need = f"give it in {objective.unit}"
        raise ConfigError(f"rank.delta is needed for {setting} ({need}).")
    if objective.unit == "share" and not objective.mixed_units and rank.delta >= 1:
        raise ConfigError(
            f"rank.delta must be below 1 for {setting} (a share, given as a fraction: 0.005 is half a"
            f" percentage point), got {rank.delta:g}."
        )
    return float(rank.delta)


def refuse_undefined(values: np.ndarray, objective: Objective, where: str) -> None:
    """The objective must be a number in every replication: KN and the paired differences need one."""
    if not np.all(np.isfinite(values)):
        raise ConfigError(
            f"{objective.key} ({objective.name}) is undefined in a replication of {where} (NaN, e.g. a share of"
            " zero clients); choose a KPI defined in every replication, e.g. kept_contacts_hard_to_reach."
        )


def template_site(config: ScenarioConfig, rank: RankConfig) -> SiteConfig:
    """The room each candidate gets: a copy of `rank.like` (else the scenario's first open room)
    with `rank`'s counsellors, weekdays and every_weeks where given."""
    rooms = [key for key, site in config.sites.items() if site.open and site.kind == "room"]
    like = rank.like or (rooms[0] if rooms else None)
    if like is None:
        raise ConfigError("rank.like: the scenario has no room to copy; name a site (rank.like=KEY).")
    if like not in config.sites:
        raise ConfigError(f"rank.like '{like}' is not a site of the scenario; allowed: {', '.join(config.sites)}.")
    if config.sites[like].kind != "room":
        allowed = ", ".join(key for key, site in config.sites.items() if site.kind == "room") or "none in this scenario"
        raise ConfigError(
            f"rank.like '{like}' is a site of kind {config.sites[like].kind}; a candidate is a room, so name a room"
            f" (allowed: {allowed})."
        )
    site = copy.deepcopy(config.sites[like])
    site.open, site.catchment, site.walkins.rate_per_hour = True, [], WALK_IN_FREE
    site.source = f"candidate room like {like} (sim.rank)"
    site.source_de = f"möglicher Raum wie {like} (sim.rank)"
    if rank.counsellors is not None:
        site.counsellors = rank.counsellors
    if rank.weekdays is not None:
        site.calendar.weekdays = list(rank.weekdays)
    if rank.every_weeks is not None:
        site.calendar.every_weeks = rank.every_weeks
        site.calendar.week_offset = min(site.calendar.week_offset, rank.every_weeks - 1)
    return site


def site_key(municipality: str) -> str:
    return "candidate_" + name_key(municipality)


def candidate_names(
    config: ScenarioConfig, names: list[str], rank: RankConfig, ags: list[str] | None = None
) -> list[str]:
    """The candidates' municipality names: `rank.candidates` (names, or AGS codes when `ags`, the
    region's codes beside `names`, is given), else every municipality without an open site."""
    taken = {site.municipality for site in config.sites.values() if site.open}
    for vehicle in (vehicle for vehicle in config.vehicles.values() if vehicle.open):  # a stop is a site too
        taken |= {stop.municipality for stop in vehicle.stops.values()} | set(vehicle.tour.stops)
    by_code = dict(zip(ags or [], names))
    taken = {by_code.get(str(place), str(place)) for place in taken}
    if not rank.candidates:
        return [name for name in names if name not in taken]
    chosen = []
    for wanted in rank.candidates:
        name = by_code.get(str(wanted).strip(), str(wanted))
        if name not in names:
            raise ConfigError(
                f"rank.candidates: '{wanted}' is not a municipality of {config.region.label} (a name or AGS code);"
                f" allowed: {', '.join(names)}."
            )
        if name in taken:
            raise ConfigError(
                f"rank.candidates: '{wanted}' already has a site; a candidate is a municipality without one."
            )
        chosen.append(name)
    if len(set(chosen)) != len(chosen):
        raise ConfigError("rank.candidates names a municipality twice.")
    return chosen


def with_room(config: ScenarioConfig, municipality: str, site: SiteConfig, limits: bool) -> ScenarioConfig:
    """The scenario with one more room in `municipality`, validated."""
    candidate = copy.deepcopy(config)
    room = copy.deepcopy(site)
    room.municipality = municipality
    candidate.sites[site_key(municipality)] = room
    candidate.name = site_key(municipality)
    candidate.label = {"de": f"mit Raum in {municipality}", "en": f"with a room in {municipality}"}
    validate(candidate, limits)
    return candidate


def screen_scores(base: Scenario, baseline: list[RunResult], names: list[str], config: ScenarioConfig) -> dict:
    """Each candidate's screening score (module docstring, step 2)."""
    world = base.world
    index = {name: i for i, name in enumerate(world.region.names)}
    hard = np.mean([run.municipalities["clients_hard_to_reach"] for run in baseline], axis=0)
    with warnings.catch_warnings():  # a municipality without a hard-to-reach visit in any run: NaN, filled below
        warnings.simplefilter("ignore", RuntimeWarning)
        travel_now = np.nanmean([run.municipalities["travel_min_hard_to_reach"] for run in baseline], axis=0)
    fallback = world.client_travel_min[:, :, 0].min(axis=0)  # no hard-to-reach visit measured: nearest site by bus
    travel_now = np.where(np.isfinite(travel_now), travel_now, fallback)
    everyone = np.arange(len(world.region.names))
    scores = {}
    for name in names:
        c = index[name]
        served = everyone if config.booking.policy == "nearest" else np.array([c])
        saving = np.maximum(0.0, travel_now[served] - world.travel.pt_min[served, c])
        scores[name] = float((hard[served] * saving).sum())
    return scores


def kept_after_screen(scores: dict[str, float], rank: RankConfig) -> list[str]:
    """The candidates that go on: the `screen_keep` best; else every one the user named; else those
    within `screen_margin` of the best score."""
    order = sorted(scores, key=lambda name: (-scores[name], name))
    if rank.screen_keep is not None:
        return order[: rank.screen_keep]
    if rank.candidates:
        return order
    best = scores[order[0]] if order else 0.0
    return [name for name in order if scores[name] >= rank.screen_margin * best] or order[:1]


def rank_sites(
    config: ScenarioConfig, rank: RankConfig, seed: int, workers: int, scheduler: str | None, limits: bool = True
) -> Ranking:
    """Screen every candidate, then select the best on the simulator (module docstring)."""
    base = Scenario.prepare(config, seed)
    objective = objective_of(rank, base.world.components)
    delta = delta_of(rank, objective)
    names = candidate_names(config, list(base.world.region.names), rank, list(base.world.region.ags))
    if not names:
        raise ConfigError("rank.candidates: every municipality already has a site; there is nothing to rank.")
    room = template_site(config, rank)
    candidates = [Scenario.prepare(with_room(config, name, room, limits), seed) for name in names]
    n0 = rank.n0
    first = run_tasks([base], [(0, r) for r in range(n0)], workers, progress=False, scheduler=scheduler)
    baseline = [first[(0, r)] for r in range(n0)]
    refuse_undefined(objective_values_of(objective, baseline), objective, "the baseline")
    scores = screen_scores(base, baseline, names, config)
    kept = kept_after_screen(scores, rank)
    ranked = [Ranked(name, site_key(name), scores[name], name in kept) for name in names]
    contenders = [item for item in ranked if item.screened_in]
    within_limit(
        "rank.max_replications x (the screened candidates + the baseline)",
        rank.max_replications * (len(contenders) + 1),
        "replications",
        limits,
    )
    scenarios = [base] + [candidates[names.index(item.municipality)] for item in contenders]
    selection = KimNelson(len(contenders), delta, rank.alpha, n0, objective.maximise) if len(contenders) > 1 else None
    done, equal_allocation = 0, None
    while True:
        alive = [i for i, _ in enumerate(contenders) if selection is None or i in selection.survivors]
        step = n0 if done == 0 else min(rank.batch, rank.max_replications - done)
        if step <= 0:
            break
        tasks = [(0, r) for r in range(done, done + step) if r >= n0] + [
            (1 + i, r) for i in alive for r in range(done, done + step)
        ]
        results = run_tasks(scenarios, tasks, workers, progress=False, scheduler=scheduler)
        added = [results[(0, r)] for r in range(max(done, n0), done + step)]
        refuse_undefined(objective_values_of(objective, added), objective, "the baseline")
        baseline += added
        rows = np.full((step, len(contenders)), math.nan)
        for i in alive:
            runs = [results[(1 + i, r)] for r in range(done, done + step)]
            contenders[i].runs += runs
            rows[:, i] = [objective.of(run) for run in runs]
            refuse_undefined(rows[:, i], objective, f"the room in {contenders[i].municipality}")
        done += step
        if selection is None:
            break
        selection.add(rows)
        if equal_allocation is None and selection.needed() is not None:
            # what an equal allocation with the same guarantee would run: KN's bound for every
            # candidate and for the baseline beside them (counted as replications_used counts)
            equal_allocation = (len(contenders) + 1) * (done + selection.needed())
        if selection.done:
            break
    if selection is not None:
        for i, replications in selection.eliminated_at.items():
            contenders[i].eliminated_at = replications
        survivors = [contenders[i].key for i in selection.survivors]
    else:
        survivors = [contenders[0].key]
    values = {item.key: np.array([objective.of(run) for run in item.runs]) for item in contenders}
    identical = len(contenders) > 1 and all(
        np.array_equal(values[contenders[0].key][:n0], v[:n0]) for v in values.values()
    )
    if identical:  # KN breaks exact ties by index; a tie of every candidate in every replication is no winner
        for item in contenders:
            item.eliminated_at = None
        survivors = [item.key for item in contenders]
    selected = survivors[0] if len(survivors) == 1 else None
    leader = selected or max(survivors, key=lambda key: objective.better(float(values[key].mean())))

    def behind(key: str) -> float:
        """How far the candidate's paired mean (on the replications both had) is behind the leader's."""
        n = min(len(values[key]), len(values[leader]))
        return objective.better(float((values[leader][:n] - values[key][:n]).mean()))

    # every simulated candidate less than delta behind the leader, paired: not told apart from it
    within = [key for key in values if key != leader and behind(key) < delta]
    named = bool(rank.candidates) and rank.screen_keep is None
    return Ranking(
        objective=objective,
        delta=delta,
        alpha=rank.alpha,
        baseline=baseline,
        candidates=ranked,
        selected=selected,
        survivors=survivors,
        within_delta=within,
        replications_used=len(baseline) + sum(len(item.runs) for item in ranked),
        equal_allocation=equal_allocation,
        guarantee=guarantee(selected, survivors, len(contenders), rank, identical, delta, named),
        named=named,
    )


def guarantee(
    selected: str | None,
    survivors: list[str],
    contenders: int,
    rank: RankConfig,
    identical: bool = False,
    delta: float | None = None,
    named: bool = False,
) -> str:
    """The claim the procedure supports, in words."""
    confidence = f"{100 * (1 - rank.alpha):g} %"
    delta = rank.delta if delta is None else delta
    if contenders == 1:
        why = "the only one named in rank.candidates" if named else "the only one the screen kept"
        return f"only one candidate was simulated ({why}): it is reported without a selection procedure."
    if identical:
        return "every candidate gives the same objective in every replication: none is better, no winner is claimed."
    if selected is None:
        return (
            f"the budget of {rank.max_replications} replications was spent before one candidate remained:"
            f" {len(survivors)} are still in contention and no single winner is claimed."
        )
    return (
        f"with probability >= {confidence}, the selected site is within delta = {delta:g} of the best"
        " of the screened candidates (Kim & Nelson 2001, on common random numbers)."
    )


def objective_values(ranking: Ranking, runs: list[RunResult]) -> np.ndarray:
    return objective_values_of(ranking.objective, runs)


def objective_values_of(objective: Objective, runs: list[RunResult]) -> np.ndarray:
    return np.array([objective.of(run) for run in runs], dtype=float)


def rows_of(ranking: Ranking) -> list[dict]:
    """One row per candidate: screening score, objective mean and CI, paired differences to the
    baseline and to the selected (or leading) candidate, replications, stage of elimination."""
    baseline = objective_values(ranking, ranking.baseline)
    simulated = [item for item in ranking.candidates if item.runs]
    leader_key = ranking.selected or max(
        ranking.survivors, key=lambda key: mean_of(ranking, next(c for c in simulated if c.key == key))
    )
    leader = next((item for item in simulated if item.key == leader_key), None)
    rows = []
    for item in sorted(ranking.candidates, key=lambda c: order_of(ranking, c)):
        row = {
            "candidate": item.municipality,
            "site": item.key,
            "screening_score": item.score,
            "screened_in": item.screened_in,
            "replications": len(item.runs),
            "eliminated_at": item.eliminated_at,
            "selected": item.key == ranking.selected,
            "survivor": item.key in ranking.survivors,
        }
        if item.runs:
            values = objective_values(ranking, item.runs)
            n = len(values)
            row["objective"] = summarise(values)
            row["difference_to_baseline"] = paired_difference(values, baseline[:n])
            for kpi in TRADE_OFFS:
                row[kpi] = paired_difference(
                    [run.kpis[kpi] for run in item.runs], [run.kpis[kpi] for run in ranking.baseline[:n]]
                )
            if leader is not None and item is not leader:
                lead = objective_values(ranking, leader.runs)
                m = min(n, len(lead))
                row["difference_to_selected"] = paired_difference(values[:m], lead[:m])
        rows.append(row)
    return rows


def order_of(ranking: Ranking, item: Ranked) -> tuple:
    """The table's order: the selected, the survivors, then by how long a candidate stayed in the
    selection, then by its mean; those screened out last, by their score."""
    stayed = math.inf if item.eliminated_at is None else item.eliminated_at
    return (
        item.key != ranking.selected,
        item.key not in ranking.survivors,
        not item.runs,
        -stayed,
        -mean_of(ranking, item),
        -item.score,
    )


def mean_of(ranking: Ranking, item: Ranked) -> float:
    """The candidate's objective mean with the sign that makes larger better (-inf: not simulated)."""
    return ranking.objective.better(float(np.mean(objective_values(ranking, item.runs)))) if item.runs else -math.inf


CSV_SUMMARIES = ("objective", "difference_to_baseline", "difference_to_selected", *TRADE_OFFS)
CSV_HEADER = (
    "candidate", "site", "screening_score", "screened_in", "replications", "eliminated_at", "selected", "survivor",
    *(f"{name}_{part}" for name in CSV_SUMMARIES for part in ("mean", "ci_low", "ci_high")),
)  # fmt: skip


def csv_rows(rows: list[dict]) -> list[tuple]:
    """ranking.csv's rows: the plain columns, then mean and CI of each summary (empty where none)."""
    table = []
    for row in rows:
        plain = [row[name] for name in CSV_HEADER[:8]]
        for name in CSV_SUMMARIES:
            summary = row.get(name) or {}
            plain += [summary.get("mean"), summary.get("ci_low"), summary.get("ci_high")]
        table.append(tuple(plain))
    return table


def ranking_json(ranking: Ranking, rows: list[dict], rank: RankConfig) -> dict:
    """ranking.json: the decision, the guarantee, the settings and every candidate's row."""
    return {
        "objective": {
            "name": ranking.objective.name,
            "weights": ranking.objective.weights,
            "unit": ranking.objective.unit,
            "better": "higher" if ranking.objective.maximise else "lower",
        },
        "delta": ranking.delta,
        "alpha": ranking.alpha,
        "candidates_named": ranking.named,
        "procedure": "KN (Kim & Nelson 2001), common random numbers; screening: p-median add-one travel saving",
        "selected": next((row["candidate"] for row in rows if row["selected"]), None),
        "survivors": [row["candidate"] for row in rows if row["survivor"]],
        "within_delta": [row["candidate"] for row in rows if row["site"] in ranking.within_delta],
        "guarantee": ranking.guarantee,
        "replications_used": ranking.replications_used,
        "equal_allocation_replications": ranking.equal_allocation,
        "baseline_replications": len(ranking.baseline),
        "settings": {
            "delta": rank.delta,
            "candidates": [str(name) for name in rank.candidates],
            "n0": rank.n0,
            "batch": rank.batch,
            "max_replications": rank.max_replications,
            "screen_keep": rank.screen_keep,
            "screen_margin": rank.screen_margin,
        },
        "candidates": rows,
    }
