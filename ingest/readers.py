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

import codecs
import csv
import datetime as dt
import json
import logging
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from ingest.defaults import DEFAULT_CHUNK

log = logging.getLogger(__name__)

_SAMPLE_BYTES = 256 * 1024
_BLOCK = 1 << 20
_DELIMITERS = ",;\t|"
_FIELD_LIMIT = csv.field_size_limit()
# What openpyxl refuses to write (IllegalCharacterError) and a page cannot show: C0 controls but
# tab, newline and carriage return; and the lone surrogates that stand for bytes the file's
# encoding could not read (decoded with errors="surrogateescape").
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\udc80-\udcff]")
_NOT_TEXT = re.compile("[\udc80-\udcff]")
_NOT_ASCII_TEXT = re.compile("[^\x00-\x7f\udc80-\udcff]")


class ReaderError(Exception):
    """A file cannot be read at all; the message says what to do about it, and ``line`` where
    reading stopped (when it stopped part-way)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One input row: where it came from and its values by column name (all text)."""

    file: str
    row: int
    values: dict[str, str]
    problem: str | None = None
    column: str = ""  # the column at fault, when the problem is one column's


@dataclass(frozen=True, slots=True)
class CsvDialect:
    """How a CSV file is written: what ``detect_csv`` found, or what the caller says."""

    encoding: str
    delimiter: str
    clean: bool = True  # every byte of the file reads in this encoding


def detect_encoding(path: Path) -> tuple[str, bool]:
    """The file's encoding, judged over the whole file (not a sample), and whether every byte of
    it reads in that encoding.

    A BOM says UTF-8. Otherwise strict UTF-8 over every byte; failing that, UTF-8 still when the
    file holds more well-formed UTF-8 characters than bytes UTF-8 cannot read (a UTF-8 export a
    stray byte spoils: the rows with that byte are set aside), else cp1252 (a Windows export).
    """
    with open(path, "rb") as fh:
        head = fh.read(len(codecs.BOM_UTF8))
    utf8 = "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"
    if _reads_as(path, utf8):
        return utf8, True
    good = bad = 0
    decoder = codecs.getincrementaldecoder(utf8)(errors="surrogateescape")
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            text = decoder.decode(block)
            bad += len(_NOT_TEXT.findall(text))
            good += len(_NOT_ASCII_TEXT.findall(text))
    if utf8 == "utf-8-sig" or good > bad:
        return utf8, False
    return "cp1252", _reads_as(path, "cp1252")


def _reads_as(path: Path, encoding: str) -> bool:
    """Whether every byte of the file decodes in ``encoding`` (read in blocks, at C speed)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_csv(path: Path, *, encoding: str | None = None) -> CsvDialect:
    """The encoding (over the whole file, see :func:`detect_encoding`) and the delimiter (the one
    the header line holds most of)."""
    # a named encoding is taken as given; bytes it cannot read set their rows aside
    enc, clean = detect_encoding(path) if encoding is None else (encoding, True)
    with open(path, "rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    text = sample.decode(enc, errors="replace")
    header = text.splitlines()[0] if text else ""
    counts = {d: header.count(d) for d in _DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return CsvDialect(enc, delimiter, clean)


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


class _RowMaker:
    """Turns one record's fields into a :class:`SourceRow`, with the checks every format shares."""

    def __init__(self, name: str, header: list[str], wanted: Collection[str] | None, encoding: str) -> None:
        self.name = name
        self.header = header
        self.wanted = set(header) if wanted is None else set(wanted)
        self.encoding = encoding

    def row(self, number: int, fields: list[str]) -> SourceRow:
        header = self.header
        if len(fields) != len(header):
            values = dict(zip(header, fields, strict=False))
            problem = f"has {len(fields)} fields where the header names {len(header)}"
            return SourceRow(self.name, number, values, problem)
        values = dict(zip(header, fields, strict=True))
        if not any(fields) or all(not f.strip() for f in fields):
            return SourceRow(self.name, number, values, "holds no values, only delimiters or spaces")
        if _UNSAFE.search("".join(fields)):
            return self._unsafe(number, values)
        return SourceRow(self.name, number, values)

    def values(self, number: int, values: dict[str, str]) -> SourceRow:
        """A row that comes with its values by name (a JSON line)."""
        if _UNSAFE.search("".join(values.values())):
            return self._unsafe(number, values)
        return SourceRow(self.name, number, values)

    def _unsafe(self, number: int, values: dict[str, str]) -> SourceRow:
        """Set aside a row whose wanted column holds a control character or an unreadable byte;
        the same character in a column the mapping does not read harms nothing."""
        for column, value in values.items():
            found = _UNSAFE.search(value)
            if found is None or column not in self.wanted:
                continue
            at = found.start() + 1
            char = found.group()
            if "\udc80" <= char <= "\udcff":
                byte = ord(char) - 0xDC00
                why = (
                    f"holds byte 0x{byte:02X} (character {at}), which is not {self.encoding} text; correct that "
                    "character, re-export the file as UTF-8, or say its encoding with --encoding NAME"
                )
            else:
                why = (
                    f"holds the control character \\x{ord(char):02x} (character {at}), which no page or "
                    "spreadsheet can show; remove it from the source and load the file again"
                )
            return SourceRow(self.name, number, values, why, column)
        return SourceRow(self.name, number, values)


