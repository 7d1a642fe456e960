"""Whole graphs in and out of Disrupt: GraphML and GEXF (Gephi, yEd) and neo4j-admin import bundles.

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

import csv
import datetime as dt
import io
import json
import logging
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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
_FORMAT_KEY = "disrupt_format"
_GEXF_NS = "http://gexf.net/1.3"
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


def _exchange_form(G: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, set[str], set[str]]:
    node_json = _json_attributes(d for _, d in G.nodes(data=True))
    edge_json = _json_attributes(d for *_, d in G.edges(keys=True, data=True))
    H = nx.MultiDiGraph()
    for node, data in G.nodes(data=True):
        H.add_node(str(node), **_encoded(data, node_json))
    for u, v, key, data in G.edges(keys=True, data=True):
        H.add_edge(str(u), str(v), key=str(key), **_encoded(data, edge_json))
    return H, node_json, edge_json


# -- GraphML ---------------------------------------------------------------------------------------


def write_graphml(G: nx.MultiDiGraph, out: str | Path | IO[bytes]) -> None:
    """Write a Disrupt graph as GraphML (yEd, Gephi, Cytoscape), lists and mappings as JSON text."""
    H, node_json, edge_json = _exchange_form(G)
    H.graph[_JSON_KEY] = json.dumps({"node": sorted(node_json), "edge": sorted(edge_json)})
    H.graph[_FORMAT_KEY] = FORMAT_VERSION
    nx.write_graphml(H, out, encoding="utf-8", prettyprint=True, named_key_ids=True)


def read_graphml(source: str | Path | IO[bytes]) -> nx.MultiDiGraph:
    """Read a GraphML file into a MultiDiGraph; a Disrupt file's JSON attributes are decoded.

    Raises:
        InterchangeError: the file is not well-formed GraphML, or declares entities (refused as unsafe).
    """
    text = _safe_xml(source)
    try:
        raw = nx.parse_graphml(text, force_multigraph=True)
    except (nx.NetworkXError, ValueError, KeyError) as exc:
        raise InterchangeError(f"not a GraphML graph this reader understands: {exc}") from exc
    meta = json.loads(raw.graph.get(_JSON_KEY, "{}") or "{}")
    node_json, edge_json = set(meta.get("node", [])), set(meta.get("edge", []))
    G = nx.MultiDiGraph(**{k: v for k, v in raw.graph.items() if k in (_FORMAT_KEY,)})
    for node, data in raw.nodes(data=True):
        G.add_node(node, **_decoded(data, node_json))
    for u, v, key, data in raw.edges(keys=True, data=True):
        G.add_edge(u, v, key=key, **_decoded(data, edge_json))
    return G


def _safe_xml(source: str | Path | IO[bytes]) -> str:
    """The file's text, refused if it declares a DTD or entities (billion laughs, external entities)."""
    data = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    try:
        SafeET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # defusedxml raises several unrelated types; each means "do not read this"
        raise InterchangeError(f"not a well-formed XML file, or one that declares a DTD or entities: {exc}") from exc
    return data.decode("utf-8-sig") if isinstance(data, bytes) else str(data)


# -- GEXF (written and read here: networkx's GEXF writer takes over attributes named id, type, label) --


def _gexf_type(values: Iterable[Any]) -> str:
    seen = {type(v) for v in values}
    if seen == {bool}:
        return "boolean"
    if seen == {int}:
        return "long"
    if seen <= {float} and seen:
        return "double"
    return "string"


