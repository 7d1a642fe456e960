"""The embedded store's bulk load: one transaction with a savepoint per batch, and the read indexes
built once at the end of a load into an empty store."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from graph import Provenance, StoreBusy, StoreError, new_entity, new_link
from graph.sqlite_store import _READ_INDEX_NAMES, lifecycle
from graph.store import open_sqlite

P = Provenance("police.nominals", "N-1", "2026-01-05T10:00:00+00:00")


def _indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def _people(*refs: str) -> list:
    return [new_entity("Person", {"ref": r, "full_name": f"Person {r}"}, provenance=P) for r in refs]


def test_the_read_indexes_are_built_at_the_end_of_a_load_into_an_empty_store(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    assert len(_READ_INDEX_NAMES) == 5  # four for walks and exports, one for counting facts
    with open_sqlite(path) as store:
        assert set(_READ_INDEX_NAMES) <= _indexes(path)
        a, b = _people("A", "B")
        with store.bulk_load():
            store.upsert([a, b], [new_link("ASSOCIATE_OF", a.id, b.id, provenance=P)])
            assert not set(_READ_INDEX_NAMES) & _indexes(path)
        assert set(_READ_INDEX_NAMES) <= _indexes(path)
        assert [e.id for e in store.neighbourhood(a.id).entities] == [a.id, b.id]
        # a store that holds entities keeps its indexes through a load
        with store.bulk_load():
            store.upsert(_people("C"))
            assert set(_READ_INDEX_NAMES) <= _indexes(path)


def test_an_error_inside_a_load_keeps_what_was_committed_and_rebuilds_the_indexes(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    a, b = _people("A", "B")
    with open_sqlite(path) as store:
        with pytest.raises(KeyboardInterrupt), store.bulk_load() as load:
            store.upsert([a])
            load.commit()
            store.upsert([b])
            raise KeyboardInterrupt
        assert store.get_entity(a.id) is not None and store.get_entity(b.id) is None
        assert set(_READ_INDEX_NAMES) <= _indexes(path)


def test_opening_a_store_rebuilds_indexes_a_killed_load_left_out(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    with open_sqlite(path) as store:
        store.upsert(_people("A"))
    with sqlite3.connect(path) as db:  # what a load killed before its end leaves behind
        for name in _READ_INDEX_NAMES:
            db.execute(f"DROP INDEX {name}")
    with open_sqlite(path) as store:
        assert set(_READ_INDEX_NAMES) <= _indexes(path)
        assert store.counts().entities == {"Person": 1}


def test_one_load_at_a_time(tmp_path: Path) -> None:
    with (
        open_sqlite(tmp_path / "graph.db") as store,
        store.bulk_load(),
        pytest.raises(StoreError, match="already under way"),
        store.bulk_load(),
    ):
        pass


def test_a_store_opens_at_once_while_a_first_load_is_under_way(tmp_path: Path) -> None:
    """The app opened during `disrupt demo`'s first load reads what the load has committed; the
    load's lock on the missing read indexes does not make it wait, let alone fail."""
    path = tmp_path / "graph.db"
    with open_sqlite(path) as store, store.bulk_load() as load:
        store.upsert(_people("A"))
        load.commit()
        store.upsert(_people("B"))  # not committed yet
        started = time.perf_counter()
        with open_sqlite(path) as reader:
            assert time.perf_counter() - started < 2  # well under the 10 s a locked store waits
            assert reader.counts().entities == {"Person": 1}
    assert set(_READ_INDEX_NAMES) <= _indexes(path)
    with open_sqlite(path) as reader:
        assert reader.counts().entities == {"Person": 2}


def test_a_store_that_must_be_upgraded_while_locked_says_it_is_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "graph.db"
    open_sqlite(path).close()
    monkeypatch.setattr(lifecycle, "_BUSY_TIMEOUT_MS", 200)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("UPDATE meta SET value = '2' WHERE key = 'format'")  # opening it must write
        writer.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreBusy, match="is busy: another process has held its write lock for more than"):
            open_sqlite(path)
    finally:
        writer.close()