class Export:
    """One export opened for reading: its header, how it is read, and its rows (read once)."""

    def __init__(self, path: Path, header: list[str] | None, rows: Iterator[SourceRow], **how: Any) -> None:
        self.path = path
        self.header = header  # None for JSON lines: each line names its own fields
        self.encoding: str | None = how.get("encoding")
        self.delimiter: str | None = how.get("delimiter")
        self.sheet: str | None = how.get("sheet")
        self.clean: bool = how.get("clean", True)
        self._rows = rows

    def rows(self) -> Iterator[SourceRow]:
        return self._rows

    def chunks(self, size: int = DEFAULT_CHUNK) -> Iterator[list[SourceRow]]:
        return _chunked(self._rows, size)

    def close(self) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Export:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


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
        return _open_csv(path, encoding, delimiter, columns)
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, sheet, columns, what)
    if suffix in (".jsonl", ".ndjson"):
        return _open_jsonl(path, columns)
    if suffix == ".xls":
        raise ReaderError(f"{path}: old-style .xls workbooks are not read; save it as .xlsx or CSV")
    raise ReaderError(f"{path}: unknown file type {suffix!r}; Disrupt reads .csv, .tsv, .xlsx and .jsonl")


def _chunked(rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    """Group rows into lists of ``size`` (the last may be shorter)."""
    while chunk := list(islice(rows, size)):
        yield chunk


# -- CSV --------------------------------------------------------------------------------------------


def _open_csv(path: Path, encoding: str | None, delimiter: str | None, columns: Collection[str] | None) -> Export:
    name = str(path)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise ReaderError(f"{name}: unknown encoding {encoding!r}; name one Python knows, e.g. cp1252") from exc
    found = detect_csv(path, encoding=encoding)
    sep = delimiter or found.delimiter
    fh = open(path, encoding=found.encoding, errors="surrogateescape", newline="")  # noqa: SIM115 (the rows close it)
    try:
        reader = csv.reader(fh, delimiter=sep)
        try:
            first = next(reader, None)
        except csv.Error as exc:
            raise ReaderError(f"{name}: the header line is not readable as delimited text: {exc}") from exc
        header = _header(first, name)
        if reader.line_num > 1:
            raise ReaderError(
                f"{name}: the header runs over lines 1 to {reader.line_num}: a double quote in it opens a quoted "
                "name that does not close on line 1; fix the header line"
            )
    except BaseException:
        fh.close()
        raise
    maker = _RowMaker(name, header, columns, found.encoding)
    rows = _csv_rows(fh, reader, maker, sep)
    return Export(path, header, rows, encoding=found.encoding, delimiter=sep, clean=found.clean)


def _csv_rows(fh: TextIO, reader: Any, maker: _RowMaker, sep: str) -> Iterator[SourceRow]:
    """Rows by the physical line they start on. A record that runs over several lines is a quoted
    value with line breaks in it (an address) or, when its field count is wrong or the lines inside
    it look like records of their own, a stray quote's swallow: then every line it took is set
    aside, each with the reason, and reading goes on after it."""
    name = maker.name
    header = maker.header
    last = reader.line_num
    try:
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ReaderError(_csv_failure(name, last + 1, reader.line_num, exc), last + 1) from exc
            start, end = last + 1, reader.line_num
            last = end
            if not fields:
                continue  # an empty line holds nothing: not a record
            if end > start and _swallowed(fields, header, sep):
                reason = _swallow_reason(fields, header, start, end)
                for line in range(start, end + 1):
                    yield SourceRow(name, line, {}, reason)
                continue
            yield maker.row(start, fields)
    finally:
        fh.close()


def _swallowed(fields: list[str], header: list[str], sep: str) -> bool:
    if len(fields) != len(header):
        return True
    if len(header) < 3:
        return False
    # a line inside the value with a delimiter for nearly every column is a record, not an address
    return any(
        line.count(sep) >= len(header) - 1 for value in fields if "\n" in value or "\r" in value
        for line in value.splitlines()
    )  # fmt: skip


def _swallow_reason(fields: list[str], header: list[str], start: int, end: int) -> str:
    k = next((i for i, v in enumerate(fields) if "\n" in v or "\r" in v), 0)
    opened = start + sum(len(v.splitlines()) - 1 for v in fields[:k])
    column = f" ({header[k]})" if k < len(header) else ""
    return (
        f"a stray double quote on line {opened} opens a quoted field{column} that runs to line {end}, so lines "
        f"{start} to {end} read as one record of {len(fields)} fields where the header names {len(header)}; "
        f"remove that quote (or write it twice) and load the file again"
    )


def _csv_failure(name: str, start: int, end: int, exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        lines = f"line {start}" if end <= start else f"lines {start} to {end}"
        return (
            f"{name}: {lines}: a field is longer than {_FIELD_LIMIT:,} characters, so the file cannot be read "
            f"past it. Either a cell is that long, or a stray double quote near the start of line {start} opens "
            "a quoted field that never closes; shorten the cell or remove the quote, and load the file again"
        )
    return f"{name}: line {start}: not readable as delimited text: {exc}"


def read_csv(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, chunk_size: int = DEFAULT_CHUNK
) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of a delimited text file; the first line is the header."""
    with _open_csv(path, encoding, delimiter, None) as export:
        yield from export.chunks(chunk_size)


# -- Excel ------------------------------------------------------------------------------------------


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


def _open_xlsx(path: Path, sheet: str | None, columns: Collection[str] | None, what: str) -> Export:
    from openpyxl import load_workbook

    name = str(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises what its zip and XML libraries raise: any is "unreadable"
        raise ReaderError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        chosen, header = _choose_sheet(book, name, sheet, columns, what)
        maker = _RowMaker(name, header, columns, "xlsx")
        rows = _xlsx_rows(book, chosen, maker)
    except BaseException:
        book.close()
        raise
    return Export(path, header, rows, sheet=chosen)


def _sheet_header(book: Any, title: str, name: str) -> list[str] | None:
    try:
        first = next(book[title].iter_rows(min_row=1, max_row=1, values_only=True), None)
    except Exception as exc:
        raise ReaderError(f"{name}: sheet {title!r} is not readable ({type(exc).__name__}: {exc})") from exc
    if not first:
        return None
    cells = [_cell_text(v) for v in first]
    while cells and cells[-1] == "":
        cells.pop()  # empty cells after the last name are formatting
    return cells


def _choose_sheet(
    book: Any, name: str, sheet: str | None, columns: Collection[str] | None, what: str
) -> tuple[str, list[str]]:
    """The sheet named, else the one sheet whose header has every wanted column (the first sheet
    when no columns are wanted); refused when none or several fit."""
    titles = [ws.title for ws in book.worksheets]
    if sheet is not None:
        if sheet not in titles:
            raise ReaderError(f"{name}: no sheet {sheet!r}; it has {', '.join(titles)}")
        return sheet, _header(_sheet_header(book, sheet, name), f"{name} (sheet {sheet!r})")
    if not titles:
        raise ReaderError(f"{name}: the workbook has no sheets")
    if columns is None:
        return titles[0], _header(_sheet_header(book, titles[0], name), name)
    wanted = set(columns)
    fits: list[tuple[str, list[str]]] = []
    lacking: list[str] = []
    for title in titles:
        cells = _sheet_header(book, title, name) or []
        missing = sorted(wanted - {c.strip() for c in cells})
        if missing:
            lacking.append(f"sheet {title!r} lacks {', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}")
        else:
            fits.append((title, cells))
    mapping = f"the {what} mapping" if what else "the mapping"
    if not fits:
        raise ReaderError(
            f"{name}: no sheet has the columns {mapping} reads ({'; '.join(lacking)}); check the workbook is the "
            "right export, or name its sheet with `sheet: NAME` in your own spec (--specs DIR)"
        )
    if len(fits) > 1:
        raise ReaderError(
            f"{name}: sheets {', '.join(repr(t) for t, _ in fits)} all have the columns {mapping} reads; "
            "say which to load with `sheet: NAME` in your own spec (--specs DIR), or remove the others"
        )
    title, cells = fits[0]
    return title, _header(cells, f"{name} (sheet {title!r})")


def _xlsx_rows(book: Any, title: str, maker: _RowMaker) -> Iterator[SourceRow]:
    header = maker.header
    number = 1
    try:
        rows = book[title].iter_rows(min_row=2, values_only=True)
        while True:
            try:
                cells = next(rows, None)
            except Exception as exc:  # broken sheet XML surfaces as whatever the parser raises
                raise ReaderError(
                    f"{maker.name}: sheet {title!r} is not readable after row {number} "
                    f"({type(exc).__name__}: {exc}); re-save the workbook from Excel, or export the sheet as CSV",
                    number + 1,
                ) from exc
            if cells is None:
                return
            number += 1
            fields = [_cell_text(v) for v in cells]
            while fields and fields[-1] == "" and len(fields) > len(header):
                fields.pop()  # trailing empty cells beyond the header are formatting, not data
            if not fields or all(f == "" for f in fields):
                continue  # an empty sheet row is formatting, not a record
            fields += [""] * (len(header) - len(fields))
            yield maker.row(number, fields)
    finally:
        book.close()


def read_xlsx(path: Path, *, sheet: str | None = None, chunk_size: int = DEFAULT_CHUNK) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of one sheet of a workbook (the first, unless named), streamed."""
    with _open_xlsx(path, sheet, None, "") as export:
        yield from export.chunks(chunk_size)


# -- JSON lines -------------------------------------------------------------------------------------


def _open_jsonl(path: Path, columns: Collection[str] | None) -> Export:
    maker = _RowMaker(str(path), [], columns, "utf-8")
    if columns is None:
        maker.wanted = _Everything()
    return Export(path, None, _jsonl_rows(path, maker), encoding="utf-8")


class _Everything(set[str]):
    def __contains__(self, item: object) -> bool:
        return True


def _jsonl_rows(path: Path, maker: _RowMaker) -> Iterator[SourceRow]:
    """Rows numbered from 2, as if a header stood on line 1, so that every format numbers alike."""
    name = str(path)
    with open(path, encoding="utf-8-sig", errors="surrogateescape") as fh:
        for line_no, line in enumerate(fh, start=1):
            number = line_no + 1
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield SourceRow(name, number, {}, f"is not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            except RecursionError:
                yield SourceRow(name, number, {}, "is JSON nested too deeply to read; a record is one flat object")
                continue
            if isinstance(record, dict):
                yield maker.values(number, {str(k): _json_text(v) for k, v in record.items()})
            else:
                yield SourceRow(name, number, {}, "is JSON but not an object of named fields")


def _json_text(value: object) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return _cell_text(value)


def read_jsonl(path: Path, *, chunk_size: int = DEFAULT_CHUNK) -> Iterator[list[SourceRow]]:
    """Yield chunks of rows of a JSON-lines file: one object per line, values kept as text."""
    with _open_jsonl(path, None) as export:
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
