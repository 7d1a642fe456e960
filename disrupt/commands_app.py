"""``disrupt app`` serves the web app; ``disrupt users`` manages its local users."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType

import click
from rich.table import Table
from rich.text import Text

from app.accounts import AccountError, Accounts
from app.policy import ROLE_TITLES, ROLES
from common.app_db import open_app_db
from common.settings import Settings
from disrupt.cliutil import audit_change, console

log = logging.getLogger(__name__)
# The ASGI entry (app/asgi.py) wraps the Streamlit script app/main.py with the session cookie and
# the websocket's origin and XSRF checks; `streamlit run` finds its App and serves it with uvicorn.
SERVER_ENTRY = Path(__file__).resolve().parent.parent / "app" / "asgi.py"
DEMO_USERS = {role: f"demo-{role}" for role in ROLES}


def _accounts(settings: Settings) -> Accounts:
    return Accounts(open_app_db(settings.app_db_path))


def streamlit_command(host: str, port: int) -> list[str]:
    """The command that serves the app: headless, no usage statistics, XSRF protection on."""
    return [
        sys.executable, "-m", "streamlit", "run", str(SERVER_ENTRY),
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.enableXsrfProtection", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        "--global.developmentMode", "false",
        "--client.showErrorDetails", "none",  # a traceback names server paths and code: log it, never show it
        "--theme.base", "light",
        # Streamlit runs a full garbage collection after every script run: with the 100k store's results
        # in memory that was 67% of the server's CPU under 12 sessions (py-spy), one core for every
        # click. Python's own generational collector still runs.
        "--runner.postScriptGC", "false",
    ]  # fmt: skip


class _Stopped(Exception):
    """SIGTERM arrived: unwind so that the server child is stopped too."""


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise _Stopped(signum)


def _die_with_parent() -> None:
    """In the child, before exec: have Linux send SIGTERM if this CLI dies, even by SIGKILL."""
    with contextlib.suppress(OSError):  # no libc by that name: the signal handlers still stop the child
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


def stop_server(proc: subprocess.Popen[bytes], *, grace: float = 15.0) -> None:
    """Stop the Streamlit child: SIGTERM (it shuts down cleanly), then SIGKILL if it has not gone in ``grace`` s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.warning("the app server (pid %d) did not stop in %.0f s; killing it", proc.pid, grace)
            proc.kill()
            proc.wait()


def serve(settings: Settings, host: str, port: int) -> int:
    """Run the app in the foreground until interrupted, with the settings passed on explicitly.

    Ctrl+C (SIGINT) and SIGTERM both stop the Streamlit server this starts, so none is left serving
    after the command has gone. Returns the server's exit status.
    """
    env = dict(os.environ)
    env["DISRUPT_DATA_DIR"] = str(settings.data_dir)
    env["DISRUPT_STORE"] = settings.store_url
    env["DISRUPT_APP_DB"] = str(settings.app_db_path)
    console.print(f"Disrupt is at http://{host}:{port} (Ctrl+C stops it)")
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_stopped) if in_main else None
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list
        streamlit_command(host, port), env=env, preexec_fn=_die_with_parent if sys.platform == "linux" else None
    )
    try:
        return proc.wait()
    except (KeyboardInterrupt, _Stopped):
        console.print("Stopping ...")
        return 0
    finally:
        stop_server(proc)
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        console.print("Stopped.")


@click.command("app")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def app_command(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web app (localhost by default). Add users first with `disrupt users add`."""
    settings: Settings = ctx.obj
    if not _accounts(settings).list() and settings.auth == "local":
        raise click.ClickException("no users yet: add one with `disrupt users add NAME --role admin`")
    serve(settings, host, port)


@click.group()
def users() -> None:
    """Manage the app's local users and their roles."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may see.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--oidc", is_flag=True, help="The user signs in through the identity provider (NAME is the e-mail).")
@click.option("--replace", is_flag=True, help="Reset an existing user's role and password.")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, password_stdin: bool, oidc: bool, replace: bool) -> None:
    """Add a user (the password is prompted for unless --password-stdin or --oidc)."""
    password: str | None = None
    if not oidc:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = _accounts(ctx.obj).add(name.lower() if oidc else name, role, password, replace=replace)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    audit_change(ctx, "user reset" if replace else "user added", "changed", f"{user.name} as {user.role}")
    console.print(Text(f"{'Updated' if replace else 'Added'} {user.name} as {ROLE_TITLES[user.role]}."))


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """List users and their roles."""
    table = Table(title="Users")
    for column in ("name", "role", "sign-in", "created"):
        table.add_column(column)
    for u in _accounts(ctx.obj).list():
        table.add_row(Text(u.name), ROLE_TITLES[u.role], "organisation" if u.oidc else "password", u.created_at)
    console.print(table)


@users.command("remove")
@click.argument("name")
@click.pass_context
def users_remove(ctx: click.Context, name: str) -> None:
    """Remove a user."""
    if not _accounts(ctx.obj).remove(name):
        raise click.ClickException(f"no user {name!r}; see `disrupt users list`")
    audit_change(ctx, "user removed", "changed", name)
    console.print(Text(f"Removed {name}."))


def make_demo_users(settings: Settings) -> dict[str, str]:
    """One demo user per role with a fresh random password each time; returns name -> password."""
    accounts = _accounts(settings)
    made = {}
    for role, name in DEMO_USERS.items():
        password = secrets.token_urlsafe(12)
        accounts.add(name, role, password, replace=True)
        made[name] = password
    return made


COMMANDS = [app_command, users]
