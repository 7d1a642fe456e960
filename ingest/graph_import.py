"""Imports of data that already is a graph: neo4j-admin import CSV bundles and plain edge lists.

Nothing is dropped. A node becomes the kind its label names or a label map maps it to (a shipped
map is chosen when a bundle fits it, see :mod:`ingest.graph_maps`), with its properties renamed as
the map says or as common names suggest (``reg`` is a VRM, ``phoneNo`` a phone number); a property
the kind does not declare is kept as ``extra_<name>``, and the node's source labels as
``extra_labels``. A node of a label no map names, or that lacks its kind's key, is an ``Other``
entity keeping its ``labels`` and properties. A relationship becomes the link kind its type names
or is mapped to (renamed properties, fixed ones, the source type in ``extra_types``); one of a
type no map names, or between kinds the link kind may not join, is a ``RELATED_TO`` link keeping
its ``type``. Relationships of several types between the same two ends that map to one link kind
make one link carrying every type (``nature`` "knows; lives with"), never the last one alone.

A row with a bad value is set aside with file, line, column and reason (``rejects.csv``, as
ingest does) and the rest loads. The report counts what the store holds after the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from graph import Entity, GraphError, GraphStore, InvalidRecord, Link, Provenance, make_id, now_iso
from graph.interchange import FORMAT_KEY, FORMAT_VERSION, InterchangeError, load_graph
from graph.neo4j_bundle import ARRAY_DELIMITER, LINK_ID, META_COLUMNS, read_manifest
from graph.records import make_label
from graph.schema import EXTRA_PREFIX, EntityKind
from ingest.edge_lists import EdgeListError, edge_list_layout, read_edge_list
from ingest.graph_maps import (
    COMMON_NAMES,
    KEY_NORMALISERS,
    KindMap,
    LabelMap,
    LabelMapError,
    TypeMap,
    choose_label_map,
    load_label_map,
)
from ingest.ledger import Checkpoint, Ledger, Reject, file_digest
from ingest.normalise import normalise_phone, normalise_postcode, normalise_vrm, parse_date
from ingest.readers import ReaderError, read_csv

log = logging.getLogger(__name__)

_HEADER = re.compile(r"^(?P<name>[^:]*)(?::(?P<type>[A-Za-z_]+(?:\[\])?)(?:\((?P<space>[^)]*)\))?)?$")
_BATCH = 5_000
_ASK = 500  # ids per read of the store when counting what it holds
_NORMALISE: dict[str, Callable[[str], str]] = {
    "vrm": normalise_vrm,
    "phone": normalise_phone,
    "postcode": normalise_postcode,
}
# Places known by the same address and postcode but not the same coordinates are different places.
_DISTINCT_BY = {"Location": ("latitude", "longitude")}
# What an Other entity is called when it has no ``name``: the first of these it has, else its id.
_ID_NAME = re.compile(
    r"(^id|Id|_id|ID)$"
)  # failing those, its own id property (a live database's element ids mean nothing)
_OTHER_NAMES = ("name", "title", "email_address", "email", "code", "areaCode", "description", "reference")


class GraphImportError(Exception):
    """A graph bundle or edge list cannot be imported; the message says why and what to do."""


@dataclass
class SourceCount:
    """What one source label or relationship type became, counted from the store after the import."""

    became: Counter[str] = field(default_factory=Counter)  # kind -> entities or links held
    read: int = 0
    set_aside: int = 0
    renamed: dict[str, str] = field(default_factory=dict)  # source property -> Disrupt property
    inferred: dict[str, str] = field(default_factory=dict)  # renamed from a common name, no map said
    kept_as_extra: set[str] = field(default_factory=set)  # undeclared, stored as extra_<name>
    not_normalised: Counter[str] = field(default_factory=Counter)  # key values kept as written
    folded: int = 0  # relationships held by a link another type between the same ends also made

    def as_dict(self) -> dict[str, Any]:
        return {
            "became": dict(self.became),
            "read": self.read,
            "set_aside": self.set_aside,
            "renamed": dict(self.renamed),
            "inferred": dict(self.inferred),
            "kept_as_extra": sorted(self.kept_as_extra),
            "not_normalised": dict(self.not_normalised),
            "folded": self.folded,
        }


@dataclass
class ImportReport:
    source: str
    label_map: str = ""  # the map used, and why
    nodes_read: int = 0
    relationships_read: int = 0
    rows_rejected: int = 0
    entities_by_kind: Counter[str] = field(default_factory=Counter)
    links_by_kind: Counter[str] = field(default_factory=Counter)
    unknown_labels: Counter[str] = field(default_factory=Counter)  # labels of nodes kept as Other
    unknown_types: Counter[str] = field(default_factory=Counter)  # types of relationships kept as RELATED_TO
    properties_kept_as_extra: Counter[str] = field(default_factory=Counter)  # "Person.nhs_no" -> values kept
    labels: dict[str, SourceCount] = field(default_factory=lambda: defaultdict(SourceCount))
    types: dict[str, SourceCount] = field(default_factory=lambda: defaultdict(SourceCount))

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "label_map": self.label_map,
            "nodes_read": self.nodes_read,
            "relationships_read": self.relationships_read,
            "rows_rejected": self.rows_rejected,
            "entities_by_kind": dict(self.entities_by_kind),
            "links_by_kind": dict(self.links_by_kind),
            "unknown_labels": dict(self.unknown_labels),
            "unknown_types": dict(self.unknown_types),
            "properties_kept_as_extra": dict(self.properties_kept_as_extra),
            "labels": {k: v.as_dict() for k, v in sorted(self.labels.items())},
            "types": {k: v.as_dict() for k, v in sorted(self.types.items())},
        }


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


@dataclass
class _Built:
    """Properties on their way to a record: values by Disrupt name, and the source column of each."""

    props: dict[str, Any]
    origin: dict[str, str]  # Disrupt property -> source property


class RefusedRow(Exception):
    """A row with a bad value: the source column (or property) and the reason it is set aside."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


