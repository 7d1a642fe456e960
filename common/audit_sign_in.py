"""Refused sign-ins, counted rather than written one by one.

The first refusal of a user name from a client in a minute is an entry; the rest of that minute are
one more entry with their count, written once the minute has ended; past :data:`NAMES_PER_WINDOW`
names in a minute the others are counted together. A flood of attempts under made-up names so writes
a few entries a minute, and no refusal goes uncounted.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from common.audit_chain import append, at_text
from common.roles import NOBODY

NAMES_PER_WINDOW = 10  # (user name, client) pairs recorded one by one per minute of refused sign-ins
SIGN_IN_WINDOW_SECONDS = 60
UNKNOWN_USER = "(unknown user name)"
OTHER_USERS = "(other user names)"
_OVERFLOW = "*"  # the key under which refusals past NAMES_PER_WINDOW in a minute are counted together

DDL = """
CREATE TABLE IF NOT EXISTS sign_in_refusals(
    window TEXT NOT NULL, key TEXT NOT NULL, client TEXT NOT NULL, user TEXT NOT NULL, detail TEXT NOT NULL,
    count INTEGER NOT NULL, first_at TEXT NOT NULL, last_at TEXT NOT NULL, PRIMARY KEY (window, key, client)
);
"""
_COUNT = (
    "UPDATE sign_in_refusals SET count = count + 1, last_at = ? "
    "WHERE window = ? AND key = ? AND client = ? RETURNING count"
)


def window_of(moment: dt.datetime) -> str:
    """The minute ``moment`` falls in, as the refusals table keys it.

    >>> window_of(dt.datetime(2026, 12, 2, 6, 30, 59, tzinfo=dt.UTC))
    '2026-12-02T06:30:00+00:00'
    """
    start = int(moment.timestamp()) // SIGN_IN_WINDOW_SECONDS * SIGN_IN_WINDOW_SECONDS
    return dt.datetime.fromtimestamp(start, dt.UTC).isoformat(timespec="seconds")


def count_refusal(db: sqlite3.Connection, now: dt.datetime, *, user: str, key: str, client: str, withheld: str) -> None:
    """Inside a write transaction: count one refusal of ``key`` from ``client``, writing an entry if it is the first.

    ``user`` is what the entry names (the account, or :data:`UNKNOWN_USER`); ``withheld`` the detail
    standing for a name no account has (empty for an account's).
    """
    window = window_of(now)
    if db.execute(_COUNT, (at_text(now), window, key, client)).fetchall():
        return
    (pairs,) = db.execute(
        "SELECT count(*) FROM sign_in_refusals WHERE window = ? AND key != ?", (window, _OVERFLOW)
    ).fetchone()
    if pairs >= NAMES_PER_WINDOW:
        key, client, user, withheld = _OVERFLOW, _OVERFLOW, OTHER_USERS, ""
        if db.execute(_COUNT, (at_text(now), window, key, client)).fetchall():
            return
    db.execute(
        "INSERT INTO sign_in_refusals(window, key, client, user, detail, count, first_at, last_at) "
        "VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
        (window, key, client, user, withheld, at_text(now), at_text(now)),
    )
    if key == _OVERFLOW:
        detail = (
            f"more than {NAMES_PER_WINDOW} user names or clients refused in the minute from {window}: "
            "the rest of that minute are counted together"
        )
    else:
        detail = "; ".join(
            part for part in (f"from {client}", withheld, "more refusals in this minute are counted") if part
        )
    _refused(db, now, user, detail)


def any_ended(db: sqlite3.Connection, now: dt.datetime) -> bool:
    """Whether refusals of a minute that has ended are still waiting to be written."""
    found = db.execute("SELECT 1 FROM sign_in_refusals WHERE window < ? LIMIT 1", (window_of(now),)).fetchone()
    return found is not None


def close_windows(db: sqlite3.Connection, now: dt.datetime) -> None:
    """Inside a write transaction: one entry per counted refusal pair of an ended minute, then forget them."""
    window = window_of(now)
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
        _refused(db, now, user, detail)
    if ended:
        db.execute("DELETE FROM sign_in_refusals WHERE window < ?", (window,))


def _refused(db: sqlite3.Connection, now: dt.datetime, user: str, detail: str) -> None:
    append(db, now, user=user, role=NOBODY, action="sign in", records=(), purpose="-", outcome="refused", detail=detail)
