"""What every reader shares: a row as read (:class:`SourceRow`), an opened export (:class:`Export`),
the header checks and the checks each record's fields get (:class:`RowMaker`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

from ingest.defaults import DEFAULT_CHUNK
from ingest.errors import ReaderError

# What openpyxl refuses to write (IllegalCharacterError) and a page cannot show: C0 controls but
# tab, newline and carriage return; and the lone surrogates that stand for bytes the file's
# encoding could not read (decoded with errors="surrogateescape").
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One input row: where it came from and its values by column name (all text)."""

    file: str
    row: int
    values: dict[str, str]
    problem: str | None = None
    column: str = ""  # the column at fault, when the problem is one column's


def clean_header(fields: list[str] | None, name: str) -> list[str]:
    """The header's column names, stripped; refused when empty, blank or repeated."""
    if not fields:
        raise ReaderError(f"{name}: empty file; an export needs a header row naming its columns")
    header = [f.strip() for f in fields]
    blank = [i + 1 for i, f in enumerate(header) if not f]
    repeated = sorted({f for f in header if header.count(f) > 1})
    if blank or repeated:
        what = f"blank column names at positions {blank}" if blank else f"repeated column names {repeated}"
        raise ReaderError(f"{name}: the header has {what}; every column needs its own name")
    return header


class RowMaker:
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
        if UNSAFE.search("".join(fields)):
            return self._unsafe(number, values)
        return SourceRow(self.name, number, values)

    def values(self, number: int, values: dict[str, str]) -> SourceRow:
        """A row that comes with its values by name (a JSON line)."""
        if UNSAFE.search("".join(values.values())):
            return self._unsafe(number, values)
        return SourceRow(self.name, number, values)

    def _unsafe(self, number: int, values: dict[str, str]) -> SourceRow:
        """Set aside a row whose wanted column holds a control character or an unreadable byte;
        the same character in a column the mapping does not read harms nothing."""
        for column, value in values.items():
            found = UNSAFE.search(value)
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
        return chunked(self._rows, size)

    def close(self) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Export:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def chunked(rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    """Group rows into lists of ``size`` (the last may be shorter)."""
    while chunk := list(islice(rows, size)):
        yield chunk


def cell_text(value: object) -> str:
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


__all__ = ["Export", "RowMaker", "SourceRow", "cell_text", "chunked", "clean_header"]