class GraphImporter:
    def __init__(self, store: GraphStore, work_dir: Path, source: str, label_map: LabelMap, why: str = "") -> None:
        self.store = store
        self.schema = store.schema
        self.source = source
        self.map = label_map
        self.report = ImportReport(source, f"{label_map.name}: {why}" if label_map.name else why)
        self.loaded_at = now_iso()
        self.ids: dict[tuple[str, str], tuple[str, str]] = {}  # (id space, id) -> (entity id, kind)
        self.entity_ids: dict[str, set[str]] = defaultdict(set)  # report label -> entity ids written
        self.links: dict[str, Link] = {}  # link id -> the link, every relationship of the bundle folded in
        self.link_types: dict[str, set[str]] = defaultdict(set)  # source type -> link ids
        self.ledger = Ledger(work_dir / "ingest-ledger.db", store.url)

    def close(self) -> None:
        self.ledger.close()

    # -- nodes

    def report_label(self, labels: list[str]) -> str:
        """The name the report gives a node's labels: the one that chose its kind, else all of them."""
        chosen = self._kind_map(labels)
        return chosen[0] if chosen is not None and chosen[1].kind != "Other" else ";".join(labels) or "(no label)"

    def _kind_map(self, labels: list[str]) -> tuple[str, KindMap] | None:
        for lb in labels:
            if lb in self.map.labels:
                return lb, self.map.labels[lb]
        for lb in labels:
            if lb in self.schema.entities:
                return lb, KindMap(lb)
        return None

    def node(
        self, space: str, node_id: str, labels: list[str], props: dict[str, Any], origin: Mapping[str, str], row: str
    ) -> Entity:
        """The entity a node makes.

        Raises:
            RefusedRow: a value is bad (the row is set aside with the source column and reason).
        """
        chosen = self._kind_map(labels)
        if chosen is not None and chosen[1].kind != "Other":
            label, km = chosen
            counts = self.report.labels[label]
            built = self._rename(km, props, counts)
            ek = self.schema.entities[km.kind]
            if "ref" in ek.key and "ref" not in built.props:
                built.props["ref"] = f"{self.source}:{space}:{node_id}"
            if "reference" in ek.key and "reference" not in built.props:
                built.props["reference"] = node_id
            if all(built.props.get(k) not in (None, "") for k in ek.key):
                self._normalise_keys(km.kind, built, counts)
                self._parse_dates(km, built, origin)
                kept = self._declared(ek, built, counts)
                kept["extra_labels"] = list(labels)
                kept["extra_import_id"] = node_id  # the source's own id, which the key may not hold
                return self._entity(km.kind, kept, built.origin, origin, row, label)
            log.debug("a %s node lacks its kind's key; kept as Other", km.kind)
        for lb in labels or ["(no label)"]:
            self.report.unknown_labels[lb] += 1
        label = ";".join(labels) or "(no label)"
        other = {k: v for k, v in props.items() if v not in (None, "", [])}
        other.update({"ref": f"{self.source}:{space}:{node_id}", "labels": list(labels)})
        named = next(
            (
                props[n]
                for n in (*_OTHER_NAMES, *sorted(filter(_ID_NAME.search, props)))
                if props.get(n) not in (None, "", [])
            ),
            node_id,
        )
        other.setdefault("name", str(named))
        return self._entity("Other", other, {k: k for k in other}, origin, row, label)

    def _rename(self, km: KindMap, props: Mapping[str, Any], counts: SourceCount) -> _Built:
        built = _Built({}, {})
        for target, parts in km.join.items():
            text = " ".join(str(props[p]) for p in parts if props.get(p) not in (None, "", []))
            if text:
                built.props[target], built.origin[target] = text, parts[0]
        for name, value in props.items():
            if value in (None, "", []):
                continue
            target = km.rename.get(name) or self.map.properties.get(name) or name
            if target != name:
                counts.renamed[name] = target
            if target not in built.props:
                built.props[target], built.origin[target] = value, name
        self._infer(km.kind, built, counts)
        return built

    def _infer(self, kind: str, built: _Built, counts: SourceCount) -> None:
        """Give a kind's properties from the common names of what no map renamed."""
        declared = self.schema.entities[kind].properties
        for target, names in COMMON_NAMES.get(kind, {}).items():
            if target in built.props:
                continue
            found = next((n for n in names if n in built.props and n not in declared), None)
            if found is None:
                continue
            if kind == "Person" and found == "name" and not any(n in built.props for n in ("surname", "last_name")):
                continue  # a lone name is the whole name (below), not a given name
            built.props[target], built.origin[target] = built.props.pop(found), built.origin.pop(found)
            counts.inferred[found] = target
        if kind == "Person" and "full_name" not in built.props:
            whole = " ".join(str(built.props[p]) for p in ("given_name", "family_name") if built.props.get(p))
            alone = next((n for n in ("name", "fullName", "full_name") if n in built.props and n not in declared), None)
            if whole:
                built.props["full_name"], built.origin["full_name"] = whole, built.origin.get("given_name", "")
                counts.inferred["given_name + family_name"] = "full_name"
            elif alone is not None:
                built.props["full_name"], built.origin["full_name"] = built.props.pop(alone), built.origin.pop(alone)
                counts.inferred[alone] = "full_name"

    def _normalise_keys(self, kind: str, built: _Built, counts: SourceCount) -> None:
        for (k, prop), how in KEY_NORMALISERS.items():
            if k == kind and isinstance(built.props.get(prop), str):
                try:
                    built.props[prop] = _NORMALISE[how](built.props[prop])
                except ValueError:
                    # an identity the source graph holds and hangs links from: kept as written
                    built.props[prop] = built.props[prop].strip()
                    counts.not_normalised[prop] += 1

    def _parse_dates(self, km: KindMap, built: _Built, origin: Mapping[str, str]) -> None:
        for prop, styles in km.dates.items():
            value = built.props.get(prop)
            if isinstance(value, str):
                try:
                    built.props[prop] = parse_date(value, styles).isoformat()
                except ValueError as exc:
                    source = built.origin.get(prop, prop)
                    raise RefusedRow(origin.get(source, source), f"{prop}: {exc}") from None

    def _declared(self, ek: EntityKind, built: _Built, counts: SourceCount) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for name, value in built.props.items():
            if name in ek.properties or ek.open or name.startswith(EXTRA_PREFIX):
                kept[name] = value
            else:
                kept[EXTRA_PREFIX + name] = value
                built.origin[EXTRA_PREFIX + name] = built.origin.get(name, name)
                counts.kept_as_extra.add(name)
                self.report.properties_kept_as_extra[f"{ek.name}.{name}"] += 1
        return kept

    def _entity(
        self,
        kind: str,
        props: dict[str, Any],
        names: Mapping[str, str],
        origin: Mapping[str, str],
        row: str,
        label: str,
    ) -> Entity:
        try:
            clean = self.schema.validate_entity_properties(kind, props)
        except InvalidRecord as exc:
            source = names.get(exc.prop or "", exc.prop or "")
            raise RefusedRow(origin.get(source, source), str(exc)) from None
        ek = self.schema.entities[kind]
        parts = [clean[k] for k in ek.key]
        distinct = _DISTINCT_BY.get(kind, ())
        if distinct and all(clean.get(p) is not None for p in distinct):
            parts += [f"{float(clean[p]):.6f}" for p in distinct]
        entity = Entity(make_id(kind, *parts), kind, make_label(self.schema, kind, clean), clean, (self._prov(row),))
        self.entity_ids[label].add(entity.id)
        return entity

    def _prov(self, row: str) -> Provenance:
        return Provenance(self.source, row, self.loaded_at)

    # -- relationships

    def _type_map(self, rel_type: str) -> TypeMap | None:
        if rel_type in self.map.types:
            return self.map.types[rel_type]
        if rel_type in self.schema.links and rel_type != "RELATED_TO":
            return TypeMap(rel_type)
        return None

    def link(
        self, rel_type: str, start: tuple[str, str], end: tuple[str, str], props: dict[str, Any], row: str
    ) -> None:
        """Fold a relationship into the links of the import.

        Raises:
            RefusedRow: a value is bad (the row is set aside with the property and reason).
        """
        (src, src_kind), (dst, dst_kind) = start, end
        counts = self.report.types[rel_type]
        counts.read += 1
        tm = self._type_map(rel_type)
        props = {k: v for k, v in props.items() if v not in (None, "", [])}
        lk = self.schema.links[tm.kind] if tm is not None else None
        if tm is None or lk is None or not lk.allows(src_kind, dst_kind):
            self.report.unknown_types[rel_type] += 1
            kind, lk = "RELATED_TO", self.schema.links["RELATED_TO"]
            props = {**props, "type": rel_type}
        else:
            kind = tm.kind
            renamed: dict[str, Any] = {}
            for name, value in props.items():
                target = tm.rename.get(name, name)
                if target != name:
                    counts.renamed[name] = target
                if target not in lk.properties and not lk.open:
                    counts.kept_as_extra.add(target)
                    self.report.properties_kept_as_extra[f"{kind}.{target}"] += 1
                    target = EXTRA_PREFIX + target
                renamed[target] = value
            props = {**renamed, **tm.fixed, "extra_types": [rel_type]}
        try:
            clean = self.schema.validate_link_properties(kind, props)
        except InvalidRecord as exc:
            raise RefusedRow(exc.prop or "", str(exc)) from None
        if lk.symmetric and dst < src:
            src, dst = dst, src
        key = [str(clean[k]) if clean.get(k) not in (None, "") else "-" for k in lk.key]
        link = Link(make_id(kind, src, dst, *key), kind, src, dst, clean, (self._prov(row),))
        held = self.links.get(link.id)
        if held is not None:
            if rel_type not in (held.properties.get("extra_types") or [held.properties.get("type")]):
                counts.folded += 1
            link = _fold(held, link)
        self.links[link.id] = link
        self.link_types[rel_type].add(link.id)

    def write_links(self) -> None:
        """Store the links, each folded onto what an earlier load stored under its id: the store
        overlays properties, so without this a later import's types and natures would replace them."""
        links = list(self.links.values())
        for start in range(0, len(links), _BATCH):
            batch = links[start : start + _BATCH]
            held = {ln.id: ln for ln in self.store.get_links([ln.id for ln in batch])}
            batch = [_fold(held[ln.id], ln, ln.provenance) if ln.id in held else ln for ln in batch]
            self.store.upsert([], batch)

    # -- the report, from the store

    def count_stored(self) -> None:
        """Count, from the store, the entities and links this import made (facts, not rows)."""
        held_kind: dict[str, str] = {}
        every = sorted({i for ids in self.entity_ids.values() for i in ids})
        for start in range(0, len(every), _ASK):
            held_kind.update((e.id, e.kind) for e in self.store.get_entities(every[start : start + _ASK]))
        self.report.entities_by_kind = Counter(held_kind.values())
        for label, ids in self.entity_ids.items():
            self.report.labels[label].became = Counter(held_kind[i] for i in ids if i in held_kind)
        answered: dict[str, str] = {}
        asked = sorted(self.links)
        for start in range(0, len(asked), _ASK):
            answered.update((ln.id, ln.kind) for ln in self.store.get_links(asked[start : start + _ASK]))
        self.report.links_by_kind = Counter(answered.values())
        for rel_type, ids in self.link_types.items():
            self.report.types[rel_type].became = Counter(answered[i] for i in ids if i in answered)

    def reject(self, path: Path | str, rejects: list[Reject], *, digest: str | None = None) -> None:
        """Record rows set aside in the ledger (``digest`` names what they came from when not a file)."""
        if rejects:
            self.report.rows_rejected += len({(r.file, r.row) for r in rejects})
            digest = digest or file_digest(Path(path))
            self.ledger.advance(digest, self.source, str(path), Checkpoint(), rejects, self.source, now_iso())


