"""Writing a batch into the Neo4j store, by the merge rules of :mod:`graph.merge`."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from graph.contract import refuse_erased
from graph.merge import earliest, latest, merge_label, merge_properties, merge_terms
from graph.neo4j_store.base import Tx, _anchored, _quoted
from graph.neo4j_store.queries import (
    _CREATE_SOURCES,
    _ERASED_AMONG,
    _EXISTING_SOURCES,
    _LOCK_ANCHORS,
    _READ_ENDS,
    _READ_NODES,
    _STORED_LINKS,
    _UPDATE_NODES,
)
from graph.neo4j_store.state import LINE, NodeState, RelState, provenance_key, source_row
from graph.neo4j_store.walks import _Walks
from graph.records import Link, Provenance, UpsertSummary
from graph.store_core import PreparedEntity, PreparedLink, check_link_ends

log = logging.getLogger(__name__)


class _Writes(_Walks):
    """Upserting a batch: read what is held, merge in Python, write back, in one transaction."""

    def write_batch(self, prepared: list[PreparedEntity], links: list[PreparedLink]) -> UpsertSummary:
        clean_links = [(p.link, p.clean) for p in links]
        self._remember_kinds((p.link.id, p.link.kind) for p in links)
        summary = self._write(lambda tx: self._upsert(tx, prepared, clean_links))
        log.debug("upserted %d entities, %d links", len(prepared), len(clean_links))
        return summary

    def _upsert(
        self, tx: Tx, prepared: list[PreparedEntity], links: list[tuple[Link, dict[str, Any]]]
    ) -> UpsertSummary:
        nodes = self._merge_entities(tx, prepared)
        ends = self._link_ends(tx, nodes, links)
        rels = self._merge_links(tx, links, ends)
        self._write_nodes(tx, nodes)
        self._write_rels(tx, rels)
        self._write_sources(tx, [(p.entity.id, p.entity.provenance) for p in prepared])
        self._write_sources(tx, [(ln.id, ln.provenance) for ln, _ in links])
        existed_e = sum(n.stored for n in nodes.values())
        existed_l = sum(r.stored for r in rels.values())
        return UpsertSummary(len(nodes) - existed_e, existed_e, len(rels) - existed_l, existed_l)

    def _merge_entities(self, tx: Tx, prepared: list[PreparedEntity]) -> dict[str, NodeState]:
        ids = list(dict.fromkeys(p.entity.id for p in prepared))
        erased = self._rows(tx, _ERASED_AMONG, "ids", ids)
        if erased:
            kind = next(p.entity.kind for p in prepared if p.entity.id == erased[0]["id"])
            raise refuse_erased(kind, erased[0]["id"], erased[0]["erasure_id"])
        nodes: dict[str, NodeState] = {}
        for row in self._rows(tx, _READ_NODES, "ids", ids):
            search = row["search"] or ""
            nodes[row["id"]] = NodeState(
                row["id"],
                row["kind"],
                row["label"],
                json.loads(row["props"] or "{}"),
                row["first_seen"],
                row["last_seen"],
                search.split(LINE) if search else [],
                row["merged_into"],
                stored=True,
            )
        for p in prepared:
            e = p.entity
            node = nodes.get(e.id)
            if node is None:
                nodes[e.id] = NodeState(e.id, e.kind, e.label, dict(p.clean), e.first_seen, e.last_seen, [])
                node = nodes[e.id]
            else:  # by the rules of graph.merge
                node.props = merge_properties(node.props, p.clean)
                node.label = merge_label(node.label, e.label, p.has_label)
                node.first_seen = earliest(node.first_seen, e.first_seen)
                node.last_seen = latest(node.last_seen, e.last_seen)
            node.terms = merge_terms(node.terms, p.terms)
        return nodes

    def _link_ends(
        self, tx: Tx, nodes: dict[str, NodeState], links: list[tuple[Link, dict[str, Any]]]
    ) -> dict[str, tuple[str, str | None]]:
        """Kind and canonical entity of every link end; unknown ends or forbidden kinds refuse the batch."""
        ends: dict[str, tuple[str, str | None]] = {i: (n.kind, n.merged_into) for i, n in nodes.items()}
        missing = list(dict.fromkeys(x for ln, _ in links for x in (ln.source, ln.target) if x not in ends))
        for row in self._rows(tx, _READ_ENDS, "ids", missing):
            ends[row["id"]] = (row["kind"], row["merged_into"])
        check_link_ends(self.schema, (ln for ln, _ in links), {i: kind for i, (kind, _) in ends.items()})
        return ends

    def _merge_links(
        self, tx: Tx, links: list[tuple[Link, dict[str, Any]]], ends: dict[str, tuple[str, str | None]]
    ) -> dict[str, RelState]:
        rels: dict[str, RelState] = {}
        by_kind: dict[str, dict[str, str]] = defaultdict(dict)
        for ln, _ in links:
            by_kind[ln.kind][ln.id] = ends[ln.source][1] or ln.source  # a link sits on its source's canonical entity
        locked = sorted({anchor for anchors in by_kind.values() for anchor in anchors.values()})  # one lock order
        self._each(tx, _LOCK_ANCHORS, [{"id": anchor} for anchor in locked])
        for kind, anchors in by_kind.items():
            for row in self._rows(tx, _STORED_LINKS.format(kind=_quoted(kind)), "rows", _anchored(anchors)):
                rels[row["id"]] = RelState(
                    row["id"],
                    kind,
                    row["orig_src"],
                    row["orig_dst"],
                    json.loads(row["props"] or "{}"),
                    row["first_seen"],
                    row["last_seen"],
                    stored=True,
                    ends=(row["src"], row["dst"]),
                )
        for ln, clean in links:
            rel = rels.get(ln.id)
            if rel is None:
                canonical = (ends[ln.source][1] or ln.source, ends[ln.target][1] or ln.target)
                rels[ln.id] = RelState(
                    ln.id, ln.kind, ln.source, ln.target, dict(clean), ln.first_seen, ln.last_seen, ends=canonical
                )
            else:  # by the rules of graph.merge
                rel.props = merge_properties(rel.props, clean)
                rel.first_seen = earliest(rel.first_seen, ln.first_seen)
                rel.last_seen = latest(rel.last_seen, ln.last_seen)
        return rels

    def _write_nodes(self, tx: Tx, nodes: dict[str, NodeState]) -> None:
        fresh: dict[str, list[dict[str, Any]]] = defaultdict(list)
        stored: list[dict[str, Any]] = []
        for node in nodes.values():
            row = {"id": node.id, "props": node.node_properties()}
            (stored if node.stored else fresh[node.kind]).append(row)
        for kind, rows in fresh.items():
            self._each(tx, f"UNWIND $rows AS r CREATE (n:Entity:{_quoted(kind)}) SET n = r.props", rows)
        self._each(tx, _UPDATE_NODES, stored)

    def _write_rels(self, tx: Tx, rels: dict[str, RelState]) -> None:
        fresh: dict[str, list[dict[str, Any]]] = defaultdict(list)
        stored: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rel in rels.values():
            row = {"id": rel.id, "src": rel.ends[0], "dst": rel.ends[1], "props": rel.rel_properties()}
            (stored if rel.stored else fresh)[rel.kind].append(row)
        for kind, rows in fresh.items():
            self._create_rels(tx, kind, rows)
        for kind, rows in stored.items():
            self._each(
                tx, f"UNWIND $rows AS r MATCH (:Entity {{id: r.src}})-[l:{_quoted(kind)}]->() WHERE l.id = r.id "
                "SET l += r.props", rows,
            )  # fmt: skip

    def _create_rels(self, tx: Tx, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self._each(
            tx,
            "UNWIND $rows AS r MATCH (a:Entity {id: r.src}) MATCH (b:Entity {id: r.dst}) "
            f"CREATE (a)-[l:{_quoted(kind)}]->(b) SET l = r.props",
            rows,
        )

    def _write_sources(self, tx: Tx, owned: list[tuple[str, tuple[Provenance, ...]]]) -> None:
        """Add each (owner, source record) once; the first load of a record keeps its time and run."""
        wanted: dict[str, dict[str, Any]] = {}
        for owner, provenance in owned:
            for p in provenance:
                wanted.setdefault(provenance_key(owner, p), source_row(owner, p))
        held = {row["key"] for row in self._rows(tx, _EXISTING_SOURCES, "keys", list(wanted))}
        self._each(tx, _CREATE_SOURCES, [row for key, row in wanted.items() if key not in held])
