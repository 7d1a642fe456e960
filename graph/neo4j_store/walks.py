"""Walking the Neo4j store's graph: neighbourhoods, shortest paths and the NetworkX export."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from neo4j.exceptions import DriverError, Neo4jError

from graph.errors import StoreError
from graph.facts import add_fact_edges, distinct_steps, fill_nodes
from graph.neo4j_store.base import MAX_PATH_HOPS, Tx
from graph.neo4j_store.queries import (
    _ALL_MEMBER_PROPS,
    _ALL_MERGED,
    _ALL_SOURCES,
    _EXPORT_EDGES,
    _EXPORT_NODES,
    _MEMBERS,
    _NEIGHBOURS,
    _PART_EDGES,
    _PART_NODES,
    _READ_SOURCES,
)
from graph.neo4j_store.reads import _Reads
from graph.records import Entity, Link, Path, attach_provenance
from graph.store_core import Walk
from graph.traversal import Neighbours, find_shortest_paths, walk_neighbourhood

if TYPE_CHECKING:
    import networkx as nx


class _Walks(_Reads):
    """Neighbourhoods, shortest paths and the NetworkX export."""

    def _neighbours(
        self,
        tx: Tx,
        kinds: Collection[str] | None,
        link_kinds: Collection[str] | None,
        starts: dict[str, str] | None = None,
        *,
        by_kind: bool = False,
    ) -> Neighbours:
        """One Cypher expansion per call, one step per fact (per kind of link with ``by_kind``);
        ``starts`` collects each link's start entity on the way."""
        params = {
            "kinds": sorted(set(kinds)) if kinds is not None else None,
            "link_kinds": sorted(set(link_kinds)) if link_kinds is not None else None,
        }

        def neighbours(ids: Collection[str]) -> list[tuple[str, str, str]]:
            rows = self._rows(tx, _NEIGHBOURS, "ids", sorted(ids), **params)
            if starts is not None:
                starts.update((r["id"], r["src"]) for r in rows)
            self._remember_kinds((r["id"], r["kind"]) for r in rows)
            found = [
                (r["id"], r["kind"], r["src"], r["dst"], json.loads(r["props"] or "{}") if r["kind"] in keyed else {})
                for r in rows
            ]
            return distinct_steps(self.schema, found, by_kind=by_kind)

        keyed = self._keyed_kinds
        return neighbours

    def neighbourhood(self, entity_id: str, walk: Walk) -> tuple[list[Entity], list[Link], bool]:
        """Each hop is one Cypher expansion of the frontier; :func:`walk_neighbourhood` keeps the
        nearest entities (ties by id) so that both stores cap a neighbourhood the same way."""

        def work(tx: Tx) -> tuple[list[Entity], list[Link], bool]:
            start = self._canonical(tx, entity_id)
            starts: dict[str, str] = {}
            neighbours = self._neighbours(tx, walk.kinds, walk.link_kinds, starts)
            reach = walk_neighbourhood(start, neighbours, hops=walk.steps, max_nodes=walk.cap)
            return self._entities(tx, reach.entity_ids), self._links(tx, reach.link_ids, starts), reach.truncated

        return self._read(work)

    def shortest_paths(self, source_id: str, target_id: str, walk: Walk) -> list[Path]:
        """Shortest paths by a bidirectional breadth-first search whose every expansion is one Cypher
        query, walking one step per kind of link between two entities.

        Cypher ``allShortestPaths`` is not used: it returns one path per combination of parallel
        links (the police and the care record of one child each linked to the same episode), so the
        same route came back several times and used up ``max_paths``; and a filter on the kinds of
        the entities passed through is not part of that search on every server (ArcadeDB applies it
        after the search). The walk gives the same answer as the embedded store.
        """
        max_hops, max_paths = walk.steps, walk.cap
        if max_hops < 0 or max_paths < 1 or max_hops > MAX_PATH_HOPS:
            raise ValueError(f"max_hops must be 0 to {MAX_PATH_HOPS} and max_paths at least 1")

        def work(tx: Tx) -> list[Path]:
            source, target = self._canonical(tx, source_id), self._canonical(tx, target_id)
            if source == target:
                return [Path((source,), ())]
            neighbours = self._neighbours(tx, walk.kinds, walk.link_kinds, by_kind=True)
            return find_shortest_paths(source, target, neighbours, max_hops=max_hops, max_paths=max_paths)

        return self._read(work)

    def to_networkx(
        self, kinds: list[str] | None, link_kinds: list[str] | None, entity_ids: list[str] | None, provenance: bool
    ) -> nx.MultiDiGraph:
        """The graph (or the part the filters select) as a MultiDiGraph keyed by link id, with the
        same attributes as the embedded store gives. The whole graph is streamed record by record; a
        part named by ``entity_ids`` is read from those entities outwards, never by a scan."""
        import networkx as nx

        G = nx.MultiDiGraph()
        params = {
            "kinds": sorted(set(kinds)) if kinds is not None else None,
            "link_kinds": sorted(set(link_kinds)) if link_kinds is not None else None,
            "ids": sorted(set(entity_ids)) if entity_ids is not None else None,
        }
        nodes, edges = (_EXPORT_NODES, _EXPORT_EDGES) if entity_ids is None else (_PART_NODES, _PART_EDGES)
        try:
            with self._session() as session:
                for r in session.run(nodes, params):
                    G.add_node(
                        r["id"], **json.loads(r["props"]), kind=r["kind"], label=r["label"],
                        first_seen=r["first_seen"], last_seen=r["last_seen"],
                    )  # fmt: skip
                member_rows: list[Any]
                if entity_ids is None:
                    member_rows = list(session.run(_ALL_MEMBER_PROPS))
                else:
                    member_rows = session.execute_read(self._member_props, list(G.nodes))
                fill_nodes(G, ((r["canon"], json.loads(r["props"])) for r in member_rows))
                fields = ("id", "kind", "src", "dst", "props", "first_seen", "last_seen")
                edge_rows = (tuple(r[f] for f in fields) for r in session.run(edges, params))
                folded = add_fact_edges(
                    G, self.schema, ((i, k, s, d, json.loads(p), f, la) for i, k, s, d, p, f, la in edge_rows)
                )
                if provenance and entity_ids is None:
                    merged = {r["id"]: r["canon"] for r in session.run(_ALL_MERGED)}
                    attach_provenance(G, {**merged, **folded}, (r.values() for r in session.run(_ALL_SOURCES)))
                elif provenance:
                    session.execute_read(self._attach_part_provenance, G, folded)
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"export failed: {getattr(exc, 'message', None) or exc}") from exc
        return G

    def _attach_part_provenance(self, tx: Tx, G: nx.MultiDiGraph, folded: Mapping[str, str]) -> None:
        merged = {r["id"]: r["canon"] for r in self._rows(tx, _MEMBERS, "ids", list(G.nodes))}
        owners = [*G.nodes, *merged, *(key for _, _, key in G.edges(keys=True)), *folded]
        items = [
            (r["owner"], r["source"], r["record_id"], r["grading"])
            for r in sorted(
                self._rows(tx, _READ_SOURCES, "ids", owners),
                key=lambda r: (r["loaded_at"], r["source"], r["record_id"], r["owner"]),
            )
        ]
        attach_provenance(G, {**merged, **folded}, items)
