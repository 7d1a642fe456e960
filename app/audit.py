"""The audit log: who saw what, when, why, and with what outcome. Append-only and tamper-evident.

Every view of personal data is written here before it is shown (the gateway does it); a refused
request is written too. The table refuses UPDATE and DELETE, so an entry cannot be edited away
through the application. Each entry also carries the hash of the entry before it and a hash of its
own content with that link (a hash chain): an entry rewritten, deleted or slipped in by hand breaks
the chain at that point, and :meth:`AuditLog.verify` (``disrupt audit verify``) says where. Someone
who can write the file could rebuild the whole chain, so the head hash (``disrupt audit head``) is
meant to be kept elsewhere; ``verify --head`` then proves nothing before it changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from app.accounts import write_transaction

Outcome = Literal["shown", "refused", "empty", "exported", "erased", "lifted", "changed"]
MAX_RECORDS = 500  # ids kept per entry; a bigger view records how many it left out

_DDL = """
CREATE TABLE IF NOT EXISTS audit(
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL, role TEXT NOT NULL,
    action TEXT NOT NULL, records TEXT NOT NULL, record_count INTEGER NOT NULL, purpose TEXT NOT NULL,
    outcome TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', prev_hash TEXT, hash TEXT
);
CREATE INDEX IF NOT EXISTS audit_user ON audit(user, at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
_GENESIS = "0" * 64  # what the first entry follows
# the columns an entry's hash covers, in order (fixed text, so the queries below hold no data)
_SELECT_CONTENT = "SELECT id, at, user, role, action, records, record_count, purpose, outcome, detail FROM audit"
_SELECT_CHAIN = (
    "SELECT id, at, user, role, action, records, record_count, purpose, outcome, detail, prev_hash, hash "
    "FROM audit ORDER BY id"
)
_INSERT = (
    "INSERT INTO audit(id, at, user, role, action, records, record_count, purpose, outcome, detail, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def entry_hash(previous: str, row: tuple[object, ...]) -> str:
    """The hash an entry carries: its content (in :data:`_SELECT_CONTENT` order) chained to the one before.

    >>> entry_hash(_GENESIS, (1, "t", "u", "r", "a", "[]", 0, "p", "shown", "")) == entry_hash(
    ...     _GENESIS, (1, "t", "u", "r", "a", "[]", 0, "p", "shown", "x"))
    False
    """
    content = json.dumps([previous, *row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What :meth:`AuditLog.verify` found: how many entries hold, the head, and the first break if any."""

    entries: int
    head_id: int
    head_hash: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    user: str
    role: str
    action: str
    records: tuple[str, ...]
    record_count: int
    purpose: str
    outcome: str
    detail: str


class AuditLog:
    """The audit log in the app database."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._db.executescript(_DDL)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(audit)")}
        if "hash" not in columns:
            self._seal_existing()

    def record(
        self,
        *,
        user: str,
        role: str,
        action: str,
        records: Iterable[str] = (),
        purpose: str,
        outcome: Outcome,
        detail: str = "",
    ) -> int:
        """Append one entry and return its id. Raises if it cannot be written, so nothing is shown unlogged."""
        ids = list(dict.fromkeys(records))
        # one writer at a time, in this process and across processes, so no two entries follow the same one
        with write_transaction(self._db) as db:
            last = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchall()
            entry_id, previous = (last[0][0] + 1, last[0][1]) if last else (1, _GENESIS)
            at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
            kept = json.dumps(ids[:MAX_RECORDS])
            row = (entry_id, at, user, role, action, kept, len(ids), purpose, outcome, detail)
            db.execute(_INSERT, (*row, previous, entry_hash(previous, row)))
        return entry_id

    def head(self) -> tuple[int, str]:
        """The newest entry's id and hash: keep them outside this machine to prove the log later."""
        row = self._db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        return (int(row[0]), str(row[1])) if row else (0, _GENESIS)

    def verify(self, *, head: tuple[int, str] | None = None) -> ChainCheck:
        """Walk the chain from the first entry and report the first entry that breaks it.

        An entry breaks it when its content no longer gives its hash (rewritten), when it does not
        follow the entry before it (one deleted or slipped in between), or when its time is earlier
        than the one before (back-dated). With ``head`` (an id and hash kept elsewhere), the entry
        with that id must still carry that hash, so a rebuilt chain is caught too.
        """
        previous, count, last_id, last_at = _GENESIS, 0, 0, ""
        for *content, prev_hash, stored in self._db.execute(_SELECT_CHAIN):
            entry_id, at = int(content[0]), str(content[1])
            problem = ""
            if prev_hash != previous:
                problem = "does not follow the entry before it: an entry was deleted or inserted here"
            elif stored != entry_hash(previous, tuple(content)):
                problem = "its content does not match its hash: it was rewritten (or written by hand)"
            elif at < last_at:
                problem = f"is dated {at}, before the entry before it ({last_at}): it was back-dated"
            elif head is not None and entry_id == head[0] and stored != head[1]:
                problem = "differs from the head hash kept elsewhere: the chain was rebuilt"
            if problem:
                return ChainCheck(count, last_id, previous, entry_id, f"entry {entry_id} {problem}")
            previous, count, last_id, last_at = str(stored), count + 1, entry_id, at
        if head is not None and head[0] > last_id:
            return ChainCheck(count, last_id, previous, head[0], f"entry {head[0]} of the kept head is missing")
        return ChainCheck(count, last_id, previous)

    def _seal_existing(self) -> None:
        """Give a log written before the chain its hashes, in order (once, when first opened)."""
        with write_transaction(self._db) as db:
            if "hash" in {r[1] for r in db.execute("PRAGMA table_info(audit)")}:
                return  # another process sealed it first
            db.execute("ALTER TABLE audit ADD COLUMN prev_hash TEXT")
            db.execute("ALTER TABLE audit ADD COLUMN hash TEXT")
            db.execute("DROP TRIGGER audit_no_update")
            previous = _GENESIS
            for row in db.execute(_SELECT_CONTENT + " ORDER BY id").fetchall():
                sealed = entry_hash(previous, tuple(row))
                db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (previous, sealed, row[0]))
                previous = sealed
            db.execute(
                "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )

    def entries(
        self,
        *,
        user: str | None = None,
        records: Collection[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        purpose: str | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """The newest entries first, narrowed by any of: one user, any of ``records`` among the records
        an entry covers, a date range (``since`` and ``until`` inclusive, UTC days) and words in the purpose."""
        where, params = _filters(user=user, records=records, since=since, until=until, purpose=purpose)
        query = "SELECT id, at, user, role, action, records, record_count, purpose, outcome, detail FROM audit"
        rows = self._db.execute(query + where + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            AuditEntry(i, at, u, r, a, tuple(json.loads(rec)), n, p, o, d) for i, at, u, r, a, rec, n, p, o, d in rows
        ]

    def users(self) -> list[str]:
        """Every user name the log holds an entry for, in order."""
        return [str(u) for (u,) in self._db.execute("SELECT DISTINCT user FROM audit ORDER BY user")]

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM audit").fetchone()[0])


def _filters(
    *,
    user: str | None,
    records: Collection[str],
    since: dt.date | None,
    until: dt.date | None,
    purpose: str | None,
) -> tuple[str, list[object]]:
    """The WHERE clause (made only of fixed text) and its parameters for :meth:`AuditLog.entries`."""
    clauses: list[str] = []
    params: list[object] = []
    if user:
        clauses.append("user = ?")
        params.append(user)
    if records:
        clauses.append(
            "EXISTS (SELECT 1 FROM json_each(audit.records) AS r WHERE r.value IN (SELECT value FROM json_each(?)))"
        )
        params.append(json.dumps(sorted(set(records))))
    if since:
        clauses.append("at >= ?")
        params.append(since.isoformat())
    if until:
        clauses.append("at < ?")
        params.append((until + dt.timedelta(days=1)).isoformat())
    if purpose and purpose.strip():
        clauses.append("instr(lower(purpose), ?) > 0")
        params.append(purpose.strip().lower())
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
