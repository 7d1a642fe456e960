"""What both stores do the same way, written once: preparing a batch (validation, the no-source
rule, labels, search terms), checking link ends and resolution assignments, the neighbourhood's
cap note, preparing result tables, chunking and JSON encoding.

A store translates these into its own database's terms; it does not restate them. (The checks of
decisions and their messages are in :mod:`graph.contract`; how records merge is in :mod:`graph.merge`.)
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from graph.contract import Verdict, check_judgement, check_result_name
from graph.errors import InvalidRecord, StoreError, fact_without_source
from graph.identity import carries_label
from graph.ids import search_query
from graph.records import (
    Entity,
    Judgement,
    Link,
    Path,
    ResultTable,
    Subgraph,
    UpsertSummary,
    now_iso,
    search_terms,
)
from graph.schema import Schema

if TYPE_CHECKING:
    import networkx as nx

T = TypeVar("T")

# one encoder for every call (json.dumps with options builds a new encoder each time): compact,
# keys sorted, text as it is, so the same value always encodes to the same JSON in either store
to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``: one query parameter each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def kinds_param(kinds: Collection[str] | None) -> list[str] | None:
    """A kind filter as a query parameter: sorted and each once, or None for every kind."""
    return None if kinds is None else sorted(set(kinds))


@dataclass(slots=True)  # not frozen: made for every record of a load, and frozen init costs a setattr a field
class PreparedEntity:
    """A validated entity of a batch with what the merge needs: its stored-form properties,
    whether it carries a label (:func:`graph.identity.carries_label`) and its search terms."""

    entity: Entity
    clean: dict[str, Any]
    has_label: bool
    terms: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PreparedLink:
    """A validated link of a batch with its stored-form properties."""

    link: Link
    clean: dict[str, Any]


def prepare_entities(schema: Schema, entities: Iterable[Entity]) -> list[PreparedEntity]:
    """Validate a batch's entities, in order.

    Raises:
        InvalidRecord: a property does not fit the schema, or an entity has no source.
    """
    prepared: list[PreparedEntity] = []
    for e in entities:
        clean = schema.validate_entity_properties(e.kind, e.properties)
        if not e.provenance:
            raise fact_without_source(e.kind, e.id)
        prepared.append(
            PreparedEntity(e, clean, carries_label(schema, e.kind, clean), search_terms(schema, e.kind, clean))
        )
    return prepared


def prepare_links(schema: Schema, links: Iterable[Link]) -> list[PreparedLink]:
    """Validate a batch's links, in order (their ends are checked by :func:`check_link_ends`).

    Raises:
        InvalidRecord: a property does not fit the schema, or a link has no source.
    """
    prepared: list[PreparedLink] = []
    for ln in links:
        clean = schema.validate_link_properties(ln.kind, ln.properties)
        if not ln.provenance:
            raise fact_without_source(ln.kind, ln.id)
        prepared.append(PreparedLink(ln, clean))
    return prepared


def check_link_ends(schema: Schema, links: Iterable[Link], kinds: Mapping[str, str]) -> None:
    """Refuse the batch if a link names an entity that is neither stored nor in the batch, or joins
    kinds its schema does not allow (``kinds``: the kind of every end that exists).

    Raises:
        InvalidRecord: the first such link, with the end at fault.
    """
    for ln in links:
        src_kind, dst_kind = kinds.get(ln.source), kinds.get(ln.target)
        if src_kind is None or dst_kind is None:
            side, end = ("source", ln.source) if src_kind is None else ("target", ln.target)
            raise InvalidRecord(
                ln.kind, side, end, f"link {ln.id} names an entity that is neither stored nor in this batch"
            )
        if not schema.links[ln.kind].allows(src_kind, dst_kind):
            raise InvalidRecord(ln.kind, None, ln.id, f"a {ln.kind} link cannot join {src_kind} to {dst_kind}")


def check_assignments(assign: Mapping[str, str], held: Mapping[str, tuple[str, str]]) -> None:
    """Refuse resolution assignments (record -> canonical id) that name an id not stored, merge
    records of two kinds, or name as canonical an entity that is itself merged.

    ``held`` gives, for every stored id among them, its kind and its canonical id now.

    Raises:
        InvalidRecord: the first such assignment.
    """
    for record, canon in assign.items():
        if record not in held or canon not in held:
            raise InvalidRecord("Entity", "id", record, "resolution names a record or canonical id that is not stored")
    for record, canon in assign.items():
        a, b = held[record][0], held[canon][0]
        if a != b:
            raise InvalidRecord(a, "id", record, f"cannot merge a {a} into a {b}")
    for record, canon in assign.items():
        if canon != record and assign.get(canon, held[canon][1]) != canon:
            raise InvalidRecord("Entity", "id", canon, "a canonical entity must stand for itself, not be merged")


def neighbourhood_note(shown: int, max_nodes: int, truncated: bool) -> str:
    """What a capped neighbourhood tells its reader ("" when nothing was left out)."""
    if not truncated:
        return ""
    return f"showing the nearest {shown} entities; the neighbourhood holds more (cap {max_nodes})"


@dataclass(frozen=True, slots=True)
class PreparedResults:
    """A result table ready to save: its run, its time, and each row's number, entity and JSON."""

    name: str
    run_id: str
    created_at: str
    rows: tuple[tuple[int, str | None, str], ...]
    table: ResultTable


