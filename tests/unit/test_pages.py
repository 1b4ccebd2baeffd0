"""The pages' templates: autoescaping, strict names, and the validation and sensitivity pages."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from jinja2 import UndefinedError

from reports import figures
from reports.pages import environment, render
from reports.run_folder import (
    CHECKS_CSV,
    DESIGN_POINTS_CSV,
    DISCRIMINATORS_CSV,
    FITTED_PARAMETERS_CSV,
    HYPOTHESES_CSV,
    HYPOTHESES_FOLDER,
    RUN_JSON,
    SENSITIVITY_CSV,
    YEARLY_CSV,
)
from reports.sensitivity_report import render_sensitivity_report
from reports.validation_report import render_validation_report

MARKUP = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _record(folder: Path) -> None:
    scenario = {"name": MARKUP, "start_date": "2018-01-01", "end_date": "2018-12-31",
                "arrivals": {"referrals_per_year": {
                    "2018": {"value": 40000, "source": "a published figure"}}}}
    (folder / RUN_JSON).write_text(json.dumps({
        "scenario": scenario, "replications": 2, "seed": 7,
        "interval": "95 % t-interval"}), encoding="utf-8")


HYPOTHESES = {
    "alpha": {"description": f"Downloads held down by triage; {MARKUP}",
              "free": {"selection.triage_minutes": {"low": 10.0, "high": 45.0},
                       "investigation.raid_prob": {"low": 0.2, "high": 0.8}},
              "fixed": {"download.bandwidth_mbps": 20.0}},
    "beta": {"description": "Downloads held down by the HQ line.",
             "free": {"download.bandwidth_mbps": {"low": 2.0, "high": 20.0},
                      "review.actionable_prob": {"low": 0.02, "high": 0.9}},
             "fixed": {"selection.triage_minutes": 10.0}},
}
UNITS = {"selection.triage_minutes": "minutes", "investigation.raid_prob": "probability",
         "download.bandwidth_mbps": "Mbps", "review.actionable_prob": "probability"}


def _calibration_record(folder: Path) -> None:
    calibration = {
        "targets": [
            {"metric": "raids", "published": 251.0, "year": None, "tolerance_share": 0.2,
             "source": "<i>a newspaper</i>"},
            {"metric": "tipoffs_received", "published": 40000.0, "year": 2018,
             "tolerance_share": 0.05, "source": "a published figure"}],
        "hypotheses": HYPOTHESES, "design_points": 2, "refine_points": 1, "waves": 2,
        "replications": 1}
    scenario = {"name": MARKUP, "start_date": "2018-01-01", "end_date": "2018-12-31",
                "arrivals": {"referrals_per_year": {
                    "2018": {"value": 40000, "source": "a published figure"}}},
                "calibration": calibration}
    (folder / RUN_JSON).write_text(json.dumps({
        "scenario": scenario, "replications": 3, "seed": 7, "interval": "95 % t-interval",
        "hypotheses": list(HYPOTHESES),
        "assumptions": [{"parameter": name, "unit": unit} for name, unit in UNITS.items()],
    }), encoding="utf-8")


def _fit(name: str, raids: tuple[float, float, float], within: bool) -> list[dict]:
    """A hypothesis's rows of hypotheses.csv: two targets, then the year it implies."""
    mean, low, high = raids
    return [
        {"hypothesis": name, "metric": "raids", "year": None, "published": 251.0,
         "simulated_mean": mean, "ci_low": low, "ci_high": high, "within_tolerance": within},
        {"hypothesis": name, "metric": "tipoffs_received", "year": 2018, "published": 40000.0,
         "simulated_mean": 40100.0, "ci_low": 39900.0, "ci_high": 40300.0,
         "within_tolerance": True},
        {"hypothesis": name, "metric": "downloaded", "year": 2018, "published": None,
         "simulated_mean": 4321.0, "ci_low": 4000.0, "ci_high": 4600.0,
         "within_tolerance": None},
    ]


def _fitted(name: str, parameter: str, value: float, plausible: tuple[float, float] | None,
            at_bound: bool, status: str) -> dict:
    prior = {"selection.triage_minutes": (2.0, 45.0), "investigation.raid_prob": (0.2, 0.8),
             "download.bandwidth_mbps": (2.0, 100.0), "review.actionable_prob": (0.02, 0.9)}
    search = HYPOTHESES[name]["free"][parameter]
    low, high = plausible or (None, None)
    return {"hypothesis": name, "parameter": parameter, "value": value,
            "low": prior[parameter][0], "high": prior[parameter][1], "plausible_low": low,
            "plausible_high": high, "at_bound": at_bound, "search_low": search["low"],
            "search_high": search["high"], "plausible_points": 2 if plausible else 0,
            "status": status}


