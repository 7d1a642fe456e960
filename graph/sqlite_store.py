"""The embedded graph store: one SQLite file (WAL), no server.

Tables: ``entities`` and ``links`` hold properties as JSON and, inline, the first source record
each was loaded from; ``provenance`` holds one row per further (entity or link, source record), so
the usual fact, made by one row of one export, is one stored row, not two; ``search_terms`` holds
folded searchable values indexed by an FTS5 trigram index; ``erasures``, ``result_runs`` and
``result_rows`` hold the rest.
Every value reaches SQLite as a parameter; lists of ids and kinds travel as one JSON parameter
read with ``json_each``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import sqlite3
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any, TypeVar

from graph.contract import (
    BulkLoad,
    ErasureReason,
    LiftReason,
    Verdict,
    check_erasure,
    check_judgement,
    check_lift,
    lifted_already,
    refuse_erased,
)
from graph.errors import StoreBusy, StoreConfigError, StoreError, UnknownEntity
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
from graph.merge import load_order, non_empty
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
    check_assignments,
    check_link_ends,
    chunks,
    neighbourhood_note,
    prepare_entities,
    prepare_links,
    prepare_results,
    to_json,
)
from graph.traversal import Neighbours, find_shortest_paths, walk_neighbourhood

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)

R = TypeVar("R")

FORMAT_VERSION = "3"
_CHUNK = 5_000  # ids per json_each parameter when reading many rows
_BUSY_TIMEOUT_MS = 10_000  # how long a connection waits for another's write lock before giving up

_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities(
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    props TEXT NOT NULL,
    first_seen TEXT,
    last_seen TEXT,
    merged_into TEXT,
    source TEXT,
    record_id TEXT,
    loaded_at TEXT,
    run_id TEXT,
    grading TEXT
);
CREATE INDEX IF NOT EXISTS entities_merged ON entities(merged_into) WHERE merged_into IS NOT NULL;
CREATE TABLE IF NOT EXISTS links(
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    src TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    dst TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    props TEXT NOT NULL,
    first_seen TEXT,
    last_seen TEXT,
    orig_src TEXT NOT NULL,
    orig_dst TEXT NOT NULL,
    source TEXT,
    record_id TEXT,
    loaded_at TEXT,
    run_id TEXT,
    grading TEXT
);
CREATE TABLE IF NOT EXISTS provenance(
    owner TEXT NOT NULL,
    source TEXT NOT NULL,
    record_id TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    run_id TEXT,
    grading TEXT,
    PRIMARY KEY(owner, source, record_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS provenance_record ON provenance(source, record_id);
CREATE TABLE IF NOT EXISTS judgements(
    first TEXT NOT NULL,
    second TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('same', 'different')),
    decided_at TEXT NOT NULL,
    reference TEXT NOT NULL,
    PRIMARY KEY(first, second)
);
CREATE TABLE IF NOT EXISTS search_terms(
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    term TEXT NOT NULL,
    UNIQUE(entity_id, term)
);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    term, content='search_terms', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS search_terms_ad AFTER DELETE ON search_terms BEGIN
    INSERT INTO search_fts(search_fts, rowid, term) VALUES ('delete', old.rowid, old.term);
END;
CREATE TABLE IF NOT EXISTS erased(id TEXT PRIMARY KEY, erasure_id TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS erasures(
    erasure_id TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    links_removed INTEGER NOT NULL,
    sources_removed INTEGER NOT NULL,
    results_removed INTEGER NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS erasure_lifts(
    erasure_id TEXT PRIMARY KEY REFERENCES erasures(erasure_id),
    lifted_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS result_runs(
    name TEXT NOT NULL,
    run_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    PRIMARY KEY(name, run_id)
);
CREATE TABLE IF NOT EXISTS result_rows(
    name TEXT NOT NULL,
    run_id TEXT NOT NULL,
    row_no INTEGER NOT NULL,
    entity_id TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY(name, run_id, row_no)
);
CREATE INDEX IF NOT EXISTS result_rows_entity ON result_rows(entity_id);
CREATE TEMP TABLE IF NOT EXISTS assign(id TEXT PRIMARY KEY, canon TEXT NOT NULL);
CREATE TEMP TABLE IF NOT EXISTS changed(id TEXT PRIMARY KEY);
"""

# Indexes on columns that format 3 added, so made after an older file is upgraded.
_DDL_3 = """
CREATE INDEX IF NOT EXISTS entities_record ON entities(source, record_id);
"""

# Format 2 kept every source record of a fact in ``provenance``; format 3 keeps the first inline.
_UPGRADE_2_TO_3 = """
ALTER TABLE entities ADD COLUMN source TEXT;
ALTER TABLE entities ADD COLUMN record_id TEXT;
ALTER TABLE entities ADD COLUMN loaded_at TEXT;
ALTER TABLE entities ADD COLUMN run_id TEXT;
ALTER TABLE entities ADD COLUMN grading TEXT;
ALTER TABLE links ADD COLUMN source TEXT;
ALTER TABLE links ADD COLUMN record_id TEXT;
ALTER TABLE links ADD COLUMN loaded_at TEXT;
ALTER TABLE links ADD COLUMN run_id TEXT;
ALTER TABLE links ADD COLUMN grading TEXT;
UPDATE entities SET (source, record_id, loaded_at, run_id, grading) = (
    SELECT p.source, p.record_id, p.loaded_at, p.run_id, p.grading FROM provenance AS p
    WHERE p.owner = entities.id ORDER BY p.loaded_at, p.source, p.record_id LIMIT 1);
UPDATE links SET (source, record_id, loaded_at, run_id, grading) = (
    SELECT p.source, p.record_id, p.loaded_at, p.run_id, p.grading FROM provenance AS p
    WHERE p.owner = links.id ORDER BY p.loaded_at, p.source, p.record_id LIMIT 1);
DELETE FROM provenance WHERE EXISTS (
    SELECT 1 FROM entities AS e
    WHERE e.id = provenance.owner AND e.source = provenance.source AND e.record_id = provenance.record_id
) OR EXISTS (
    SELECT 1 FROM links AS l
    WHERE l.id = provenance.owner AND l.source = provenance.source AND l.record_id = provenance.record_id
);
UPDATE meta SET value = '3' WHERE key = 'format'
"""

