"""Erasure from the command line: erase with confirmation, list, lift, and what later loads do."""

from __future__ import annotations

import csv
import getpass
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from common.app_db import open_app_db
from common.audit import AuditLog
from disrupt.cli import main

HEADER = ["nominal_id", "surname", "forenames", "dob", "sex", "ethnicity", "address", "postcode", "phone"]
ROWS = [
    ["PN1000001", "Zedfield", "Ada", "03/02/2011", "F", "White", "1 Example Road", "ZZ1 1AA", "07700 900123"],
    ["PN1000002", "Quillon", "Bo", "04/05/1990", "M", "White", "2 Sample Street", "ZZ1 1AB", "07700 900456"],
]


def run(env: dict[str, str], *args: str, answer: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, input=answer, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[dict[str, str], Path]:
    nominals = tmp_path / "nominals.csv"
    with open(nominals, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    env = {
        "DISRUPT_DATA_DIR": str(tmp_path / "data"),
        "DISRUPT_STORE": "",
        "DISRUPT_APP_DB": str(tmp_path / "app.db"),
        "DISRUPT_PURPOSE": "SAR-2026/7 review",
    }
    code, out = run(env, "ingest", str(nominals), "--source", "police_nominals", "--json")
    assert code == 0 and json.loads(out)["rows_loaded"] == 2, out
    return env, nominals


def _person(env: dict[str, str], surname: str) -> str:
    code, out = run(env, "search", surname, "--kind", "Person", "--json")
    [hit] = json.loads(out)
    return str(hit["id"])


def _people(env: dict[str, str]) -> int:
    return int(json.loads(run(env, "stats", "--json")[1])["entities"].get("Person", 0))


def _audit(env: dict[str, str]) -> list[tuple[str, str, str, str]]:
    db = open_app_db(Path(env["DISRUPT_APP_DB"]))
    try:
        # the erasure entries: not the searches, nor the loads (collection) the tests make first
        skipped = {"search", "ingest file", "ingest run"}
        return [(e.user, e.action, e.outcome, e.detail) for e in AuditLog(db).entries() if e.action not in skipped]
    finally:
        db.close()


def test_erase_asks_then_erases_and_later_loads_set_the_record_aside_until_it_is_lifted(
    loaded: tuple[dict[str, str], Path],
) -> None:
    env, nominals = loaded
    ada = _person(env, "Zedfield")
    args = ("erase", ada, "--reason", "subject_request", "--reference", "SAR-2026/7")
    code, out = run(env, *args, answer="n\n")
    assert code == 1 and "Aborted" in out and _people(env) == 2
    code, out = run(env, *args, "--json", answer="y\n")
    assert code == 0, out
    record = json.loads(out[out.index("{") :])
    assert (record["kind"], record["reason"], record["lifted_at"]) == ("Person", "subject_request", None)
    assert _people(env) == 1

    code, out = run(env, "ingest", str(nominals), "--source", "police_nominals", "--restart", "--json")
    [report] = json.loads(out)["files"]
    assert (report["rows_loaded"], report["rows_rejected"], report["rows_erased"]) == (1, 1, 1)
    assert _people(env) == 1

    code, out = run(env, "erasures", "--json")
    assert code == 0 and json.loads(out) == [record]
    code, out = run(env, "erasures")
    assert record["erasure_id"] in out and "SAR-2026/7" in out

    lift = ("lift-erasure", record["erasure_id"], "--reason", "erased_in_error", "--reference", "DPO-2026/3")
    code, out = run(env, *lift)
    assert code == 0 and "--restart" in out, out
    code, out = run(env, *lift)
    assert code == 1 and f"erasure {record['erasure_id']} was lifted at" in out
    code, out = run(env, "erasures", "--json")
    [lifted] = json.loads(out)
    assert (lifted["lift_reason"], lifted["lift_reference"]) == ("erased_in_error", "DPO-2026/3")

    code, out = run(env, "ingest", str(nominals), "--source", "police_nominals", "--restart", "--json")
    [report] = json.loads(out)["files"]
    assert (report["rows_loaded"], report["rows_erased"]) == (2, 0) and _people(env) == 2

    # who erased and who lifted is in the audit log, with the case references and nobody's data
    user = getpass.getuser()
    detail = f"erasure {record['erasure_id']} of one Person: subject_request SAR-2026/7"
    assert _audit(env) == [
        (user, "lift erasure", "lifted", f"{detail}; lifted: erased_in_error DPO-2026/3"),
        (user, "erase", "erased", detail),
    ]
    assert not any("Zedfield" in str(entry) or ada in str(entry) for entry in _audit(env))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--reason", "subject_request", "--reference", "Ada Zedfield"), "never a name"),
        (("--reason", "because", "--reference", "SAR-1"), "'because' is not one of"),
    ],
)
def test_erase_refuses_a_name_as_reference_or_an_unknown_reason_before_asking(
    loaded: tuple[dict[str, str], Path], args: tuple[str, ...], message: str
) -> None:
    env, _ = loaded
    code, out = run(env, "erase", _person(env, "Zedfield"), *args)
    assert code == 2 and message in out and "cannot be undone" not in out
    assert _people(env) == 2 and _audit(env) == []


def test_erase_and_lift_say_what_is_wrong_with_an_unknown_id(loaded: tuple[dict[str, str], Path]) -> None:
    env, _ = loaded
    code, out = run(env, "erase", "person-nobody", "--reason", "correction", "--reference", "C-1", "--yes")
    assert code == 1 and "no entity 'person-nobody'; `disrupt search` finds" in out
    code, out = run(env, "lift-erasure", "0" * 32, "--reason", "court_order", "--reference", "CO-1")
    assert code == 1 and f"no erasure '{'0' * 32}' in this store; `disrupt erasures` lists them" in out
    assert _audit(env) == []


def test_an_erasure_whose_audit_entry_cannot_be_written_says_it_was_done(
    loaded: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, _ = loaded
    ada = _person(env, "Zedfield")
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    broken = {**env, "DISRUPT_APP_DB": str(tmp_path / "not-a-folder" / "app.db")}
    code, out = run(broken, "erase", ada, "--reason", "correction", "--reference", "C-7", "--yes")
    assert code == 1 and "done (erasure " in out and "but the audit log could not be written" in out
    assert _people(env) == 1  # the erasure stands; the message says so
