"""The saved analysis tables, decoded once per server process and shared by every session.

Every page reads a few whole tables (flags, key players, groups, child indicators) to shape one
view. Decoding them from the store's JSON at every click was 56% of the server's CPU with 12
sessions on the 100k store (py-spy), so a table is decoded once and kept while its version (latest
run id, its time, and how many of its rows the store holds) stays the same: a new analysis run or an
erasure that removes a row is read at the next click. Each read costs one query for the version.

Each table is decoded into its row type (:mod:`graph.result_rows`), frozen, so the rows shared
between sessions cannot be edited by one of them (their lists are still lists: never edit them).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from graph import GraphStore
from graph.result_rows import ResultRow

R = TypeVar("R", bound=ResultRow)


@dataclass
class _Table(Generic[R]):
    version: tuple[str, str, int]
    rows: tuple[R, ...]
    by_entity: dict[str, tuple[R, ...]] | None = field(default=None)


_TABLES: dict[tuple[str, str], _Table[ResultRow]] = {}
_LOCK = threading.Lock()


def _table(store: GraphStore, row_type: type[R]) -> _Table[R] | None:
    name = row_type.TABLE
    version = store.result_version(name)
    if version is None:
        return None
    key = (str(getattr(store, "url", id(store))), name)
    held = _TABLES.get(key)
    if held is not None and held.version == version:
        return cast(_Table[R], held)
    table = store.read_results(name, run_id=version[0])
    if table is None:
        return None
    # Keyed by the version read first: a save or erasure between the two reads is seen at the next read.
    fresh = _Table(version, tuple(row_type.from_mapping(r) for r in table.rows))
    with _LOCK:
        _TABLES[key] = cast(_Table[ResultRow], fresh)
    return fresh


def rows(store: GraphStore, row_type: type[R]) -> Sequence[R]:
    """The rows of the latest run of the table of ``row_type`` (empty when it was never saved). Read-only."""
    table = _table(store, row_type)
    return table.rows if table else ()


def rows_of(store: GraphStore, row_type: type[R], entity_id: str) -> Sequence[R]:
    """The rows of the table of ``row_type`` about one entity (its ``entity_id``). Read-only."""
    table = _table(store, row_type)
    if table is None:
        return ()
    index = table.by_entity
    if index is None:  # built once per run; two threads building it at once build the same index
        grouped: dict[str, list[R]] = {}
        for row in table.rows:
            grouped.setdefault(str(row.entity_id), []).append(row)
        index = table.by_entity = {k: tuple(v) for k, v in grouped.items()}
    return index.get(entity_id, ())


def forget() -> None:
    """Drop every decoded table (tests that rewrite a store under the same URL call it)."""
    with _LOCK:
        _TABLES.clear()
