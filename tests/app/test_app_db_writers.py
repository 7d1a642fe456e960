"""The app's accounts and audit log share one database connection per process; their write
transactions must never overlap on it ("cannot start a transaction within a transaction")."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from app.accounts import Accounts
from common.app_db import open_app_db
from common.audit import AuditLog


def test_sign_ins_and_audit_entries_on_one_connection_do_not_collide(tmp_path: Path) -> None:
    db = open_app_db(tmp_path / "app.db")  # one connection shared by threads, as the CLI and the cookie route hold it
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


def test_every_script_thread_reads_and_writes_the_app_database_without_faults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fifty sessions' script threads on one shared connection failed with "database is locked",
    "cannot commit - no transaction is active" and "another row available" (the 50-session load test)."""
    from app import session

    monkeypatch.setenv("DISRUPT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DISRUPT_APP_DB", str(tmp_path / "app.db"))
    session._settings.clear()
    first = session.runtime()
    first.accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    first.accounts.add("lee", "analyst", "the right password")
    begun = [first.sessions.begin("lee", "analyst", f"cookie-{i}")[0].id for i in range(8)]
    faults: list[BaseException] = []

    def one_session(i: int) -> None:
        here = session.runtime()  # as a script run on its own thread gets it
        try:
            for j in range(40):
                web = begun[(i + j) % len(begun)]
                here.sessions.touch(web)
                here.sessions.get(web)
                here.audit.record(user="lee", role="analyst", action=f"view {i}-{j}", purpose="OP-1", outcome="shown")
                here.audit.entries(user="lee", limit=20)
                here.accounts.get("lee")
        except BaseException as exc:  # every fault is the finding
            faults.append(exc)

    threads = [threading.Thread(target=one_session, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    session._settings.clear()
    assert not faults, faults[:3]
    check = first.audit.verify()
    assert check.intact and check.entries == 24 * 40, check


def test_a_write_waits_for_another_threads_read_on_the_same_connection(tmp_path: Path) -> None:
    """A read in flight on a shared connection, at a snapshot older than another connection's commit,
    made the next write on it fail at once with SQLITE_BUSY_SNAPSHOT ("database is locked"), which the
    busy timeout does not cover: 4 of 40 rounds of 40 parallel sign-ins failed so on a loaded machine."""
    shared, other = open_app_db(tmp_path / "app.db"), open_app_db(tmp_path / "app.db")
    log, other_log = AuditLog(shared), AuditLog(other)
    for i in range(3):
        log.record(user="lee", role="analyst", action=f"view {i}", purpose="OP-1", outcome="shown")
    reading = shared.execute("SELECT id FROM audit ORDER BY id")
    reading.fetchone()  # a read in flight: this connection now holds a snapshot
    other_log.record(user="kim", role="analyst", action="view", purpose="OP-1", outcome="shown")
    ended = threading.Timer(0.3, reading.fetchall)  # the reading thread finishes a moment later
    ended.start()
    log.record(user="lee", role="analyst", action="view after", purpose="OP-1", outcome="shown")
    ended.join()
    check = log.verify()
    assert check.intact and check.entries == 5, check
