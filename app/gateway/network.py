"""The analyst's network reads: the chart around an entity, and a child's contextual-safeguarding view."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Collection, Sequence
from typing import Any, Literal

from analytics.projections import ACTOR_KINDS
from analytics.roles import person_roles
from analytics.safeguarding import (
    CONTEXT_HOPS,
    FOUND_HOPS,
    FOUND_KINDS,
    FOUND_LINKS,
    child_safeguarding,
    context_link_kinds,
)
from app.exports import MARKING, prepared_line
from app.gateway.base import GatewayBase, NotFound
from app.network_facts import NetworkView, NodeTables, describe_nodes
from graph.facts import fact_key, merge_links
from graph.gexf import write_gexf
from graph.i2 import chart_anx
from graph.interchange import write_graphml
from graph.records import Link, Subgraph
from graph.result_rows import ChildIndicatorRow, FlagRow, GroupRow, HotspotCellRow, KeyPlayerRow

NetworkFileForm = Literal["graphml", "gexf", "anx"]
MAX_NETWORK_NODES = 150
_EXPAND_LIMIT = 2000  # read a node's whole neighbourhood to expand it; the chart's cap decides what is drawn
_CHILD_CONTEXT = 3000  # entities read around a child, each walk (seed-1 100k world: at most 353 for 60 children)


class NetworkReads(GatewayBase):
    """Network charts and the child's view."""

    def _node_tables(self) -> NodeTables:
        return NodeTables(
            groups=self.results(GroupRow),
            key_players=self.results(KeyPlayerRow),
            flags=self.results(FlagRow),
            child_indicators=self.results(ChildIndicatorRow),
        )

    def network(
        self,
        entity_id: str,
        *,
        hops: int = 1,
        max_nodes: int = MAX_NETWORK_NODES,
        link_kinds: Collection[str] | None = None,
        expand: Sequence[str] = (),
    ) -> NetworkView:
        """The neighbourhood of an entity, plus the neighbours of each node in ``expand``, at most
        ``max_nodes`` in all (``truncated`` and ``notes`` say what the cap left out), with what the
        analysis found about each node (role, flag level, age band, last seen).

        ``link_kinds`` may also name relationship types an import kept on a link (its ``type``, or a
        type of its ``extra_types``, such as ``KNOWS_SN``): such a link is drawn when its kind or one
        of its types is chosen."""
        self._allow("view_network", "network")
        store = self._store
        chosen_types = set(link_kinds or ()) - set(store.schema.links)
        kinds = None if not link_kinds else {*link_kinds} - chosen_types
        if kinds is not None and chosen_types:
            kinds |= {"RELATED_TO", "ASSOCIATE_OF"}  # the kinds an imported relationship type is kept on

        def chosen(link: Any) -> bool:
            if not link_kinds or link.kind in link_kinds:
                return True
            held = link.properties.get("extra_types")
            types = {*(held if isinstance(held, list) else [held]), link.properties.get("type")}
            return bool(chosen_types & {str(t) for t in types if t})

        sub = store.neighbourhood(entity_id, hops=hops, max_nodes=max_nodes, link_kinds=kinds)
        if not sub.entities:
            self._log("network", (), detail=f"not held: {entity_id}")
            return NetworkView(entity_id, sub, {})
        order = [e.id for e in sub.entities]
        kept, expanded = set(order), []
        notes, cut = ([sub.note] if sub.note else []), sub.truncated
        for node in expand:
            if node not in kept or node in expanded:
                continue  # only a drawn node can be expanded (a smaller cap or a filter may have dropped it)
            expanded.append(node)
            around = store.neighbourhood(node, hops=1, max_nodes=_EXPAND_LIMIT, link_kinds=kinds)
            new = [e.id for e in around.entities if e.id not in kept]
            room = max(max_nodes - len(order), 0)
            if len(new) > room or around.truncated:
                cut = True
                notes.append(f"{len(new) - min(room, len(new))} neighbours of an expanded node not drawn")
            order.extend(new[:room])
            kept.update(new[:room])
        entities = store.get_entities(order)
        people = [e.id for e in entities if e.kind in ACTOR_KINDS]
        # The drawn entities and their people's events: roles and last seen are read from the events.
        G = store.to_networkx(entity_ids=sorted(set(self._with_events(people)) | kept))
        link_ids = {k for u, v, k, d in G.edges(keys=True, data=True) if u in kept and v in kept}
        links = [lk for lk in store.get_links(sorted(link_ids)) if chosen(lk)]
        if chosen_types:  # the walk also crossed links of other types: keep what the chosen ones reach
            reach = _reached(links, {entity_id}, hops)
            for node in expanded:
                if node in reach:
                    reach |= _reached(links, {node}, 1)
            links = [lk for lk in links if lk.source in reach and lk.target in reach]
            entities = [e for e in entities if e.id in reach]
        drawn = Subgraph(tuple(entities), tuple(merge_links(store.schema, links)), cut, "; ".join(notes))
        as_of = self._as_of() or dt.date.today()
        ages = self._ages(entities, as_of)
        facts = describe_nodes(G, drawn, roles=person_roles(G, as_of=as_of), tables=self._node_tables(), ages=ages)
        self._log(
            "network",
            [e.id for e in entities],  # what is drawn, not every entity the walk read to find it
            detail=f"around {entity_id}, {hops} hop(s)" + (f", expanded {len(expanded)}" if expanded else ""),
        )
        return NetworkView(entity_id, drawn, facts, tuple(expanded), tuple(notes))

    def network_file(self, view: NetworkView, form: NetworkFileForm, *, title: str) -> bytes:
        """The drawn chart as a file for another tool: GraphML (yEd, Gephi, Cytoscape), GEXF (Gephi) or
        an i2 Analyst's Notebook ANX chart, holding what is drawn (the filter's links, not every link
        between the drawn entities) with every property and its sources. Audited before it is made."""
        self._allow("view_network", "network")
        ids = [e.id for e in view.sub.entities]
        self.note_export(f"network {form}", ids)
        schema = self._store.schema
        G = self._store.to_networkx(entity_ids=ids, provenance=True)
        drawn = {fact_key(schema, lk.kind, lk.source, lk.target, lk.properties) for lk in view.sub.links}
        hidden = [
            (u, v, k)
            for u, v, k, d in G.edges(keys=True, data=True)
            if fact_key(schema, d["kind"], u, v, d) not in drawn
        ]
        G.remove_edges_from(hidden)
        G.graph["description"] = f"{MARKING}. {prepared_line(self.viewer.name, self.viewer.purpose)} {title}."
        if form == "anx":
            return chart_anx(G, schema, title=title, prepared_by=f"{self.viewer.name} for {self.viewer.purpose}")
        out = io.BytesIO()
        (write_graphml if form == "graphml" else write_gexf)(G, out)
        return out.getvalue()

    def child(self, entity_id: str) -> dict[str, Any]:
        """A child's contextual-safeguarding view: the analysis's indicators, distinct missing episodes with
        return-interview factors, suspects one and two steps away, peers, places of concern and a small network.

        Only a child the latest analysis lists has this view. The child's surroundings are read in
        two walks: five links deep through the person network's ties and events (a suspect two steps
        away, and the event that makes them one), and four through missing episodes and the places
        children were found; ``complete`` is False when the cap cut either short. One audit entry
        lists every entity shown.
        """
        self._allow("view_profile", "child")
        store = self._store
        entity = store.get_entity(entity_id)
        row = next((r for r in self.results(ChildIndicatorRow) if entity and r.entity_id == entity.id), None)
        if entity is None or row is None:
            self._log("child", (), detail=f"not a child in the analysis: {entity_id}")
            raise NotFound(f"{entity_id!r} is not a child the latest analysis lists (or it has been erased)")
        summary = self.analysis_run()
        as_of = self._as_of()
        walks = [
            store.neighbourhood(
                entity.id,
                hops=CONTEXT_HOPS,
                link_kinds=context_link_kinds(store.schema.links),
                max_nodes=_CHILD_CONTEXT,
            ),
            store.neighbourhood(
                entity.id, hops=FOUND_HOPS, kinds=FOUND_KINDS, link_kinds=FOUND_LINKS, max_nodes=_CHILD_CONTEXT
            ),
        ]
        around = {e.id: e for walk in walks for e in walk.entities}
        G = store.to_networkx(entity_ids=sorted(around))
        roles = person_roles(G, as_of=as_of)
        hot = {str(r.entity_id) for r in self.results(HotspotCellRow) if r.hotspot}
        resolution = int((summary.h3_resolution if summary else 0) or 9)
        view = child_safeguarding(G, entity.id, roles=roles, hot_cells=hot, as_of=as_of, resolution=resolution)
        drawn = {str(n): i for i, n in enumerate(view["network"])}
        entities = sorted((e for e in around.values() if e.id in drawn), key=lambda e: drawn[e.id])
        links = {lk.id: lk for walk in walks for lk in walk.links if lk.source in drawn and lk.target in drawn}
        sub = Subgraph(tuple(entities), tuple(merge_links(store.schema, list(links.values()))), False, "")
        ages = self._ages(entities, as_of or dt.date.today())
        network = NetworkView(
            entity.id, sub, describe_nodes(G, sub, roles=roles, tables=self._node_tables(), ages=ages)
        )
        shown = [
            entity.id,
            *(r["entity_id"] for r in view["episodes"]),
            *(a for r in view["episodes"] for a in r["found_with_ids"]),
            *(r["entity_id"] for part in ("places", "suspects", "peers") for r in view[part]),
            *drawn,
        ]
        self._log("child", list(dict.fromkeys(str(i) for i in shown)), detail=f"contextual safeguarding {entity.id}")
        return {
            **view,
            "indicators": row,
            "age": ages.get(entity.id, ""),
            "as_of": as_of.isoformat() if as_of else None,
            "complete": not any(walk.truncated for walk in walks),
            "network": network,
        }


def _reached(links: Sequence[Link], start: set[str], hops: int) -> set[str]:
    """The entities within ``hops`` links of ``start`` over ``links`` alone, either direction."""
    around: dict[str, set[str]] = {}
    for lk in links:
        around.setdefault(lk.source, set()).add(lk.target)
        around.setdefault(lk.target, set()).add(lk.source)
    reached, frontier = set(start), set(start)
    for _ in range(hops):
        frontier = {n for f in frontier for n in around.get(f, ())} - reached
        reached |= frontier
    return reached
