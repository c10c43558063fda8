"""The report page: self-contained, the numbers of kpis.json, an answer true to comparison.json."""

import base64
import re
import shutil
import xml.etree.ElementTree as ElementTree
from html import unescape
from pathlib import Path

import matplotlib.image
import pytest
from conftest import HOSTILE_NAME, HOSTILE_SITE, HOSTILE_SOURCE, Report

from sim.kpi.registry import ANSWER_KPIS
from sim.report import write_report

FIGURES = ("comparison", "map", "waiting", "counsellor_time", "site_use")


def test_an_unknown_language_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lang .*'fr'"):
        write_report(tmp_path, lang="fr")


def test_a_map_kpi_that_is_no_municipality_kpi_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="map_kpi .*'coverage_30min'"):
        write_report(tmp_path, map_kpi="coverage_30min")


def test_a_missing_results_file_is_named(german_report: Report, tmp_path: Path) -> None:
    folder = tmp_path / "incomplete"
    shutil.copytree(german_report.folder, folder, ignore=shutil.ignore_patterns("figures"))
    (folder / "wait_days.csv").unlink()
    with pytest.raises(FileNotFoundError, match="wait_days.csv"):
        write_report(folder)
    assert not (folder / "figures").exists()


def test_wide_tables_scroll_inside_the_page(german_report: Report) -> None:
    """With many scenarios the KPI table is wider than a phone's 600 px: it scrolls in its own box."""
    assert german_report.html.count('<div class="scroll"><table class="kpis">') == 1
    assert '<div class="scroll"><table class="assumptions">' in german_report.html
    assert ".scroll { overflow-x: auto;" in german_report.html


@pytest.mark.parametrize("report_name", ["german_report", "english_report", "cli_report"])
def test_every_figure_is_written_and_embedded(report_name: str, request) -> None:
    report: Report = request.getfixturevalue(report_name)
    figures = report.folder / "figures"
    assert sorted(path.name for path in figures.iterdir()) == sorted(
        f"{stem}.{suffix}" for stem in FIGURES for suffix in ("png", "svg")
    )
    sources = [image.attributes["src"] for image in report.find("img")]
    for stem in FIGURES:
        png = matplotlib.image.imread(figures / f"{stem}.png")
        assert png.std() > 0, f"{stem}.png is blank"
        svg = (figures / f"{stem}.svg").read_bytes()
        assert f"data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" in sources
        assert ElementTree.fromstring(svg).tag.endswith("svg")
    assert len(sources) == len(FIGURES)
    captions = [figure.text for figure in report.find("figcaption")]
    assert len(captions) == len(FIGURES) and all(len(caption) > 20 for caption in captions)


def test_the_page_needs_nothing_from_outside(german_report: Report) -> None:
    tags = {element.tag for element in german_report.elements}
    assert not tags & {"script", "link", "iframe", "object", "embed"}
    for element in german_report.elements:
        for name in ("src", "href"):
            if name in element.attributes:
                assert element.attributes[name].startswith("data:"), element.attributes[name][:80]
    assert not re.search(r"url\(|@import|https?://", german_report.html.split("<body>")[0])


@pytest.mark.parametrize("report_name", ["german_report", "english_report", "cli_report"])
def test_the_table_holds_the_numbers_of_kpis_json(report_name: str, request) -> None:
    report: Report = request.getfixturevalue(report_name)
    scenarios = report.json("kpis.json")["scenarios"]
    differences = report.json("comparison.json")["differences"]
    checked = 0
    for cells, source in (("level", scenarios), ("difference", differences)):
        for scenario, entry in source.items():
            kpis = entry["kpis"] if cells == "level" else entry
            for kpi, value in kpis.items():
                (cell,) = [
                    element
                    for element in report.find("td", data_scenario=scenario, data_kpi=kpi)
                    if cells in element.attributes["class"]
                ]
                assert float(cell.attributes["data-value"]) == value["mean"]
                assert float(cell.attributes["data-ci-low"]) == value["ci_low"]
                assert float(cell.attributes["data-ci-high"]) == value["ci_high"]
                assert int(cell.attributes["data-n"]) == value["n"]
                assert f"n = {value['n']}" in cell.text
                if cells == "difference":
                    significant = value["significant"]
                    assert cell.attributes["data-distinguishable"] == str(significant).lower()
                    assert ("*" in cell.text) == significant
                checked += 1
    assert checked == sum(len(e["kpis"]) for e in scenarios.values()) + sum(len(e) for e in differences.values())


