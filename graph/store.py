"""The graph store every caller holds, and opening one from its URL.

:class:`GraphStore` owns the rules of the store contract; a backend (:mod:`graph.backend`) only
speaks its database. The checks and errors of the contract are in :mod:`graph.contract`
(re-exported here for callers).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import unquote, urlsplit

from graph.backend import StoreBackend
from graph.contract import BulkLoad, ErasureReason, LiftReason, Verdict, check_erasure, check_judgement, check_lift
from graph.errors import StoreConfigError
from graph.ids import search_query
from graph.neo4j_config import NEO4J_SCHEMES
from graph.records import (
    Counts,
    Entity,
    ErasureRecord,
    Judgement,
    Link,
    Path,
    ResultTable,
    Subgraph,
    UpsertSummary,
    now_iso,
)
from graph.schema import Schema
from graph.sqlite_store import SQLiteBackend
from graph.store_core import (
    Walk,
    collector_paused,
    kinds_param,
    neighbourhood_note,
    prepare_entities,
    prepare_links,
    prepare_results,
)

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)


class GraphStore:
    """The graph store: the one class every caller holds, over a backend that speaks one database
    (:class:`graph.backend.StoreBackend`). The store validates each batch against the schema, keeps
    the no-source rule, canonical ids, the neighbourhood's note, result encoding and every check of
    a decision; the backend only reads and writes. Every backend passes ``tests/graph/test_store_contract.py``.

    Open one with :func:`open_store`; ``with open_store(url) as store:`` closes it at the end."""

    def __init__(self, backend: StoreBackend) -> None:
        self._backend = backend
        self.url: str = backend.url
        self.schema: Schema = backend.schema

    def __repr__(self) -> str:
        return f"GraphStore({self._backend!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._backend.close()

    # -- writing

    def upsert(self, entities: Sequence[Entity] = (), links: Sequence[Link] = ()) -> UpsertSummary:
        """Write one batch in one transaction: all of it or, on any error, none of it.

        Existing entities and links get their properties merged (new non-empty values win),
        provenance appended (a source record is kept once) and first/last seen widened
        (:mod:`graph.merge`).

        Raises:
            InvalidRecord: a property does not fit the schema, a fact has no source, an entity was
                erased, or a link's end is unknown or of a kind it cannot join.
        """
        with collector_paused():
            return self._backend.write_batch(prepare_entities(self.schema, entities), prepare_links(self.schema, links))

    def bulk_load(self) -> AbstractContextManager[BulkLoad]:
        """A long load of many upserts, for a store to write faster than batch by batch.

        Upserts inside may be held back until ``commit()`` or the end of the block, so a caller
        records its checkpoints only after ``commit()``. A refused upsert still undoes only its own
        batch. If the block ends with an error, what was upserted since the last ``commit()`` may or
        may not be kept, so the caller replays it (upserts are idempotent).
        """
        return self._backend.bulk_load()

    # -- reading

    def get_entities(self, entity_ids: Iterable[str]) -> list[Entity]:
        """Entities in the order asked (merged records answered by their canonical entity, once);
        ids not held are left out. A canonical entity's provenance includes its merged records'.
        A merged entity's properties are its canonical record's, filled in by its other records'
        (:func:`graph.facts.fill_properties`)."""
        return self._backend.get_entities(list(entity_ids))

    def get_entity(self, entity_id: str) -> Entity | None:
        """The entity; for a record merged by resolution, the entity it was merged into."""
        found = self.get_entities([entity_id])
        return found[0] if found else None

    def get_links(self, link_ids: Iterable[str]) -> list[Link]:
        """The facts of these links, in the order asked, each once (ids not held are left out):
        parallel links of one kind between the same two entities (:mod:`graph.facts`) are answered
        by one link under the first one's id, with all their sources."""
        return self._backend.get_links(list(link_ids))

    def get_link(self, link_id: str) -> Link | None:
        found = self.get_links([link_id])
        return found[0] if found else None

    def find_by_source(self, source: str, record_ids: Collection[str], *, kind: str) -> dict[str, str]:
        """Map source record ids to the id of the ``kind`` entity each record made (as loaded,
        before resolution). Records that made no such entity are left out."""
        return self._backend.find_by_source(source, list(record_ids), kind)

    def canonical_ids(self, entity_ids: Iterable[str]) -> dict[str, str]:
        """The canonical entity id of each id held (itself when it stands alone)."""
        return self._backend.canonical_ids(list(entity_ids))

    def counts(self) -> Counts:
        """Entities (canonical only: merged records are not counted again) and facts (parallel links
        of one fact count once), by kind."""
        return self._backend.counts()

    def search(self, text: str, *, kinds: Collection[str] | None = None, limit: int = 20) -> list[Entity]:
        """Entities whose searchable properties contain ``text`` (case and accents ignored), best first."""
        query = search_query(text)
        if not query or limit < 1:
            return []
        return self._backend.search(query, kinds_param(kinds), limit)

    # -- walking

    def neighbourhood(
        self,
        entity_id: str,
        *,
        hops: int = 1,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        max_nodes: int = 200,
    ) -> Subgraph:
        """The entities within ``hops`` of an entity, nearest first, and the facts among them (one
        link per fact, as :meth:`get_links` gives them)."""
        walk = Walk(hops, kinds_param(kinds), kinds_param(link_kinds), max_nodes)
        entities, links, truncated = self._backend.neighbourhood(entity_id, walk)
        note = neighbourhood_note(len(entities), max_nodes, truncated)
        return Subgraph(tuple(entities), tuple(links), truncated, note)

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
        """Up to ``max_paths`` shortest paths; no two pass the same entities through the same kinds
        of link (parallel links, or the same pair in two roles, give one path)."""
        walk = Walk(max_hops, kinds_param(kinds), kinds_param(link_kinds), max_paths)
        return self._backend.shortest_paths(source_id, target_id, walk)

    def to_networkx(
        self,
        *,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        entity_ids: Collection[str] | None = None,
        provenance: bool = False,
    ) -> nx.MultiDiGraph:
        """The canonical graph (or the part the filters select) as a MultiDiGraph keyed by link id,
        nodes and edges added in id order (so the same graph gives the same analysis in any store),
        one edge per fact (:mod:`graph.facts`), nodes filled in from their merged records.

        Nodes carry ``kind``, ``label``, ``first_seen``, ``last_seen`` and the properties; edges carry
        ``kind``, ``first_seen``, ``last_seen`` and the properties. With ``provenance=True`` nodes and
        edges also carry ``provenance``: a list of (source, record_id, grading).
        """
        with collector_paused():  # a node or edge makes a few dicts, none in a cycle
            return self._backend.to_networkx(
                kinds_param(kinds), kinds_param(link_kinds), kinds_param(entity_ids), provenance
            )

    # -- entity resolution: records stay; a canonical entity stands for the records merged into it

    def records_of_kind(self, kind: str, *, provenance: bool = False) -> Iterator[Entity]:
        """Every record of a kind as loaded, merged or not, with ``merged_into`` set, in id order;
        with ``provenance=True`` each carries its own sources (not those of records merged into it)."""
        return self._backend.records_of_kind(kind, provenance=provenance)

    def links_of_kind(self, kind: str) -> Iterator[Link]:
        """Every link of a kind as loaded, in id order: between the records it was loaded with (not
        their canonical entities), with its sources. What a copy of the store needs."""
        return self._backend.links_of_kind(kind)

    def set_canonical(self, assignments: Mapping[str, str], *, run_id: str) -> int:
        """Point records at their canonical entity (a record mapped to itself stands alone) and move
        links onto the canonical entities, in one transaction. Returns how many records changed.

        Raises:
            InvalidRecord: an id is unknown, kinds differ, or a canonical id is itself merged.
        """
        changed = self._backend.set_canonical(assignments)
        log.info("resolution run %s moved %d records", run_id, changed)
        return changed

    def add_judgement(
        self, first: str, second: str, verdict: Verdict, *, reference: str, decided_at: str | None = None
    ) -> Judgement:
        """Record that two records are (``same``) or are not (``different``) one entity, decided now
        (or at ``decided_at``, when a judgement is copied from another store)."""
        check_judgement(verdict, reference)
        a, b = sorted((first, second))
        judgement = Judgement(a, b, verdict, decided_at or now_iso(), reference)
        self._backend.keep_judgement(judgement)
        return judgement

    def judgements(self) -> list[Judgement]:
        return self._backend.judgements()

    # -- erasure

    def erase_entity(self, entity_id: str, *, reason: ErasureReason, reference: str) -> ErasureRecord:
        """Remove an entity, its links, their sources and result rows; keep a record with no personal data."""
        check_erasure(reason, reference)
        record = self._backend.erase(entity_id, reason, reference)
        log.info("erased one %s entity and %d links (erasure %s)", record.kind, record.links_removed, record.erasure_id)
        return record

    def erasures(self) -> list[ErasureRecord]:
        """Every erasure record, oldest first, lifted ones included."""
        return self._backend.erasures()

    def lift_erasure(self, erasure_id: str, *, reason: LiftReason, reference: str) -> ErasureRecord:
        """Take an erasure's ids off the erased list, so later loads may store them again (the
        erasure was a mistake, or a court says so), and mark its record lifted. Nothing erased comes
        back by itself: the exports that held it must be loaded again.

        Raises:
            StoreConfigError: an unknown reason, or a reference that is not a case reference.
            StoreError: no erasure has that id, or it was lifted before.
        """
        check_lift(reason, reference)
        return self._backend.lift(erasure_id, reason, reference)

    def keep_erasure_records(self, records: Sequence[ErasureRecord], erased: Mapping[str, str] | None = None) -> int:
        """Keep erasure records made by another store (a copy), and its erased ids (id -> erasure id)
        so that the copy refuses them too; records already held are skipped. Returns how many
        records were added."""
        return self._backend.keep_erasure_records(records, erased or {})

    def erased_ids(self, ids: Collection[str] | None = None) -> dict[str, str]:
        """Which of ``ids`` (every one when None) an erasure removed, with that erasure's id.

        An erased entity is never stored again: ``upsert`` refuses it, and ingest sets aside the
        rows that would make it. The ids are one-way digests of the entity's key, not its data.
        """
        return self._backend.erased_ids(None if ids is None else sorted(set(ids)))

    # -- analysis results

    def save_results(self, name: str, rows: Sequence[Mapping[str, Any]], *, run_id: str | None = None) -> ResultTable:
        """Save a result table as a run (a new run id when None; saving a run again replaces it).

        Raises:
            StoreConfigError: the name is not a result name.
            StoreError: a row holds a value that is not plain data.
        """
        prepared = prepare_results(name, rows, run_id)
        self._backend.save_results(prepared)
        return prepared.table

    def read_results(self, name: str, *, run_id: str | None = None) -> ResultTable | None:
        """The named result table of ``run_id``, or of the latest run when ``run_id`` is None."""
        return self._backend.read_results(name, run_id)

    def result_version(self, name: str) -> tuple[str, str, int] | None:
        """The named table's latest run id, its time and how many of its rows are held now (None: never
        saved), read without the rows: it changes when a run is saved and when an erasure removes a row."""
        return self._backend.result_version(name)

    def result_names(self) -> list[str]:
        return self._backend.result_names()


