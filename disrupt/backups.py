"""Backups of Disrupt's databases, and their restore: the embedded graph store, the app database
(users and the hash-chained audit log, with the key beside it that the log hashes search text
with) and the ingest ledger.

Each database is copied with SQLite's online backup API from a read transaction of its own, so a
copy is the database as one commit left it while the app and a load go on writing (all three are
in WAL mode, where a reader neither waits for a writer nor stops one). The ledger is copied before
the graph: a load commits its checkpoints only after the store commit they describe, so the graph
copy holds at least what the ledger copy says was loaded, and a later ``disrupt ingest`` replays the
rest (upserts are safe to repeat) instead of skipping rows the graph lacks. A manifest, written
last, names every file with its size, SHA-256 and row counts, and the audit log's head; restore
checks all of it before it touches anything.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from common.app_db import open_app_db
from common.audit import AuditLog
from common.audit_text import key_path
from common.roles import COMMAND_LINE
from common.settings import LEDGER_FILE

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = 1  # of the manifest; restore refuses one it does not know
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600  # the copies hold everything the live files do
_STAGED = ".restoring"  # suffix of a restored file before it is renamed into place

PartName = Literal["ledger", "graph", "app", "audit_key"]


@dataclass(frozen=True, slots=True)
class Part:
    """One database a backup holds: its name, its file in the backup folder, and what it is."""

    name: PartName
    file: str
    what: str
    database: bool = True  # a SQLite database; else a plain file, copied as it is


# in the order they are copied (the ledger before the graph: see the module's docstring)
PARTS = (
    Part("ledger", LEDGER_FILE, "the ingest ledger: load checkpoints, runs and rejected rows"),
    Part("graph", "graph.db", "the embedded graph store: entities, links, sources, erasures, result tables"),
    Part("app", "app.db", "the app database: users and the hash-chained audit log"),
    # written once, beside the app database; without it no entry's withheld search text can be found
    Part("audit_key", "app.db.audit-key", "the key the audit log hashes search text with", database=False),
)


class BackupError(Exception):
    """A backup cannot be taken, checked or restored; the message says what is wrong and what to do."""


@dataclass(frozen=True, slots=True)
class Targets:
    """Where the live databases are. ``graph`` is None when the store is not embedded (Neo4j)."""

    graph: Path | None
    app: Path
    ledger: Path
    store: str  # the store's URL as the ledger keys it, with no user or password

    def path(self, name: PartName) -> Path | None:
        parts = {"graph": self.graph, "app": self.app, "ledger": self.ledger, "audit_key": key_path(self.app)}
        return parts[name]


@dataclass(frozen=True, slots=True)
class Restored:
    """What a restore did: the files put in place, the files it replaced (kept beside) and the
    restored audit log's head after the entry that records the restore."""

    files: list[Path]
    kept: list[Path] = field(default_factory=list)
    audit_head: str = ""
    notes: list[str] = field(default_factory=list)


# -- taking a backup ---------------------------------------------------------------------------


