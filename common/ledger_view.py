"""The ingest ledger read, never written: its runs and rejected rows, for the administrator's pages.

Ingest writes the ledger (``ingest.ledger.Ledger``); the app only shows what it holds, so it reads
the file here, opened read-only, without importing ingest. A ledger not yet written (nothing has
been loaded) has no runs and no rejected rows.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

RunRow = tuple[str, str, dict[str, object]]  # run id, start time, summary
RejectRow = tuple[str, str, str, int, str, str]  # run id, source, file, row, column, reason

SELECT_RUNS = "SELECT run_id, started_at, summary FROM runs WHERE store = ? ORDER BY started_at DESC"
SELECT_REJECTS = (
    "SELECT run_id, source, file, row, col, reason FROM rejects WHERE store = ? "
    "UNION ALL SELECT run_id, source, file, row, '', reason FROM failures WHERE store = ? "
    "ORDER BY 3, 4, 5"
)


def read_runs(db: sqlite3.Connection, store_url: str) -> list[RunRow]:
    """Every ingest run into the store at ``store_url``, newest first: run id, start time and summary."""
    rows = db.execute(SELECT_RUNS, (store_url,)).fetchall()
    return [(str(run_id), str(started), json.loads(summary or "{}")) for run_id, started, summary in rows]


def read_rejects(db: sqlite3.Connection, store_url: str) -> list[RejectRow]:
    """Every rejected row, and every file refused whole (one entry each, column empty)."""
    return [
        (str(run), str(source), str(file), int(row), str(col), str(reason))
        for run, source, file, row, col, reason in db.execute(SELECT_REJECTS, (store_url, store_url))
    ]


class LedgerReader:
    """The runs and rejected rows an ingest ledger file holds for one store, read-only."""

    def __init__(self, path: Path, store_url: str) -> None:
        self.path = path
        self.store = store_url
        self._db: sqlite3.Connection | None = None
        if path.is_file():
            self._db = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=30)

    def _written(self) -> sqlite3.Connection | None:
        """The connection, once ingest has made the ledger's tables; None before."""
        if self._db is None:
            return None
        tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return self._db if {"runs", "rejects", "failures"} <= tables else None

    def runs(self) -> list[RunRow]:
        db = self._written()
        return read_runs(db, self.store) if db else []

    def rejects(self) -> list[RejectRow]:
        db = self._written()
        return read_rejects(db, self.store) if db else []

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
