"""The audit log: who saw what, when, why, and with what outcome. Append-only and tamper-evident.

Every view of personal data is written here before it is shown (the gateway does it); a refused
request is written too. The table refuses UPDATE and DELETE, so an entry cannot be edited away
through the application. Each entry also carries the hash of the entry before it and a hash of its
own content with that link (a hash chain): an entry rewritten, deleted or slipped in by hand breaks
the chain at that point, and :meth:`AuditLog.verify` (``disrupt audit verify``) says where. Someone
who can write the file could rebuild the whole chain, so the head hash (``disrupt audit head``) is
meant to be kept elsewhere; ``verify --head`` then proves nothing before it changed.

Text a user typed to find someone (a search, a licensing check, an unknown user name at sign-in)
is never kept: an entry keeps its length and a keyed hash of its words (:meth:`AuditLog.searched`),
so the administrator, who may not read children's names, can still ask "who searched for X?" by
typing X (:meth:`AuditLog.entries` with ``searched``). The key is a secret of this installation,
in a file beside the app database readable by its owner only: without it the hashes of short texts
such as names cannot be tested against guesses. Entries written before this kept the text itself;
they are left as written (the chain covers them) and shown with the text withheld.

Refused sign-ins are counted rather than written one by one (:meth:`AuditLog.refuse_sign_in`): the
first refusal of a user name from a client in a minute is an entry, the rest of that minute are one
more entry with their count, and past :data:`NAMES_PER_WINDOW` names in a minute the others are
counted together, so a flood of attempts under made-up names writes a few entries a minute.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.accounts import Accounts, User, write_transaction

Outcome = Literal[
    "shown", "refused", "empty", "exported", "erased", "lifted", "changed", "collected", "combined", "failed"
]
MAX_RECORDS = 500  # ids kept per entry; a bigger view records how many it left out
MAX_NAME = 64  # characters of a user name or client kept in an entry
NAMES_PER_WINDOW = 10  # (user name, client) pairs recorded one by one per minute of refused sign-ins
SIGN_IN_WINDOW_SECONDS = 60
UNKNOWN_USER = "(unknown user name)"
_MAX_WORDS = 32  # word hashes kept per search text

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
CREATE TABLE IF NOT EXISTS sign_in_refusals(
    window TEXT NOT NULL, key TEXT NOT NULL, client TEXT NOT NULL, user TEXT NOT NULL, detail TEXT NOT NULL,
    count INTEGER NOT NULL, first_at TEXT NOT NULL, last_at TEXT NOT NULL, PRIMARY KEY (window, key, client)
);
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
_OVERFLOW = "*"  # the key under which refusals past NAMES_PER_WINDOW in a minute are counted together
# the withheld text's trace in an entry's detail: a keyed hash of the whole text and of each word
_MARK = re.compile(r" ?\[searched:v1:([0-9a-f]{32}):([0-9a-f,]*)\]")
# how entries written before this kept search text: text='...' or name='...' (a Python repr)
_LEGACY = re.compile(r"\b(text|name)=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
# control characters, and the invisible ones that reorder or hide text on screen
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def entry_hash(previous: str, row: tuple[object, ...]) -> str:
    """The hash an entry carries: its content (in :data:`_SELECT_CONTENT` order) chained to the one before.

    >>> entry_hash(_GENESIS, (1, "t", "u", "r", "a", "[]", 0, "p", "shown", "")) == entry_hash(
    ...     _GENESIS, (1, "t", "u", "r", "a", "[]", 0, "p", "shown", "x"))
    False
    """
    content = json.dumps([previous, *row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


def normalised_words(text: str) -> list[str]:
    """The words of a search text as the hash sees them: Unicode-folded, case-folded, in order.

    >>> normalised_words("  Smith   JOHN ") == normalised_words("john smith")
    True
    """
    return sorted(unicodedata.normalize("NFKC", text).casefold().split())


def bounded(text: str, limit: int = MAX_NAME) -> str:
    """``text`` with control characters replaced and cut to ``limit`` characters (marked with '…').

    >>> bounded("a\\x00b" + "c" * 100, 8)
    'a\ufffdbcccc…'
    """
    clean = _CONTROL.sub("\ufffd", text.strip())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def shown_detail(detail: str) -> str:
    """An entry's detail as the log shows it: no hash marks, and text kept by older entries withheld."""
    detail = _MARK.sub("", detail)
    return _LEGACY.sub(lambda m: f"search text withheld ({len(_legacy_text(m.group(2)))} characters)", detail)


