"""Entity resolution in the Neo4j store: records as loaded, canonical entities, judgements."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from graph.contract import unknown_judged
from graph.merge import load_order
from graph.neo4j_store.base import Tx, _quoted
from graph.neo4j_store.queries import _LINKS_PAGE, _MEMBERS, _READ_ENDS, _RECORDS_PAGE, _SET_MERGED
from graph.neo4j_store.state import SEP
from graph.neo4j_store.writes import _Writes
from graph.records import Entity, Judgement, Link
from graph.store_core import check_assignments

log = logging.getLogger(__name__)


class _Resolution(_Writes):
    """Records as loaded, canonical entities and judgements."""

    def records_of_kind(self, kind: str, *, provenance: bool = False) -> Iterator[Entity]:
        after = ""
        while rows := self._page(_RECORDS_PAGE, kind, after, provenance=provenance):
            for r in rows:
                yield Entity(
                    r["id"], kind, r["label"], json.loads(r["props"]), load_order(r["provenance"]),
                    r["first_seen"], r["last_seen"], r["merged_into"],
                )  # fmt: skip
            after = rows[-1]["id"]

    def links_of_kind(self, kind: str) -> Iterator[Link]:
        after = ""
        query = _LINKS_PAGE.format(kind=_quoted(kind))
        while rows := self._page(query, kind, after, provenance=True):
            for r in rows:
                yield Link(
                    r["id"], kind, r["src"], r["dst"], json.loads(r["props"]), load_order(r["provenance"]),
                    r["first_seen"], r["last_seen"],
                )  # fmt: skip
            after = rows[-1]["id"]

    def _page(self, query: str, kind: str, after: str, *, provenance: bool) -> list[dict[str, Any]]:
        """One page of records or links of a kind after id ``after``, each with its own sources if asked."""

        def work(tx: Tx) -> list[dict[str, Any]]:
            rows = tx.run(query, kind=kind, after=after, limit=self.config.batch_size).data()
            found = self._provenance_of(tx, [r["id"] for r in rows]) if provenance else {}
            return [{**r, "provenance": found.get(r["id"], [])} for r in rows]

        return self._read(work)

    def set_canonical(self, assignments: Mapping[str, str]) -> int:
        return self._write(lambda tx: self._set_canonical(tx, dict(assignments)))

    def _set_canonical(self, tx: Tx, assign: dict[str, str]) -> int:
        held = {r["id"]: r for r in self._rows(tx, _READ_ENDS, "ids", sorted({*assign, *assign.values()}))}
        check_assignments(assign, {i: (r["kind"], r["merged_into"] or i) for i, r in held.items()})
        old = {i: held[i]["merged_into"] or i for i in assign}
        changed = {i: c for i, c in assign.items() if old[i] != c}
        self._each(tx, _SET_MERGED, [{"id": i, "canon": None if c == i else c} for i, c in changed.items()])
        # records merged into a record that no longer stands alone follow it to its canonical entity
        now_merged = [i for i, c in changed.items() if c != i]
        followers = {r["id"]: r["canon"] for r in self._rows(tx, _MEMBERS, "ids", now_merged) if r["id"] not in changed}
        for follower, merged in followers.items():
            old[follower] = merged
            changed[follower] = changed[merged]
        self._each(tx, _SET_MERGED, [{"id": f, "canon": changed[f]} for f in followers])
        self._move_links(tx, {old[i] for i in changed}, set(changed))
        return len(changed)

    def _move_links(self, tx: Tx, old_canonicals: set[str], changed: set[str]) -> None:
        """Recreate, between their records' canonical entities now, the links of changed records."""
        rows = self._rows(
            tx,
            "UNWIND $ids AS x MATCH (n:Entity {id: x})-[r]-() WHERE r.orig_src IN $changed OR r.orig_dst IN $changed "
            "RETURN DISTINCT r.id AS id, type(r) AS kind, startNode(r).id AS src, endNode(r).id AS dst, "
            "properties(r) AS props",
            "ids",
            sorted(old_canonicals),
            changed=sorted(changed),
        )
        ends = sorted({e for r in rows for e in (r["props"]["orig_src"], r["props"]["orig_dst"])})
        canonical = self._canonical_ids(tx, ends)
        moving: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            target = (canonical[r["props"]["orig_src"]], canonical[r["props"]["orig_dst"]])
            if target != (r["src"], r["dst"]):
                moving[r["kind"]].append(
                    {"id": r["id"], "was": r["src"], "src": target[0], "dst": target[1], "props": r["props"]}
                )
        for kind, items in moving.items():
            query = (
                f"UNWIND $rows AS r MATCH (:Entity {{id: r.was}})-[l:{_quoted(kind)}]->() WHERE l.id = r.id DELETE l"
            )
            self._each(tx, query, items)
            self._create_rels(tx, kind, items)

    def keep_judgement(self, judgement: Judgement) -> None:
        a, b = judgement.first, judgement.second

        def work(tx: Tx) -> None:
            if len(self._rows(tx, _READ_ENDS, "ids", [a, b])) != 2:
                raise unknown_judged(a, b)
            tx.run(
                "MERGE (j:DisruptJudgement {key: $key}) SET j.first = $first, j.second = $second, "
                "j.verdict = $verdict, j.decided_at = $decided_at, j.reference = $reference",
                {"key": a + SEP + b, **dataclasses.asdict(judgement)},
            ).consume()

        self._write(work)

    def judgements(self) -> list[Judgement]:
        rows = self._read(
            lambda tx: tx.run(
                "MATCH (j:DisruptJudgement) RETURN j.first AS first, j.second AS second, j.verdict AS verdict, "
                "j.decided_at AS decided_at, j.reference AS reference ORDER BY decided_at, first, second"
            ).data()
        )
        return [Judgement(**r) for r in rows]
