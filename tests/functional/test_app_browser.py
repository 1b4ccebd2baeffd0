"""The leadership page in a real headless browser, against the folders and the command line.

Its figures are the folders', a lever moved gives the command line's numbers, a run too
long for the page is refused beside the replications, a run cancelled leaves the list, and
nothing is fetched from outside 127.0.0.1 (the page keeps to its Content-Security-Policy).

``run_scenario.py serve`` runs as a subprocess on a free loopback port over two tiny result
folders; Playwright drives the system's Chromium (``/usr/bin/chromium``: Playwright's own
browser download is never used).  Without Chromium or Playwright the test is skipped with
the command that installs them; ``.ci/run`` installs both, so in CI it always runs.  With
``MICAC_UPDATE_SCREENSHOT=1`` it also writes the README's screenshot, ``docs/page.png``.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from tests.conftest import ROOT

SCREENSHOT = ROOT / "docs" / "page.png"
TINY = ("--set", "end_date=2024-03-31", "--replications", "3", "--seed", "2024")
"""Three months, three replications: a run of seconds."""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
INSTALL = ("install Chromium and the page's packages to run it: apt-get install chromium; "
           'pip install -e ".[test]"')


def chromium() -> str | None:
    """The system's Chromium, if installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python run_scenario.py ARGS`` in the checkout."""
    return subprocess.run([sys.executable, "run_scenario.py", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def tiny_run(out: Path, scenario: str, *more: str) -> Path:
    """A run folder of a shipped scenario over three months (what the page is given)."""
    done = cli("run", f"scenarios/{scenario}.yaml", *TINY, *more, "--quiet", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


@contextmanager
def serving(folders: list[Path], cache: Path, *more: str) -> Iterator[str]:
    """``run_scenario.py serve FOLDERS --port 0 MORE``: yields the page's address (its link)."""
    process = subprocess.Popen(
        [sys.executable, "run_scenario.py", "serve", *map(str, folders), "--port", "0",
         "--cache", str(cache), *more], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or []],
                     daemon=True).start()
    seen = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                assert process.poll() is None, "serve stopped: " + "".join(seen)
                continue
            seen.append(line)
            if "the page is at http://" in line:
                assert "--host" in more or "listening on this machine only (127.0.0.1)" in line
                yield line.split("the page is at ", 1)[1].split()[0]
                return
        raise AssertionError("serve did not start within 120 s: " + "".join(seen))
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def lever(path: str, kind: str = "lever") -> str:
    """The CSS selector of a lever field (Dash writes a dict id as sorted JSON)."""
    return f"[id='{{\"path\":\"{path}\",\"type\":\"{kind}\"}}']"


def shown_figures(page: object, option: str) -> pd.DataFrame:
    """Every national figure the page shows for an option: exact values and text."""
    cells = page.eval_on_selector_all(  # type: ignore[attr-defined]
        f"#outcomes-key td.figure[data-option='{option}'][data-scope='national'], "
        f"#outcomes-more td.figure[data-option='{option}'][data-scope='national']",
        "cells => cells.map(c => [c.dataset.metric, c.dataset.mean, c.dataset.ciLow, "
        "c.dataset.ciHigh, (c.querySelector('.mean') || c).textContent])")
    return pd.DataFrame(cells, columns=["metric", "mean", "ci_low", "ci_high", "text"])


def assert_figures_are(shown: pd.DataFrame, summary_csv: Path) -> None:
    """The figures shown are the summary's national rows, to the last digit, formatted."""
    from reports.formatting import format_value

    summary = pd.read_csv(summary_csv)
    national = summary[summary["scope"] == "national"].set_index("metric")
    assert len(shown) == len(national), (len(shown), len(national))
    for row in shown.itertuples():
        expected = national.loc[row.metric]
        for column in ("mean", "ci_low", "ci_high"):
            assert float(getattr(row, column)) == pytest.approx(
                float(expected[column]), rel=0, abs=0, nan_ok=True), (row.metric, column)
        unit = "" if pd.isna(expected["unit"]) else str(expected["unit"])
        assert row.text == format_value(float(expected["mean"]), unit), row.metric


def _missing(reason: str) -> None:
    """Skip, with how to install what is missing; in CI (which installs it) fail instead."""
    if os.environ.get("MICAC_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; .ci/run should have installed it")
    pytest.skip(f"{reason}: {INSTALL}")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    path = chromium()
    if path is None:
        _missing("no Chromium on this machine")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_the_page_shows_the_folders_and_answers_a_lever_as_the_command_line(
        tmp_path: Path, browser: object) -> None:
    """Figures equal summary.csv; a line of 500 Mbps equals a CLI run; loopback only."""
    pytest.importorskip("dash", reason=INSTALL)
    today = tiny_run(tmp_path / "status_quo", "status_quo")
    rule = tiny_run(tmp_path / "three_to_four", "three_to_four_per_state")
    with serving([today, rule], tmp_path / "cache") as url:
        context = browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
        page = context.new_page()
        page.set_default_timeout(90_000)  # a busy machine (CI, two cores) answers late
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url)
        page.wait_for_selector("#outcomes-key td.figure[data-option='three_to_four']")
        assert_figures_are(shown_figures(page, "status_quo"), today / "summary.csv")
        assert_figures_are(shown_figures(page, "three_to_four"), rule / "summary.csv")

        # a bad value: the command line's message, beside the field
        from playwright.sync_api import expect

        officers = page.locator(lever("states.SGR.officers.posts"))
        expect(officers).to_have_value("1", timeout=90_000)  # from the first option
        officers.fill("-1")
        page.click("#ask")
        error = page.locator(lever("states.SGR.officers.posts", "lever-error"))
        error.wait_for(state="visible")
        refused = cli("run", "scenarios/status_quo.yaml", *TINY,
                      "--set", "states.SGR.officers.posts=-1", "--quiet")
        assert refused.returncode == 2 and error.inner_text().strip() in refused.stderr
        officers.fill("1")

        # too many replications for the page: the estimate and what to shrink, beside them
        replications = page.locator("#replications")
        expect(replications).to_have_value("3")
        replications.fill("5000")
        page.click("#ask")
        expect(page.locator("#replications-error")).to_contain_text(
            "more than the 5 minutes allowed; use fewer --replications (5,000 asked)")
        # a run of this session's alone: listed with Cancel, and gone when cancelled
        replications.fill("40")
        page.click(lever("download.line_mbps"))
        page.get_by_text("1,000 Mbps", exact=True).click()
        page.click("#ask")
        expect(page.locator("#queue li.job")).to_contain_text("line 1000 Mbps")
        page.click("#queue button.cancel")
        expect(page.locator("#ask-message")).to_contain_text("Cancelled: status_quo · line")
        expect(page.locator("#queue li.job")).to_have_count(0)
        replications.fill("3")

        # the line at 500 Mbps: run in the background, then shown as a new option
        page.click(lever("download.line_mbps"))
        page.get_by_text("500 Mbps", exact=True).click()
        expect(page.locator(lever("download.line_mbps"))).to_contain_text("500 Mbps")
        page.click("#ask")
        moved = "status_quo · line 500 Mbps"
        expect(page.locator("#ask-message")).to_contain_text("running in the background")
        try:
            page.wait_for_selector(f"#outcomes-key td.figure[data-option='{moved}']",
                                   timeout=240_000)
        except Exception as error:  # say what the page said, not only that it timed out
            raise AssertionError(f"no answer shown; the page says "
                                 f"{page.inner_text('#ask-message')!r}; the queue: "
                                 f"{page.inner_text('#queue')!r}") from error
        page.wait_for_timeout(1500)  # the poll's message and the queue's "done"
        shot = tmp_path / "page.png"
        page.screenshot(path=str(shot))
        figures = shown_figures(page, moved)
        context.close()
    same = tiny_run(tmp_path / "cli", "status_quo", "--set", "download.line_mbps=500")
    assert_figures_are(figures, same / "summary.csv")
    answers = [p for p in (tmp_path / "cache").iterdir() if (p / "summary.csv").is_file()]
    assert len(answers) == 1
    for name in ("summary.csv", "replications.csv", "yearly.csv"):
        assert (answers[0] / name).read_bytes() == (same / name).read_bytes(), name
    outside = sorted({url for url in requests if urlparse(url).hostname != "127.0.0.1"})
    assert requests and not outside, outside
    if os.environ.get("MICAC_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
