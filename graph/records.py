"""Records: entities, links, their provenance, and what store queries return.

Records are plain frozen values. Build entities and links with :func:`new_entity` and
:func:`new_link`, which validate against the schema and derive the id from identifying keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from graph.errors import InvalidRecord, fact_without_source
from graph.identity import entity_id, entity_label, link_id, oriented_ends
from graph.ids import MAX_TERM_CHARS, fold_text
from graph.schema import Schema, load_schema

if TYPE_CHECKING:
    import networkx as nx

# Closed sets: why an entity is erased, why an erasure is lifted, what a judgement says.
ErasureReason = Literal["retention_review", "subject_request", "court_order", "correction"]
LiftReason = Literal["erased_in_error", "court_order"]
Verdict = Literal["same", "different"]

make_label = entity_label  # the name ingest and graph import knew it by (graph.identity holds it)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact came from: the source, the record in it, the load, and its grading if any.

    ``grading`` is the UK 3x5x2 grading of intelligence, written source evaluation, assessment and
    handling code (for example ``"2B P"``).
    """

    source: str
    record_id: str
    loaded_at: str
    run_id: str | None = None
    grading: str | None = None

    def __post_init__(self) -> None:
        if not self.source or not self.record_id:
            raise InvalidRecord("Provenance", "source", self, "source and record_id are required")


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity of the graph; ``properties`` hold values in their stored (JSON) form.

    ``merged_into`` is set only on a source-level record that entity resolution has merged into
    another entity (the canonical one), as returned by ``GraphStore.records_of_kind``.
    """

    id: str
    kind: str
    label: str
    properties: Mapping[str, Any]
    provenance: tuple[Provenance, ...]
    first_seen: str | None = None
    last_seen: str | None = None
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A directed link between two entities, with its own properties and provenance."""

    id: str
    kind: str
    source: str
    target: str
    properties: Mapping[str, Any]
    provenance: tuple[Provenance, ...]
    first_seen: str | None = None
    last_seen: str | None = None


