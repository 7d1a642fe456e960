"""Whole graphs in and out of Disrupt: the exchange form, GraphML, and loading a read graph into a store.

GEXF is in :mod:`graph.gexf`, neo4j-admin bundles in :mod:`graph.neo4j_bundle`, i2 charts in :mod:`graph.i2`.

The exchange form is the graph :meth:`graph.GraphStore.to_networkx` gives (``provenance=True``): one
node per entity carrying ``kind``, ``label``, ``first_seen``, ``last_seen``, ``provenance`` and its
properties; one edge per fact, keyed by link id, carrying ``kind``, the seen dates, ``provenance``
and its properties. GraphML and GEXF hold only scalar values, so an attribute that holds a list or a
mapping anywhere (aliases, labels, provenance), or values of more than one type, is written as JSON
text in every element, and the file says which attributes those are (GraphML: the graph's
``disrupt_json`` data; GEXF: attribute ids beginning ``json:``), so reading it back gives the same
values. A file that is not Disrupt's (from Gephi or yEd) reads as it is: its strings stay strings.

:func:`load_graph` stores a read graph: nodes whose ``kind`` names a Disrupt kind become that kind
(an ``Other`` entity when the kind is unknown or its properties do not validate, keeping every
attribute), edges of a link kind that may join those ends become that kind, any other edge a
``RELATED_TO`` link that keeps its type. Nothing is dropped silently: what could not be stored is
listed in the report with the element and why.

>>> import networkx as nx, io
>>> G = nx.MultiDiGraph()
>>> G.add_node("a", kind="Other", label="A", aliases=["x", "y"])
>>> G.add_node("b", kind="Other", label="B")
>>> _ = G.add_edge("a", "b", key="l1", kind="RELATED_TO", type="KNOWS")
>>> out = io.BytesIO(); write_graphml(G, out); _ = out.seek(0)
>>> read_graphml(out).nodes["a"]["aliases"]
['x', 'y']
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import networkx as nx
from defusedxml import ElementTree as SafeET

from graph.errors import GraphError, InvalidRecord
from graph.records import Entity, Link, Provenance, new_entity, new_link, now_iso
from graph.schema import Schema
from graph.store import GraphStore

log = logging.getLogger(__name__)

FORMAT_VERSION = "1"  # written into every file Disrupt makes, so a reader knows its ids are Disrupt's
_JSON_KEY = "disrupt_json"  # GraphML graph data: {"node": [...], "edge": [...]} attributes held as JSON
FORMAT_KEY = "disrupt_format"
_SEEN = ("first_seen", "last_seen")
_BATCH = 5_000


class InterchangeError(GraphError):
    """A graph file cannot be read or written; the message says why and what to do."""


# -- values as GraphML and GEXF can hold them ------------------------------------------------------


def _scalar_type(value: Any) -> type | None:
    return type(value) if isinstance(value, bool | int | float | str) else None


def _json_attributes(items: Iterable[Mapping[str, Any]]) -> set[str]:
    """Attributes that hold a non-scalar anywhere, or scalars of more than one type: written as JSON."""
    types: dict[str, set[type | None]] = {}
    for data in items:
        for name, value in data.items():
            if value is not None:
                types.setdefault(name, set()).add(_scalar_type(value))
    return {name for name, seen in types.items() if None in seen or len(seen) > 1}


def _encoded(data: Mapping[str, Any], as_json: set[str]) -> dict[str, Any]:
    return {
        str(k): json.dumps(v, ensure_ascii=False, sort_keys=True) if k in as_json else v
        for k, v in data.items()
        if v is not None
    }


def _decoded(data: Mapping[str, Any], as_json: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name in as_json and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise InterchangeError(f"attribute {name!r} should hold JSON text: {exc}") from exc
        if name == "provenance" and isinstance(value, list):
            value = [tuple(p) if isinstance(p, list) else p for p in value]
        out[name] = value
    return out


def exchange_form(G: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, set[str], set[str]]:
    node_json = _json_attributes(d for _, d in G.nodes(data=True))
    edge_json = _json_attributes(d for *_, d in G.edges(keys=True, data=True))
    H = nx.MultiDiGraph()
    H.graph.update({k: v for k, v in G.graph.items() if isinstance(v, str)})  # its marking and who prepared it
    for node, data in G.nodes(data=True):
        H.add_node(str(node), **_encoded(data, node_json))
    for u, v, key, data in G.edges(keys=True, data=True):
        H.add_edge(str(u), str(v), key=str(key), **_encoded(data, edge_json))
    return H, node_json, edge_json


# -- GraphML ---------------------------------------------------------------------------------------


def write_graphml(G: nx.MultiDiGraph, out: str | Path | IO[bytes]) -> None:
    """Write a Disrupt graph as GraphML (yEd, Gephi, Cytoscape), lists and mappings as JSON text; the
    graph's text attributes (``description``: its marking and who prepared it) as graph data."""
    H, node_json, edge_json = exchange_form(G)
    H.graph[_JSON_KEY] = json.dumps({"node": sorted(node_json), "edge": sorted(edge_json)})
    H.graph[FORMAT_KEY] = FORMAT_VERSION
    nx.write_graphml(H, out, encoding="utf-8", prettyprint=True, named_key_ids=True)


