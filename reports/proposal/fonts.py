"""The paper's typeface: DejaVu Sans, embedded, so every character prints on any machine.

The PDF standard fonts lack characters the paper needs ("–", "≥", "×" and the like);
DejaVu Sans has them all and ships with matplotlib, so the charts and the text share one
typeface and nothing is fetched.  Registering is done on first use, not on import.
"""

from __future__ import annotations

from matplotlib.font_manager import FontProperties, findfont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "DejaVuSans"
BOLD_FONT = "DejaVuSans-Bold"


def register_fonts() -> None:
    """Register DejaVu Sans and its bold face with reportlab (once; later calls do nothing)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    regular = findfont(FontProperties(family="DejaVu Sans"), fallback_to_default=False)
    bold = findfont(FontProperties(family="DejaVu Sans", weight="bold"),
                    fallback_to_default=False)
    pdfmetrics.registerFont(TTFont(FONT, regular))
    pdfmetrics.registerFont(TTFont(BOLD_FONT, bold))
    # <b> in a paragraph picks the bold face; the paper uses no italics.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD_FONT, italic=FONT,
                                  boldItalic=BOLD_FONT)
