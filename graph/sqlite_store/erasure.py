"""Erasing entities from the embedded store, and lifting erasures."""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from collections.abc import Mapping, Sequence

from graph.contract import ErasureReason, LiftReason, lifted_already
from graph.errors import StoreError
from graph.records import ErasureRecord, now_iso
from graph.sqlite_store.base import _chunks, _json, _records
from graph.sqlite_store.queries import _ERASED_AMONG, _ERASURES, _INSERT_ERASURE, _INSERT_LIFT
from graph.sqlite_store.resolution import _Resolution

log = logging.getLogger(__name__)


class _Erasure(_Resolution):
    """Erasure and its lifting."""

    def erase(self, entity_id: str, reason: ErasureReason, reference: str) -> ErasureRecord:
        with self._transaction() as db:
            entity_id = self._canonical(entity_id)
            row = db.execute("SELECT kind FROM entities WHERE id = ?", (entity_id,)).fetchone()
            # the canonical entity and every source record merged into it
            records = _json(
                [entity_id, *(r[0] for r in db.execute("SELECT id FROM entities WHERE merged_into = ?", (entity_id,)))]
            )
            link_ids = [r[0] for r in db.execute("SELECT id FROM links WHERE src = ?1 OR dst = ?1", (entity_id,))]
            owners = _json([*json.loads(records), *link_ids])
            inline = db.execute(
                "SELECT (SELECT count(*) FROM entities WHERE source IS NOT NULL "
                "AND id IN (SELECT value FROM json_each(?1))) + (SELECT count(*) FROM links "
                "WHERE source IS NOT NULL AND id IN (SELECT value FROM json_each(?1)))",
                (owners,),
            ).fetchone()[0]
            sources = (
                inline
                + db.execute(
                    "DELETE FROM provenance WHERE owner IN (SELECT value FROM json_each(?))", (owners,)
                ).rowcount
            )
            results = db.execute(
                "DELETE FROM result_rows WHERE entity_id IN (SELECT value FROM json_each(?))", (records,)
            ).rowcount
            db.execute("DELETE FROM search_terms WHERE entity_id IN (SELECT value FROM json_each(?))", (records,))
            db.execute("DELETE FROM links WHERE src = ?1 OR dst = ?1", (entity_id,))
            db.execute(
                "DELETE FROM judgements WHERE first IN (SELECT value FROM json_each(?1)) "
                "OR second IN (SELECT value FROM json_each(?1))",
                (records,),
            )
            db.execute("DELETE FROM entities WHERE merged_into = ?", (entity_id,))
            db.execute("DELETE FROM entities WHERE id = ?", (entity_id,))
            erasure_id = uuid.uuid4().hex
            db.execute(
                "INSERT OR IGNORE INTO erased(id, erasure_id) SELECT value, ? FROM json_each(?)", (erasure_id, records)
            )
            record = ErasureRecord(
                erasure_id=erasure_id,
                erased_at=now_iso(),
                kind=row[0],
                links_removed=len(link_ids),
                sources_removed=sources,
                results_removed=results,
                reason=reason,
                reference=reference,
            )
            db.execute(_INSERT_ERASURE, dataclasses.asdict(record))
        return record

    def erasures(self) -> list[ErasureRecord]:
        with self._lock:
            return _records(ErasureRecord, self._db.execute(_ERASURES + "ORDER BY e.erased_at, e.erasure_id"))

    def lift(self, erasure_id: str, reason: LiftReason, reference: str) -> ErasureRecord:
        with self._transaction() as db:
            found = _records(ErasureRecord, db.execute(_ERASURES + "WHERE e.erasure_id = ?", (erasure_id,)))
            if not found:
                raise StoreError(f"no erasure {erasure_id!r} in this store; `disrupt erasures` lists them")
            record = found[0]
            if record.lifted_at is not None:
                raise lifted_already(record)
            freed = db.execute("DELETE FROM erased WHERE erasure_id = ?", (erasure_id,)).rowcount
            lifted = dataclasses.replace(record, lifted_at=now_iso(), lift_reason=reason, lift_reference=reference)
            db.execute(_INSERT_LIFT, dataclasses.asdict(lifted))
        log.info("lifted erasure %s: %d erased ids may be stored again", erasure_id, freed)
        return lifted

    def keep_erasure_records(self, records: Sequence[ErasureRecord], erased: Mapping[str, str]) -> int:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO erased(id, erasure_id) VALUES (?, ?) ON CONFLICT(id) DO NOTHING", erased.items()
            )
            added = 0
            for r in records:
                fields = dataclasses.asdict(r)
                if not db.execute(_INSERT_ERASURE + " ON CONFLICT(erasure_id) DO NOTHING", fields).rowcount:
                    continue  # held already, with or without its lift
                added += 1
                if r.lifted_at is not None:
                    db.execute(_INSERT_LIFT, fields)
            return added

    def erased_ids(self, ids: list[str] | None) -> dict[str, str]:
        with self._lock:
            if ids is None:
                return dict(self._db.execute("SELECT id, erasure_id FROM erased ORDER BY id").fetchall())
            found: dict[str, str] = {}
            for chunk in _chunks(ids):
                found.update(self._db.execute(_ERASED_AMONG, (_json(list(chunk)),)).fetchall())
            return found
