"""The ingest commands end to end: demo, ingest, resolve, records, split, import-graph, import-edges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from disrupt.cli import main


def run(*args: str, env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("demo")
    env = {"DISRUPT_DATA_DIR": str(data), "DISRUPT_STORE": ""}
    code, out = run("demo", "--people", "1500", "--seed", "3", "--no-serve", env=env)
    assert code == 0, out
    assert "Graph ready" in out and "Entity resolution" in out
    return env


def test_demo_generates_ingests_and_resolves_into_the_data_folder(demo_env: dict[str, str]) -> None:
    data = Path(demo_env["DISRUPT_DATA_DIR"])
    assert (data / "world-1500-3" / "manifest.json").is_file()
    assert (data / "graph.db").is_file() and (data / "rejects.csv").is_file()
    code, out = run("stats", "--json", env=demo_env)
    counts = json.loads(out)
    assert code == 0 and counts["entities"]["Person"] > 100 and counts["links"]["PARTY_TO"] > 50


def test_ingest_again_reports_already_loaded_and_sums_up_as_json(demo_env: dict[str, str]) -> None:
    world = Path(demo_env["DISRUPT_DATA_DIR"]) / "world-1500-3"
    code, out = run("ingest", str(world), "--json", env=demo_env)
    report = json.loads(out)
    assert code == 0
    assert report["rows_read"] == report["rows_loaded"] + report["rows_rejected"] > 1000
    assert {f["status"] for f in report["files"]} == {"already loaded", "gazetteer", "boundaries"}


def test_resolve_as_json_moves_nothing_the_second_time(demo_env: dict[str, str]) -> None:
    code, out = run("resolve", "--json", env=demo_env)
    reports = {r["kind"]: r for r in json.loads(out)}
    assert code == 0 and reports["Person"]["records_moved"] == 0 and reports["Person"]["merged_records"] > 5


def test_records_then_split_then_resolve_keeps_them_apart(demo_env: dict[str, str]) -> None:
    code, out = run("resolve", "--json", env=demo_env)
    code, out = run("search", "--kind", "Person", "--json", "--limit", "1000", "a", env=demo_env)
    people = json.loads(out)
    merged = None
    for person in people:
        code, out = run("records", person["id"], "--json", env=demo_env)
        records = json.loads(out)
        if len(records) > 1:
            merged = records
            break
    assert merged is not None, "the demo world plants people with records in several agencies"
    leaving = next(r["record_id"] for r in merged if not r["canonical"])
    code, out = run("split", leaving, "--reference", "CASE-42", env=demo_env)
    assert code == 0 and "1 record(s) split off" in out
    run("resolve", env=demo_env)
    code, out = run("records", leaving, "--json", env=demo_env)
    assert [r["record_id"] for r in json.loads(out)] == [leaving]


def test_a_single_file_needs_its_source_kind(demo_env: dict[str, str]) -> None:
    nominals = Path(demo_env["DISRUPT_DATA_DIR"]) / "world-1500-3" / "police" / "nominals.csv"
    code, out = run("ingest", str(nominals), env=demo_env)
    assert code != 0 and "--source KIND" in out
    code, out = run("ingest", str(nominals), "--source", "nonsense", env=demo_env)
    assert code != 0 and "unknown source kind 'nonsense'" in out


def test_import_graph_and_import_edges(tmp_path: Path) -> None:
    env = {"DISRUPT_DATA_DIR": str(tmp_path), "DISRUPT_STORE": ""}
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "nodes.csv").write_text("id:ID,name,:LABEL\na,Ann,Person\nb,Crew,Gang\n", encoding="utf-8")
    (bundle / "rels.csv").write_text(":START_ID,:END_ID,:TYPE\na,b,MEMBER_OF\n", encoding="utf-8")
    code, out = run("import-graph", str(bundle), "--json", env=env)
    report = json.loads(out)
    assert code == 0 and report["entities_by_kind"] == {"Person": 1, "Other": 1}
    assert report["unknown_labels"] == {"Gang": 1} and report["links_by_kind"] == {"RELATED_TO": 1}
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target,weight\nx,y,1.5\n", encoding="utf-8")
    code, out = run("import-edges", str(edges), "--json", env=env)
    assert code == 0 and json.loads(out)["links_by_kind"] == {"RELATED_TO": 1}
    code, out = run("import-graph", str(tmp_path / "nowhere"), env=env)
    assert code != 0
