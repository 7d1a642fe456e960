"""Streaming readers for partner exports: CSV (any delimiter; UTF-8, UTF-8 with BOM, cp1252),
Excel (.xlsx) and JSON lines.

Every reader yields chunks of :class:`SourceRow`, so a file larger than memory loads. Rows are
numbered as a spreadsheet numbers them (the header is row 1), which is how rejects are reported.
A row that cannot be read as a record (wrong number of fields, broken JSON) is still yielded, with
``problem`` set, so that the caller sets it aside with a reason instead of losing it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from ingest.defaults import DEFAULT_CHUNK

log = logging.getLogger(__name__)

_SAMPLE_BYTES = 256 * 1024
_DELIMITERS = ",;\t|"


class ReaderError(Exception):
    """A file cannot be read at all; the message says what to do about it."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One input row: where it came from and its values by column name (all text)."""

    file: str
    row: int
    values: dict[str, str]
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class CsvDialect:
    """How a CSV file is written: what ``detect_csv`` found, or what the caller says."""

    encoding: str
    delimiter: str


def detect_csv(path: Path) -> CsvDialect:
    """Guess the encoding (BOM, else strict UTF-8 on a sample, else cp1252) and the delimiter."""
    with open(path, "rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            # a sample may end inside a multi-byte character: ignore only a cut at the very end
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    text = sample.decode(encoding, errors="replace")
    header = text.splitlines()[0] if text else ""
    counts = {d: header.count(d) for d in _DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return CsvDialect(encoding, delimiter)


def read_csv(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, chunk_size: int = DEFAULT_CHUNK
) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of a delimited text file; the first line is the header."""
    found = detect_csv(path) if encoding is None or delimiter is None else None
    enc = encoding or (found.encoding if found else "utf-8")
    sep = delimiter or (found.delimiter if found else ",")
    yield from _chunked(_csv_rows(path, enc, sep), chunk_size)


def _chunked(rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    """Group rows into lists of ``size`` (the last may be shorter)."""
    while chunk := list(islice(rows, size)):
        yield chunk


def _csv_rows(path: Path, enc: str, sep: str) -> Iterator[SourceRow]:
    name = str(path)
    try:
        with open(path, encoding=enc, newline="") as fh:
            reader = csv.reader(fh, delimiter=sep)
            header = _header(next(reader, None), name)
            for number, fields in enumerate(reader, start=2):
                if not fields or all(f == "" for f in fields):
                    continue  # a blank line is not a record
                yield _row(name, number, header, fields)
    except UnicodeDecodeError as exc:
        raise ReaderError(
            f"{name}: not valid {enc} text ({exc.reason} at byte {exc.start}); "
            "say the encoding (for example --encoding cp1252) or re-export the file as UTF-8"
        ) from exc
    except csv.Error as exc:
        raise ReaderError(f"{name}: not readable as delimited text: {exc}") from exc


def _header(fields: list[str] | None, name: str) -> list[str]:
    if not fields:
        raise ReaderError(f"{name}: empty file; an export needs a header row naming its columns")
    header = [f.strip() for f in fields]
    blank = [i + 1 for i, f in enumerate(header) if not f]
    repeated = sorted({f for f in header if header.count(f) > 1})
    if blank or repeated:
        what = f"blank column names at positions {blank}" if blank else f"repeated column names {repeated}"
        raise ReaderError(f"{name}: the header has {what}; every column needs its own name")
    return header


def _row(name: str, number: int, header: list[str], fields: list[str]) -> SourceRow:
    if len(fields) != len(header):
        values = dict(zip(header, fields, strict=False))
        problem = f"has {len(fields)} fields where the header names {len(header)}"
        return SourceRow(name, number, values, problem)
    return SourceRow(name, number, dict(zip(header, fields, strict=True)))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat() if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, *, sheet: str | None = None, chunk_size: int = DEFAULT_CHUNK) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of one sheet of a workbook (the first, unless named), streamed."""
    yield from _chunked(_xlsx_rows(path, sheet), chunk_size)


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[SourceRow]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = str(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ReaderError(f"{name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ReaderError(f"{name}: no sheet {sheet!r}; it has {', '.join(book.sheetnames)}")
        rows = (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
        first = next(rows, None)
        header = _header([_cell_text(v) for v in first] if first else None, name)
        for number, cells in enumerate(rows, start=2):
            fields = [_cell_text(v) for v in cells]
            while fields and fields[-1] == "" and len(fields) > len(header):
                fields.pop()  # trailing empty cells beyond the header are formatting, not data
            if not fields or all(f == "" for f in fields):
                continue
            fields += [""] * (len(header) - len(fields))
            yield _row(name, number, header, fields)
    finally:
        book.close()


def read_jsonl(path: Path, *, chunk_size: int = DEFAULT_CHUNK) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of a JSON-lines file: one object per line, values kept as text.

    Rows are numbered from 2, as if a header stood on line 1, so that every format numbers alike.
    """
    yield from _chunked(_jsonl_rows(path), chunk_size)


def _jsonl_rows(path: Path) -> Iterator[SourceRow]:
    name = str(path)
    with open(path, encoding="utf-8-sig") as fh:
        for line_no, line in enumerate(fh, start=1):
            number = line_no + 1
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield SourceRow(name, number, {}, f"is not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            if isinstance(record, dict):
                yield SourceRow(name, number, {str(k): _json_text(v) for k, v in record.items()})
            else:
                yield SourceRow(name, number, {}, "is JSON but not an object of named fields")


def _json_text(value: object) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return _cell_text(value)


def read_any(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of any supported export, chosen by the file's extension."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt", ".psv"):
        return read_csv(path, encoding=encoding, delimiter=delimiter, chunk_size=chunk_size)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet=sheet, chunk_size=chunk_size)
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path, chunk_size=chunk_size)
    if suffix == ".xls":
        raise ReaderError(f"{path}: old-style .xls workbooks are not read; save it as .xlsx or CSV")
    raise ReaderError(f"{path}: unknown file type {suffix!r}; Disrupt reads .csv, .tsv, .xlsx and .jsonl")


def iter_rows(chunks: Iterator[list[SourceRow]]) -> Iterator[SourceRow]:
    """Flatten chunks into rows (for small files and tests)."""
    for chunk in chunks:
        yield from chunk


__all__ = [
    "CsvDialect",
    "ReaderError",
    "SourceRow",
    "detect_csv",
    "iter_rows",
    "read_any",
    "read_csv",
    "read_jsonl",
    "read_xlsx",
]
