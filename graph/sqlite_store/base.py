"""Small helpers of the embedded store: JSON parameters, row shapes, chunking, lock errors."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from graph.merge import non_empty
from graph.records import Provenance
from graph.store_core import chunks, to_json

log = logging.getLogger(__name__)


R = TypeVar("R")


_CHUNK = 5_000  # ids per json_each parameter when reading many rows


# one encoder for every call: json.dumps with options builds a new encoder each time
_json = to_json


def _patch(clean: Mapping[str, Any], encoded: str) -> str:
    """What a record lays over a stored one (graph.merge.non_empty), as JSON; usually all of it."""
    values = clean.values()  # validated, so never None; `in` compares in C, for every record of a load
    if "" in values or [] in values:
        return _json(non_empty(clean))
    return encoded


def _json_list(values: Collection[str] | None) -> str | None:
    return None if values is None else _json(sorted(set(values)))


def _records(record: Callable[..., R], cursor: sqlite3.Cursor) -> list[R]:
    """Rows as records, each column given to the field it is named for (never by position)."""
    names = [d[0] for d in cursor.description]
    return [record(**dict(zip(names, row, strict=True))) for row in cursor]


def _first_two(row: tuple[Any, ...]) -> tuple[Any, Any]:
    return row[0], row[1]


def _source_rows(owner: str, provenance: Sequence[Provenance]) -> list[tuple[Any, ...]]:
    """A fact's sources as ``provenance`` rows; the first one's fields are also its inline columns."""
    return [(owner, p.source, p.record_id, p.loaded_at, p.run_id, p.grading) for p in provenance]


def _further_sources(
    rows: list[tuple[Any, ...]], sources: list[tuple[Any, ...]], held: Mapping[str, tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The sources an upsert does not keep inline. A fact stored before keeps the source it holds
    inline (``held`` gives it); a new fact holds its first row's first source (columns 7 and 8 of
    its upsert row). Every other source goes to ``provenance``."""
    inline: dict[str, tuple[Any, ...]] = dict(held)
    for row in rows:
        inline.setdefault(row[0], (row[7], row[8]))
    return [p for p in sources if inline[p[0]] != (p[1], p[2])]


def _is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    return chunks(items, _CHUNK)


class _SQLiteLoad:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def commit(self) -> None:
        self._db.execute("COMMIT")
        self._db.execute("BEGIN IMMEDIATE")
