"""python -m sim.rank: screening, Kim-Nelson selection on CRN, its claims, its files, its refusals."""

import copy
import csv
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim.config import ConfigError
from sim.config.schema import RankConfig
from sim.config.validate import validate_rank
from sim.experiment.ranking import (
    Objective,
    candidate_names,
    delta_of,
    guarantee,
    objective_of,
    refuse_undefined,
    screen_scores,
    site_key,
    template_site,
    with_room,
)
from sim.experiment.replicate import Scenario, run_tasks
from sim.rank import force_weights
from sim.report.ranking import answer_text, draw_map, draw_trade_off, write_ranking_report
from tests.conftest import results_folder, run_cli

SMALL = ("horizon_days=140", "warmup_days=28")


def ranking_district(folder: Path) -> Path:
    """A made-up district with a known best: an office in Zentrum, a room in Mitte, and three
    candidates: Fernau (many clients, 35 km from any site), Nahdorf (few, next to the office) and
    Kleinweiler (few, far)."""
    (folder / "region" / "rangkreis").mkdir(parents=True)
    (folder / "scenario").mkdir()
    (folder / "region" / "rangkreis" / "municipalities.csv").write_text(
        "ags,municipality,lat,lon,population,area_km2\n"
        "99100001,Zentrum,50.00,10.00,30000,80\n"
        "99100002,Mitte,50.12,10.00,3000,30\n"
        "99100003,Fernau,50.32,10.00,9000,60\n"
        "99100004,Nahdorf,50.00,10.06,1500,20\n"
        "99100005,Kleinweiler,49.70,10.00,800,20\n",
        encoding="utf-8",
    )
    (folder / "region" / "rangkreis.yaml").write_text(
        "# @package _global_\n"
        "region: {name: rangkreis, label: Rangkreis, state: TH,"
        f" municipalities_file: '{folder / 'region' / 'rangkreis' / 'municipalities.csv'}', source: made up,"
        " sources: {clients.share_of_population: made up}}\n"
        "clients: {share_of_population: 0.04}\n"
        "attendance: {intercept: -2.2, hard_to_reach: 0.8}\n",
        encoding="utf-8",
    )
    (folder / "scenario" / "rangkreis.yaml").write_text(
        "# @package _global_\n"
        "defaults: [/region: rangkreis, _self_]\n"
        "name: rangkreis\n"
        "label: {de: Rangkreis heute, en: Rangkreis today}\n"
        "sites:\n"
        "  office: {kind: office, municipality: Zentrum, counsellors: 14,\n"
        "           calendar: {weekdays: [mon, tue, wed, thu, fri], every_weeks: 1, start: '08:00', end: '13:00'}}\n"
        "  mitte: {municipality: Mitte, counsellors: 1, calendar: {weekdays: [wed], every_weeks: 1}}\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    return ranking_district(tmp_path_factory.mktemp("rangkreis") / "configs")


@pytest.fixture(scope="module")
def ranked(district: Path, tmp_path_factory) -> Path:
    """The ranking of every candidate of the made-up district, from the command line; the two best
    screening scores go on to the selection (the default margin would keep Fernau alone)."""
    return rank(district, tmp_path_factory.mktemp("rank"), "rank.screen_keep=2")[1]


def scenario_config(district: Path, *overrides: str):
    """The composed scenario config of the made-up district (as sim.rank composes it)."""
    from sim.config.compose import compose_scenario, to_scenario

    cfg = compose_scenario("rangkreis", [f"hydra.searchpath=['file://{district}']", *overrides])
    return to_scenario(cfg, "rangkreis")


def rank(district: Path, cwd: Path, *overrides: str) -> tuple[str, Path, dict]:
    """Run `python -m sim.rank` on the made-up district; its stdout, results folder and ranking.json."""
    completed = run_cli("sim.rank", "--config-dir", str(district), "scenario=rangkreis", *overrides, *SMALL, cwd=cwd)
    assert completed.returncode == 0, completed.stderr[-3000:]
    folder = results_folder(completed, cwd)
    return completed.stdout, folder, json.loads((folder / "ranking.json").read_text(encoding="utf-8"))


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_candidate_with_many_hard_to_reach_far_from_any_site_is_selected(ranked: Path) -> None:
    content = json.loads((ranked / "ranking.json").read_text(encoding="utf-8"))
    assert content["selected"] == "Fernau"
    # the equal allocation is counted as replications_used is: the two candidates and the baseline
    assert content["equal_allocation_replications"] % 3 == 0 and content["equal_allocation_replications"] >= 30
    assert content["guarantee"].startswith("with probability >= 95 %, the selected site is within delta = 10")
    rows = read_rows(ranked / "ranking.csv")
    assert [row["candidate"] for row in rows][0] == "Fernau"
    assert {row["candidate"] for row in rows} == {"Fernau", "Nahdorf", "Kleinweiler"}
    fernau = rows[0]
    assert fernau["selected"] == "True" and float(fernau["difference_to_baseline_ci_low"]) > 0
    assert float(fernau["counsellor_travel_hours_mean"]) > 0  # the room costs travel
    assert float(fernau["cost_total_eur_mean"]) > 0  # and money: the kilometres driven to it
    others = [row for row in rows[1:] if row["replications"] != "0"]
    assert all(float(row["difference_to_selected_mean"]) < 0 for row in others)
    page = (ranked / "ranking.html").read_text(encoding="utf-8")
    assert "Am meisten bringt ein Raum in Fernau" in page and "Kim &amp; Nelson" in page
    assert (ranked / "figures" / "ranking_map.svg").exists() and (ranked / "figures" / "ranking_trade_off.png").exists()


def test_screening_keeps_the_candidate_the_full_simulation_selects(district: Path, ranked: Path, tmp_path) -> None:
    """With nothing screened out (screen_margin=0) the simulation selects the candidate the screen kept first."""
    _, _, full = rank(district, tmp_path, "rank.screen_margin=0")
    assert all(row["screened_in"] for row in full["candidates"])
    screened = json.loads((ranked / "ranking.json").read_text(encoding="utf-8"))
    kept = {row["candidate"] for row in screened["candidates"] if row["screened_in"]}
    assert full["selected"] in kept and full["selected"] == screened["selected"]


def test_candidates_closer_than_delta_may_be_either_and_it_is_said(district: Path, tmp_path) -> None:
    """Nahdorf and Kleinweiler differ by a few contacts; with delta far larger, KN stops after the first
    stage and names the other as within delta."""
    _, folder, content = rank(
        district, tmp_path, "rank.candidates=[Nahdorf,Kleinweiler]", "rank.delta=1000", "report.lang=en"
    )
    assert content["selected"] in ("Nahdorf", "Kleinweiler")
    assert content["within_delta"] == [name for name in ("Nahdorf", "Kleinweiler") if name != content["selected"]]
    assert all(row["replications"] == 10 for row in content["candidates"])  # stopped after the first stage
    assert "not told apart from it within the indifference zone" in (folder / "ranking.html").read_text(
        encoding="utf-8"
    )


def test_without_a_difference_worth_delta_the_budget_runs_out_and_no_winner_is_claimed(district, tmp_path) -> None:
    stdout, folder, content = rank(
        district, tmp_path, "rank.candidates=[Nahdorf,Kleinweiler]", "rank.delta=0.001", "rank.max_replications=15"
    )
    assert content["selected"] is None
    assert sorted(content["survivors"]) == ["Kleinweiler", "Nahdorf"]
    assert "no single winner is claimed" in content["guarantee"]
    assert "no single winner" in stdout
    assert all(row["replications"] == 15 for row in content["candidates"])
    assert "Kein einzelner Standort" in (folder / "ranking.html").read_text(encoding="utf-8")


def test_with_every_candidate_identical_no_winner_is_claimed(district: Path, tmp_path) -> None:
    """The walk-ins served at the office do not depend on where a room is (CRN): an objective every
    candidate shares in every replication. KN would break the tie by index; no winner is claimed."""
    _, folder, content = rank(
        district, tmp_path, "sites.office.walkins.rate_per_hour=2", "rank.candidates=[Nahdorf,Kleinweiler,Fernau]",
        "rank.objective=walkins_served",
    )  # fmt: skip
    assert content["selected"] is None and sorted(content["survivors"]) == ["Fernau", "Kleinweiler", "Nahdorf"]
    assert content["guarantee"].startswith("every candidate gives the same objective")
    assert all(row["difference_to_baseline"]["mean"] == 0 for row in content["candidates"])
    assert "Kein Standort ist besser" in (folder / "ranking.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("backend", [("workers=1",), ("runner=dask", "workers=2")], ids=["serial", "dask"])
def test_the_same_seed_gives_the_same_ranking_whatever_the_backend(district, ranked, backend, tmp_path) -> None:
    """The module's ranking ran on two processes; one process and a Dask cluster give the same file."""
    if "runner=dask" in backend:
        pytest.importorskip("dask.distributed", reason='the dask extra: pip install -e ".[dask]"')
    _, folder, _ = rank(district, tmp_path, *backend, "rank.screen_keep=2")
    again = (folder / "ranking.csv").read_bytes()
    assert again == (ranked / "ranking.csv").read_bytes()


def test_common_random_numbers_make_the_paired_variance_smaller(district: Path) -> None:
    """Two candidates on the same random numbers against the same pair on independent ones."""
    config = scenario_config(district, *SMALL)
    room = config.sites["mitte"]
    seeds = (11, 11), (11, 12)
    variances = []
    for first, second in seeds:
        scenarios = [
            Scenario.prepare(with_room(config, "Nahdorf", room, True), first),
            Scenario.prepare(with_room(config, "Kleinweiler", room, True), second),
        ]
        runs = run_tasks(scenarios, [(a, r) for a in (0, 1) for r in range(12)], workers=1, progress=False)
        values = np.array([[runs[(a, r)].kpis["kept_contacts_hard_to_reach"] for a in (0, 1)] for r in range(12)])
        variances.append(np.var(values[:, 0] - values[:, 1], ddof=1))
    crn, independent = variances
    assert crn < 0.5 * independent, variances


def test_the_screen_scores_the_far_crowded_municipality_highest(district: Path) -> None:
    config = scenario_config(district, *SMALL)
    base = Scenario.prepare(config, 1)
    runs = run_tasks([base], [(0, r) for r in range(3)], workers=1, progress=False)
    names = candidate_names(config, list(base.world.region.names), RankConfig())
    scores = screen_scores(base, [runs[(0, r)] for r in range(3)], names, config)
    assert names == ["Fernau", "Nahdorf", "Kleinweiler"]
    assert max(scores, key=scores.get) == "Fernau" and scores["Nahdorf"] < scores["Kleinweiler"]
    assert site_key("Bad Liebenstein") == "candidate_bad_liebenstein"
    # a municipality without a hard-to-reach visit in any run is expected: no "Mean of empty slice"
    unvisited = [copy.deepcopy(runs[(0, r)]) for r in range(3)]
    for run in unvisited:
        run.municipalities["travel_min_hard_to_reach"][2] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert np.isfinite(list(screen_scores(base, unvisited, names, config).values())).all()


def test_candidates_may_be_named_by_ags_code(district: Path) -> None:
    config = scenario_config(district, *SMALL)
    region = Scenario.prepare(config, 1).world.region
    chosen = candidate_names(config, list(region.names), RankConfig(candidates=["99100003", "Nahdorf"]), region.ags)
    assert chosen == ["Fernau", "Nahdorf"]


def test_weights_are_forced_into_the_struct_config_and_other_keys_are_left_alone() -> None:
    given = ["rank.weights={kept_contacts: 1}", "+rank.weights.no_shows=-1", "rank.delta=5", "+rank.colour=red"]
    assert force_weights(given) == [
        "++rank.weights={kept_contacts: 1}", "++rank.weights.no_shows=-1", "rank.delta=5", "+rank.colour=red",
    ]  # fmt: skip


def test_weights_must_agree_with_the_better_direction_and_delta_with_the_unit(district: Path) -> None:
    components = Scenario.prepare(scenario_config(district, *SMALL), 1).world.components
    weighted = objective_of(RankConfig(weights={"kept_contacts": 1.0, "no_shows": -0.5}), components)
    assert weighted.maximise and weighted.unit == "count" and delta_of(RankConfig(), weighted) == 10
    neither = objective_of(RankConfig(weights={"counsellor_utilisation": 1.0}), components)  # no direction: fine
    assert neither.weights == {"counsellor_utilisation": 1.0}
    refused = {
        "better when lower": {"no_shows": 1.0},
        "better when higher": {"kept_contacts": -1.0},
        "all zero": {"kept_contacts": 0.0, "no_shows": 0.0},
    }
    for words, weights in refused.items():
        with pytest.raises(ConfigError, match=words):
            objective_of(RankConfig(weights=weights), components)
    share = objective_of(RankConfig(objective="reach_hard_to_reach"), components)
    with pytest.raises(ConfigError, match=r"rank.delta is needed for rank.objective=reach_hard_to_reach \(a share"):
        delta_of(RankConfig(objective="reach_hard_to_reach"), share)
    with pytest.raises(ConfigError, match="rank.delta must be below 1"):
        delta_of(RankConfig(objective="reach_hard_to_reach", delta=5.0), share)
    assert delta_of(RankConfig(objective="reach_hard_to_reach", delta=0.005), share) == 0.005
    minutes = objective_of(RankConfig(objective="travel_min_hard_to_reach"), components)
    with pytest.raises(ConfigError, match="give it in minutes"):
        delta_of(RankConfig(objective="travel_min_hard_to_reach"), minutes)
    with pytest.raises(ConfigError, match="rank.delta must be at least 1e-06"):
        validate_rank(RankConfig(delta=1e-200))


def test_an_objective_undefined_in_a_replication_is_one_sentence_naming_the_key() -> None:
    objective = Objective("attendance_rate", {"attendance_rate": 1.0}, "share", True)
    with pytest.raises(ConfigError, match=r"^rank.objective \(attendance_rate\) is undefined in a replication"):
        refuse_undefined(np.array([0.5, np.nan]), objective, "the room in Ruhla")
    refuse_undefined(np.array([0.5, 0.6]), objective, "the baseline")


def test_a_candidate_copies_a_room_not_an_office(district: Path) -> None:
    config = scenario_config(district, *SMALL)
    with pytest.raises(ConfigError, match="rank.like 'office' is a site of kind office; a candidate is a room"):
        template_site(config, RankConfig(like="office"))
    assert template_site(config, RankConfig(like="mitte")).kind == "room"


def test_one_named_candidate_is_reported_as_the_only_one_simulated(district: Path, tmp_path: Path) -> None:
    """README's rank.weights form, a candidate by its AGS code, and no selection claimed for one candidate."""
    stdout, folder, content = rank(
        district, tmp_path, "rank.weights={kept_contacts_hard_to_reach: 1}", "rank.candidates=[99100003]"
    )
    assert content["objective"]["weights"] == {"kept_contacts_hard_to_reach": 1.0}
    assert content["selected"] == "Fernau" and content["candidates_named"]
    assert content["guarantee"].startswith("only one candidate was simulated (the only one named in rank.candidates)")
    assert content["equal_allocation_replications"] is None and content["replications_used"] == 20
    page = (folder / "ranking.html").read_text(encoding="utf-8")
    assert "Simuliert wurde nur ein Standort, Fernau (als einziger in rank.candidates benannt)" in page
    for claim in ("Mit einer Wahrscheinlichkeit", "Kim &amp; Nelson auf", "Vorauswahlmodell", "Am meisten", "grau:"):
        assert claim not in page, claim
    assert "Die Standorte wurden in rank.candidates benannt und alle simuliert" in page


def with_effects(content: dict, effects: dict[str, tuple[float, float, float]]) -> dict:
    """The ranking.json with each named candidate's paired difference to the baseline replaced."""
    changed = copy.deepcopy(content)
    for row in changed["candidates"]:
        if row["candidate"] in effects:
            mean, low, high = effects[row["candidate"]]
            row["difference_to_baseline"] = {
                **row["difference_to_baseline"],
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
            }
    return changed


def test_an_effect_not_told_from_zero_or_the_wrong_way_is_said(ranked: Path) -> None:
    content = json.loads((ranked / "ranking.json").read_text(encoding="utf-8"))
    simulated = [row["candidate"] for row in content["candidates"] if row["replications"]]
    unclear = with_effects(content, {name: (1.0, -2.0, 4.0) for name in simulated})
    answer = answer_text(unclear, "de")
    assert (
        answer.startswith("Am besten schneidet ein Raum in Fernau ab") and "nicht von null zu unterscheiden" in answer
    )
    assert f"Keiner der {len(simulated)} simulierten Standorte verbessert" in answer and "Am meisten" not in answer
    worse = answer_text(with_effects(content, {name: (-5.0, -8.0, -2.0) for name in simulated}), "en")
    assert "yet even it makes the objective worse than today" in worse and "None of the" in worse
    clear = answer_text(content, "de")
    assert clear.startswith("Am meisten bringt ein Raum in Fernau") and "Keiner" not in clear
    budget = copy.deepcopy(unclear)
    budget["selected"], budget["survivors"] = None, simulated
    budget["guarantee"] = "the budget of 60 replications was spent"
    assert "Kein einzelner Standort" in answer_text(budget, "de") and "Keiner der" in answer_text(budget, "de")


def test_without_a_selection_the_table_compares_with_the_leading_candidate(district, ranked, tmp_path) -> None:
    """Nothing selected: 'zum Führenden'; the screen's rule as it was; delta in the objective's unit;
    the trade-off's travel axis from zero; the map's colours centred on zero."""
    content = json.loads((ranked / "ranking.json").read_text(encoding="utf-8"))
    content["selected"], content["survivors"] = None, ["Fernau", "Kleinweiler"]
    content["guarantee"] = "the budget of 60 replications was spent"
    for row in content["candidates"]:
        row["selected"] = False
    config = scenario_config(district, *SMALL)
    page = write_ranking_report(tmp_path, config, content, "de").read_text(encoding="utf-8")
    assert "Unterschied zum Führenden" in page and "zum Gewählten" not in page
    assert "die 2 mit der besten Punktzahl (rank.screen_keep)" in page and "Indifferenzzone rank.delta = 10;" in page
    assert "grau: in der Vorauswahl ausgeschieden, nicht simuliert" in page and "Ring:" not in page
    share = with_effects(content, {"Fernau": (0.002, 0.001, 0.003), "Kleinweiler": (-0.0005, -0.001, 0.0)})
    share["objective"]["unit"], share["delta"] = "share", 0.005
    for row in share["candidates"]:
        row["counsellor_travel_hours"] = row.get("counsellor_travel_hours") and {
            "mean": 5.0,
            "ci_low": 4.0,
            "ci_high": 6.0,
        }
    method = write_ranking_report(tmp_path, config, share, "de").read_text(encoding="utf-8")
    assert "rank.delta = 0,5\N{NO-BREAK SPACE}Prozentpunkte" in method
    figure = draw_trade_off(share, "de")
    assert figure.axes[0].get_xlim()[0] <= 0 <= figure.axes[0].get_xlim()[1]
    low, high = next(
        c for c in draw_map(config, share, "de").axes[0].collections if c.get_array() is not None
    ).get_clim()
    assert low == -high and high == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("rank.candidates=[Atlantis]", "rank.candidates: 'Atlantis' is not a municipality of Rangkreis"),
        ("rank.candidates=[Mitte]", "rank.candidates: 'Mitte' already has a site"),
        ("rank.delta=0", "rank.delta must be a positive number"),
        ("rank.delta=-5", "rank.delta must be a positive number"),
        ("rank.delta=nan", "rank.delta must be a finite number"),
        ("rank.objective=happiness", "rank.objective 'happiness' is not a KPI of this scenario"),
        ("rank.objective=clients", "rank.objective 'clients' is not a KPI of this scenario"),
        ("rank.alpha=0.7", "rank.alpha must be between 0 and 0.5"),
        ("rank.n0=1", "rank.n0 must be at least 3"),
        ("rank.max_replications=5", "rank.max_replications must be at least rank.n0 (10)"),
        ("rank.like=nowhere", "rank.like 'nowhere' is not a site of the scenario"),
        ("rank.weekdays=[someday]", "rank.weekdays must be one of"),
        ("rank.weights={kept_contacts_hard_to_reach: -1}", "rank.weights.kept_contacts_hard_to_reach is -1, but"),
        ("rank.like=office", "rank.like 'office' is a site of kind office; a candidate is a room"),
        ("rank.delta=1e-200", "rank.delta must be at least 1e-06"),
        ("rank.objective=reach_hard_to_reach", "rank.delta is needed for rank.objective=reach_hard_to_reach (a share"),
        ("rank.max_replications=60000", "rank.max_replications x (the screened candidates + the baseline) (120,000)"),
        ("+rank.colour=red", "rank.colour"),
    ],
)
def test_bad_ranking_input_is_one_sentence(district: Path, tmp_path: Path, override: str, named: str) -> None:
    completed = run_cli("sim.rank", "--config-dir", str(district), "scenario=rangkreis", override, *SMALL, cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr[-2000:]
    assert named in completed.stderr, completed.stderr
    assert "Traceback" not in completed.stderr and len(completed.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").rglob("ranking.*"))


def test_one_candidate_is_claimed_as_named_or_as_the_screens_only_one() -> None:
    named = guarantee("candidate_fernau", ["candidate_fernau"], 1, RankConfig(candidates=["Fernau"]), named=True)
    kept = guarantee("candidate_fernau", ["candidate_fernau"], 1, RankConfig(screen_keep=1), named=False)
    assert "the only one named in rank.candidates" in named and "the only one the screen kept" in kept
    assert "probability" not in named + kept