def read_graphml(source: str | Path | IO[bytes]) -> nx.MultiDiGraph:
    """Read a GraphML file into a MultiDiGraph; a Disrupt file's JSON attributes are decoded.

    Raises:
        InterchangeError: the file is not well-formed GraphML, or declares entities (refused as unsafe).
    """
    text = safe_xml_text(source)
    try:
        raw = nx.parse_graphml(text, force_multigraph=True)
    except (nx.NetworkXError, ValueError, KeyError) as exc:
        raise InterchangeError(f"not a GraphML graph this reader understands: {exc}") from exc
    meta = json.loads(raw.graph.get(_JSON_KEY, "{}") or "{}")
    node_json, edge_json = set(meta.get("node", [])), set(meta.get("edge", []))
    G = nx.MultiDiGraph(**{k: v for k, v in raw.graph.items() if k in (FORMAT_KEY,)})
    for node, data in raw.nodes(data=True):
        G.add_node(node, **_decoded(data, node_json))
    for u, v, key, data in raw.edges(keys=True, data=True):
        G.add_edge(u, v, key=key, **_decoded(data, edge_json))
    return G


def safe_xml_text(source: str | Path | IO[bytes]) -> str:
    """The file's text, refused if it declares a DTD or entities (billion laughs, external entities)."""
    data = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    try:
        SafeET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # defusedxml raises several unrelated types; each means "do not read this"
        raise InterchangeError(f"not a well-formed XML file, or one that declares a DTD or entities: {exc}") from exc
    return data.decode("utf-8-sig") if isinstance(data, bytes) else str(data)


