"""The run report explains its oddities where a reader would stop, one sentence each."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from reports.run_report import render_run_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A six-month run from today's backlog at a sixth of today's volume: a few seconds."""
    out = tmp_path_factory.mktemp("explains") / "run"
    done = subprocess.run(
        [sys.executable, "run_scenario.py", "scenarios/status_quo.yaml",
         "--set", "end_date=2024-06-30", "--set", "arrivals.referrals_per_year.2023=20000",
         "--replications", "2", "--quiet", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = html.unescape(re.sub(r"\s+", " ", render_run_report(out).read_text("utf-8")))
    return text, out


def section(text: str, heading: str) -> str:
    start = text.index(f"<h2>{heading}</h2>")
    return text[start:text.index("</section>", start)]


def test_the_funnel_says_why_reviewed_can_exceed_downloaded(page: tuple[str, Path]) -> None:
    text, out = page
    funnel = section(text, "The pipeline funnel")
    summary = pd.read_csv(out / "summary.csv").query("scope == 'national'").set_index("metric")
    reviewed, downloaded = summary.loc["reviewed", "mean"], summary.loc["downloaded", "mean"]
    assert ("Reviewed can exceed downloaded, because tip-offs in the starting backlog, "
            "downloaded before the horizon began, are reviewed within it (here "
            f"{reviewed:,.0f}") in funnel
    assert f"reviewed, {downloaded:,.0f}" in funnel


def test_the_state_table_says_a_lapse_is_counted_where_the_ip_address_is(
        page: tuple[str, Path]) -> None:
    states = section(page[0], "By state")
    assert "the state its IP address is registered in, not where a post sits" in states


def test_the_delays_say_which_tip_offs_they_cover(page: tuple[str, Path]) -> None:
    delays = section(page[0], "Time to download and time to raid")
    assert "tip-offs that got there within the horizon" in delays
    assert ("tip-offs of the starting backlog, which arrived before the horizon began and are "
            "timed from their arrival, which is why a time to raid can exceed the horizon "
            "itself") in delays