# Indexes that only reads need: a bulk load into an empty store builds them once at its end (a
# sort) instead of keeping them up to date row by row. Opening a store builds any that are missing,
# so a load killed before its end leaves a store that is whole again when next opened.
# ``links_moved`` holds the few links resolution moved, so that counting facts (graph.facts)
# need not read every link.
_READ_INDEXES = """
CREATE INDEX IF NOT EXISTS entities_kind ON entities(kind);
CREATE INDEX IF NOT EXISTS links_src ON links(src, kind);
CREATE INDEX IF NOT EXISTS links_dst ON links(dst, kind);
CREATE INDEX IF NOT EXISTS links_kind ON links(kind);
CREATE INDEX IF NOT EXISTS links_moved ON links(kind) WHERE src != orig_src OR dst != orig_dst;
"""
_READ_INDEX_NAMES = re.findall(r"EXISTS (\w+) ON", _READ_INDEXES)

# Merge on conflict, by the rules of graph.merge: json_patch overlays ?13, the new record's
# non-empty properties (graph.merge.non_empty); ?7 says whether the new record carries any label
# property (if not, the stored label stays). ?8 to ?12 are the record's first source, kept inline
# by a new entity; a stored entity keeps the source it has.
_UPSERT_ENTITY = """
INSERT INTO entities(id, kind, label, props, first_seen, last_seen, source, record_id, loaded_at, run_id, grading)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT(id) DO UPDATE SET
    props = json_patch(entities.props, ?13),
    label = CASE WHEN ?7 THEN excluded.label ELSE entities.label END,
    first_seen = CASE WHEN entities.first_seen IS NULL OR excluded.first_seen < entities.first_seen
                      THEN coalesce(excluded.first_seen, entities.first_seen) ELSE entities.first_seen END,
    last_seen = CASE WHEN entities.last_seen IS NULL OR excluded.last_seen > entities.last_seen
                     THEN coalesce(excluded.last_seen, entities.last_seen) ELSE entities.last_seen END
"""

# A link is stored between the canonical entities of the records it was loaded with (orig_src,
# orig_dst), so that resolution can move it and a split can move it back.
_UPSERT_LINK = """
INSERT INTO links(
    id, kind, src, dst, props, first_seen, last_seen, orig_src, orig_dst, source, record_id, loaded_at, run_id, grading
) VALUES (
    ?1, ?2,
    coalesce((SELECT merged_into FROM entities WHERE id = ?3), ?3),
    coalesce((SELECT merged_into FROM entities WHERE id = ?4), ?4),
    ?5, ?6, ?7, ?3, ?4, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT(id) DO UPDATE SET
    props = json_patch(links.props, ?13),
    first_seen = CASE WHEN links.first_seen IS NULL OR excluded.first_seen < links.first_seen
                      THEN coalesce(excluded.first_seen, links.first_seen) ELSE links.first_seen END,
    last_seen = CASE WHEN links.last_seen IS NULL OR excluded.last_seen > links.last_seen
                     THEN coalesce(excluded.last_seen, links.last_seen) ELSE links.last_seen END
"""
# The same for a store in which no record is merged (so during a first load): each end is itself.
_UPSERT_LINK_UNMERGED = _UPSERT_LINK.replace(
    "coalesce((SELECT merged_into FROM entities WHERE id = ?3), ?3),\n"
    "    coalesce((SELECT merged_into FROM entities WHERE id = ?4), ?4),",
    "?3, ?4,",
)
assert _UPSERT_LINK_UNMERGED != _UPSERT_LINK
_ANY_MERGED = "SELECT 1 FROM entities WHERE merged_into IS NOT NULL LIMIT 1"

# The links of the same kind between the same two entities as a link that resolution moved (an end
# is not the record it was loaded with), either way round: the only links that can be parallel to
# another (graph.facts), so the only ones a count of facts must look at.
# Every source record of entities, links and merged records, in load order.
_ALL_SOURCES = (
    "SELECT owner, source, record_id, grading FROM ("
    "SELECT id AS owner, source, record_id, grading, loaded_at FROM entities WHERE source IS NOT NULL "
    "UNION ALL SELECT id, source, record_id, grading, loaded_at FROM links WHERE source IS NOT NULL "
    "UNION ALL SELECT owner, source, record_id, grading, loaded_at FROM provenance"
    ") ORDER BY loaded_at, source, record_id, owner"
)
_BESIDE_MOVED = """
SELECT s.id, s.kind, s.src, s.dst, s.props FROM links AS m
CROSS JOIN links AS s ON s.src = m.src AND s.kind = m.kind AND s.dst = m.dst
WHERE m.src != m.orig_src OR m.dst != m.orig_dst
UNION
SELECT s.id, s.kind, s.src, s.dst, s.props FROM links AS m
CROSS JOIN links AS s ON s.src = m.dst AND s.kind = m.kind AND s.dst = m.src
WHERE m.src != m.orig_src OR m.dst != m.orig_dst
"""

_INSERT_PROVENANCE = """
INSERT INTO provenance(owner, source, record_id, loaded_at, run_id, grading) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(owner, source, record_id) DO NOTHING
"""


# Links touching a set of entities (a JSON array), optionally filtered by link kinds and by the
# kind of the entity at the far end (both JSON arrays or NULL). Kind and properties come too, so
# that parallel links of one fact are walked as one (graph.facts).
_NEIGHBOUR_LINKS = """
SELECT l.id, l.kind, l.src, l.dst, l.props FROM json_each(?1) AS f
JOIN links AS l ON l.src = f.value
JOIN entities AS o ON o.id = l.dst
WHERE (?2 IS NULL OR l.kind IN (SELECT value FROM json_each(?2)))
  AND (?3 IS NULL OR o.kind IN (SELECT value FROM json_each(?3)))
UNION
SELECT l.id, l.kind, l.src, l.dst, l.props FROM json_each(?1) AS f
JOIN links AS l ON l.dst = f.value
JOIN entities AS o ON o.id = l.src
WHERE (?2 IS NULL OR l.kind IN (SELECT value FROM json_each(?2)))
  AND (?3 IS NULL OR o.kind IN (SELECT value FROM json_each(?3)))
"""

# Every link of the same kind between the same two entities as each of a set of links (a JSON
# array of ids), either way round, with the id it was asked for: the candidates for its fact.
_PARALLEL_LINKS = """
SELECT f.value, s.id, s.kind, s.src, s.dst, s.props, s.first_seen, s.last_seen
FROM json_each(?1) AS f CROSS JOIN links AS l ON l.id = f.value
CROSS JOIN links AS s ON s.src = l.src AND s.kind = l.kind AND s.dst = l.dst
UNION ALL
SELECT f.value, s.id, s.kind, s.src, s.dst, s.props, s.first_seen, s.last_seen
FROM json_each(?1) AS f CROSS JOIN links AS l ON l.id = f.value
CROSS JOIN links AS s ON s.src = l.dst AND s.kind = l.kind AND s.dst = l.src
"""

