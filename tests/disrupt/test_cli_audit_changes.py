"""Changes made on the command line reach the audit log (issue 21, point 11): adding, resetting and
removing users, and copying a whole store (a disclosure of everything in it). Before this, none of
the three wrote an entry."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from common.app_db import open_app_db
from common.audit import AuditLog
from disrupt.cli import main
from graph import open_store
from graph.records import Provenance, new_entity


def _env(data: Path) -> dict[str, str]:
    return {
        "DISRUPT_DATA_DIR": str(data),
        "DISRUPT_STORE": "",
        "DISRUPT_APP_DB": str(data / "app.db"),  # not one another test's fixture left in the environment
        "DISRUPT_PURPOSE": "TEST-OP-9 housekeeping",
    }


def _actions(data: Path) -> list[tuple[str, str, str]]:
    log = AuditLog(open_app_db(data / "app.db"))
    return [(e.action, e.outcome, e.detail) for e in reversed(log.entries(limit=50))]


def test_adding_resetting_and_removing_a_user_is_audited(tmp_path: Path) -> None:
    run = CliRunner()
    for args in (
        ["users", "add", "ada", "--role", "analyst", "--password-stdin"],
        ["users", "add", "ada", "--role", "licensing", "--password-stdin", "--replace"],
        ["users", "remove", "ada"],
    ):
        result = run.invoke(main, args, env=_env(tmp_path), input="a long enough password\n")
        assert result.exit_code == 0, result.output
    assert _actions(tmp_path) == [
        ("user added", "changed", "ada as analyst"),
        ("user reset", "changed", "ada as licensing"),
        ("user removed", "changed", "ada"),
    ]
    assert "a long enough password" not in str(_actions(tmp_path))


def test_copying_a_store_is_audited_without_credentials(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    with open_store(f"sqlite:///{source}") as store:
        person = new_entity("Person", {"ref": "P1", "full_name": "Tess Tester"}, provenance=Provenance("s", "1", "t"))
        store.upsert([person])
    target = tmp_path / "target.db"
    result = CliRunner().invoke(main, ["copy-store", f"sqlite:///{source}", f"sqlite:///{target}"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    [(action, outcome, detail)] = _actions(tmp_path)
    assert (action, outcome) == ("copy store", "exported")
    assert str(source) in detail and str(target) in detail
