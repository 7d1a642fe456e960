"""``disrupt users`` manages the app's users from the server's command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from app.accounts import Accounts
from common.app_db import open_app_db
from disrupt.cli import main
from disrupt.commands_app import streamlit_command


def _run(tmp_path: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    env = {"DISRUPT_DATA_DIR": str(tmp_path), "DISRUPT_APP_DB": ""}
    result = CliRunner().invoke(main, list(args), env=env, input=stdin)
    return result.exit_code, result.output


def test_users_add_list_remove(tmp_path: Path) -> None:
    code, out = _run(
        tmp_path, "users", "add", "lee", "--role", "licensing", "--password-stdin", stdin="a good long password\n"
    )
    assert code == 0, out
    code, out = _run(tmp_path, "users", "add", "ann", "--role", "analyst", stdin="another long one\nanother long one\n")
    assert code == 0, out  # prompted twice, hidden
    code, out = _run(tmp_path, "users", "list")
    assert "lee" in out and "licensing officer" in out and "ann" in out
    assert Accounts(open_app_db(tmp_path / "app.db")).verify("lee", "a good long password") is not None
    code, out = _run(tmp_path, "users", "remove", "lee")
    assert code == 0 and "Removed lee" in out
    code, out = _run(tmp_path, "users", "remove", "lee")
    assert code != 0 and "no user 'lee'" in out


def test_users_add_explains_what_is_wrong(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "users", "add", "lee", "--role", "licensing", "--password-stdin", stdin="short\n")
    assert code != 0 and "at least 12 characters" in out
    code, out = _run(tmp_path, "users", "add", "lee", "--role", "chief", "--password-stdin", stdin="x" * 20)
    assert code != 0 and "chief" in out


def test_app_refuses_to_start_with_no_users_and_serves_with_xsrf_on(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "app")
    assert code != 0 and "disrupt users add" in out
    command = streamlit_command("127.0.0.1", 8601)
    assert command[command.index("--server.enableXsrfProtection") + 1] == "true"
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
    assert command[command.index("--client.showErrorDetails") + 1] == "none"  # no traceback reaches a user


def test_command_line_reads_are_audited_with_the_login_and_purpose(tmp_path: Path) -> None:
    from common.audit import AuditLog
    from graph import open_store
    from graph.records import Provenance, new_entity

    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    source = Provenance("police_nominals", "N1", "2026-01-01T00:00:00+00:00")
    store.upsert([new_entity("Person", {"ref": "P1", "full_name": "Tess Tester"}, provenance=source)])
    store.close()
    env = {
        "DISRUPT_DATA_DIR": str(tmp_path),
        "DISRUPT_APP_DB": "",
        "DISRUPT_STORE": "",
        "DISRUPT_PURPOSE": "OP-9 check",
    }
    result = CliRunner().invoke(main, ["search", "Tester"], env=env)
    assert result.exit_code == 0 and "Tess Tester" in result.output
    entry = AuditLog(open_app_db(tmp_path / "app.db")).entries()[0]
    assert (entry.action, entry.role, entry.purpose, entry.record_count) == ("search", "command line", "OP-9 check", 1)


def test_demo_serves_the_app_with_one_user_per_role(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from disrupt import commands_app

    served: list[tuple[str, int]] = []
    monkeypatch.setattr(commands_app, "serve", lambda settings, host, port: served.append((host, port)))
    env = {"DISRUPT_DATA_DIR": str(tmp_path), "DISRUPT_APP_DB": "", "DISRUPT_STORE": ""}
    result = CliRunner().invoke(main, ["demo", "--people", "300", "--port", "8642", "--quiet"], env=env)
    assert result.exit_code == 0, result.output
    assert served == [("127.0.0.1", 8642)]
    accounts = Accounts(open_app_db(tmp_path / "app.db"))
    assert sorted(u.role for u in accounts.list()) == ["admin", "analyst", "licensing", "strategic"]
    for user in accounts.list():  # every printed password signs its user in
        line = next(ln for ln in result.output.splitlines() if user.name in ln)
        password = line.split("│")[-2].strip()
        assert accounts.verify(user.name, password) is not None
    assert (tmp_path / "boundaries" / "wards.geojson").is_file()
