"""The proposal's A4 paper, laid out by reportlab's platypus.

A :class:`Paper` collects the paper's parts in order (headings, paragraphs, tables,
charts) as platypus flowables and remembers their text, so the text can be checked
without reading a PDF back.  It knows nothing of budgets or languages: the sections
(:mod:`reports.proposal.sections`) decide what to say, this module how it looks.

The typeface is DejaVu Sans, embedded (:mod:`reports.proposal.fonts`).  Every page's
footer gives the paper's title and "page n of N", for which the canvas holds its pages
back until it knows how many there are.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from matplotlib.axes import Axes
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from reports.proposal.fonts import BOLD_FONT, FONT, register_fonts
from reports.proposal.tables import (
    CELL_PADDING_PT,
    Align,
    breakable,
    column_widths,
    table_style,
)

PAGE_WIDTH_PT, PAGE_HEIGHT_PT = A4
MARGIN_PT = 62.0
TOP_PT = 54.0
BOTTOM_PT = 64.0
TEXT_WIDTH_PT = PAGE_WIDTH_PT - 2 * MARGIN_PT
FRAME_HEIGHT_PT = PAGE_HEIGHT_PT - TOP_PT - BOTTOM_PT
BODY_PT = 9.5
TABLE_PT = 7.8
SMALL_PT = 7.0
LEADING = 1.32
CELL_LEADING = 1.25
KEEP_TOGETHER_SHARE = 0.45
"""A table up to this share of a page starts on a new page rather than break across two."""
AFTER_BLOCK_PT = 8.0
"""Space under a table or a chart."""
LEAD_ROWS = 2
"""Rows of a long table that must follow its caption on the same page."""
CHART_DPI = 200
INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#444444")
FOOTER_RULE = colors.HexColor("#9a9a9a")
ACCENT = colors.HexColor("#1f3a5f")
"""Dark navy of the headings' rule, the one colour of the paper's text furniture."""
PRODUCER = "MICAC planning tool (run_scenario.py), ReportLab"
"""Written as the PDF's creator and producer instead of ReportLab's own, which carries a
web address: the paper must hold none."""

Style = Literal["title", "subtitle", "heading", "subheading", "body", "bullet", "caption",
                "note"]


def _styles() -> dict[Style, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=BODY_PT, leading=BODY_PT * LEADING,
                          textColor=INK, alignment=TA_JUSTIFY, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", body, fontName=BOLD_FONT, fontSize=15, leading=19,
                                alignment=TA_CENTER, spaceAfter=3),
        "subtitle": ParagraphStyle("subtitle", body, fontSize=BODY_PT - 1, textColor=GREY,
                                   alignment=TA_CENTER, spaceAfter=8),
        "heading": ParagraphStyle("heading", body, fontName=BOLD_FONT, fontSize=12.5,
                                  leading=15, alignment=TA_LEFT, spaceBefore=10, spaceAfter=0),
        "subheading": ParagraphStyle("subheading", body, fontName=BOLD_FONT,
                                     fontSize=BODY_PT + 0.5, leading=(BODY_PT + 0.5) * LEADING,
                                     textColor=ACCENT, alignment=TA_LEFT, spaceBefore=8,
                                     spaceAfter=3),
        "body": body,
        "bullet": ParagraphStyle("bullet", body, leftIndent=16, bulletIndent=5,
                                 bulletFontName=FONT, spaceAfter=2, alignment=TA_LEFT),
        "caption": ParagraphStyle("caption", body, fontName=BOLD_FONT, fontSize=BODY_PT - 0.5,
                                  alignment=TA_LEFT, spaceBefore=6, spaceAfter=3),
        "note": ParagraphStyle("note", body, fontSize=SMALL_PT + 0.5,
                               leading=(SMALL_PT + 0.5) * LEADING, textColor=GREY),
    }


def _markup(text: str) -> str:
    """Plain text as paragraph markup: ``<``, ``>`` and ``&`` escaped, newlines as breaks."""
    return escape(text).replace("\n", "<br/>")


def _height(flowable: Flowable) -> float:
    return float(flowable.wrap(TEXT_WIDTH_PT, FRAME_HEIGHT_PT)[1])


def _chart_image(ax: Axes, width_pt: float) -> Image:
    """A matplotlib chart as a PNG image ``width_pt`` wide, keeping its proportions.

    The picture takes in everything drawn, a panel's title wider than its panel at the
    figure's edge included ("tight"), so no word is cut at the edge of the page.
    """
    figure = ax.get_figure(root=True)
    if figure is None:
        raise ValueError("the chart's axes belong to no figure")
    buffer = io.BytesIO()
    # No "Software" text chunk: matplotlib would write its web address into the PNG.
    figure.savefig(buffer, format="png", dpi=CHART_DPI, metadata={"Software": None},
                   bbox_inches="tight", pad_inches=0.05)
    buffer.seek(0)
    width_px, height_px = ImageReader(buffer).getSize()
    buffer.seek(0)
    return Image(buffer, width=width_pt, height=width_pt * height_px / width_px,
                 hAlign="CENTER")


@dataclass
class Paper:
    """An A4 paper laid out top to bottom; :meth:`save` writes it as a PDF.

    Attributes
    ----------
    title : str
        The paper's title: its PDF title and the left of every page's footer.
    page_label : str
        The right of the footer, with ``{page}`` and ``{pages}`` fields.
    language : str
        The language code written into the PDF (``en`` or ``ms``).
    """

    title: str
    page_label: str = "Page {page} of {pages}"
    language: str = "en"
    story: list[Flowable] = field(default_factory=list, init=False)
    """The flowables, in order."""
    lines: list[str] = field(default_factory=list, init=False)
    """The text of every paragraph and table cell, in order."""
    _held: list[Flowable] = field(default_factory=list, init=False)
    _styles: dict[Style, ParagraphStyle] = field(default_factory=dict, init=False)
    _rendered: tuple[bytes, int] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        register_fonts()
        self._styles = _styles()

    def _paragraph(self, text: str, style: Style, **options: Any) -> Paragraph:
        self.lines.append(text)
        return Paragraph(_markup(text), self._styles[style], **options)

    def _add(self, flowable: Flowable, lead_height_pt: float | None = None) -> None:
        """Append ``flowable`` after the parts held to go with it.

        ``lead_height_pt`` is how much of a long flowable must share a page with what
        is held (a table's caption, header and first rows); None keeps it whole.
        """
        group, self._held = [*self._held, flowable], []
        whole = sum(_height(part) for part in group)
        if lead_height_pt is None or whole <= KEEP_TOGETHER_SHARE * FRAME_HEIGHT_PT:
            self._append(KeepTogether(group) if len(group) > 1 or lead_height_pt else flowable)
            return
        held = whole - _height(flowable)
        self._append(CondPageBreak(held + lead_height_pt), *group)

    def _append(self, *flowables: Flowable) -> None:
        """Append to the story, after anything held for what comes next."""
        if self._rendered is not None:
            raise RuntimeError("the paper has been laid out; it cannot take more parts")
        self.story += [*self._held, *flowables]
        self._held = []

    def title_block(self, title: str, subtitle: str) -> None:
        """The paper's title and the line under it that says where its numbers come from."""
        self._append(self._paragraph(title, "title"), self._paragraph(subtitle, "subtitle"),
                     HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=0,
                                spaceAfter=4))

    def heading(self, text: str) -> None:
        """A section heading, kept on the same page as what follows it."""
        self._held += [self._paragraph(text, "heading"),
                       HRFlowable(width="100%", thickness=0.8, color=ACCENT, spaceBefore=2,
                                  spaceAfter=5)]

    def subheading(self, text: str) -> None:
        """A heading inside a section, kept on the same page as what follows it."""
        self._held.append(self._paragraph(text, "subheading"))

    def paragraph(self, text: str, style: Style = "body") -> None:
        """A paragraph of running text (or a ``caption`` or ``note``)."""
        self._add(self._paragraph(text, style))

    def bullet(self, text: str) -> None:
        """One item of a bulleted list."""
        self._add(self._paragraph(text, "bullet", bulletText="•"))

    def caption(self, text: str) -> None:
        """A caption kept on the same page as the table or chart after it."""
        self._held.append(self._paragraph(text, "caption"))

    def space(self, points: float) -> None:
        """Vertical space."""
        self._append(Spacer(1, points))

    def page_break(self) -> None:
        """Start a new page."""
        self._append(PageBreak())

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], align: str,
              footer: Sequence[Sequence[str]] = (), caption: str = "",
              size: float = TABLE_PT) -> None:
        """A table across (at most) the text width, its header repeated on every page.

        Parameters
        ----------
        headers : sequence of str
            Column headers.
        rows, footer : sequence of sequences of str
            Body rows, and rows in bold under them (totals).
        align : str
            One ``l`` (text) or ``r`` (number) per column; numbers never wrap.
        caption : str, optional
            A bold line above the table, kept on its page.
        size : float
            Font size of the cells, points.
        """
        if caption:
            self.caption(caption)
        aligns: list[Align] = ["r" if side == "r" else "l" for side in align]
        body = [list(map(str, row)) for row in [*rows, *footer]]
        widths = column_widths(headers, body, aligns, size, TEXT_WIDTH_PT, len(footer))
        cells = [self._cells(headers, widths, aligns, size, bold=True)]
        cells += [self._cells(row, widths, aligns, size, bold=number >= len(rows))
                  for number, row in enumerate(body)]
        style = table_style(len(body) + 1, len(footer))
        lead = Table(cells[:1 + LEAD_ROWS], colWidths=widths, style=style)
        self._add(Table(cells, colWidths=widths, repeatRows=1, style=style, hAlign="LEFT",
                        spaceAfter=AFTER_BLOCK_PT), _height(lead))

    def _cells(self, texts: Sequence[str], widths: Sequence[float], aligns: Sequence[Align],
               size: float, bold: bool) -> list[Paragraph]:
        self.lines += [text for text in texts if text]
        font = BOLD_FONT if bold else FONT
        styles = {side: ParagraphStyle(f"cell-{side}", fontName=font, fontSize=size,
                                       leading=size * CELL_LEADING, textColor=INK,
                                       alignment=TA_RIGHT if side == "r" else TA_LEFT)
                  for side in set(aligns)}
        return [Paragraph(breakable(text, width - 2 * CELL_PADDING_PT, font, size),
                          styles[side])
                for text, width, side in zip(texts, widths, aligns, strict=True)]

    def chart(self, ax: Axes, caption: str = "", width_pt: float = TEXT_WIDTH_PT) -> None:
        """A matplotlib chart as an image across the text width, under its caption."""
        if caption:
            self.caption(caption)
        image = _chart_image(ax, min(width_pt, TEXT_WIDTH_PT))
        image.spaceAfter = AFTER_BLOCK_PT
        self._add(image)

    def _footer(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        y = BOTTOM_PT / 2
        canvas.setStrokeColor(FOOTER_RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_PT, y + 10, PAGE_WIDTH_PT - MARGIN_PT, y + 10)
        canvas.setFont(FONT, SMALL_PT)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN_PT, y, self.title)
        canvas.drawRightString(PAGE_WIDTH_PT - MARGIN_PT, y,
                               self.page_label.format(page=page, pages=pages))
        canvas.restoreState()

    def _render(self) -> tuple[bytes, int]:
        """The paper as PDF bytes, and its number of pages; laid out once.

        Platypus consumes and marks the flowables it lays out, so the story is laid out
        only once and the result kept.
        """
        if self._rendered is None:
            buffer = io.BytesIO()
            document = BaseDocTemplate(
                buffer, pagesize=A4, leftMargin=MARGIN_PT, rightMargin=MARGIN_PT,
                topMargin=TOP_PT, bottomMargin=BOTTOM_PT, title=self.title,
                subject=self.title, author="", creator=PRODUCER, producer=PRODUCER,
                lang=self.language, invariant=True)  # the same run folder, the same bytes
            frame = Frame(MARGIN_PT, BOTTOM_PT, TEXT_WIDTH_PT, FRAME_HEIGHT_PT, id="text",
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
            document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
            document.build([*self.story, *self._held],
                           canvasmaker=partial(_FooterCanvas, footer=self._footer))
            self._rendered = buffer.getvalue(), int(document.page)
        return self._rendered

    def page_count(self) -> int:
        """How many pages the paper takes."""
        return self._render()[1]

    def text_lines(self) -> list[str]:
        """Every text of the paper in order (paragraphs whole), then every page's footer."""
        pages = self.page_count()
        footers = [line for page in range(1, pages + 1)
                   for line in (self.title, self.page_label.format(page=page, pages=pages))]
        return [*self.lines, *footers]

    def save(self, path: Path) -> Path:
        """Write the paper to ``path`` as a PDF; ``path``."""
        path.write_bytes(self._render()[0])
        return path


class _FooterCanvas(Canvas):
    """A canvas that holds its pages back until the last, so each footer can say how many.

    ``footer(canvas, page, pages)`` draws a page's footer once the number of pages is known.
    """

    def __init__(self, *args: Any, footer: Callable[[Canvas, int, int], None],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._draw_footer = footer
        self._pages_held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        """Hold the page; :meth:`save` draws it with its footer."""
        self._pages_held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Draw every held page with its footer, then write the document."""
        pages = len(self._pages_held)
        for number, state in enumerate(self._pages_held, start=1):
            self.__dict__.update(state)
            self._draw_footer(self, number, pages)
            super().showPage()
        super().save()