def _fold(held: Link, new: Link, provenance: tuple[Provenance, ...] | None = None) -> Link:
    """One link for two relationships between the same ends: every type, every nature, both sources
    (or ``provenance``)."""
    props = dict(held.properties)
    for name, value in new.properties.items():
        old = props.get(name)
        if old is None:
            props[name] = value
        elif isinstance(old, list) and isinstance(value, list):
            props[name] = old + [v for v in value if v not in old]
        elif isinstance(old, str) and isinstance(value, str) and value not in old.split("; "):
            props[name] = f"{old}; {value}"
    sources = held.provenance + tuple(p for p in new.provenance if p not in held.provenance)
    return Link(new.id, new.kind, new.source, new.target, props, provenance or sources)


# -- neo4j-admin bundles ---------------------------------------------------------------------------


def import_neo4j_bundle(
    store: GraphStore, folder: Path, work_dir: Path, *, labels: Path | None = None, choose_map: bool = True
) -> ImportReport:
    """Import every node file, then every relationship file, of a neo4j-admin import CSV bundle.

    With no ``labels`` file, a shipped map whose labels and headers the bundle has is used (unless
    ``choose_map`` is False); the report says which and why.

    Raises:
        GraphImportError: the folder holds no node file, or a header or labels file is malformed.
    """
    files = sorted(p for p in folder.glob("*.csv") if p.is_file())
    if not files:
        raise GraphImportError(f"{folder}: no .csv files; a neo4j-admin bundle has node and relationship CSV files")
    columns = {p: _columns(_header_of(p), p) for p in files}
    kinds = {p: _file_kind(cols) for p, cols in columns.items()}
    if "nodes" not in kinds.values():
        raise GraphImportError(f"{folder}: no node file (a header with :ID); is this a neo4j-admin import bundle?")
    try:
        manifest = read_manifest(folder)
    except InterchangeError as exc:
        raise GraphImportError(str(exc)) from exc
    if manifest is not None:
        return _import_own_bundle(store, folder, work_dir, files, columns, kinds, manifest)
    label_map, why = choose_map_for(store, labels, choose_map, lambda: _headers_by_label(columns, kinds))
    log.info("importing bundle with label map %r", label_map.name or "(none)")
    importer = GraphImporter(store, work_dir, f"import:{folder.name}", label_map, why)
    try:
        for path in (p for p in files if kinds[p] == "nodes"):
            _import_nodes(importer, path, columns[path])
        for path in (p for p in files if kinds[p] == "relationships"):
            _import_relationships(importer, path, columns[path])
        importer.write_links()
        importer.count_stored()
        importer.ledger.write_rejects_csv(work_dir / "rejects.csv")
    except GraphError as exc:
        raise GraphImportError(f"{folder}: the graph refused the import: {exc}") from exc
    finally:
        importer.close()
    return importer.report


