"""``disrupt backup DIR`` and ``disrupt restore DIR`` (issue 21, "Backups"), on real SQLite files.

A small analysed demo world with users and audit entries is backed up and restored into a new data
folder; a backup taken while another thread writes restores to a whole state; a changed, partial or
unfinished backup, existing data, a folder in use and a Neo4j store are each refused with a message
that says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import shutil
import sqlite3
import stat
import threading
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.accounts import Accounts
from common.app_db import open_app_db
from common.audit import AuditLog
from disrupt.cli import main
from graph import open_store
from graph.records import Entity, Provenance, new_entity, new_link

PASSWORD = "a long enough password"
DATABASES = ("graph.db", "app.db", "ingest-ledger.db")
KEY = "app.db.audit-key"  # the key common.audit hashes search text with, beside app.db
FILES = (*DATABASES, KEY)


@dataclass(frozen=True)
class World:
    data: Path
    env: dict[str, str]

    def file(self, name: str) -> Path:
        return self.data / name


def run(env: dict[str, str], *args: str, given: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, input=given, catch_exceptions=False)
    return result.exit_code, result.output


def env_for(data: Path) -> dict[str, str]:
    # explicit, whatever the session's fixtures put in os.environ
    return {
        "DISRUPT_DATA_DIR": str(data),
        "DISRUPT_STORE": "",
        "DISRUPT_APP_DB": str(data / "app.db"),
        "DISRUPT_PURPOSE": "BKP-2026/1 backup test",
    }


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An analysed 300-person demo world, two users and a few audit entries (built once)."""
    data = tmp_path_factory.mktemp("demo") / "data"
    env = env_for(data)
    code, out = run(env, "demo", "--people", "300", "--seed", "2", "--no-serve", "--quiet")
    assert code == 0, out
    for name, role in (("test-ada", "admin"), ("test-bo", "analyst")):
        code, out = run(env, "users", "add", name, "--role", role, "--password-stdin", given=PASSWORD + "\n")
        assert code == 0, out
    for text in ("a", "e", "road"):
        assert run(env, "search", text, "--limit", "5")[0] == 0
    return data


@pytest.fixture
def world(demo_world: Path, tmp_path: Path) -> World:
    """A world of this test's own (a copy of the demo world), so tests may write to it."""
    data = tmp_path / "live"
    data.mkdir()
    shutil.copyfile(demo_world / KEY, data / KEY)
    for name in DATABASES:
        with closing(sqlite3.connect(demo_world / name)) as src, closing(sqlite3.connect(data / name)) as dst:
            src.backup(dst)
    with closing(sqlite3.connect(data / "ingest-ledger.db")) as ledger, ledger:  # as if loaded here
        for table in ("checkpoints", "rejects", "failures", "runs"):
            ledger.execute(f"UPDATE {table} SET store = ?", (f"sqlite:///{data / 'graph.db'}",))
    return World(data, env_for(data))


