"""Local user accounts for the embedded deployment: names, roles and argon2 password hashes.

Kept in the app database (a SQLite file beside the store), never in the graph. Repeated failed
sign-ins lock an account for a while, so a password cannot be guessed at web speed.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from common.app_db import write_transaction
from common.audit import AuditLog
from common.roles import ROLES, Role, is_role

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


class AccountError(ValueError):
    """A user name, role or password is not acceptable; the message says why."""


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    created_at: str
    oidc: bool = False  # signs in through the identity provider, with no local password


_SELECT_USER = "SELECT name, role, created_at, password_hash IS NULL AS oidc FROM users"


def _user(row: sqlite3.Row) -> User:
    """A user from a row of :data:`_SELECT_USER`; a role the app does not know is refused, not passed on."""
    role = str(row["role"])
    if not is_role(role):
        raise AccountError(f"user {row['name']!r} holds unknown role {role!r}; set one of {', '.join(ROLES)}")
    return User(str(row["name"]), role, str(row["created_at"]), oidc=bool(row["oidc"]))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


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
        return User(name, role, created, oidc=hashed is None)

    def remove(self, name: str) -> bool:
        """Delete a user; returns whether one was deleted."""
        return self._db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0

    def list(self) -> list[User]:
        return [_user(row) for row in self._rows(_SELECT_USER + " ORDER BY name", ())]

    def get(self, name: str) -> User | None:
        rows = self._rows(_SELECT_USER + " WHERE name = ?", (name,))
        return _user(rows[0]) if rows else None

    def _rows(self, sql: str, params: tuple[object, ...]) -> Sequence[sqlite3.Row]:
        """Rows read by column name (this cursor only: the connection is shared with the audit log)."""
        cursor = self._db.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, params).fetchall()

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


def check_sign_in(accounts: Accounts, audit: AuditLog, name: str, password: str, *, client: str = "") -> User | None:
    """The user if ``name`` and ``password`` sign in; otherwise the refusal is counted in ``audit``.

    The account's lockout (:meth:`Accounts.verify`) is unchanged: this only decides what the log keeps.
    """
    user = accounts.verify(name, password)
    if user is None:
        audit.refuse_sign_in(name, client=client, known=accounts.get(name) is not None)
    return user


__all__ = [
    "LOCKOUT",
    "MAX_FAILURES",
    "MIN_PASSWORD_LENGTH",
    "AccountError",
    "Accounts",
    "User",
    "check_sign_in",
]
