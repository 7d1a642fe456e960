"""What the store and its backends share, written once: preparing a batch (validation, the no-source
rule, labels, search terms), checking link ends and resolution assignments, the neighbourhood's
cap note, preparing result tables, walks, chunking and JSON encoding.

:class:`graph.store.GraphStore` prepares; a backend (:mod:`graph.backend`) translates what was
prepared into its own database's terms and calls the checks that must see its database inside a
transaction. (The checks of decisions and their messages are in :mod:`graph.contract`; how records
merge is in :mod:`graph.merge`.)
"""

from __future__ import annotations

import gc
import json
import threading
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from graph.contract import check_result_name
from graph.errors import InvalidRecord, StoreError, fact_without_source
from graph.identity import carries_label
from graph.records import (
    Entity,
    Link,
    ResultTable,
    now_iso,
    search_terms,
)
from graph.schema import Schema

if TYPE_CHECKING:
    pass

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


_paused = threading.Lock()
_pausers = 0  # batches under way with the collector paused (threads share one collector)
_paused_by_us = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is prepared and written, or the graph
    is exported to NetworkX.

    A batch allocates several containers a record, none in a cycle (refcounting frees them), and
    the collector would otherwise run every few hundred allocations and, every so often, walk the
    caller's whole heap (one run of ``benchmarks/bench_store.py`` made 14 full collections). An
    export's nodes and edges are a few dicts each, also without cycles; paused, the export of
    ``bench_store.py``'s graph took 3.5 to 4.2 s against 4.7 to 6.2 s, and the first collection
    after it, which walks what it made once, 0.3 s. The collector is paused once for all threads
    and resumed when the last one ends, and only if it was running before (an ingest pauses it for
    a whole load and collects at its commits).
    """
    global _pausers, _paused_by_us
    with _paused:
        if _pausers == 0 and gc.isenabled():
            gc.disable()
            _paused_by_us = True
        _pausers += 1
    try:
        yield
    finally:
        with _paused:
            _pausers -= 1
            if _pausers == 0 and _paused_by_us:
                _paused_by_us = False
                gc.enable()


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


__all__ = [
    "PreparedEntity",
    "PreparedLink",
    "PreparedResults",
    "Walk",
    "check_assignments",
    "check_link_ends",
    "chunks",
    "collector_paused",
    "kinds_param",
    "neighbourhood_note",
    "prepare_entities",
    "prepare_links",
    "prepare_results",
    "to_json",
]
