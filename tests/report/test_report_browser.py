"""A real browser opens the report offline: it renders, shows the title and logs no console error."""

import shutil
import subprocess
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
