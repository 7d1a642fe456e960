"""The embedded store's format 3: each fact keeps its first source inline, further sources go to
``provenance``; a format-2 file is upgraded in place when opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from graph import Provenance, new_entity, new_link
from graph.sqlite_store import FORMAT_VERSION
from graph.store import GraphStore, open_sqlite

NOMINALS = Provenance("police.nominals", "N-1", "2026-01-05T10:00:00+00:00", "run-1", "B2")
CARE = Provenance("care.children", "C-7", "2026-01-06T09:00:00+00:00", "run-2")
ASSOCIATIONS = Provenance("police.associations", "A-3", "2026-01-07T09:00:00+00:00", "run-3")


def _rows(path: Path, sql: str, *params: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql, params).fetchall()


def _world(store: GraphStore) -> tuple[str, str, str]:
    a = new_entity("Person", {"ref": "A", "full_name": "Person A"}, provenance=NOMINALS)
    b = new_entity("Person", {"ref": "B", "full_name": "Person B"}, provenance=NOMINALS)
    link = new_link("ASSOCIATE_OF", a.id, b.id, provenance=NOMINALS)
    store.upsert([a, b], [link])
    # the same person from a second source, and the same link twice in one batch from two sources
    again = new_entity("Person", {"ref": "A", "full_name": "Person A"}, provenance=CARE)
    twice = [new_link("ASSOCIATE_OF", a.id, b.id, provenance=p) for p in (CARE, ASSOCIATIONS)]
    store.upsert([again], twice)
    return a.id, b.id, link.id


def test_a_fact_from_one_source_row_is_one_stored_row(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    with open_sqlite(path) as store:
        a, b, link = _world(store)
        assert [p.source for p in store.get_entity(a).provenance] == ["police.nominals", "care.children"]
        assert store.get_entity(b).provenance == (NOMINALS,)
        assert store.get_link(link).provenance == (NOMINALS, CARE, ASSOCIATIONS)
        held = _rows(path, "SELECT owner, source FROM provenance ORDER BY owner, source")
        assert held == sorted([(a, "care.children"), (link, "care.children"), (link, "police.associations")])
        # loading the same rows again adds nothing, in whatever order their sources come
        _world(store)
        assert _rows(path, "SELECT owner, source FROM provenance ORDER BY owner, source") == held
        assert store.find_by_source("police.nominals", ["N-1"], kind="Person") in ({"N-1": a}, {"N-1": b})
        assert store.find_by_source("care.children", ["C-7"], kind="Person") == {"C-7": a}


def test_erasure_counts_inline_sources(tmp_path: Path) -> None:
    with open_sqlite(tmp_path / "graph.db") as store:
        a, _, _ = _world(store)
        record = store.erase_entity(a, reason="court_order", reference="REF-1")
        # Person A: nominals (inline) and care; the link: nominals (inline), care, associations
        assert record.sources_removed == 5
        assert record.links_removed == 1


def _downgrade_to_format_2(path: Path) -> None:
    """What a format-2 store holds: every source in ``provenance``, none inline."""
    columns = ("source", "record_id", "loaded_at", "run_id", "grading")
    with sqlite3.connect(path) as db:
        for table in ("entities", "links"):
            db.execute(f"INSERT INTO provenance SELECT id, {', '.join(columns)} FROM {table} WHERE source IS NOT NULL")
        db.execute("DROP INDEX entities_record")
        for table in ("entities", "links"):
            for column in columns:
                db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'format'")


def test_a_format_2_store_is_upgraded_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    with open_sqlite(path) as store:
        a, b, link = _world(store)
        before = (store.get_entities([a, b]), store.get_link(link), store.counts())
    _downgrade_to_format_2(path)
    assert _rows(path, "SELECT count(*) FROM provenance") == [(6,)]
    with sqlite3.connect(path) as db:
        format_2_dump = list(db.iterdump())
    with open_sqlite(path) as store:
        assert (store.get_entities([a, b]), store.get_link(link), store.counts()) == before
        assert store.find_by_source("care.children", ["C-7"], kind="Person") == {"C-7": a}
    assert _rows(path, "SELECT value FROM meta WHERE key = 'format'") == [(FORMAT_VERSION,)] == [("3",)]
    assert _rows(path, "SELECT count(*) FROM provenance") == [(3,)]
    assert _rows(path, "SELECT source FROM entities WHERE id = ?", a) == [("police.nominals",)]
    # the file as it was, for an older Disrupt, kept beside the store
    kept = tmp_path / "graph.db.format-2.bak"
    assert sorted(p.name for p in tmp_path.iterdir() if "bak" in p.name) == [kept.name]  # no partial copy left
    with sqlite3.connect(kept) as db:
        assert list(db.iterdump()) == format_2_dump
    with open_sqlite(path):
        pass  # opening the upgraded store again leaves the copy alone
    with sqlite3.connect(kept) as db:
        assert list(db.iterdump()) == format_2_dump
