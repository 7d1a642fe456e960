"""The audit log's hash chain: each entry carries the hash of the entry before it and a hash of its own
content with that link, so an entry rewritten, deleted or slipped in by hand breaks the chain there.

Someone who can write the file could rebuild the whole chain, so the head hash (``disrupt audit head``)
is meant to be kept elsewhere; :func:`verify_chain` with that head then proves nothing before it changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

MAX_RECORDS = 500  # ids kept per entry; a bigger view records how many it left out
GENESIS = "0" * 64  # what the first entry follows
# the columns an entry's hash covers, in order (fixed text, so the queries below hold no data)
SELECT_CONTENT = "SELECT id, at, user, role, action, records, record_count, purpose, outcome, detail FROM audit"
_SELECT_CHAIN = (
    "SELECT id, at, user, role, action, records, record_count, purpose, outcome, detail, prev_hash, hash "
    "FROM audit ORDER BY id"
)
_INSERT = (
    "INSERT INTO audit(id, at, user, role, action, records, record_count, purpose, outcome, detail, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_NO_UPDATE = (
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
)


def entry_hash(previous: str, row: tuple[object, ...]) -> str:
    """The hash an entry carries: its content (in :data:`SELECT_CONTENT` order) chained to the one before.

    >>> entry_hash(GENESIS, (1, "t", "u", "r", "a", "[]", 0, "p", "shown", "")) == entry_hash(
    ...     GENESIS, (1, "t", "u", "r", "a", "[]", 0, "p", "shown", "x"))
    False
    """
    content = json.dumps([previous, *row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What :func:`verify_chain` found: how many entries hold, the head, and the first break if any."""

    entries: int
    head_id: int
    head_hash: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def at_text(moment: dt.datetime) -> str:
    """An entry's time as the log writes it (UTC, to the millisecond)."""
    return moment.isoformat(timespec="milliseconds")


def append(
    db: sqlite3.Connection,
    now: dt.datetime,
    *,
    user: str,
    role: str,
    action: str,
    records: Iterable[str],
    purpose: str,
    outcome: str,
    detail: str,
) -> int:
    """Inside a write transaction: add one entry after the last, chained to it; return its id."""
    ids = list(dict.fromkeys(records))
    last = db.execute("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1").fetchall()
    entry_id, previous = (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)
    at = max(at_text(now), last[0][2]) if last else at_text(now)  # never before the entry it follows
    kept = json.dumps(ids[:MAX_RECORDS])
    row = (entry_id, at, user, role, action, kept, len(ids), purpose, outcome, detail)
    db.execute(_INSERT, (*row, previous, entry_hash(previous, row)))
    return int(entry_id)


def head(db: sqlite3.Connection) -> tuple[int, str]:
    """The newest entry's id and hash."""
    row = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def verify_chain(db: sqlite3.Connection, *, kept_head: tuple[int, str] | None = None) -> ChainCheck:
    """Walk the chain from the first entry and report the first entry that breaks it.

    An entry breaks it when its content no longer gives its hash (rewritten), when it does not
    follow the entry before it (one deleted or slipped in between), or when its time is earlier
    than the one before (back-dated). With ``kept_head`` (an id and hash kept elsewhere), the entry
    with that id must still carry that hash, so a rebuilt chain is caught too.
    """
    previous, count, last_id, last_at = GENESIS, 0, 0, ""
    for *content, prev_hash, stored in db.execute(_SELECT_CHAIN):
        entry_id, at = int(content[0]), str(content[1])
        problem = ""
        if prev_hash != previous:
            problem = "does not follow the entry before it: an entry was deleted or inserted here"
        elif stored != entry_hash(previous, tuple(content)):
            problem = "its content does not match its hash: it was rewritten (or written by hand)"
        elif at < last_at:
            problem = f"is dated {at}, before the entry before it ({last_at}): it was back-dated"
        elif kept_head is not None and entry_id == kept_head[0] and stored != kept_head[1]:
            problem = "differs from the head hash kept elsewhere: the chain was rebuilt"
        if problem:
            return ChainCheck(count, last_id, previous, entry_id, f"entry {entry_id} {problem}")
        previous, count, last_id, last_at = str(stored), count + 1, entry_id, at
    if kept_head is not None and kept_head[0] > last_id:
        return ChainCheck(count, last_id, previous, kept_head[0], f"entry {kept_head[0]} of the kept head is missing")
    return ChainCheck(count, last_id, previous)


def seal_existing(db: sqlite3.Connection) -> None:
    """Inside a write transaction: give a log written before the chain its hashes, in order (once)."""
    if "hash" in {r[1] for r in db.execute("PRAGMA table_info(audit)")}:
        return  # another process sealed it first
    db.execute("ALTER TABLE audit ADD COLUMN prev_hash TEXT")
    db.execute("ALTER TABLE audit ADD COLUMN hash TEXT")
    db.execute("DROP TRIGGER audit_no_update")
    previous = GENESIS
    for row in db.execute(SELECT_CONTENT + " ORDER BY id").fetchall():
        sealed = entry_hash(previous, tuple(row))
        db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (previous, sealed, row[0]))
        previous = sealed
    db.execute(_NO_UPDATE)
