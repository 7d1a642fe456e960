"""Refused sign-ins cannot flood the audit log (issue 21): they are counted, not written one by one.

Before this, the sign-in page wrote one entry per refusal under whatever user name was typed
(cut to 40 characters, control characters and all): 2,000 attempts under made-up names wrote 2,000
entries and 2,000 names into the administrator's user list. Now the first refusal of a name from a
client in a minute is an entry, the rest of that minute one entry with their count, and past
``NAMES_PER_WINDOW`` names a minute the others are counted together; no refusal goes uncounted.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import common.audit
from app.accounts import Accounts, check_sign_in
from common.app_db import open_app_db
from common.audit import AuditEntry, AuditLog
from common.audit_sign_in import NAMES_PER_WINDOW, UNKNOWN_USER
from common.audit_text import MAX_NAME

RIGHT = "the right password"
_COUNTED = re.compile(r"^(\d+) (more )?refused")


def _accounts(path: Path) -> Accounts:
    """Accounts hashing with cheap argon2 settings (what the log keeps is under test, not the hash)."""
    accounts = Accounts(open_app_db(path))
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    accounts._db.execute("PRAGMA synchronous=OFF")  # this connection's commits skip fsync: a fast test, same rows
    return accounts


class _PerThread:
    """Each thread's own connection to one app database, as the app's script threads have (``app.session.runtime``).

    A connection shared by threads lets one thread's read run inside another's write transaction,
    and SQLite then refuses the write ("database is locked"); the app stopped doing that, so the
    tests do not either.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()

    def __call__(self) -> tuple[Accounts, AuditLog]:
        held: tuple[Accounts, AuditLog] | None = getattr(self._local, "held", None)
        if held is None:
            accounts = _accounts(self._path)
            held = self._local.held = (accounts, AuditLog(accounts._db))
        return held


def _refusals(log: AuditLog) -> list[AuditEntry]:
    return [e for e in log.entries(limit=100_000) if e.action == "sign in" and e.outcome == "refused"]


def _counted(entries: list[AuditEntry]) -> int:
    """Refusals the entries stand for: a first refusal is one; a count entry says how many."""
    found = (_COUNTED.match(e.detail) for e in entries)
    return sum(int(m.group(1)) if m else 1 for m in found)


def _windows(start: dt.datetime, end: dt.datetime) -> int:
    """How many minute windows the attempts between ``start`` and ``end`` fell in."""
    return int(end.timestamp()) // 60 - int(start.timestamp()) // 60 + 1


def _after_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    monkeypatch.setattr(common.audit, "_now", lambda: later)


def test_two_thousand_made_up_ten_kb_names_write_a_few_bounded_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = _accounts(tmp_path / "app.db")
    accounts.add("lee", "licensing", RIGHT)
    log = AuditLog(accounts._db)
    rng = random.Random(21)
    alphabet = string.printable + "\x00\x1b\u202e\u2028é字"
    attempts = 2000
    names = ["".join(rng.choices(alphabet, k=10_000)) for _ in range(attempts)]
    start = dt.datetime.now(dt.UTC)
    mine = _PerThread(tmp_path / "app.db")

    def attempt(name: str) -> bool:
        return check_sign_in(*mine(), name, "guess", client="203.0.113.9") is not None

    with ThreadPoolExecutor(max_workers=8) as pool:  # as a flood arrives: many at once
        assert not any(pool.map(attempt, names))
    end = dt.datetime.now(dt.UTC)
    per_window = 2 * NAMES_PER_WINDOW + 2  # first refusals, their counts, and the overflow's two
    written = _refusals(log)
    assert len(written) <= per_window * _windows(start, end), len(written)
    assert len(written) <= 4 * per_window  # a few dozen at most, not 2,000
    for e in written:
        assert e.user in {UNKNOWN_USER, "(other user names)"} and len(e.user) <= MAX_NAME
        assert len(e.detail) < 1000 and not re.search(r"[\x00-\x1f\u202e\u2028]", e.detail), e.detail
    assert set(log.users()) <= {UNKNOWN_USER, "(other user names)"}  # the user list holds no made-up name
    _after_the_window(monkeypatch)
    log.close_sign_in_windows()
    written = _refusals(log)
    assert _counted(written) == attempts  # every refusal is counted in the chain once its minute ends
    assert log.verify().intact


def test_one_account_guessed_in_parallel_is_locked_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = _accounts(tmp_path / "app.db")
    accounts.add("lee", "licensing", RIGHT)
    mine = _PerThread(tmp_path / "app.db")
    n = 40
    start = threading.Barrier(n)

    def attempt(i: int) -> bool:
        start.wait()
        return check_sign_in(*mine(), "lee", f"wrong {i}", client="198.51.100.7") is not None

    with ThreadPoolExecutor(max_workers=n) as pool:
        assert not any(pool.map(attempt, range(n)))
    assert accounts.is_locked("lee")  # the lockout is untouched by the counting
    log = AuditLog(accounts._db)
    first = _refusals(log)
    assert [e.user for e in first] == ["lee"] and "from 198.51.100.7" in first[0].detail
    _after_the_window(monkeypatch)
    log.close_sign_in_windows()
    written = _refusals(log)
    assert len(written) == 2 and _counted(written) == n, [e.detail for e in written]
    assert log.verify().intact


def test_a_known_name_is_kept_and_an_unknown_one_is_withheld_but_findable(tmp_path: Path) -> None:
    accounts = _accounts(tmp_path / "app.db")
    accounts.add("lee", "licensing", RIGHT)
    log = AuditLog(accounts._db)
    check_sign_in(accounts, log, "lee", "typo", client="192.0.2.1")
    check_sign_in(accounts, log, "my password typed in the name box", "x", client="192.0.2.1")
    assert check_sign_in(accounts, log, "lee", RIGHT, client="192.0.2.1") is not None
    entries = _refusals(log)
    assert {e.user for e in entries} == {"lee", UNKNOWN_USER}
    assert "password typed" not in str(entries)
    assert [e.user for e in log.entries(searched="typed in the name box my password")] == [UNKNOWN_USER]
