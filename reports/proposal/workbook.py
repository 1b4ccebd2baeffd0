"""The proposal's Excel workbook: priced lines as formulas, posts, what is kept, outcomes.

The workbook is for the finance officer who checks the paper's sums and asks "what if a
place cost less?".  Each line the money buys holds its quantity, its unit prices and the
day it is first paid as cells; its one-off and yearly costs, each calendar year's cost and
its total are formulas of those cells, and so are the totals under them.  Changing a unit
price, a quantity or a date changes every total that depends on it, by the rule the
optimisation priced ``plan.csv`` with (``solvers.costs``): a one-off falls in the year it
is paid, a recurring cost in each year by the share of that year's days it is paid for.
The horizon's first and last days are cells named ``HorizonStart`` and ``HorizonEnd``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from model.metrics import HQ, label
from reports.proposal import wording as w
from reports.proposal import wording_choice as wc
from reports.proposal import wording_plan as wp
from reports.proposal import workbook_plan as plan_sheets
from reports.proposal.changes import bought_item, kept_rows, paid_unit
from reports.proposal.data import ProposalData
from reports.proposal.terms import budget_terms
from reports.proposal.wording import Language

SHEET_NAMES: dict[str, tuple[str, ...]] = {
    language: (w.SHEET_LINE_ITEMS(language), wp.SHEET_BUDGET(language), w.SHEET_POSTS(language),
               w.SHEET_KEPT(language), w.SHEET_OUTCOMES(language), wp.SHEET_STATES(language),
               wp.SHEET_SERVICE(language), wc.SHEET_CERTIFICATE(language),
               wp.SHEET_BINDING(language), wp.SHEET_FRONTIER(language),
               w.SHEET_ASSUMPTIONS(language))
    for language in w.LANGUAGES
}
"""Sheet names of the workbook by language: line items, budget, posts, kept, outcomes, by
state, service levels, certificate, binding constraints, frontier, assumptions."""

RM_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
ESTIMATE_FORMAT = "#,##0.0"
HEADER_FILL = "EEF4FA"
INPUT_FILL = "FFF8DC"
"""Cells a finance officer may change (quantities, unit prices, dates) are shaded."""
HORIZON_NAMES = ("HorizonStart", "HorizonEnd")
QUANTITY, UNIT_ONE_OFF, UNIT_RECURRING, PAID_FROM, ONE_OFF, RECURRING = "EGHIJK"
"""Columns of the line items: inputs, then the formulas of them."""
FIRST_YEAR_COLUMN = 12
"""Column L: the first calendar year's cost."""


def _style_sheet(sheet: Worksheet, widths: Sequence[float]) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def year_formula(row: int, year: int) -> str:
    """The formula of line ``row``'s cost in ``year``, as ``solvers.costs`` prices it.

    Its one-off if paid that year, and its yearly cost times the share of the year's days
    it is paid for, within the horizon.
    """
    start, end = HORIZON_NAMES
    paid, one_off, recurring = f"${PAID_FROM}{row}", f"${ONE_OFF}{row}", f"${RECURRING}{row}"
    return (f"=IF(AND(YEAR({paid})={year},{paid}>={start},{paid}<={end}),{one_off},0)"
            f"+{recurring}*MAX(0,MIN(DATE({year},12,31),{end})"
            f"-MAX(DATE({year},1,1),{start},{paid})+1)"
            f"/(DATE({year + 1},1,1)-DATE({year},1,1))")


def _line_headers(data: ProposalData, language: Language) -> list[str]:
    return [w.CATEGORY(language), w.ITEM(language), w.LEVER_CODE(language), w.WHERE(language),
            w.QUANTITY(language), w.UNIT(language), w.UNIT_ONE_OFF(language),
            w.UNIT_RECURRING(language), w.PAID_FROM(language), w.ONE_OFF(language),
            w.RECURRING_A_YEAR(language),
            *[w.YEAR_RM.format(language, year=year) for year in data.years], w.TOTAL(language)]


