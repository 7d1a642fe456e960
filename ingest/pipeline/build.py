"""Building records: mapped rows in, the graph's entities and links out, with no store in sight.

The load stage asks the store what a batch's references name (:func:`wanted_references`) and hands
the answer in as ``found``; everything else here is a function of the rows, the spec, the schema
and the postcode lookup, so a test can build a three-row CSV's records and read them by eye.

A reference to a record that is not loaded may, if its spec says ``missing: placeholder``, stand as
a :class:`Placeholder`: the entity made from the id alone (the other source's spec says how), so
the link is kept and the record fills the entity in when it loads.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from geodata.gazetteer import Gazetteer
from graph import Entity, Link, Provenance
from graph.identity import entity_id, entity_label, link_id, oriented_ends
from graph.schema import EntityKind, Schema
from ingest.ledger import Reject
from ingest.mapping import MappedRow, PlannedEntity, Problem, RowMapper, SourceSpec, with_date_orders
from ingest.mapping.rules import FieldValue
from ingest.readers import SourceRow

# (source, kind) -> that source's record id -> the id of the entity it made
Found = Mapping[tuple[str, str], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Placeholder:
    """An entity made from a reference alone, standing for a record that is not loaded.

    ``reference`` is the spec's name of the lookup it stands in for (a row may refer to several
    records through one lookup, so several placeholders may stand for one name)."""

    reference: str
    record_id: str  # the other source's record id the reference gave
    entity: Entity


@dataclass(slots=True)  # not frozen: one is made per row, and a frozen __init__ costs twice as much
class BuiltRow:
    """The records one row makes."""

    row: SourceRow
    entities: list[Entity]  # the placeholders' entities among them, after the row's own
    links: list[Link]
    placeholders: tuple[Placeholder, ...] = ()


@dataclass
class BuildCounts:
    """What building a batch counted, for the file's report."""

    not_geocoded: int = 0  # entities whose postcode the lookup does not hold
    placeholders: int = 0  # entities made from a reference alone
    links_skipped: int = 0  # links left out because the record they name is not loaded


class Mappers:
    """Each source's spec compiled once (per order of day and month a file proved)."""

    def __init__(self, specs: Mapping[str, SourceSpec], schema: Schema) -> None:
        self.specs = specs
        self.schema = schema
        self._mappers: dict[tuple[str, tuple[tuple[str, str], ...]], RowMapper] = {}

    def get(self, spec: SourceSpec, orders: Mapping[str, str] | None = None) -> RowMapper:
        key = (spec.source, tuple(sorted((orders or {}).items())))
        if key not in self._mappers:
            self._mappers[key] = RowMapper(with_date_orders(spec, orders or {}), schema=self.schema)
        return self._mappers[key]

    def stand_in(self, source: str, kind: str, record_id: str) -> PlannedEntity | None:
        """The ``kind`` entity a record of ``source`` with this id would make, from the id alone."""
        spec = self.specs.get(source)
        return self.get(spec).placeholder(kind, record_id) if spec is not None else None


class FileMemory:
    """What a file's rows so far held: their contents (to find exact duplicates) and their record
    ids (to find a second record with the same id and other content). Kept as 16-byte digests."""

    def __init__(self) -> None:
        self._contents: dict[bytes, int] = {}
        self._ids: dict[bytes, int] = {}

    def duplicate_of(self, row: SourceRow) -> int | None:
        """Remember a row's content; return the number of an earlier row with the same content."""
        digest = _digest("\x1f".join(row.values.values()))
        earlier = self._contents.get(digest)
        if earlier is None:
            self._contents[digest] = row.row
        return earlier

    def first_with_id(self, spec: SourceSpec, mapped: MappedRow, row: int) -> int | None:
        """Remember the row's record id; return the row that gave it first, if another did."""
        if spec.record_id is None or mapped.record_id == f"row-{row}":
            return None  # the row has no id of its own
        key = _digest(mapped.record_id)
        first = self._ids.get(key)
        if first is None:
            self._ids[key] = row
        return first


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def map_rows(
    rows: Iterable[SourceRow], spec: SourceSpec, mapper: RowMapper, memory: FileMemory
) -> tuple[list[tuple[SourceRow, MappedRow]], list[Reject]]:
    """Each row mapped, or set aside with its problems (or as a repeat of an earlier record id)."""
    mapped: list[tuple[SourceRow, MappedRow]] = []
    rejects: list[Reject] = []
    for row in rows:
        result = mapper.map(row.values, row.row)
        if isinstance(result, list):
            rejects.extend(Reject(row.file, row.row, p.column, p.reason) for p in result)
            continue
        first = memory.first_with_id(spec, result, row.row)
        if first is not None:
            rejects.append(Reject(row.file, row.row, _id_column(spec), _repeated_id(result.record_id, first)))
            continue
        mapped.append((row, result))
    return mapped, rejects


def _id_column(spec: SourceSpec) -> str:
    rule = spec.record_id
    return (spec.fields[rule.field].column or rule.field) if isinstance(rule, FieldValue) else ""


def _repeated_id(record_id: str, first: int) -> str:
    return (
        f"repeats record id {record_id[:60]!r} of row {first} with other content; row {first} is loaded and "
        "this row is set aside (one record cannot say two things): correct or remove one of them"
    )


def wanted_references(mapped: Iterable[tuple[SourceRow, MappedRow]]) -> dict[tuple[str, str], set[str]]:
    """The record ids the rows refer to, by (source, kind): what the store is asked to find."""
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, m in mapped:
        for e in m.entities.values():
            if e.lookup is not None:
                wanted[(e.lookup.source, e.lookup.kind)].update(e.values)
    return wanted


