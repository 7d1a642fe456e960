"""``disrupt backup DIR`` and ``disrupt restore DIR``: the embedded store, the app database and the
ingest ledger, copied while the app and loads run, and put back after every file is checked.

Both are recorded in the audit log (a backup discloses everything, a restore alters it: DPA 2018
s.62). A Neo4j store's graph is the server's to back up (``neo4j-admin database dump``); the app
database and the ledger are still Disrupt's, so those are backed up and restored without it.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from rich.table import Table
from rich.text import Text

from common.app_db import open_app_db
from common.audit import AuditLog, Outcome
from common.roles import COMMAND_LINE
from common.settings import Settings
from disrupt import __version__
from disrupt.backups import (
    BackupError,
    Targets,
    backup_files,
    manifest_digest,
    read_backup,
    remove_backup,
    restore_backup,
    take_backup,
)
from disrupt.cliutil import console, emit_json, json_option, store_option
from graph.errors import StoreConfigError
from graph.neo4j_config import NEO4J_SCHEMES
from graph.store import sqlite_path

NEO4J_DUMP = (
    "back up the graph on the Neo4j server with `neo4j-admin database dump` (restore it with "
    "`neo4j-admin database load`), at the same time as this backup so the ledger matches it"
)


def _targets(settings: Settings, store_url: str | None) -> Targets:
    url = store_url or settings.store_url
    scheme = urlsplit(url).scheme
    if scheme in NEO4J_SCHEMES:
        return Targets(None, settings.app_db_path, settings.ledger_path, _without_credentials(url))
    try:
        graph = sqlite_path(url)
    except StoreConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    return Targets(graph, settings.app_db_path, settings.ledger_path, f"sqlite:///{graph}")  # as the ledger keys it


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def _who() -> tuple[str, str]:
    """The user and purpose a command-line audit entry carries (as ``disrupt.cliutil`` records them)."""
    purpose = os.environ.get("DISRUPT_PURPOSE", "") or "command line, no purpose given (set DISRUPT_PURPOSE)"
    return getpass.getuser(), purpose


def _record(settings: Settings, action: str, outcome: Outcome, detail: str) -> None:
    user, purpose = _who()
    db = open_app_db(settings.app_db_path)
    try:
        AuditLog(db).record(
            user=user, role=COMMAND_LINE, action=action, purpose=purpose, outcome=outcome, detail=detail
        )
    finally:
        db.close()


@click.command("backup")
@click.argument("folder", type=click.Path(path_type=Path))
@store_option
@json_option
@click.pass_context
def backup(ctx: click.Context, folder: Path, store_url: str | None, as_json: bool) -> None:
    """Back up the embedded store, the app database (and its audit key) and the ingest ledger into FOLDER.

    FOLDER must be new or empty.

    Safe while the app and loads run: each database is copied as one commit left it. FOLDER and its
    files are readable by their owner only; a manifest.json names every file with its SHA-256. The
    audit log records the backup. With a Neo4j store the graph is left out (back it up with
    `neo4j-admin database dump`); the app database and the ledger are still backed up.
    """
    settings: Settings = ctx.obj
    targets = _targets(settings, store_url)
    skipped = {}
    if targets.graph is None:
        skipped["graph"] = f"the store is {targets.store}: {NEO4J_DUMP}"
        console.print(Text(f"The graph is not backed up: {skipped['graph']}.", style="yellow"))
    started = time.perf_counter()
    try:
        with console.status(f"Backing up into {folder} ..."):
            manifest = take_backup(folder, targets, version=__version__, skipped=skipped)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    seconds = time.perf_counter() - started
    digest = manifest_digest(folder)
    names = ", ".join(info["file"] for info in manifest["files"].values())
    head = manifest["files"].get("app", {}).get("audit", {}).get("head", "none")
    try:  # a copy of everything is a disclosure: no backup stays that the log does not show
        _record(
            settings,
            "backup",
            "exported",
            f"to {folder.resolve()}: {names}; manifest sha256 {digest}; audit head {head}",
        )
    except (sqlite3.Error, OSError) as exc:
        remove_backup(folder, backup_files(folder, manifest), created=False)
        raise click.ClickException(
            f"the backup was removed because the audit log could not record it ({exc}); fix the app database "
            f"({settings.app_db_path}) and back up again"
        ) from exc
    if as_json:
        emit_json({**manifest, "folder": str(folder), "manifest_sha256": digest, "seconds": round(seconds, 3)})
        return
    _print_files(manifest, f"Backed up into {folder} in {seconds:.1f} s")
    console.print(Text(f"manifest sha256 {digest} (kept in the audit log); audit head {head}"))


@click.command("restore")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace existing data (the files replaced are kept beside, renamed).")
@store_option
@json_option
@click.pass_context
def restore(ctx: click.Context, folder: Path, force: bool, store_url: str | None, as_json: bool) -> None:
    """Restore the backup in FOLDER (written by `disrupt backup`) into this data folder.

    Every file is checked against the manifest before anything is touched; existing data is replaced
    only with --force, and kept beside as NAME.pre-restore-TIME. Stop the app and any load first.
    The restored audit log must verify, and records the restore.
    """
    settings: Settings = ctx.obj
    targets = _targets(settings, store_url)
    user, purpose = _who()
    started = time.perf_counter()
    try:
        with console.status(f"Checking the backup in {folder} ..."):
            manifest = read_backup(folder)
        with console.status("Restoring ..."):
            done = restore_backup(folder, manifest, targets, force=force, user=user, purpose=purpose)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    if "app" not in manifest["files"]:  # the entry goes into the app database there is
        _record(
            settings,
            "restore",
            "changed",
            f"restore from {folder.resolve()} (backup of {manifest['taken_at']}), no app.db",
        )
    if as_json:
        emit_json(
            {
                "restored": [str(p) for p in done.files],
                "kept": [str(p) for p in done.kept],
                "audit_head": done.audit_head,
                "notes": done.notes,
                "seconds": round(time.perf_counter() - started, 3),
                "backup": manifest,
            }
        )
        return
    _print_files(manifest, f"Restored the backup of {manifest['taken_at']} from {folder}")
    for path in done.kept:
        console.print(Text(f"kept the file replaced as {path}"))
    for note in done.notes:
        console.print(Text(note, style="yellow"))
    if done.audit_head:
        console.print(Text(f"audit log intact; head {done.audit_head} (the restore is its last entry)"))


def _print_files(manifest: dict[str, Any], title: str) -> None:
    table = Table(title=title)
    for column in ("file", "what", "bytes", "rows"):
        table.add_column(column, justify="right" if column in ("bytes", "rows") else "left")
    for info in manifest["files"].values():
        rows = f"{sum(info['tables'].values()):,}" if "tables" in info else ""
        table.add_row(Text(info["file"]), Text(info["what"]), f"{info['bytes']:,}", rows)
    console.print(table)


COMMANDS = [backup, restore]
