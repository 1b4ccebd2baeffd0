"""The run report: one offline HTML file whose numbers are the run folder's own."""

from __future__ import annotations

import base64
import html
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from reports.formatting import DASH, format_count, format_days, format_estimate, format_percent
from reports.run_report import render_run_report

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STATE_CODES = ("PLS", "KDH", "PNG", "PRK", "SGR", "KUL", "NSN", "MLK", "JHR", "PHG", "TRG",
               "KTN", "SBH", "SWK")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A six-month run at a sixth of today's volume: a few seconds."""
    out = tmp_path_factory.mktemp("report") / "run"
    done = subprocess.run(
        [sys.executable, "run_scenario.py", "scenarios/status_quo.yaml",
         "--set", "end_date=2024-06-30", "--set", "arrivals.referrals_per_year.2023=20000",
         "--replications", "3", "--quiet", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def report(run_folder: Path) -> str:
    """The report's HTML, rendered once for the module."""
    path = render_run_report(run_folder)
    assert path == run_folder / "report.html"
    assert path.is_file()
    return path.read_text(encoding="utf-8")


def table_text(page: str, heading: str) -> str:
    """The HTML of the section headed ``heading``, up to the next section."""
    start = page.index(f"<h2>{heading}</h2>")
    return page[start:page.index("</section>", start)]


def test_loads_nothing_from_the_network(report: str) -> None:
    """No web address anywhere, so nothing can be fetched: the file works offline."""
    assert "http://" not in report and "https://" not in report
    assert "@import" not in report and "<script" not in report and "<link" not in report


def test_every_image_is_an_embedded_png(report: str) -> None:
    """Every image is inline and decodes to a PNG."""
    sources = re.findall(r'<img[^>]*src="([^"]*)"', report)
    assert len(sources) >= 5  # funnel, stocks, flows, delays, utilisation
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        data = base64.b64decode(source.split(",", 1)[1], validate=True)
        assert data.startswith(PNG_MAGIC)
        assert b"http" not in data  # no web address hidden in the PNG's text chunks


def test_headline_figures_are_the_summary_values(run_folder: Path, report: str) -> None:
    """Received, raids and actioned appear as summary.csv says, formatted as the report does."""
    summary = pd.read_csv(run_folder / "summary.csv")
    national = summary[summary.scope == "national"].set_index("metric")
    headline = table_text(report, "National headline figures")
    for metric in ("tipoffs_received", "raids", "actioned", "closed_after_investigation",
                   "high_risk_examined_within_target", "high_risk_within_target_share"):
        row = national.loc[metric]
        shown = format_estimate(row["mean"], row["ci_low"], row["ci_high"], row["unit"])
        assert html.escape(shown) in headline, metric
        if row["unit"].startswith("fraction"):  # a share reads as a percentage
            assert shown.startswith(format_percent(row["mean"]) + " [")
            continue
        assert shown.startswith(format_count(row["mean"]) + " [")
        mean_shown = float(format_count(row["mean"]).replace(",", ""))
        assert mean_shown == pytest.approx(row["mean"], abs=0.5)


def test_every_state_is_in_the_state_table(run_folder: Path, report: str) -> None:
    """All 14 contingents have a row, by code and name."""
    states = table_text(report, "By state")
    info = json.loads((run_folder / "run.json").read_text())
    for code in STATE_CODES:
        assert f"<b>{code}</b>" in states
        assert html.escape(info["scenario"]["states"][code]["name"]) in states


def test_every_assumption_is_in_the_register(run_folder: Path, report: str) -> None:
    """The register lists every assumed parameter of run.json."""
    register = table_text(report, "Assumptions register")
    assumptions = json.loads((run_folder / "run.json").read_text())["assumptions"]
    assert assumptions
    for entry in assumptions:
        assert f"<code>{entry['parameter']}</code>" in register


def test_sections_come_in_the_documented_order(report: str) -> None:
    """Brief, headline, funnel, time series, delays, utilisation, states, assumptions."""
    headings = re.findall(r"<h2>(.*?)</h2>", report)
    assert headings == [
        "The scenario in brief", "National headline figures", "The pipeline funnel",
        "Backlog and lapses over time", "Time to download and time to raid",
        "Utilisation by state and staff group", "By state", "Assumptions register",
    ]


def test_missing_values_show_as_a_dash() -> None:
    """NaN and None render as an en dash, never as "nan"."""
    nan = math.nan
    assert format_count(nan) == format_percent(nan) == format_days(nan) == DASH
    assert format_count(None) == DASH  # type: ignore[arg-type]
    assert format_estimate(nan, nan, nan, "days") == DASH
    assert format_estimate(5.0, nan, nan, "raids") == "5.0 raids"


def test_a_state_without_lower_ranks_shows_a_dash(report: str) -> None:
    """Perlis has no lower-rank posts, so their utilisation is undefined: a dash, not nan."""
    states = table_text(report, "By state")
    staff = states[states.index("<h3>Staff and flow</h3>"):]
    perlis = staff[staff.index("<b>PLS</b>"):]
    perlis = perlis[:perlis.index("</tr>")]
    assert f"<td>{DASH}</td>" in perlis
    text = re.sub(r'src="data:[^"]*"', "", report)
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)


def test_numbers_are_formatted_for_people() -> None:
    """Thousands separators, percentages and days to one decimal, one precision per cell."""
    assert format_count(239394.67) == "239,395"
    assert format_count(2.333) == "2.3"
    assert format_count(-0.04) == "0.0"
    assert format_percent(0.13368) == "13.4\u00a0%"
    assert format_days(293.6586) == "293.7"
    assert format_estimate(4.3, -0.8, 9.5, "raids") == "4.3 [0.0, 9.5] raids"
    assert format_estimate(9.3, 4.2, 14.5, "raids") == "9.3 [4.2, 14.5] raids"
    assert (format_estimate(0.975, 0.934, 1.016, "fraction of on-duty time")
            == "97.5\u00a0% [93.4\u00a0%, 100.0\u00a0%] of on-duty time")


def test_text_from_the_folder_is_escaped(run_folder: Path, tmp_path: Path) -> None:
    """A scenario name with markup is shown as text, not run as HTML."""
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("summary.csv", "monthly.csv", "delays.csv"):
        (copy / name).write_bytes((run_folder / name).read_bytes())
    info = json.loads((run_folder / "run.json").read_text())
    info["scenario"]["name"] = "<script>alert(1)</script>"
    (copy / "run.json").write_text(json.dumps(info))
    page = render_run_report(copy).read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_outcomes_leadership_reads_lead_and_actioned_is_explained(report: str) -> None:
    """Raids before actioned; closures their own line; actioned said to add the two."""
    headline = html.unescape(table_text(report, "National headline figures"))
    order = [headline.index(f"<td>{label}</td>") for label in (
        "Raids", "Arrests", "Charges", "Investigations closed without a raid",
        "Evidence downloaded", "High-risk tip-offs received", "High-risk tip-offs examined",
        "High-risk tip-offs examined within target", "High-risk tip-offs lapsed",
        "Tip-offs actioned")]
    assert order == sorted(order)
    assert "raids plus investigations closed without a raid (closures on paper)" in headline
    states = table_text(report, "By state")
    assert [h for h in re.findall(r"<h3>(.*?)</h3>", states)] == [
        "Outcomes", "High-risk tip-offs", "Staff and flow"]


def test_an_old_folder_says_which_outcomes_it_lacks(run_folder: Path, tmp_path: Path) -> None:
    """A folder written before the new outcomes renders and names what is missing."""
    copy = tmp_path / "old"
    copy.mkdir()
    (copy / "run.json").write_bytes((run_folder / "run.json").read_bytes())
    summary = pd.read_csv(run_folder / "summary.csv")
    new = ("closed_after_investigation", "high_risk_received", "high_risk_examined",
           "high_risk_due", "high_risk_examined_within_target",
           "high_risk_within_target_share", "high_risk_lapsed")
    summary[~summary.metric.isin(new)].to_csv(copy / "summary.csv", index=False)
    page = html.unescape(render_run_report(copy).read_text(encoding="utf-8"))
    assert "Not in this folder's summary.csv (written before they were counted" in page
    assert "Investigations closed without a raid" in page.split("Not in this folder")[1]
    headline = table_text(page, "National headline figures")
    assert "<td>Raids</td>" in headline
