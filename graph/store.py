"""The store interface every graph store implements, and opening a store from its URL."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from graph.errors import StoreConfigError
from graph.records import Counts, Entity, ErasureRecord, Link, Path, ResultTable, Subgraph, UpsertSummary
from graph.schema import Schema

if TYPE_CHECKING:
    import networkx as nx

ErasureReason = Literal["retention_review", "subject_request", "court_order", "correction"]
ERASURE_REASONS: tuple[str, ...] = ErasureReason.__args__  # type: ignore[attr-defined]


@runtime_checkable
class GraphStore(Protocol):
    """What Disrupt needs from a graph store. Every implementation passes ``tests/graph/test_store_contract.py``."""

    url: str
    schema: Schema

    def upsert(self, entities: Sequence[Entity] = (), links: Sequence[Link] = ()) -> UpsertSummary:
        """Write one batch in one transaction: all of it or, on any error, none of it.

        Existing entities and links get their properties merged (new non-empty values win),
        provenance appended (a source record is kept once) and first/last seen widened.
        """
        ...

    def get_entity(self, entity_id: str) -> Entity | None: ...

    def get_entities(self, entity_ids: Iterable[str]) -> list[Entity]: ...

    def get_link(self, link_id: str) -> Link | None: ...

    def get_links(self, link_ids: Iterable[str]) -> list[Link]: ...

    def search(self, text: str, *, kinds: Collection[str] | None = None, limit: int = 20) -> list[Entity]:
        """Entities whose searchable properties contain ``text`` (case and accents ignored), best first."""
        ...

    def neighbourhood(
        self,
        entity_id: str,
        *,
        hops: int = 1,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        max_nodes: int = 200,
    ) -> Subgraph: ...

    def shortest_paths(
        self,
        source_id: str,
        target_id: str,
        *,
        max_hops: int = 4,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        max_paths: int = 10,
    ) -> list[Path]: ...

    def to_networkx(
        self,
        *,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        entity_ids: Collection[str] | None = None,
        provenance: bool = False,
    ) -> nx.MultiDiGraph: ...

    def counts(self) -> Counts: ...

    def erase_entity(self, entity_id: str, *, reason: ErasureReason, reference: str) -> ErasureRecord:
        """Remove an entity, its links, their sources and result rows; keep a record with no personal data."""
        ...

    def erasures(self) -> list[ErasureRecord]: ...

    def save_results(
        self, name: str, rows: Sequence[Mapping[str, Any]], *, run_id: str | None = None
    ) -> ResultTable: ...

    def read_results(self, name: str, *, run_id: str | None = None) -> ResultTable | None:
        """The named result table of ``run_id``, or of the latest run when ``run_id`` is None."""
        ...

    def result_names(self) -> list[str]: ...

    def close(self) -> None: ...


DEFAULT_STORE_URL = "sqlite:///disrupt-data/graph.db"


def sqlite_path(url: str) -> FilePath:
    """Return the file path of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/") or len(parts.path) < 2:
        raise StoreConfigError(
            f"not a SQLite store URL: {url!r}; write sqlite:///relative/path.db or sqlite:////absolute/path.db"
        )
    return FilePath(unquote(parts.path[1:]))


def open_store(url: str = DEFAULT_STORE_URL, *, schema: Schema | None = None) -> GraphStore:
    """Open the store a URL names: ``sqlite:///path`` (embedded) or ``neo4j://`` / ``bolt://``.

    Raises:
        StoreConfigError: the URL is malformed or names a store this installation cannot open.
    """
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        from graph.sqlite_store import SQLiteStore

        return SQLiteStore(sqlite_path(url), schema=schema)
    if scheme in ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"):
        raise StoreConfigError(
            f"the Neo4j store is not available in this version (asked for {scheme}://); "
            "use the embedded store, e.g. DISRUPT_STORE=sqlite:///disrupt-data/graph.db"
        )
    raise StoreConfigError(
        f"unknown store URL {url!r}: use sqlite:///path/graph.db (embedded) or neo4j://user@host:7687/db"
    )
