"""``disrupt users`` manages the app's users from the server's command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from app.accounts import Accounts, open_app_db
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
