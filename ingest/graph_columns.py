"""The CSV files of a neo4j-admin import bundle: typed headers (``name:type``, ``:ID(space)``,
``:LABEL``, ``:START_ID`` ...), whether a file holds nodes or relationships, and its rows as typed
values (``int``, ``double``, ``date``, ``string[]`` ...) with the special columns apart.

A value that does not convert to its column's type is reported, not raised, so the row is set
aside with its column and the rest of the file loads.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.graph_report import GraphImportError
from ingest.ledger import Reject
from ingest.readers import ReaderError, read_csv

_HEADER = re.compile(r"^(?P<name>[^:]*)(?::(?P<type>[A-Za-z_]+(?:\[\])?)(?:\((?P<space>[^)]*)\))?)?$")
SPECIAL = ("ID", "START_ID", "END_ID", "LABEL", "TYPE")  # columns that say what a row is, not properties


def convert(value: str, type_name: str) -> Any:
    """A cell's text as the neo4j-admin type its header names.

    Raises:
        ValueError: the text is not a value of that type.
    """
    if type_name.endswith("[]"):
        return [convert(v, type_name[:-2]) for v in value.split(";") if v != ""]
    t = type_name.lower()
    if t in ("int", "long", "short", "byte"):
        return int(value)
    if t in ("float", "double"):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return number
    if t == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError("expected true or false")
        return value.lower() == "true"
    if t == "date":
        return dt.date.fromisoformat(value).isoformat()
    if t in ("datetime", "localdatetime"):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    return value


@dataclass(frozen=True)
class Column:
    """One header cell: as written, the property it names, its type and its id space."""

    header: str
    name: str
    type: str
    space: str


def read_columns(header: list[str], path: Path) -> list[Column]:
    """The columns of a bundle file's header.

    Raises:
        GraphImportError: a header cell is not ``name:type`` or a special column.
    """
    cols = []
    for h in header:
        m = _HEADER.match(h)
        if not m:
            raise GraphImportError(f"{path}: header {h!r} is not name:type or :ID / :LABEL / :START_ID ...")
        cols.append(Column(h, m["name"], m["type"] or "string", m["space"] or ""))
    return cols


def file_kind(cols: list[Column]) -> str:
    """``relationships`` (a :START_ID and an :END_ID), ``nodes`` (an :ID) or ``unknown``."""
    types = {c.type.upper() for c in cols}
    if {"START_ID", "END_ID"} <= types:
        return "relationships"
    if "ID" in types:
        return "nodes"
    return "unknown"


def header_of(path: Path) -> list[str]:
    """The first line of a bundle file, split as CSV."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [h.strip() for h in next(csv.reader(fh), [])]


def bundle_rows(path: Path) -> Generator[tuple[int, dict[str, str], str | None], None, None]:
    """Each row of a bundle file: its line, its cells by header, and what is wrong with it (or None).

    Raises:
        GraphImportError: the file cannot be read at all.
    """
    try:
        for chunk in read_csv(path, encoding="utf-8-sig", delimiter=","):
            for row in chunk:
                yield row.row, row.values, row.problem
    except ReaderError as exc:
        raise GraphImportError(str(exc)) from exc


def typed_row(cols: list[Column], values: dict[str, str]) -> tuple[dict[str, Any], list[Reject], dict[str, str]]:
    """A row's properties as their types, the cells that did not convert (file and line left for the
    caller), and its special columns (``ID``, ``START_ID`` ... and each one's ``_SPACE``)."""
    props: dict[str, Any] = {}
    special: dict[str, str] = {}
    problems: list[Reject] = []
    for c in cols:
        raw = values.get(c.header, "")
        kind = c.type.upper()
        if kind in SPECIAL:
            special[kind], special[kind + "_SPACE"] = raw, c.space
            if kind != "ID" or not c.name:
                continue  # a named :ID column is also a property, as neo4j-admin stores it
        if kind == "IGNORE" or raw == "":
            continue
        try:
            props[c.name] = convert(raw, "string" if kind == "ID" else c.type)
        except ValueError as exc:
            problems.append(Reject("", 0, c.header, f"{raw[:40]!r} is not a {c.type}: {exc}"))
    return props, problems, special


__all__ = ["SPECIAL", "Column", "bundle_rows", "convert", "file_kind", "header_of", "read_columns", "typed_row"]
