"""The Neo4j store: the store contract over Bolt, with the official ``neo4j`` driver.

What the database holds (so Neo4j Browser and Bloom users see the same graph as Disrupt):

- each entity record is a node labelled ``Entity`` and its kind (``:Entity:Person``) with ``id``,
  ``kind``, ``label``, ``first_seen``, ``last_seen``, ``merged_into`` (only on a record that entity
  resolution merged into another), its properties spread out for people to read, ``_props`` (the exact
  properties as JSON, which is what the store reads back: open kinds may hold mixed lists that Neo4j
  cannot) and ``_search`` (the folded searchable values, one per line, behind a TEXT index);
- each link is a relationship of its kind between canonical entities, with ``id``, ``orig_src`` and
  ``orig_dst`` (the records it was loaded between, so that resolution moves it and a split moves it back);
- provenance, judgements, erasures and result tables are ``DisruptSource``, ``DisruptJudgement``,
  ``DisruptErasure``, ``DisruptResultRun`` and ``DisruptResultRow`` nodes;
- analysis results are also written onto entity nodes as ``<result>_<field>`` properties
  (``key_players_score``, ``flags_level`` ...), replaced by the next save of that result.

Every value travels as a query parameter. Labels and relationship types come from the schema's
allow-list (checked against a strict pattern, then quoted); a path length bound comes from a fixed
table of query texts. Each batch is one managed transaction that reads, then writes: a retry repeats
the read, so a repeated or retried batch leaves the graph as one run would.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import neo4j
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError

from graph.contract import (
    EachBatchCommits,
    ErasureReason,
    LiftReason,
    Verdict,
    check_erasure,
    check_judgement,
    check_lift,
    lifted_already,
    refuse_erased,
)
from graph.errors import StoreConfigError, StoreError, UnknownEntity
from graph.facts import (
    add_fact_edges,
    distinct_steps,
    facts_asked,
    fill_nodes,
    fill_properties,
    has_key_properties,
    links_beyond_facts,
)
from graph.ids import search_query
from graph.merge import earliest, latest, load_order, merge_label, merge_properties, merge_terms
from graph.neo4j_config import Neo4jConfig, neo4j_password, parse_neo4j_url
from graph.neo4j_state import (
    LINE,
    SEP,
    NodeState,
    RelState,
    provenance_key,
    source_row,
    spreadable,
)
from graph.records import (
    Counts,
    Entity,
    ErasureRecord,
    Judgement,
    Link,
    Path,
    Provenance,
    ResultTable,
    Subgraph,
    UpsertSummary,
    attach_provenance,
    now_iso,
)
from graph.schema import Schema, load_schema
from graph.store_core import (
    PreparedEntity,
    check_assignments,
    check_link_ends,
    chunks,
    neighbourhood_note,
    prepare_entities,
    prepare_links,
    prepare_results,
)
from graph.traversal import Neighbours, find_shortest_paths, walk_neighbourhood

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)

T = TypeVar("T")
Tx = neo4j.ManagedTransaction

FORMAT_VERSION = "1"
MAX_PATH_HOPS = 12
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
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

_READ_NODES = """
UNWIND $ids AS x MATCH (n:Entity {id: x})
RETURN n.id AS id, n.kind AS kind, n.label AS label, n._props AS props, n.first_seen AS first_seen,
       n.last_seen AS last_seen, n._search AS search, n.merged_into AS merged_into
"""
_ERASED_AMONG = "UNWIND $ids AS x MATCH (e:DisruptErased {id: x}) RETURN e.id AS id, e.erasure_id AS erasure_id"
_READ_ENDS = "UNWIND $ids AS x MATCH (n:Entity {id: x}) RETURN n.id AS id, n.kind AS kind, n.merged_into AS merged_into"
_UPDATE_NODES = "UNWIND $rows AS r MATCH (n:Entity {id: r.id}) SET n += r.props"
_SET_MERGED = "UNWIND $rows AS r MATCH (n:Entity {id: r.id}) SET n.merged_into = r.canon"
_MEMBERS = "UNWIND $ids AS x MATCH (m:Entity {merged_into: x}) RETURN m.id AS id, m.merged_into AS canon"
_MEMBER_PROPS = (
    "UNWIND $ids AS x MATCH (m:Entity {merged_into: x}) RETURN m.id AS id, m.merged_into AS canon, m._props AS props"
)
_ALL_MEMBER_PROPS = (
    "MATCH (m:Entity) WHERE m.merged_into IS NOT NULL RETURN m.merged_into AS canon, m._props AS props ORDER BY m.id"
)
_EXISTING_SOURCES = "UNWIND $keys AS k MATCH (s:DisruptSource {key: k}) RETURN s.key AS key"
_CREATE_SOURCES = "UNWIND $rows AS r CREATE (s:DisruptSource) SET s = r"
_READ_SOURCES = """
UNWIND $ids AS x MATCH (s:DisruptSource {owner: x})
RETURN s.owner AS owner, s.source AS source, s.record_id AS record_id, s.loaded_at AS loaded_at,
       s.run_id AS run_id, s.grading AS grading
"""
_SEARCH = """
MATCH (n:Entity) WHERE n._search CONTAINS $q AND ($kinds IS NULL OR n.kind IN $kinds)
WITH coalesce(n.merged_into, n.id) AS cid, n.label AS label,
     [t IN split(n._search, $line) WHERE t CONTAINS $q] AS hits
UNWIND hits AS t
WITH cid, label, t, CASE WHEN t = $q THEN 0 WHEN t STARTS WITH $q THEN 1 ELSE 2 END AS rank
WITH cid, min(rank) AS rank, min(size(t)) AS shortest, min(label) AS label
RETURN cid ORDER BY rank, shortest, label, cid LIMIT $limit
"""
_RECORDS_PAGE = """
MATCH (n:Entity) WHERE n.kind = $kind AND n.id > $after
RETURN n.id AS id, n.label AS label, n._props AS props, n.first_seen AS first_seen, n.last_seen AS last_seen,
       n.merged_into AS merged_into ORDER BY n.id LIMIT $limit
"""
_LINKS_PAGE = """
MATCH ()-[r:{kind}]->() WHERE r.id > $after
RETURN r.id AS id, r.orig_src AS src, r.orig_dst AS dst, r._props AS props, r.first_seen AS first_seen,
       r.last_seen AS last_seen ORDER BY r.id LIMIT $limit
