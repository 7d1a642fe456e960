"""``disrupt audit``: prove the app's audit log has not been changed, and keep its head elsewhere."""

from __future__ import annotations

import click

from common.app_db import open_app_db
from common.audit import AuditLog
from common.settings import Settings
from disrupt.cliutil import console


def _log(settings: Settings) -> AuditLog:
    if not settings.app_db_path.is_file():
        raise click.ClickException(
            f"no app database at {settings.app_db_path} (set DISRUPT_APP_DB or DISRUPT_DATA_DIR)"
        )
    return AuditLog(open_app_db(settings.app_db_path))


def _parse_head(text: str) -> tuple[int, str]:
    entry, _, digest = text.partition(":")
    if not entry.isdigit() or len(digest) != 64:
        raise click.BadParameter("give the head as ID:HASH, as `disrupt audit head` printed it")
    return int(entry), digest


@click.group("audit")
def audit() -> None:
    """Check the audit log's hash chain, or print its head to keep outside this machine."""


@audit.command("verify")
@click.option("--head", "head", help="ID:HASH printed earlier by `disrupt audit head` and kept elsewhere.")
@click.pass_context
def verify(ctx: click.Context, head: str | None) -> None:
    """Walk the chain from the first entry; exit 1 naming the first entry that breaks it."""
    check = _log(ctx.obj).verify(head=_parse_head(head) if head else None)
    if not check.intact:
        console.print(f"[red]BROKEN[/red]: {check.problem}; {check.entries:,} entries before it hold.")
        ctx.exit(1)
    console.print(f"Intact: {check.entries:,} entries; head {check.head_id}:{check.head_hash}")


@audit.command("head")
@click.pass_context
def head(ctx: click.Context) -> None:
    """Print the newest entry's ID:HASH; keep it elsewhere and give it to `verify --head` later."""
    entry, digest = _log(ctx.obj).head()
    click.echo(f"{entry}:{digest}")


COMMANDS = [audit]
