"""Local user accounts for the embedded deployment: names, roles and argon2 password hashes.

Kept in the app database (a SQLite file beside the store), never in the graph. Repeated failed
sign-ins lock an account for a while, so a password cannot be guessed at web speed.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.policy import ROLES, Role, is_role

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
_NAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")

_DDL = """
CREATE TABLE IF NOT EXISTS users(
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT, created_at TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT
);
"""


# One lock for every write transaction on the app database in this process: the accounts and the
# audit log share a connection, and two transactions may not overlap on one connection.
_WRITE_LOCK = threading.Lock()


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


_SNAPSHOT_RETRY = 30.0  # seconds, as long as the busy timeout lets another process hold the write lock


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


class AccountError(ValueError):
    """A user name, role or password is not acceptable; the message says why."""


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    created_at: str
    oidc: bool = False  # signs in through the identity provider, with no local password


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def open_app_db(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the app database that holds users and the audit log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    return db


class Accounts:
    """User accounts in the app database."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._db.executescript(_DDL)
        self._hasher = PasswordHasher()

    def add(self, name: str, role: str, password: str | None, *, replace: bool = False) -> User:
        """Create a user (``password`` None makes an identity-provider user) or, with ``replace``, reset one.

        Raises:
            AccountError: the name, role or password is not acceptable, or the name is taken.
        """
        if not _NAME.match(name):
            raise AccountError(
                f"user name {name!r} is not allowed: use 2-40 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter"
            )
        if not is_role(role):
            raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
        hashed = self._hasher.hash(password) if password is not None else None
        created = _now().isoformat()
        if not replace and self.get(name) is not None:
            raise AccountError(f"user {name!r} already exists; remove it first or choose another name")
        self._db.execute(
            "INSERT INTO users(name, role, password_hash, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, "
            "failures = 0, locked_until = NULL",
            (name, role, hashed, created),
        )
        return User(name, role, created, oidc=hashed is None)  # type: ignore[arg-type]

    def remove(self, name: str) -> bool:
        """Delete a user; returns whether one was deleted."""
        return self._db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0

    def list(self) -> list[User]:
        rows = self._db.execute("SELECT name, role, created_at, password_hash IS NULL FROM users ORDER BY name")
        return [User(n, r, c, oidc=bool(o)) for n, r, c, o in rows]

    def get(self, name: str) -> User | None:
        row = self._db.execute(
            "SELECT name, role, created_at, password_hash IS NULL FROM users WHERE name = ?", (name,)
        ).fetchone()
        return User(row[0], row[1], row[2], oidc=bool(row[3])) if row else None

    def verify(self, name: str, password: str) -> User | None:
        """The user if the password is right and the account is not locked, else None.

        Wrong passwords count towards a lockout of :data:`LOCKOUT` after :data:`MAX_FAILURES` in a row.
        Each attempt takes a place in that budget by one atomic UPDATE *before* its hash is checked,
        so parallel attempts cannot all read the same count: at most :data:`MAX_FAILURES` are ever
        checked between a success and a lock, however many arrive at once.
        """
        now = _now().isoformat()
        rows = self._write(
            "UPDATE users SET failures = failures + 1 "
            "WHERE name = ? AND password_hash IS NOT NULL AND failures < ? "
            "AND (locked_until IS NULL OR locked_until <= ?) RETURNING failures, password_hash",
            (name, MAX_FAILURES, now),
        )
        if not rows:  # no such user, an identity-provider user, locked, or the budget is taken
            self._hasher.hash(password)  # the same work as a real check, so timing reveals nothing
            return None
        attempt, hashed = rows[0]
        try:
            self._hasher.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            if attempt >= MAX_FAILURES:  # the last place in the budget failed: lock, and start again after
                lock = (_now() + LOCKOUT).isoformat()
                self._write("UPDATE users SET failures = 0, locked_until = ? WHERE name = ?", (lock, name))
            return None
        self._write("UPDATE users SET failures = 0, locked_until = NULL WHERE name = ?", (name,))
        return self.get(name)

    def _write(self, sql: str, params: tuple[object, ...]) -> Sequence[tuple[Any, ...]]:
        """Run one write in its own transaction (see :func:`write_transaction`) and return its rows."""
        with write_transaction(self._db) as db:
            return db.execute(sql, params).fetchall()

    def is_locked(self, name: str) -> bool:
        row = self._db.execute("SELECT locked_until FROM users WHERE name = ?", (name,)).fetchone()
        return bool(row and row[0] and dt.datetime.fromisoformat(row[0]) > _now())
