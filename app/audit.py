"""The audit log: who saw what, when, why, and with what outcome. Append-only.

Every view of personal data is written here before it is shown (the gateway does it); a refused
request is written too. The table refuses UPDATE and DELETE, so an entry cannot be edited away
through the application.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["shown", "refused", "empty", "exported", "erased", "lifted"]
MAX_RECORDS = 500  # ids kept per entry; a bigger view records how many it left out

_DDL = """
CREATE TABLE IF NOT EXISTS audit(
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL, role TEXT NOT NULL,
    action TEXT NOT NULL, records TEXT NOT NULL, record_count INTEGER NOT NULL, purpose TEXT NOT NULL,
    outcome TEXT NOT NULL, detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_user ON audit(user, at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


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
        at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        cur = self._db.execute(
            "INSERT INTO audit(at, user, role, action, records, record_count, purpose, outcome, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, user, role, action, json.dumps(ids[:MAX_RECORDS]), len(ids), purpose, outcome, detail),
        )
        return int(cur.lastrowid or 0)

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
