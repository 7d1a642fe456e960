"""The ingest ledger: checkpoints, rejected rows and runs, in a SQLite file beside the store.

A file is known by its content digest, so a re-exported file with other content is loaded again
and the same file is not. The rejects and checkpoint of the chunks a store commit covers are
committed together after that store commit: a crash in between replays those chunks, which
upserts change nothing the second time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from common.cells import spreadsheet_safe
from common.ledger_view import read_rejects, read_runs

_DDL = """
CREATE TABLE IF NOT EXISTS checkpoints(
    store TEXT NOT NULL, digest TEXT NOT NULL, source TEXT NOT NULL, file TEXT NOT NULL,
    upto INTEGER NOT NULL, rows_read INTEGER NOT NULL, rows_loaded INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL, complete INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY(store, digest, source)
);
CREATE TABLE IF NOT EXISTS rejects(
    store TEXT NOT NULL, digest TEXT NOT NULL, source TEXT NOT NULL, file TEXT NOT NULL,
    row INTEGER NOT NULL, col TEXT NOT NULL, reason TEXT NOT NULL, run_id TEXT NOT NULL,
    PRIMARY KEY(store, digest, source, row, col)
);
CREATE TABLE IF NOT EXISTS failures(
    store TEXT NOT NULL, digest TEXT NOT NULL, source TEXT NOT NULL, file TEXT NOT NULL,
    row INTEGER NOT NULL, reason TEXT NOT NULL, run_id TEXT NOT NULL,
    PRIMARY KEY(store, digest, source)
);
CREATE TABLE IF NOT EXISTS runs(
    run_id TEXT PRIMARY KEY, store TEXT NOT NULL, started_at TEXT NOT NULL, summary TEXT
);
"""

REJECT_COLUMNS = ("run_id", "source", "file", "row", "column", "reason")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    upto: int = 1  # the last row number done (the header is row 1)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    complete: bool = False


@dataclass(frozen=True, slots=True)
class Reject:
    file: str
    row: int
    column: str
    reason: str


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


class Ledger:
    def __init__(self, path: Path, store_url: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.store = store_url
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_DDL)

    def close(self) -> None:
        self._db.close()

    def checkpoint(self, digest: str, source: str) -> Checkpoint:
        row = self._db.execute(
            "SELECT upto, rows_read, rows_loaded, rows_rejected, complete FROM checkpoints "
            "WHERE store = ? AND digest = ? AND source = ?",
            (self.store, digest, source),
        ).fetchone()
        return Checkpoint(row[0], row[1], row[2], row[3], bool(row[4])) if row else Checkpoint()

    def forget(self, digest: str, source: str) -> None:
        """Drop a file's checkpoint and rejects, to load it again from the start."""
        with self._db:
            self._db.execute("BEGIN")
            key = (self.store, digest, source)
            self._db.execute("DELETE FROM checkpoints WHERE store = ? AND digest = ? AND source = ?", key)
            self._db.execute("DELETE FROM rejects WHERE store = ? AND digest = ? AND source = ?", key)
            self._db.execute("DELETE FROM failures WHERE store = ? AND digest = ? AND source = ?", key)

    def record_failure(self, digest: str, source: str, file: str, row: int, reason: str, run_id: str) -> None:
        """Record that a file was refused whole (nothing of it loaded), at ``row``, and why; it
        stands in the rejects file until the file loads."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self.store, digest, source, file, row, reason, run_id),
            )

    def clear_failure(self, digest: str, source: str, file: str) -> None:
        """Forget an earlier refusal of a file (these bytes, or an earlier version at the same
        path), before it is tried again."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "DELETE FROM failures WHERE store = ? AND source = ? AND (digest = ? OR file = ?)",
                (self.store, source, digest, file),
            )

    def advance(
        self, digest: str, source: str, file: str, point: Checkpoint, rejects: Iterable[Reject], run_id: str, now: str
    ) -> None:
        """Record a chunk's rejects and move the checkpoint, in one transaction."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO rejects VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(self.store, digest, source, r.file, r.row, r.column, r.reason, run_id) for r in rejects],
            )
            self._db.execute(
                "INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.store, digest, source, file, point.upto, point.rows_read, point.rows_loaded,
                    point.rows_rejected, int(point.complete), now,
                ),
            )  # fmt: skip

    def record_run(self, run_id: str, started_at: str, summary: dict[str, object]) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?)",
                (run_id, self.store, started_at, json.dumps(summary, sort_keys=True)),
            )

    def runs(self) -> list[tuple[str, str, dict[str, object]]]:
        """Every ingest run into this store, newest first: run id, start time and summary."""
        return read_runs(self._db, self.store)

    def rejects(self) -> list[tuple[str, str, str, int, str, str]]:
        """Every rejected row, and every file refused whole (one entry each, column empty)."""
        return read_rejects(self._db, self.store)

    def write_rejects_csv(self, target: Path) -> int:
        """Write every rejected row of this store to ``target`` (atomically); return the count.

        Cells that a spreadsheet would run as a formula are prefixed with ``'``.
        """
        rows = self.rejects()
        tmp = target.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(REJECT_COLUMNS)
            writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
        os.replace(tmp, target)
        return len(rows)
