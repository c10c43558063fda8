"""Results folders with their reports written, shared by the report tests (each is slow to draw)."""

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from results_folder import write_results_folder

from sim.report import write_report

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_SITE = "<img src=x onerror=alert(2)>"
HOSTILE_SOURCE = "<b>BMJ QS</b> & co"


@dataclass
class Element:
    """One start tag of the page with its attributes and the text inside it."""

    tag: str
    attributes: dict[str, str]
    text: str = ""


class PageParser(HTMLParser):
    """Collect every element with its text, the way a browser's DOM would hold it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in {"img", "meta", "br", "link"}:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data


@dataclass
class Report:
    """A written report: its folder, raw HTML and parsed elements."""

    folder: Path
    html: str
    elements: list[Element]

    def find(self, tag: str, **attributes: str) -> list[Element]:
        """Return the elements with `tag` whose attributes include `attributes` (dashes as _)."""
        wanted = {name.replace("_", "-"): value for name, value in attributes.items()}
        return [
            element
            for element in self.elements
            if element.tag == tag and all(element.attributes.get(name) == value for name, value in wanted.items())
        ]

    def json(self, name: str) -> dict:
        """Return a JSON file of the results folder."""
        return json.loads((self.folder / name).read_text(encoding="utf-8"))


def read_report(folder: Path, report: Path) -> Report:
    """Parse a written report."""
    html = report.read_text(encoding="utf-8")
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return Report(folder, html, parser.elements)


@pytest.fixture(scope="session")
def german_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of the Wartburgkreis comparison (offices, rooms, a vehicle tour), in German."""
    folder = write_results_folder(tmp_path_factory.mktemp("german"))
    return read_report(folder, write_report(folder))


@pytest.fixture(scope="session")
def four_scenario_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """A comparison of four scenarios (three alternatives), in German: the widest tables."""
    names = ("wartburgkreis", "wartburgkreis_ruhla", "wartburgkreis_ruhla_weekly", "wartburgkreis_central")
    folder = write_results_folder(tmp_path_factory.mktemp("four"), names=names)
    return read_report(folder, write_report(folder))


@pytest.fixture(scope="session")
def cli_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of the README's main command, `python -m sim`, run with small overrides."""
    from tests.conftest import results_folder, run_cli

    cwd = tmp_path_factory.mktemp("cli")
    completed = run_cli("sim", "replications=6", "horizon_days=120", "warmup_days=28", cwd=cwd)
    assert completed.returncode == 0, completed.stderr[-2000:]
    folder = results_folder(completed, cwd)
    return read_report(folder, folder / "report.html")


@pytest.fixture(scope="session")
def english_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The same comparison without the vehicle tour, in English, the map coloured by travel time."""
    folder = write_results_folder(tmp_path_factory.mktemp("english"), vehicle_tour=False)
    return read_report(folder, write_report(folder, lang="en", map_kpi="travel_min"))


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """A report whose scenario name, label, site name and a source carry HTML, and no question."""
    names = ("wartburgkreis", HOSTILE_NAME)
    labels = {name: {"de": name, "en": name} for name in names}
    folder = write_results_folder(tmp_path_factory.mktemp("hostile"), names=names, labels=labels, vehicle_tour=False)
    descriptions = json.loads((folder / "scenarios.json").read_text(encoding="utf-8"))
    descriptions[HOSTILE_NAME]["question"] = None
    descriptions[HOSTILE_NAME]["sites"][-1]["name"] = HOSTILE_SITE
    (folder / "scenarios.json").write_text(json.dumps(descriptions), encoding="utf-8")
    assumptions = json.loads((folder / "assumptions.json").read_text(encoding="utf-8"))
    for name in names:
        assumptions[name][0]["source"] = HOSTILE_SOURCE
    (folder / "assumptions.json").write_text(json.dumps(assumptions), encoding="utf-8")
    return read_report(folder, write_report(folder))
