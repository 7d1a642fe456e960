"""The app's accounts and audit log share one database connection per process; their write
transactions must never overlap on it ("cannot start a transaction within a transaction")."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from argon2 import PasswordHasher

from app.accounts import Accounts, open_app_db
from app.audit import AuditLog


def test_sign_ins_and_audit_entries_on_one_connection_do_not_collide(tmp_path: Path) -> None:
    db = open_app_db(tmp_path / "app.db")  # as the app's runtime shares it
    accounts, log = Accounts(db), AuditLog(db)
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    accounts.add("lee", "analyst", "the right password")

    def work(i: int) -> None:
        if i % 2:
            accounts.verify("lee", "the right password" if i % 3 else "a wrong one")
        else:
            log.record(user="lee", role="analyst", action=f"view {i}", purpose="OP-1 test", outcome="shown")

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(work, range(400)))
    check = log.verify()
    assert check.intact and check.entries == 200, check