def _legacy_text(quoted: str) -> str:
    try:
        value = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        return quoted
    return value if isinstance(value, str) else quoted


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _at(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _key_path(db: sqlite3.Connection) -> Path | None:
    """Where this database's search-hash key lives (beside the file), or None for a database in memory."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            path = Path(file)
            return path.with_name(path.name + ".audit-key")
    return None


def _load_key(path: Path | None) -> bytes:
    """The installation's key: read, or made once (readable by its owner only; made whole or not at all)."""
    if path is None:
        return secrets.token_bytes(32)
    if not path.is_file():
        staged = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode())
        finally:
            os.close(fd)
        try:
            os.link(staged, path)  # fails if another process made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            staged.unlink()
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 16:
        raise ValueError(f"the audit key {path} is damaged; restore it from backup (searches hash with it)")
    return key


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
    detail: str  # as shown: any search text withheld (:func:`shown_detail`)


class AuditLog:
    """The audit log in the app database."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._db.executescript(_DDL)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(audit)")}
        if "hash" not in columns:
            self._seal_existing()
        self._key_file = _key_path(db)
        self._key: bytes | None = None
        self._db.create_function("disrupt_searched", 2, _searched_match, deterministic=True)

    # -- writing

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
        searched: str | None = None,
    ) -> int:
        """Append one entry and return its id. Raises if it cannot be written, so nothing is shown unlogged.

        ``searched`` is text the user typed to find someone: the entry keeps only its length and
        keyed hash (:meth:`searched`), after ``detail``.
        """
        if searched is not None:
            detail = "; ".join(part for part in (self.searched(searched), detail) if part)
        # one writer at a time, in this process and across processes, so no two entries follow the same one
        with write_transaction(self._db) as db:
            now = _now()  # read once the lock is held, so entries are in time order
            self._close_windows(db, now)
            return self._append(db, now, user, role, action, records, purpose, outcome, detail)

    def searched(self, text: str, *, what: str = "search text") -> str:
        """The detail that stands for ``text`` typed to find someone: its length and a keyed hash, never the text.

        >>> import sqlite3; log = AuditLog(sqlite3.connect(":memory:", isolation_level=None))
        >>> log.searched("Jo Bloggs").startswith("search text withheld (9 characters) [searched:v1:")
        True
        """
        words = normalised_words(text)
        word_marks = sorted({self._digest("word", w)[:12] for w in words[:_MAX_WORDS]})
        mark = f"[searched:v1:{self._digest('text', ' '.join(words))}:{','.join(word_marks)}]"
        return f"{what} withheld ({len(text.strip())} characters) {mark}"

    def refuse_sign_in(self, name: str, *, client: str = "", known: bool = False) -> None:
        """Count a refused sign-in under ``name`` from ``client`` (see the module's note on counting).

        A ``known`` name (an account's) is kept, bounded; any other is withheld like search text,
        since it is whatever was typed, a password typed in the wrong box included.
        """
        user = bounded(name) if known else UNKNOWN_USER
        withheld = "" if known else self.searched(name, what="user name")
        key = user if known else withheld
        source = bounded(client) or "-"
        with write_transaction(self._db) as db:
            now = _now()
            window = _window(now)
            self._close_windows(db, now)
            counted = db.execute(
                "UPDATE sign_in_refusals SET count = count + 1, last_at = ? "
                "WHERE window = ? AND key = ? AND client = ? RETURNING count",
                (_at(now), window, key, source),
            ).fetchall()
            if counted:
                return
            (pairs,) = db.execute(
                "SELECT count(*) FROM sign_in_refusals WHERE window = ? AND key != ?", (window, _OVERFLOW)
            ).fetchone()
            if pairs >= NAMES_PER_WINDOW:
                key, source, user, withheld = _OVERFLOW, _OVERFLOW, "(other user names)", ""
                if db.execute(
                    "UPDATE sign_in_refusals SET count = count + 1, last_at = ? "
                    "WHERE window = ? AND key = ? AND client = ? RETURNING count",
                    (_at(now), window, key, source),
                ).fetchall():
                    return
            db.execute(
                "INSERT INTO sign_in_refusals(window, key, client, user, detail, count, first_at, last_at) "
                "VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                (window, key, source, user, withheld, _at(now), _at(now)),
            )
            if key == _OVERFLOW:
                detail = (
                    f"more than {NAMES_PER_WINDOW} user names or clients refused in the minute from {window}: "
                    "the rest of that minute are counted together"
                )
            else:
                detail = "; ".join(
                    part for part in (f"from {source}", withheld, "more refusals in this minute are counted") if part
                )
            self._append(db, now, user, "-", "sign in", (), "-", "refused", detail)

    def close_sign_in_windows(self) -> None:
        """Write the counts of refused sign-ins in minutes that have ended as entries (done by every write too)."""
        now = _now()
        if self._db.execute("SELECT 1 FROM sign_in_refusals WHERE window < ? LIMIT 1", (_window(now),)).fetchone():
            with write_transaction(self._db) as db:
                self._close_windows(db, now)

    def _close_windows(self, db: sqlite3.Connection, now: dt.datetime) -> None:
        """Inside a write transaction: one entry per counted refusal pair of an ended minute, then forget them."""
        window = _window(now)
        ended = db.execute(
            "SELECT key, client, user, detail, count, first_at, last_at FROM sign_in_refusals "
            "WHERE window < ? ORDER BY window, first_at",
            (window,),
        ).fetchall()
        for key, client, user, withheld, count, first_at, last_at in ended:
            if count < 2:
                continue  # the entry written at the first refusal says it all
            if key == _OVERFLOW:
                detail = f"{count - 1} more refused under other names or from other clients, {first_at} to {last_at}"
            else:
                parts = (f"{count - 1} more refused from {client}, {first_at} to {last_at}", withheld)
                detail = "; ".join(part for part in parts if part)
            self._append(db, now, user, "-", "sign in", (), "-", "refused", detail)
        if ended:
            db.execute("DELETE FROM sign_in_refusals WHERE window < ?", (window,))

    def _append(
        self,
        db: sqlite3.Connection,
        now: dt.datetime,
        user: str,
        role: str,
        action: str,
        records: Iterable[str],
        purpose: str,
        outcome: str,
        detail: str,
    ) -> int:
        ids = list(dict.fromkeys(records))
        last = db.execute("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1").fetchall()
        entry_id, previous = (last[0][0] + 1, last[0][1]) if last else (1, _GENESIS)
        at = max(_at(now), last[0][2]) if last else _at(now)  # never before the entry it follows
        kept = json.dumps(ids[:MAX_RECORDS])
        row = (entry_id, at, user, role, action, kept, len(ids), purpose, outcome, detail)
        db.execute(_INSERT, (*row, previous, entry_hash(previous, row)))
        return int(entry_id)

    def _digest(self, what: str, text: str) -> str:
        if self._key is None:
            self._key = _load_key(self._key_file)
        return hmac.new(self._key, f"{what}\x00{text}".encode(), hashlib.sha256).hexdigest()[:32]

    # -- reading

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
        searched: str | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """The newest entries first, narrowed by any of: one user, any of ``records`` among the records
        an entry covers, a date range (``since`` and ``until`` inclusive, UTC days), words in the purpose,
        and ``searched``: entries whose withheld text had all these words (in any order and case)."""
        self.close_sign_in_windows()
        query = self._searched_query(searched) if searched and searched.strip() else None
        where, params = _filters(user=user, records=records, since=since, until=until, purpose=purpose, searched=query)
        rows = self._db.execute(_SELECT_CONTENT + where + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            AuditEntry(i, at, u, r, a, tuple(json.loads(rec)), n, p, o, shown_detail(d))
            for i, at, u, r, a, rec, n, p, o, d in rows
        ]

    def _searched_query(self, text: str) -> str:
        """What :func:`_searched_match` compares an entry with: the hashes of ``text`` and its words, as JSON."""
        words = normalised_words(text)
        return json.dumps(
            {
                "text": self._digest("text", " ".join(words)),
                "words": sorted({self._digest("word", w)[:12] for w in words[:_MAX_WORDS]}),
                "plain": words,  # for entries written before the hashes, compared here and never shown
            }
        )

    def users(self) -> list[str]:
        """Every user name the log holds an entry for, in order."""
        return [str(u) for (u,) in self._db.execute("SELECT DISTINCT user FROM audit ORDER BY user")]

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM audit").fetchone()[0])


def check_sign_in(accounts: Accounts, audit: AuditLog, name: str, password: str, *, client: str = "") -> User | None:
    """The user if ``name`` and ``password`` sign in; otherwise the refusal is counted in ``audit``.

    The account's lockout (:meth:`Accounts.verify`) is unchanged: this only decides what the log keeps.
    """
    user = accounts.verify(name, password)
    if user is None:
        audit.refuse_sign_in(name, client=client, known=accounts.get(name) is not None)
    return user


def _window(moment: dt.datetime) -> str:
    start = int(moment.timestamp()) // SIGN_IN_WINDOW_SECONDS * SIGN_IN_WINDOW_SECONDS
    return dt.datetime.fromtimestamp(start, dt.UTC).isoformat(timespec="seconds")


@functools.lru_cache(maxsize=8)
def _parsed_query(query: str) -> tuple[str, frozenset[str], tuple[str, ...]]:
    q = json.loads(query)
    return str(q["text"]), frozenset(q["words"]), tuple(q["plain"])


def _searched_match(detail: str | None, query: str) -> int:
    """SQL ``disrupt_searched(detail, query)``: 1 when the entry's withheld text had the query's words."""
    if not detail:
        return 0
    text, words, plain = _parsed_query(query)
    found = _MARK.search(detail)
    if found:
        return int(found.group(1) == text or (bool(words) and words <= set(found.group(2).split(","))))
    for legacy in _LEGACY.finditer(detail):  # an older entry kept the text itself
        kept = normalised_words(_legacy_text(legacy.group(2)))
        if tuple(kept) == plain or (plain and set(plain) <= set(kept)):
            return 1
    return 0


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
