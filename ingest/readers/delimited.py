"""Delimited text (CSV, TSV ...): the encoding judged over the whole file, the delimiter from the
header line, and rows numbered by the physical line they start on, with every line a runaway
quoted field swallowed set aside (Python's csv reader takes a stray ``"`` at the start of a field
as the start of a quoted field and reads on, across lines, to the next quote)."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ingest.errors import ReaderError
from ingest.readers.rows import Export, RowMaker, SourceRow, clean_header

_SAMPLE_BYTES = 256 * 1024
_BLOCK = 1 << 20
_DELIMITERS = ",;\t|"
_FIELD_LIMIT = csv.field_size_limit()
_NOT_TEXT = re.compile("[\udc80-\udcff]")
_NOT_ASCII_TEXT = re.compile("[^\x00-\x7f\udc80-\udcff]")


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


def open_csv(path: Path, encoding: str | None, delimiter: str | None, columns: Collection[str] | None) -> Export:
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
        header = clean_header(first, name)
        if reader.line_num > 1:
            raise ReaderError(
                f"{name}: the header runs over lines 1 to {reader.line_num}: a double quote in it opens a quoted "
                "name that does not close on line 1; fix the header line"
            )
    except BaseException:
        fh.close()
        raise
    maker = RowMaker(name, header, columns, found.encoding)
    rows = _csv_rows(fh, reader, maker, sep)
    return Export(path, header, rows, encoding=found.encoding, delimiter=sep, clean=found.clean)


def _csv_rows(fh: TextIO, reader: Any, maker: RowMaker, sep: str) -> Iterator[SourceRow]:
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


__all__ = ["CsvDialect", "detect_csv", "detect_encoding", "open_csv"]
