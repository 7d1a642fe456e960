"""The embedded store's tables and indexes, and the upgrade from store format 2."""

from __future__ import annotations

import re

FORMAT_VERSION = "3"


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
