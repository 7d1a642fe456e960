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


def test_web_sessions_and_audit_writes_on_two_connections_do_not_lock_each_other_out(tmp_path: Path) -> None:
    """The app holds two connections to app.db (its runtime's and the cookie route's); each run touches
    the web session while other sessions write audit entries. A bare write failed with "database is
    locked" under a 10-session load run."""
    from app.web_sessions import WebSessions

    runtime_db, route_db = open_app_db(tmp_path / "app.db"), open_app_db(tmp_path / "app.db")
    log, sessions, route_sessions = AuditLog(runtime_db), WebSessions(runtime_db), WebSessions(route_db)
    begun = [sessions.begin("lee", "analyst", f"cookie-{i}")[0].id for i in range(8)]

    def work(i: int) -> None:
        session_id = begun[i % len(begun)]
        if i % 4 == 0:
            log.record(user="lee", role="analyst", action=f"view {i}", purpose="OP-1 test", outcome="shown")
        elif i % 4 == 1:
            route_sessions.touch(session_id)
        elif i % 4 == 2:
            sessions.set_purpose(session_id, f"OP-{i}")
        else:
            sessions.touch(session_id)
            route_sessions.end_idle(3600)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(work, range(2000)))
    assert log.verify().intact
    assert all(sessions.get(s) is not None for s in begun)