def _line_items_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    headers = _line_headers(data, language)
    sheet.append(headers)
    last_year = get_column_letter(FIRST_YEAR_COLUMN + len(data.years) - 1)
    first_year = get_column_letter(FIRST_YEAR_COLUMN)
    for row, line in enumerate(data.bought, start=2):
        sheet.append([w.describe_category(line.category, language), bought_item(line, language),
                      line.code, w.describe_scope(line.scope, data.states, language),
                      line.paid_quantity, w.describe_unit(paid_unit(line), language),
                      line.unit_one_off_rm, line.unit_recurring_rm_per_year, line.paid_from,
                      f"={QUANTITY}{row}*{UNIT_ONE_OFF}{row}",
                      f"={QUANTITY}{row}*{UNIT_RECURRING}{row}",
                      *[year_formula(row, year) for year in data.years],
                      f"=SUM({first_year}{row}:{last_year}{row})"])
        for column in (QUANTITY, UNIT_ONE_OFF, UNIT_RECURRING, PAID_FROM):
            sheet[f"{column}{row}"].fill = PatternFill("solid", fgColor=INPUT_FILL)
    first, last = 2, len(data.bought) + 1
    total_row = last + 1
    sheet.append([w.TOTAL_ROW(language)])
    for number in range(headers.index(w.ONE_OFF(language)) + 1, len(headers) + 1):
        letter = get_column_letter(number)
        sheet.cell(total_row, number, f"=SUM({letter}{first}:{letter}{last})")
    # A two-part budget's envelope is one-off money: it stands under the one-off column.
    envelope = budget_terms(data).get("one_off_rm")
    total = ONE_OFF if envelope is not None else get_column_letter(len(headers))
    sheet.append([(wp.ONE_OFF_ENVELOPE if envelope is not None else w.ENVELOPE_ROW)(language)])
    sheet[f"{total}{total_row + 1}"] = data.budget_rm if envelope is None else float(envelope)
    sheet.append([w.REMAINING_ROW(language)])
    sheet[f"{total}{total_row + 2}"] = f"={total}{total_row + 1}-{total}{total_row}"
    _horizon_cells(sheet, data, language, total_row + 4)
    _format_line_items(sheet, total_row, len(headers))
    _style_sheet(sheet, [14, 44, 30, 20, 9, 14, 12, 12, 11, 13, 13,
                         *[13] * len(data.years), 14])


def _horizon_cells(sheet: Worksheet, data: ProposalData, language: Language, row: int) -> None:
    """The horizon's first and last days, named for the year formulas, and how they work."""
    column = ord(PAID_FROM) - ord("A") + 1
    for offset, (name, phrase, day) in enumerate(zip(
            HORIZON_NAMES, (w.HORIZON_START, w.HORIZON_END), (data.start_date, data.end_date),
            strict=True)):
        sheet.cell(row + offset, 1, phrase(language))
        cell = sheet.cell(row + offset, column, day)
        cell.number_format = DATE_FORMAT
        cell.fill = PatternFill("solid", fgColor=INPUT_FILL)
        reference = f"{quote_sheetname(str(sheet.title))}!${PAID_FROM}${row + offset}"
        sheet.parent.defined_names[name] = DefinedName(name, attr_text=reference)
    sheet.cell(row + 3, 1, w.FORMULA_NOTE(language))


def _format_line_items(sheet: Worksheet, total_row: int, columns: int) -> None:
    for cells in sheet.iter_rows(min_row=2, max_row=total_row + 2):
        for cell in cells[ord(UNIT_ONE_OFF) - ord("A"):columns]:
            cell.number_format = RM_FORMAT
        cells[ord(PAID_FROM) - ord("A")].number_format = DATE_FORMAT
    for row_number in range(total_row, total_row + 3):
        for cell in sheet[row_number]:
            cell.font = Font(bold=True)


def _posts_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    """Posts before and after by site, team and rank; the change and totals are formulas."""
    sheet.append([w.SITE(language), w.TEAM(language), w.RANK(language),
                  w.BEFORE(language).capitalize(), w.AFTER(language).capitalize(),
                  w.CHANGE(language)])
    for row, count in enumerate(data.posts, start=2):
        team = w.TEAM_NAMES[count.team](language) if count.team else None
        sheet.append([w.describe_scope(count.site, data.states, language), team,
                      w.RANK_POSTS[count.rank](language), count.before, count.after,
                      f"=E{row}-D{row}"])
    last = len(data.posts) + 1
    sheet.append([w.TOTAL_ROW(language), None, None, f"=SUM(D2:D{last})", f"=SUM(E2:E{last})",
                  f"=E{last + 1}-D{last + 1}"])
    hq_rows = [row for row, count in enumerate(data.posts, start=2) if count.site == HQ]
    if hq_rows:
        sheet.append([w.HEADQUARTERS_ROW(language), None, None,
                      f"=SUM(D{hq_rows[0]}:D{hq_rows[-1]})", f"=SUM(E{hq_rows[0]}:E{hq_rows[-1]})",
                      f"=E{last + 2}-D{last + 2}"])
    for cell in sheet[last + 1]:
        cell.font = Font(bold=True)
    _style_sheet(sheet, [26, 20, 30, 10, 10, 10])


