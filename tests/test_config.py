"""Bad input gets one clear sentence naming the key and what is allowed."""

from __future__ import annotations

import pytest

from sim.config import ConfigError
from tests.conftest import load, results_folder, run_cli

MISTAKES = [
    (("clients.no_car_share=1.5",), "clients.no_car_share must be a probability between 0 and 1, got 1.5"),
    (("staff.sick_rate=-0.1",), "staff.sick_rate must be a probability"),
    (
        ("scenario=wartburgkreis_ruhla", "sites.ruhla.municipality=Atlantis"),
        "sites.ruhla.municipality 'Atlantis' is not a municipality of region wartburgkreis; allowed: Bad Salzungen",
    ),
    (("sites.eisenach.counsellors=-1",), "sites.eisenach.counsellors must be a count of at least 0, got -1"),
    (
        ("sites.gerstungen.calendar.end=19:00",),
        "sites.gerstungen.calendar 09:00-19:00 must be a period inside the working day 07:30-16:30",
    ),
    (("sites.treffurt.calendar.start=9.30",), "sites.treffurt.calendar.start must be a time of day HH:MM"),
    (("sites.dermbach.calendar.weekdays=[sun]",), "sites.dermbach.calendar.weekdays must be one of mon, tue"),
    (
        ("travel.mode=matrix", "travel.matrix_file=no_such_matrix.csv"),
        "travel.matrix_file: file 'no_such_matrix.csv' not found",
    ),
    (("travel.mode=bus",), "travel.mode must be one of model, matrix, zero, got 'bus'"),
    (("warmup_days=400",), "warmup_days (400) must be less than horizon_days (365)"),
    (("sites.dermbach.base_office=erfurt",), "sites.dermbach.base_office 'erfurt' must be an open office"),
    (("booking.reinvite_days=0",), "booking.reinvite_days must be at least 1, got 0"),
    (
        ("sites.bad_salzungen.counsellors=0", "sites.bad_salzungen.walkins.rate_per_hour=0"),
        "sites.bad_salzungen.counsellors (0, 0 present net of staff.leave_share) cannot staff the outreach sessions",
    ),
    (("scenario=mmc", "mmc.servers=0"), "sites.walkin_centre.counsellors must be at least 1 for a site that takes"),
    (("sites.bad_salzungen.open=false", "sites.eisenach.open=false"), "sites: at least one open site must be"),
    (
        ("sites.eisenach.appointments=false", "sites.bad_salzungen.appointments=false"),
        "sites: with clients, at least one open office must take appointments",
    ),
    (("staff.hours_per_day=4",), "sites.bad_salzungen.calendar 08:00-13:00 is longer than a counsellor's day"),
]


@pytest.mark.parametrize(("overrides", "message"), MISTAKES)
def test_a_mistake_is_one_sentence_naming_the_key(overrides, message):
    with pytest.raises(ConfigError) as raised:
        load(*overrides)
    text = str(raised.value)
    assert text.startswith(message), text
    assert "\n" not in text and text.endswith(".")


def test_the_command_line_prints_the_sentence_without_a_traceback(tmp_path):
    completed = run_cli("sim.run", "clients.no_car_share=1.5", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip() == ("error: clients.no_car_share must be a probability between 0 and 1, got 1.5.")
    assert "Traceback" not in completed.stdout + completed.stderr
    assert not (tmp_path / "results" / "run").exists() or not list((tmp_path / "results").rglob("kpis.json"))


def test_an_unknown_scenario_in_a_comparison_names_the_allowed_ones(tmp_path):
    completed = run_cli("sim.compare", "scenarios=[wartburgkreis,atlantis]", cwd=tmp_path)
    assert completed.returncode == 2
    assert "scenario 'atlantis' is not in the scenario/ config folders; allowed:" in completed.stderr
    assert "wartburgkreis_ruhla" in completed.stderr and "Traceback" not in completed.stderr


def test_a_missing_matrix_file_on_the_command_line(tmp_path):
    completed = run_cli("sim.run", "travel.mode=matrix", "travel.matrix_file=nowhere.csv", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip().startswith("error: travel.matrix_file: file 'nowhere.csv' not found")
    assert len(completed.stderr.strip().splitlines()) == 1


def test_a_bad_run_setting_names_the_runner_key(tmp_path):
    completed = run_cli("sim.run", "scenario=mmc", "seed=-1", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip() == "error: runner.seed must be at least 0, got -1."


def test_an_earlier_run_is_never_overwritten(tmp_path):
    first = run_cli("sim.run", "scenario=mmc", "replications=2", "horizon_days=20", "warmup_days=2", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    folder = results_folder(first, tmp_path)
    before = (folder / "kpis.json").read_bytes()
    again = run_cli(
        "sim.run",
        "scenario=mmc",
        "replications=2",
        "seed=9",
        "horizon_days=20",
        "warmup_days=2",
        f"hydra.run.dir={folder}",
        cwd=tmp_path,
    )
    assert again.returncode == 2
    assert "already holds results" in again.stderr
    assert (folder / "kpis.json").read_bytes() == before
