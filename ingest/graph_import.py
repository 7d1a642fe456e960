"""Imports of data that already is a graph: neo4j-admin import CSV bundles and plain edge lists.

Labels that name a Disrupt kind map to it; an optional YAML file maps other labels to kinds and
relationship types to link kinds (with fixed properties such as a role). Nothing is dropped:
nodes of unknown labels become ``Other`` entities that keep their labels and properties, and
relationships of unknown types (or between kinds a Disrupt link may not join) become
``RELATED_TO`` links that keep their type.

A labels file looks like::

    labels:    {Suspect: Person, Car: Vehicle}
    types:     {DROVE: {kind: USES_VEHICLE, properties: {role: driver}}, KNOWS: ASSOCIATE_OF}
    properties: {registration: vrm, name: full_name}
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph import Entity, GraphError, GraphStore, Link, Provenance, make_id, now_iso
from graph.records import make_label
from graph.schema import Schema
from ingest.ledger import Checkpoint, Ledger, Reject, file_digest
from ingest.readers import ReaderError, read_csv

log = logging.getLogger(__name__)

_HEADER = re.compile(r"^(?P<name>[^:]*)(?::(?P<type>[A-Za-z_]+(?:\[\])?)(?:\((?P<space>[^)]*)\))?)?$")
_BATCH = 5_000


class GraphImportError(Exception):
    """A graph bundle or edge list cannot be imported; the message says why and what to do."""


@dataclass
class ImportReport:
    source: str
    nodes_read: int = 0
    relationships_read: int = 0
    rows_rejected: int = 0
    entities_by_kind: Counter[str] = field(default_factory=Counter)
    links_by_kind: Counter[str] = field(default_factory=Counter)
    unknown_labels: Counter[str] = field(default_factory=Counter)
    unknown_types: Counter[str] = field(default_factory=Counter)
    properties_left_out: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "nodes_read": self.nodes_read,
            "relationships_read": self.relationships_read,
            "rows_rejected": self.rows_rejected,
            "entities_by_kind": dict(self.entities_by_kind),
            "links_by_kind": dict(self.links_by_kind),
            "unknown_labels": dict(self.unknown_labels),
            "unknown_types": dict(self.unknown_types),
            "properties_left_out": dict(self.properties_left_out),
        }


@dataclass(frozen=True)
class LabelMap:
    labels: Mapping[str, str] = field(default_factory=dict)
    types: Mapping[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)
    properties: Mapping[str, str] = field(default_factory=dict)


def load_label_map(path: Path | None, schema: Schema) -> LabelMap:
    """Read a labels file; refuse kinds and link kinds the schema does not have."""
    if path is None:
        return LabelMap()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise GraphImportError(f"{path}: cannot read the labels file: {exc}") from exc
    if not isinstance(doc, dict) or set(doc) - {"labels", "types", "properties"}:
        raise GraphImportError(f"{path}: a labels file has the keys labels, types and properties only")
    labels = {str(k): str(v) for k, v in (doc.get("labels") or {}).items()}
    for label, kind in labels.items():
        if kind not in schema.entities:
            raise GraphImportError(f"{path}: labels.{label}: no entity kind {kind!r}")
    types: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for name, target in (doc.get("types") or {}).items():
        kind, props = (target, {}) if isinstance(target, str) else (target.get("kind"), target.get("properties") or {})
        if kind not in schema.links:
            raise GraphImportError(f"{path}: types.{name}: no link kind {kind!r}")
        types[str(name)] = (str(kind), dict(props))
    return LabelMap(labels, types, {str(k): str(v) for k, v in (doc.get("properties") or {}).items()})


# -- typed CSV columns -------------------------------------------------------------------------


def _convert(value: str, type_name: str) -> Any:
    if type_name.endswith("[]"):
        return [_convert(v, type_name[:-2]) for v in value.split(";") if v != ""]
    t = type_name.lower()
    if t in ("int", "long", "short", "byte"):
        return int(value)
    if t in ("float", "double"):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return number
    if t == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError("expected true or false")
        return value.lower() == "true"
    if t == "date":
        return dt.date.fromisoformat(value).isoformat()
    if t in ("datetime", "localdatetime"):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    return value


@dataclass(frozen=True)
class _Column:
    header: str
    name: str
    type: str
    space: str


def _columns(header: list[str], path: Path) -> list[_Column]:
    cols = []
    for h in header:
        m = _HEADER.match(h)
        if not m:
            raise GraphImportError(f"{path}: header {h!r} is not name:type or :ID / :LABEL / :START_ID ...")
        cols.append(_Column(h, m["name"], m["type"] or "string", m["space"] or ""))
    return cols


_SPECIAL = ("ID", "START_ID", "END_ID", "LABEL", "TYPE")


def _file_kind(cols: list[_Column]) -> str:
    types = {c.type.upper() for c in cols}
    if {"START_ID", "END_ID"} <= types:
        return "relationships"
    if "ID" in types:
        return "nodes"
    return "unknown"


# -- the importer -------------------------------------------------------------------------------


class GraphImporter:
    def __init__(self, store: GraphStore, work_dir: Path, source: str, label_map: LabelMap) -> None:
        self.store = store
        self.schema = store.schema
        self.source = source
        self.map = label_map
        self.report = ImportReport(source)
        self.loaded_at = now_iso()
        self.ids: dict[tuple[str, str], tuple[str, str]] = {}  # (id space, id) -> (entity id, kind)
        self.ledger = Ledger(work_dir / "ingest-ledger.db", store.url)

    def close(self) -> None:
        self.ledger.close()

    def node(self, space: str, node_id: str, labels: list[str], props: dict[str, Any], row: str) -> Entity:
        kind = next(
            (self.map.labels.get(lb, lb) for lb in labels if self.map.labels.get(lb, lb) in self.schema.entities), None
        )
        props = {self.map.properties.get(k, k): v for k, v in props.items() if v not in (None, "", [])}
        if kind is not None and kind != "Other":
            ek = self.schema.entities[kind]
            kept = {k: v for k, v in props.items() if k in ek.properties}
            for k in props.keys() - kept.keys():
                self.report.properties_left_out[f"{kind}.{k}"] += 1
            if "ref" in ek.key and "ref" not in kept:
                kept["ref"] = f"{self.source}:{space}:{node_id}"
            if "reference" in ek.key and "reference" not in kept:
                kept["reference"] = node_id
            if all(kept.get(k) not in (None, "") for k in ek.key):
                return self.entity(kind, kept, row)
        for lb in labels or ["(no label)"]:
            if lb not in self.schema.entities and lb not in self.map.labels:
                self.report.unknown_labels[lb] += 1
        other = {**props, "ref": f"{self.source}:{space}:{node_id}", "labels": labels}
        other.setdefault("name", str(props.get("name") or node_id))
        return self.entity("Other", other, row)

    def entity(self, kind: str, props: dict[str, Any], row: str) -> Entity:
        ek = self.schema.entities[kind]
        entity_id = make_id(kind, *(props[k] for k in ek.key))
        prov = (Provenance(self.source, row, self.loaded_at),)
        return Entity(entity_id, kind, make_label(self.schema, kind, props), props, prov)

    def link(
        self, rel_type: str, start: tuple[str, str], end: tuple[str, str], props: dict[str, Any], row: str
    ) -> Link:
        (src, src_kind), (dst, dst_kind) = start, end
        kind, fixed = self.map.types.get(rel_type, (rel_type, {}))
        lk = self.schema.links.get(kind)
        props = {k: v for k, v in props.items() if v not in (None, "", [])}
        if lk is None or kind == "RELATED_TO" or not lk.allows(src_kind, dst_kind):
            self.report.unknown_types[rel_type] += 1
            kind, fixed, lk = "RELATED_TO", {"type": rel_type}, self.schema.links["RELATED_TO"]
        else:
            dropped = props.keys() - lk.properties.keys()
            for k in dropped:
                self.report.properties_left_out[f"{kind}.{k}"] += 1
            props = {k: v for k, v in props.items() if k in lk.properties}
        props = {**props, **fixed}
        if lk.symmetric and dst < src:
            src, dst = dst, src
        key = [str(props[k]) if props.get(k) not in (None, "") else "-" for k in lk.key]
        return Link(
            make_id(kind, src, dst, *key), kind, src, dst, props, (Provenance(self.source, row, self.loaded_at),)
        )

    def upsert(self, entities: list[Entity], links: list[Link]) -> None:
        self.store.upsert(entities, links)
        self.report.entities_by_kind.update(e.kind for e in {e.id: e for e in entities}.values())
        self.report.links_by_kind.update(ln.kind for ln in {ln.id: ln for ln in links}.values())

    def reject(self, path: Path, rejects: list[Reject]) -> None:
        if rejects:
            self.report.rows_rejected += len({r.row for r in rejects})
            digest = file_digest(path)
            self.ledger.advance(digest, self.source, str(path), Checkpoint(), rejects, self.source, now_iso())


def import_neo4j_bundle(store: GraphStore, folder: Path, work_dir: Path, *, labels: Path | None = None) -> ImportReport:
    """Import every node file, then every relationship file, of a neo4j-admin import CSV bundle.

    Raises:
        GraphImportError: the folder holds no node file, or a header or labels file is malformed.
    """
    files = sorted(p for p in folder.glob("*.csv") if p.is_file())
    if not files:
        raise GraphImportError(f"{folder}: no .csv files; a neo4j-admin bundle has node and relationship CSV files")
    kinds = {p: _file_kind(_columns(_header_of(p), p)) for p in files}
    if "nodes" not in kinds.values():
        raise GraphImportError(f"{folder}: no node file (a header with :ID); is this a neo4j-admin import bundle?")
    importer = GraphImporter(store, work_dir, f"import:{folder.name}", load_label_map(labels, store.schema))
    try:
        for path in (p for p in files if kinds[p] == "nodes"):
            _import_nodes(importer, path)
        for path in (p for p in files if kinds[p] == "relationships"):
            _import_relationships(importer, path)
        importer.ledger.write_rejects_csv(work_dir / "rejects.csv")
    finally:
        importer.close()
    return importer.report


def _header_of(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [h.strip() for h in next(csv.reader(fh), [])]


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str], str | None]]:
    try:
        for chunk in read_csv(path, encoding="utf-8-sig", delimiter=","):
            for row in chunk:
                yield row.row, row.values, row.problem
    except ReaderError as exc:
        raise GraphImportError(str(exc)) from exc


def _typed(cols: list[_Column], values: dict[str, str]) -> tuple[dict[str, Any], list[Reject], dict[str, str]]:
    props: dict[str, Any] = {}
    special: dict[str, str] = {}
    problems: list[Reject] = []
    for c in cols:
        raw = values.get(c.header, "")
        kind = c.type.upper()
        if kind in _SPECIAL:
            special[kind], special[kind + "_SPACE"] = raw, c.space
            if kind != "ID" or not c.name:
                continue  # a named :ID column is also a property, as neo4j-admin stores it
        if kind == "IGNORE" or raw == "":
            continue
        try:
            props[c.name] = _convert(raw, "string" if kind == "ID" else c.type)
        except ValueError as exc:
            problems.append(Reject("", 0, c.header, f"{raw[:40]!r} is not a {c.type}: {exc}"))
    return props, problems, special


def _import_nodes(importer: GraphImporter, path: Path) -> None:
    cols = _columns(_header_of(path), path)
    batch: list[Entity] = []
    rejects: list[Reject] = []
    for number, values, problem in _rows(path):
        importer.report.nodes_read += 1
        props, problems, special = _typed(cols, values)
        node_id = special.get("ID", "")
        if problem or problems or not node_id:
            why = problem or ("; ".join(p.reason for p in problems) if problems else ":ID is empty")
            rejects.append(Reject(str(path), number, problems[0].column if problems else "", why))
            continue
        labels = [lb for lb in special.get("LABEL", "").split(";") if lb]
        entity = importer.node(special.get("ID_SPACE", ""), node_id, labels, props, f"{path.name}:{number}")
        importer.ids[(special.get("ID_SPACE", ""), node_id)] = (entity.id, entity.kind)
        batch.append(entity)
        if len(batch) >= _BATCH:
            importer.upsert(batch, [])
            batch = []
    if batch:
        importer.upsert(batch, [])
    importer.reject(path, rejects)


def _import_relationships(importer: GraphImporter, path: Path) -> None:
    cols = _columns(_header_of(path), path)
    batch: list[Link] = []
    rejects: list[Reject] = []
    for number, values, problem in _rows(path):
        importer.report.relationships_read += 1
        props, problems, special = _typed(cols, values)
        start = importer.ids.get((special.get("START_ID_SPACE", ""), special.get("START_ID", "")))
        end = importer.ids.get((special.get("END_ID_SPACE", ""), special.get("END_ID", "")))
        rel_type = special.get("TYPE", "") or "RELATED"
        reason = problem or ("; ".join(p.reason for p in problems) if problems else None)
        if reason is None and (start is None or end is None):
            missing = special.get("START_ID") if start is None else special.get("END_ID")
            reason = f"names node {str(missing)[:40]!r}, which no node file of the bundle holds"
        if reason is None and start == end:
            reason = "joins a node to itself"
        if reason is not None or start is None or end is None:
            rejects.append(Reject(str(path), number, "", reason or ""))
            continue
        batch.append(importer.link(rel_type, start, end, props, f"{path.name}:{number}"))
        if len(batch) >= _BATCH:
            importer.upsert([], batch)
            batch = []
    if batch:
        importer.upsert([], batch)
    importer.reject(path, rejects)


def import_edge_list(
    store: GraphStore, path: Path, work_dir: Path, *, node_kind: str = "Other", labels: Path | None = None
) -> ImportReport:
    """Import a CSV edge list (columns source, target, and optionally weight and type).

    Nodes are ``node_kind`` entities named by the values of source and target (``Other`` by default,
    or ``Person`` with the value as reference); each row is a link of its type (a Disrupt link kind
    or a type mapped by the labels file), else ``RELATED_TO`` keeping the type.
    """
    if node_kind not in store.schema.entities or store.schema.entities[node_kind].key not in (("ref",), ("reference",)):
        keyed = sorted(k for k, ek in store.schema.entities.items() if ek.key in (("ref",), ("reference",)))
        raise GraphImportError(f"edge-list nodes must be a kind identified by a reference: one of {', '.join(keyed)}")
    header = _header_of(path)
    missing = [c for c in ("source", "target") if c not in header]
    if missing:
        raise GraphImportError(
            f"{path}: an edge list needs columns source and target (optional weight, type); no {missing}"
        )
    importer = GraphImporter(store, work_dir, f"edges:{path.stem}", load_label_map(labels, store.schema))
    rejects: list[Reject] = []
    try:
        entities: dict[str, Entity] = {}
        links: list[Link] = []
        for number, values, problem in _rows(path):
            importer.report.relationships_read += 1
            a, b = values.get("source", "").strip(), values.get("target", "").strip()
            reason = problem or ("source or target is empty" if not a or not b else None)
            reason = reason or ("joins a node to itself" if a == b else None)
            props: dict[str, Any] = {}
            if reason is None and values.get("weight", "").strip():
                try:
                    props["weight"] = _convert(values["weight"].strip(), "double")
                except ValueError as exc:
                    reason = f"weight {values['weight'][:40]!r} is not a number: {exc}"
            if reason is not None:
                rejects.append(Reject(str(path), number, "", reason))
                continue
            ends = []
            for name in (a, b):
                if name not in entities:
                    key = "ref" if "ref" in store.schema.entities[node_kind].key else "reference"
                    props_node = {
                        key: name,
                        **({"name": name, "labels": ["edge list node"]} if node_kind == "Other" else {}),
                    }
                    entities[name] = importer.entity(node_kind, props_node, f"{path.name}:{number}")
                    importer.report.nodes_read += 1
                ends.append((entities[name].id, node_kind))
            links.append(
                importer.link(
                    values.get("type", "").strip() or "EDGE", ends[0], ends[1], props, f"{path.name}:{number}"
                )
            )
        for start in range(0, len(entities), _BATCH):
            importer.upsert(list(entities.values())[start : start + _BATCH], [])
        for start in range(0, len(links), _BATCH):
            importer.upsert([], links[start : start + _BATCH])
        importer.reject(path, rejects)
        importer.ledger.write_rejects_csv(work_dir / "rejects.csv")
    except GraphError as exc:
        raise GraphImportError(f"{path}: the graph refused the import: {exc}") from exc
    finally:
        importer.close()
    return importer.report


__all__ = ["GraphImportError", "ImportReport", "import_edge_list", "import_neo4j_bundle", "load_label_map"]
