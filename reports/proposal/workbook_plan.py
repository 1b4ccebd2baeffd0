"""The workbook's sheets on the terms of the plan: budget, service levels, binding, frontier.

The budget sheet keeps the finance officer's sums live: each horizon year's one-off and
total are formulas of the line items (so a changed price moves them), recurring is their
difference; what was available, the ceiling, what is unspent and the liabilities after the
horizon are ``budget.csv``'s values.  The other sheets hold the run's figures as numbers
(the certificate's values also in words, as the paper gives them: a share with no gain to
share it is no number).  A sheet whose file the run lacks says so in its first cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from model.metrics import NATIONAL, label
from reports import choice
from reports.proposal import wording as w
from reports.proposal import wording_choice as wc
from reports.proposal import wording_plan as wp
from reports.proposal.choice import (
    certificate_sentence,
    check_label,
    check_threshold,
    check_value,
    objective_unit,
    regret_rows,
)
from reports.proposal.data import ProposalData
from reports.proposal.money import horizon_rows, liabilities, posts_by_year
from reports.proposal.terms import service_levels
from reports.proposal.tradeoffs import frontier_axes, frontier_points, no_frontier
from reports.proposal.wording import Language

RM_FORMAT = "#,##0"
ESTIMATE_FORMAT = "#,##0.0"
HORIZON_NAMES = ("HorizonStart", "HorizonEnd")


def _value(value: Any) -> Any:
    """A cell's value: None (an empty cell) where a number is missing; Excel has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _header(sheet: Worksheet, headers: Sequence[str]) -> None:
    sheet.append(list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _absent(sheet: Worksheet, file: str, language: Language) -> None:
    sheet.append([wp.ABSENT_FILE.format(language, file=file)])


def _year_cells(line_sheet: str, lines: int, year: int, total_cell: str) -> tuple[str, str]:
    """Formulas of a year's one-off (line items paid that year) and its total."""
    if lines == 0:
        return "=0", "=0"
    sheet = quote_sheetname(line_sheet)
    paid, one_off = f"{sheet}!$I$2:$I${lines + 1}", f"{sheet}!$J$2:$J${lines + 1}"
    start, end = HORIZON_NAMES
    return (f"=SUMPRODUCT((YEAR({paid})={year})*({paid}>={start})*({paid}<={end})*{one_off})",
            f"={sheet}!{total_cell}")


def budget_sheet(sheet: Worksheet, data: ProposalData, language: Language, line_sheet: str,
                 first_year_column: int) -> None:
    """Money by year: one-off and total as formulas of the line items, then budget.csv."""
    _header(sheet, [w.YEAR(language), w.ONE_OFF(language), w.RECURRING(language),
                    w.TOTAL(language), wp.ONE_OFF_AVAILABLE(language),
                    wp.RECURRING_CEILING(language), wp.UNSPENT(language)])
    lines = len(data.bought)
    total_row = lines + 2
    given = horizon_rows(data)
    for index, year in enumerate(data.years):
        row = sheet.max_row + 1
        column = get_column_letter(first_year_column + index)
        one_off, total = _year_cells(line_sheet, lines, year, f"{column}{total_row}")
        budget = given.loc[year] if given is not None and year in given.index else None
        sheet.append([year, one_off, f"=D{row}-B{row}", total,
                      *[None if budget is None else _value(float(budget[c]))
                        for c in ("one_off_available_rm", "recurring_ceiling_rm",
                                  "unspent_rm")]])
    first, last = 2, sheet.max_row
    sheet.append([w.TOTAL_ROW(language), *[f"=SUM({c}{first}:{c}{last})" for c in "BCD"]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    after = liabilities(data)
    sheet.append([])
    if after is None:
        _absent(sheet, "budget.csv", language)
    else:
        sheet.append([wp.LIABILITIES_CAPTION.format(
            language, last_year=data.years[-1],
            to_year=int(after["year"].max()) if len(after) else data.years[-1])])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for row in after.itertuples():
            sheet.append([int(row.year), None, _value(float(row.recurring_rm))])
    _posts_by_year_rows(sheet, data, language)
    for cells in sheet.iter_rows(min_row=2, min_col=2, max_col=7):
        for cell in cells:
            cell.number_format = RM_FORMAT


def _posts_by_year_rows(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    created = posts_by_year(data)
    if not created:
        return
    sheet.append([])
    sheet.append([wp.POSTS_BY_YEAR_CAPTION(language), w.OFFICERS(language),
                  w.LOWER_RANKS(language), w.ALL_POSTS(language)])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for year, ranks in created.items():
        row = sheet.max_row + 1
        sheet.append([year, ranks.get("officers", 0.0), ranks.get("lower_ranks", 0.0),
                      f"=B{row}+C{row}"])


def service_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    """Each service level: its floor, the plan's value, the paired difference, the verdict."""
    _header(sheet, [w.CODE(language), w.OUTCOME(language), w.WHERE(language),
                    wp.FLOOR(language), w.COLUMN_OF.format(language, column=wp.FLOOR(language),
                                                           part=w.VALUE(language)),
                    w.THIS_PLAN(language), w.LOW(language), w.HIGH(language),
                    wp.AGAINST_STATUS_QUO(language), w.LOW(language), w.HIGH(language),
                    wp.HOLDS(language), w.NOTE(language)])
    levels = service_levels(data)
    if not levels:
        sheet.append([wp.NO_SERVICE_LEVELS(language)])
    for level in levels:
        floor = (wp.FLOOR_RELATIVE if level.relative else wp.FLOOR_ABSOLUTE).format(
            language, share=f"{level.floor:g}", value=f"{level.floor_value:,.4g}")
        sheet.append([level.metric, label(level.metric, language),
                      w.describe_scope(level.scope, data.states, language), floor,
                      *map(_value, (level.floor_value, level.mean, level.low, level.high,
                                    level.difference, level.diff_low, level.diff_high)),
                      wp.HOLDS_WORDS[str(level.holds)](language), level.note])


def binding_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    """``binding.csv`` as it is, under the paper's headers."""
    _header(sheet, [wp.CONSTRAINT(language), w.UNIT(language), wp.BOUND(language),
                    wp.SHADOW_VALUE(language), w.SIMULATED_GAIN(language), w.LOW(language),
                    w.HIGH(language)])
    if data.binding is None:
        _absent(sheet, "binding.csv", language)
        return
    for row in data.binding.itertuples(index=False):
        sheet.append([str(row.constraint), str(row.unit),
                      *map(_value, (row.bound, row.shadow_value, row.simulated_gain,
                                    row.ci_low, row.ci_high))])


def frontier_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    """A row per frontier plan: its two outcomes with intervals, and its cost."""
    axes = frontier_axes(data)
    if axes is None:
        _header(sheet, [wp.POINT(language)])
        sheet.append([no_frontier(data, language)])
        return
    x, y = axes
    parts = (w.MEAN(language), w.LOW(language), w.HIGH(language))
    _header(sheet, [wp.POINT(language), wp.PLAN(language),
                    *[w.COLUMN_OF.format(language, column=label(x, language), part=p)
                      for p in parts],
                    *[w.COLUMN_OF.format(language, column=label(y, language), part=p)
                      for p in parts], wp.COST_RM(language)])
    for row in frontier_points(data, x, y).to_dict("records"):
        sheet.append([row["point"], row["plan"],
                      *[_value(row.get(c, math.nan)) for c in
                        ("x", "x_low", "x_high", "y", "y_low", "y_high", "cost_rm")]])


def states_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    """The plan's outcomes by state and nationally, from ``summary.csv``, as numbers."""
    _header(sheet, [w.STATE(language), w.CODE(language), w.OUTCOME(language),
                    w.UNIT(language), w.MEAN(language), w.LOW(language), w.HIGH(language)])
    if data.summary is None:
        return
    for row in data.summary.itertuples(index=False):
        scope = str(row.scope)
        where = w.describe_scope(scope, data.states, language) if scope != NATIONAL \
            else w.SCOPES[NATIONAL](language)
        sheet.append([where, str(row.metric), label(str(row.metric), language),
                      w.describe_unit(str(row.unit), language),
                      *map(_value, (float(row.mean), float(row.ci_low), float(row.ci_high)))])
    for cells in sheet.iter_rows(min_row=2, min_col=5, max_col=7):
        for cell in cells:
            cell.number_format = ESTIMATE_FORMAT


def _finite(value: float) -> float | None:
    """A number a cell can hold: None (an empty cell) for NaN and infinity."""
    return value if choice.finite(value) else None


def certificate_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    """The certificate's checks (values as numbers and in words), then the regret."""
    _header(sheet, [w.CODE(language), wc.CHECK(language), w.VALUE(language),
                    wc.VALUE_NUMBER(language),
                    wc.THRESHOLD(language), wc.RESULT(language), w.NOTE(language)])
    if data.certificate is None:
        _absent(sheet, "certificate.csv", language)
        return
    checks = choice.checks(data.certificate)
    for check in checks:
        sheet.append([check.name, check_label(check, data, language),
                      check_value(check, data, language), _finite(check.value),
                      check_threshold(check, data, language),
                      (wc.PASSED if check.passed else wc.FAILED)(language),
                      choice.plain_note(check.note)])
    if checks:
        sheet.append([])
        sheet.append([certificate_sentence(data, language)])
    rows = regret_rows(data, language)
    if rows:
        sheet.append([])
        _header(sheet, [wc.FINALIST(language), wc.WORST_CASE(language),
                        wc.SHORT_OF_BEST.format(language, unit=objective_unit(data, language)),
                        wc.SHARE_OF_GAIN(language)])
        for row in rows:
            sheet.append(row)
