"""Alternatives, overrides of any scenario key, districts as data, the runner apart from the scenario."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import fields
from pathlib import Path

import pytest

from sim.config import ConfigError
from sim.config.compose import (
    AlternativeSpec,
    command_line,
    compose_alternatives,
    compose_scenario,
    load_scenario,
    override_trees,
)
from sim.config.schema import RunnerConfig, ScenarioConfig
from sim.experiment.replicate import Scenario, run_replications, run_tasks
from sim.regress import config_digest
from tests.conftest import results_folder, run_cli

SMALL = ("replications=2", "horizon_days=63", "warmup_days=7")


def made_up_district(folder: Path) -> Path:
    """A district of three municipalities with an office and a room, from files only."""
    (folder / "region" / "musterkreis").mkdir(parents=True)
    (folder / "scenario").mkdir()
    (folder / "region" / "musterkreis" / "municipalities.csv").write_text(
        "ags,municipality,lat,lon,population,area_km2\n"
        "99000001,Musterstadt,50.00,10.00,30000,80\n"
        "99000002,Beispieldorf,50.10,10.15,4000,30\n"
        "99000003,Fernhausen,50.25,10.30,2500,40\n",
        encoding="utf-8",
    )
    (folder / "region" / "musterkreis.yaml").write_text(
        "# @package _global_\n"
        "region: {name: musterkreis, label: Musterkreis, state: TH,"
        " municipalities_file: musterkreis/municipalities.csv, source: made up,"
        " sources: {clients.share_of_population: made up}}\n"
        "clients: {share_of_population: 0.04}\n"
        "attendance: {intercept: -2.2, hard_to_reach: 0.8}\n",
        encoding="utf-8",
    )
    (folder / "scenario" / "musterkreis.yaml").write_text(
        "# @package _global_\n"
        "defaults: [/region: musterkreis, _self_]\n"
        "name: musterkreis\n"
        "label: {de: Musterkreis heute, en: Musterkreis today}\n"
        "sites:\n"
        "  office: {kind: office, municipality: Musterstadt, counsellors: 12,\n"
        "           calendar: {weekdays: [mon, tue, wed, thu, fri], every_weeks: 1, start: '08:00', end: '13:00'}}\n"
        "  fernhausen: {municipality: Fernhausen, counsellors: 1}\n",
        encoding="utf-8",
    )
    return folder


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_made_up_district_from_files_runs_and_its_own_sites_take_overrides(tmp_path):
    config_dir = made_up_district(tmp_path / "configs")
    listed = run_cli("sim.scenarios", "--config-dir", str(config_dir), cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"musterkreis +musterkreis +Musterkreis today", listed.stdout), listed.stdout
    completed = run_cli(
        "sim.run",
        "--config-dir",
        str(config_dir),
        "scenario=musterkreis",
        "sites.fernhausen.counsellors=2",
        *SMALL,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    folder = results_folder(completed, tmp_path)
    assert {row["municipality"] for row in rows(folder / "municipalities.csv")} == {
        "Musterstadt",
        "Beispieldorf",
        "Fernhausen",
    }
    assert "counsellors: 2" in (folder / "scenarios" / "musterkreis.yaml").read_text()
    kept = [r for r in rows(folder / "sites.csv") if r["site"] == "fernhausen" and r["kpi"] == "kept_contacts"]
    assert float(kept[0]["mean"]) > 0


def test_a_comparison_of_two_districts_is_refused_in_one_sentence(tmp_path):
    config_dir = made_up_district(tmp_path / "configs")
    completed = run_cli(
        "sim.compare", "--config-dir", str(config_dir), "scenarios=[wartburgkreis,musterkreis]", cwd=tmp_path
    )
    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        "error: alternatives must be of one district: wartburgkreis is in wartburgkreis, musterkreis in musterkreis."
    )


def test_ruhla_frequency_compares_one_scenario_three_ways_on_common_random_numbers(tmp_path):
    completed = run_cli("sim", "experiment=ruhla_frequency", *SMALL, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr[-2000:]
    folder = results_folder(completed, tmp_path)
    comparison = json.loads((folder / "comparison.json").read_text())
    assert comparison["baseline"] == "today"
    assert list(comparison["differences"]) == ["ruhla_weekly", "ruhla_every_2_weeks", "ruhla_every_4_weeks"]
    held = {
        r["scenario"]: float(r["mean"])
        for r in rows(folder / "sites.csv")
        if r["site"] == "ruhla" and r["kpi"] == "sessions_held"
    }
    assert held["ruhla_weekly"] > held["ruhla_every_2_weeks"] > held["ruhla_every_4_weeks"] > 0
    scenarios = json.loads((folder / "scenarios.json").read_text())
    assert scenarios["ruhla_weekly"]["scenario"] == "wartburgkreis_ruhla"
    assert scenarios["ruhla_weekly"]["label"]["de"] == "Ruhla wöchentlich"
    assert "Wie oft sollte Ruhla" in (folder / "report.html").read_text(encoding="utf-8")


def test_alternatives_on_the_command_line_and_a_site_added_there(tmp_path):
    completed = run_cli(
        "sim.compare",
        'scenarios=[wartburgkreis,"wartburgkreis sites.treffurt.open=false"]',
        "+sites.seebach={municipality: Seebach, counsellors: 1, calendar: {weekdays: [mon]}}",
        *SMALL,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    folder = results_folder(completed, tmp_path)
    sites = {(r["scenario"], r["site"]) for r in rows(folder / "sites.csv")}
    assert ("wartburgkreis", "seebach") in sites and ("wartburgkreis_2", "seebach") in sites
    assert ("wartburgkreis", "treffurt") in sites and ("wartburgkreis_2", "treffurt") not in sites


def test_a_key_no_alternative_has_is_one_sentence_naming_it(tmp_path):
    completed = run_cli("sim", "sites.seebach.counsellors=2", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        "error: sites.seebach.counsellors is not a key of any alternative (wartburgkreis, wartburgkreis_ruhla)"
        " (a new key needs +sites.seebach.counsellors=...)."
    )
    misspelt = run_cli("sim.run", "replicatons=3", cwd=tmp_path)
    assert misspelt.returncode == 2 and "did you mean replications?" in misspelt.stderr
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").rglob("kpis.json"))


def test_an_override_applies_to_every_alternative_that_has_the_key():
    change, add = override_trees(["sites.ruhla.counsellors=2", "attendance.intercept=-1.6"])
    specs = [AlternativeSpec("today", "wartburgkreis"), AlternativeSpec("ruhla", "wartburgkreis_ruhla")]
    today, ruhla = compose_alternatives(specs, change, add)
    assert "ruhla" not in today.config.sites and ruhla.config.sites["ruhla"].counsellors == 2
    assert today.config.attendance.intercept == ruhla.config.attendance.intercept == -1.6
    with pytest.raises(
        ConfigError, match=r"^\+sites.ruhla.municipality: ruhla already has sites.ruhla.municipality; set it without"
    ):
        compose_alternatives(specs, {}, override_trees(["+sites.ruhla={municipality: Ruhla}"])[1])


def test_the_command_line_carries_scenario_keys_and_leaves_the_command_its_own():
    own = ["runner", "change", "add", "scenario", "report"]
    given = [
        "-m",
        "--config-dir",
        "x",
        "scenario=a",
        "seed=1,2",
        "sites.b.counsellors=1,2",
        "+sites.c={}",
        "report.lang=en",
    ]
    assert command_line(given, own) == [
        "-m",
        "--config-dir",
        "x",
        "scenario=a",
        "runner.seed=1,2",
        "+change.sites.b.counsellors=1,2",
        "+add.sites.c={}",
        "report.lang=en",
    ]
    assert command_line(["--info", "-m", "seed=2"], own) == ["--info", "-m", "runner.seed=2"]
    assert command_line(["--info", "defaults", "-p", "sites"], own) == ["--info", "defaults", "-p", "sites"]
    with pytest.raises(ConfigError, match="removing a scenario key"):
        command_line(["~sites.b"], own)


def test_the_runner_is_not_part_of_a_scenario_or_its_digest():
    scenario_keys = {item.name for item in fields(ScenarioConfig)}
    assert not scenario_keys & {item.name for item in fields(RunnerConfig)}
    config = load_scenario("wartburgkreis")
    assert config_digest(config) == config_digest(load_scenario("wartburgkreis"))
    assert config_digest(config) != config_digest(load_scenario("wartburgkreis", "attendance.intercept=-1.6"))


def test_a_runner_runs_any_set_of_alternative_and_replication_tasks():
    """Replications 3..4 of the second alternative alone are the numbers a full run gives them."""
    short = ("horizon_days=56", "warmup_days=7")
    scenarios = [Scenario.prepare(load_scenario(name, *short), seed=4) for name in ("mmc", "wartburgkreis")]
    full = run_replications(scenarios, 5, workers=1, progress=False)
    some = run_tasks(scenarios, [(1, 3), (1, 4)], workers=1, progress=False)
    assert set(some) == {(1, 3), (1, 4)}
    for replication in (3, 4):
        assert some[1, replication].kpis == pytest.approx(full[1][replication].kpis, nan_ok=True, rel=0, abs=0)


def test_every_district_is_in_the_package_with_its_sources():
    """The four districts of shared/data: municipalities, offices with catchments, facts with sources."""
    from sim.district.region import load_region

    expected = {"wartburgkreis": (30, 2), "odenwaldkreis": (12, 1), "borken": (17, 17), "bergstrasse": (22, 4)}
    for district, (municipalities, offices) in expected.items():
        cfg = compose_scenario("wartburgkreis", [f"region={district}"]).region
        assert cfg.name == district and cfg.state in ("TH", "HE", "NW")
        assert {"clients.share_of_population", "attendance.intercept"} <= set(cfg.sources)
        region = load_region(cfg)
        assert (len(region.names), len(region.offices)) == (municipalities, offices)
    bergstrasse = load_region(compose_scenario("wartburgkreis", ["region=bergstrasse"]).region)
    served = sorted(m for office in bergstrasse.offices for m in office.catchment)
    assert served == list(range(22))  # the four catchments cover every municipality once