def take_backup(folder: Path, targets: Targets, *, version: str, skipped: dict[str, str]) -> dict[str, Any]:
    """Copy every live database of ``targets`` into ``folder`` (new, or empty) and write the manifest.

    Args:
        skipped: parts left out on purpose and why (the graph of a Neo4j store), kept in the manifest.

    Returns:
        The manifest as written.

    Raises:
        BackupError: the folder holds files already, no database exists, a database is damaged or
            its audit chain is broken. Whatever this call wrote is removed again.
    """
    present = [(part, path) for part in PARTS if (path := targets.path(part.name)) is not None and path.is_file()]
    if not present:
        where = ", ".join(str(p) for part in PARTS if (p := targets.path(part.name)) is not None)
        raise BackupError(f"nothing to back up: none of {where} exists (check DISRUPT_DATA_DIR and DISRUPT_APP_DB)")
    created = _prepare_folder(folder)
    written: list[Path] = []
    try:
        files: dict[str, Any] = {}
        for part, source in present:
            out = folder / part.file
            written.append(out)
            files[part.name] = {
                "file": part.file,
                "what": part.what,
                "from": str(source),
                **_snapshot(source, out, part),
            }
            log.info("backed up %s: %d bytes", part.file, files[part.name]["bytes"])
        manifest = {
            "format": FORMAT,
            "disrupt_version": version,
            "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "store": targets.store,
            "files": files,
            "skipped": skipped,
        }
        written.append(folder / MANIFEST)
        _write_private(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    except BaseException:
        remove_backup(folder, written, created=created)
        raise
    return manifest


def remove_backup(folder: Path, files: list[Path], *, created: bool) -> None:
    """Remove the files a backup wrote (and the folder, if it made it): a backup is whole or absent."""
    for path in files:
        for extra in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
    if created and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def backup_files(folder: Path, manifest: dict[str, Any]) -> list[Path]:
    """Every file a backup's manifest names, and the manifest."""
    return [folder / str(info["file"]) for info in manifest["files"].values()] + [folder / MANIFEST]


def manifest_digest(folder: Path) -> str:
    """The SHA-256 of a backup's manifest: kept in the audit log, it proves the backup later."""
    return file_sha256(folder / MANIFEST)


def _prepare_folder(folder: Path) -> bool:
    """Make ``folder`` private, creating it if needed; returns whether it was created."""
    if folder.exists() and not folder.is_dir():
        raise BackupError(f"{folder} is a file; give a new or empty folder to back up into")
    if folder.is_dir():
        if any(folder.iterdir()):
            raise BackupError(
                f"{folder} is not empty; back up into a new or empty folder (a backup never overwrites files)"
            )
        folder.chmod(PRIVATE_DIR)
        return False
    folder.mkdir(mode=PRIVATE_DIR, parents=True)
    folder.chmod(PRIVATE_DIR)  # mkdir's mode is narrowed by the umask only, never widened: be sure
    return True


def _snapshot(source: Path, out: Path, part: Part) -> dict[str, Any]:
    """Copy one live database into ``out`` as one commit left it, check the copy, describe it."""
    if not part.database:
        _copy_private(source, out)
        return {"bytes": out.stat().st_size, "sha256": file_sha256(out)}
    os.close(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))  # private from the start
    try:
        with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(out)) as copy:
            live.backup(copy)  # in one step: one read transaction, so one consistent state
            copy.execute("PRAGMA journal_mode=DELETE")  # a single file, with no -wal beside it
            problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise BackupError(
                    f"{source} is damaged ({'; '.join(map(str, problems[:3]))}): no backup was written; "
                    "restore an earlier backup, or ask for help to salvage it"
                )
            described: dict[str, Any] = {"tables": table_counts(copy)}
            if "audit" in described["tables"]:
                described["audit"] = _audit_of(copy, source)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"cannot back up {source}: {exc} (is it a Disrupt database?)") from exc
    out.chmod(PRIVATE_FILE)
    return {"bytes": out.stat().st_size, "sha256": file_sha256(out), **described}


def _audit_of(db: sqlite3.Connection, source: Path) -> dict[str, Any]:
    check = AuditLog(db).verify()
    if not check.intact:
        raise BackupError(
            f"the audit log in {source} is broken ({check.problem}): no backup was written. Find out why "
            "with `disrupt audit verify` first; copy the file by hand if it must be kept as evidence"
        )
    return {"entries": check.entries, "head": f"{check.head_id}:{check.head_hash}"}