def prepare_results(name: str, rows: Sequence[Mapping[str, Any]], run_id: str | None) -> PreparedResults:
    """Check a result's name, give it a run id if it has none, and encode its rows.

    Raises:
        StoreConfigError: the name is not a result name.
        StoreError: a row holds a value that is not plain data.
    """
    check_result_name(name)
    run_id = run_id or uuid.uuid4().hex[:16]
    created_at = now_iso()
    try:
        encoded = tuple((i, r.get("entity_id"), to_json(dict(r))) for i, r in enumerate(rows))
    except (TypeError, ValueError) as exc:
        raise StoreError(f"result {name!r} holds a value that is not plain data: {exc}") from exc
    return PreparedResults(
        name, run_id, created_at, encoded, ResultTable(name, run_id, created_at, tuple(dict(r) for r in rows))
    )


@dataclass(frozen=True, slots=True)
class Walk:
    """How far a walk goes and what it may pass through: ``steps`` (hops, or the most hops of a
    path), the entity and link kinds allowed (None: any) and ``cap`` (entities, or paths)."""

    steps: int
    kinds: list[str] | None
    link_kinds: list[str] | None
    cap: int


class StoreCore:
    """The store contract's methods that read the same in every backend, over the primitives a
    backend supplies (``_search``, ``_keep_judgement``, ``_neighbourhood``, ``_shortest_paths``,
    ``get_entities``, ``get_links``, ``close``)."""

    schema: Schema

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def upsert(self, entities: Sequence[Entity] = (), links: Sequence[Link] = ()) -> UpsertSummary:
        """Validate the batch here (graph.store_core), then write it in one transaction (the backend)."""
        return self._write_batch(prepare_entities(self.schema, entities), prepare_links(self.schema, links))

    def _write_batch(self, entities: list[PreparedEntity], links: list[PreparedLink]) -> UpsertSummary:
        """Write a validated batch by the rules of :mod:`graph.merge`: all of it or none of it.

        Raises:
            InvalidRecord: an entity was erased, or a link's end is unknown or of a kind it cannot join.
        """
        raise NotImplementedError

    def get_entities(self, entity_ids: Iterable[str]) -> list[Entity]:
        raise NotImplementedError

    def get_links(self, link_ids: Iterable[str]) -> list[Link]:
        raise NotImplementedError

    def get_entity(self, entity_id: str) -> Entity | None:
        found = self.get_entities([entity_id])
        return found[0] if found else None

    def get_link(self, link_id: str) -> Link | None:
        found = self.get_links([link_id])
        return found[0] if found else None

    def search(self, text: str, *, kinds: Collection[str] | None = None, limit: int = 20) -> list[Entity]:
        query = search_query(text)
        if not query or limit < 1:
            return []
        return self._search(query, kinds_param(kinds), limit)

    def _search(self, query: str, kinds: list[str] | None, limit: int) -> list[Entity]:
        """Entities whose terms contain the folded ``query``, best first (see :mod:`graph.search`)."""
        raise NotImplementedError

    def add_judgement(
        self, first: str, second: str, verdict: Verdict, *, reference: str, decided_at: str | None = None
    ) -> Judgement:
        check_judgement(verdict, reference)
        a, b = sorted((first, second))
        judgement = Judgement(a, b, verdict, decided_at or now_iso(), reference)
        self._keep_judgement(judgement)
        return judgement

    def _keep_judgement(self, judgement: Judgement) -> None:
        """Store a judgement (replacing one about the same two records).

        Raises:
            UnknownEntity: either record is not stored.
        """
        raise NotImplementedError

    def neighbourhood(
        self,
        entity_id: str,
        *,
        hops: int = 1,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        max_nodes: int = 200,
    ) -> Subgraph:
        walk = Walk(hops, kinds_param(kinds), kinds_param(link_kinds), max_nodes)
        entities, links, truncated = self._neighbourhood(entity_id, walk)
        note = neighbourhood_note(len(entities), max_nodes, truncated)
        return Subgraph(tuple(entities), tuple(links), truncated, note)

    def _neighbourhood(self, entity_id: str, walk: Walk) -> tuple[list[Entity], list[Link], bool]:
        """The nearest entities (up to ``walk.cap``), the facts among them, and whether the cap cut it."""
        raise NotImplementedError

    def shortest_paths(
        self,
        source_id: str,
        target_id: str,
        *,
        max_hops: int = 4,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        max_paths: int = 10,
    ) -> list[Path]:
        return self._shortest_paths(
            source_id, target_id, Walk(max_hops, kinds_param(kinds), kinds_param(link_kinds), max_paths)
        )

    def _shortest_paths(self, source_id: str, target_id: str, walk: Walk) -> list[Path]:
        """Up to ``walk.cap`` shortest paths of at most ``walk.steps`` hops."""
        raise NotImplementedError

    def to_networkx(
        self,
        *,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        entity_ids: Collection[str] | None = None,
        provenance: bool = False,
    ) -> nx.MultiDiGraph:
        """The graph (or the part the filters select) as a MultiDiGraph keyed by link id.

        Nodes carry ``kind``, ``label``, ``first_seen``, ``last_seen`` and the properties; edges carry
        ``kind``, ``first_seen``, ``last_seen`` and the properties. With ``provenance=True`` nodes and
        edges also carry ``provenance``: a list of (source, record_id, grading).
        """
        return self._to_networkx(kinds_param(kinds), kinds_param(link_kinds), kinds_param(entity_ids), provenance)

    def _to_networkx(
        self, kinds: list[str] | None, link_kinds: list[str] | None, entity_ids: list[str] | None, provenance: bool
    ) -> nx.MultiDiGraph:
        raise NotImplementedError


__all__ = [
    "PreparedEntity",
    "PreparedLink",
    "PreparedResults",
    "StoreCore",
    "Walk",
    "check_assignments",
    "check_link_ends",
    "chunks",
    "kinds_param",
    "neighbourhood_note",
    "prepare_entities",
    "prepare_links",
    "prepare_results",
    "to_json",
]