def _gexf_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def write_gexf(G: nx.MultiDiGraph, out: str | Path | IO[bytes]) -> None:
    """Write a Disrupt graph as GEXF 1.3 (Gephi): node labels as GEXF labels, every other value an attribute."""
    H, node_json, edge_json = _exchange_form(G)
    gexf = ET.Element("gexf", {"xmlns": _GEXF_NS, "version": "1.3"})
    meta = ET.SubElement(gexf, "meta", {"lastmodifieddate": dt.date.today().isoformat()})
    ET.SubElement(meta, "creator").text = f"Disrupt (format {FORMAT_VERSION})"
    graph = ET.SubElement(gexf, "graph", {"defaultedgetype": "directed", "mode": "static"})
    declared: dict[str, dict[str, str]] = {}
    for cls, items, as_json in (
        ("node", [d for _, d in H.nodes(data=True)], node_json),
        ("edge", [d for *_, d in H.edges(keys=True, data=True)], edge_json),
    ):
        names = sorted({k for d in items for k in d} - ({"label"} if cls == "node" else set()))
        attrs = ET.SubElement(graph, "attributes", {"class": cls, "mode": "static"})
        declared[cls] = {}
        for name in names:
            aid = f"json:{name}" if name in as_json else f"a:{name}"
            kind = "string" if name in as_json else _gexf_type(d[name] for d in items if name in d)
            ET.SubElement(attrs, "attribute", {"id": aid, "title": name, "type": kind})
            declared[cls][name] = aid
    nodes = ET.SubElement(graph, "nodes")
    for node, data in H.nodes(data=True):
        el = ET.SubElement(nodes, "node", {"id": node, "label": str(data.get("label", node))})
        _gexf_values(el, data, declared["node"], skip={"label"})
    edges = ET.SubElement(graph, "edges")
    for u, v, key, data in H.edges(keys=True, data=True):
        el = ET.SubElement(edges, "edge", {"id": key, "source": u, "target": v})
        _gexf_values(el, data, declared["edge"], skip=set())
    ET.indent(gexf)
    tree = ET.ElementTree(gexf)
    if hasattr(out, "write"):
        tree.write(out, encoding="utf-8", xml_declaration=True)
    else:
        tree.write(str(out), encoding="utf-8", xml_declaration=True)


def _gexf_values(el: ET.Element, data: Mapping[str, Any], ids: Mapping[str, str], *, skip: set[str]) -> None:
    values = ET.SubElement(el, "attvalues")
    for name, value in data.items():
        if name not in skip:
            ET.SubElement(values, "attvalue", {"for": ids[name], "value": _gexf_text(value)})


def read_gexf(source: str | Path | IO[bytes]) -> nx.MultiDiGraph:
    """Read a GEXF file (1.1 to 1.3, as Gephi writes it) into a MultiDiGraph.

    Node labels become ``label``; edge weights ``weight``; attributes take their declared types and
    defaults; a Disrupt file's JSON attributes are decoded.

    Raises:
        InterchangeError: the file is not GEXF, an element names an undeclared attribute, or a value
            is not of its declared type.
    """
    root = SafeET.fromstring(_safe_xml(source))
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    graph = root.find(f"{ns}graph")
    if root.tag != f"{ns}gexf" or graph is None:
        raise InterchangeError("not a GEXF file: no <gexf><graph> element")
    creator = root.findtext(f"{ns}meta/{ns}creator") or ""
    G = nx.MultiDiGraph(**({_FORMAT_KEY: FORMAT_VERSION} if creator.startswith("Disrupt") else {}))
    classes: dict[str, dict[str, tuple[str, str, str | None]]] = {"node": {}, "edge": {}}
    for attrs in graph.findall(f"{ns}attributes"):
        for a in attrs.findall(f"{ns}attribute"):
            default = a.findtext(f"{ns}default")
            classes[attrs.get("class", "node")][a.get("id", "")] = (
                a.get("title", ""),
                a.get("type", "string"),
                default,
            )
    undirected = graph.get("defaultedgetype") == "undirected"
    for n in graph.iterfind(f"{ns}nodes/{ns}node"):
        node_id = n.get("id") or ""
        data = _gexf_read_values(n, ns, classes["node"], f"node {node_id!r}")
        data.setdefault("label", n.get("label") or node_id)
        G.add_node(node_id, **data)
    for number, e in enumerate(graph.iterfind(f"{ns}edges/{ns}edge")):
        data = _gexf_read_values(e, ns, classes["edge"], f"edge {e.get('id')!r}")
        if e.get("weight") is not None:
            data["weight"] = _typed(e.get("weight", ""), "double", "edge weight")
        if e.get("label") is not None:
            data.setdefault("edge_label", e.get("label"))
        if undirected or e.get("type") == "undirected":
            data.setdefault("undirected", True)
        G.add_edge(e.get("source") or "", e.get("target") or "", key=e.get("id") or f"e{number}", **data)
    return G