def read_graph_file(path: Path) -> nx.MultiDiGraph:
    """Read a ``.graphml`` or ``.gexf`` file by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        return read_graphml(path)
    if suffix == ".gexf":
        from graph.gexf import read_gexf  # graph.gexf builds on this module

        return read_gexf(path)
    raise InterchangeError(f"{path}: not a .graphml or .gexf file")


# -- loading a read graph into a store ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetAside:
    """An element that was not stored: its place in the file (nodes first, then edges, from 1), which, why."""

    number: int
    element: str
    reason: str


@dataclass
class LoadReport:
    """What :func:`load_graph` read and stored, and what it set aside, element by element."""

    source: str
    nodes_read: int = 0
    edges_read: int = 0
    entities_by_kind: Counter[str] = field(default_factory=Counter)
    links_by_kind: Counter[str] = field(default_factory=Counter)
    kept_as_other: Counter[str] = field(default_factory=Counter)  # the kind each such node said it had
    kept_as_related: Counter[str] = field(default_factory=Counter)  # the edge kinds kept as RELATED_TO
    set_aside: list[SetAside] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "nodes_read": self.nodes_read,
            "edges_read": self.edges_read,
            "entities_by_kind": dict(self.entities_by_kind),
            "links_by_kind": dict(self.links_by_kind),
            "kept_as_other": dict(self.kept_as_other),
            "kept_as_related": dict(self.kept_as_related),
            "set_aside": [{"number": a.number, "element": a.element, "reason": a.reason} for a in self.set_aside],
        }


NODE_META = ("kind", "label", "provenance", *_SEEN)
EDGE_META = ("kind", "provenance", *_SEEN)


def load_graph(store: GraphStore, G: nx.MultiDiGraph, *, source: str) -> LoadReport:
    """Store a graph read by :func:`read_graphml` or :func:`read_gexf`; return what was stored and set aside.

    A Disrupt file keeps its entity and link ids and its sources, so an exported graph loads back as the
    same graph; another file's nodes and edges are sourced to ``source`` and the element's id.
    """
    schema = store.schema
    ours = G.graph.get(FORMAT_KEY) == FORMAT_VERSION
    report = LoadReport(source)
    loaded_at = now_iso()
    entities: dict[str, Entity] = {}
    numbers: dict[str, int] = {}
    for node, data in G.nodes(data=True):
        report.nodes_read += 1
        try:
            entity = _entity(schema, str(node), data, source, loaded_at, keep_id=ours)
        except InvalidRecord as exc:
            report.set_aside.append(SetAside(report.nodes_read, f"node {node!r}", str(exc)))
            continue
        if entity.kind == "Other" and data.get("kind") != "Other":
            report.kept_as_other[str(data.get("kind") or "(no kind)")] += 1
        entities[str(node)] = entity
        numbers[str(node)] = report.nodes_read
    # An erased entity is never stored again (an export made before the erasure must not bring it back).
    erased = store.erased_ids({e.id for e in entities.values()})
    for node, entity in list(entities.items()):
        if entity.id in erased:
            why = f"was erased (erasure {erased[entity.id]}); it is not stored again"
            report.set_aside.append(SetAside(numbers[node], f"node {node!r}", why))
            del entities[node]
    links: list[Link] = []
    for u, v, key, data in G.edges(keys=True, data=True):
        report.edges_read += 1
        number = G.number_of_nodes() + report.edges_read
        ends = entities.get(str(u)), entities.get(str(v))
        if ends[0] is None or ends[1] is None or ends[0].id == ends[1].id:
            why = (
                "an end was set aside"
                if ends[0] is None or ends[1] is None
                else "joins a node to itself"
                if u == v
                else "joins two nodes that are one entity (the same key)"
            )
            report.set_aside.append(SetAside(number, f"edge {key!r} from {u!r} to {v!r}", why))
            continue
        try:
            link, kept_as = _link(schema, str(key), ends[0], ends[1], data, source, loaded_at, keep_id=ours)
        except InvalidRecord as exc:
            report.set_aside.append(SetAside(number, f"edge {key!r} from {u!r} to {v!r}", str(exc)))
            continue
        if kept_as:
            report.kept_as_related[kept_as] += 1
        links.append(link)
    unique = list({e.id: e for e in entities.values()}.values())
    for start in range(0, len(unique), _BATCH):
        store.upsert(unique[start : start + _BATCH], [])
    for start in range(0, len(links), _BATCH):
        store.upsert([], links[start : start + _BATCH])
    report.entities_by_kind.update(e.kind for e in unique)
    report.links_by_kind.update(ln.kind for ln in {ln.id: ln for ln in links}.values())
    log.info("loaded %d entities and %d links from %s", len(unique), len(links), source)
    return report


def _provenance(data: Mapping[str, Any], source: str, element: str, loaded_at: str) -> tuple[Provenance, ...]:
    given = data.get("provenance")
    if isinstance(given, list) and given:
        out = []
        for item in given:
            if not isinstance(item, tuple | list) or len(item) < 2:
                raise InvalidRecord("provenance", "provenance", item, "expected (source, record id, grading)")
            grading = item[2] if len(item) > 2 and item[2] else None
            out.append(Provenance(str(item[0]), str(item[1]), loaded_at, grading=grading))
        return tuple(out)
    return (Provenance(source, element, loaded_at),)


def _entity(
    schema: Schema, node: str, data: Mapping[str, Any], source: str, loaded_at: str, *, keep_id: bool
) -> Entity:
    props = {k: v for k, v in data.items() if k not in NODE_META}
    prov = _provenance(data, source, node, loaded_at)
    seen = {k: data.get(k) for k in _SEEN}
    kind = str(data.get("kind") or "")
    if kind in schema.entities and kind != "Other":
        try:
            entity = new_entity(kind, props, provenance=prov, schema=schema, **seen)
            return replace(entity, id=node) if keep_id else entity
        except InvalidRecord as exc:
            log.info("node %s kept as Other: %s", node, exc.reason if hasattr(exc, "reason") else exc)
    other = {**props, "ref": props.get("ref") if kind == "Other" and props.get("ref") else f"{source}:{node}"}
    other.setdefault("name", str(data.get("label") or node))
    if kind and kind != "Other":
        other["labels"] = [*(props.get("labels") or []), kind] if isinstance(props.get("labels"), list) else [kind]
    entity = new_entity("Other", other, provenance=prov, schema=schema, **seen)
    return replace(entity, id=node) if keep_id and kind == "Other" else entity


def _link(
    schema: Schema,
    key: str,
    a: Entity,
    b: Entity,
    data: Mapping[str, Any],
    source: str,
    loaded_at: str,
    *,
    keep_id: bool,
) -> tuple[Link, str | None]:
    props = {k: v for k, v in data.items() if k not in EDGE_META}
    prov = _provenance(data, source, key, loaded_at)
    seen = {k: data.get(k) for k in _SEEN}
    kind = str(data.get("kind") or "")
    lk = schema.links.get(kind)
    if lk is not None and kind != "RELATED_TO" and lk.allows(a.kind, b.kind):
        try:
            link = new_link(kind, a.id, b.id, props, provenance=prov, schema=schema, **seen)
            # a Disrupt file keeps its link ids, and the ends as stored (a symmetric link moved onto two
            # resolved people may run from the higher id to the lower: the same fact either way)
            return (replace(link, id=key, source=a.id, target=b.id) if keep_id else link), None
        except InvalidRecord as exc:
            log.info("edge %s kept as RELATED_TO: %s", key, exc)
    kept_as = None
    if kind != "RELATED_TO":
        kept_as = kind or "(no kind)"
        props = {**props, "type": props.get("type") or kind or "EDGE"}
        if kind and props["type"] != kind:
            props["kind_given"] = kind
    props.setdefault("type", "EDGE")
    link = new_link("RELATED_TO", a.id, b.id, props, provenance=prov, schema=schema, **seen)
    return (replace(link, id=key) if keep_id and kind == "RELATED_TO" else link), kept_as


__all__ = [
    "EDGE_META",
    "FORMAT_KEY",
    "FORMAT_VERSION",
    "NODE_META",
    "InterchangeError",
    "LoadReport",
    "SetAside",
    "exchange_form",
    "load_graph",
    "read_graph_file",
    "read_graphml",
    "safe_xml_text",
    "write_graphml",
]
