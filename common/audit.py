"""The audit log: who saw what, when, why, and with what outcome. Append-only and tamper-evident.

Every view of personal data is written here before it is shown (the app's gateway does it; the
command line writes its reads and changes too); a refused request is written too. The table refuses
UPDATE and DELETE, so an entry cannot be edited away through the application, and each entry is
chained to the one before it by hashes (:mod:`common.audit_chain`): :meth:`AuditLog.verify`
(``disrupt audit verify``) says where an entry was rewritten, deleted or slipped in.

Text a user typed to find someone (a search, a licensing check, an unknown user name at sign-in)
is never kept: an entry keeps its length and a keyed hash of its words (:mod:`common.audit_text`),
so the administrator, who may not read children's names, can still ask "who searched for X?" by
typing X (:meth:`AuditLog.entries` with ``searched``). Refused sign-ins are counted rather than
written one by one (:mod:`common.audit_sign_in`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args

from common import audit_sign_in
from common.app_db import write_transaction
from common.audit_chain import SELECT_CONTENT, ChainCheck, append, head, seal_existing, verify_chain
from common.audit_text import SearchHasher, bounded, searched_match, shown_detail
from common.roles import AUDIT_ROLES, AuditRole, is_audit_role

Outcome = Literal[
    "shown", "refused", "empty", "exported", "erased", "lifted", "changed", "collected", "combined", "failed"
]

_DDL = (
    """
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
    + audit_sign_in.DDL
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    user: str
    role: AuditRole
    action: str
    records: tuple[str, ...]
    record_count: int
    purpose: str
    outcome: Outcome
    detail: str  # as shown: any search text withheld (:func:`common.audit_text.shown_detail`)


class AuditLog:
    """The audit log in the app database."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._db.executescript(_DDL)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(audit)")}
        if "hash" not in columns:
            with write_transaction(self._db) as locked:  # a log written before the chain: sealed once
                seal_existing(locked)
        self._hasher = SearchHasher(db)
        self._db.create_function("disrupt_searched", 2, searched_match, deterministic=True)

    # -- writing

    def record(
        self,
        *,
        user: str,
        role: AuditRole,
        action: str,
        records: Iterable[str] = (),
        purpose: str,
        outcome: Outcome,
        detail: str = "",
        searched: str | None = None,
    ) -> int:
        """Append one entry and return its id. Raises if it cannot be written, so nothing is shown unlogged.

        ``searched`` is text the user typed to find someone: the entry keeps only its length and
        keyed hash (:meth:`searched`), after ``detail``.

        Raises:
            ValueError: ``role`` is not one an entry may be written under (:data:`common.roles.AUDIT_ROLES`).
        """
        if not is_audit_role(role):
            raise ValueError(f"an audit entry's role must be one of {', '.join(AUDIT_ROLES)}, not {role!r}")
        if searched is not None:
            detail = "; ".join(part for part in (self.searched(searched), detail) if part)
        # one writer at a time, in this process and across processes, so no two entries follow the same one
        with write_transaction(self._db) as db:
            now = _now()  # read once the lock is held, so entries are in time order
            audit_sign_in.close_windows(db, now)
            return append(
                db, now, user=user, role=role, action=action, records=records, purpose=purpose, outcome=outcome,
                detail=detail,
            )  # fmt: skip

    def searched(self, text: str, *, what: str = "search text") -> str:
        """The detail that stands for ``text`` typed to find someone: its length and a keyed hash, never the text."""
        return self._hasher.searched(text, what=what)

    def refuse_sign_in(self, name: str, *, client: str = "", known: bool = False) -> None:
        """Count a refused sign-in under ``name`` from ``client`` (see :mod:`common.audit_sign_in`).

        A ``known`` name (an account's) is kept, bounded; any other is withheld like search text,
        since it is whatever was typed, a password typed in the wrong box included.
        """
        user = bounded(name) if known else audit_sign_in.UNKNOWN_USER
        withheld = "" if known else self.searched(name, what="user name")
        key = user if known else withheld
        with write_transaction(self._db) as db:
            now = _now()
            audit_sign_in.close_windows(db, now)
            audit_sign_in.count_refusal(db, now, user=user, key=key, client=bounded(client) or "-", withheld=withheld)

    def close_sign_in_windows(self) -> None:
        """Write the counts of refused sign-ins in minutes that have ended as entries (done by every write too)."""
        now = _now()
        if audit_sign_in.any_ended(self._db, now):
            with write_transaction(self._db) as db:
                audit_sign_in.close_windows(db, now)

    # -- reading

    def head(self) -> tuple[int, str]:
        """The newest entry's id and hash: keep them outside this machine to prove the log later."""
        return head(self._db)

    def verify(self, *, head: tuple[int, str] | None = None) -> ChainCheck:
        """Walk the chain from the first entry and report the first entry that breaks it
        (:func:`common.audit_chain.verify_chain`); ``head`` is an id and hash kept elsewhere."""
        return verify_chain(self._db, kept_head=head)

    def entries(
        self,
        *,
        user: str | None = None,
        records: Collection[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        purpose: str | None = None,
        searched: str | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """The newest entries first, narrowed by any of: one user, any of ``records`` among the records
        an entry covers, a date range (``since`` and ``until`` inclusive, UTC days), words in the purpose,
        and ``searched``: entries whose withheld text had all these words (in any order and case)."""
        self.close_sign_in_windows()
        query = self._hasher.query(searched) if searched and searched.strip() else None
        where, params = _filters(user=user, records=records, since=since, until=until, purpose=purpose, searched=query)
        cursor = self._db.cursor()
        cursor.row_factory = sqlite3.Row  # this cursor only: the connection is shared
        rows = cursor.execute(SELECT_CONTENT + where + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [_entry(row) for row in rows]

    def users(self) -> list[str]:
        """Every user name the log holds an entry for, in order."""
        return [str(u) for (u,) in self._db.execute("SELECT DISTINCT user FROM audit ORDER BY user")]

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM audit").fetchone()[0])


def _entry(row: sqlite3.Row) -> AuditEntry:
    """An entry from a row of :data:`common.audit_chain.SELECT_CONTENT`, by column name."""
    role, outcome = str(row["role"]), str(row["outcome"])
    if not is_audit_role(role) or not _is_outcome(outcome):
        raise ValueError(
            f"audit entry {row['id']} holds role {role!r} and outcome {outcome!r}, which Disrupt never writes; "
            "run `disrupt audit verify` to see whether the log was changed"
        )
    return AuditEntry(
        id=int(row["id"]),
        at=str(row["at"]),
        user=str(row["user"]),
        role=role,
        action=str(row["action"]),
        records=tuple(json.loads(row["records"])),
        record_count=int(row["record_count"]),
        purpose=str(row["purpose"]),
        outcome=outcome,
        detail=shown_detail(str(row["detail"])),
    )


_OUTCOMES: frozenset[str] = frozenset(get_args(Outcome))


def _is_outcome(value: str) -> TypeGuard[Outcome]:
    return value in _OUTCOMES


def _filters(
    *,
    user: str | None,
    records: Collection[str],
    since: dt.date | None,
    until: dt.date | None,
    purpose: str | None,
    searched: str | None = None,
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
    if searched:
        clauses.append("disrupt_searched(detail, ?) = 1")
        params.append(searched)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