def _gexf_read_values(
    el: Any, ns: str, declared: Mapping[str, tuple[str, str, str | None]], where: str
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for title, kind, default in declared.values():
        if default is not None:
            data[title] = _typed(default, kind, f"{where} default of {title!r}")
    for v in el.iterfind(f"{ns}attvalues/{ns}attvalue"):
        aid = v.get("for") or v.get("id") or ""
        if aid not in declared:
            raise InterchangeError(f"{where}: a value for attribute {aid!r}, which the file does not declare")
        title, kind, _ = declared[aid]
        value = _typed(v.get("value", ""), kind, f"{where} attribute {title!r}")
        data[title] = json.loads(value) if aid.startswith("json:") else value
    if "provenance" in data and isinstance(data["provenance"], list):
        data["provenance"] = [tuple(p) if isinstance(p, list) else p for p in data["provenance"]]
    return data


def _typed(text: str, kind: str, where: str) -> Any:
    try:
        if kind in ("integer", "long", "short", "byte"):
            return int(text)
        if kind in ("double", "float", "bigdecimal"):
            return float(text)
        if kind == "boolean":
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError("expected true or false")
            return text.lower() in ("true", "1")
    except ValueError as exc:
        raise InterchangeError(f"{where}: {text[:40]!r} is not a {kind}: {exc}") from exc
    return text


def read_graph_file(path: Path) -> nx.MultiDiGraph:
    """Read a ``.graphml`` or ``.gexf`` file by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        return read_graphml(path)
    if suffix == ".gexf":
        return read_gexf(path)
    raise InterchangeError(f"{path}: not a .graphml or .gexf file")


# -- loading a read graph into a store ---------------------------------------------------------------


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
    set_aside: list[tuple[str, str]] = field(default_factory=list)  # (element, reason)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "nodes_read": self.nodes_read,
            "edges_read": self.edges_read,
            "entities_by_kind": dict(self.entities_by_kind),
            "links_by_kind": dict(self.links_by_kind),
            "kept_as_other": dict(self.kept_as_other),
            "kept_as_related": dict(self.kept_as_related),
            "set_aside": [{"element": e, "reason": r} for e, r in self.set_aside],
        }


_NODE_META = ("kind", "label", "provenance", *_SEEN)
_EDGE_META = ("kind", "provenance", *_SEEN)


def load_graph(store: GraphStore, G: nx.MultiDiGraph, *, source: str) -> LoadReport:
    """Store a graph read by :func:`read_graphml` or :func:`read_gexf`; return what was stored and set aside.

    A Disrupt file keeps its entity and link ids and its sources, so an exported graph loads back as the
    same graph; another file's nodes and edges are sourced to ``source`` and the element's id.
    """
    schema = store.schema
    ours = G.graph.get(_FORMAT_KEY) == FORMAT_VERSION
    report = LoadReport(source)
    loaded_at = now_iso()
    entities: dict[str, Entity] = {}
    for node, data in G.nodes(data=True):
        report.nodes_read += 1
        try:
            entity = _entity(schema, str(node), data, source, loaded_at, keep_id=ours)
        except InvalidRecord as exc:
            report.set_aside.append((f"node {node!r}", str(exc)))
            continue
        if entity.kind == "Other" and data.get("kind") != "Other":
            report.kept_as_other[str(data.get("kind") or "(no kind)")] += 1
        entities[str(node)] = entity
    links: list[Link] = []
    for u, v, key, data in G.edges(keys=True, data=True):
        report.edges_read += 1
        ends = entities.get(str(u)), entities.get(str(v))
        if ends[0] is None or ends[1] is None or ends[0].id == ends[1].id:
            why = "joins a node to itself" if ends[0] is not None and ends[0] == ends[1] else "an end was set aside"
            report.set_aside.append((f"edge {key!r}", why))
            continue
        try:
            link, kept_as = _link(schema, str(key), ends[0], ends[1], data, source, loaded_at, keep_id=ours)
        except InvalidRecord as exc:
            report.set_aside.append((f"edge {key!r}", str(exc)))
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
    props = {k: v for k, v in data.items() if k not in _NODE_META}
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
    props = {k: v for k, v in data.items() if k not in _EDGE_META}
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


# -- neo4j-admin import bundles ----------------------------------------------------------------------

_NEO4J_TYPES = {"string": "string", "text": "string", "enum": "string", "integer": "long", "number": "double"}
_NEO4J_TYPES |= {"boolean": "boolean", "date": "date", "datetime": "datetime", "strings": "string[]"}
ARRAY_DELIMITER = ";"


def write_neo4j_bundle(G: nx.MultiDiGraph, schema: Schema, folder: Path) -> list[Path]:
    """Write a neo4j-admin import bundle: one node file per kind, one relationship file per link kind.

    Load it into a fresh Neo4j with ``neo4j-admin database import full --nodes=nodes-*.csv
    --relationships=relationships-*.csv`` (or ``disrupt import-graph``). Column types come from the
    schema (undeclared properties of open kinds are strings, or JSON text when they hold a list or
    mapping); a ``RELATED_TO`` link is written under the type it keeps. Returns the files written.

    Raises:
        InterchangeError: a list item holds the array delimiter ``;``, which neo4j-admin would split.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    by_kind: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for node, data in G.nodes(data=True):
        by_kind.setdefault(str(data.get("kind", "Other")), []).append((str(node), data))
    for kind, rows in sorted(by_kind.items()):
        declared = schema.entities[kind].properties if kind in schema.entities else {}
        names = sorted({k for _, d in rows for k in d if k not in _NODE_META and d[k] is not None})
        header = [":ID", ":LABEL", *(_column(n, declared, rows) for n in names)]
        body = []
        for node, data in rows:
            labels = [kind, *(data.get("labels") or [])] if kind == "Other" else [kind]
            body.append([node, ARRAY_DELIMITER.join(labels), *(_cell(data.get(n), f"node {node}") for n in names)])
        written.append(_write_csv(folder / f"nodes-{kind}.csv", header, body))
    by_type: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = {}
    for u, v, key, data in G.edges(keys=True, data=True):
        rel = str(data.get("kind", "RELATED_TO"))
        by_type.setdefault(rel, []).append((str(u), str(v), str(key), data))
    for rel, edges in sorted(by_type.items()):
        declared = schema.links[rel].properties if rel in schema.links else {}
        names = sorted({k for *_, d in edges for k in d if k not in _EDGE_META and d[k] is not None})
        if rel == "RELATED_TO":
            names = [n for n in names if n != "type"]
        header = [
            ":START_ID",
            ":END_ID",
            ":TYPE",
            *(_column(n, declared, [(k, d) for *_, k, d in edges]) for n in names),
        ]
        body = [
            [
                u,
                v,
                str(d.get("type") or rel) if rel == "RELATED_TO" else rel,
                *(_cell(d.get(n), f"edge {k}") for n in names),
            ]
            for u, v, k, d in edges
        ]
        written.append(_write_csv(folder / f"relationships-{rel}.csv", header, body))
    return written


def _column(name: str, declared: Mapping[str, Any], rows: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    prop = declared.get(name)
    if prop is not None:
        return f"{name}:{_NEO4J_TYPES.get(prop.type, 'string')}"
    values = [d[name] for _, d in rows if d.get(name) is not None]
    kinds = {_gexf_type([v]) for v in values}
    if len(kinds) == 1 and (only := kinds.pop()) != "string":
        return f"{name}:{only}"  # long, double or boolean: the same names in GEXF and neo4j-admin
    if values and all(isinstance(v, list) and all(isinstance(i, str) for i in v) for v in values):
        return f"{name}:string[]"
    return f"{name}:string"


def _cell(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(i, str) for i in value):
        if any(ARRAY_DELIMITER in i for i in value):
            raise InterchangeError(f"{where}: a list item holds {ARRAY_DELIMITER!r}, which neo4j-admin splits on")
        return ARRAY_DELIMITER.join(value)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return repr(value) if isinstance(value, float) else str(value)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


__all__ = [
    "FORMAT_VERSION",
    "InterchangeError",
    "LoadReport",
    "load_graph",
    "read_gexf",
    "read_graph_file",
    "read_graphml",
    "write_gexf",
    "write_graphml",
    "write_neo4j_bundle",
]
