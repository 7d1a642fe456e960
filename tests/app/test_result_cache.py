"""The app's shared, decoded result tables follow the store: a new analysis run and an erasure are
seen at the next read, and a table is decoded once while it stays the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import result_cache
from graph import GraphStore, open_store
from graph.result_rows import FlagRow, GroupRow


@pytest.fixture
def saved(tmp_path: Path) -> GraphStore:
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    store.save_results("flags", [{"entity_id": "a", "level": "high"}, {"entity_id": "b", "level": "low"}], run_id="r1")
    return store


def test_a_table_is_decoded_once_while_it_stays_the_same(saved: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    real = saved.read_results

    def counted(name: str, *, run_id: str | None = None) -> object:
        reads.append(name)
        return real(name, run_id=run_id)

    monkeypatch.setattr(saved, "read_results", counted)
    first = result_cache.rows(saved, FlagRow)
    again = result_cache.rows(saved, FlagRow)
    assert [r.entity_id for r in first] == ["a", "b"] and again is first
    assert [r.level for r in result_cache.rows_of(saved, FlagRow, "b")] == ["low"]
    assert reads == ["flags"]
    saved.close()


def test_a_new_run_is_read_at_the_next_read(saved: GraphStore) -> None:
    assert len(result_cache.rows(saved, FlagRow)) == 2
    saved.save_results("flags", [{"entity_id": "c", "level": "high"}], run_id="r2")
    assert [r.entity_id for r in result_cache.rows(saved, FlagRow)] == ["c"]
    assert result_cache.rows_of(saved, FlagRow, "a") == ()
    saved.close()


def test_an_erased_person_leaves_the_shared_tables_at_once(tmp_path: Path) -> None:
    from graph.records import Entity, Provenance

    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    source = Provenance("police_nominals", "N1", "2026-01-01T00:00:00+00:00")
    person = Entity("p1", "Person", "Zqx Example", {"ref": "N1"}, (source,))
    store.upsert([person])
    store.save_results("flags", [{"entity_id": person.id, "level": "high"}, {"entity_id": "other"}], run_id="r1")
    assert len(result_cache.rows_of(store, FlagRow, person.id)) == 1
    store.erase_entity(person.id, reason="retention_review", reference="RR-1")
    assert result_cache.rows_of(store, FlagRow, person.id) == ()
    assert [r.entity_id for r in result_cache.rows(store, FlagRow)] == ["other"]
    store.close()


def test_a_table_never_saved_reads_as_empty(saved: GraphStore) -> None:
    assert result_cache.rows(saved, GroupRow) == () and result_cache.rows_of(saved, GroupRow, "a") == ()
    saved.close()
