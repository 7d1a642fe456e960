"""Saved analysis results in the Neo4j store (also written onto entity nodes for Browser and Bloom)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from graph.neo4j_store.base import _NAME, Tx
from graph.neo4j_store.erasure import _Erasure
from graph.neo4j_store.state import SEP, spreadable
from graph.records import ResultTable
from graph.store_core import PreparedResults


def _node_results(name: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The properties a result writes onto its entities: ``<name>_<field>`` for each plain value of
    the entity's first row (rows come best first), so Browser and Bloom users can style and query by them."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        entity_id = row.get("entity_id")
        if not isinstance(entity_id, str) or entity_id in found:
            continue
        found[entity_id] = {
            f"{name}_{k}": v
            for k, v in row.items()
            if k not in ("entity_id", "label") and _NAME.match(k) and v is not None and spreadable(v)
        }
    return found


class _Results(_Erasure):
    """Saved analysis results."""

    def save_results(self, prepared: PreparedResults) -> None:
        name = prepared.name
        run_key = name + SEP + prepared.run_id
        encoded = [
            {"run_key": run_key, "row_no": i, "entity_id": entity_id, "data": data}
            for i, entity_id, data in prepared.rows
        ]
        on_nodes = _node_results(name, prepared.table.rows)
        self._write(lambda tx: self._save_results(tx, name, prepared.run_id, prepared.created_at, encoded, on_nodes))

    def _save_results(
        self,
        tx: Tx,
        name: str,
        run_id: str,
        created_at: str,
        encoded: list[dict[str, Any]],
        on_nodes: dict[str, dict[str, Any]],
    ) -> None:
        key = name + SEP + run_id
        # the node properties of this result's previous save give way to this one
        for previous in tx.run(
            "MATCH (r:DisruptResultRun {name: $name}) WHERE r.on_nodes = true "
            "RETURN r.key AS key, r.node_keys AS node_keys",
            name=name,
        ).data():
            cleared = {k: None for k in previous["node_keys"] or []}
            tx.run(
                "MATCH (x:DisruptResultRow {run_key: $key}) WHERE x.entity_id IS NOT NULL "
                "MATCH (n:Entity {id: x.entity_id}) SET n += $cleared",
                key=previous["key"],
                cleared=cleared,
            ).consume()
            tx.run("MATCH (r:DisruptResultRun {key: $key}) SET r.on_nodes = false", key=previous["key"]).consume()
        tx.run("MATCH (x:DisruptResultRow {run_key: $key}) DETACH DELETE x", key=key).consume()
        node_keys = sorted({k for props in on_nodes.values() for k in props})
        tx.run(
            "MERGE (r:DisruptResultRun {key: $key}) ON CREATE SET r.seq = $seq "
            "SET r.name = $name, r.run_id = $run_id, r.created_at = $created_at, r.row_count = $count, "
            "r.on_nodes = true, r.node_keys = $node_keys",
            key=key,
            seq=time.time_ns(),
            name=name,
            run_id=run_id,
            created_at=created_at,
            count=len(encoded),
            node_keys=node_keys,
        ).consume()
        self._each(tx, "UNWIND $rows AS r CREATE (x:DisruptResultRow) SET x = r", encoded)
        self._each(
            tx,
            "UNWIND $rows AS r MATCH (n:Entity {id: r.id}) SET n += r.props",
            [{"id": i, "props": props} for i, props in on_nodes.items()],
        )

    def read_results(self, name: str, run_id: str | None) -> ResultTable | None:
        def work(tx: Tx) -> ResultTable | None:
            run = tx.run(
                "MATCH (r:DisruptResultRun {name: $name}) WHERE $run_id IS NULL OR r.run_id = $run_id "
                "RETURN r.key AS key, r.run_id AS run_id, r.created_at AS created_at "
                "ORDER BY r.created_at DESC, r.seq DESC LIMIT 1",
                name=name,
                run_id=run_id,
            ).single()
            if run is None:
                return None
            rows = tx.run(
                "MATCH (x:DisruptResultRow {run_key: $key}) RETURN x.data AS data ORDER BY x.row_no", key=run["key"]
            ).data()
            return ResultTable(name, run["run_id"], run["created_at"], tuple(json.loads(r["data"]) for r in rows))

        return self._read(work)

    def result_version(self, name: str) -> tuple[str, str, int] | None:
        run = self._read(
            lambda tx: tx.run(
                "MATCH (r:DisruptResultRun {name: $name}) WITH r ORDER BY r.created_at DESC, r.seq DESC LIMIT 1 "
                "OPTIONAL MATCH (x:DisruptResultRow {run_key: r.key}) "
                "RETURN r.run_id AS run_id, r.created_at AS created_at, count(x) AS held",
                name=name,
            ).single()
        )
        return (run["run_id"], run["created_at"], run["held"]) if run else None

    def result_names(self) -> list[str]:
        rows = self._read(
            lambda tx: tx.run("MATCH (r:DisruptResultRun) RETURN DISTINCT r.name AS name ORDER BY name").data()
        )
        return [r["name"] for r in rows]