def _calibration_folder(folder: Path) -> Path:
    """Two hypotheses with known numbers; beta misses raids and has no subfolder."""
    _calibration_record(folder)
    pd.DataFrame(_fit("alpha", (240.0, 230.0, 250.0), True)
                 + _fit("beta", (90.0, 72.0, 109.0), False)).to_csv(
        folder / HYPOTHESES_CSV, index=False)
    pd.DataFrame([
        _fitted("alpha", "selection.triage_minutes", 33.4, (30.1, 34.1), False,
                "constrained by the history"),
        _fitted("alpha", "investigation.raid_prob", 0.4275, (0.3913, 0.4793), False,
                "constrained by the history"),
        _fitted("beta", "download.bandwidth_mbps", 2.05, None, True,
                "not fitted: no plausible point"),
        _fitted("beta", "review.actionable_prob", 0.55, None, False,
                "not fitted: no plausible point"),
    ]).to_csv(folder / FITTED_PARAMETERS_CSV, index=False)
    pd.DataFrame([{"hypothesis_a": "alpha", "hypothesis_b": "beta",
                   "figure": "utilisation_officers in 2018", "value_a": 0.62, "a_low": 0.51,
                   "a_high": 0.73, "value_b": 0.2, "b_low": -0.05, "b_high": 0.35}]).to_csv(
        folder / DISCRIMINATORS_CSV, index=False)
    pd.DataFrame([{"hypothesis": name, "point": point, "wave": 1, "implausibility": gap,
                   "plausible": gap <= 1.0}
                  for name, gaps in (("alpha", (0.4, 0.9, 2.5)), ("beta", (3.09, 4.0)))
                  for point, gap in enumerate(gaps)]).to_csv(folder / DESIGN_POINTS_CSV,
                                                             index=False)
    pd.DataFrame([
        {"hypothesis": "", "kind": "analytic", "name": "M/M/3 mean wait (Erlang C)",
         "expected": "0.1348", "simulated": 0.139, "ci_low": 0.129, "ci_high": 0.148,
         "unit": "days", "passed": True},
        {"hypothesis": "alpha", "kind": "behavioural", "name": "bandwidth x4: change",
         "expected": ">= 0 within noise", "simulated": -3.667, "ci_low": -9.952,
         "ci_high": 2.618, "unit": "tip-offs", "passed": True},
    ]).to_csv(folder / CHECKS_CSV, index=False)
    alpha = folder / HYPOTHESES_FOLDER / "alpha"
    alpha.mkdir(parents=True)
    pd.DataFrame([{"year": 2018, "scope": "national", "metric": metric, "unit": unit,
                   "mean": mean, "ci_low": mean * 0.9, "ci_high": mean * 1.1}
                  for metric, unit, mean in (
                      ("tipoffs_received", "tip-offs", 40100.0),
                      ("downloaded", "tip-offs", 4321.0), ("lapsed", "tip-offs", 30000.0),
                      ("raids", "raids", 240.0),
                      ("utilisation_officers", "fraction of on-duty time", 0.62))]
                 ).to_csv(alpha / YEARLY_CSV, index=False)
    return folder


def _sensitivity_folder(folder: Path) -> Path:
    _record(folder)
    pd.DataFrame([{"parameter": "<b>selection.triage_minutes</b>", "unit": "minutes",
                   "low": 2.0, "value": 30.0, "high": 45.0, "actioned_at_low": 1250.0,
                   "actioned_at_base": 1200.0, "actioned_at_high": 1100.0,
                   "change_at_low": 50.0, "change_at_low_ci_low": 20.0,
                   "change_at_low_ci_high": 80.0, "change_at_high": -100.0,
                   "change_at_high_ci_low": -140.0, "change_at_high_ci_high": -60.0,
                   "swing": -150.0}]).to_csv(folder / SENSITIVITY_CSV, index=False)
    return folder


def test_every_value_is_escaped_and_every_name_must_be_given() -> None:
    """Autoescaping is on for every template; a name the context lacks is an error."""
    template = environment().from_string("<p>{{ text }}</p>")
    assert template.render(text=MARKUP) == f"<p>{ESCAPED}</p>"
    with pytest.raises(UndefinedError):
        template.render()
    with pytest.raises(UndefinedError):
        render("sensitivity.html")