def _import_own_bundle(
    store: GraphStore,
    folder: Path,
    work_dir: Path,
    files: list[Path],
    columns: Mapping[Path, list[_Column]],
    kinds: Mapping[Path, str],
    manifest: Mapping[str, Any],
) -> ImportReport:
    """A bundle Disrupt exported (it holds :data:`graph.neo4j_bundle.MANIFEST`): read back into the
    exchange form and stored by :func:`graph.interchange.load_graph`, so it is the same graph again:
    entity and link ids, kinds, properties, seen dates and sources as written, nothing added. A row
    that cannot be read, or an entity that was erased since, is set aside with its file and line and
    the reason (the erasure named); the rest loads."""
    json_columns: Mapping[str, list[str]] = manifest.get("json_columns") or {}
    link_kinds: Mapping[str, str] = manifest.get("link_kinds") or {}
    source = f"import:{folder.name}"
    report = ImportReport(source, "none: a bundle Disrupt exported, loaded as it was written")
    G = nx.MultiDiGraph(**{FORMAT_KEY: FORMAT_VERSION})
    where: list[tuple[Path, int]] = []  # element number - 1 -> (file, line), nodes first as load_graph numbers them
    rejects: dict[Path, list[Reject]] = defaultdict(list)
    pending: list[tuple[Path, int, str, str, str, dict[str, Any]]] = []  # file, line, ends, link id, data
    for path in files:
        as_json = set(json_columns.get(path.name, []))
        for number, values, problem in _rows(path):
            props, problems, special = _typed(columns[path], values)
            if kinds[path] == "nodes":
                report.nodes_read += 1
            elif kinds[path] == "relationships":
                report.relationships_read += 1
            else:
                continue
            try:
                if problem or problems:
                    raise RefusedRow(problems[0].column if problems else "", problem or problems[0].reason)
                props = {_META_NAMES.get(k, k): v for k, v in _json_decoded(props, as_json).items()}
                if kinds[path] == "nodes":
                    node = special.get("ID", "")
                    if not node or node in G:
                        raise RefusedRow(":ID", "no :ID" if not node else f"a second row for node {node[:40]!r}")
                    labels = [lb for lb in special.get("LABEL", "").split(ARRAY_DELIMITER) if lb]
                    G.add_node(node, kind=labels[0] if labels else "Other", **props)
                    where.append((path, number))
                else:
                    key = str(props.pop(LINK_ID, "") or "")
                    props["kind"] = link_kinds.get(path.name) or special.get("TYPE", "") or "RELATED_TO"
                    if props["kind"] == "RELATED_TO":  # the file holds the kind, :TYPE the type it keeps
                        props["type"] = special.get("TYPE", "") or "EDGE"
                    pending.append((path, number, special.get("START_ID", ""), special.get("END_ID", ""), key, props))
            except RefusedRow as refused:
                rejects[path].append(Reject(str(path), number, refused.column, refused.reason))
    keys: set[str] = set()
    for path, number, start, end, key, props in pending:
        missing = next((n for n in (start, end) if n not in G), None)
        if missing is not None or not key or key in keys:
            why = (
                f"names node {missing[:40]!r}, which no node file of the bundle holds (or it was set aside)"
                if missing is not None
                else f"no {LINK_ID}"
                if not key
                else f"a second row for link {key[:40]!r}"
            )
            rejects[path].append(Reject(str(path), number, ":START_ID" if missing == start else LINK_ID, why))
            continue
        keys.add(key)
        G.add_edge(start, end, key=key, **props)
        where.append((path, number))
    try:
        loaded = load_graph(store, G, source=source)
    except GraphError as exc:
        raise GraphImportError(f"{folder}: the graph refused the import: {exc}") from exc
    for aside in loaded.set_aside:
        path, number = where[aside.number - 1]
        rejects[path].append(Reject(str(path), number, aside.element, aside.reason))
    report.entities_by_kind = Counter(loaded.entities_by_kind)
    report.links_by_kind = Counter(loaded.links_by_kind)
    ledger = Ledger(work_dir / "ingest-ledger.db", store.url)
    try:
        for path, found in rejects.items():
            report.rows_rejected += len({(r.file, r.row) for r in found})
            ledger.advance(file_digest(path), source, str(path), Checkpoint(), found, source, now_iso())
        ledger.write_rejects_csv(work_dir / "rejects.csv")
    finally:
        ledger.close()
    log.info("loaded Disrupt's own bundle %s: %d rows set aside", folder, report.rows_rejected)
    return report