"""
_NODE_FIELDS = (
    "n.id AS id, n.kind AS kind, n.label AS label, n._props AS props, n.first_seen AS first_seen, "
    "n.last_seen AS last_seen"
)
_EDGE_FIELDS = (
    "l.id AS id, type(l) AS kind, a.id AS src, b.id AS dst, l._props AS props, l.first_seen AS first_seen, "
    "l.last_seen AS last_seen"
)
_EXPORT_NODES = f"""
MATCH (n:Entity) WHERE n.merged_into IS NULL AND ($kinds IS NULL OR n.kind IN $kinds)
RETURN {_NODE_FIELDS} ORDER BY id
"""
_EXPORT_EDGES = f"""
MATCH (a:Entity)-[l]->(b:Entity) WHERE $link_kinds IS NULL OR type(l) IN $link_kinds
RETURN {_EDGE_FIELDS} ORDER BY id
"""
_PART_NODES = f"""
UNWIND $ids AS x MATCH (n:Entity {{id: x}}) WHERE n.merged_into IS NULL AND ($kinds IS NULL OR n.kind IN $kinds)
RETURN {_NODE_FIELDS} ORDER BY id
"""
_PART_EDGES = f"""
UNWIND $ids AS x MATCH (a:Entity {{id: x}})-[l]->(b:Entity)
WHERE b.id IN $ids AND ($link_kinds IS NULL OR type(l) IN $link_kinds)
RETURN {_EDGE_FIELDS} ORDER BY id
"""
_ALL_MERGED = "MATCH (n:Entity) WHERE n.merged_into IS NOT NULL RETURN n.id AS id, n.merged_into AS canon"
_ALL_SOURCES = """
MATCH (s:DisruptSource) RETURN s.owner AS owner, s.source AS source, s.record_id AS record_id, s.grading AS grading
ORDER BY s.loaded_at, s.source, s.record_id, s.owner
"""
# Write-lock link anchors before reading their links. Neo4j reads what is committed, so without
# it two transactions could both find a link missing and both create it (relationships have no
# uniqueness constraint); with it, the second waits for the first and then finds its link.
_LOCK_ANCHORS = "UNWIND $rows AS r MATCH (a:Entity {id: r.id}) SET a._lock = true REMOVE a._lock"
# a link sits on its source record's canonical entity: find it from there, not by scanning its type
_STORED_LINKS = """
UNWIND $rows AS r MATCH (a:Entity {{id: r.src}})-[l:{kind}]->(b) WHERE l.id = r.id
RETURN l.id AS id, l._props AS props, l.first_seen AS first_seen, l.last_seen AS last_seen,
       l.orig_src AS orig_src, l.orig_dst AS orig_dst, a.id AS src, b.id AS dst
