"""The sign-in lockout holds when wrong passwords arrive all at once (issue 21, point 1).

Before this, the failure count was read, argon2 ran, then read + 1 was written: thirty parallel
wrong passwords left ``failures=1`` and no lock, and the right password was accepted after ~38
guesses. Each attempt is now counted by one atomic UPDATE before the hash is checked.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher

from app.accounts import LOCKOUT, MAX_FAILURES, Accounts
from common.app_db import open_app_db

RIGHT = "the right password"


def _accounts(path: Path) -> Accounts:
    """Accounts on ``path`` hashing with cheap argon2 settings (the lockout, not the hash, is under test)."""
    accounts = Accounts(open_app_db(path))
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    return accounts


def _guess_in_parallel(accounts: list[Accounts], n: int) -> list[bool]:
    """``n`` wrong passwords released at the same moment, spread over the given connections."""
    start = threading.Barrier(n)

    def attempt(i: int) -> bool:
        start.wait()
        return accounts[i % len(accounts)].verify("lee", f"wrong guess {i:04d}") is not None

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(attempt, range(n)))


def test_thirty_parallel_wrong_passwords_lock_the_account(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    # one shared connection (one app process) and several (several app processes) on one file
    shared = _accounts(path)
    shared.add("lee", "licensing", RIGHT)
    others = [_accounts(path) for _ in range(3)]
    accepted = _guess_in_parallel([shared, *others], 30)
    assert not any(accepted)
    assert shared.is_locked("lee")
    assert shared.verify("lee", RIGHT) is None  # locked: even the right password is refused


def test_rounds_of_parallel_guesses_never_reach_the_right_password(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    accounts = [_accounts(path) for _ in range(4)]
    accounts[0].add("lee", "licensing", RIGHT)
    checked: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checked.append(str(password))
            return super().verify(hash, password)

    for a in accounts:
        a._hasher = CountingHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    for _ in range(4):
        _guess_in_parallel(accounts, 10)
        assert accounts[0].verify("lee", RIGHT) is None
    assert len(checked) <= MAX_FAILURES  # only the guesses within the budget were checked at all
    assert RIGHT not in checked  # the right password was never even checked: the account was locked


def test_fewer_failures_than_the_limit_then_the_right_password_signs_in(tmp_path: Path) -> None:
    accounts = _accounts(tmp_path / "app.db")
    accounts.add("lee", "licensing", RIGHT)
    for i in range(MAX_FAILURES - 1):
        assert accounts.verify("lee", f"typo {i}") is None
    assert accounts.verify("lee", RIGHT) is not None
    for i in range(MAX_FAILURES - 1):  # the count started again after the success
        assert accounts.verify("lee", f"typo {i}") is None
    assert not accounts.is_locked("lee")
    assert LOCKOUT.total_seconds() >= 60