_META_NAMES = {column: name for name, column in META_COLUMNS.items()}  # a Disrupt bundle's column -> exchange name


def _json_decoded(props: dict[str, Any], as_json: set[str]) -> dict[str, Any]:
    out = dict(props)
    for name in as_json & set(props):
        try:
            value = json.loads(props[name])
        except (TypeError, json.JSONDecodeError) as exc:
            raise RefusedRow(name, f"should hold JSON text: {exc}") from exc
        if name == META_COLUMNS["provenance"] and isinstance(value, list):
            value = [tuple(p) if isinstance(p, list) else p for p in value]
        out[name] = value
    return out


def choose_map_for(
    store: GraphStore, labels: Path | None, choose_map: bool, headers: Callable[[], dict[str, set[str]]]
) -> tuple[LabelMap, str]:
    """The label map to use and why: the file given, else a shipped map that fits the source's labels
    and their property names (``headers``), unless ``choose_map`` is False.

    Raises:
        GraphImportError: the labels file is malformed.
    """
    try:
        if labels is not None:
            return load_label_map(labels, store.schema), "given with --labels"
        if choose_map:
            return choose_label_map(store.schema, headers())
        return load_label_map(None, store.schema), "no map asked for; kinds and keys inferred"
    except LabelMapError as exc:
        raise GraphImportError(str(exc)) from exc


