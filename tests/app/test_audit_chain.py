"""The audit log is tamper-evident (issue 21, point 5): `disrupt audit verify` finds a forged
insert, a deletion and a rewrite, each made on a copy of a real log with SQL, as an intruder with the
file would make it. Before the chain, a forged back-dated row inserted with the triggers in place,
and with the triggers dropped 306 deleted and 138 rewritten rows went unnoticed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from common.app_db import open_app_db
from common.audit import AuditLog
from disrupt.cli import main


def _log_of(path: Path, n: int = 40) -> AuditLog:
    log = AuditLog(open_app_db(path))
    for i in range(n):
        log.record(
            user=f"user{i % 3}",
            role="analyst",
            action="profile",
            records=[f"P{i}"],
            purpose="OP-1 review",
            outcome="shown",
        )
    return log


def _verify(data: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["audit", "verify", *extra],
        # DISRUPT_APP_DB empty: not the app_world's database another module's fixture left in the environment
        env={"DISRUPT_DATA_DIR": str(data), "DISRUPT_STORE": "", "DISRUPT_APP_DB": ""},
    )
    return result.exit_code, result.output


def _forge_insert(db: sqlite3.Connection) -> None:
    # a back-dated row, written with the triggers in place (they refuse only UPDATE and DELETE)
    db.execute(
        "INSERT INTO audit(at, user, role, action, records, record_count, purpose, outcome, detail) "
        "VALUES ('2020-01-01T00:00:00.000+00:00', 'user1', 'analyst', 'profile', '[]', 0, 'forged', 'shown', '')"
    )


def _delete(db: sqlite3.Connection) -> None:
    db.execute("DROP TRIGGER audit_no_delete")
    db.execute("DELETE FROM audit WHERE id BETWEEN 10 AND 14")


def _rewrite(db: sqlite3.Connection) -> None:
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit SET user = 'someone else' WHERE id = 20")


@pytest.mark.parametrize(("change", "where"), [(_forge_insert, 41), (_delete, 15), (_rewrite, 20)])
def test_verify_finds_a_forged_insert_a_deletion_and_a_rewrite(
    tmp_path: Path, change: Callable[[sqlite3.Connection], None], where: int
) -> None:
    original = tmp_path / "app.db"
    _log_of(original)
    code, out = _verify(tmp_path)
    assert code == 0 and "Intact: 40 entries" in out, out
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    with sqlite3.connect(original) as source, sqlite3.connect(copy_dir / "app.db") as target:
        source.backup(target)  # a whole copy, the write-ahead log included
    db = sqlite3.connect(copy_dir / "app.db", isolation_level=None)
    change(db)
    db.close()
    code, out = _verify(copy_dir)
    assert code == 1 and "BROKEN" in out and f"entry {where} " in out, out


def test_a_rebuilt_chain_is_caught_by_the_head_kept_elsewhere(tmp_path: Path) -> None:
    log = _log_of(tmp_path / "app.db")
    entry, digest = log.head()
    kept = f"{entry}:{digest}"
    db = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit SET purpose = 'rewritten' WHERE id = 3")
    db.close()
    # the intruder recomputes every hash after the rewrite, so the chain alone looks whole
    from common.audit_chain import GENESIS, SELECT_CONTENT, entry_hash

    db = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
    previous = GENESIS
    for row in db.execute(SELECT_CONTENT + " ORDER BY id").fetchall():
        sealed = entry_hash(previous, tuple(row))
        db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (previous, sealed, row[0]))
        previous = sealed
    db.close()
    assert _verify(tmp_path)[0] == 0  # the chain alone cannot tell
    code, out = _verify(tmp_path, "--head", kept)
    assert code == 1 and f"entry {entry} differs from the head hash" in out, out


def test_a_log_written_before_the_chain_is_sealed_once_and_then_verifies(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL, "
        "role TEXT NOT NULL, action TEXT NOT NULL, records TEXT NOT NULL, record_count INTEGER NOT NULL, "
        "purpose TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'append-only'); END;"
    )
    for i in range(5):
        db.execute(
            "INSERT INTO audit(at, user, role, action, records, record_count, purpose, outcome) "
            "VALUES (?, 'u', 'r', 'a', ?, 1, 'p', 'shown')",
            (f"2026-01-0{i + 1}T00:00:00.000+00:00", json.dumps([f"P{i}"])),
        )
    db.close()
    log = AuditLog(open_app_db(path))
    log.record(user="u", role="analyst", action="a", purpose="p", outcome="shown")
    check = log.verify()
    assert check.intact and check.entries == 6
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        open_app_db(path).execute("UPDATE audit SET user = 'x' WHERE id = 1")


def test_parallel_writers_keep_one_chain(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "app.db"
    logs = [AuditLog(open_app_db(path)) for _ in range(3)]

    def write(i: int) -> None:
        logs[i % 3].record(user="u", role="analyst", action=f"view {i}", purpose="p", outcome="shown")

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(write, range(120)))
    check = logs[0].verify()
    assert check.intact and check.entries == 120, check
