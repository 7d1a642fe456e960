"""Helpers shared by the ``disrupt`` commands: options, opening the store, output."""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from rich.console import Console

from common.app_db import open_app_db
from common.audit import AuditLog, Outcome
from common.roles import COMMAND_LINE
from common.settings import Settings
from graph import GraphError, GraphStore, open_store

F = TypeVar("F", bound=Callable[..., Any])

console = Console()


def store_option(func: F) -> F:
    return click.option(
        "--store",
        "store_url",
        metavar="URL",
        default=None,
        help="Store URL (default: $DISRUPT_STORE, else sqlite:///<data dir>/graph.db).",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(func)


@contextmanager
def opened(ctx: click.Context, store_url: str | None) -> Iterator[GraphStore]:
    settings: Settings = ctx.obj
    try:
        store = open_store(store_url or settings.store_url)
    except GraphError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield store
    except GraphError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()


def audit_read(
    ctx: click.Context, action: str, records: Iterable[str], detail: str = "", *, searched: str | None = None
) -> None:
    """Record a command-line read of personal data in the app's audit log, before it is printed.

    The user is the operating-system login and the purpose comes from ``DISRUPT_PURPOSE`` (the
    command line has no session to ask it in). ``searched`` (text typed to find someone) is kept
    only as its length and keyed hash (:meth:`common.audit.AuditLog.searched`).
    """
    _audit(ctx, action, list(records), "shown", detail, searched=searched)


def audit_change(ctx: click.Context, action: str, outcome: Outcome, detail: str, records: Iterable[str] = ()) -> None:
    """Record a command-line change to what the store holds (an erasure, a lift, a load, a merge) in
    the app's audit log: who made it, under which case reference, and the ids of the entities it
    touched. ``detail`` names no person. The change is made already, so a log that cannot be written
    is reported, not hidden behind a traceback."""
    try:
        _audit(ctx, action, list(records), outcome, detail)
    except (sqlite3.Error, OSError) as exc:
        raise click.ClickException(
            f"done ({detail}), but the audit log could not be written ({exc}); record who made it by other means"
        ) from exc


def _audit(
    ctx: click.Context, action: str, records: list[str], outcome: Outcome, detail: str, *, searched: str | None = None
) -> None:
    settings: Settings = ctx.obj
    db = open_app_db(settings.app_db_path)
    try:
        AuditLog(db).record(
            user=getpass.getuser(),
            role=COMMAND_LINE,
            action=action,
            records=records,
            purpose=os.environ.get("DISRUPT_PURPOSE", "") or "command line, no purpose given (set DISRUPT_PURPOSE)",
            outcome=outcome,
            detail=detail,
            searched=searched,
        )
    finally:
        db.close()


def emit_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
