"""GEXF 1.3 (Gephi) in and out, for :mod:`graph.interchange`'s exchange form.

Written and read here rather than by networkx, whose GEXF writer takes over attributes named ``id``,
``type`` and ``label`` (a RELATED_TO link's ``type`` would be lost). An attribute that
:mod:`graph.interchange` holds as JSON text has an id beginning ``json:``; Gephi shows its title.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import networkx as nx
from defusedxml import ElementTree as SafeET

from graph.interchange import FORMAT_KEY, FORMAT_VERSION, InterchangeError, exchange_form, safe_xml_text

GEXF_NS = "http://gexf.net/1.3"


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
    H, node_json, edge_json = exchange_form(G)
    gexf = ET.Element("gexf", {"xmlns": GEXF_NS, "version": "1.3"})
    meta = ET.SubElement(gexf, "meta", {"lastmodifieddate": dt.date.today().isoformat()})
    ET.SubElement(meta, "creator").text = f"Disrupt (format {FORMAT_VERSION})"
    if isinstance(G.graph.get("description"), str):  # the marking and who prepared it
        ET.SubElement(meta, "description").text = G.graph["description"]
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
        weight = data.get("weight")
        if isinstance(weight, int | float) and not isinstance(weight, bool):
            el.set("weight", repr(float(weight)))  # what Gephi sizes and weighs edges by; the attribute keeps its type
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
    root = SafeET.fromstring(safe_xml_text(source))
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    graph = root.find(f"{ns}graph")
    if root.tag != f"{ns}gexf" or graph is None:
        raise InterchangeError("not a GEXF file: no <gexf><graph> element")
    creator = root.findtext(f"{ns}meta/{ns}creator") or ""
    G = nx.MultiDiGraph(**({FORMAT_KEY: FORMAT_VERSION} if creator.startswith("Disrupt") else {}))
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
            data.setdefault("weight", _typed(e.get("weight", ""), "double", "edge weight"))
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


__all__ = ["GEXF_NS", "read_gexf", "write_gexf"]
