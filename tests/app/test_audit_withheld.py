"""Search text is withheld from the audit log, and still answers "who searched for X?" (issue 21).

The entry keeps the text's length and a keyed hash of its words; the key is a file beside the app
database that only its owner may read. Entries written before this kept the text: they are left as
they are (the chain still verifies) and shown withheld, and the filter finds them too.
"""

from __future__ import annotations

import stat
from pathlib import Path

from click.testing import CliRunner

from common.app_db import open_app_db
from common.audit import AuditLog
from common.audit_chain import entry_hash
from disrupt.cli import main
from graph import open_store
from graph.records import Provenance, new_entity

NAME = "Tess Zqxtester"
_INSERT = (
    "INSERT INTO audit(id, at, user, role, action, records, record_count, purpose, outcome, detail, prev_hash, "
    "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _search(log: AuditLog, text: str, user: str = "ana") -> None:
    log.record(
        user=user, role="analyst", action="search", records=["P1"], purpose="OP-1", outcome="shown", searched=text
    )


def test_the_text_is_withheld_and_found_by_its_words_in_any_order_or_case(tmp_path: Path) -> None:
    log = AuditLog(open_app_db(tmp_path / "app.db"))
    _search(log, NAME)
    _search(log, "someone else entirely", user="bea")
    raw = log._db.execute("SELECT detail FROM audit").fetchall()
    assert NAME.lower() not in str(raw).lower() and "Zqxtester" not in str(raw)
    [shown] = [e.detail for e in log.entries(user="ana")]
    assert shown == f"search text withheld ({len(NAME)} characters)"
    assert [e.user for e in log.entries(searched="ZQXTESTER  tess")] == ["ana"]
    assert [e.user for e in log.entries(searched="zqxtester")] == ["ana"]  # one of its words
    assert log.entries(searched="Tess Zqxtest") == []  # a part of a word is not the word
    assert log.entries(searched="Tess Other") == []  # every word must be there
    key = tmp_path / "app.db.audit-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    other = AuditLog(open_app_db(tmp_path / "app.db"))  # another process, the same key
    assert [e.user for e in other.entries(searched=NAME)] == ["ana"]
    assert log.verify().intact


def test_another_installation_cannot_match_the_hashes(tmp_path: Path) -> None:
    ours = AuditLog(open_app_db(tmp_path / "ours" / "app.db"))
    theirs = AuditLog(open_app_db(tmp_path / "theirs" / "app.db"))
    assert ours.searched(NAME) != theirs.searched(NAME)  # the key, not the text alone, makes the hash


def test_an_older_entry_keeps_its_text_is_shown_withheld_and_is_found(tmp_path: Path) -> None:
    log = AuditLog(open_app_db(tmp_path / "app.db"))
    # an entry as the gateway wrote it before this change, sealed into the chain as it was
    row = (1, "2026-11-30T10:00:00.000+00:00", "ana", "analyst", "search", '["P1"]', 1, "OP-1", "shown")
    old = (*row, f"text={NAME!r}")
    log._db.execute(
        _INSERT,
        (*old, "0" * 64, entry_hash("0" * 64, old)),
    )
    licensing = (2, "2026-11-30T10:01:00.000+00:00", "lee", "licensing", "licensing search", "[]", 0, "OP-2", "empty")
    second = (*licensing, "text='AB12 CDE', born=None")
    log._db.execute(
        _INSERT,
        (*second, entry_hash("0" * 64, old), entry_hash(entry_hash("0" * 64, old), second)),
    )
    _search(log, NAME)
    assert log.verify().intact  # nothing older was rewritten
    shown = [e.detail for e in log.entries()]
    assert NAME not in str(shown) and "AB12" not in str(shown)
    assert f"search text withheld ({len(NAME)} characters)" in shown[-1]
    assert shown[1] == "search text withheld (8 characters), born=None"
    assert [e.id for e in log.entries(searched=NAME.upper())] == [3, 1]  # the new entry and the old one


def test_a_command_line_search_is_withheld(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'graph.db'}") as store:
        person = new_entity("Person", {"ref": "P1", "full_name": NAME}, provenance=Provenance("s", "1", "t"))
        store.upsert([person])
    env = {"DISRUPT_DATA_DIR": str(tmp_path), "DISRUPT_STORE": "", "DISRUPT_APP_DB": str(tmp_path / "app.db")}
    result = CliRunner().invoke(main, ["search", NAME], env=env)
    assert result.exit_code == 0, result.output
    log = AuditLog(open_app_db(tmp_path / "app.db"))
    [entry] = log.entries(searched=NAME)
    assert entry.action == "search" and NAME not in entry.detail and "withheld" in entry.detail