def _kept_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    """What the plan keeps as it is, at no new cost: apart from what the money buys."""
    sheet.append([w.ITEM(language), w.WHERE(language), w.QUANTITY(language)])
    for row in kept_rows(data, language):
        sheet.append(row)
    _style_sheet(sheet, [40, 24, 24])


def _outcome_headers(data: ProposalData, language: Language) -> list[str]:
    parts = (w.MEAN(language), w.LOW(language), w.HIGH(language))
    headers = [w.CODE(language), w.OUTCOME(language), w.UNIT(language)]
    for column in (w.THIS_PLAN(language), w.option_name(w.STATUS_QUO, language)):
        headers += [w.COLUMN_OF.format(language, column=column, part=part) for part in parts]
    for option in data.comparators:
        difference = w.DIFFERENCE(language)
        headers += [w.DIFFERENCE_VS.format(language, option=w.option_name(option, language)),
                    *[w.COLUMN_OF.format(language, column=difference, part=part)
                      for part in parts[1:]]]
    return headers


def _outcomes_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    headers = _outcome_headers(data, language)
    sheet.append(headers)
    for row in data.outcomes.itertuples(index=False):
        values = row._asdict()
        cells = [row.metric, label(str(row.metric), language),
                 w.describe_unit(str(row.unit), language), row.mean, row.ci_low, row.ci_high,
                 row.sq_mean, row.sq_low, row.sq_high]
        for option in data.comparators:
            cells += [values[f"diff_{option}"], values[f"low_{option}"],
                      values[f"high_{option}"]]
        # An empty cell, not NaN, where a value is missing: Excel has no NaN.
        sheet.append([None if isinstance(c, float) and math.isnan(c) else c for c in cells])
    for cells in sheet.iter_rows(min_row=2, min_col=4):
        for cell in cells:
            cell.number_format = ESTIMATE_FORMAT
    _style_sheet(sheet, [13, 34, 12, *[14] * (len(headers) - 3)])


def _assumptions_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    sheet.append([w.PARAMETER(language), w.VALUE(language), w.UNIT(language), w.LOW(language),
                  w.HIGH(language), w.NOTE(language)])
    for item in data.run.get("assumptions") or []:
        sheet.append([item.get("parameter"), item.get("value"), item.get("unit"),
                      item.get("low"), item.get("high"), item.get("note")])
    sheet.append([])
    sheet.append([w.FACTS_TITLE(language)])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for fact in w.PUBLISHED_FACTS:
        sheet.append([fact.text(language), None, None, None, None, fact.source])
    _style_sheet(sheet, [44, 12, 18, 12, 12, 90])


def write_workbook(data: ProposalData, path: Path, language: Language = "en") -> Path:
    """Write the proposal's workbook: priced lines as formulas, budget, posts, outcomes...

    Parameters
    ----------
    data : ProposalData
        What :func:`reports.proposal.data.read_proposal_data` read.
    path : Path
        The ``.xlsx`` file to write.
    language : {"en", "ms"}
        Language of headers, labels and sheet names (:data:`SHEET_NAMES`).

    Returns
    -------
    Path
        ``path``.
    """
    book = Workbook()
    names = SHEET_NAMES[language]
    lines_sheet = book.active
    assert lines_sheet is not None  # for the type checker: a new workbook has one sheet
    lines_sheet.title = names[0]
    _line_items_sheet(lines_sheet, data, language)
    plan_sheets.budget_sheet(book.create_sheet(names[1]), data, language, names[0],
                             FIRST_YEAR_COLUMN)
    _posts_sheet(book.create_sheet(names[2]), data, language)
    _kept_sheet(book.create_sheet(names[3]), data, language)
    _outcomes_sheet(book.create_sheet(names[4]), data, language)
    plan_sheets.states_sheet(book.create_sheet(names[5]), data, language)
    plan_sheets.service_sheet(book.create_sheet(names[6]), data, language)
    plan_sheets.certificate_sheet(book.create_sheet(names[7]), data, language)
    plan_sheets.binding_sheet(book.create_sheet(names[8]), data, language)
    plan_sheets.frontier_sheet(book.create_sheet(names[9]), data, language)
    _assumptions_sheet(book.create_sheet(names[10]), data, language)
    book.save(path)
    return path
