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
    FIT_CSV,
    FITTED_PARAMETERS_CSV,
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


def _calibration_folder(folder: Path) -> Path:
    _record(folder)
    pd.DataFrame([{"metric": "raids", "published": 2510.0, "simulated_mean": 2400.0,
                   "ci_low": 2300.0, "ci_high": 2500.0, "gap_share": -0.0438,
                   "tolerance_share": 0.15, "within_tolerance": True,
                   "source": "<i>a newspaper</i>"}]).to_csv(folder / FIT_CSV, index=False)
    pd.DataFrame([{"parameter": "investigation.raid_prob", "unit": "probability",
                   "target": "raids", "low": 0.2, "high": 0.8, "prior": 0.5, "fitted": 0.61234,
                   "published": 2510.0, "simulated_at_fit": 2400.0, "trials": 3,
                   "status": "fitted"}]).to_csv(folder / FITTED_PARAMETERS_CSV, index=False)
    pd.DataFrame([{"kind": "analytic", "name": "M/M/3 mean wait (Erlang C)",
                   "expected": "0.1348", "simulated": 0.139, "ci_low": 0.129, "ci_high": 0.148,
                   "unit": "days", "passed": True}]).to_csv(folder / CHECKS_CSV, index=False)
    pd.DataFrame([{"year": 2018, "scope": "national", "metric": metric, "unit": "tip-offs",
                   "mean": mean, "ci_low": mean * 0.9, "ci_high": mean * 1.1}
                  for metric, mean in (("tipoffs_received", 40000.0), ("downloaded", 4000.0),
                                       ("lapsed", 30000.0), ("raids", 2400.0))]
                 ).to_csv(folder / YEARLY_CSV, index=False)
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


def test_validation_page_escapes_free_text_and_shows_the_fit(tmp_path: Path) -> None:
    """Scenario name and source are text; the published and simulated totals are there."""
    page = render_validation_report(_calibration_folder(tmp_path)).read_text("utf-8")
    assert "<script>" not in page and "<i>" not in page
    assert ESCAPED in page and "&lt;i&gt;a newspaper&lt;/i&gt;" in page
    assert "2,510" in page and '2,400 <span class="ci">[2,300, 2,500]</span>' in page
    assert "0.6123" in page and "1 of 1 checks passed" in page
    assert "http://" not in page and "https://" not in page
    assert page.count("data:image/png;base64,") == 1


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
                 "plot_option_panels", "plot_option_grid", "plot_state_options",
                 "plot_costs_by_year"):
        assert callable(getattr(figures, name)), name
        assert name in figures.__all__
