"""Server-side sessions behind the browser's HttpOnly cookie, kept in the app database.

A browser holds one random cookie (``disrupt_session``: HttpOnly, SameSite=Strict; see
:mod:`app.asgi`), set on its first page load; script cannot read it, but the browser sends it on
every request and on the websocket. Signing in writes a row bound to a digest of that cookie; the
page then claims the row once, with a one-use claim handed to it over its own websocket, and the
server answers with a *fresh* cookie value (so a value planted in the browser before sign-in is
worth nothing afterwards). Only digests are stored: a copy of the database signs nobody in.

A page load whose cookie names a live row is signed in again (a refresh keeps the user signed in,
with the purpose already given). Signing out deletes the row, which ends every tab of that
browser; a row idle for longer than the limit is deleted when next looked at.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from dataclasses import dataclass

from common.app_db import write_transaction
from common.roles import Role, is_role

COOKIE = "disrupt_session"
CLAIM_PATH = "/_disrupt/session"  # where the page spends its claim (served by app/asgi.py)
CLAIM_SECONDS = 120  # the page claims its cookie within moments of signing in; a stale claim is refused

_DDL = """
CREATE TABLE IF NOT EXISTS web_sessions(
    id TEXT PRIMARY KEY,          -- held by each Streamlit session signed in under this row
    user TEXT NOT NULL, role TEXT NOT NULL, purpose TEXT NOT NULL DEFAULT '',
    signin_hash TEXT NOT NULL,    -- digest of the cookie the signing-in page's websocket carried
    claim_hash TEXT,              -- digest of the one-use claim, until the page has used it
    cookie_hash TEXT UNIQUE,      -- digest of the cookie issued at the claim: a page load with it is signed in
    created REAL NOT NULL, last_seen REAL NOT NULL
);
"""


def digest(value: str) -> str:
    """The stored form of a cookie or claim (SHA-256: both are 32 random bytes, so no salt is needed)."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class WebSession:
    id: str
    user: str
    role: Role
    purpose: str
    signin_hash: str
    cookie_hash: str | None
    created: float
    last_seen: float

    def carried_by(self, cookie: str) -> bool:
        """Whether a websocket carrying ``cookie`` is this browser: the cookie issued, or the one it signed in with."""
        mine = digest(cookie)
        return any(hmac.compare_digest(mine, h) for h in (self.signin_hash, self.cookie_hash) if h)

    def idle_for(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.last_seen


_COLUMNS = "id, user, role, purpose, signin_hash, cookie_hash, created, last_seen"


class WebSessions:
    """The web sessions table: begin at sign-in, claim from the page, find on page load, end at sign-out."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        db.executescript(_DDL)

    def begin(self, user: str, role: Role, cookie: str) -> tuple[WebSession, str]:
        """A new session for ``user`` in the browser carrying ``cookie``; returns it and its one-use claim."""
        claim, now = new_secret(), time.time()
        row = WebSession(new_secret(), user, role, "", digest(cookie), None, now, now)
        with write_transaction(self._db) as db:
            db.execute(
                f"INSERT INTO web_sessions({_COLUMNS}, claim_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (row.id, user, role, "", row.signin_hash, None, now, now, digest(claim)),
            )
        return row, claim

    def claim(self, cookie: str, claim: str) -> str | None:
        """The fresh cookie value for the session begun in the browser carrying ``cookie``, or None.

        Single use: the claim is spent whether or not the browser stores the answer.
        """
        fresh = new_secret()
        with write_transaction(self._db) as db:
            cur = db.execute(
                "UPDATE web_sessions SET cookie_hash = ?, claim_hash = NULL"
                " WHERE signin_hash = ? AND claim_hash = ? AND created > ?",
                (digest(fresh), digest(cookie), digest(claim), time.time() - CLAIM_SECONDS),
            )
        return fresh if cur.rowcount == 1 else None

    def get(self, session_id: str) -> WebSession | None:
        return self._one("id = ?", session_id)

    def find(self, cookie: str) -> WebSession | None:
        """The session whose issued cookie is ``cookie`` (never one only begun with it)."""
        return self._one("cookie_hash = ?", digest(cookie)) if cookie else None

    # Every write goes through write_transaction, like the accounts and the audit log on the same file:
    # a bare UPDATE from one of the app's two connections met another's open write and failed with
    # "database is locked" (seen twice in a 10-session load run), showing the user an error.
    def touch(self, session_id: str) -> None:
        with write_transaction(self._db) as db:
            db.execute("UPDATE web_sessions SET last_seen = ? WHERE id = ?", (time.time(), session_id))

    def set_purpose(self, session_id: str, purpose: str) -> None:
        with write_transaction(self._db) as db:
            db.execute("UPDATE web_sessions SET purpose = ? WHERE id = ?", (purpose, session_id))

    def end(self, session_id: str) -> None:
        with write_transaction(self._db) as db:
            db.execute("DELETE FROM web_sessions WHERE id = ?", (session_id,))

    def end_idle(self, idle_seconds: float) -> int:
        """Delete every session idle for longer than ``idle_seconds``; returns how many."""
        with write_transaction(self._db) as db:
            cur = db.execute("DELETE FROM web_sessions WHERE last_seen < ?", (time.time() - idle_seconds,))
        return cur.rowcount

    def _one(self, where: str, value: str) -> WebSession | None:
        cursor = self._db.cursor()
        cursor.row_factory = sqlite3.Row  # by column name (this cursor only: the connection is shared)
        row = cursor.execute(f"SELECT {_COLUMNS} FROM web_sessions WHERE {where}", (value,)).fetchone()  # noqa: S608
        return _web_session(row) if row else None


def _web_session(row: sqlite3.Row) -> WebSession:
    """A session from a row of the table; one held under a role the app does not know is refused."""
    role = str(row["role"])
    if not is_role(role):
        raise ValueError(f"web session {row['id']!r} holds unknown role {role!r}")
    return WebSession(
        id=str(row["id"]),
        user=str(row["user"]),
        role=role,
        purpose=str(row["purpose"]),
        signin_hash=str(row["signin_hash"]),
        cookie_hash=None if row["cookie_hash"] is None else str(row["cookie_hash"]),
        created=float(row["created"]),
        last_seen=float(row["last_seen"]),
    )