def now_iso() -> str:
    """Return the current UTC time as an ISO 8601 string (seconds precision)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _as_provenance(provenance: Provenance | Iterable[Provenance]) -> tuple[Provenance, ...]:
    items = (provenance,) if isinstance(provenance, Provenance) else tuple(provenance)
    if not items:
        raise fact_without_source("Provenance", items)
    return items


def _seen(kind: str, name: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise InvalidRecord(kind, name, value, "expected an ISO 8601 date or time") from None
        return value
    raise InvalidRecord(kind, name, value, "expected an ISO 8601 date or time")


def new_entity(
    kind: str,
    properties: Mapping[str, Any],
    *,
    provenance: Provenance | Iterable[Provenance],
    first_seen: object = None,
    last_seen: object = None,
    schema: Schema | None = None,
) -> Entity:
    """Validate properties and return an Entity whose id derives from its identifying key.

    >>> p = Provenance("licensing.vehicles", "row-7", "2026-01-01T00:00:00+00:00")
    >>> car = new_entity("Vehicle", {"vrm": "AB12CDE"}, provenance=p)
    >>> car.id == new_entity("Vehicle", {"vrm": "ab12cde"}, provenance=p).id
    True
    """
    schema = schema or load_schema()
    clean = schema.validate_entity_properties(kind, properties)
    return Entity(
        id=entity_id(schema, kind, clean),
        kind=kind,
        label=entity_label(schema, kind, clean),
        properties=clean,
        provenance=_as_provenance(provenance),
        first_seen=_seen(kind, "first_seen", first_seen),
        last_seen=_seen(kind, "last_seen", last_seen),
    )


def new_link(
    kind: str,
    source: str,
    target: str,
    properties: Mapping[str, Any] | None = None,
    *,
    provenance: Provenance | Iterable[Provenance],
    first_seen: object = None,
    last_seen: object = None,
    schema: Schema | None = None,
) -> Link:
    """Validate a link and return it with an id derived from its kind, ends and key properties.

    Endpoint kinds are checked by the store, which knows the entities.
    """
    schema = schema or load_schema()
    clean = schema.validate_link_properties(kind, properties or {})
    if not source or not target:
        raise InvalidRecord(kind, "source" if not source else "target", None, "a link needs both ends")
    if source == target:
        raise InvalidRecord(kind, "target", target, "a link cannot join an entity to itself")
    source, target = oriented_ends(schema, kind, source, target)
    return Link(
        id=link_id(schema, kind, source, target, clean),
        kind=kind,
        source=source,
        target=target,
        properties=clean,
        provenance=_as_provenance(provenance),
        first_seen=_seen(kind, "first_seen", first_seen),
        last_seen=_seen(kind, "last_seen", last_seen),
    )


@dataclass(frozen=True, slots=True)
class Subgraph:
    """A part of the graph: entities, the links among them, and whether a cap cut it short."""

    entities: tuple[Entity, ...]
    links: tuple[Link, ...]
    truncated: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Path:
    """A path between two entities: ``entities`` has one more item than ``links``."""

    entities: tuple[str, ...]
    links: tuple[str, ...]

    @property
    def hops(self) -> int:
        return len(self.links)


@dataclass(frozen=True, slots=True)
class Counts:
    """Counts of entities and links by kind."""

    entities: Mapping[str, int]
    links: Mapping[str, int]

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"entities": dict(self.entities), "links": dict(self.links)}


@dataclass(frozen=True, slots=True)
class UpsertSummary:
    """What one upsert batch did."""

    entities_created: int = 0
    entities_merged: int = 0
    links_created: int = 0
    links_merged: int = 0


@dataclass(frozen=True, slots=True)
class Judgement:
    """An analyst's decision that two records are, or are not, the same entity."""

    first: str
    second: str
    verdict: Verdict
    decided_at: str
    reference: str


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    """The record an erasure leaves behind: when, why, what kind and how much, but nobody's data.

    A lifted erasure (``lifted_at`` set) no longer keeps its ids off the store; the record stays,
    with when, why and on what authority it was lifted."""

    erasure_id: str
    erased_at: str
    kind: str
    links_removed: int
    sources_removed: int
    results_removed: int
    reason: ErasureReason
    reference: str
    lifted_at: str | None = None
    lift_reason: LiftReason | None = None
    lift_reference: str | None = None


@dataclass(frozen=True, slots=True)
class ResultTable:
    """A saved analysis result: a name, the run that made it, when, and its rows."""

    name: str
    run_id: str
    created_at: str
    rows: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


def search_terms(schema: Schema, kind: str, properties: Mapping[str, Any]) -> list[str]:
    """The folded values of an entity's searchable properties (and an open kind's ``name``), in order."""
    ek = schema.entities[kind]
    values: list[Any] = []
    for name in ek.search_properties:
        value = properties.get(name)
        values.extend(value if isinstance(value, list) else [value])
    if ek.open and "name" not in ek.search_properties:
        values.append(properties.get("name"))
    return [
        term for v in values if isinstance(v, str) and (term := fold_text(v[: MAX_TERM_CHARS * 2])[:MAX_TERM_CHARS])
    ]


def attach_provenance(G: nx.MultiDiGraph, merged: Mapping[str, str], items: Iterable[Sequence[Any]]) -> None:
    """Give an exported graph's nodes and edges their ``provenance``: (source, record id, grading).

    ``items`` are (owner, source, record_id, grading) in load order; a record merged into another
    (``merged`` maps it to its canonical entity) gives its sources to that entity, and a link drawn
    as part of another's fact (``merged`` maps it to that edge's key) to that edge. A source record
    is listed once however many of the merged records or links it made.
    """
    edge_at = {key: (u, v) for u, v, key in G.edges(keys=True)}
    listed: set[tuple[str, str, str]] = set()
    for owner, source, record_id, grading in items:
        owner = merged.get(owner, owner)
        if (owner, source, record_id) in listed:
            continue
        listed.add((owner, source, record_id))
        if owner in G:
            G.nodes[owner].setdefault("provenance", []).append((source, record_id, grading))
        elif owner in edge_at:
            u, v = edge_at[owner]
            G.edges[u, v, owner].setdefault("provenance", []).append((source, record_id, grading))
