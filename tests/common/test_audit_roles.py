"""Roles are a closed set on every record that holds one: accounts, web sessions and audit entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts import AccountError, Accounts
from app.web_sessions import WebSessions
from common.app_db import open_app_db
from common.audit import AuditLog
from common.roles import AUDIT_ROLES, ROLES


def test_an_entry_is_written_only_under_a_role_the_app_knows(tmp_path: Path) -> None:
    log = AuditLog(open_app_db(tmp_path / "app.db"))
    with pytest.raises(ValueError, match="role must be one of analyst, licensing, strategic, admin, command line, -"):
        log.record(user="u", role="root", action="a", purpose="p", outcome="shown")  # type: ignore[arg-type]
    assert log.count() == 0
    for role in AUDIT_ROLES:
        log.record(user="u", role=role, action="a", purpose="p", outcome="shown")
    assert [e.role for e in reversed(log.entries())] == list(AUDIT_ROLES)


def test_an_entry_changed_by_hand_to_an_unknown_role_is_named_not_shown_as_if_written(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    log = AuditLog(open_app_db(path))
    log.record(user="u", role="analyst", action="a", purpose="p", outcome="shown")
    db = open_app_db(path)
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit SET role = 'superuser' WHERE id = 1")
    with pytest.raises(ValueError, match=r"audit entry 1 holds role 'superuser'.*disrupt audit verify"):
        log.entries()
    assert not log.verify().intact


def test_a_user_or_session_read_back_holds_one_of_the_roles(tmp_path: Path) -> None:
    db = open_app_db(tmp_path / "app.db")
    accounts, sessions = Accounts(db), WebSessions(db)
    accounts.add("ann", "analyst", None)
    row, _ = sessions.begin("ann", "analyst", "cookie")
    assert accounts.get("ann").role in ROLES and sessions.get(row.id).role == "analyst"  # type: ignore[union-attr]
    db.execute("UPDATE users SET role = 'root'")
    with pytest.raises(AccountError, match="user 'ann' holds unknown role 'root'"):
        accounts.list()
    db.execute("UPDATE web_sessions SET role = 'root'")
    with pytest.raises(ValueError, match="unknown role 'root'"):
        sessions.get(row.id)