# Erasure records with their lifts, each column named for the ErasureRecord field it fills.
_ERASURES = """
SELECT e.erasure_id, e.erased_at, e.kind, e.links_removed, e.sources_removed, e.results_removed, e.reason,
       e.reference, l.lifted_at, l.reason AS lift_reason, l.reference AS lift_reference
FROM erasures AS e LEFT JOIN erasure_lifts AS l ON l.erasure_id = e.erasure_id
"""
_INSERT_ERASURE = """
INSERT INTO erasures(erasure_id, erased_at, kind, links_removed, sources_removed, results_removed, reason, reference)
VALUES (:erasure_id, :erased_at, :kind, :links_removed, :sources_removed, :results_removed, :reason, :reference)
"""
_INSERT_LIFT = """
INSERT INTO erasure_lifts(erasure_id, lifted_at, reason, reference)
VALUES (:erasure_id, :lifted_at, :lift_reason, :lift_reference)
"""
_ERASED_AMONG = "SELECT f.value, e.erasure_id FROM json_each(?) AS f CROSS JOIN erased AS e ON e.id = f.value"
# Which of a set of ids (a JSON array) are stored, each with the source it holds inline.
_HELD_ENTITIES = "SELECT t.id, t.source, t.record_id FROM json_each(?) AS f CROSS JOIN entities AS t ON t.id = f.value"
_KIND_AND_CANONICAL = (
    "SELECT t.id, t.kind, coalesce(t.merged_into, t.id) FROM json_each(?) AS f "
    "CROSS JOIN entities AS t ON t.id = f.value"
)
_KINDS_OF = "SELECT t.id, t.kind FROM json_each(?) AS f CROSS JOIN entities AS t ON t.id = f.value"
_HELD_LINKS = "SELECT t.id, t.source, t.record_id FROM json_each(?) AS f CROSS JOIN links AS t ON t.id = f.value"

# Every source of each of a set of entities and links (a JSON array of ids; an id names one or the
# other, as in ``provenance``): the one held inline and the further ones.
_SOURCES_OF = """
SELECT e.id, e.source, e.record_id, e.loaded_at, e.run_id, e.grading
FROM json_each(?1) AS f JOIN entities AS e ON e.id = f.value WHERE e.source IS NOT NULL
UNION ALL
SELECT l.id, l.source, l.record_id, l.loaded_at, l.run_id, l.grading
FROM json_each(?1) AS f JOIN links AS l ON l.id = f.value WHERE l.source IS NOT NULL
UNION ALL
SELECT p.owner, p.source, p.record_id, p.loaded_at, p.run_id, p.grading
FROM json_each(?1) AS f JOIN provenance AS p ON p.owner = f.value
"""

# Entities (of the kinds in ?1, or all), records merged into them and links (of the kinds in ?1, or all)
# for to_networkx: of the whole store, or only of / between the entities in a JSON list (by index).
_ALL_ENTITIES = (
    "SELECT id, kind, label, props, first_seen, last_seen FROM entities WHERE merged_into IS NULL "
    "AND (?1 IS NULL OR kind IN (SELECT value FROM json_each(?1))) AND ?2 IS NULL ORDER BY id"
)
_ENTITIES_IN = (  # by primary key: an ``?2 IS NULL OR`` in one query made SQLite scan every entity
    "SELECT id, kind, label, props, first_seen, last_seen FROM entities "
    "WHERE id IN (SELECT value FROM json_each(?2)) AND merged_into IS NULL "
    "AND (?1 IS NULL OR kind IN (SELECT value FROM json_each(?1))) ORDER BY id"
)
_ALL_MERGED = "SELECT id, merged_into, props FROM entities WHERE merged_into IS NOT NULL ORDER BY id"
_MERGED_INTO = (
    "SELECT id, merged_into, props FROM entities WHERE merged_into IS NOT NULL "
    "AND merged_into IN (SELECT value FROM json_each(?1)) ORDER BY id"
)
_ALL_LINKS = (
    "SELECT id, kind, src, dst, props, first_seen, last_seen FROM links "
    "WHERE (?1 IS NULL OR kind IN (SELECT value FROM json_each(?1))) ORDER BY id"
)
_LINKS_BETWEEN = (
    "SELECT id, kind, src, dst, props, first_seen, last_seen FROM links "
    "WHERE (?1 IS NULL OR kind IN (SELECT value FROM json_each(?1))) "
    "AND src IN (SELECT value FROM json_each(?2)) AND dst IN (SELECT value FROM json_each(?2)) ORDER BY id"
)
# The sources of the owners in a JSON list (entity, merged record and link ids), in load order.
_SUBGRAPH_SOURCES = (
    f"SELECT id, source, record_id, grading FROM ({_SOURCES_OF}) ORDER BY loaded_at, source, record_id, id"  # noqa: S608
)

# After resolution changes records' canonical entities, their links follow them.
_MOVE_LINK_SOURCES = """
UPDATE links SET src = coalesce((SELECT merged_into FROM entities WHERE id = links.orig_src), links.orig_src)
WHERE orig_src IN (SELECT id FROM changed)
"""
_MOVE_LINK_TARGETS = """
UPDATE links SET dst = coalesce((SELECT merged_into FROM entities WHERE id = links.orig_dst), links.orig_dst)
WHERE orig_dst IN (SELECT id FROM changed)
"""

_SEARCH_FTS = """
SELECT coalesce(e.merged_into, e.id) AS cid,
       min(CASE WHEN t.term = ?2 THEN 0 WHEN substr(t.term, 1, length(?2)) = ?2 THEN 1 ELSE 2 END) AS rank,
       min(length(t.term)) AS shortest
FROM search_fts AS f
JOIN search_terms AS t ON t.rowid = f.rowid
JOIN entities AS e ON e.id = t.entity_id
WHERE search_fts MATCH ?1 AND instr(t.term, ?2) > 0
  AND (?3 IS NULL OR e.kind IN (SELECT value FROM json_each(?3)))
GROUP BY cid
ORDER BY rank, shortest, min(e.label), cid
LIMIT ?4
"""

# Queries shorter than three characters cannot use the trigram index: scan the terms instead.
_SEARCH_SCAN = """
SELECT coalesce(e.merged_into, e.id) AS cid,
       min(CASE WHEN t.term = ?1 THEN 0 WHEN substr(t.term, 1, length(?1)) = ?1 THEN 1 ELSE 2 END) AS rank,
       min(length(t.term)) AS shortest
FROM search_terms AS t
JOIN entities AS e ON e.id = t.entity_id
WHERE instr(t.term, ?1) > 0
  AND (?2 IS NULL OR e.kind IN (SELECT value FROM json_each(?2)))
GROUP BY cid
ORDER BY rank, shortest, min(e.label), cid
LIMIT ?3
"""


