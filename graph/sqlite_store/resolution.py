"""Entity resolution in the embedded store: records as loaded, canonical entities, judgements."""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from collections.abc import Collection, Iterator, Mapping

from graph.contract import unknown_judged
from graph.records import Entity, Judgement, Link
from graph.sqlite_store.base import _CHUNK, _chunks, _json, _records
from graph.sqlite_store.queries import _KIND_AND_CANONICAL, _MOVE_LINK_SOURCES, _MOVE_LINK_TARGETS
from graph.sqlite_store.writes import _Writes
from graph.store_core import check_assignments

log = logging.getLogger(__name__)


class _Resolution(_Writes):
    """Records as loaded, canonical entities and judgements."""

    def records_of_kind(self, kind: str, *, provenance: bool = False) -> Iterator[Entity]:
        after = ""
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT id, kind, label, props, first_seen, last_seen, merged_into FROM entities "
                    "WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
                    (kind, after, _CHUNK),
                ).fetchall()
                prov = self._provenance_of([r[0] for r in rows]) if provenance else {}
            if not rows:
                return
            for eid, k, label, props, first, last, merged in rows:
                yield Entity(eid, k, label, json.loads(props), prov.get(eid, ()), first, last, merged)
            after = rows[-1][0]

    def links_of_kind(self, kind: str) -> Iterator[Link]:
        after = ""
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT id, kind, orig_src, orig_dst, props, first_seen, last_seen FROM links "
                    "WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
                    (kind, after, _CHUNK),
                ).fetchall()
                prov = self._provenance_of([r[0] for r in rows])
            if not rows:
                return
            for lid, k, src, dst, props, first, last in rows:
                yield Link(lid, k, src, dst, json.loads(props), prov.get(lid, ()), first, last)
            after = rows[-1][0]

    def set_canonical(self, assignments: Mapping[str, str]) -> int:
        with self._transaction() as db:
            db.execute("DELETE FROM assign")
            db.execute("DELETE FROM changed")
            check_assignments(assignments, self._held_for_resolution(db, {*assignments, *assignments.values()}))
            db.executemany("INSERT OR REPLACE INTO assign(id, canon) VALUES (?, ?)", assignments.items())
            db.execute(
                "INSERT INTO changed SELECT a.id FROM assign AS a JOIN entities AS e ON e.id = a.id "
                "WHERE coalesce(e.merged_into, e.id) != a.canon"
            )
            db.execute(
                "UPDATE entities SET merged_into = "
                "(SELECT nullif(a.canon, a.id) FROM assign AS a WHERE a.id = entities.id) "
                "WHERE id IN (SELECT id FROM changed)"
            )
            # records merged into a record that no longer stands alone follow it to its canonical entity
            db.execute(
                "INSERT OR IGNORE INTO changed SELECT e.id FROM entities AS e "
                "JOIN entities AS p ON p.id = e.merged_into "
                "WHERE p.merged_into IS NOT NULL"
            )
            db.execute(
                "UPDATE entities SET merged_into = "
                "(SELECT p.merged_into FROM entities AS p WHERE p.id = entities.merged_into) "
                "WHERE id IN (SELECT id FROM changed) AND merged_into IN "
                "(SELECT id FROM entities WHERE merged_into IS NOT NULL)"
            )
            db.execute(_MOVE_LINK_SOURCES)
            db.execute(_MOVE_LINK_TARGETS)
            changed = int(db.execute("SELECT count(*) FROM changed").fetchone()[0])
            db.execute("DELETE FROM assign")
            db.execute("DELETE FROM changed")
        return changed

    @staticmethod
    def _held_for_resolution(db: sqlite3.Connection, ids: Collection[str]) -> dict[str, tuple[str, str]]:
        """The kind and canonical id now of each of these ids that is stored."""
        held: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(sorted(ids)):
            for entity_id, kind, canonical in db.execute(_KIND_AND_CANONICAL, (_json(list(chunk)),)):
                held[entity_id] = (kind, canonical)
        return held

    def keep_judgement(self, judgement: Judgement) -> None:
        a, b = judgement.first, judgement.second
        with self._transaction() as db:
            if db.execute("SELECT count(*) FROM entities WHERE id IN (?, ?)", (a, b)).fetchone()[0] != 2:
                raise unknown_judged(a, b)
            db.execute(
                "INSERT INTO judgements(first, second, verdict, decided_at, reference) "
                "VALUES (:first, :second, :verdict, :decided_at, :reference) "
                "ON CONFLICT(first, second) DO UPDATE SET "
                "verdict = excluded.verdict, decided_at = excluded.decided_at, reference = excluded.reference",
                dataclasses.asdict(judgement),
            )

    def judgements(self) -> list[Judgement]:
        with self._lock:
            return _records(
                Judgement,
                self._db.execute(
                    "SELECT first, second, verdict, decided_at, reference FROM judgements "
                    "ORDER BY decided_at, first, second"
                ),
            )
