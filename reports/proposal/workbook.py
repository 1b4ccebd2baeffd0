"""The proposal's Excel workbook: cost lines with SUM formulas, outcomes, assumptions.

The workbook is for the finance officer who checks the paper's sums, so totals are
formulas over the lines rather than numbers, and each sheet keeps the raw values
(unrounded) that the paper shows rounded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from model.metrics import label
from reports.proposal import wording as w
from reports.proposal.data import ProposalData
from reports.proposal.wording import Language

SHEET_NAMES: dict[str, tuple[str, str, str]] = {
    language: (w.SHEET_LINE_ITEMS(language), w.SHEET_OUTCOMES(language),
               w.SHEET_ASSUMPTIONS(language))
    for language in w.LANGUAGES
}
"""Sheet names of the workbook by language: cost lines, outcomes, assumptions."""

RM_FORMAT = "#,##0"
ESTIMATE_FORMAT = "#,##0.0"
HEADER_FILL = "EEF4FA"
FIRST_MONEY_COLUMN = 7
"""Column G: the first ringgit column of the line items (one-off)."""


def _style_sheet(sheet: Worksheet, widths: Sequence[float]) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _line_items_sheet(sheet: Worksheet, data: ProposalData, language: Language) -> None:
    headers = [w.CATEGORY(language), w.ITEM(language), w.LEVER_CODE(language),
               w.WHERE(language), w.QUANTITY(language), w.UNIT(language), w.ONE_OFF(language),
               w.RECURRING(language), *[w.YEAR_RM.format(language, year=year)
                                        for year in data.years], w.TOTAL(language)]
    sheet.append(headers)
    for line in data.lines:
        sheet.append([w.describe_category(line.category, language),
                      w.describe_lever(line.lever, language), line.code,
                      w.describe_scope(line.scope, data.states, language), line.quantity,
                      w.describe_unit(line.unit, language), line.one_off_rm, line.recurring_rm,
                      *[line.by_year_rm[year] for year in data.years], line.total_rm])
    first, last = 2, len(data.lines) + 1
    total_row = last + 1
    sheet.append([w.TOTAL_ROW(language)])
    for column in range(FIRST_MONEY_COLUMN, len(headers) + 1):
        letter = get_column_letter(column)
        sheet.cell(total_row, column, f"=SUM({letter}{first}:{letter}{last})")
    total_letter = get_column_letter(len(headers))
    sheet.append([w.ENVELOPE_ROW(language)])
    sheet.cell(total_row + 1, len(headers), data.budget_rm)
    sheet.append([w.REMAINING_ROW(language)])
    sheet.cell(total_row + 2, len(headers),
               f"={total_letter}{total_row + 1}-{total_letter}{total_row}")
    for row in sheet.iter_rows(min_row=2, max_row=total_row + 2):
        for cell in row[FIRST_MONEY_COLUMN - 1:]:
            cell.number_format = RM_FORMAT
        row[4].number_format = "General"
    for row_number in range(total_row, total_row + 3):
        for cell in sheet[row_number]:
            cell.font = Font(bold=True)
    _style_sheet(sheet, [16, 46, 34, 22, 10, 16, 15, 15, *[13] * len(data.years), 15])


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
    """Write the proposal's workbook: cost lines with SUM formulas, outcomes, assumptions.

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
    _outcomes_sheet(book.create_sheet(names[1]), data, language)
    _assumptions_sheet(book.create_sheet(names[2]), data, language)
    book.save(path)
    return path