def test_german_numbers_have_a_decimal_comma(german_report: Report) -> None:
    baseline = german_report.json("comparison.json")["baseline"]
    attendance = german_report.json("kpis.json")["scenarios"][baseline]["kpis"]["attendance_rate"]
    (cell,) = german_report.find("td", data_scenario=baseline, data_kpi="attendance_rate")
    expected = f"{attendance['mean'] * 100:.1f}".replace(".", ",") + "\u00a0%"
    assert cell.text.startswith(expected)
    kept = german_report.json("kpis.json")["scenarios"][baseline]["kpis"]["kept_contacts"]
    (cell,) = german_report.find("td", data_scenario=baseline, data_kpi="kept_contacts")
    assert cell.text.startswith(f"{kept['mean']:,.0f}".replace(",", "."))


def test_english_numbers_have_a_decimal_point(english_report: Report) -> None:
    baseline = english_report.json("comparison.json")["baseline"]
    attendance = english_report.json("kpis.json")["scenarios"][baseline]["kpis"]["attendance_rate"]
    (cell,) = english_report.find("td", data_scenario=baseline, data_kpi="attendance_rate")
    assert cell.text.startswith(f"{attendance['mean'] * 100:.1f}%")


@pytest.mark.parametrize(
    ("report_name", "rises", "falls", "unclear"),
    [
        ("german_report", "steigt um", "sinkt um", "Nicht von null unterscheidbar"),
        ("english_report", "rises by", "falls by", "Not distinguishable from zero"),
        ("cli_report", "steigt um", "sinkt um", "Nicht von null unterscheidbar"),
    ],
)
def test_the_answer_follows_the_signs_of_the_differences(
    report_name: str, rises: str, falls: str, unclear: str, request
) -> None:
    report: Report = request.getfixturevalue(report_name)
    comparison = report.json("comparison.json")
    differences = comparison["differences"]
    (answer,) = report.find("p", **{"class": "answer"})
    findings = report.find("span", **{"class": "finding"})
    (scenario,) = differences
    assert {f.attributes["data-kpi"] for f in findings} == {k for k in ANSWER_KPIS if k in differences[scenario]}
    assert "attendance_rate" not in {f.attributes["data-kpi"] for f in findings}  # the wrong lens for one room
    levels = report.json("kpis.json")["scenarios"][comparison["baseline"]]["kpis"]
    leads = [
        f.attributes["data-kpi"] for f in findings if differences[scenario][f.attributes["data-kpi"]]["significant"]
    ]
    tiers = [not kpi.endswith("_hard_to_reach") for kpi in leads]
    assert tiers == sorted(tiers)  # the hard-to-reach's effects first
    for tier in (False, True):
        sizes = [abs(differences[scenario][k]["mean"] / levels[k]["mean"]) for k, t in zip(leads, tiers) if t == tier]
        assert sizes == sorted(sizes, reverse=True)  # the largest distinguishable effect leads
    for finding in findings:
        difference = differences[scenario][finding.attributes["data-kpi"]]
        sign = (difference["mean"] > 0) - (difference["mean"] < 0)
        assert int(finding.attributes["data-sign"]) == sign
        significant = difference["significant"]
        assert finding.attributes["data-distinguishable"] == str(significant).lower()
        if significant:
            assert (rises if sign > 0 else falls) in finding.text
            assert unclear not in answer.text.split(finding.text)[0]
        else:
            assert rises not in finding.text and falls not in finding.text
            assert unclear in answer.text.split(finding.text)[0]
    distinguishable = [f.attributes["data-distinguishable"] == "true" for f in findings]
    assert any(distinguishable) and not all(distinguishable), "the fixture should hold both kinds"


def test_the_question_comes_from_scenarios_json(german_report: Report) -> None:
    descriptions = german_report.json("scenarios.json")
    (question,) = german_report.find("p", **{"class": "question"})
    assert question.text == descriptions["wartburgkreis_ruhla"]["question"]["de"]
    (title,) = german_report.find("title")
    assert "Wartburgkreis heute" in title.text


def test_config_text_is_escaped(hostile_report: Report) -> None:
    html = hostile_report.html
    assert "<script" not in html.lower()
    assert HOSTILE_SITE not in html and "<b>BMJ" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not hostile_report.find("script") and not hostile_report.find("b")
    assert hostile_report.find("td", data_scenario=HOSTILE_NAME, data_kpi="attendance_rate")
    sources = [cell.text for cell in hostile_report.find("td", **{"class": "text"})]
    assert HOSTILE_SOURCE in sources


def test_without_a_question_the_generic_one_is_asked(hostile_report: Report) -> None:
    (question,) = hostile_report.find("p", **{"class": "question"})
    assert question.text == f"Was ändert sich mit {HOSTILE_NAME} gegenüber wartburgkreis?"


def test_assumptions_show_value_and_source_or_assumption(german_report: Report) -> None:
    for entry in german_report.json("assumptions.json")["wartburgkreis"]:
        (row,) = german_report.find("tr", data_key=entry["key"])
        assert f'<code class="key">{entry["key"]}</code>' in row_markup(german_report, entry["key"])
        assert row.text.endswith("Annahme" if entry["source"] == "assumption" else entry["source"])
    (row,) = german_report.find("tr", data_key="attendance.travel_effect_per_min")
    assert "0,0097" in row.text
    (row,) = german_report.find("tr", data_key="clients.contact_interval_weeks")
    assert "under_25: 4, other: 8" in row.text