def table_counts(db: sqlite3.Connection) -> dict[str, int]:
    """Rows in every table of a database (SQLite's own tables left out), by table name."""
    names = [
        str(name)
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
    # the names come from the database's own catalogue and are quoted as identifiers
    return {name: int(db.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0]) for name in names}  # noqa: S608


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _write_private(path: Path, text: str) -> None:
    """Write a file under a temporary name and rename it, so it is whole or absent, mode 0600."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    partial.replace(path)


# -- checking a backup -------------------------------------------------------------------------


def read_backup(folder: Path) -> dict[str, Any]:
    """The manifest of the backup in ``folder``, once every file it names is there, whole and unchanged.

    Raises:
        BackupError: naming every file that is missing, of the wrong size or with the wrong SHA-256,
            or saying why the manifest cannot be read.
    """
    if not folder.is_dir():
        raise BackupError(f"no backup folder at {folder}; give the folder `disrupt backup` wrote")
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{folder} holds no {MANIFEST}: it is not a Disrupt backup, or the backup did not finish (the "
            "manifest is written last). Nothing was restored; use another backup"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is damaged ({exc}); nothing was restored; use another backup") from exc
    _check_shape(manifest, path)
    problems = []
    for part in PARTS:
        info = manifest["files"].get(part.name)
        if info is None:
            continue
        copy = folder / part.file
        if not copy.is_file():
            problems.append(f"{part.file} is missing (the backup is partial)")
        elif copy.stat().st_size != info["bytes"]:
            problems.append(f"{part.file} has {copy.stat().st_size:,} bytes, the manifest says {info['bytes']:,}")
        elif (found := file_sha256(copy)) != info["sha256"]:
            problems.append(f"{part.file} has SHA-256 {found}, the manifest says {info['sha256']}: it changed")
    if problems:
        raise BackupError(
            f"the backup in {folder} is damaged: {'; '.join(problems)}. Nothing was restored; use another backup"
        )
    return dict(manifest)


def _check_shape(manifest: object, path: Path) -> None:
    def bad(why: str) -> BackupError:
        return BackupError(f"{path} is not a Disrupt backup manifest ({why}); nothing was restored")

    if not isinstance(manifest, dict):
        raise bad("not a JSON object")
    if manifest.get("format") != FORMAT:
        raise bad(f"format {manifest.get('format')!r}; this Disrupt reads format {FORMAT}: use a matching Disrupt")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise bad("it names no files")
    known = {part.name: part.file for part in PARTS}
    for name, info in files.items():
        if name not in known:
            raise bad(f"unknown part {name!r}")
        if not isinstance(info, dict) or info.get("file") != known[name]:
            raise bad(f"the {name} part must be the file {known[name]}")  # never a path out of the folder
        if not isinstance(info.get("bytes"), int) or not isinstance(info.get("sha256"), str):
            raise bad(f"the {name} part has no size or SHA-256")
    for key in ("taken_at", "store", "disrupt_version"):
        if not isinstance(manifest.get(key), str):
            raise bad(f"no {key}")


# -- restoring ---------------------------------------------------------------------------------


def restore_backup(
    folder: Path, manifest: dict[str, Any], targets: Targets, *, force: bool, user: str, purpose: str
) -> Restored:
    """Put a checked backup (:func:`read_backup`) in place of the live databases of ``targets``.

    Every file is copied beside its target first (``NAME.restoring``) and checked against the
    manifest; the restored audit chain must verify up to the manifest's head, and gets one entry
    recording the restore; only then are the files renamed into place. With ``force``, files
    already there are renamed aside to ``NAME.pre-restore-STAMP`` (never deleted: the audit entries
    written since the backup are in them).

    Raises:
        BackupError: data exists and ``force`` is not given, a database is in use, the backup's graph
            cannot go into this store, or the restored audit chain does not verify. Nothing is changed then.
    """
    plan = _plan(manifest, targets)
    existing = [t for _, t in plan if _holds_data(t)]
    if existing and not force:
        raise BackupError(
            f"{', '.join(map(str, existing))} already hold data; nothing was restored. Add --force to replace "
            "them (the files replaced are kept beside them, renamed NAME.pre-restore-TIME)"
        )
    for part, target in plan:
        if part.database and target in existing:
            _check_idle(target)
    replaced_head = _head_of(targets.app) if targets.app in existing else ""
    stamp = _free_stamp(existing)
    staged: list[tuple[Part, Path, Path]] = []
    try:
        for part, target in plan:
            staged.append((part, target, _stage(folder / part.file, target, manifest["files"][part.name])))
            if part.database:
                _check_database(staged[-1][2], part)
        if "graph" in manifest["files"] and targets.graph is not None:
            _rekey_ledger(staged, manifest["store"], targets.store)
        entry = _describe(folder, manifest, stamp if existing else "", replaced_head)
        head = _seal_app(staged, manifest, user=user, purpose=purpose, detail=entry)
        kept = _swap(staged, existing, stamp)
    except sqlite3.DatabaseError as exc:
        _unstage(staged)
        raise BackupError(
            f"the backup in {folder} cannot be read as Disrupt databases ({exc}); use another backup"
        ) from exc
    except BaseException:
        _unstage(staged)
        raise
    notes = []
    if "graph" in manifest.get("skipped", {}):
        notes.append(f"the graph is not in this backup: {manifest['skipped']['graph']}")
    return Restored([t for _, t, _ in staged], kept, head, notes)


def _plan(manifest: dict[str, Any], targets: Targets) -> list[tuple[Part, Path]]:
    plan = []
    for part in PARTS:
        if part.name not in manifest["files"]:
            continue
        target = targets.path(part.name)
        if target is None:
            raise BackupError(
                f"this backup holds an embedded graph ({part.file}) but the store is {targets.store}, which "
                "Disrupt does not restore into: restore with DISRUPT_STORE unset (the embedded store), then "
                "copy the graph across with `disrupt copy-store sqlite:///<data dir>/graph.db "
                f"{targets.store}`. Nothing was restored"
            )
        plan.append((part, target))
    return plan


def _free_stamp(existing: list[Path]) -> str:
    """The time for the names the replaced files are kept under, made unique (two restores in one
    second must not overwrite the first one's kept files)."""
    stamp = base = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    n = 1
    while any(any(t.parent.glob(f"{glob.escape(t.name)}.pre-restore-{stamp}*")) for t in existing):
        n += 1
        stamp = f"{base}-{n}"
    return stamp


def _holds_data(target: Path) -> bool:
    return any(Path(f"{target}{extra}").exists() for extra in ("", "-wal"))


def _check_idle(target: Path) -> None:
    """Refuse to replace a database another connection has open (the app, a load): its writes would
    go on into the file renamed aside, or, through its -wal, into the restored one."""
    try:
        with closing(sqlite3.connect(target, timeout=0, isolation_level=None)) as db:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")  # held until closed: fails while anyone has it open
            db.execute("BEGIN EXCLUSIVE")
            db.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        raise BackupError(
            f"{target} is in use ({exc}): stop the app (`disrupt app`) and any load, then restore again. "
            "Nothing was restored"
        ) from exc
    except sqlite3.DatabaseError:
        log.warning("%s is not a readable database; it is replaced and kept aside", target)
    if Path(f"{target}-wal").exists():  # the last connection to close removes it: someone still has it
        raise BackupError(f"{target} is in use (its -wal file is still there): stop the app and any load first")


def _head_of(app_db: Path) -> str:
    """The audit head of an app database about to be replaced, for the entry that records the restore."""
    try:
        with closing(sqlite3.connect(app_db)) as db:
            row = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.DatabaseError:
        return "unreadable"
    return f"{row[0]}:{row[1]}" if row else "empty"


def _stage(copy: Path, target: Path, info: dict[str, Any]) -> Path:
    """Copy a backup file beside its target, private, and check the bytes that arrived."""
    target.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    staged = target.with_name(target.name + _STAGED)
    remove_backup(staged.parent, [staged], created=False)  # a restore that died before
    _copy_private(copy, staged)
    if file_sha256(staged) != info["sha256"]:
        staged.unlink()
        raise BackupError(f"{copy} changed while it was being restored; nothing was restored; run restore again")
    return staged


def _unstage(staged: list[tuple[Part, Path, Path]]) -> None:
    for _, _, path in staged:
        remove_backup(path.parent, [path], created=False)


def _check_database(staged: Path, part: Part) -> None:
    """A last check that a restored file is a whole database, even if its manifest was rewritten with it."""
    with closing(sqlite3.connect(f"file:{quote(str(staged))}?mode=ro", uri=True)) as db:
        problems = [str(row[0]) for row in db.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise BackupError(
            f"{part.file} in the backup matches its manifest but is damaged ({'; '.join(problems[:3])}): the "
            "backup was written wrongly or altered together with its manifest. Nothing was restored; use another backup"
        )


def _copy_private(source: Path, out: Path) -> None:
    """Copy a file's bytes into a new file readable by its owner only, synced to disk."""
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())


def _rekey_ledger(staged: list[tuple[Part, Path, Path]], old: str, new: str) -> None:
    """The ledger keys its checkpoints and runs by store URL: a graph restored to another place
    keeps them, or the next load would start again from the first row and the ingest-runs page
    would show none."""
    if old == new or not (old.startswith("sqlite:") and new.startswith("sqlite:")):
        return
    for part, _, path in staged:
        if part.name != "ledger":
            continue
        with closing(sqlite3.connect(path, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            for table in ("checkpoints", "rejects", "failures", "runs"):
                if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone():
                    db.execute(f"UPDATE {table} SET store = ? WHERE store = ?", (new, old))  # noqa: S608 - fixed names
            db.execute("COMMIT")


def _describe(folder: Path, manifest: dict[str, Any], stamp: str, replaced_head: str) -> str:
    """The restore's audit entry: from where, which backup, and what became of the files replaced."""
    files = ", ".join(str(info["file"]) for info in manifest["files"].values())
    text = f"restore from {folder.resolve()} (backup of {manifest['taken_at']}, Disrupt {manifest['disrupt_version']}"
    if "app" in manifest["files"] and "audit" in manifest["files"]["app"]:
        text += f", audit head {manifest['files']['app']['audit']['head']}"
    text += f"): {files}"
    if stamp:
        text += f"; the files replaced are kept as NAME.pre-restore-{stamp}"
    if replaced_head:
        text += f"; the replaced audit log's head was {replaced_head}"
    return text


def _seal_app(
    staged: list[tuple[Part, Path, Path]], manifest: dict[str, Any], *, user: str, purpose: str, detail: str
) -> str:
    """Verify the restored audit chain up to the manifest's head, record the restore in it, verify again."""
    for part, _, path in staged:
        if part.name != "app":
            continue
        expected = manifest["files"]["app"].get("audit", {}).get("head", "0:" + "0" * 64)
        entry, _, digest = expected.partition(":")
        with _app_db(path) as db:
            audit = AuditLog(db)
            check = audit.verify(head=(int(entry), digest) if int(entry) else None)
            if not check.intact or check.head_id != int(entry):
                problem = check.problem or f"it ends at entry {check.head_id}, the manifest says {entry}"
                raise BackupError(f"the audit log in the backup does not verify ({problem}); nothing was restored")
            audit.record(
                user=user, role=COMMAND_LINE, action="restore", purpose=purpose, outcome="changed", detail=detail
            )
            after = audit.verify()
            if not after.intact:  # cannot happen unless the file is being written by someone else
                raise BackupError(f"the restored audit log does not verify ({after.problem}); nothing was restored")
            return f"{after.head_id}:{after.head_hash}"
    return ""


@contextmanager
def _app_db(path: Path) -> Iterator[sqlite3.Connection]:
    db = open_app_db(path)
    try:
        yield db
    finally:
        db.execute("PRAGMA journal_mode=DELETE")  # fold the -wal back in before the file is renamed
        db.close()


def _swap(staged: list[tuple[Part, Path, Path]], existing: list[Path], stamp: str) -> list[Path]:
    """Rename the files replaced aside, then the restored ones into place (renames within a folder)."""
    kept = []
    for target in existing:
        for extra in ("", "-wal", "-shm", "-journal"):
            old = Path(f"{target}{extra}")
            if old.exists():
                aside = old.with_name(f"{target.name}.pre-restore-{stamp}{extra}")
                old.replace(aside)
                kept.append(aside)
    for _, target, path in staged:
        path.replace(target)
    return kept
