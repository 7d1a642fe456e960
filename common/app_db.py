"""The app database: one SQLite file beside the store holding the users, the web sessions and the
audit log. Opened by the app and by the command line; every write to it takes :func:`write_transaction`."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# One lock for every write transaction on the app database in this process: the accounts and the
# audit log share a connection, and two transactions may not overlap on one connection.
_WRITE_LOCK = threading.Lock()
_SNAPSHOT_RETRY = 30.0  # seconds, as long as the busy timeout lets another process hold the write lock


def open_app_db(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the app database that holds users and the audit log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    return db


@contextmanager
def write_transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction on the app database, one writer at a time.

    The lock keeps this process's threads, which share connections, out of each other's
    transactions; BEGIN IMMEDIATE makes other processes wait their turn (the busy timeout) instead
    of failing or reading a count another writer is about to change. Rolled back on any error.
    """
    with _WRITE_LOCK:
        _begin_immediate(db)
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _begin_immediate(db: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, retried while another thread's read on this connection holds an old snapshot.

    A connection shared by threads (the CLI's, the cookie route's) can be mid-read for one thread,
    at a snapshot older than another connection's last commit, when a second thread begins to write
    on it; SQLite then refuses at once with SQLITE_BUSY_SNAPSHOT, which its busy timeout does not
    cover (4 of 40 rounds of 40 parallel sign-ins on a loaded machine). Nothing has been written at
    that point, and the read ends within moments, so beginning again is safe.
    """
    deadline = time.monotonic() + _SNAPSHOT_RETRY
    pause = 0.001
    while True:
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorname != "SQLITE_BUSY_SNAPSHOT" or time.monotonic() > deadline:
                raise
            if db.in_transaction:
                db.execute("ROLLBACK")
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