def row_markup(report: Report, key: str) -> str:
    """The inner markup of the assumptions table's row of `key`."""
    (markup,) = re.findall(rf'<tr data-key="{re.escape(key)}">(.*?)</tr>', report.html)
    return markup


def test_the_german_assumptions_are_german_throughout(cli_report: Report) -> None:
    """A real run's assumptions table: each parameter named in German beside its key, numbers with a
    decimal comma, sites and calendars in words, every source in German."""
    entries = cli_report.json("assumptions.json")["wartburgkreis"]
    assert len(entries) > 30
    for entry in entries:
        markup = row_markup(cli_report, entry["key"])
        label = re.match(r'<th scope="row">([^<]+)<code class="key">', markup)
        assert label and label.group(1) != entry["key"], f"{entry['key']} has no German name"
        assert 'lang="en"' not in markup, f"{entry['key']}: the source is not in German"
        assert unescape(re.sub("<[^>]+>", "", markup)).endswith(entry["source_de"])
    (row,) = cli_report.find("tr", data_key="clients.no_car_share")
    assert "0,5" in row.text and "0.5" not in row.text.replace("6.2/7", "")
    (row,) = cli_report.find("tr", data_key="sites.gerstungen")
    assert "Gemeinderaum in Gerstungen, 1 Beratungskraft, Dienstag alle 2 Wochen, 09:00–15:00" in row.text
    (row,) = cli_report.find("tr", data_key="sites.eisenach")
    assert "Dienststelle in Eisenach, 27 Beratungskräfte, Montag, Dienstag" in row.text
    assert "Empfang mit 2 Kräften, Anmeldung 2 min" in row.text
    section = cli_report.html.split('<section id="assumptions">')[1].split("</section>")[0]
    text = unescape(re.sub("<code[^>]*>[^<]*</code>|<[^>]+>", " ", section))
    for english in ("counsellor", "week(s)", "assumption", "calibrated", "office", "room"):
        assert english not in text


def test_the_method_names_runs_seed_warmup_and_provenance(german_report: Report) -> None:
    run = german_report.json("kpis.json")["scenarios"]["wartburgkreis"]
    (method,) = german_report.find("section", id="method")
    for number in (run["replications"], run["seed"], run["horizon_days"], run["warmup_days"]):
        assert str(number) in method.text
    for phrase in ("common random numbers", "t(0,975; n − 1)", "95-%"):
        assert phrase in method.text
    provenance = german_report.json("provenance.json")
    assert provenance["git_commit"] in method.text and provenance["command"] in method.text


def test_the_added_site_is_described_with_the_numbers_of_sites_csv(german_report: Report) -> None:
    """The district answer hides a local site; the report says what the added site does."""
    import csv

    with (german_report.folder / "sites.csv").open(encoding="utf-8") as handle:
        rows = [
            r for r in csv.DictReader(handle) if r["scenario"] == "wartburgkreis_ruhla" and r["municipality"] == "Ruhla"
        ]
    kpis = {row["kpi"]: float(row["mean"]) for row in rows}
    (paragraph,) = german_report.find("p", **{"class": "added-sites"})
    assert paragraph.text.startswith(
        f"Der neue Standort Ruhla hält im Auswertungszeitraum {kpis['sessions_held']:.0f} "
    )
    assert f"{kpis['kept_per_session']:.1f}".replace(".", ",") + " wahrgenommenen Terminen je Tag" in paragraph.text
    assert f"{100 * kpis['attendance_rate']:.1f}".replace(".", ",") in paragraph.text
    assert "Für die Klienten aus Ruhla: Wegezeit zum Termin" in paragraph.text


def test_exactly_equal_differences_say_no_change_and_provenance_is_german(cli_report: Report) -> None:
    unchanged = [
        cell
        for cell in cli_report.find("td")
        if "difference" in cell.attributes.get("class", "")
        and float(cell.attributes["data-value"]) == float(cell.attributes["data-ci-low"]) == 0
        and float(cell.attributes["data-ci-high"]) == 0
    ]
    assert unchanged, "the run has no exactly equal KPI (the 90 % wait quantile usually is)"
    assert all(cell.text.startswith("keine Änderung") and "bis" not in cell.text for cell in unchanged)
    keys = [element.text for element in cli_report.find("dt")]
    for german in ("Programmversion", "Startwert", "Befehl", "Beginn", "Ende", "Bibliothek numpy"):
        assert german in keys, keys
    assert not {"package_version", "seed", "command", "started"} & set(keys)
    (row,) = cli_report.find("tr", data_key="booking.policy")
    assert "vor Ort" in row.text