def _headers_by_label(columns: Mapping[Path, list[_Column]], kinds: Mapping[Path, str]) -> dict[str, set[str]]:
    """For each label of the bundle's node files (its :ID space and its first row's :LABEL), the
    property names of the file's header."""
    found: dict[str, set[str]] = defaultdict(set)
    for path, cols in columns.items():
        if kinds[path] != "nodes":
            continue
        names = {c.name for c in cols if c.name and c.type.upper() not in ("LABEL", "TYPE", "IGNORE")}
        labels = {c.space for c in cols if c.type.upper() == "ID" and c.space}
        label_col = next((c.header for c in cols if c.type.upper() == "LABEL"), None)
        if label_col is not None:
            rows = _rows(path)
            first = next(rows, None)
            rows.close()
            if first is not None:
                labels |= {lb for lb in first[1].get(label_col, "").split(";") if lb}
        for lb in labels:
            found[lb] |= names
    return found


def _header_of(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [h.strip() for h in next(csv.reader(fh), [])]


def _rows(path: Path) -> Generator[tuple[int, dict[str, str], str | None], None, None]:
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


def _import_nodes(importer: GraphImporter, path: Path, cols: list[_Column]) -> None:
    origin = {c.name: c.header for c in cols if c.name}
    batch: list[Entity] = []
    rejects: list[Reject] = []
    for number, values, problem in _rows(path):
        importer.report.nodes_read += 1
        props, problems, special = _typed(cols, values)
        node_id = special.get("ID", "")
        labels = [lb for lb in special.get("LABEL", "").split(";") if lb] or (
            [special["ID_SPACE"]] if special.get("ID_SPACE") else []
        )
        counts = importer.report.labels[importer.report_label(labels)]
        counts.read += 1
        if problem or problems or not node_id:
            why = problem or ("; ".join(p.reason for p in problems) if problems else ":ID is empty")
            rejects.append(Reject(str(path), number, problems[0].column if problems else "", why))
            counts.set_aside += 1
            continue
        try:
            entity = importer.node(special.get("ID_SPACE", ""), node_id, labels, props, origin, f"{path.name}:{number}")
        except RefusedRow as refused:
            rejects.append(Reject(str(path), number, refused.column, refused.reason))
            counts.set_aside += 1
            continue
        importer.ids[(special.get("ID_SPACE", ""), node_id)] = (entity.id, entity.kind)
        batch.append(entity)
        if len(batch) >= _BATCH:
            importer.store.upsert(batch, [])
            batch = []
    if batch:
        importer.store.upsert(batch, [])
    importer.reject(path, rejects)


def _import_relationships(importer: GraphImporter, path: Path, cols: list[_Column]) -> None:
    rejects: list[Reject] = []
    header_of = {c.name: c.header for c in cols if c.name}
    for number, values, problem in _rows(path):
        importer.report.relationships_read += 1
        props, problems, special = _typed(cols, values)
        start = importer.ids.get((special.get("START_ID_SPACE", ""), special.get("START_ID", "")))
        end = importer.ids.get((special.get("END_ID_SPACE", ""), special.get("END_ID", "")))
        rel_type = special.get("TYPE", "") or "RELATED"
        reason = problem or ("; ".join(p.reason for p in problems) if problems else None)
        column = problems[0].column if problems else ""
        if reason is None and (start is None or end is None):
            missing = special.get("START_ID") if start is None else special.get("END_ID")
            reason = f"names node {str(missing)[:40]!r}, which no node file of the bundle holds (or it was set aside)"
            column = next((c.header for c in cols if c.type.upper() == ("START_ID" if start is None else "END_ID")), "")
        if reason is None and start == end:
            reason = "joins a node to itself"
        if reason is None and start is not None and end is not None:
            try:
                importer.link(rel_type, start, end, props, f"{path.name}:{number}")
                continue
            except RefusedRow as refused:
                reason, column = refused.reason, header_of.get(refused.column, refused.column)
        rejects.append(Reject(str(path), number, column, reason or ""))
        importer.report.types[rel_type].set_aside += 1
    importer.reject(path, rejects)


# -- edge lists ----------------------------------------------------------------------------------


def import_edge_list(
    store: GraphStore,
    path: Path,
    work_dir: Path,
    *,
    node_kind: str = "Other",
    labels: Path | None = None,
    header: bool | None = None,
    delimiter: str | None = None,
) -> ImportReport:
    """Import an edge list: source, target, and optionally weight and type, comma, tab, semicolon or
    whitespace separated, with or without a header (see :mod:`ingest.edge_lists`).

    Nodes are ``node_kind`` entities named by the values of source and target (``Other`` by default,
    or ``Person`` with the value as reference); each row is a link of its type (a Disrupt link kind
    or a type mapped by the labels file), else ``RELATED_TO`` keeping the type (``EDGE`` when none).

    Raises:
        GraphImportError: the node kind is not one identified by a reference, or the file's layout
            cannot be read (no source and target, no delimiter that fits).
    """
    if node_kind not in store.schema.entities or store.schema.entities[node_kind].key not in (("ref",), ("reference",)):
        keyed = sorted(k for k, ek in store.schema.entities.items() if ek.key in (("ref",), ("reference",)))
        raise GraphImportError(f"edge-list nodes must be a kind identified by a reference: one of {', '.join(keyed)}")
    try:
        layout = edge_list_layout(path, header=header, delimiter=delimiter)
        label_map = load_label_map(labels, store.schema)
    except (EdgeListError, LabelMapError) as exc:
        raise GraphImportError(str(exc)) from exc
    how = f"{layout.delimiter} separated, {'with a header' if layout.header else 'no header'}"
    importer = GraphImporter(store, work_dir, f"edges:{path.stem}", label_map, how)
    rejects: list[Reject] = []
    key = "ref" if "ref" in store.schema.entities[node_kind].key else "reference"
    try:
        entities: dict[str, Entity] = {}
        for row in read_edge_list(path, layout):
            importer.report.relationships_read += 1
            a, b = row.source, row.target
            reason = row.problem or ("source or target is empty" if not a or not b else None)
            reason = reason or ("joins a node to itself" if a == b else None)
            props: dict[str, Any] = dict(row.extra)
            if reason is None and row.weight:
                text = row.weight.replace(",", ".") if layout.delimiter == "semicolon" else row.weight
                try:
                    props["weight"] = _convert(text, "double")
                except ValueError as exc:
                    reason = f"weight {row.weight[:40]!r} is not a number: {exc}"
            rel_type = row.type or "EDGE"
            if reason is not None:
                rejects.append(Reject(str(path), row.line, "weight" if "weight" in reason else "", reason))
                importer.report.types[rel_type].set_aside += 1
                continue
            ends = []
            for name in (a, b):
                if name not in entities:
                    node = {key: name, **({"name": name, "labels": ["edge list node"]} if node_kind == "Other" else {})}
                    entities[name] = importer._entity(
                        node_kind, node, {}, {}, f"{path.name}:{row.line}", "edge list node"
                    )
                    importer.report.nodes_read += 1
                    importer.report.labels["edge list node"].read += 1
                ends.append((entities[name].id, node_kind))
            try:
                importer.link(rel_type, ends[0], ends[1], props, f"{path.name}:{row.line}")
            except RefusedRow as refused:
                rejects.append(Reject(str(path), row.line, refused.column, refused.reason))
                importer.report.types[rel_type].set_aside += 1
        nodes = list(entities.values())
        for start in range(0, len(nodes), _BATCH):
            store.upsert(nodes[start : start + _BATCH], [])
        importer.write_links()
        importer.count_stored()
        importer.reject(path, rejects)
        importer.ledger.write_rejects_csv(work_dir / "rejects.csv")
    except (GraphError, RefusedRow) as exc:
        raise GraphImportError(f"{path}: the graph refused the import: {exc}") from exc
    finally:
        importer.close()
    return importer.report


__all__ = [
    "GraphImportError",
    "GraphImporter",
    "ImportReport",
    "RefusedRow",
    "SourceCount",
    "choose_map_for",
    "import_edge_list",
    "import_neo4j_bundle",
    "load_label_map",
]
