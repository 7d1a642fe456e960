"""The importer every foreign graph goes through (a neo4j-admin bundle, a live Neo4j database, an
edge list): nodes become entities and relationships links, by the label map, and the report is
counted from the store.

A node becomes the kind its label names or the map maps it to, its properties renamed, normalised
and parsed (:mod:`ingest.graph_properties`); a node of a label no map names, or that lacks its
kind's key, is an ``Other`` entity keeping its ``labels`` and properties. A relationship becomes the
link kind its type names or is mapped to (renamed properties, fixed ones, the source type in
``extra_types``); one of a type no map names, or between kinds the link kind may not join, is a
``RELATED_TO`` link keeping its ``type``. Relationships of several types between the same two ends
that map to one link kind make one link carrying every type, never the last one alone. Ids and
labels are composed by :mod:`graph.identity`, as every other path composes them.

An entity that was erased is never stored again: its row is set aside naming the erasure, and so is
every relationship naming it. Rows set aside go to the ingest ledger under the import's run id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.settings import ledger_path, rejects_path
from graph import (
    Entity,
    GraphStore,
    InvalidRecord,
    Link,
    Provenance,
    entity_id,
    entity_label,
    link_id,
    now_iso,
    oriented_ends,
)
from graph.schema import EXTRA_PREFIX
from ingest.graph_maps import KindMap, LabelMap, TypeMap
from ingest.graph_properties import declared, normalise_keys, parse_dates, renamed
from ingest.graph_report import ImportReport, RefusedRow, SourceCount
from ingest.ledger import Checkpoint, Ledger, Reject, file_digest

log = logging.getLogger(__name__)

BATCH = 5_000  # records per store write
_ASK = 500  # ids per read of the store when counting what it holds
# Places known by the same address and postcode but not the same coordinates are different places.
_DISTINCT_BY = {"Location": ("latitude", "longitude")}
# What an Other entity is called when it has no ``name``: the first of these it has, else its id.
_ID_NAME = re.compile(
    r"(^id|Id|_id|ID)$"
)  # failing those, its own id property (a live database's element ids mean nothing)
_OTHER_NAMES = ("name", "title", "email_address", "email", "code", "areaCode", "description", "reference")


@dataclass(frozen=True, slots=True)
class NodeRow:
    """An entity made from one node, on its way to the store, and where it came from."""

    space: str  # the node's id space (a bundle's ``:ID(space)``)
    node_id: str
    entity: Entity
    file: str  # the file (or database part) and line to name if it is set aside
    line: int
    column: str
    counts: SourceCount


class GraphImporter:
    """One import: the label map, the ids of the nodes stored so far, the links folded so far, the
    report and the ledger. Call :meth:`finish` at the end (it records the run) and :meth:`close`."""

    def __init__(self, store: GraphStore, work_dir: Path, source: str, label_map: LabelMap, why: str = "") -> None:
        self.store = store
        self.schema = store.schema
        self.source = source
        self.map = label_map
        self.run_id = uuid.uuid4().hex[:16]  # as an ingest run's (ingest.pipeline)
        self.report = ImportReport(source, f"{label_map.name}: {why}" if label_map.name else why, self.run_id)
        self.loaded_at = now_iso()
        self._started = time.perf_counter()
        self.ids: dict[tuple[str, str], tuple[str, str]] = {}  # (id space, id) -> (entity id, kind)
        self.entity_ids: dict[str, set[str]] = defaultdict(set)  # report label -> entity ids written
        self.links: dict[str, Link] = {}  # link id -> the link, every relationship of the import folded in
        self.link_types: dict[str, set[str]] = defaultdict(set)  # source type -> link ids
        self.ledger = Ledger(ledger_path(work_dir), store.url)
        self.work_dir = work_dir

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
            built = renamed(self.schema, self.map, km, props, counts)
            ek = self.schema.entities[km.kind]
            if "ref" in ek.key and "ref" not in built.props:
                built.props["ref"] = f"{self.source}:{space}:{node_id}"
            if "reference" in ek.key and "reference" not in built.props:
                built.props["reference"] = node_id
            if all(built.props.get(k) not in (None, "") for k in ek.key):
                normalise_keys(km.kind, built, counts)
                parse_dates(km, built, origin)
                kept = declared(ek, built, counts, self.report)
                kept["extra_labels"] = list(labels)
                kept["extra_import_id"] = node_id  # the source's own id, which the key may not hold
                return self.entity(km.kind, kept, built.origin, origin, row, label)
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
        return self.entity("Other", other, {k: k for k in other}, origin, row, label)

    def entity(
        self,
        kind: str,
        props: dict[str, Any],
        names: Mapping[str, str],
        origin: Mapping[str, str],
        row: str,
        label: str,
    ) -> Entity:
        """An entity of ``kind`` with these properties, its id and label as :mod:`graph.identity` makes
        them (a Location's coordinates are part of its id), noted under the report's ``label``.

        Raises:
            RefusedRow: a value is bad for its property (named by its source column).
        """
        try:
            clean = self.schema.validate_entity_properties(kind, props)
            distinct = _DISTINCT_BY.get(kind, ())
            placed = all(clean.get(p) is not None for p in distinct)
            made = entity_id(self.schema, kind, clean, [f"{float(clean[p]):.6f}" for p in distinct] if placed else [])
        except InvalidRecord as exc:
            source = names.get(exc.prop or "", exc.prop or "")
            raise RefusedRow(origin.get(source, source), str(exc)) from None
        entity = Entity(made, kind, entity_label(self.schema, kind, clean), clean, (self._prov(row),))
        self.entity_ids[label].add(entity.id)
        return entity

    def store_entities(self, rows: list[NodeRow]) -> list[Reject]:
        """Store the entities of these node rows and remember their ids for the relationships; return
        the rows set aside: an entity erased since is never stored again (its row names the erasure,
        and a relationship naming its node finds no node and is set aside too)."""
        erased = self.store.erased_ids({r.entity.id for r in rows}) if rows else {}
        kept: list[Entity] = []
        refused: list[Reject] = []
        for r in rows:
            if r.entity.id in erased:
                why = f"was erased (erasure {erased[r.entity.id]}); it is not stored again"
                refused.append(Reject(r.file, r.line, r.column, why))
                r.counts.set_aside += 1
                continue
            self.ids[(r.space, r.node_id)] = (r.entity.id, r.entity.kind)
            kept.append(r.entity)
        if erased:
            log.info("%d rows of %s name erased entities; set aside", len(refused), self.source)
        for start in range(0, len(kept), BATCH):
            self.store.upsert(kept[start : start + BATCH], [])
        return refused

    def _prov(self, row: str) -> Provenance:
        return Provenance(self.source, row, self.loaded_at, self.run_id)

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
            kind = "RELATED_TO"
            props = {**props, "type": rel_type}
        else:
            kind = tm.kind
            named: dict[str, Any] = {}
            for name, value in props.items():
                target = tm.rename.get(name, name)
                if target != name:
                    counts.renamed[name] = target
                if target not in lk.properties and not lk.open:
                    counts.kept_as_extra.add(target)
                    self.report.properties_kept_as_extra[f"{kind}.{target}"] += 1
                    target = EXTRA_PREFIX + target
                named[target] = value
            props = {**named, **tm.fixed, "extra_types": [rel_type]}
        try:
            clean = self.schema.validate_link_properties(kind, props)
        except InvalidRecord as exc:
            raise RefusedRow(exc.prop or "", str(exc)) from None
        src, dst = oriented_ends(self.schema, kind, src, dst)
        link = Link(link_id(self.schema, kind, src, dst, clean), kind, src, dst, clean, (self._prov(row),))
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
        for start in range(0, len(links), BATCH):
            batch = links[start : start + BATCH]
            held = {ln.id: ln for ln in self.store.get_links([ln.id for ln in batch])}
            batch = [_fold(held[ln.id], ln, ln.provenance) if ln.id in held else ln for ln in batch]
            self.store.upsert([], batch)

    # -- the report, from the store, and the run in the ledger

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
            self.ledger.advance(digest, self.source, str(path), Checkpoint(), rejects, self.run_id, now_iso())

    def finish(self, files: list[str]) -> None:
        """Write the rejects file (every row set aside in this store, as ingest writes it) and record
        the import as a run of the ledger, with what it read (``files``) and what it held."""
        self.ledger.write_rejects_csv(rejects_path(self.work_dir))
        self.ledger.record_run(
            self.run_id, self.loaded_at, self.report.run_summary(files, time.perf_counter() - self._started)
        )


def _fold(held: Link, new: Link, provenance: tuple[Provenance, ...] | None = None) -> Link:
    """One link for two relationships between the same ends: every type, every nature, both sources
    (or ``provenance``). An import rule of its own, not :mod:`graph.merge`'s: the types and natures
    of a link join, where a merge lets the later value win."""
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


__all__ = ["BATCH", "GraphImporter", "NodeRow"]
