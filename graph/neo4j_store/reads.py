"""Reading entities and links from the Neo4j store: by id, by source, by search, and counts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.errors import UnknownEntity
from graph.facts import facts_asked, fill_properties, links_beyond_facts
from graph.merge import load_order
from graph.neo4j_store.base import Tx, _anchored, _quoted
from graph.neo4j_store.lifecycle import _Lifecycle
from graph.neo4j_store.queries import (
    _BESIDE_MOVED,
    _MEMBER_PROPS,
    _PARALLEL_ANCHORED,
    _PARALLEL_BY_ID,
    _READ_ENDS,
    _READ_NODES,
    _READ_SOURCES,
    _SEARCH,
)
from graph.neo4j_store.state import LINE, SEP
from graph.records import Counts, Entity, Link, Provenance


class _Reads(_Lifecycle):
    """Entities and links by id, by source record and by search; counts."""

    def _provenance_of(self, tx: Tx, owners: Sequence[str]) -> dict[str, list[Provenance]]:
        found: dict[str, list[Provenance]] = defaultdict(list)
        for row in self._rows(tx, _READ_SOURCES, "ids", owners):
            found[row["owner"]].append(
                Provenance(row["source"], row["record_id"], row["loaded_at"], row["run_id"], row["grading"])
            )
        return found

    def _canonical_ids(self, tx: Tx, ids: Sequence[str]) -> dict[str, str]:
        found = {r["id"]: r["merged_into"] or r["id"] for r in self._rows(tx, _READ_ENDS, "ids", ids)}
        return {i: found[i] for i in ids if i in found}

    def get_entities(self, entity_ids: Iterable[str]) -> list[Entity]:
        asked = list(dict.fromkeys(entity_ids))
        return self._read(lambda tx: self._entities(tx, asked))

    def _entities(self, tx: Tx, asked: Sequence[str]) -> list[Entity]:
        ids = list(dict.fromkeys(self._canonical_ids(tx, asked).values()))
        rows = {r["id"]: r for r in self._rows(tx, _READ_NODES, "ids", ids)}
        found = self._member_props(tx, ids)
        members = {r["id"]: r["canon"] for r in found}
        member_props: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in found:
            member_props[m["canon"]].append(json.loads(m["props"]))
        gathered: dict[str, list[Provenance]] = defaultdict(list)
        for owner, items in self._provenance_of(tx, [*rows, *members]).items():
            gathered[members.get(owner, owner)].extend(items)
        return [
            Entity(
                i,
                r["kind"],
                r["label"],
                fill_properties(json.loads(r["props"]), member_props.get(i, [])),
                load_order(gathered[i]),
                r["first_seen"],
                r["last_seen"],
            )
            for i in ids
            if (r := rows.get(i)) is not None
        ]

    def find_by_source(self, source: str, record_ids: list[str], kind: str) -> dict[str, str]:
        keys = [source + SEP + r for r in sorted(set(record_ids))]
        query = (
            "UNWIND $keys AS k MATCH (s:DisruptSource {record: k}) MATCH (n:Entity {id: s.owner}) "
            "WHERE n.kind = $kind RETURN s.record_id AS record_id, n.id AS id"
        )
        rows = self._read(lambda tx: self._rows(tx, query, "keys", keys, kind=kind))
        return {r["record_id"]: r["id"] for r in rows}

    def canonical_ids(self, entity_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(entity_ids))
        return self._read(lambda tx: self._canonical_ids(tx, ids))

    def get_links(self, link_ids: Iterable[str]) -> list[Link]:
        ids = list(dict.fromkeys(link_ids))
        return self._read(lambda tx: self._links(tx, ids))

    def _links(self, tx: Tx, ids: Sequence[str], sources: Mapping[str, str] | None = None) -> list[Link]:
        """The facts of links asked by id (see :meth:`get_links`). With ``sources`` (link id to its
        start entity) each is found from that entity; without, through its type's id index when the
        store knows its type (it has written or walked past it), else through every type's (which
        ArcadeDB does not use: it scans each type). A link's id says nothing of its type."""
        if sources is not None:
            anchors = _anchored({i: sources[i] for i in ids if i in sources})
            found = self._rows(tx, _PARALLEL_ANCHORED, "rows", anchors)
        else:
            by_kind: dict[str, list[str]] = defaultdict(list)
            for link_id in ids:
                by_kind[self._kind_of.get(link_id, "")].append(link_id)
            unknown = by_kind.pop("", [])
            found = []
            for kind, kind_ids in by_kind.items():
                found += self._rows(tx, _PARALLEL_BY_ID.format(kind=_quoted(kind)), "ids", kind_ids)
            answered = {r["asked"] for r in found}
            # ids not found under the kind remembered (another process may have changed them) ask every type
            unknown += [i for kind_ids in by_kind.values() for i in kind_ids if i not in answered]
            if unknown:
                found += self._rows(tx, self._parallel_by_id, "ids", unknown)
            self._remember_kinds((r["id"], r["kind"]) for r in found)
        parallel: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in found:
            parallel[r["asked"]].append(r)
        prov = self._provenance_of(tx, list({r["id"] for rows in parallel.values() for r in rows}))
        links = {
            asked: [
                Link(
                    r["id"],
                    r["kind"],
                    r["src"],
                    r["dst"],
                    json.loads(r["props"]),
                    load_order(prov[r["id"]]),
                    r["first_seen"],
                    r["last_seen"],
                )
                for r in rows
            ]
            for asked, rows in parallel.items()
        }
        return facts_asked(self.schema, ids, links)

    def search(self, query: str, kinds: list[str] | None, limit: int) -> list[Entity]:
        params = {"q": query, "kinds": kinds, "line": LINE, "limit": limit}

        def work(tx: Tx) -> list[Entity]:
            ids = [r["cid"] for r in tx.run(_SEARCH, params).data()]
            return self._entities(tx, ids)

        return self._read(work)

    def _canonical(self, tx: Tx, entity_id: str) -> str:
        found = self._canonical_ids(tx, [entity_id])
        if entity_id not in found:
            raise UnknownEntity(f"no entity with id {entity_id!r}")
        return found[entity_id]

    def counts(self) -> Counts:
        def work(tx: Tx) -> Counts:
            entities = {
                r["kind"]: r["n"]
                for r in tx.run(
                    "MATCH (n:Entity) WHERE n.merged_into IS NULL RETURN n.kind AS kind, count(*) AS n ORDER BY kind"
                )
            }
            links: dict[str, int] = {}
            beside: list[tuple[str, str, str, str, dict[str, Any]]] = []
            for kind in sorted(self.schema.links):
                found = tx.run(f"MATCH ()-[r:{_quoted(kind)}]->() RETURN count(r) AS n").single()
                if found is not None and found["n"]:
                    links[kind] = found["n"]
                    # only links beside a link resolution moved can be parallel (graph.facts)
                    beside.extend(
                        (r["id"], kind, r["src"], r["dst"], json.loads(r["props"] or "{}"))
                        for r in tx.run(_BESIDE_MOVED.format(kind=_quoted(kind)))
                    )
            for kind, extra in links_beyond_facts(self.schema, beside).items():
                links[kind] -= extra
            return Counts(entities, links)

        return self._read(work)

    def _member_props(self, tx: Tx, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The records merged into these entities, in record id order, with their properties."""
        return sorted(self._rows(tx, _MEMBER_PROPS, "ids", ids), key=lambda r: str(r["id"]))
