"""How the paper's tables are sized and ruled: column widths, breaks inside long names, lines.

Platypus wraps a cell's text to the width it is given but does not choose the widths,
and breaks a word too long for its column between any two letters.  The widths here
follow the content: numbers never wrap, headers wrap before text does, and the room
left is shared by how much each text column still lacks, so a short label column is not
squeezed by a long note column, nor the other way round.  Long dotted or underscored
names (``states.SGR.tipoff_weight_factor``) break after a dot, underscore or slash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import TableStyle

from reports.proposal.fonts import BOLD_FONT, FONT

Align = Literal["l", "r"]
"""A column of text (left-aligned, may wrap) or of numbers (right-aligned, never wraps)."""

CELL_PADDING_PT = 3.5
MIN_WRAPPED_COLUMN_PT = 48.0
FILL_SHARE = 0.75
"""A table whose natural width is at least this share of the text width fills it."""
HEADER_FILL = colors.HexColor("#e6edf4")
FOOTER_FILL = colors.HexColor("#f3f5f7")
RULE = colors.HexColor("#555555")
GRID = colors.HexColor("#b8b8b8")
_PIECES = re.compile(r"\s+|(?<=[._/-])")
"""Where a cell's text may break: at spaces, and after a dot, underscore, slash or hyphen."""


def _text_width(text: str, font: str, size: float) -> float:
    """Width of the widest line of ``text``, points."""
    return max((stringWidth(line, font, size) for line in text.split("\n")), default=0.0)


def _longest_piece(text: str, font: str, size: float) -> float:
    return max((stringWidth(piece, font, size) for piece in _PIECES.split(text) if piece),
               default=0.0)


def _share(least: Sequence[float], wanted: Sequence[float], width: float) -> list[float]:
    """``least`` widened towards ``wanted`` in proportion to what each lacks, within ``width``."""
    lacking = [max(w - n, 0.0) for n, w in zip(least, wanted, strict=True)]
    room = width - sum(least)
    share = min(1.0, room / sum(lacking)) if sum(lacking) > 0 else 0.0
    return [n + share * d for n, d in zip(least, lacking, strict=True)]


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]],
                  aligns: Sequence[Align], size: float, width: float,
                  footers: int = 0) -> list[float]:
    """Column widths in points for a table at most ``width`` wide.

    Parameters
    ----------
    headers : sequence of str
        Column headers (bold).
    rows : sequence of sequences of str
        Every row under the header, the last ``footers`` of them bold.
    aligns : sequence of {"l", "r"}
        Text or number, by column.
    size : float
        Font size, points.
    width : float
        The most the table may take, points.
    footers : int
        How many of ``rows`` are bold totals.

    Returns
    -------
    list of float
        The widths.  A table that fits keeps its natural widths (stretched to ``width``
        when nearly as wide); otherwise headers wrap first, then text columns.
    """
    pad = 2 * CELL_PADDING_PT + 1.0  # a point to spare: a cell as wide as its column never wraps
    body = len(rows) - footers

    def widest(column: int, measure: Callable[[str, str, float], float]) -> float:
        return max((measure(str(row[column]), BOLD_FONT if number >= body else FONT, size)
                    for number, row in enumerate(rows)), default=0.0)

    columns = range(len(headers))
    natural = [widest(i, _text_width) for i in columns]
    whole = [max(natural[i], _text_width(headers[i], BOLD_FONT, size)) + pad for i in columns]
    if sum(whole) <= width:
        if sum(whole) < FILL_SHARE * width:
            return whole
        return [w + (width - sum(whole)) / len(whole) for w in whole]
    header_words = [_longest_piece(h, BOLD_FONT, size) for h in headers]
    unwrapped = [max(natural[i], header_words[i]) + pad for i in columns]
    wrapped = [max(natural[i] if aligns[i] == "r" else
                   max(widest(i, _longest_piece), MIN_WRAPPED_COLUMN_PT),
                   header_words[i]) + pad for i in columns]
    for least in (unwrapped, wrapped):
        if sum(least) <= width:
            return _share(least, whole, width)
    return [w * width / sum(wrapped) for w in wrapped]


def _break_word(word: str, width: float, font: str, size: float) -> str:
    """A word as markup, with line breaks after dots or underscores when it is too wide."""
    if stringWidth(word, font, size) <= width:
        return escape(word)
    lines = [""]
    for piece in _PIECES.split(word):
        if lines[-1] and stringWidth(lines[-1] + piece, font, size) > width:
            lines.append(piece)
        else:
            lines[-1] += piece
    return "<br/>".join(escape(line) for line in lines)


def breakable(text: str, width: float, font: str, size: float) -> str:
    """A cell's text as paragraph markup that fits ``width`` points.

    Newlines become line breaks; a word wider than the column breaks after a dot,
    underscore, slash or hyphen (platypus would cut it between any two letters).
    """
    return "<br/>".join(" ".join(_break_word(word, width, font, size) for word in line.split(" "))
                        for line in text.split("\n"))


def table_style(rows: int, footers: int) -> TableStyle:
    """Rules of a table of ``rows`` rows (the header included), the last ``footers`` totals.

    A boxed grid with a shaded header, as budget papers rule their tables, so a figure
    is read against its row and column.
    """
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_PT),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_PT),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.0),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("INNERGRID", (0, 0), (-1, -1), 0.25, GRID),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
    ]
    if footers:
        first = rows - footers
        commands += [("LINEABOVE", (0, first), (-1, first), 0.9, RULE),
                     ("BACKGROUND", (0, first), (-1, -1), FOOTER_FILL)]
    return TableStyle(commands)
