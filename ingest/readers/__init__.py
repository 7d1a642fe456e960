"""Streaming readers for partner exports: CSV (any delimiter; UTF-8, UTF-8 with BOM, cp1252 or an
encoding the caller names), Excel (.xlsx) and JSON lines.

:func:`open_export` reads a file's header (for a workbook, it chooses the sheet whose header has the
columns a mapping wants, or the sheet it names) and then streams its rows as :class:`SourceRow`, so a
file larger than memory loads. Rows are numbered as the file numbers them: a CSV row by the physical
line it starts on (the header is line 1), a sheet row by its row number. A row that cannot be read as
a record is still yielded, with ``problem`` set, so that the caller sets it aside with a reason
instead of losing it: a wrong number of fields, broken JSON, a row of delimiters and nothing else, a
control character or a byte the encoding cannot read in a wanted column, and every physical line a
runaway quoted field swallowed (Python's csv reader takes a stray ``"`` at the start of a field as
the start of a quoted field and reads on, across lines, to the next quote).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

from ingest.defaults import DEFAULT_CHUNK
from ingest.errors import ReaderError
from ingest.readers.delimited import CsvDialect, detect_csv, detect_encoding, open_csv
from ingest.readers.json_lines import open_jsonl
from ingest.readers.rows import Export, SourceRow
from ingest.readers.workbook import open_xlsx


def open_export(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    columns: Collection[str] | None = None,
    what: str = "",
) -> Export:
    """Open any supported export, chosen by the file's extension, and read its header.

    ``columns`` are the columns a mapping reads: only they are checked for control characters, and
    a workbook's sheet is the one whose header has them all (unless ``sheet`` names it). ``what``
    names the mapping in messages.

    Raises:
        ReaderError: the file cannot be read, has no usable header, or no single sheet fits.
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt", ".psv"):
        return open_csv(path, encoding, delimiter, columns)
    if suffix in (".xlsx", ".xlsm"):
        return open_xlsx(path, sheet, columns, what)
    if suffix in (".jsonl", ".ndjson"):
        return open_jsonl(path, columns)
    if suffix == ".xls":
        raise ReaderError(f"{path}: old-style .xls workbooks are not read; save it as .xlsx or CSV")
    raise ReaderError(f"{path}: unknown file type {suffix!r}; Disrupt reads .csv, .tsv, .xlsx and .jsonl")


def read_csv(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, chunk_size: int = DEFAULT_CHUNK
) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of a delimited text file; the first line is the header."""
    with open_csv(path, encoding, delimiter, None) as export:
        yield from export.chunks(chunk_size)


def read_xlsx(path: Path, *, sheet: str | None = None, chunk_size: int = DEFAULT_CHUNK) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of one sheet of a workbook (the first, unless named), streamed."""
    with open_xlsx(path, sheet, None, "") as export:
        yield from export.chunks(chunk_size)


def read_jsonl(path: Path, *, chunk_size: int = DEFAULT_CHUNK) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of a JSON-lines file: one object per line, values kept as text."""
    with open_jsonl(path, None) as export:
        yield from export.chunks(chunk_size)


def read_any(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of any supported export, chosen by the file's extension."""
    export = open_export(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
    return _closing_chunks(export, chunk_size)


def _closing_chunks(export: Export, size: int) -> Iterator[list[SourceRow]]:
    with export:
        yield from export.chunks(size)


def iter_rows(chunks: Iterator[list[SourceRow]]) -> Iterator[SourceRow]:
    """Flatten chunks into rows (for small files and tests)."""
    for chunk in chunks:
        yield from chunk


__all__ = [
    "CsvDialect",
    "Export",
    "ReaderError",
    "SourceRow",
    "detect_csv",
    "detect_encoding",
    "iter_rows",
    "open_export",
    "read_any",
    "read_csv",
    "read_jsonl",
    "read_xlsx",
]
