"""The app reads the ingest ledger through common.ledger_view: what ingest wrote, read-only, without ingest."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from common.ledger_view import LedgerReader
from common.settings import LEDGER_FILE, Settings, ledger_path
from ingest.ledger import Checkpoint, Ledger, Reject

STORE = "sqlite:///data/graph.db"


def _written(folder: Path) -> Path:
    """A ledger as ingest leaves it: two runs, two rows set aside in one file, one file refused whole,
    and a run into another store that this store's pages must not show."""
    ledger = Ledger(ledger_path(folder), STORE)
    ledger.record_run("run-1", "2026-12-01T09:00:00", {"files": ["a.csv"], "rows_read": 3})
    ledger.record_run("run-2", "2026-12-02T09:00:00", {"files": []})
    rows = [Reject("a.csv", 3, "dob", "not a date"), Reject("a.csv", 2, "postcode", "not a postcode")]
    ledger.advance("d1", "police", "a.csv", Checkpoint(4, 3, 1, 2, True), rows, "run-1", "2026-12-01T09:00:01")
    ledger.record_failure("d2", "care", "b.csv", 1, "no header", "run-2")
    Ledger(ledger_path(folder), "sqlite:///elsewhere.db").record_run("other", "2026-12-03T09:00:00", {})
    ledger.close()
    return ledger_path(folder)


def test_the_reader_shows_what_ingest_wrote_for_this_store_only(tmp_path: Path) -> None:
    path = _written(tmp_path)
    ingest_view = Ledger(path, STORE)
    reader = LedgerReader(path, STORE)
    try:
        assert reader.runs() == ingest_view.runs()
        assert [run for run, _, _ in reader.runs()] == ["run-2", "run-1"]  # newest first, the other store's left out
        assert reader.rejects() == ingest_view.rejects()
        assert reader.rejects() == [
            ("run-1", "police", "a.csv", 2, "postcode", "not a postcode"),
            ("run-1", "police", "a.csv", 3, "dob", "not a date"),
            ("run-2", "care", "b.csv", 1, "", "no header"),
        ]
    finally:
        reader.close()
        ingest_view.close()


def test_the_reader_never_writes_the_ledger(tmp_path: Path) -> None:
    path = _written(tmp_path)
    reader = LedgerReader(path, STORE)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader._db.execute("DELETE FROM runs")  # type: ignore[union-attr]
    reader.close()


def test_before_anything_is_loaded_there_is_nothing_to_show_and_no_file_is_made(tmp_path: Path) -> None:
    reader = LedgerReader(ledger_path(tmp_path), STORE)
    assert (reader.runs(), reader.rejects()) == ([], [])
    reader.close()
    assert not ledger_path(tmp_path).exists()  # opening ingest's Ledger here made an empty ledger file
    sqlite3.connect(ledger_path(tmp_path)).close()  # a file with no tables yet (ingest about to write it)
    assert LedgerReader(ledger_path(tmp_path), STORE).runs() == []


def test_the_ledger_file_is_named_once_in_the_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.ledger_path == ledger_path(tmp_path) == tmp_path / LEDGER_FILE