# one encoder for every call: json.dumps with options builds a new encoder each time
_json = to_json


def _patch(clean: Mapping[str, Any], encoded: str) -> str:
    """What a record lays over a stored one (graph.merge.non_empty), as JSON; usually all of it."""
    kept = non_empty(clean)
    return encoded if len(kept) == len(clean) else _json(kept)


def _json_list(values: Collection[str] | None) -> str | None:
    return None if values is None else _json(sorted(set(values)))


def _records(record: Callable[..., R], cursor: sqlite3.Cursor) -> list[R]:
    """Rows as records, each column given to the field it is named for (never by position)."""
    names = [d[0] for d in cursor.description]
    return [record(**dict(zip(names, row, strict=True))) for row in cursor]


def _first_two(row: tuple[Any, ...]) -> tuple[Any, Any]:
    return row[0], row[1]


def _source_rows(owner: str, provenance: Sequence[Provenance]) -> list[tuple[Any, ...]]:
    """A fact's sources as ``provenance`` rows; the first one's fields are also its inline columns."""
    return [(owner, p.source, p.record_id, p.loaded_at, p.run_id, p.grading) for p in provenance]


def _further_sources(
    rows: list[tuple[Any, ...]], sources: list[tuple[Any, ...]], held: Mapping[str, tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The sources an upsert does not keep inline. A fact stored before keeps the source it holds
    inline (``held`` gives it); a new fact holds its first row's first source (columns 7 and 8 of
    its upsert row). Every other source goes to ``provenance``."""
    inline: dict[str, tuple[Any, ...]] = dict(held)
    for row in rows:
        inline.setdefault(row[0], (row[7], row[8]))
    return [p for p in sources if inline[p[0]] != (p[1], p[2])]


def _is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    return chunks(items, _CHUNK)


class _SQLiteLoad:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def commit(self) -> None:
        self._db.execute("COMMIT")
        self._db.execute("BEGIN IMMEDIATE")


class SQLiteStore:
    """The embedded store: a single SQLite file in WAL mode.

    Safe to share between threads (one connection behind a lock), as Streamlit does.
    """

    def __init__(self, path: str | FilePath, *, schema: Schema | None = None) -> None:
        self.path = FilePath(path)
        self.url = f"sqlite:///{self.path}"
        self.schema = schema or load_schema()
        self._keyed_kinds = frozenset(k for k in self.schema.links if has_key_properties(self.schema, k))
        self._lock = threading.RLock()
        self._loading = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            for pragma in (
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}",
                "PRAGMA temp_store=MEMORY",
                "PRAGMA cache_size=-65536",
            ):
                self._db.execute(pragma)
            self._db.executescript(_DDL)
            self._check_format()
            self._db.executescript(_DDL_3)
            self._build_missing_read_indexes()
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise StoreBusy(
                    f"{self.path} is busy: another process has held its write lock for more than "
                    f"{_BUSY_TIMEOUT_MS / 1000:g} s (a load, or the upgrade of an older store, under way); "
                    "open it again when that ends"
                ) from exc
            raise StoreConfigError(
                f"cannot open {self.path} as a Disrupt store ({exc}); point DISRUPT_STORE at a new "
                "file or at a store Disrupt created"
            ) from exc

    # -- life cycle ---------------------------------------------------------------------------

    def _build_missing_read_indexes(self) -> None:
        """Build any read index that is missing: a bulk load into an empty store drops them and
        builds them at its end, and a load killed first leaves them to the next opening. While such
        a load is under way (it holds the write lock), leave them to it: the store opens at once
        and reads what the load has committed."""
        present = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        if present.issuperset(_READ_INDEX_NAMES):
            return
        self._db.execute("PRAGMA busy_timeout=0")
        try:
            self._db.executescript(_READ_INDEXES)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            log.info("%s: a load is under way; it builds the read indexes when it ends", self.path)
        finally:
            self._db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")

    def _check_format(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta(key, value) VALUES ('format', ?)", (FORMAT_VERSION,))
        elif row[0] == "2":
            self._upgrade_from_2()
        elif row[0] != FORMAT_VERSION:
            raise StoreConfigError(
                f"{self.path} is in store format {row[0]}, this version reads format {FORMAT_VERSION}"
            )

    def _upgrade_from_2(self) -> None:
        """Copy the file aside (an older Disrupt can open the copy), then move each fact's first
        source inline, in one transaction. Another process opening the same file meanwhile waits,
        then finds it upgraded, or, if the upgrade outlasts its wait (a 1,000,000-person world's
        takes about a minute), is told the store is busy."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()[0] == "2":
                kept = self._copy_aside(".format-2.bak")
                for statement in _UPGRADE_2_TO_3.split(";\n"):
                    self._db.execute(statement)
                log.warning(
                    "upgraded %s from store format 2 to 3; the format-2 file is kept at %s (delete it when "
                    "you no longer need to go back to an older Disrupt)",
                    self.path,
                    kept,
                )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _copy_aside(self, suffix: str) -> FilePath:
        """A copy of the store as last committed, beside it, written under a temporary name and
        renamed, so a copy is whole or absent. While the caller holds the write lock, the copy is
        the state its transaction starts from (a second connection reads it; WAL lets it)."""
        target = self.path.with_name(self.path.name + suffix)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        source, copy = sqlite3.connect(self.path), sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        partial.replace(target)
        return target

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; inside a bulk load, a savepoint of the load's open transaction."""
        with self._lock:
            begin, undo, end = (
                ("SAVEPOINT batch", "ROLLBACK TO batch", "RELEASE batch")
                if self._loading
                else ("BEGIN IMMEDIATE", "ROLLBACK", "COMMIT")
            )
            self._db.execute(begin)
            try:
                yield self._db
            except BaseException:
                self._db.execute(undo)
                if self._loading:
                    self._db.execute(end)
                raise
            self._db.execute(end)

    @contextmanager
    def bulk_load(self) -> Iterator[BulkLoad]:
        """Upserts share one open transaction, committed by ``commit()`` and at the end (each upsert
        is a savepoint, so a refused batch undoes only itself). Committing every batch would rewrite
        the pages of every index each time. Into an empty store, the read indexes are built once at
        the end. Together, in store format 2: the 1,000,000-person world loaded in 234 s, against
        311 s with a commit per batch and every index kept up to date.

        Other threads wait for the load to end (it holds the store's lock); other connections
        read what was committed.
        """
        with self._lock:
            if self._loading:
                raise StoreError("a bulk load is already under way on this store")
            empty = self._db.execute("SELECT 1 FROM entities LIMIT 1").fetchone() is None
            if empty:
                for name in _READ_INDEX_NAMES:
                    self._db.execute(f"DROP INDEX IF EXISTS {name}")  # names from our own DDL
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._loading = True
                yield _SQLiteLoad(self._db)
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._loading = False
                if empty:
                    self._db.executescript(_READ_INDEXES)

    # -- writing ------------------------------------------------------------------------------

    def upsert(self, entities: Sequence[Entity] = (), links: Sequence[Link] = ()) -> UpsertSummary:
        entity_rows, entity_prov, terms = self._prepare_entities(entities)
        link_rows, link_prov = self._prepare_links(links)
        # in key order, so that consecutive rows land on neighbouring pages of each index
        for rows in (entity_rows, entity_prov, terms, link_rows, link_prov):
            rows.sort(key=_first_two)
        batch_kinds = {row[0]: row[1] for row in entity_rows}
        ends_elsewhere = sorted({end for row in link_rows for end in row[2:4] if end not in batch_kinds})
        try:
            with self._transaction() as db:
                # how many of the batch's ids exist already (counting whole tables would grow with the store)
                entity_ids = _json(list(batch_kinds))
                erased = db.execute(_ERASED_AMONG, (entity_ids,)).fetchone()
                if erased is not None:
                    raise refuse_erased(batch_kinds[erased[0]], erased[0], erased[1])
                held_e = {r[0]: r[1:] for r in db.execute(_HELD_ENTITIES, (entity_ids,))}
                held_l = {r[0]: r[1:] for r in db.execute(_HELD_LINKS, (_json(list({r[0] for r in link_rows})),))}
                db.executemany(_UPSERT_ENTITY, entity_rows)
                db.executemany(_INSERT_PROVENANCE, _further_sources(entity_rows, entity_prov, held_e))
                self._add_search_terms(db, terms)
                stored_kinds = dict(db.execute(_KINDS_OF, (_json(ends_elsewhere),))) if ends_elsewhere else {}
                check_link_ends(self.schema, links, {**stored_kinds, **batch_kinds})
                merged = db.execute(_ANY_MERGED).fetchone() is not None
                db.executemany(_UPSERT_LINK if merged else _UPSERT_LINK_UNMERGED, link_rows)
                db.executemany(_INSERT_PROVENANCE, _further_sources(link_rows, link_prov, held_l))
        except sqlite3.Error as exc:
            raise StoreError(f"batch rolled back: {exc}") from exc
        distinct_e = len(batch_kinds)
        distinct_l = len({row[0] for row in link_rows})
        log.debug("upserted %d entities, %d links", distinct_e, distinct_l)
        return UpsertSummary(distinct_e - len(held_e), len(held_e), distinct_l - len(held_l), len(held_l))

    @staticmethod
    def _add_search_terms(db: sqlite3.Connection, terms: list[tuple[str, str]]) -> None:
        """Add new terms, then index them in one statement (far faster than a trigger per row).

        New rows of ``search_terms`` get rowids above the batch's starting maximum, so one range
        selects exactly the terms this batch added.
        """
        if not terms:
            return
        start = db.execute("SELECT coalesce(max(rowid), 0) FROM search_terms").fetchone()[0]
        db.executemany("INSERT OR IGNORE INTO search_terms(entity_id, term) VALUES (?, ?)", terms)
        db.execute("INSERT INTO search_fts(rowid, term) SELECT rowid, term FROM search_terms WHERE rowid > ?", (start,))

    def _prepare_entities(
        self, entities: Sequence[Entity]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[str, str]]]:
        """The batch's entity rows (graph.store_core prepares them), sources and search terms."""
        rows: list[tuple[Any, ...]] = []
        prov: list[tuple[Any, ...]] = []
        terms: list[tuple[str, str]] = []
        for p in prepare_entities(self.schema, entities):
            e = p.entity
            sources = _source_rows(e.id, e.provenance)
            props = _json(p.clean)
            patch = _patch(p.clean, props)
            rows.append((e.id, e.kind, e.label, props, e.first_seen, e.last_seen, p.has_label, *sources[0][1:], patch))
            prov.extend(sources)
            terms.extend((e.id, term) for term in p.terms)
        return rows, prov, terms

    def _prepare_links(self, links: Sequence[Link]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        rows: list[tuple[Any, ...]] = []
        prov: list[tuple[Any, ...]] = []
        for p in prepare_links(self.schema, links):
            ln = p.link
            sources = _source_rows(ln.id, ln.provenance)
            props = _json(p.clean)
            patch = _patch(p.clean, props)
            rows.append(
                (ln.id, ln.kind, ln.source, ln.target, props, ln.first_seen, ln.last_seen, *sources[0][1:], patch)
            )
            prov.extend(sources)
        return rows, prov

    # -- reading ------------------------------------------------------------------------------

    def _provenance_of(self, owner_ids: Sequence[str]) -> dict[str, tuple[Provenance, ...]]:
        """The sources of these entities and links, each owner's in load order."""
        found: dict[str, list[Provenance]] = defaultdict(list)
        for chunk in _chunks(owner_ids):
            rows = self._db.execute(_SOURCES_OF, (_json(list(chunk)),))
            for owner, *rest in rows:
                found[owner].append(Provenance(*rest))
        return {k: load_order(v) for k, v in found.items()}

    def get_entity(self, entity_id: str) -> Entity | None:
        found = self.get_entities([entity_id])
        return found[0] if found else None

    def get_entities(self, entity_ids: Iterable[str]) -> list[Entity]:
        """Entities in the order asked, merged records answered by their canonical entity (once);
        ids not held are left out. Provenance includes that of the records merged in."""
        with self._lock:
            ids = list(dict.fromkeys(self.canonical_ids(entity_ids).values()))
            rows: dict[str, tuple[Any, ...]] = {}
            members: dict[str, str] = {}
            member_props: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for chunk in _chunks(ids):
                for row in self._db.execute(
                    "SELECT e.id, e.kind, e.label, e.props, e.first_seen, e.last_seen "
                    "FROM json_each(?) AS f JOIN entities AS e ON e.id = f.value",
                    (_json(list(chunk)),),
                ):
                    rows[row[0]] = row
                for member, canonical, props in self._db.execute(
                    "SELECT e.id, e.merged_into, e.props FROM json_each(?) AS f "
                    "JOIN entities AS e ON e.merged_into = f.value",
                    (_json(list(chunk)),),
                ):
                    members[member] = canonical
                    member_props[canonical].append((member, props))
            prov = self._provenance_of([*rows, *members])
        gathered: dict[str, list[Provenance]] = defaultdict(list)
        for owner, items in prov.items():
            gathered[members.get(owner, owner)].extend(items)
        return [
            Entity(
                i,
                r[1],
                r[2],
                fill_properties(json.loads(r[3]), (json.loads(p) for _, p in sorted(member_props.get(i, [])))),
                load_order(gathered.get(i, [])),
                r[4],
                r[5],
            )
            for i in ids
            if (r := rows.get(i)) is not None
        ]

    def find_by_source(self, source: str, record_ids: Collection[str], *, kind: str) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._lock:
            for chunk in _chunks(sorted(set(record_ids))):
                found.update(
                    self._db.execute(
                        # CROSS JOIN fixes the order: each id, then its source, then the entity
                        "SELECT e.record_id, e.id FROM json_each(?1) AS f "
                        "CROSS JOIN entities AS e ON e.source = ?2 AND e.record_id = f.value AND e.kind = ?3 "
                        "UNION ALL "
                        "SELECT p.record_id, p.owner FROM json_each(?1) AS f "
                        "CROSS JOIN provenance AS p ON p.source = ?2 AND p.record_id = f.value "
                        "CROSS JOIN entities AS e ON e.id = p.owner AND e.kind = ?3",
                        (_json(list(chunk)), source, kind),
                    )
                )
        return found

    def canonical_ids(self, entity_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(entity_ids))
        found: dict[str, str] = {}
        with self._lock:
            for chunk in _chunks(ids):
                found.update(
                    self._db.execute(
                        "SELECT e.id, coalesce(e.merged_into, e.id) FROM json_each(?) AS f "
                        "JOIN entities AS e ON e.id = f.value",
                        (_json(list(chunk)),),
                    )
                )
        return {i: found[i] for i in ids if i in found}

    def get_link(self, link_id: str) -> Link | None:
        found = self.get_links([link_id])
        return found[0] if found else None

    def get_links(self, link_ids: Iterable[str]) -> list[Link]:
        """The facts of these links, in the order asked, each once; ids not held are left out.

        Parallel links of one fact (see :mod:`graph.facts`) are answered by that fact: its first
        link's id, every link's sources."""
        ids = list(dict.fromkeys(link_ids))
        parallel: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        with self._lock:
            for chunk in _chunks(ids):
                for asked, *row in self._db.execute(_PARALLEL_LINKS, (_json(list(chunk)),)):
                    parallel[asked].append(tuple(row))
            prov = self._provenance_of(list({row[0] for rows in parallel.values() for row in rows}))
        links = {
            asked: [Link(r[0], r[1], r[2], r[3], json.loads(r[4]), prov.get(r[0], ()), r[5], r[6]) for r in rows]
            for asked, rows in parallel.items()
        }
        return facts_asked(self.schema, ids, links)

    def search(self, text: str, *, kinds: Collection[str] | None = None, limit: int = 20) -> list[Entity]:
        query = search_query(text)
        if not query or limit < 1:
            return []
        kinds_json = _json_list(kinds)
        with self._lock:
            if len(query) >= 3:
                phrase = '"' + query.replace('"', '""') + '"'
                rows = self._db.execute(_SEARCH_FTS, (phrase, query, kinds_json, limit)).fetchall()
            else:
                rows = self._db.execute(_SEARCH_SCAN, (query, kinds_json, limit)).fetchall()
            return self.get_entities(r[0] for r in rows)

    def _neighbours(
        self, kinds: Collection[str] | None, link_kinds: Collection[str] | None, *, by_kind: bool = False
    ) -> Neighbours:
        """Steps from a set of entities, one per fact (one per kind of link with ``by_kind``)."""
        kinds_json, link_kinds_json = _json_list(kinds), _json_list(link_kinds)
        keyed = self._keyed_kinds

        def neighbours(ids: Collection[str]) -> list[tuple[str, str, str]]:
            found: list[tuple[str, str, str, str, Mapping[str, Any]]] = []
            for chunk in _chunks(sorted(ids)):
                for lid, kind, src, dst, props in self._db.execute(
                    _NEIGHBOUR_LINKS, (_json(list(chunk)), link_kinds_json, kinds_json)
                ):
                    # only kinds told apart by key properties need theirs parsed
                    found.append((lid, kind, src, dst, json.loads(props) if kind in keyed else {}))
            return distinct_steps(self.schema, found, by_kind=by_kind)

        return neighbours

    def _canonical(self, entity_id: str) -> str:
        row = self._db.execute("SELECT coalesce(merged_into, id) FROM entities WHERE id = ?", (entity_id,)).fetchone()
        if row is None:
            raise UnknownEntity(f"no entity with id {entity_id!r}")
        return str(row[0])

    def neighbourhood(
        self,
        entity_id: str,
        *,
        hops: int = 1,
        kinds: Collection[str] | None = None,
        link_kinds: Collection[str] | None = None,
        max_nodes: int = 200,
    ) -> Subgraph:
        with self._lock:
            entity_id = self._canonical(entity_id)
            reach = walk_neighbourhood(entity_id, self._neighbours(kinds, link_kinds), hops=hops, max_nodes=max_nodes)
            entities = self.get_entities(reach.entity_ids)
            links = self.get_links(reach.link_ids)
        note = neighbourhood_note(len(entities), max_nodes, reach.truncated)
        return Subgraph(tuple(entities), tuple(links), reach.truncated, note)

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
        with self._lock:
            source_id = self._canonical(source_id)
            target_id = self._canonical(target_id)
            return find_shortest_paths(
                source_id,
                target_id,
                self._neighbours(kinds, link_kinds, by_kind=True),
                max_hops=max_hops,
                max_paths=max_paths,
            )

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
        import networkx as nx

        G = nx.MultiDiGraph()
        kinds_json, link_kinds_json = _json_list(kinds), _json_list(link_kinds)
        ids_json = _json_list(entity_ids)
        # With ``entity_ids`` every query reads only what touches those entities (through the indexes on
        # merged_into, src and dst): a profile's subgraph of a few hundred nodes read every link, record
        # and source of a 100,000-person store (6.6 s, 19.5 s with provenance).
        with self._lock:
            for eid, kind, label, props, first, last in self._db.execute(
                _ALL_ENTITIES if ids_json is None else _ENTITIES_IN, (kinds_json, ids_json)
            ):
                G.add_node(eid, **json.loads(props), kind=kind, label=label, first_seen=first, last_seen=last)
            if ids_json is None:
                merged = self._db.execute(_ALL_MERGED).fetchall()
                rows = self._db.execute(_ALL_LINKS, (link_kinds_json,))
            else:
                nodes_json = json.dumps(list(G))
                merged = self._db.execute(_MERGED_INTO, (nodes_json,)).fetchall()
                rows = self._db.execute(_LINKS_BETWEEN, (link_kinds_json, nodes_json))
            fill_nodes(G, ((canonical, json.loads(props)) for _, canonical, props in merged))
            folded = add_fact_edges(
                G, self.schema, ((lid, k, s, d, json.loads(p), f, la) for lid, k, s, d, p, f, la in rows)
            )
            if provenance:
                merged_into = {record: canonical for record, canonical, _ in merged if canonical in G}
                self._attach_provenance(G, folded, merged_into, whole=ids_json is None)
        return G

    def _attach_provenance(
        self, G: nx.MultiDiGraph, folded: Mapping[str, str], merged: Mapping[str, str], *, whole: bool
    ) -> None:
        """Sources of the nodes and edges of ``G``: of the whole store, or only of what ``G`` holds."""
        if whole:
            sources = self._db.execute(_ALL_SOURCES)
        else:
            owners = [*G, *merged, *(key for _, _, key in G.edges(keys=True)), *folded]
            sources = self._db.execute(_SUBGRAPH_SOURCES, (json.dumps(owners),))
        attach_provenance(G, {**merged, **folded}, sources)

    def counts(self) -> Counts:
        with self._lock:
            entities = dict(
                self._db.execute(
                    "SELECT kind, count(*) FROM entities WHERE merged_into IS NULL GROUP BY kind ORDER BY kind"
                )
            )
            links = dict(self._db.execute("SELECT kind, count(*) FROM links GROUP BY kind ORDER BY kind"))
            beside = [(i, k, s, d, json.loads(p)) for i, k, s, d, p in self._db.execute(_BESIDE_MOVED)]
            for kind, extra in links_beyond_facts(self.schema, beside).items():
                links[kind] -= extra
        return Counts(entities, links)

    # -- entity resolution --------------------------------------------------------------------

    def records_of_kind(self, kind: str, *, provenance: bool = False) -> Iterator[Entity]:
        after = ""
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT id, kind, label, props, first_seen, last_seen, merged_into FROM entities "
                    "WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
                    (kind, after, _CHUNK),
                ).fetchall()
                prov = self._provenance_of([r[0] for r in rows]) if provenance else {}
            if not rows:
                return
            for eid, k, label, props, first, last, merged in rows:
                yield Entity(eid, k, label, json.loads(props), prov.get(eid, ()), first, last, merged)
            after = rows[-1][0]

    def links_of_kind(self, kind: str) -> Iterator[Link]:
        after = ""
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT id, kind, orig_src, orig_dst, props, first_seen, last_seen FROM links "
                    "WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
                    (kind, after, _CHUNK),
                ).fetchall()
                prov = self._provenance_of([r[0] for r in rows])
            if not rows:
                return
            for lid, k, src, dst, props, first, last in rows:
                yield Link(lid, k, src, dst, json.loads(props), prov.get(lid, ()), first, last)
            after = rows[-1][0]

    def set_canonical(self, assignments: Mapping[str, str], *, run_id: str) -> int:
        with self._transaction() as db:
            db.execute("DELETE FROM assign")
            db.execute("DELETE FROM changed")
            check_assignments(assignments, self._held_for_resolution(db, {*assignments, *assignments.values()}))
            db.executemany("INSERT OR REPLACE INTO assign(id, canon) VALUES (?, ?)", assignments.items())
            db.execute(
                "INSERT INTO changed SELECT a.id FROM assign AS a JOIN entities AS e ON e.id = a.id "
                "WHERE coalesce(e.merged_into, e.id) != a.canon"
            )
            db.execute(
                "UPDATE entities SET merged_into = "
                "(SELECT nullif(a.canon, a.id) FROM assign AS a WHERE a.id = entities.id) "
                "WHERE id IN (SELECT id FROM changed)"
            )
            # records merged into a record that no longer stands alone follow it to its canonical entity
            db.execute(
                "INSERT OR IGNORE INTO changed SELECT e.id FROM entities AS e "
                "JOIN entities AS p ON p.id = e.merged_into "
                "WHERE p.merged_into IS NOT NULL"
            )
            db.execute(
                "UPDATE entities SET merged_into = "
                "(SELECT p.merged_into FROM entities AS p WHERE p.id = entities.merged_into) "
                "WHERE id IN (SELECT id FROM changed) AND merged_into IN "
                "(SELECT id FROM entities WHERE merged_into IS NOT NULL)"
            )
            db.execute(_MOVE_LINK_SOURCES)
            db.execute(_MOVE_LINK_TARGETS)
            changed = int(db.execute("SELECT count(*) FROM changed").fetchone()[0])
            db.execute("DELETE FROM assign")
            db.execute("DELETE FROM changed")
        log.info("resolution run %s moved %d records", run_id, changed)
        return changed

    @staticmethod
    def _held_for_resolution(db: sqlite3.Connection, ids: Collection[str]) -> dict[str, tuple[str, str]]:
        """The kind and canonical id now of each of these ids that is stored."""
        held: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(sorted(ids)):
            for entity_id, kind, canonical in db.execute(_KIND_AND_CANONICAL, (_json(list(chunk)),)):
                held[entity_id] = (kind, canonical)
        return held

    def add_judgement(
        self, first: str, second: str, verdict: Verdict, *, reference: str, decided_at: str | None = None
    ) -> Judgement:
        check_judgement(verdict, reference)
        a, b = sorted((first, second))
        judgement = Judgement(a, b, verdict, decided_at or now_iso(), reference)
        with self._transaction() as db:
            if db.execute("SELECT count(*) FROM entities WHERE id IN (?, ?)", (a, b)).fetchone()[0] != 2:
                raise UnknownEntity(f"a judgement needs two stored records; {a!r} or {b!r} is not one")
            db.execute(
                "INSERT INTO judgements(first, second, verdict, decided_at, reference) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(first, second) DO UPDATE SET "
                "verdict = excluded.verdict, decided_at = excluded.decided_at, reference = excluded.reference",
                (a, b, verdict, judgement.decided_at, reference),
            )
        return judgement

    def judgements(self) -> list[Judgement]:
        with self._lock:
            return _records(
                Judgement,
                self._db.execute(
                    "SELECT first, second, verdict, decided_at, reference FROM judgements "
                    "ORDER BY decided_at, first, second"
                ),
            )

    # -- erasure ------------------------------------------------------------------------------

    def erase_entity(self, entity_id: str, *, reason: ErasureReason, reference: str) -> ErasureRecord:
        check_erasure(reason, reference)
        with self._transaction() as db:
            entity_id = self._canonical(entity_id)
            row = db.execute("SELECT kind FROM entities WHERE id = ?", (entity_id,)).fetchone()
            # the canonical entity and every source record merged into it
            records = _json(
                [entity_id, *(r[0] for r in db.execute("SELECT id FROM entities WHERE merged_into = ?", (entity_id,)))]
            )
            link_ids = [r[0] for r in db.execute("SELECT id FROM links WHERE src = ?1 OR dst = ?1", (entity_id,))]
            owners = _json([*json.loads(records), *link_ids])
            inline = db.execute(
                "SELECT (SELECT count(*) FROM entities WHERE source IS NOT NULL "
                "AND id IN (SELECT value FROM json_each(?1))) + (SELECT count(*) FROM links "
                "WHERE source IS NOT NULL AND id IN (SELECT value FROM json_each(?1)))",
                (owners,),
            ).fetchone()[0]
            sources = (
                inline
                + db.execute(
                    "DELETE FROM provenance WHERE owner IN (SELECT value FROM json_each(?))", (owners,)
                ).rowcount
            )
            results = db.execute(
                "DELETE FROM result_rows WHERE entity_id IN (SELECT value FROM json_each(?))", (records,)
            ).rowcount
            db.execute("DELETE FROM search_terms WHERE entity_id IN (SELECT value FROM json_each(?))", (records,))
            db.execute("DELETE FROM links WHERE src = ?1 OR dst = ?1", (entity_id,))
            db.execute(
                "DELETE FROM judgements WHERE first IN (SELECT value FROM json_each(?1)) "
                "OR second IN (SELECT value FROM json_each(?1))",
                (records,),
            )
            db.execute("DELETE FROM entities WHERE merged_into = ?", (entity_id,))
            db.execute("DELETE FROM entities WHERE id = ?", (entity_id,))
            erasure_id = uuid.uuid4().hex
            db.execute(
                "INSERT OR IGNORE INTO erased(id, erasure_id) SELECT value, ? FROM json_each(?)", (erasure_id, records)
            )
            record = ErasureRecord(
                erasure_id=erasure_id,
                erased_at=now_iso(),
                kind=row[0],
                links_removed=len(link_ids),
                sources_removed=sources,
                results_removed=results,
                reason=reason,
                reference=reference,
            )
            db.execute(_INSERT_ERASURE, dataclasses.asdict(record))
        log.info("erased one %s entity and %d links (erasure %s)", record.kind, len(link_ids), record.erasure_id)
        return record

    def erasures(self) -> list[ErasureRecord]:
        with self._lock:
            return _records(ErasureRecord, self._db.execute(_ERASURES + "ORDER BY e.erased_at, e.erasure_id"))

    def lift_erasure(self, erasure_id: str, *, reason: LiftReason, reference: str) -> ErasureRecord:
        check_lift(reason, reference)
        with self._transaction() as db:
            found = _records(ErasureRecord, db.execute(_ERASURES + "WHERE e.erasure_id = ?", (erasure_id,)))
            if not found:
                raise StoreError(f"no erasure {erasure_id!r} in this store; `disrupt erasures` lists them")
            record = found[0]
            if record.lifted_at is not None:
                raise lifted_already(record)
            freed = db.execute("DELETE FROM erased WHERE erasure_id = ?", (erasure_id,)).rowcount
            lifted = dataclasses.replace(record, lifted_at=now_iso(), lift_reason=reason, lift_reference=reference)
            db.execute(_INSERT_LIFT, dataclasses.asdict(lifted))
        log.info("lifted erasure %s: %d erased ids may be stored again", erasure_id, freed)
        return lifted

    def keep_erasure_records(self, records: Sequence[ErasureRecord], erased: Mapping[str, str] | None = None) -> int:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO erased(id, erasure_id) VALUES (?, ?) ON CONFLICT(id) DO NOTHING", (erased or {}).items()
            )
            added = 0
            for r in records:
                fields = dataclasses.asdict(r)
                if not db.execute(_INSERT_ERASURE + " ON CONFLICT(erasure_id) DO NOTHING", fields).rowcount:
                    continue  # held already, with or without its lift
                added += 1
                if r.lifted_at is not None:
                    db.execute(_INSERT_LIFT, fields)
            return added

    def erased_ids(self, ids: Collection[str] | None = None) -> dict[str, str]:
        with self._lock:
            if ids is None:
                return dict(self._db.execute("SELECT id, erasure_id FROM erased ORDER BY id").fetchall())
            found: dict[str, str] = {}
            for chunk in _chunks(sorted(set(ids))):
                found.update(self._db.execute(_ERASED_AMONG, (_json(list(chunk)),)).fetchall())
            return found

    # -- analysis results ---------------------------------------------------------------------

    def save_results(self, name: str, rows: Sequence[Mapping[str, Any]], *, run_id: str | None = None) -> ResultTable:
        prepared = prepare_results(name, rows, run_id)
        run_id, created_at = prepared.run_id, prepared.created_at
        encoded = [(name, run_id, *row) for row in prepared.rows]
        with self._transaction() as db:
            db.execute("DELETE FROM result_rows WHERE name = ? AND run_id = ?", (name, run_id))
            db.execute(
                "INSERT INTO result_runs(name, run_id, created_at, row_count) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name, run_id) DO UPDATE SET created_at = excluded.created_at, "
                "row_count = excluded.row_count",
                (name, run_id, created_at, len(encoded)),
            )
            db.executemany(
                "INSERT INTO result_rows(name, run_id, row_no, entity_id, data) VALUES (?, ?, ?, ?, ?)", encoded
            )
        return prepared.table

    def read_results(self, name: str, *, run_id: str | None = None) -> ResultTable | None:
        with self._lock:
            run = self._db.execute(
                "SELECT run_id, created_at FROM result_runs WHERE name = ?1 AND (?2 IS NULL OR run_id = ?2) "
                "ORDER BY created_at DESC, rowid DESC LIMIT 1",
                (name, run_id),
            ).fetchone()
            if run is None:
                return None
            rows = self._db.execute(
                "SELECT data FROM result_rows WHERE name = ? AND run_id = ? ORDER BY row_no", (name, run[0])
            ).fetchall()
        return ResultTable(name, run[0], run[1], tuple(json.loads(r[0]) for r in rows))

    def result_version(self, name: str) -> tuple[str, str, int] | None:
        with self._lock:
            run = self._db.execute(
                "SELECT run_id, created_at FROM result_runs WHERE name = ? "
                "ORDER BY created_at DESC, rowid DESC LIMIT 1",
                (name,),
            ).fetchone()
            if run is None:
                return None
            (held,) = self._db.execute(
                "SELECT count(*) FROM result_rows WHERE name = ? AND run_id = ?", (name, run[0])
            ).fetchone()
        return run[0], run[1], held

    def result_names(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT DISTINCT name FROM result_runs ORDER BY name")]