DEFAULT_STORE_URL = "sqlite:///disrupt-data/graph.db"


def sqlite_path(url: str) -> FilePath:
    """Return the file path of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/") or len(parts.path) < 2:
        raise StoreConfigError(
            f"not a SQLite store URL: {url!r}; write sqlite:///relative/path.db or sqlite:////absolute/path.db"
        )
    return FilePath(unquote(parts.path[1:]))


def open_sqlite(path: str | FilePath, *, schema: Schema | None = None) -> GraphStore:
    """Open (or create) the embedded store in one SQLite file.

    Raises:
        StoreConfigError: the file is not a Disrupt store, or is in a format this version cannot read.
        StoreBusy: another process holds its write lock for longer than the wait.
    """
    return GraphStore(SQLiteBackend(path, schema=schema))


def open_store(
    url: str = DEFAULT_STORE_URL, *, schema: Schema | None = None, password: str | None = None
) -> GraphStore:
    """Open the store a URL names: ``sqlite:///path`` (embedded) or ``neo4j://user@host:7687/db`` /
    ``bolt://...`` (see :mod:`graph.neo4j_config`; ``password`` defaults to DISRUPT_NEO4J_PASSWORD).

    Raises:
        StoreConfigError: the URL is malformed, names a store this installation cannot open, or the
            server cannot be reached with these credentials.
    """
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return open_sqlite(sqlite_path(url), schema=schema)
    if scheme in NEO4J_SCHEMES:
        from graph.neo4j_store import Neo4jBackend  # the driver is imported only when a URL names it

        return GraphStore(Neo4jBackend(url, schema=schema, password=password))
    raise StoreConfigError(
        f"unknown store URL {url!r}: use sqlite:///path/graph.db (embedded) or neo4j://user@host:7687/db"
    )


__all__ = ["DEFAULT_STORE_URL", "GraphStore", "open_sqlite", "open_store", "sqlite_path"]
