"""Erasing entities from the Neo4j store, and lifting erasures."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from graph.contract import ErasureReason, LiftReason, lifted_already
from graph.errors import StoreError
from graph.neo4j_store.base import Tx
from graph.neo4j_store.queries import _ERASED_AMONG, _MEMBERS, _READ_ENDS
from graph.neo4j_store.resolution import _Resolution
from graph.records import ErasureRecord, now_iso

log = logging.getLogger(__name__)


def _erasure_props(record: ErasureRecord) -> dict[str, Any]:
    return dataclasses.asdict(record)  # a lift's fields are None until it is lifted: Neo4j keeps no null


def _erasure_record(props: Mapping[str, Any]) -> ErasureRecord:
    fields: dict[str, Any] = {k: props.get(k) for k in ErasureRecord.__slots__}
    return ErasureRecord(**fields)


class _Erasure(_Resolution):
    """Erasure and its lifting."""

    def erase(self, entity_id: str, reason: ErasureReason, reference: str) -> ErasureRecord:
        return self._write(lambda tx: self._erase(tx, entity_id, reason, reference))

    def _erase(self, tx: Tx, entity_id: str, reason: ErasureReason, reference: str) -> ErasureRecord:
        canon = self._canonical(tx, entity_id)
        kind = self._rows(tx, _READ_ENDS, "ids", [canon])[0]["kind"]
        records = [canon, *(r["id"] for r in self._rows(tx, _MEMBERS, "ids", [canon]))]
        link_ids = [
            r["id"] for r in tx.run("MATCH (n:Entity {id: $id})-[r]-() RETURN DISTINCT r.id AS id", id=canon).data()
        ]

        def delete_counted(query: str, ids: list[str]) -> int:
            return sum(r["n"] for r in self._rows(tx, query, "ids", ids))

        sources = delete_counted(
            "UNWIND $ids AS x MATCH (s:DisruptSource {owner: x}) DETACH DELETE s RETURN count(*) AS n",
            [*records, *link_ids],
        )
        results = delete_counted(
            "UNWIND $ids AS x MATCH (r:DisruptResultRow {entity_id: x}) DETACH DELETE r RETURN count(*) AS n", records
        )
        tx.run(
            "MATCH (j:DisruptJudgement) WHERE j.first IN $ids OR j.second IN $ids DETACH DELETE j", ids=records
        ).consume()
        self._each(tx, "UNWIND $rows AS x MATCH (n:Entity {id: x}) DETACH DELETE n", records)
        erasure_id = uuid.uuid4().hex
        self._each(
            tx,
            "UNWIND $rows AS x MERGE (e:DisruptErased {id: x}) SET e.erasure_id = $erasure",
            records,
            erasure=erasure_id,
        )
        record = ErasureRecord(
            erasure_id=erasure_id,
            erased_at=now_iso(),
            kind=kind,
            links_removed=len(link_ids),
            sources_removed=sources,
            results_removed=results,
            reason=reason,
            reference=reference,
        )
        tx.run("CREATE (e:DisruptErasure) SET e = $props", props=_erasure_props(record)).consume()
        return record

    def erasures(self) -> list[ErasureRecord]:
        rows = self._read(
            lambda tx: tx.run(
                "MATCH (e:DisruptErasure) RETURN properties(e) AS e ORDER BY e.erased_at, e.erasure_id"
            ).data()
        )
        return [_erasure_record(r["e"]) for r in rows]

    def lift(self, erasure_id: str, reason: LiftReason, reference: str) -> ErasureRecord:

        def work(tx: Tx) -> tuple[ErasureRecord, int]:
            found = tx.run("MATCH (e:DisruptErasure {erasure_id: $id}) RETURN properties(e) AS e", id=erasure_id).data()
            if not found:
                raise StoreError(f"no erasure {erasure_id!r} in this store; `disrupt erasures` lists them")
            record = _erasure_record(found[0]["e"])
            if record.lifted_at is not None:
                raise lifted_already(record)
            lifted = dataclasses.replace(record, lifted_at=now_iso(), lift_reason=reason, lift_reference=reference)
            freed = tx.run(
                "MATCH (x:DisruptErased {erasure_id: $id}) DELETE x RETURN count(*) AS n", id=erasure_id
            ).single(strict=True)["n"]
            tx.run(
                "MATCH (e:DisruptErasure {erasure_id: $id}) "
                "SET e.lifted_at = $at, e.lift_reason = $reason, e.lift_reference = $reference",
                id=erasure_id,
                at=lifted.lifted_at,
                reason=reason,
                reference=reference,
            ).consume()
            return lifted, freed

        lifted, freed = self._write(work)
        log.info("lifted erasure %s: %d erased ids may be stored again", erasure_id, freed)
        return lifted

    def keep_erasure_records(self, records: Sequence[ErasureRecord], erased: Mapping[str, str]) -> int:
        rows = [_erasure_props(r) for r in records]
        erased_rows = [{"id": k, "erasure_id": v} for k, v in sorted(erased.items())]

        def work(tx: Tx) -> int:
            held_ids = {r["id"] for r in self._rows(tx, _ERASED_AMONG, "ids", [r["id"] for r in erased_rows])}
            fresh = [r for r in erased_rows if r["id"] not in held_ids]
            self._each(tx, "UNWIND $rows AS r CREATE (e:DisruptErased) SET e = r", fresh)
            held = {
                r["id"]
                for r in self._rows(
                    tx,
                    "UNWIND $ids AS x MATCH (e:DisruptErasure {erasure_id: x}) RETURN e.erasure_id AS id",
                    "ids",
                    [r["erasure_id"] for r in rows],
                )
            }
            new = [r for r in rows if r["erasure_id"] not in held]
            self._each(tx, "UNWIND $rows AS r CREATE (e:DisruptErasure) SET e = r", new)
            return len(new)

        return self._write(work)

    def erased_ids(self, ids: list[str] | None) -> dict[str, str]:
        if ids is None:
            rows = self._read(
                lambda tx: tx.run(
                    "MATCH (e:DisruptErased) RETURN e.id AS id, e.erasure_id AS erasure_id ORDER BY e.id"
                ).data()
            )
        else:
            rows = self._read(lambda tx: self._rows(tx, _ERASED_AMONG, "ids", ids))
        return {r["id"]: r["erasure_id"] for r in rows}
