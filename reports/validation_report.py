"""``validation.html``: why a planner can trust the calibrated model.

Reads a calibration folder (``fit.csv``, ``fitted_parameters.csv``,
``checks.csv``, ``yearly.csv``, ``run.json``) and shows published against
simulated, the fitted parameters against their ranges, a yearly chart, and
the analytic and behavioural checks with their numbers.  Never runs anything.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from reports.figures import plot_yearly_history
from reports.formatting import format_count, format_percent
from reports.html_parts import Safe, figure_html, page, table

REPORT_NAME = "validation.html"


def _number(value: float) -> str:
    return format_count(value) if abs(value) >= 1 or value == 0 else f"{value:.4g}"


def _published_points(scenario: dict) -> pd.DataFrame:
    """Yearly referral volumes the scenario takes from publications (not derived ones)."""
    points = scenario.get("arrivals", {}).get("referrals_per_year", {})
    rows = [(int(year), estimate["value"]) for year, estimate in points.items()
            if estimate.get("source") and not str(estimate["source"]).startswith("derived")]
    start, end = scenario.get("start_date", ""), scenario.get("end_date", "")
    frame = pd.DataFrame(rows, columns=["year", "value"])
    # A year the horizon covers only in part is compared on the part it covers.
    if start and end:
        first, last = int(start[:4]), int(end[:4])
        frame = frame[(frame.year >= first) & (frame.year <= last)]
        fraction = (pd.Timestamp(end).dayofyear + 1) / (366 if last % 4 == 0 else 365)
        frame.loc[frame.year == last, "value"] *= min(fraction, 1.0)
    return frame.assign(metric="tipoffs_received")


def render_validation_report(folder: Path) -> Path:
    """Write ``validation.html`` into a calibration folder; return its path."""
    folder = Path(folder)
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    scenario = info["scenario"]
    fit = pd.read_csv(folder / "fit.csv")
    fitted = pd.read_csv(folder / "fitted_parameters.csv")
    checks = pd.read_csv(folder / "checks.csv")
    yearly = pd.read_csv(folder / "yearly.csv")

    fit_rows = [[
        row.metric.replace("_", " "), _number(row.published),
        Safe(f"{html.escape(_number(row.simulated_mean))} "
             f'<span class="ci">[{html.escape(_number(row.ci_low))}, '
             f"{html.escape(_number(row.ci_high))}]</span>"),
        f"{row.gap_share:+.1%}", f"±{row.tolerance_share:.0%}",
        "yes" if row.within_tolerance else "NO", row.source,
    ] for row in fit.itertuples()]
    fitted_rows = [[
        row.parameter, row.unit, f"{row.low:g} – {row.high:g}", f"{row.prior:g}",
        f"{row.fitted:.4g}", row.target.replace("_", " "), row.status,
    ] for row in fitted.itertuples()]
    check_rows = [[
        row.kind, row.name, row.expected,
        Safe(f"{html.escape(f'{row.simulated:.4g}')} "
             f'<span class="ci">[{html.escape(f"{row.ci_low:.4g}")}, '
             f'{html.escape(f"{row.ci_high:.4g}")}]</span>'),
        row.unit, "passed" if row.passed else "FAILED",
    ] for row in checks.itertuples()]
    within = int(fit.within_tolerance.sum())
    passed = int(checks.passed.sum())
    body = "\n".join([
        f"<h1>Validation: {html.escape(str(scenario.get('name', '')))}</h1>",
        f'<p class="subtitle">{html.escape(str(scenario.get("start_date")))} to '
        f'{html.escape(str(scenario.get("end_date")))}; {info["replications"]} replications, '
        f'seed {info["seed"]}; {html.escape(info["interval"])}</p>',
        "<section><h2>Published against simulated</h2>",
        f"<p>{within} of {len(fit)} published totals are reproduced within their tolerance. "
        "Simulated figures are national totals over the whole period, mean with its 95 % "
        "interval.</p>",
        table(["Figure", "Published", "Simulated mean [95 % interval]", "Gap", "Tolerance",
               "Within", "Source"], fit_rows, "numbers"),
        "</section>",
        "<section><h2>Fitted parameters</h2>",
        "<p>No one has published these; each was fitted inside its plausible range "
        "(facts.md) to the published total it governs, with common random numbers. "
        "The fitted values are written to the calibrated-parameters file that today's "
        "scenarios extend.</p>",
        table(["Parameter", "Unit", "Plausible range", "Before", "Fitted", "Fitted to",
               "Status"], fitted_rows),
        "</section>",
        "<section><h2>Year by year</h2>",
        "<p>Downloads are held down by the part-time capacity until the posts of June 2022 "
        "filled; lapses rise with the volume of tip-offs. Crosses mark yearly referral "
        "volumes as published (2023 to 27 November).</p>",
        figure_html(plot_yearly_history(yearly, _published_points(scenario)),
                    "simulated yearly flows against published points",
                    "National flows per calendar year, mean and 95 % interval, log scale."),
        "</section>",
        "<section><h2>Checks against theory and behaviour</h2>",
        f"<p>{passed} of {len(checks)} checks passed. Analytic: the model configured as one "
        "M/M/3 station (HQ triage) against the Erlang C formula and Little's law. "
        "Behavioural: more of a resource, with common random numbers, never actions fewer "
        "tip-offs beyond noise (the upper end of the paired interval is not below zero); "
        "with no bandwidth nothing is downloaded.</p>",
        table(["Kind", "Check", "Expected", "Simulated [95 % interval]", "Unit", "Result"],
              check_rows),
        "</section>",
        f'<footer><p>Made from fit.csv, fitted_parameters.csv, checks.csv, yearly.csv and '
        f'run.json. Share of tip-offs downloaded: '
        f'{html.escape(_share_downloaded(yearly))}.</p></footer>',
    ])
    out = folder / REPORT_NAME
    out.write_text(page(f"MICAC validation: {scenario.get('name', '')}", body), encoding="utf-8")
    return out


def _share_downloaded(yearly: pd.DataFrame) -> str:
    national = yearly[yearly.scope == "national"]
    got = national[national.metric == "downloaded"]["mean"].sum()
    came = national[national.metric == "tipoffs_received"]["mean"].sum()
    return format_percent(got / came) if came else "–"