@dataclass
class Builder:
    """Builds the records of one source's mapped rows, for one run."""

    schema: Schema
    spec: SourceSpec
    mappers: Mappers
    run_id: str
    started_at: str
    places: Gazetteer | None = None
    counts: BuildCounts = field(default_factory=BuildCounts)

    def build(self, mapped: Sequence[tuple[SourceRow, MappedRow]], found: Found) -> tuple[list[BuiltRow], list[Reject]]:
        """The records of each row, or the row set aside with its problems."""
        built: list[BuiltRow] = []
        rejects: list[Reject] = []
        for row, m in mapped:
            result = self.build_row(row, m, found)
            if isinstance(result, list):
                rejects.extend(Reject(row.file, row.row, p.column, p.reason) for p in result)
            else:
                built.append(result)
        return built, rejects

    def build_row(self, row: SourceRow, m: MappedRow, found: Found) -> BuiltRow | list[Problem]:
        """The entities and links one row makes, or why it cannot load."""
        prov = (Provenance(self.spec.source, m.record_id, self.started_at, self.run_id, m.grading),)
        ends: dict[str, list[str]] = {}  # the spec's entity name -> the ids it stands for
        problems: list[Problem] = []
        placeholders = self._resolve(m, found, prov, ends, problems)
        entities: list[Entity] = []
        for planned in m.entities.values():
            if planned.lookup is None:
                made = self._entity(planned, prov, problems)
                if made is not None:
                    entities.append(made)
                    ends[planned.name] = [made.id]
        entities.extend(p.entity for p in placeholders)
        if problems:
            return problems
        links = [
            _link(self.schema, p.kind, s, t, p.properties, prov, p.seen)
            for p in m.links
            for s in ends.get(p.source, [])
            for t in ends.get(p.target, [])
            if s != t
        ]
        return BuiltRow(row, entities, links, tuple(placeholders))

    def _resolve(
        self,
        m: MappedRow,
        found: Found,
        prov: tuple[Provenance, ...],
        ends: dict[str, list[str]],
        problems: list[Problem],
    ) -> list[Placeholder]:
        """Fill ``ends`` with the entities the row's references name, in the order it names them:
        loaded ones, or placeholders for those not loaded where the spec allows (returned); a
        reference the spec does not allow to miss is a problem."""
        placeholders: list[Placeholder] = []
        for planned in m.entities.values():
            lookup = planned.lookup
            if lookup is None:
                continue
            table = found.get((lookup.source, lookup.kind), {})
            ends[planned.name] = []
            for value in planned.values:
                hit = table.get(value)
                if hit is not None:
                    ends[planned.name].append(hit)
                    continue
                stand_in = (
                    self.mappers.stand_in(lookup.source, lookup.kind, value)
                    if lookup.missing == "placeholder"
                    else None
                )
                made = self._entity(stand_in, prov, problems) if stand_in is not None else None
                if made is not None:  # a stand-in's key is whole, so it is always made
                    self.counts.placeholders += 1
                    placeholders.append(Placeholder(planned.name, value, made))
                    ends[planned.name].append(made.id)
                elif lookup.missing == "skip":
                    self.counts.links_skipped += 1
                else:
                    column = self.spec.fields[lookup.field].column or lookup.field
                    problems.append(Problem(column, f"{value[:40]!r} matches no loaded {lookup.source} record"))
        return placeholders

    def _entity(self, planned: PlannedEntity, prov: tuple[Provenance, ...], problems: list[Problem]) -> Entity | None:
        """The entity a planned one makes, geocoded; None (and a problem) if its key is empty."""
        ek = self.schema.entities[planned.kind]
        props = planned.properties  # made for this row alone (the mapper makes each afresh): geocoded in place
        missing = [k for k in ek.key if props.get(k) in (None, "")]
        if missing:
            problems.append(Problem("", f"cannot identify the {planned.kind}: {', '.join(missing)} is empty"))
            return None
        if not geocode(ek, props, self.places):
            self.counts.not_geocoded += 1
        return Entity(
            entity_id(self.schema, planned.kind, props),
            planned.kind,
            entity_label(self.schema, planned.kind, props),
            props,
            prov,
            planned.seen,
            planned.seen,
        )


def geocode(ek: EntityKind, props: dict[str, Any], places: Gazetteer | None) -> bool:
    """Fill coordinates and ward from the postcode lookup; False if the postcode is not in it.

    >>> from graph.schema import load_schema
    >>> from geodata.gazetteer import Gazetteer, Place
    >>> props = {"postcode": "ZZ1 1AA"}
    >>> geocode(load_schema().entities["Location"], props, Gazetteer({"ZZ1 1AA": Place(51.5, -0.1, "Ward A")}))
    True
    >>> props["latitude"], props["ward"]
    (51.5, 'Ward A')
    """
    wants_point = "latitude" in ek.properties and props.get("latitude") is None
    wants_ward = "ward" in ek.properties and props.get("ward") is None
    postcode = props.get("postcode")
    if not (wants_point or wants_ward) or not postcode or not places:
        return True
    place = places.find(postcode)
    if place is None:
        return False
    if wants_point:
        props["latitude"], props["longitude"] = place.latitude, place.longitude
    if wants_ward and place.ward:
        props["ward"] = place.ward
    return True


def _link(
    schema: Schema,
    kind: str,
    source: str,
    target: str,
    props: dict[str, Any],
    prov: tuple[Provenance, ...],
    seen: str | None,
) -> Link:
    source, target = oriented_ends(schema, kind, source, target)
    return Link(link_id(schema, kind, source, target, props), kind, source, target, props, prov, seen, seen)


__all__ = [
    "BuildCounts",
    "Builder",
    "BuiltRow",
    "FileMemory",
    "Found",
    "Mappers",
    "Placeholder",
    "geocode",
    "map_rows",
    "wanted_references",
]