"""
_NEIGHBOURS = """
UNWIND $ids AS x MATCH (a:Entity {id: x})-[r]-(o:Entity)
WHERE ($link_kinds IS NULL OR type(r) IN $link_kinds) AND ($kinds IS NULL OR o.kind IN $kinds)
RETURN r.id AS id, type(r) AS kind, startNode(r).id AS src, endNode(r).id AS dst, r._props AS props
"""
# The links of one kind between the two entities of each asked link, either way round (itself
# included): the candidates for its fact (graph.facts). From the link's start entity when known.
# The links of one kind beside a link that resolution moved (see graph.facts: only they can be parallel).
_BESIDE_MOVED = """
MATCH (a:Entity)-[m:{kind}]->(b:Entity) WHERE m.orig_src <> a.id OR m.orig_dst <> b.id
WITH DISTINCT a, b MATCH (a)-[s:{kind}]-(b)
RETURN DISTINCT s.id AS id, startNode(s).id AS src, endNode(s).id AS dst, s._props AS props
"""
_PARALLEL_FIELDS = (
    " RETURN {asked} AS asked, s.id AS id, type(s) AS kind, s._props AS props, s.first_seen AS first_seen,"
    " s.last_seen AS last_seen, startNode(s).id AS src, endNode(s).id AS dst"
)
# From each link's start entity, whatever its type (the walk that found it knows where it starts).
_PARALLEL_ANCHORED = (
    "UNWIND $rows AS r MATCH (a:Entity {id: r.src})-[l]->(b) WHERE l.id = r.id WITH r, a, b, type(l) AS t "
    "MATCH (a)-[s]-(b) WHERE type(s) = t" + _PARALLEL_FIELDS.format(asked="r.id")
)
# By id alone: one indexed lookup per link type (a relationship index is per type), in one query.
_PARALLEL_BY_ID = (
    "UNWIND $ids AS x MATCH (a)-[l:{kind} {{id: x}}]->(b) WITH x, a, b "
    "MATCH (a)-[s:{kind}]-(b)" + _PARALLEL_FIELDS.format(asked="x")
)


def _anchored(sources: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"id": link_id, "src": src} for link_id, src in sources.items()]


def _quoted(name: str) -> str:
    """A label or relationship type from the schema, checked and quoted for query text."""
    if not _NAME.match(name):
        raise StoreConfigError(f"{name!r} cannot be a Neo4j label or type: use letters, digits and _")
    return f"`{name}`"


class Neo4jStore:
    """The store over Bolt. Thread-safe: the driver pools connections and each call takes a session."""

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
        self._parallel_by_id = " UNION ALL ".join(
            _PARALLEL_BY_ID.format(kind=_quoted(kind)) for kind in sorted(self.schema.links)
        )
        self._keyed_kinds = frozenset(k for k in self.schema.links if has_key_properties(self.schema, k))
        self._create_schema()

    # -- life cycle ---------------------------------------------------------------------------

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

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Neo4jStore({self.url!r})"

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

    # -- writing ------------------------------------------------------------------------------

    def upsert(self, entities: Sequence[Entity] = (), links: Sequence[Link] = ()) -> UpsertSummary:
        prepared = prepare_entities(self.schema, entities)
        clean_links = [(p.link, p.clean) for p in prepare_links(self.schema, links)]
        summary = self._write(lambda tx: self._upsert(tx, prepared, clean_links))
        log.debug("upserted %d entities, %d links", len(prepared), len(clean_links))
        return summary

    def bulk_load(self) -> EachBatchCommits:
        """Each upsert is its own server transaction already; a bulk load changes nothing."""
        return EachBatchCommits()

    def _upsert(
        self, tx: Tx, prepared: list[PreparedEntity], links: list[tuple[Link, dict[str, Any]]]
    ) -> UpsertSummary:
        nodes = self._merge_entities(tx, prepared)
        ends = self._link_ends(tx, nodes, links)
        rels = self._merge_links(tx, links, ends)
        self._write_nodes(tx, nodes)
        self._write_rels(tx, rels)
        self._write_sources(tx, [(p.entity.id, p.entity.provenance) for p in prepared])
        self._write_sources(tx, [(ln.id, ln.provenance) for ln, _ in links])
        existed_e = sum(n.stored for n in nodes.values())
        existed_l = sum(r.stored for r in rels.values())
        return UpsertSummary(len(nodes) - existed_e, existed_e, len(rels) - existed_l, existed_l)

    def _merge_entities(self, tx: Tx, prepared: list[PreparedEntity]) -> dict[str, NodeState]:
        ids = list(dict.fromkeys(p.entity.id for p in prepared))
        erased = self._rows(tx, _ERASED_AMONG, "ids", ids)
        if erased:
            kind = next(p.entity.kind for p in prepared if p.entity.id == erased[0]["id"])
            raise refuse_erased(kind, erased[0]["id"], erased[0]["erasure_id"])
        nodes: dict[str, NodeState] = {}
        for row in self._rows(tx, _READ_NODES, "ids", ids):
            search = row["search"] or ""
            nodes[row["id"]] = NodeState(
                row["id"],
                row["kind"],
                row["label"],
                json.loads(row["props"] or "{}"),
                row["first_seen"],
                row["last_seen"],
                search.split(LINE) if search else [],
                row["merged_into"],
                stored=True,
            )
        for p in prepared:
            e = p.entity
            node = nodes.get(e.id)
            if node is None:
                nodes[e.id] = NodeState(e.id, e.kind, e.label, dict(p.clean), e.first_seen, e.last_seen, [])
                node = nodes[e.id]
            else:  # by the rules of graph.merge
                node.props = merge_properties(node.props, p.clean)
                node.label = merge_label(node.label, e.label, p.has_label)
                node.first_seen = earliest(node.first_seen, e.first_seen)
                node.last_seen = latest(node.last_seen, e.last_seen)
            node.terms = merge_terms(node.terms, p.terms)
        return nodes

    def _link_ends(
        self, tx: Tx, nodes: dict[str, NodeState], links: list[tuple[Link, dict[str, Any]]]
    ) -> dict[str, tuple[str, str | None]]:
        """Kind and canonical entity of every link end; unknown ends or forbidden kinds refuse the batch."""
        ends: dict[str, tuple[str, str | None]] = {i: (n.kind, n.merged_into) for i, n in nodes.items()}
        missing = list(dict.fromkeys(x for ln, _ in links for x in (ln.source, ln.target) if x not in ends))
        for row in self._rows(tx, _READ_ENDS, "ids", missing):
            ends[row["id"]] = (row["kind"], row["merged_into"])
        check_link_ends(self.schema, (ln for ln, _ in links), {i: kind for i, (kind, _) in ends.items()})
        return ends

    def _merge_links(
        self, tx: Tx, links: list[tuple[Link, dict[str, Any]]], ends: dict[str, tuple[str, str | None]]
    ) -> dict[str, RelState]:
        rels: dict[str, RelState] = {}
        by_kind: dict[str, dict[str, str]] = defaultdict(dict)
        for ln, _ in links:
            by_kind[ln.kind][ln.id] = ends[ln.source][1] or ln.source  # a link sits on its source's canonical entity
        locked = sorted({anchor for anchors in by_kind.values() for anchor in anchors.values()})  # one lock order
        self._each(tx, _LOCK_ANCHORS, [{"id": anchor} for anchor in locked])
        for kind, anchors in by_kind.items():
            for row in self._rows(tx, _STORED_LINKS.format(kind=_quoted(kind)), "rows", _anchored(anchors)):
                rels[row["id"]] = RelState(
                    row["id"],
                    kind,
                    row["orig_src"],
                    row["orig_dst"],
                    json.loads(row["props"] or "{}"),
                    row["first_seen"],
                    row["last_seen"],
                    stored=True,
                    ends=(row["src"], row["dst"]),
                )
        for ln, clean in links:
            rel = rels.get(ln.id)
            if rel is None:
                canonical = (ends[ln.source][1] or ln.source, ends[ln.target][1] or ln.target)
                rels[ln.id] = RelState(
                    ln.id, ln.kind, ln.source, ln.target, dict(clean), ln.first_seen, ln.last_seen, ends=canonical
                )
            else:  # by the rules of graph.merge
                rel.props = merge_properties(rel.props, clean)
                rel.first_seen = earliest(rel.first_seen, ln.first_seen)
                rel.last_seen = latest(rel.last_seen, ln.last_seen)
        return rels

    def _write_nodes(self, tx: Tx, nodes: dict[str, NodeState]) -> None:
        fresh: dict[str, list[dict[str, Any]]] = defaultdict(list)
        stored: list[dict[str, Any]] = []
        for node in nodes.values():
            row = {"id": node.id, "props": node.node_properties()}
            (stored if node.stored else fresh[node.kind]).append(row)
        for kind, rows in fresh.items():
            self._each(tx, f"UNWIND $rows AS r CREATE (n:Entity:{_quoted(kind)}) SET n = r.props", rows)
        self._each(tx, _UPDATE_NODES, stored)

    def _write_rels(self, tx: Tx, rels: dict[str, RelState]) -> None:
        fresh: dict[str, list[dict[str, Any]]] = defaultdict(list)
        stored: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rel in rels.values():
            row = {"id": rel.id, "src": rel.ends[0], "dst": rel.ends[1], "props": rel.rel_properties()}
            (stored if rel.stored else fresh)[rel.kind].append(row)
        for kind, rows in fresh.items():
            self._create_rels(tx, kind, rows)
        for kind, rows in stored.items():
            self._each(
                tx, f"UNWIND $rows AS r MATCH (:Entity {{id: r.src}})-[l:{_quoted(kind)}]->() WHERE l.id = r.id "
                "SET l += r.props", rows,
            )  # fmt: skip

    def _create_rels(self, tx: Tx, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self._each(
            tx,
            "UNWIND $rows AS r MATCH (a:Entity {id: r.src}) MATCH (b:Entity {id: r.dst}) "
            f"CREATE (a)-[l:{_quoted(kind)}]->(b) SET l = r.props",
            rows,
        )

    def _write_sources(self, tx: Tx, owned: list[tuple[str, tuple[Provenance, ...]]]) -> None:
        """Add each (owner, source record) once; the first load of a record keeps its time and run."""
        wanted: dict[str, dict[str, Any]] = {}
        for owner, provenance in owned:
            for p in provenance:
                wanted.setdefault(provenance_key(owner, p), source_row(owner, p))
        held = {row["key"] for row in self._rows(tx, _EXISTING_SOURCES, "keys", list(wanted))}
        self._each(tx, _CREATE_SOURCES, [row for key, row in wanted.items() if key not in held])

    # -- reading ------------------------------------------------------------------------------

    def _provenance_of(self, tx: Tx, owners: Sequence[str]) -> dict[str, list[Provenance]]:
        found: dict[str, list[Provenance]] = defaultdict(list)
        for row in self._rows(tx, _READ_SOURCES, "ids", owners):
            found[row["owner"]].append(
                Provenance(row["source"], row["record_id"], row["loaded_at"], row["run_id"], row["grading"])
            )
        return found

    def _canonical_ids(self, tx: Tx, ids: Sequence[str]) -> dict[str, str]:
        found = {r["id"]: r["merged_into"] or r["id"] for r in self._rows(tx, _READ_ENDS, "ids", ids)}
        return {i: found[i] for i in ids if i in found}

    def get_entity(self, entity_id: str) -> Entity | None:
        found = self.get_entities([entity_id])
        return found[0] if found else None

    def get_entities(self, entity_ids: Iterable[str]) -> list[Entity]:
        asked = list(dict.fromkeys(entity_ids))
        return self._read(lambda tx: self._entities(tx, asked))

    def _entities(self, tx: Tx, asked: Sequence[str]) -> list[Entity]:
        ids = list(dict.fromkeys(self._canonical_ids(tx, asked).values()))
        rows = {r["id"]: r for r in self._rows(tx, _READ_NODES, "ids", ids)}
        found = self._member_props(tx, ids)
        members = {r["id"]: r["canon"] for r in found}
        member_props: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in found:
            member_props[m["canon"]].append(json.loads(m["props"]))
        gathered: dict[str, list[Provenance]] = defaultdict(list)
        for owner, items in self._provenance_of(tx, [*rows, *members]).items():
            gathered[members.get(owner, owner)].extend(items)
        return [
            Entity(
                i,
                r["kind"],
                r["label"],
                fill_properties(json.loads(r["props"]), member_props.get(i, [])),
                load_order(gathered[i]),
                r["first_seen"],
                r["last_seen"],
            )
            for i in ids
            if (r := rows.get(i)) is not None
        ]

    def find_by_source(self, source: str, record_ids: Collection[str], *, kind: str) -> dict[str, str]:
        keys = [source + SEP + r for r in sorted(set(record_ids))]
        query = (
            "UNWIND $keys AS k MATCH (s:DisruptSource {record: k}) MATCH (n:Entity {id: s.owner}) "
            "WHERE n.kind = $kind RETURN s.record_id AS record_id, n.id AS id"
        )
        rows = self._read(lambda tx: self._rows(tx, query, "keys", keys, kind=kind))
        return {r["record_id"]: r["id"] for r in rows}

    def canonical_ids(self, entity_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(entity_ids))
        return self._read(lambda tx: self._canonical_ids(tx, ids))

    def get_link(self, link_id: str) -> Link | None:
        found = self.get_links([link_id])
        return found[0] if found else None

    def get_links(self, link_ids: Iterable[str]) -> list[Link]:
        ids = list(dict.fromkeys(link_ids))
        return self._read(lambda tx: self._links(tx, ids))

    def _links(self, tx: Tx, ids: Sequence[str], sources: Mapping[str, str] | None = None) -> list[Link]:
        """The facts of links asked by id (see :meth:`get_links`). With ``sources`` (link id to its
        start entity) each is found from that entity; without, through each link type's id index
        (which ArcadeDB does not use: it scans the type). A link's id says nothing of its type."""
        if sources is not None:
            anchors = _anchored({i: sources[i] for i in ids if i in sources})
            found = self._rows(tx, _PARALLEL_ANCHORED, "rows", anchors)
        else:
            found = self._rows(tx, self._parallel_by_id, "ids", ids)
        parallel: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in found:
            parallel[r["asked"]].append(r)
        prov = self._provenance_of(tx, list({r["id"] for rows in parallel.values() for r in rows}))
        links = {
            asked: [
                Link(
                    r["id"],
                    r["kind"],
                    r["src"],
                    r["dst"],
                    json.loads(r["props"]),
                    load_order(prov[r["id"]]),
                    r["first_seen"],
                    r["last_seen"],
                )
                for r in rows
            ]
            for asked, rows in parallel.items()
        }
        return facts_asked(self.schema, ids, links)

    def search(self, text: str, *, kinds: Collection[str] | None = None, limit: int = 20) -> list[Entity]:
        query = search_query(text)
        if not query or limit < 1:
            return []
        params = {"q": query, "kinds": sorted(set(kinds)) if kinds is not None else None, "line": LINE, "limit": limit}

        def work(tx: Tx) -> list[Entity]:
            ids = [r["cid"] for r in tx.run(_SEARCH, params).data()]
            return self._entities(tx, ids)

        return self._read(work)

    def _neighbours(
        self,
        tx: Tx,
        kinds: Collection[str] | None,
        link_kinds: Collection[str] | None,
        starts: dict[str, str] | None = None,
        *,
        by_kind: bool = False,
    ) -> Neighbours:
        """One Cypher expansion per call, one step per fact (per kind of link with ``by_kind``);
        ``starts`` collects each link's start entity on the way."""
        params = {
            "kinds": sorted(set(kinds)) if kinds is not None else None,
            "link_kinds": sorted(set(link_kinds)) if link_kinds is not None else None,
        }

        def neighbours(ids: Collection[str]) -> list[tuple[str, str, str]]:
            rows = self._rows(tx, _NEIGHBOURS, "ids", sorted(ids), **params)
            if starts is not None:
                starts.update((r["id"], r["src"]) for r in rows)
            found = [
                (r["id"], r["kind"], r["src"], r["dst"], json.loads(r["props"] or "{}") if r["kind"] in keyed else {})
                for r in rows
            ]
            return distinct_steps(self.schema, found, by_kind=by_kind)

        keyed = self._keyed_kinds
        return neighbours

    def _canonical(self, tx: Tx, entity_id: str) -> str:
        found = self._canonical_ids(tx, [entity_id])
        if entity_id not in found:
            raise UnknownEntity(f"no entity with id {entity_id!r}")
        return found[entity_id]

    def neighbourhood(
        self,
        entity_id: str,
        *,
        hops: int = 1,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        max_nodes: int = 200,
    ) -> Subgraph:
        """Each hop is one Cypher expansion of the frontier; :func:`walk_neighbourhood` keeps the
        nearest entities (ties by id) so that both stores cap a neighbourhood the same way."""

        def work(tx: Tx) -> Subgraph:
            start = self._canonical(tx, entity_id)
            starts: dict[str, str] = {}
            neighbours = self._neighbours(tx, kinds, link_kinds, starts)
            reach = walk_neighbourhood(start, neighbours, hops=hops, max_nodes=max_nodes)
            entities = self._entities(tx, reach.entity_ids)
            links = self._links(tx, reach.link_ids, starts)
            note = neighbourhood_note(len(entities), max_nodes, reach.truncated)
            return Subgraph(tuple(entities), tuple(links), reach.truncated, note)

        return self._read(work)

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
        """Shortest paths by a bidirectional breadth-first search whose every expansion is one Cypher
        query, walking one step per kind of link between two entities.

        Cypher ``allShortestPaths`` is not used: it returns one path per combination of parallel
        links (the police and the care record of one child each linked to the same episode), so the
        same route came back several times and used up ``max_paths``; and a filter on the kinds of
        the entities passed through is not part of that search on every server (ArcadeDB applies it
        after the search). The walk gives the same answer as the embedded store.
        """
        if max_hops < 0 or max_paths < 1 or max_hops > MAX_PATH_HOPS:
            raise ValueError(f"max_hops must be 0 to {MAX_PATH_HOPS} and max_paths at least 1")

        def work(tx: Tx) -> list[Path]:
            source, target = self._canonical(tx, source_id), self._canonical(tx, target_id)
            if source == target:
                return [Path((source,), ())]
            neighbours = self._neighbours(tx, kinds, link_kinds, by_kind=True)
            return find_shortest_paths(source, target, neighbours, max_hops=max_hops, max_paths=max_paths)

        return self._read(work)

    def to_networkx(
        self,
        *,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        entity_ids: Collection[str] | None = None,
        provenance: bool = False,
    ) -> nx.MultiDiGraph:
        """The graph (or the part the filters select) as a MultiDiGraph keyed by link id, with the
        same attributes as the embedded store gives. The whole graph is streamed record by record; a
        part named by ``entity_ids`` is read from those entities outwards, never by a scan."""
        import networkx as nx

        G = nx.MultiDiGraph()
        params = {
            "kinds": sorted(set(kinds)) if kinds is not None else None,
            "link_kinds": sorted(set(link_kinds)) if link_kinds is not None else None,
            "ids": sorted(set(entity_ids)) if entity_ids is not None else None,
        }
        nodes, edges = (_EXPORT_NODES, _EXPORT_EDGES) if entity_ids is None else (_PART_NODES, _PART_EDGES)
        try:
            with self._session() as session:
                for r in session.run(nodes, params):
                    G.add_node(
                        r["id"], **json.loads(r["props"]), kind=r["kind"], label=r["label"],
                        first_seen=r["first_seen"], last_seen=r["last_seen"],
                    )  # fmt: skip
                member_rows: list[Any]
                if entity_ids is None:
                    member_rows = list(session.run(_ALL_MEMBER_PROPS))
                else:
                    member_rows = session.execute_read(self._member_props, list(G.nodes))
                fill_nodes(G, ((r["canon"], json.loads(r["props"])) for r in member_rows))
                fields = ("id", "kind", "src", "dst", "props", "first_seen", "last_seen")
                edge_rows = (tuple(r[f] for f in fields) for r in session.run(edges, params))
                folded = add_fact_edges(
                    G, self.schema, ((i, k, s, d, json.loads(p), f, la) for i, k, s, d, p, f, la in edge_rows)
                )
                if provenance and entity_ids is None:
                    merged = {r["id"]: r["canon"] for r in session.run(_ALL_MERGED)}
                    attach_provenance(G, {**merged, **folded}, (r.values() for r in session.run(_ALL_SOURCES)))
                elif provenance:
                    session.execute_read(self._attach_part_provenance, G, folded)
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"export failed: {getattr(exc, 'message', None) or exc}") from exc
        return G

    def _member_props(self, tx: Tx, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The records merged into these entities, in record id order, with their properties."""
        return sorted(self._rows(tx, _MEMBER_PROPS, "ids", ids), key=lambda r: str(r["id"]))

    def _attach_part_provenance(self, tx: Tx, G: nx.MultiDiGraph, folded: Mapping[str, str]) -> None:
        merged = {r["id"]: r["canon"] for r in self._rows(tx, _MEMBERS, "ids", list(G.nodes))}
        owners = [*G.nodes, *merged, *(key for _, _, key in G.edges(keys=True)), *folded]
        items = [
            (r["owner"], r["source"], r["record_id"], r["grading"])
            for r in sorted(
                self._rows(tx, _READ_SOURCES, "ids", owners),
                key=lambda r: (r["loaded_at"], r["source"], r["record_id"], r["owner"]),
            )
        ]
        attach_provenance(G, {**merged, **folded}, items)

    def counts(self) -> Counts:
        def work(tx: Tx) -> Counts:
            entities = {
                r["kind"]: r["n"]
                for r in tx.run(
                    "MATCH (n:Entity) WHERE n.merged_into IS NULL RETURN n.kind AS kind, count(*) AS n ORDER BY kind"
                )
            }
            links: dict[str, int] = {}
            beside: list[tuple[str, str, str, str, dict[str, Any]]] = []
            for kind in sorted(self.schema.links):
                found = tx.run(f"MATCH ()-[r:{_quoted(kind)}]->() RETURN count(r) AS n").single()
                if found is not None and found["n"]:
                    links[kind] = found["n"]
                    # only links beside a link resolution moved can be parallel (graph.facts)
                    beside.extend(
                        (r["id"], kind, r["src"], r["dst"], json.loads(r["props"] or "{}"))
                        for r in tx.run(_BESIDE_MOVED.format(kind=_quoted(kind)))
                    )
            for kind, extra in links_beyond_facts(self.schema, beside).items():
                links[kind] -= extra
            return Counts(entities, links)

        return self._read(work)

    # -- entity resolution --------------------------------------------------------------------

    def records_of_kind(self, kind: str, *, provenance: bool = False) -> Iterator[Entity]:
        after = ""
        while rows := self._page(_RECORDS_PAGE, kind, after, provenance=provenance):
            for r in rows:
                yield Entity(
                    r["id"], kind, r["label"], json.loads(r["props"]), load_order(r["provenance"]),
                    r["first_seen"], r["last_seen"], r["merged_into"],
                )  # fmt: skip
            after = rows[-1]["id"]

    def links_of_kind(self, kind: str) -> Iterator[Link]:
        after = ""
        query = _LINKS_PAGE.format(kind=_quoted(kind))
        while rows := self._page(query, kind, after, provenance=True):
            for r in rows:
                yield Link(
                    r["id"], kind, r["src"], r["dst"], json.loads(r["props"]), load_order(r["provenance"]),
                    r["first_seen"], r["last_seen"],
                )  # fmt: skip
            after = rows[-1]["id"]

    def _page(self, query: str, kind: str, after: str, *, provenance: bool) -> list[dict[str, Any]]:
        """One page of records or links of a kind after id ``after``, each with its own sources if asked."""

        def work(tx: Tx) -> list[dict[str, Any]]:
            rows = tx.run(query, kind=kind, after=after, limit=self.config.batch_size).data()
            found = self._provenance_of(tx, [r["id"] for r in rows]) if provenance else {}
            return [{**r, "provenance": found.get(r["id"], [])} for r in rows]

        return self._read(work)

    def set_canonical(self, assignments: Mapping[str, str], *, run_id: str) -> int:
        changed = self._write(lambda tx: self._set_canonical(tx, dict(assignments)))
        log.info("resolution run %s moved %d records", run_id, changed)
        return changed

    def _set_canonical(self, tx: Tx, assign: dict[str, str]) -> int:
        held = {r["id"]: r for r in self._rows(tx, _READ_ENDS, "ids", sorted({*assign, *assign.values()}))}
        check_assignments(assign, {i: (r["kind"], r["merged_into"] or i) for i, r in held.items()})
        old = {i: held[i]["merged_into"] or i for i in assign}
        changed = {i: c for i, c in assign.items() if old[i] != c}
        self._each(tx, _SET_MERGED, [{"id": i, "canon": None if c == i else c} for i, c in changed.items()])
        # records merged into a record that no longer stands alone follow it to its canonical entity
        now_merged = [i for i, c in changed.items() if c != i]
        followers = {r["id"]: r["canon"] for r in self._rows(tx, _MEMBERS, "ids", now_merged) if r["id"] not in changed}
        for follower, merged in followers.items():
            old[follower] = merged
            changed[follower] = changed[merged]
        self._each(tx, _SET_MERGED, [{"id": f, "canon": changed[f]} for f in followers])
        self._move_links(tx, {old[i] for i in changed}, set(changed))
        return len(changed)

    def _move_links(self, tx: Tx, old_canonicals: set[str], changed: set[str]) -> None:
        """Recreate, between their records' canonical entities now, the links of changed records."""
        rows = self._rows(
            tx,
            "UNWIND $ids AS x MATCH (n:Entity {id: x})-[r]-() WHERE r.orig_src IN $changed OR r.orig_dst IN $changed "
            "RETURN DISTINCT r.id AS id, type(r) AS kind, startNode(r).id AS src, endNode(r).id AS dst, "
            "properties(r) AS props",
            "ids",
            sorted(old_canonicals),
            changed=sorted(changed),
        )
        ends = sorted({e for r in rows for e in (r["props"]["orig_src"], r["props"]["orig_dst"])})
        canonical = self._canonical_ids(tx, ends)
        moving: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            target = (canonical[r["props"]["orig_src"]], canonical[r["props"]["orig_dst"]])
            if target != (r["src"], r["dst"]):
                moving[r["kind"]].append(
                    {"id": r["id"], "was": r["src"], "src": target[0], "dst": target[1], "props": r["props"]}
                )
        for kind, items in moving.items():
            query = (
                f"UNWIND $rows AS r MATCH (:Entity {{id: r.was}})-[l:{_quoted(kind)}]->() WHERE l.id = r.id DELETE l"
            )
            self._each(tx, query, items)
            self._create_rels(tx, kind, items)

    def add_judgement(
        self, first: str, second: str, verdict: Verdict, *, reference: str, decided_at: str | None = None
    ) -> Judgement:
        check_judgement(verdict, reference)
        a, b = sorted((first, second))
        judgement = Judgement(a, b, verdict, decided_at or now_iso(), reference)

        def work(tx: Tx) -> None:
            if len(self._rows(tx, _READ_ENDS, "ids", [a, b])) != 2:
                raise UnknownEntity(f"a judgement needs two stored records; {a!r} or {b!r} is not one")
            tx.run(
                "MERGE (j:DisruptJudgement {key: $key}) SET j.first = $first, j.second = $second, "
                "j.verdict = $verdict, j.decided_at = $decided_at, j.reference = $reference",
                key=a + SEP + b,
                first=a,
                second=b,
                verdict=verdict,
                decided_at=judgement.decided_at,
                reference=reference,
            ).consume()

        self._write(work)
        return judgement

    def judgements(self) -> list[Judgement]:
        rows = self._read(
            lambda tx: tx.run(
                "MATCH (j:DisruptJudgement) RETURN j.first AS first, j.second AS second, j.verdict AS verdict, "
                "j.decided_at AS decided_at, j.reference AS reference ORDER BY decided_at, first, second"
            ).data()
        )
        return [Judgement(**r) for r in rows]

    # -- erasure ------------------------------------------------------------------------------

    def erase_entity(self, entity_id: str, *, reason: ErasureReason, reference: str) -> ErasureRecord:
        check_erasure(reason, reference)
        record = self._write(lambda tx: self._erase(tx, entity_id, reason, reference))
        log.info("erased one %s entity and %d links (erasure %s)", record.kind, record.links_removed, record.erasure_id)
        return record

    def _erase(self, tx: Tx, entity_id: str, reason: ErasureReason, reference: str) -> ErasureRecord:
        canon = self._canonical(tx, entity_id)
        kind = self._rows(tx, _READ_ENDS, "ids", [canon])[0]["kind"]
        records = [canon, *(r["id"] for r in self._rows(tx, _MEMBERS, "ids", [canon]))]
        link_ids = [
            r["id"] for r in tx.run("MATCH (n:Entity {id: $id})-[r]-() RETURN DISTINCT r.id AS id", id=canon).data()
        ]

        def delete_counted(query: str, ids: list[str]) -> int:
            return sum(r["n"] for r in self._rows(tx, query, "ids", ids))

        sources = delete_counted(
            "UNWIND $ids AS x MATCH (s:DisruptSource {owner: x}) DETACH DELETE s RETURN count(*) AS n",
            [*records, *link_ids],
        )
        results = delete_counted(
            "UNWIND $ids AS x MATCH (r:DisruptResultRow {entity_id: x}) DETACH DELETE r RETURN count(*) AS n", records
        )
        tx.run(
            "MATCH (j:DisruptJudgement) WHERE j.first IN $ids OR j.second IN $ids DETACH DELETE j", ids=records
        ).consume()
        self._each(tx, "UNWIND $rows AS x MATCH (n:Entity {id: x}) DETACH DELETE n", records)
        erasure_id = uuid.uuid4().hex
        self._each(
            tx,
            "UNWIND $rows AS x MERGE (e:DisruptErased {id: x}) SET e.erasure_id = $erasure",
            records,
            erasure=erasure_id,
        )
        record = ErasureRecord(
            erasure_id=erasure_id,
            erased_at=now_iso(),
            kind=kind,
            links_removed=len(link_ids),
            sources_removed=sources,
            results_removed=results,
            reason=reason,
            reference=reference,
        )
        tx.run("CREATE (e:DisruptErasure) SET e = $props", props=_erasure_props(record)).consume()
        return record

    def erasures(self) -> list[ErasureRecord]:
        rows = self._read(
            lambda tx: tx.run(
                "MATCH (e:DisruptErasure) RETURN properties(e) AS e ORDER BY e.erased_at, e.erasure_id"
            ).data()
        )
        return [_erasure_record(r["e"]) for r in rows]

    def lift_erasure(self, erasure_id: str, *, reason: LiftReason, reference: str) -> ErasureRecord:
        check_lift(reason, reference)

        def work(tx: Tx) -> tuple[ErasureRecord, int]:
            found = tx.run("MATCH (e:DisruptErasure {erasure_id: $id}) RETURN properties(e) AS e", id=erasure_id).data()
            if not found:
                raise StoreError(f"no erasure {erasure_id!r} in this store; `disrupt erasures` lists them")
            record = _erasure_record(found[0]["e"])
            if record.lifted_at is not None:
                raise lifted_already(record)
            lifted = dataclasses.replace(record, lifted_at=now_iso(), lift_reason=reason, lift_reference=reference)
            freed = tx.run(
                "MATCH (x:DisruptErased {erasure_id: $id}) DELETE x RETURN count(*) AS n", id=erasure_id
            ).single(strict=True)["n"]
            tx.run(
                "MATCH (e:DisruptErasure {erasure_id: $id}) "
                "SET e.lifted_at = $at, e.lift_reason = $reason, e.lift_reference = $reference",
                id=erasure_id,
                at=lifted.lifted_at,
                reason=reason,
                reference=reference,
            ).consume()
            return lifted, freed

        lifted, freed = self._write(work)
        log.info("lifted erasure %s: %d erased ids may be stored again", erasure_id, freed)
        return lifted

    def keep_erasure_records(self, records: Sequence[ErasureRecord], erased: Mapping[str, str] | None = None) -> int:
        rows = [_erasure_props(r) for r in records]
        erased_rows = [{"id": k, "erasure_id": v} for k, v in sorted((erased or {}).items())]

        def work(tx: Tx) -> int:
            held_ids = {r["id"] for r in self._rows(tx, _ERASED_AMONG, "ids", [r["id"] for r in erased_rows])}
            fresh = [r for r in erased_rows if r["id"] not in held_ids]
            self._each(tx, "UNWIND $rows AS r CREATE (e:DisruptErased) SET e = r", fresh)
            held = {
                r["id"]
                for r in self._rows(
                    tx,
                    "UNWIND $ids AS x MATCH (e:DisruptErasure {erasure_id: x}) RETURN e.erasure_id AS id",
                    "ids",
                    [r["erasure_id"] for r in rows],
                )
            }
            new = [r for r in rows if r["erasure_id"] not in held]
            self._each(tx, "UNWIND $rows AS r CREATE (e:DisruptErasure) SET e = r", new)
            return len(new)

        return self._write(work)

    def erased_ids(self, ids: Collection[str] | None = None) -> dict[str, str]:
        if ids is None:
            rows = self._read(
                lambda tx: tx.run(
                    "MATCH (e:DisruptErased) RETURN e.id AS id, e.erasure_id AS erasure_id ORDER BY e.id"
                ).data()
            )
        else:
            wanted = sorted(set(ids))
            rows = self._read(lambda tx: self._rows(tx, _ERASED_AMONG, "ids", wanted))
        return {r["id"]: r["erasure_id"] for r in rows}

    # -- analysis results ---------------------------------------------------------------------

    def save_results(self, name: str, rows: Sequence[Mapping[str, Any]], *, run_id: str | None = None) -> ResultTable:
        prepared = prepare_results(name, rows, run_id)
        run_key = name + SEP + prepared.run_id
        encoded = [
            {"run_key": run_key, "row_no": i, "entity_id": entity_id, "data": data}
            for i, entity_id, data in prepared.rows
        ]
        on_nodes = _node_results(name, rows)
        self._write(lambda tx: self._save_results(tx, name, prepared.run_id, prepared.created_at, encoded, on_nodes))
        return prepared.table

    def _save_results(
        self,
        tx: Tx,
        name: str,
        run_id: str,
        created_at: str,
        encoded: list[dict[str, Any]],
        on_nodes: dict[str, dict[str, Any]],
    ) -> None:
        key = name + SEP + run_id
        # the node properties of this result's previous save give way to this one
        for previous in tx.run(
            "MATCH (r:DisruptResultRun {name: $name}) WHERE r.on_nodes = true "
            "RETURN r.key AS key, r.node_keys AS node_keys",
            name=name,
        ).data():
            cleared = {k: None for k in previous["node_keys"] or []}
            tx.run(
                "MATCH (x:DisruptResultRow {run_key: $key}) WHERE x.entity_id IS NOT NULL "
                "MATCH (n:Entity {id: x.entity_id}) SET n += $cleared",
                key=previous["key"],
                cleared=cleared,
            ).consume()
            tx.run("MATCH (r:DisruptResultRun {key: $key}) SET r.on_nodes = false", key=previous["key"]).consume()
        tx.run("MATCH (x:DisruptResultRow {run_key: $key}) DETACH DELETE x", key=key).consume()
        node_keys = sorted({k for props in on_nodes.values() for k in props})
        tx.run(
            "MERGE (r:DisruptResultRun {key: $key}) ON CREATE SET r.seq = $seq "
            "SET r.name = $name, r.run_id = $run_id, r.created_at = $created_at, r.row_count = $count, "
            "r.on_nodes = true, r.node_keys = $node_keys",
            key=key,
            seq=time.time_ns(),
            name=name,
            run_id=run_id,
            created_at=created_at,
            count=len(encoded),
            node_keys=node_keys,
        ).consume()
        self._each(tx, "UNWIND $rows AS r CREATE (x:DisruptResultRow) SET x = r", encoded)
        self._each(
            tx,
            "UNWIND $rows AS r MATCH (n:Entity {id: r.id}) SET n += r.props",
            [{"id": i, "props": props} for i, props in on_nodes.items()],
        )

    def read_results(self, name: str, *, run_id: str | None = None) -> ResultTable | None:
        def work(tx: Tx) -> ResultTable | None:
            run = tx.run(
                "MATCH (r:DisruptResultRun {name: $name}) WHERE $run_id IS NULL OR r.run_id = $run_id "
                "RETURN r.key AS key, r.run_id AS run_id, r.created_at AS created_at "
                "ORDER BY r.created_at DESC, r.seq DESC LIMIT 1",
                name=name,
                run_id=run_id,
            ).single()
            if run is None:
                return None
            rows = tx.run(
                "MATCH (x:DisruptResultRow {run_key: $key}) RETURN x.data AS data ORDER BY x.row_no", key=run["key"]
            ).data()
            return ResultTable(name, run["run_id"], run["created_at"], tuple(json.loads(r["data"]) for r in rows))

        return self._read(work)

    def result_version(self, name: str) -> tuple[str, str, int] | None:
        run = self._read(
            lambda tx: tx.run(
                "MATCH (r:DisruptResultRun {name: $name}) WITH r ORDER BY r.created_at DESC, r.seq DESC LIMIT 1 "
                "OPTIONAL MATCH (x:DisruptResultRow {run_key: r.key}) "
                "RETURN r.run_id AS run_id, r.created_at AS created_at, count(x) AS held",
                name=name,
            ).single()
        )
        return (run["run_id"], run["created_at"], run["held"]) if run else None

    def result_names(self) -> list[str]:
        rows = self._read(
            lambda tx: tx.run("MATCH (r:DisruptResultRun) RETURN DISTINCT r.name AS name ORDER BY name").data()
        )
        return [r["name"] for r in rows]


def _erasure_props(record: ErasureRecord) -> dict[str, Any]:
    return dataclasses.asdict(record)  # a lift's fields are None until it is lifted: Neo4j keeps no null


def _erasure_record(props: Mapping[str, Any]) -> ErasureRecord:
    fields: dict[str, Any] = {k: props.get(k) for k in ErasureRecord.__slots__}
    return ErasureRecord(**fields)


def _node_results(name: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The properties a result writes onto its entities: ``<name>_<field>`` for each plain value of
    the entity's first row (rows come best first), so Browser and Bloom users can style and query by them."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        entity_id = row.get("entity_id")
        if not isinstance(entity_id, str) or entity_id in found:
            continue
        found[entity_id] = {
            f"{name}_{k}": v
            for k, v in row.items()
            if k not in ("entity_id", "label") and _NAME.match(k) and v is not None and spreadable(v)
        }
    return found


class Neo4jSource:
    """A Neo4j database read as a graph to import (``disrupt import-neo4j``): every node with its
    labels and properties, every relationship with its type, ends and properties, in pages by
    element id. It only reads: unlike :class:`Neo4jStore` it creates no index and no node, so it may
    point at anyone's database. Values come back as plain Python (temporal values as ISO text)."""

    def __init__(self, url: str, *, password: str | None = None, page: int = 5_000) -> None:
        self.config: Neo4jConfig = parse_neo4j_url(url)
        self.page = page
        options: dict[str, Any] = {"user_agent": "disrupt-import"}
        if self.config.ca_file is not None:
            options.update(encrypted=True, trusted_certificates=neo4j.TrustCustomCAs(str(self.config.ca_file)))
        try:
            self._driver = neo4j.GraphDatabase.driver(
                self.config.uri, auth=(self.config.user, neo4j_password(password)), **options
            )
            self._driver.verify_connectivity()
        except (DriverError, Neo4jError, OSError) as exc:
            raise StoreConfigError(f"cannot read the Neo4j database at {self.config.uri}: {exc}") from exc

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Neo4jSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        try:
            with self._driver.session(database=self.config.database, default_access_mode=neo4j.READ_ACCESS) as s:
                return s.execute_read(lambda tx: tx.run(query, **params).data())
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"read failed: {getattr(exc, 'message', None) or exc}") from exc

    def keys_by_label(self) -> dict[str, set[str]]:
        """For each label, the property keys its nodes have."""
        found: dict[str, set[str]] = defaultdict(set)
        for row in self._read("MATCH (n) UNWIND labels(n) AS l UNWIND keys(n) AS k RETURN DISTINCT l, k"):
            found[row["l"]].add(row["k"])
        return dict(found)

    def nodes(self) -> Iterator[tuple[str, list[str], dict[str, Any]]]:
        """(element id, labels, properties) of every node, in element id order."""
        query = (
            "MATCH (n) WITH n, elementId(n) AS id WHERE id > $after "
            "RETURN id, labels(n) AS labels, properties(n) AS props ORDER BY id LIMIT $n"
        )
        for row in self._pages(query):
            yield row["id"], list(row["labels"]), _plain(row["props"])

    def relationships(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """(type, start element id, end element id, properties) of every relationship."""
        query = (
            "MATCH (a)-[r]->(b) WITH a, r, b, elementId(r) AS id WHERE id > $after "
            "RETURN id, type(r) AS type, elementId(a) AS start, elementId(b) AS end, properties(r) AS props "
            "ORDER BY id LIMIT $n"
        )
        for row in self._pages(query):
            yield row["type"], row["start"], row["end"], _plain(row["props"])

    def _pages(self, query: str) -> Iterator[dict[str, Any]]:
        after = ""
        while True:
            rows = self._read(query, after=after, n=self.page)
            yield from rows
            if len(rows) < self.page:
                return
            after = rows[-1]["id"]


def _plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """Driver values as JSON-like Python: temporal values as ISO text, points and bytes as text."""

    def one(value: Any) -> Any:
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        if isinstance(value, (list, tuple)):
            return [one(v) for v in value]
        iso = getattr(value, "iso_format", None)
        return iso() if callable(iso) else str(value)

    return {str(k): one(v) for k, v in props.items()}