def table_rows(path: Path) -> dict[str, list[str]]:
    """Every table's rows, in a stable order, for comparing two databases."""
    with closing(sqlite3.connect(path)) as db:
        names = [
            n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {n: sorted(repr(r) for r in db.execute(f'SELECT * FROM "{n}"')) for n in names}


def audit_rows(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT * FROM audit ORDER BY id").fetchall()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_restores_into_a_new_data_folder_as_it_was(world: World, tmp_path: Path) -> None:
    before = {name: table_rows(world.file(name)) for name in DATABASES}
    with closing(open_store(f"sqlite:///{world.file('graph.db')}")) as store:
        counts = store.counts()
    backup = tmp_path / "backup"
    code, out = run(world.env, "backup", str(backup), "--json")
    assert code == 0, out
    manifest = json.loads(out)
    assert sorted(p.name for p in backup.iterdir()) == sorted([*FILES, "manifest.json"])
    assert mode(backup) == 0o700 and all(mode(p) == 0o600 for p in backup.iterdir())
    assert manifest["files"]["graph"]["tables"]["entities"] == len(before["graph.db"]["entities"])
    assert manifest["files"]["app"]["audit"]["entries"] == len(before["app.db"]["audit"])

    # the live log records the backup, with the manifest's digest, as a disclosure
    with closing(open_app_db(world.file("app.db"))) as db:
        [last] = AuditLog(db).entries(limit=1)
    assert (last.action, last.outcome) == ("backup", "exported")
    assert manifest["manifest_sha256"] in last.detail and str(backup) in last.detail

    fresh = tmp_path / "fresh"
    code, out = run(env_for(fresh), "restore", str(backup))
    assert code == 0, out
    assert all(mode(fresh / name) == 0o600 for name in FILES)
    assert (fresh / KEY).read_bytes() == world.file(KEY).read_bytes()
    after = {name: table_rows(fresh / name) for name in DATABASES}
    assert after["graph.db"] == before["graph.db"]
    assert after["app.db"]["users"] == before["app.db"]["users"]
    old_url, new_url = f"sqlite:///{world.file('graph.db')}", f"sqlite:///{fresh / 'graph.db'}"
    # the ledger's checkpoints and runs now name the store where it was restored
    assert after["ingest-ledger.db"] == {
        table: sorted(r.replace(repr(old_url), repr(new_url)) for r in rows)
        for table, rows in before["ingest-ledger.db"].items()
    }
    assert new_url in str(after["ingest-ledger.db"]["runs"])
    restored_log = audit_rows(fresh / "app.db")
    assert restored_log[:-1] == audit_rows(world.file("app.db"))[:-1]  # all but the live log's backup entry
    assert restored_log[-1][4] == "restore" and str(backup) in restored_log[-1][9]

    with closing(open_store(f"sqlite:///{fresh / 'graph.db'}")) as store:
        assert store.counts() == counts
    with closing(open_app_db(fresh / "app.db")) as db:
        accounts = Accounts(db)
        assert accounts.verify("test-ada", PASSWORD) is not None and accounts.verify("test-bo", PASSWORD) is not None
        assert accounts.verify("test-bo", PASSWORD + "x") is None
    with closing(open_app_db(fresh / "app.db")) as db:  # "who searched for road?" still finds the searches
        assert [e.action for e in AuditLog(db).entries(searched="road")] == ["search"]
    code, out = run(env_for(fresh), "audit", "verify")
    assert code == 0 and "Intact" in out, out


def _person(ref: str, prov: Provenance) -> Entity:
    return new_entity("Person", {"ref": ref, "full_name": f"Writer {ref}"}, provenance=prov)


def test_a_backup_taken_while_a_thread_writes_restores_whole(world: World, tmp_path: Path) -> None:
    """Each write is a batch of five people and four links in one transaction, and one audit
    entry; a restored backup holds whole batches only, and its audit chain verifies."""
    stop = threading.Event()
    written = {"batches": 0, "entries": 0}
    failures: list[BaseException] = []
    prov = Provenance("test.writer", "row", "2026-12-01T00:00:00+00:00")

    def write() -> None:
        try:
            with (
                closing(open_store(f"sqlite:///{world.file('graph.db')}")) as store,
                closing(open_app_db(world.file("app.db"))) as db,
            ):
                log = AuditLog(db)
                while not stop.is_set():
                    n = written["batches"]
                    people = [_person(f"W{n}-{i}", prov) for i in range(5)]
                    links = [
                        new_link("ASSOCIATE_OF", a.id, b.id, provenance=prov) for a, b in itertools.pairwise(people)
                    ]
                    store.upsert(people, links)
                    written["batches"] += 1
                    log.record(
                        user="writer", role="analyst", action="view", records=[people[0].id],
                        purpose="BKP-2026/1", outcome="shown", detail=f"batch {n}",
                    )  # fmt: skip
                    written["entries"] += 1
        except BaseException as exc:  # reported to the test below
            failures.append(exc)

    with closing(open_store(f"sqlite:///{world.file('graph.db')}")) as store:
        base = store.counts()
    writer = threading.Thread(target=write)
    writer.start()
    backups: list[tuple[Path, int]] = []
    try:
        while written["batches"] < 3:
            assert writer.is_alive(), failures
        for i in range(4):
            folder = tmp_path / f"backup-{i}"
            code, out = run(world.env, "backup", str(folder))
            assert code == 0, out
            backups.append((folder, written["batches"]))
    finally:
        stop.set()
        writer.join(60)
    assert not failures, failures
    assert backups[-1][1] > backups[0][1], "the writer made no progress while the backups were taken"

    for i, (folder, _) in enumerate(backups):
        fresh = tmp_path / f"fresh-{i}"
        code, out = run(env_for(fresh), "restore", str(folder))
        assert code == 0, out
        with closing(open_store(f"sqlite:///{fresh / 'graph.db'}")) as store:
            counts = store.counts()
        people = counts.entities["Person"] - base.entities["Person"]
        links = counts.links["ASSOCIATE_OF"] - base.links.get("ASSOCIATE_OF", 0)
        assert people > 0 and people % 5 == 0 and links == people // 5 * 4, (people, links)
        with closing(open_app_db(fresh / "app.db")) as db:
            check = AuditLog(db).verify()
        assert check.intact, check.problem


@pytest.fixture
def backup(world: World, tmp_path: Path) -> Path:
    folder = tmp_path / "backup"
    code, out = run(world.env, "backup", str(folder))
    assert code == 0, out
    return folder


@pytest.mark.parametrize("name", FILES)
def test_a_backup_with_one_byte_changed_is_refused_naming_the_file(backup: Path, tmp_path: Path, name: str) -> None:
    middle = (backup / name).stat().st_size // 2  # one byte of some page's data
    with open(backup / name, "r+b") as fh:
        fh.seek(middle)
        byte = fh.read(1)
        fh.seek(middle)
        fh.write(bytes([byte[0] ^ 0x01]))
    fresh = tmp_path / "fresh"
    code, out = run(env_for(fresh), "restore", str(backup))
    assert code == 1
    assert name in out and "SHA-256" in out and "Nothing was restored" in out, out
    assert not fresh.exists()


def test_a_file_rewritten_together_with_its_manifest_is_still_refused(backup: Path, tmp_path: Path) -> None:
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    junk = b"not a database at all" * 100
    (backup / "graph.db").write_bytes(junk)
    manifest["files"]["graph"].update(bytes=len(junk), sha256=hashlib.sha256(junk).hexdigest())
    (backup / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    fresh = tmp_path / "fresh"
    code, out = run(env_for(fresh), "restore", str(backup))
    assert code == 1 and "cannot be read as Disrupt databases" in " ".join(out.split()), out
    assert not [p for p in fresh.iterdir() if p.is_file()]


def test_a_partial_or_unfinished_backup_is_refused_saying_what_is_missing(backup: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    (backup / "app.db").unlink()
    code, out = run(env_for(fresh), "restore", str(backup))
    assert code == 1 and "app.db is missing" in out, out
    (backup / "manifest.json").unlink()
    code, out = run(env_for(fresh), "restore", str(backup))
    assert code == 1 and "holds no manifest.json" in out and "did not finish" in out, out
    (backup / "manifest.json").write_text('{"format": 1, "files": {"graph": {"file": "../../etc/x"', encoding="utf-8")
    code, out = run(env_for(fresh), "restore", str(backup))
    assert code == 1 and "manifest.json is damaged" in out, out
    code, out = run(env_for(fresh), "restore", str(tmp_path / "nowhere"))
    assert code == 1 and "no backup folder" in out, out
    assert not fresh.exists()


def test_restore_over_existing_data_needs_force_and_keeps_what_it_replaced(
    world: World, backup: Path, tmp_path: Path
) -> None:
    before = {name: (world.file(name)).read_bytes() for name in FILES}
    code, out = run(world.env, "restore", str(backup))
    assert code == 1 and "already hold data" in out and "--force" in out, out
    assert {name: world.file(name).read_bytes() for name in FILES} == before

    with closing(open_app_db(world.file("app.db"))) as db:
        live_head = AuditLog(db).head()
    code, out = run(world.env, "restore", str(backup), "--force", "--json")
    assert code == 0, out
    done = json.loads(out)
    kept = sorted(Path(p).name.split(".pre-restore-")[0] for p in done["kept"])
    assert kept == sorted(FILES)
    for path in map(Path, done["kept"]):
        assert path.read_bytes() == before[path.name.split(".pre-restore-")[0]]
    with closing(open_app_db(world.file("app.db"))) as db:
        last = AuditLog(db).entries(limit=1)[0]
    assert last.action == "restore" and f"{live_head[0]}:{live_head[1]}" in last.detail

    # files kept under the names this second (and the next minute) would give are never overwritten
    now = dt.datetime.now(dt.UTC)
    names = [world.file(f"graph.db.pre-restore-{(now + dt.timedelta(seconds=s)):%Y%m%dT%H%M%SZ}") for s in range(60)]
    decoys = [name for name in names if not name.exists()]  # the first restore's may be one of them
    for decoy in decoys:
        decoy.write_bytes(b"kept earlier")
    code, out = run(world.env, "restore", str(backup), "--force", "--json")
    assert code == 0, out
    assert not set(json.loads(out)["kept"]) & {*done["kept"], *map(str, decoys)}
    assert all(decoy.read_bytes() == b"kept earlier" for decoy in decoys)
    for path in map(Path, done["kept"]):  # the first restore's kept files are still the data it replaced
        assert path.read_bytes() == before[path.name.split(".pre-restore-")[0]]
    # last: in this process `audit verify` leaves its connection open, which a restore rightly refuses
    code, out = run(world.env, "audit", "verify")
    assert code == 0, out


def test_restore_refuses_while_the_store_is_open(world: World, backup: Path) -> None:
    before = world.file("graph.db").read_bytes()
    with closing(open_store(f"sqlite:///{world.file('graph.db')}")):
        code, out = run(world.env, "restore", str(backup), "--force")
    assert code == 1 and "is in use" in out and "stop the app" in out, out
    assert world.file("graph.db").read_bytes() == before
    assert not list(world.data.glob("*.pre-restore-*")) and not list(world.data.glob("*.restoring"))


def test_a_backup_never_writes_into_a_folder_that_holds_files(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "used"
    folder.mkdir()
    (folder / "notes.txt").write_text("kept", encoding="utf-8")
    code, out = run(world.env, "backup", str(folder))
    assert code == 1 and "not empty" in out, out
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_nothing_to_back_up_is_said_plainly(tmp_path: Path) -> None:
    code, out = run(env_for(tmp_path / "empty"), "backup", str(tmp_path / "backup"))
    assert code == 1 and "nothing to back up" in out, out
    assert not (tmp_path / "backup").exists()


def test_a_neo4j_store_backs_up_the_app_database_and_ledger_and_names_neo4j_admin(world: World, tmp_path: Path) -> None:
    neo4j = "neo4j://disrupt@graph.invalid:7687/disrupt"  # never opened: the graph is not ours to copy
    folder = tmp_path / "backup"
    code, out = run(world.env, "backup", str(folder), "--store", neo4j)
    assert code == 0, out
    assert "neo4j-admin database dump" in " ".join(out.split())
    assert sorted(p.name for p in folder.iterdir()) == ["app.db", KEY, "ingest-ledger.db", "manifest.json"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert "neo4j-admin database dump" in manifest["skipped"]["graph"]

    fresh = tmp_path / "fresh"
    code, out = run(env_for(fresh), "restore", str(folder), "--store", neo4j)
    assert code == 0, out
    assert sorted(p.name for p in fresh.iterdir()) == ["app.db", KEY, "ingest-ledger.db"]
    assert "neo4j-admin database load" in " ".join(out.split())


def test_an_embedded_graph_is_not_restored_into_a_neo4j_store(backup: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    code, out = run(env_for(fresh), "restore", str(backup), "--store", "neo4j://disrupt@graph.invalid:7687/disrupt")
    assert code == 1 and "copy-store" in " ".join(out.split()), out
    assert not fresh.exists()
