"""Accounts, the access policy and the audit log, on their own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app import accounts as accounts_module
from app.accounts import AccountError, Accounts
from app.gateway import Gateway, Viewer
from app.policy import GRANTS, ROLES, AccessDenied, may, require, visible_properties
from common.app_db import open_app_db
from common.audit import AuditLog
from graph import open_store
from graph.records import Provenance, new_entity


@pytest.fixture
def db(tmp_path: Path) -> sqlite3.Connection:
    return open_app_db(tmp_path / "app.db")


def test_passwords_are_stored_as_argon2_hashes_and_checked(db: sqlite3.Connection) -> None:
    accounts = Accounts(db)
    accounts.add("amira", "analyst", "twelve chars ok")
    stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and "twelve" not in stored
    assert accounts.verify("amira", "twelve chars ok") is not None
    assert accounts.verify("amira", "twelve chars no") is None
    assert accounts.verify("nobody", "twelve chars ok") is None


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("Amira Smith", "analyst", "twelve chars ok", "not allowed"),
        ("amira", "superuser", "twelve chars ok", "unknown role"),
        ("amira", "analyst", "short", "at least 12"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(
    db: sqlite3.Connection, name: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        Accounts(db).add(name, role, password)


def test_repeated_failures_lock_the_account(db: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = Accounts(db)
    accounts.add("lee", "licensing", "twelve chars ok")
    for _ in range(accounts_module.MAX_FAILURES):
        assert accounts.verify("lee", "wrong password!") is None
    assert accounts.is_locked("lee")
    assert accounts.verify("lee", "twelve chars ok") is None  # even the right password, while locked
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("lee", "licensing", "twelve chars ok")
    accounts.add("lee", "licensing", "another twelve", replace=True)  # an administrator's reset unlocks
    assert accounts.verify("lee", "another twelve") is not None


def test_every_role_holds_only_its_own_capabilities() -> None:
    assert GRANTS["licensing"] == {"check_licensing"}
    assert GRANTS["strategic"] == {"view_hotspots", "view_dashboard"}
    assert not any(may(r, "view_profile") for r in ROLES if r != "analyst")
    assert not any(may(r, "view_audit") for r in ROLES if r != "admin")
    assert not may("intruder", "check_licensing")
    with pytest.raises(AccessDenied, match="licensing officer may not view profile"):
        require("licensing", "view_profile")


def test_sensitive_properties_are_withheld_from_all_but_analysts() -> None:
    from graph.schema import load_schema

    schema = load_schema()
    props = {"ref": "P1", "full_name": "Test Person", "date_of_birth": "2010-01-01", "gender": "female"}
    assert visible_properties("analyst", "Person", props, schema) == props
    assert visible_properties("licensing", "Person", props, schema) == {"ref": "P1", "gender": "female"}


def test_properties_nobody_declared_are_withheld_from_all_but_analysts() -> None:
    """An imported graph keeps what the schema does not declare (issue 24): an NHS number kept as an
    extra property, or an open kind's own properties, are not for licensing or strategic eyes."""
    from graph.schema import load_schema

    schema = load_schema()
    person = {"ref": "P1", "gender": "female", "extra_nhs_no": "999 000 0000"}
    other = {"ref": "O1", "name": "Zqx Example", "badge_number": "0000"}
    assert visible_properties("analyst", "Person", person, schema) == person
    for role in ("licensing", "strategic", "admin"):
        assert visible_properties(role, "Person", person, schema) == {"ref": "P1", "gender": "female"}
        assert visible_properties(role, "Other", other, schema) == {"ref": "O1", "name": "Zqx Example"}


def test_the_audit_log_refuses_edits_and_deletions(db: sqlite3.Connection) -> None:
    log = AuditLog(db)
    log.record(user="u", role="analyst", action="search", records=["a", "b", "a"], purpose="p", outcome="shown")
    entry = log.entries()[0]
    assert entry.records == ("a", "b") and entry.record_count == 2
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET user = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")
    assert log.count() == 1


def _small_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    source = Provenance("police_nominals", "N1", "2026-01-01T00:00:00+00:00")
    store.upsert([new_entity("Person", {"ref": "P1", "full_name": "Tess Tester"}, provenance=source)])
    return store


def test_the_gateway_audits_before_returning_and_refuses_across_roles(tmp_path: Path, db: sqlite3.Connection) -> None:
    store = _small_store(tmp_path)
    log = AuditLog(db)
    analyst = Gateway(store, log, Viewer("ann", "analyst", "OP-1 test"))
    assert [r["label"] for r in analyst.search("Tester")] == ["Tess Tester"]
    entry = log.entries()[0]
    assert (entry.user, entry.action, entry.purpose, entry.record_count) == ("ann", "search", "OP-1 test", 1)
    officer = Gateway(store, log, Viewer("lee", "licensing", "licence review"))
    with pytest.raises(AccessDenied):
        officer.search("Tester")
    assert log.entries()[0].outcome == "refused"
    with pytest.raises(ValueError, match="purpose"):
        Gateway(store, log, Viewer("ann", "analyst", "  "))


def test_nothing_is_returned_when_the_audit_cannot_be_written(tmp_path: Path, db: sqlite3.Connection) -> None:
    store = _small_store(tmp_path)
    log = AuditLog(db)
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("CREATE TRIGGER audit_full BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        Gateway(store, log, Viewer("ann", "analyst", "OP-1 test")).search("Tester")
