"""Pieces of the product's self-contained HTML pages: tables, embedded charts, style, page.

Every page the product writes (run report, validation report, sensitivity
report) is one file with its style inline and its charts embedded as base64
PNG, so it opens offline and can be mailed or archived as it is.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes

FIGURE_DPI = 150


@dataclass(frozen=True)
class Safe:
    """HTML that is already escaped or built from escaped parts; inserted as it is."""

    markup: str


Cell = str | Safe


def escape(value: Cell) -> str:
    return value.markup if isinstance(value, Safe) else html.escape(str(value))


def table(headers: Sequence[Cell], rows: Sequence[Sequence[Cell]], css_class: str = "",
           footer: Sequence[Sequence[Cell]] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>\n"
                   for row in rows)
    foot = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>\n"
                   for row in footer)
    class_attribute = f' class="{html.escape(css_class)}"' if css_class else ""
    return (f"<table{class_attribute}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>"
            + (f"\n<tfoot>\n{foot}</tfoot>" if foot else "") + "\n</table>")


def figure_data_uri(ax: Axes) -> str:
    """The figure holding ``ax`` as a ``data:image/png;base64`` URI.

    Parameters
    ----------
    ax : Axes
        Any axes of the figure to embed.

    Returns
    -------
    str
        A data URI, so the image needs no file or network beside the HTML.
    """
    buffer = io.BytesIO()
    # No "Software" text chunk: matplotlib's names a web address, and the report carries none.
    ax.figure.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


STYLE_SHEET = """
@page { size: A4; margin: 15mm; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a;
       max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.4;
       font-size: 11pt; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #0072B2; padding-bottom: 0.2rem;
     margin-top: 2rem; }
h3 { font-size: 1.05rem; }
.subtitle { font-size: 1.1rem; margin-top: 0; color: #444; }
.note, figcaption, footer { color: #444; font-size: 0.9rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; }
dt { font-weight: bold; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ccc; padding: 0.3rem 0.4rem; text-align: left;
         vertical-align: top; }
th { background: #eef4fa; }
tfoot td { font-weight: bold; border-top: 2px solid #888; }
table.numbers td:not(:first-child), table.numbers th:not(:first-child) { text-align: right; }
table.states { font-size: 0.8rem; }
.ci { display: block; color: #555; font-size: 0.85em; white-space: nowrap; }
.estimate { font-variant-numeric: tabular-nums; white-space: nowrap; }
td { font-variant-numeric: tabular-nums; }
table.assumptions td:nth-child(2), table.assumptions td:nth-child(4) { white-space: nowrap; }
figure { margin: 1rem 0; page-break-inside: avoid; break-inside: avoid; }
figure img { width: 100%; max-width: 50rem; height: auto; display: block; }
section { page-break-inside: auto; }
tr { page-break-inside: avoid; break-inside: avoid; }
code { font-size: 0.85em; }
"""


def page(title: str, body: str) -> str:
    """A whole HTML document around ``body`` (already escaped) with the house style."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n"
            f"<style>{STYLE_SHEET}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def figure_html(ax: Axes, alt: str, caption: str) -> str:
    """An embedded chart with its caption."""
    return (f'<figure>\n<img src="{figure_data_uri(ax)}" alt="{html.escape(alt)}">\n'
            f"<figcaption>{html.escape(caption)}</figcaption>\n</figure>")
