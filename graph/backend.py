"""What a database must do for :class:`graph.store.GraphStore`: the primitives the store is built on.

The store validates, encodes and checks (:mod:`graph.store_core`, :mod:`graph.contract`); a backend
only translates into its database's terms. Two backends implement this: :mod:`graph.sqlite_store`
(embedded) and :mod:`graph.neo4j_store` (Bolt). ``tests/graph/test_store_contract.py`` runs the
whole store contract over each.

A check that must see the database inside a write's transaction (an erased id, a link's stored
end, a resolution's held records, a judged record) is written once in those modules and called by
the backend inside that transaction, so it holds under concurrent writers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from graph.contract import BulkLoad, ErasureReason, LiftReason
from graph.records import Counts, Entity, ErasureRecord, Judgement, Link, Path, ResultTable, UpsertSummary
from graph.schema import Schema
from graph.store_core import PreparedEntity, PreparedLink, PreparedResults, Walk

if TYPE_CHECKING:
    import networkx as nx


class StoreBackend(Protocol):
    """The primitives of one database. Kind filters arrive sorted and each once (None: every
    kind); lists of ids to read may repeat an id, and a backend answers each id once, in the order
    asked (it reads them so for its own walks and searches too). Erased ids arrive sorted, each once."""

    url: str
    schema: Schema

    # -- writing

    def write_batch(self, entities: list[PreparedEntity], links: list[PreparedLink]) -> UpsertSummary:
        """Write a validated batch by the rules of :mod:`graph.merge`, all of it or none of it.

        Raises:
            InvalidRecord: an entity was erased (:func:`graph.contract.refuse_erased`), or a link's
                end is unknown or of a kind it cannot join (:func:`graph.store_core.check_link_ends`).
        """
        ...

    def bulk_load(self) -> AbstractContextManager[BulkLoad]: ...

    # -- reading

    def get_entities(self, entity_ids: Sequence[str]) -> list[Entity]: ...

    def get_links(self, link_ids: Sequence[str]) -> list[Link]: ...

    def find_by_source(self, source: str, record_ids: list[str], kind: str) -> dict[str, str]: ...

    def canonical_ids(self, entity_ids: list[str]) -> dict[str, str]: ...

    def counts(self) -> Counts: ...

    def search(self, query: str, kinds: list[str] | None, limit: int) -> list[Entity]:
        """Entities whose terms contain the folded ``query`` (never empty), best first (:mod:`graph.search`)."""
        ...

    # -- walking

    def neighbourhood(self, entity_id: str, walk: Walk) -> tuple[list[Entity], list[Link], bool]:
        """The nearest entities (up to ``walk.cap``), the facts among them, and whether the cap cut it."""
        ...

    def shortest_paths(self, source_id: str, target_id: str, walk: Walk) -> list[Path]:
        """Up to ``walk.cap`` shortest paths of at most ``walk.steps`` hops."""
        ...

    def to_networkx(
        self, kinds: list[str] | None, link_kinds: list[str] | None, entity_ids: list[str] | None, provenance: bool
    ) -> nx.MultiDiGraph: ...

    # -- resolution

    def records_of_kind(self, kind: str, *, provenance: bool) -> Iterator[Entity]: ...

    def links_of_kind(self, kind: str) -> Iterator[Link]: ...

    def set_canonical(self, assignments: Mapping[str, str]) -> int:
        """Point records at canonical entities and move their links, in one transaction.

        Raises:
            InvalidRecord: :func:`graph.store_core.check_assignments` refused an assignment.
        """
        ...

    def keep_judgement(self, judgement: Judgement) -> None:
        """Store a checked judgement, replacing one about the same two records.

        Raises:
            UnknownEntity: either record is not stored (:func:`graph.contract.unknown_judged`).
        """
        ...

    def judgements(self) -> list[Judgement]: ...

    # -- erasure

    def erase(self, entity_id: str, reason: ErasureReason, reference: str) -> ErasureRecord:
        """Remove the canonical entity of ``entity_id`` with its records, links, sources, search
        terms, judgements and result rows; put its records' ids on the erased list."""
        ...

    def erasures(self) -> list[ErasureRecord]: ...

    def lift(self, erasure_id: str, reason: LiftReason, reference: str) -> ErasureRecord:
        """Raises: StoreError: no such erasure, or it was lifted before (:func:`graph.contract.lifted_already`)."""
        ...

    def keep_erasure_records(self, records: Sequence[ErasureRecord], erased: Mapping[str, str]) -> int: ...

    def erased_ids(self, ids: list[str] | None) -> dict[str, str]: ...

    # -- results

    def save_results(self, prepared: PreparedResults) -> None: ...

    def read_results(self, name: str, run_id: str | None) -> ResultTable | None: ...

    def result_version(self, name: str) -> tuple[str, str, int] | None: ...

    def result_names(self) -> list[str]: ...

    def close(self) -> None: ...


__all__ = ["StoreBackend"]
