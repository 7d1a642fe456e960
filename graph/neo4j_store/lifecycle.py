"""Connecting to the server, the store's own indexes and format, sessions and transactions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import neo4j
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError

from graph.contract import EachBatchCommits
from graph.errors import StoreConfigError, StoreError
from graph.facts import has_key_properties
from graph.neo4j_config import Neo4jConfig, neo4j_password, parse_neo4j_url
from graph.neo4j_store.base import T, Tx, _quoted
from graph.neo4j_store.queries import _PARALLEL_BY_ID
from graph.schema import Schema, load_schema
from graph.store_core import chunks

log = logging.getLogger(__name__)

FORMAT_VERSION = "1"


_BOOKKEEPING = frozenset(
    {
        "Entity",
        "DisruptSource",
        "DisruptJudgement",
        "DisruptErasure",
        "DisruptErased",
        "DisruptResultRun",
        "DisruptResultRow",
    }
)


_KINDS_REMEMBERED = 500_000  # link kinds kept in memory (about 100 bytes each)
_CONSTRAINT_RETRIES = 3  # a concurrent writer created a node between this batch's read and write


_FIXED_SCHEMA = (
    "CREATE CONSTRAINT disrupt_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX disrupt_entity_kind IF NOT EXISTS FOR (n:Entity) ON (n.kind)",
    "CREATE INDEX disrupt_entity_merged IF NOT EXISTS FOR (n:Entity) ON (n.merged_into)",
    "CREATE TEXT INDEX disrupt_entity_search IF NOT EXISTS FOR (n:Entity) ON (n._search)",
    "CREATE CONSTRAINT disrupt_source_key IF NOT EXISTS FOR (s:DisruptSource) REQUIRE s.key IS UNIQUE",
    "CREATE INDEX disrupt_source_record IF NOT EXISTS FOR (s:DisruptSource) ON (s.record)",
    "CREATE INDEX disrupt_source_owner IF NOT EXISTS FOR (s:DisruptSource) ON (s.owner)",
    "CREATE CONSTRAINT disrupt_judgement_key IF NOT EXISTS FOR (j:DisruptJudgement) REQUIRE j.key IS UNIQUE",
    "CREATE CONSTRAINT disrupt_erasure_id IF NOT EXISTS FOR (e:DisruptErasure) REQUIRE e.erasure_id IS UNIQUE",
    "CREATE CONSTRAINT disrupt_erased_id IF NOT EXISTS FOR (e:DisruptErased) REQUIRE e.id IS UNIQUE",
    "CREATE CONSTRAINT disrupt_result_run_key IF NOT EXISTS FOR (r:DisruptResultRun) REQUIRE r.key IS UNIQUE",
    "CREATE INDEX disrupt_result_row_run IF NOT EXISTS FOR (r:DisruptResultRow) ON (r.run_key)",
    "CREATE INDEX disrupt_result_row_entity IF NOT EXISTS FOR (r:DisruptResultRow) ON (r.entity_id)",
)


class _Lifecycle:
    """Connect, create the store's indexes, and run work in managed transactions."""

    def __init__(self, url: str, *, schema: Schema | None = None, password: str | None = None) -> None:
        self.config: Neo4jConfig = parse_neo4j_url(url)
        self.url = url
        self.schema = schema or load_schema()
        for name in [*self.schema.entities, *self.schema.links]:
            _quoted(name)
            if name in _BOOKKEEPING:
                raise StoreConfigError(f"the schema kind {name!r} clashes with a label the Neo4j store uses itself")
        options: dict[str, Any] = {"user_agent": "disrupt"}
        if self.config.ca_file is not None:
            options.update(encrypted=True, trusted_certificates=neo4j.TrustCustomCAs(str(self.config.ca_file)))
        auth = (self.config.user, neo4j_password(password))
        try:
            self._driver = neo4j.GraphDatabase.driver(self.config.uri, auth=auth, **options)
            with self._session() as session:
                session.run("RETURN 1").consume()
        except neo4j.exceptions.AuthError as exc:
            raise StoreConfigError(
                f"the Neo4j server at {self.config.uri} refused user {self.config.user!r}: check the password "
                "in DISRUPT_NEO4J_PASSWORD (or DISRUPT_NEO4J_PASSWORD_FILE)"
            ) from exc
        except (DriverError, Neo4jError, OSError) as exc:
            raise StoreConfigError(
                f"cannot reach a Neo4j server at {self.config.uri} (database {self.config.database or 'default'}): "
                f"{exc}; check the host, port and TLS options of the store URL"
            ) from exc
        # the kind of each link this store has written or walked past: a link's id says nothing of
        # its kind, and a lookup by id alone asks every link type (ArcadeDB scans each one); an id's
        # kind never changes, so what is remembered stays true (a link erased since is not found)
        self._kind_of: dict[str, str] = {}
        self._parallel_by_id = " UNION ALL ".join(
            _PARALLEL_BY_ID.format(kind=_quoted(kind)) for kind in sorted(self.schema.links)
        )
        self._keyed_kinds = frozenset(k for k in self.schema.links if has_key_properties(self.schema, k))
        self._create_schema()

    def _create_schema(self) -> None:
        statements = [*_FIXED_SCHEMA]
        for kind in sorted(self.schema.links):
            statements.append(
                f"CREATE INDEX disrupt_link_{kind.lower()} IF NOT EXISTS FOR ()-[r:{_quoted(kind)}]-() ON (r.id)"
            )
        with self._session() as session:
            for statement in statements:
                session.run(statement).consume()
            found = session.run(
                "MERGE (m:DisruptMeta {key: 'format'}) ON CREATE SET m.value = $v RETURN m.value AS value",
                v=FORMAT_VERSION,
            ).single()
        if found is None or found["value"] != FORMAT_VERSION:
            raise StoreConfigError(
                f"the graph at {self.config.uri} is in Disrupt store format {found and found['value']}, "
                f"this version reads format {FORMAT_VERSION}"
            )

    def close(self) -> None:
        self._driver.close()

    def __repr__(self) -> str:
        return f"Neo4jBackend({self.url!r})"

    def _remember_kinds(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember links' kinds (link id, kind), forgetting all once the memory is full."""
        if len(self._kind_of) > _KINDS_REMEMBERED:
            self._kind_of.clear()
        self._kind_of.update(pairs)

    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self.config.database)

    def _write(self, work: Callable[[Tx], T]) -> T:
        """Run ``work`` in one managed write transaction; driver errors become StoreError."""
        for attempt in range(_CONSTRAINT_RETRIES):
            try:
                with self._session() as session:
                    return session.execute_write(work)
            except ConstraintError as exc:
                if attempt == _CONSTRAINT_RETRIES - 1:
                    raise StoreError(f"batch rolled back: {exc.message}") from exc
                log.info("a concurrent write created the same record; retrying the batch (%d)", attempt + 1)
            except (Neo4jError, DriverError) as exc:
                raise StoreError(f"batch rolled back: {getattr(exc, 'message', None) or exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, work: Callable[[Tx], T]) -> T:
        try:
            with self._session() as session:
                return session.execute_read(work)
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"read failed: {getattr(exc, 'message', None) or exc}") from exc

    def _rows(self, tx: Tx, query: str, key: str, items: Sequence[Any], **params: Any) -> list[dict[str, Any]]:
        """Run ``query`` with ``items`` as ``$key`` in batch-sized chunks and gather the records."""
        found: list[dict[str, Any]] = []
        for chunk in chunks(items, self.config.batch_size):
            found.extend(tx.run(query, {key: list(chunk), **params}).data())
        return found

    def _each(self, tx: Tx, query: str, rows: Sequence[Mapping[str, Any]], **params: Any) -> None:
        for chunk in chunks(rows, self.config.batch_size):
            tx.run(query, {"rows": list(chunk), **params}).consume()

    def bulk_load(self) -> EachBatchCommits:
        """Each upsert is its own server transaction already; a bulk load changes nothing."""
        return EachBatchCommits()
