"""HTML building blocks shared by the report modules: escaping, paragraphs, tables, sections.

:mod:`reachmap.report.html` (the whole report) and :mod:`reachmap.report.tiers` (its
uncertainty section) both build on these, so neither imports the other for them. Imports
only the standard library and :mod:`reachmap.errors`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from reachmap.errors import InputError

__all__ = ["ReportSection", "html_table"]


def escape(text: object) -> str:
    """Escape text for HTML, quotes included."""
    return html.escape(str(text), quote=True)


def paragraphs(text: str) -> str:
    """Plain text to ``<p>`` elements; blank lines separate paragraphs, runs of space collapse."""
    paras = [p.strip() for p in str(text).split("\n\n") if p.strip()]
    return "\n".join(f"<p>{escape(' '.join(p.split()))}</p>" for p in paras)


@dataclass(frozen=True)
class ReportSection:
    """An extra section of a report, written by another module.

    Attributes
    ----------
    title : str
        Heading, plain text (it is escaped).
    html : str
        Body, an HTML fragment inserted as it is: escape any text in it (see
        :meth:`from_text` and :func:`html_table`). It must not load anything
        (no external ``src`` or ``href``); the page's Content-Security-Policy
        blocks it if it tries.

    Examples
    --------
    >>> ReportSection.from_text("Claim", "Holds <with exceptions> & caveats").html
    '<p>Holds &lt;with exceptions&gt; &amp; caveats</p>'
    """

    title: str
    html: str

    @classmethod
    def from_text(cls, title: str, text: str) -> ReportSection:
        """Build a section from plain text; blank lines separate paragraphs.

        Parameters
        ----------
        title : str
            Heading, plain text.
        text : str
            Body, plain text (escaped).

        Returns
        -------
        ReportSection
        """
        return cls(title=title, html=paragraphs(text))


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    numeric: Sequence[int] = (),
    caption: str | None = None,
    table_id: str | None = None,
) -> str:
    """Render an HTML table; every header and cell is escaped.

    Parameters
    ----------
    headers : sequence of str
        Column headings (``<th scope="col">``).
    rows : sequence of sequences
        Cells, converted with ``str``; each row as long as ``headers``.
    numeric : sequence of int
        Indices of the columns to right-align.
    caption : str, optional
        Caption below the table, plain text.
    table_id : str, optional
        ``id`` attribute of the table.

    Returns
    -------
    str
        A ``<table>`` element.

    Raises
    ------
    InputError
        If a row has the wrong number of cells (field ``rows``).

    Examples
    --------
    >>> print(html_table(["Name", "km"], [["A&B", "1,000"]], numeric=[1]))
    <table>
    <thead><tr><th scope="col">Name</th><th scope="col" class="num">km</th></tr></thead>
    <tbody>
    <tr><td>A&amp;B</td><td class="num">1,000</td></tr>
    </tbody>
    </table>
    """
    num = set(numeric)

    def cls(i: int) -> str:
        return ' class="num"' if i in num else ""

    head = "".join(f'<th scope="col"{cls(i)}>{escape(h)}</th>' for i, h in enumerate(headers))
    body = []
    for n, row in enumerate(rows):
        if len(row) != len(headers):
            raise InputError(
                "rows", f"row {n} has {len(row)} cells", f"{len(headers)} cells per row"
            )
        body.append("<tr>" + "".join(f"<td{cls(i)}>{escape(c)}</td>" for i, c in enumerate(row)))
    ident = f' id="{escape(table_id)}"' if table_id else ""
    cap = f"<caption>{escape(caption)}</caption>\n" if caption else ""
    rows_html = "".join(f"{r}</tr>\n" for r in body)
    return (
        f"<table{ident}>\n{cap}<thead><tr>{head}</tr></thead>\n<tbody>\n{rows_html}</tbody>\n"
        "</table>"
    )
