"""The saved analysis tables, decoded once per server process and shared by every session.

Every page reads a few whole tables (flags, key players, groups, child indicators) to shape one
view. Decoding them from the store's JSON at every click was 56% of the server's CPU with 12
sessions on the 100k store (py-spy), so a table is decoded once and kept while its version (latest
run id, its time, and how many of its rows the store holds) stays the same: a new analysis run or an
erasure that removes a row is read at the next click. Each read costs one query for the version.

The rows are shared between sessions: treat them as read-only (shape copies, never edit them).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph import GraphStore


@dataclass
class _Table:
    version: tuple[str, str, int]
    rows: tuple[Mapping[str, Any], ...]
    by_entity: dict[str, tuple[Mapping[str, Any], ...]] | None = field(default=None)


_TABLES: dict[tuple[str, str], _Table] = {}
_LOCK = threading.Lock()


def _table(store: GraphStore, name: str) -> _Table | None:
    version = store.result_version(name)
    if version is None:
        return None
    key = (str(getattr(store, "url", id(store))), name)
    held = _TABLES.get(key)
    if held is not None and held.version == version:
        return held
    table = store.read_results(name, run_id=version[0])
    if table is None:
        return None
    # Keyed by the version read first: a save or erasure between the two reads is seen at the next read.
    fresh = _Table(version, tuple(table.rows))
    with _LOCK:
        _TABLES[key] = fresh
    return fresh


def rows(store: GraphStore, name: str) -> Sequence[Mapping[str, Any]]:
    """The rows of the latest run of the named table (empty when it was never saved). Read-only."""
    table = _table(store, name)
    return table.rows if table else ()


def rows_of(store: GraphStore, name: str, entity_id: str) -> Sequence[Mapping[str, Any]]:
    """The rows of the named table about one entity (its ``entity_id``). Read-only."""
    table = _table(store, name)
    if table is None:
        return ()
    index = table.by_entity
    if index is None:  # built once per run; two threads building it at once build the same index
        grouped: dict[str, list[Mapping[str, Any]]] = {}
        for row in table.rows:
            grouped.setdefault(str(row.get("entity_id")), []).append(row)
        index = table.by_entity = {k: tuple(v) for k, v in grouped.items()}
    return index.get(entity_id, ())


def forget() -> None:
    """Drop every decoded table (tests that rewrite a store under the same URL call it)."""
    with _LOCK:
        _TABLES.clear()
