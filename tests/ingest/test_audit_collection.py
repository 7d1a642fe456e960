"""Collection and combination reach the audit log (issue 21; DPA 2018 Part 3 s.62).

An ingest run writes one entry per file (the file, rows read, loaded and rejected) and one for the
run; an edge-list import writes one; entity resolution writes entries with the ids of the records it
moved and of the entities they joined and left; ``disrupt split`` writes the ids it separated. Each
entry is made by the operating-system user who ran the command, and names nobody. Before this, none
of them wrote anything: the log could not say who loaded a partner's file or merged two people.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from common.app_db import open_app_db
from common.audit import AuditEntry, AuditLog
from disrupt.cli import main
from graph import open_store

PURPOSE = "TEST-OP-62 data load"


@dataclass(frozen=True)
class Loaded:
    data: Path
    env: dict[str, str]
    report: dict[str, object]


def _run(*args: str, env: dict[str, str]) -> str:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _log(data: Path) -> list[AuditEntry]:
    """Every entry, oldest first."""
    return list(reversed(AuditLog(open_app_db(data / "app.db")).entries(limit=100_000)))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    data = tmp_path_factory.mktemp("collection")
    env = {
        "DISRUPT_DATA_DIR": str(data),
        "DISRUPT_STORE": "",
        "DISRUPT_APP_DB": str(data / "app.db"),  # not one another test's fixture left in the environment
        "DISRUPT_PURPOSE": PURPOSE,
    }
    _run("generate", "--out", str(data / "world"), "--people", "400", "--seed", "62", env=env)
    report = json.loads(_run("ingest", str(data / "world"), "--json", env=env))
    yield Loaded(data, env, report)


def test_an_ingest_run_writes_an_entry_per_file_and_one_for_the_run(loaded: Loaded) -> None:
    entries = _log(loaded.data)
    files = [e for e in entries if e.action == "ingest file"]
    runs = [e for e in entries if e.action == "ingest run"]
    reported = loaded.report["files"]
    assert isinstance(reported, list) and len(files) == len(reported) > 5
    for entry, f in zip(files, reported, strict=True):
        assert (entry.user, entry.role, entry.purpose, entry.outcome) == (
            getpass.getuser(),
            "command line",
            PURPOSE,
            "collected",
        )
        assert f"{f['source']} from {f['file']}: {f['rows_read']} rows read, {f['rows_loaded']} loaded" in entry.detail
        assert f"{f['rows_rejected']} rejected" in entry.detail
    [run] = runs
    assert str(loaded.report["run_id"]) in run.detail and f"{loaded.report['rows_read']} rows read" in run.detail


def test_resolution_and_a_split_write_the_ids_they_combined_and_separated(loaded: Loaded) -> None:
    _run("resolve", env=loaded.env)
    with open_store(f"sqlite:///{loaded.data / 'graph.db'}") as store:
        merged = {e.id: str(e.merged_into) for e in store.records_of_kind("Person") if e.merged_into}
        names = {e.label for e in store.records_of_kind("Person") if len(e.label) > 4}
    assert len(merged) > 5
    resolved = [e for e in _log(loaded.data) if e.action == "resolve Person"]
    assert resolved and {e.outcome for e in resolved} == {"combined"}
    covered = {i for e in resolved for i in e.records}
    assert set(merged) <= covered and set(merged.values()) <= covered  # every record merged, and where to
    assert sum(len(e.records) for e in resolved) == len(covered)  # each id once (entries of at most 500)
    assert {e.user for e in resolved} == {getpass.getuser()}

    record, entity = next(iter(sorted(merged.items())))
    _run("split", record, "--reference", "DQ-2026/62", env=loaded.env)
    [split] = [e for e in _log(loaded.data) if e.action == "split"]
    assert record in split.records and entity in split.records
    assert "DQ-2026/62" in split.detail and entity in split.detail
    changed = [e for e in _log(loaded.data) if e.action in {"resolve Person", "split", "ingest file", "ingest run"}]
    assert not [e.detail for e in changed if any(name in e.detail for name in names)]  # ids, never names
    assert AuditLog(open_app_db(loaded.data / "app.db")).verify().intact


def test_an_edge_list_import_writes_an_entry(loaded: Loaded, tmp_path: Path) -> None:
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target,weight\nn1,n2,1\nn2,n3,2\n", encoding="utf-8")
    _run("import-edges", str(edges), env=loaded.env)
    [entry] = [e for e in _log(loaded.data) if e.action == "import edges"]
    assert entry.outcome == "collected" and str(edges) in entry.detail and "3 entities" in entry.detail, entry.detail


def test_an_analysis_run_writes_an_entry(loaded: Loaded) -> None:
    out = json.loads(_run("analyse", "--seed", "1", "--json", env=loaded.env))
    [entry] = [e for e in _log(loaded.data) if e.action == "analyse"]
    assert entry.outcome == "changed" and entry.user == getpass.getuser()
    assert f"run {out['run_id']}" in entry.detail and f"groups {out['rows']['groups']}" in entry.detail
