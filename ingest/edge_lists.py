"""Edge lists as networks are published: comma, tab, semicolon or whitespace separated, with or
without a header, weights optional, ``#`` and ``%`` comment lines (SNAP, KONECT, Pajek-like dumps).

A header is a first line naming ``source`` and ``target`` (and optionally ``weight`` and ``type``;
other columns are kept as link properties). With no header the columns are source, target, then
weight, then anything further as ``column_4``, ``column_5`` ...

Each line is split on its own, so a stray quote cannot swallow the lines after it, and every row
keeps its physical line number for the rejects file.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError

log = logging.getLogger(__name__)

DELIMITERS = {"comma": ",", "tab": "\t", "semicolon": ";", "whitespace": None}
_COMMENT = ("#", "%")
_SAMPLE = 50
# Words that show a first line is a header, though not one this reader understands.
_HEADER_WORDS = frozenset({"from", "to", "src", "dst", "source_id", "target_id", "node1", "node2", "weight", "type"})


class EdgeListError(IngestError):
    """An edge list cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class EdgeRow:
    line: int
    source: str
    target: str
    weight: str = ""
    type: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


@dataclass(frozen=True)
class EdgeListLayout:
    delimiter: str  # a key of DELIMITERS
    header: bool
    columns: tuple[str, ...]  # the header's names, or source, target, weight, column_4 ...


def _split(line: str, delimiter: str) -> list[str]:
    sep = DELIMITERS[delimiter]
    if sep is None:
        return line.split()
    if sep == "\t":
        return [f.strip() for f in line.split("\t")]
    return [f.strip() for f in next(csv.reader([line], delimiter=sep))]


def _content_lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for number, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if line.strip() and not line.lstrip().startswith(_COMMENT):
                yield number, line


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits every sampled line into the same number (two or more) of fields:
    tab, then semicolon, then comma, then runs of whitespace."""
    for name in ("tab", "semicolon", "comma"):
        counts = {len(_split(line, name)) for line in lines}
        if len(counts) == 1 and min(counts) >= 2:
            return name
    for name in ("tab", "semicolon", "comma"):  # ragged rows (optional trailing weights) still split
        if all(len(_split(line, name)) >= 2 for line in lines):
            return name
    if all(len(line.split()) >= 2 for line in lines):
        return "whitespace"
    raise EdgeListError("no delimiter splits every line into two or more fields (comma, tab, semicolon or spaces)")


def _is_header(fields: list[str]) -> bool | None:
    """True for a header naming source and target; None for a header of other names; else False."""
    names = {f.strip().lower() for f in fields}
    if {"source", "target"} <= names:
        return True
    return None if names & _HEADER_WORDS else False


def edge_list_layout(path: Path, *, header: bool | None = None, delimiter: str | None = None) -> EdgeListLayout:
    """How an edge list is laid out: its delimiter, whether its first line is a header, its columns.

    Raises:
        EdgeListError: the file is empty, no delimiter fits, or a header names no source and target.
    """
    if delimiter is not None and delimiter not in DELIMITERS:
        raise EdgeListError(f"delimiter {delimiter!r}: use one of {', '.join(DELIMITERS)}")
    sample = []
    for _, line in _content_lines(path):
        sample.append(line)
        if len(sample) >= _SAMPLE:
            break
    if not sample:
        raise EdgeListError(f"{path}: no edges (the file is empty or only comments)")
    name = delimiter or detect_delimiter(sample[1:] or sample)
    first = _split(sample[0], name)
    found = _is_header(first)
    if header is None and found is None:
        raise EdgeListError(
            f"{path}: an edge list needs columns source and target (optional weight, type); "
            f"the first line names {', '.join(first)[:120]}"
        )
    has_header = bool(found) if header is None else header
    if has_header:
        columns = tuple(
            f.strip().lower() if f.strip().lower() in {"source", "target", "weight", "type"} else f for f in first
        )
        missing = [c for c in ("source", "target") if c not in columns]
        if missing:
            raise EdgeListError(
                f"{path}: an edge list needs columns source and target (optional weight, type); no {missing}"
            )
    else:
        width = max(len(_split(line, name)) for line in sample)
        columns = ("source", "target", "weight", *(f"column_{i}" for i in range(4, width + 1)))[: max(width, 2)]
    log.debug("edge list layout: %s, header %s, %d columns", name, has_header, len(columns))
    return EdgeListLayout(name, has_header, columns)


def read_edge_list(path: Path, layout: EdgeListLayout) -> Iterator[EdgeRow]:
    """Yield every edge of the file, by physical line, with what is wrong with it if anything."""
    lines = _content_lines(path)
    if layout.header:
        next(lines, None)
    for number, line in lines:
        try:
            fields = _split(line, layout.delimiter)
        except csv.Error as exc:
            yield EdgeRow(number, "", "", problem=f"cannot split the line: {exc}")
            continue
        if len(fields) > len(layout.columns):
            yield EdgeRow(number, "", "", problem=f"{len(fields)} fields, the file has {len(layout.columns)} columns")
            continue
        values = dict(zip(layout.columns, fields, strict=False))
        extra = {k: v for k, v in values.items() if k not in {"source", "target", "weight", "type"} and v != ""}
        yield EdgeRow(
            number,
            values.get("source", ""),
            values.get("target", ""),
            values.get("weight", ""),
            values.get("type", ""),
            extra,
        )


__all__ = ["DELIMITERS", "EdgeListError", "EdgeListLayout", "EdgeRow", "edge_list_layout", "read_edge_list"]
