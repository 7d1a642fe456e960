"""Exports: tables to CSV and Excel with formulas neutralised, and self-contained HTML briefings.

A cell starting with ``= + - @``, a tab or a carriage return is read as a formula by spreadsheet
programs (OWASP ASVS 1.2.10); such cells get a leading ``'``. Every value in a briefing is
HTML-escaped. Nothing here reads data: callers pass what the gateway has already shaped and audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app import labels
from common.cells import spreadsheet_safe


@lru_cache(maxsize=16)
def asset_text(path: Path) -> str:
    """A file shipped with the app (vis-network, Leaflet), read once per process."""
    return path.read_text(encoding="utf-8")


def script_safe(text: str) -> str:
    """Script or JSON text that cannot close the ``<script>`` element it is inlined in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will evaluate.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise(-3), neutralise("ok")
    ('\\'=HYPERLINK("http://x")', -3, 'ok')
    """
    if isinstance(value, list | tuple | set | dict):
        value = json.dumps(value if not isinstance(value, set) else sorted(value), default=str, ensure_ascii=False)
    return spreadsheet_safe(value)


def _sheet(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> list[list[Any]]:
    """Header and rows of an export: titles in words, the given columns first, every cell neutralised."""
    names = labels.ordered_columns(rows, columns)
    out = [[_cell(labels.column_title(c)) for c in names]]
    out += [[_cell(labels.cell_value(c, r.get(c), sortable=True)) for c in names] for r in rows]
    return out


def _cell(value: Any) -> Any:
    """Control characters a workbook cannot hold are removed first, so none can hide a formula's start."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value)


def to_csv(rows: Sequence[Mapping[str, Any]], *, columns: Sequence[str] | None = None) -> bytes:
    """Rows as UTF-8 CSV (with a byte-order mark, so Excel reads the accents).

    ``columns`` come first in that order (the order the screen shows), then any others.
    """
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_sheet(rows, columns))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[Mapping[str, Any]], *, sheet: str = "export", columns: Sequence[str] | None = None) -> bytes:
    """Rows as an Excel workbook; every string cell is written as text, never as a formula."""
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    for line in _sheet(rows, columns):
        ws.append(line)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    head = "".join(f"<th>{escape(labels.column_title(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell_text(c, r.get(c)))}</td>" for c in columns) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def cell_text(column: str, value: Any) -> str:
    """A table cell as a briefing prints it (HTML or PDF): the value in words, lists joined by "; "."""
    return _text(labels.cell_value(column, value))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eee}.marking{font-weight:bold;color:#900}"
)


MARKING = "OFFICIAL-SENSITIVE"  # the handling marking every export carries


def prepared_line(prepared_by: str, purpose: str) -> str:
    """Who prepared a briefing, for what purpose (the one the session gave) and when."""
    why = f" for {purpose.strip()}" if purpose.strip() else ""
    return f"Prepared by {prepared_by}{why} on {dt.date.today().isoformat()} with Disrupt."


def briefing_html(
    title: str,
    sections: Iterable[tuple[str, Sequence[Mapping[str, Any]], Sequence[str]]],
    *,
    prepared_by: str,
    purpose: str = "",
    marking: str = MARKING,
) -> bytes:
    """A self-contained HTML briefing: a title, a handling marking, and one table per section."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<p class='marking'>{escape(marking)}</p><h1>{escape(title)}</h1>",
        f"<p>{escape(prepared_line(prepared_by, purpose))} "
        "Scores and flags inform professional judgement; they do not replace it.</p>",
    ]
    for heading, rows, columns in sections:
        parts.append(f"<h2>{escape(heading)}</h2>")
        parts.append(_table(rows, columns) if rows else "<p>None.</p>")
    parts.append(f"<p class='marking'>{escape(marking)}</p></body></html>")
    return "".join(parts).encode("utf-8")


def briefing_pdf(
    title: str,
    sections: Iterable[tuple[str, Sequence[Mapping[str, Any]], Sequence[str]]],
    *,
    prepared_by: str,
    purpose: str = "",
    marking: str = MARKING,
) -> bytes:
    """The same briefing as :func:`briefing_html`, as a PDF (:mod:`app.pdf`), marked on every page."""
    from app.pdf import briefing_pdf as made  # fpdf2 and its fonts load only when a PDF is asked for

    return made(title, sections, prepared_by=prepared_by, purpose=purpose, marking=marking)