def test_validation_page_shows_every_hypothesis_from_its_files(tmp_path: Path) -> None:
    """The numbers are the files'; free text is text; a value at a bound is said to be so."""
    page = render_validation_report(_calibration_folder(tmp_path)).read_text("utf-8")
    assert "<script>" not in page and "<i>" not in page
    assert ESCAPED in page and "&lt;i&gt;a newspaper&lt;/i&gt;" in page
    assert "http://" not in page and "https://" not in page
    # At a glance: alpha fits both targets, beta misses the raids.
    assert "Only alpha reproduces every published figure" in page
    assert "fits all 2 published figures" in page and "misses 1 of 2: Raids (total)" in page
    assert "2 of 3 searched" in page and "3.09 times its tolerance" in page
    # The fit: published, simulated with its interval, gap, tolerance, within.
    assert "251" in page and '240 <span class="ci">[230, 250]</span>' in page
    assert '90 <span class="ci">[72, 109]</span>' in page and "-64.1" in page
    assert "±20.0" in page and "<td>NO</td>" in page
    assert '4,321 <span class="ci">[4,000, 4,600]</span>' in page
    # Plausible ranges against the prior; beta's bandwidth is at a bound.
    assert "30.1 – 34.1" in page and "33.4 minutes" in page and "39.1\u00a0% – 47.9\u00a0%" in page
    assert "at a bound: not identified by the history (the low end of the range searched, 2)" \
        in page
    assert "Not identified by the history: download.bandwidth_mbps" in page
    # What would decide: shares as percentages, intervals cut to [0 %, 100 %].
    assert ("Ask D11 for officers busy in 2018: alpha 62.0\u00a0% [51.0\u00a0%, 73.0\u00a0%], "
            "beta 20.0\u00a0% [0.0\u00a0%, 35.0\u00a0%].") in page
    assert "1 of 1 (1 of 1 between those that fit)" not in page  # beta does not fit
    assert "<td>1 of 1</td>" in page
    assert "alpha predicts 62.0\u00a0% [51.0\u00a0%, 73.0\u00a0%]" in page
    assert "beta 20.0\u00a0% [0.0\u00a0%, 35.0\u00a0%]." in page
    # Checks, analytic once; a missing subfolder is a note, not an error.
    assert "1 of 1 passed" in page and "-3.667" in page
    assert f"{HYPOTHESES_FOLDER}/beta/{YEARLY_CSV} is not in this folder" in page
    assert page.count("data:image/png;base64,") == 3  # alpha's history, both ranges


def test_validation_page_says_which_optional_files_are_missing(tmp_path: Path) -> None:
    """Without the optional tables the page still renders, naming what is not there."""
    folder = _calibration_folder(tmp_path)
    for name in (FITTED_PARAMETERS_CSV, DISCRIMINATORS_CSV, DESIGN_POINTS_CSV, CHECKS_CSV):
        (folder / name).unlink()
    page = render_validation_report(folder).read_text("utf-8")
    for name in (FITTED_PARAMETERS_CSV, DISCRIMINATORS_CSV, CHECKS_CSV):
        assert f"{name} is not in this folder" in page
    assert '240 <span class="ci">[230, 250]</span>' in page and "Only alpha" in page


def test_plausible_ranges_chart_names_a_parameter_at_a_bound() -> None:
    """Every parameter gets a row; one at a bound says, in words, it is not identified."""
    rows = pd.DataFrame([_fitted("alpha", "selection.triage_minutes", 33.4, (30.1, 34.1),
                                 False, "constrained by the history"),
                         _fitted("beta", "download.bandwidth_mbps", 2.05, None, True,
                                 "not fitted")])
    ax = figures.plot_plausible_ranges(rows)
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels[-1] == "selection.triage_minutes"  # the first row is drawn at the top
    assert "download.bandwidth_mbps" in labels[0] and "not identified" in labels[0]
    texts = " ".join(text.get_text() for text in ax.texts)
    assert "33.4 (plausible 30.1 to 34.1)" in texts and "2.05 (no plausible point)" in texts


def test_sensitivity_page_escapes_free_text_and_shows_the_changes(tmp_path: Path) -> None:
    """A parameter name with markup is text; each change reads with its interval."""
    page = render_sensitivity_report(_sensitivity_folder(tmp_path)).read_text("utf-8")
    assert "<script>" not in page and "<b>" not in page
    assert ESCAPED in page and "&lt;b&gt;selection.triage_minutes&lt;/b&gt;" in page
    assert "+50 [+20, +80]" in page and "-100 [-140, -60]" in page and "1,200" in page
    assert "http://" not in page and "https://" not in page
    assert page.count("data:image/png;base64,") == 1


def test_the_figures_package_offers_every_chart() -> None:
    """Code outside reports imports charts from ``reports.figures``, whatever module holds them."""
    for name in ("plot_funnel", "plot_stocks", "plot_monthly_flows", "plot_delays",
                 "plot_utilisation", "plot_yearly_history", "plot_tornado", "plot_sweep",
                 "plot_plausible_ranges",
                 "plot_option_panels", "plot_option_grid", "plot_state_options",
                 "plot_costs_by_year"):
        assert callable(getattr(figures, name)), name
        assert name in figures.__all__
