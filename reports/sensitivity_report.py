"""``sensitivity.html``: which assumptions to firm up first (tornado chart and table)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from reports.figures import plot_tornado
from reports.formatting import format_count
from reports.html_parts import figure_html, page, table

REPORT_NAME = "sensitivity.html"


def render_sensitivity_report(folder: Path) -> Path:
    """Write ``sensitivity.html`` from ``sensitivity.csv`` and ``run.json``; return its path."""
    folder = Path(folder)
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    frame = pd.read_csv(folder / "sensitivity.csv")
    scenario = info["scenario"]
    rows = [[
        str(rank), row.parameter, row.unit, f"{row.low:g}", f"{row.value:g}", f"{row.high:g}",
        f"{format_count(row.actioned_at_low)}", f"{format_count(row.actioned_at_high)}",
        f"{row.change_at_low:+,.0f} [{row.change_at_low_ci_low:+,.0f}, "
        f"{row.change_at_low_ci_high:+,.0f}]",
        f"{row.change_at_high:+,.0f} [{row.change_at_high_ci_low:+,.0f}, "
        f"{row.change_at_high_ci_high:+,.0f}]",
        f"{row.swing:+,.0f}",
    ] for rank, row in enumerate(frame.itertuples(), start=1)]
    base = frame.actioned_at_base.iloc[0] if len(frame) else float("nan")
    body = "\n".join([
        f"<h1>Sensitivity: {html.escape(str(scenario.get('name', '')))}</h1>",
        f'<p class="subtitle">{html.escape(str(scenario.get("start_date")))} to '
        f'{html.escape(str(scenario.get("end_date")))}; {info["replications"]} replications per '
        f'setting, seed {info["seed"]}; actioned tip-offs at the base: '
        f"{html.escape(format_count(base))}</p>",
        "<p>Each assumption was moved to the low and to the high end of its plausible range "
        "with every other held at its value, and the scenario re-run with the same seed "
        "(common random numbers), so each bar is that assumption's effect. The per-state "
        "tip-off weights move together. Most influential first: these are the figures worth "
        "firming up.</p>",
        figure_html(plot_tornado(frame), "tornado chart of actioned tip-offs",
                    "Change in actioned tip-offs over the horizon, national, against the base."),
        table(["Rank", "Assumption", "Unit", "Low", "Value", "High", "Actioned at low",
               "Actioned at high", "Change at low [95 %]", "Change at high [95 %]", "Swing"],
              rows, "numbers"),
    ])
    out = folder / REPORT_NAME
    out.write_text(page(f"MICAC sensitivity: {scenario.get('name', '')}", body),
                   encoding="utf-8")
    return out
