"""A real browser opens the report offline: it renders, shows the title and logs no console error."""

import json
import shutil
import subprocess
from html import unescape
from pathlib import Path

import matplotlib.image
import pytest
from conftest import Report

BROWSERS = ("chromium", "chromium-browser")
OFFLINE_HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)


@pytest.fixture(scope="module")
def browser() -> str:
    """The path of a chromium binary, or a skip where none is installed."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(f"chromium not installed: none of {', '.join(BROWSERS)} is on PATH")


def open_page(browser: str, page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess:
    """Run headless chromium with a fresh profile on a local page."""
    command = [browser, *OFFLINE_HEADLESS, f"--user-data-dir={profile}", *action, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def console_messages(stderr: str) -> list[str]:
    """Return the lines of chromium's log that report a page's console output or an exception."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def test_the_console_check_catches_a_script_error(browser: str, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>notDefined()</script>", encoding="utf-8")
    completed = open_page(browser, page, tmp_path / "profile", "--dump-dom")
    assert any("Uncaught" in line for line in console_messages(completed.stderr))


@pytest.mark.parametrize("report_name", ["german_report", "cli_report"])
def test_chromium_renders_the_report(browser: str, report_name: str, request, tmp_path: Path) -> None:
    report: Report = request.getfixturevalue(report_name)
    page = report.folder / "report.html"
    screenshot = tmp_path / "report.png"
    completed = open_page(browser, page, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,2000")
    assert console_messages(completed.stderr) == []
    pixels = matplotlib.image.imread(screenshot)
    assert pixels.shape[:2] == (2000, 1280)
    assert pixels.std() > 0.01, "the screenshot is blank"

    completed = open_page(browser, page, tmp_path / "profile", "--dump-dom")
    assert console_messages(completed.stderr) == []
    (title,) = report.find("title")
    assert f"<title>{title.text}</title>" in completed.stdout
    assert "<h1>" + title.text in completed.stdout


# Injected into a copy of the page: every element's right edge against the viewport, except what
# sits inside a box that scrolls on its own (the wide tables); the page itself must not scroll sideways.
MEASURE = """<script>
const width = document.documentElement.clientWidth;
const over = [];
for (const element of document.body.querySelectorAll("*")) {
  const scroller = element.parentElement && element.parentElement.closest(".scroll");
  if (scroller) continue;
  const right = element.getBoundingClientRect().right;
  if (right > width + 1) over.push(element.tagName + "." + element.className + " " + Math.round(right));
}
document.body.setAttribute("data-measured", JSON.stringify(
  {width: width, page: document.documentElement.scrollWidth, over: over.slice(0, 10)}));
</script>"""


@pytest.mark.parametrize("width", [600, 1280])
@pytest.mark.parametrize("report_name", ["german_report", "four_scenario_report"])
def test_nothing_runs_off_the_page(browser: str, report_name: str, width: int, request, tmp_path: Path) -> None:
    """At a phone's 600 px and a laptop's 1280 px, with 2 and 4 scenarios, the page does not scroll
    sideways: wide tables scroll inside their own box, figures shrink to the page."""
    report: Report = request.getfixturevalue(report_name)
    page = tmp_path / "measured.html"
    html = (report.folder / "report.html").read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    completed = open_page(browser, page, tmp_path / "profile", "--dump-dom", f"--window-size={width},1000")
    assert console_messages(completed.stderr) == []
    measured = json.loads(unescape(completed.stdout.split('data-measured="')[1].split('"')[0]))
    assert measured["width"] <= width
    assert measured["page"] <= measured["width"], measured
    assert measured["over"] == [], measured
