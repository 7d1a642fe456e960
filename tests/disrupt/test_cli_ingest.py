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


def test_ingest_takes_the_encoding_its_advice_names_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    env = {"DISRUPT_DATA_DIR": str(tmp_path / "data"), "DISRUPT_STORE": ""}
    header = "nominal_id,surname,forenames,dob,sex,ethnicity,address,postcode,phone\n"
    rows = [
        f"PN20000{i},Zqcli{i},Zo\u00eb,01/02/1990,F,White,{i} Testing Row,ZZ1 1AA,07700 900{i:03d}\n" for i in range(3)
    ]
    path = tmp_path / "nominals.csv"
    body = (header + "".join(rows)).encode("cp1252")
    path.write_bytes(body.replace(b"Zqcli2", b"Zqcli\x81"))  # 0x81 is no character in cp1252
    code, out = run("ingest", str(path), "--source", "police_nominals", "--encoding", "nonsense", env=env)
    assert code != 0 and "unknown encoding 'nonsense'" in out
    code, out = run("ingest", str(path), "--source", "police_nominals", "--encoding", "cp1252", "--json", env=env)
    report = json.loads(out)
    assert code == 0, out
    (file,) = report["files"]
    assert (file["encoding"], file["rows_read"], file["rows_loaded"], file["rows_rejected"]) == ("cp1252", 3, 2, 1)
    rejects = (tmp_path / "data" / "rejects.csv").read_text(encoding="utf-8")
    assert "byte 0x81" in rejects and "--encoding NAME" in rejects
    code, out = run("search", "--kind", "Person", "--json", "Zqcli0", env=env)
    assert code == 0 and [p["label"] for p in json.loads(out)] == ["Zo\u00eb Zqcli0"]


def test_a_refused_file_exits_non_zero_and_leaves_nothing_in_the_graph(tmp_path: Path) -> None:
    env = {"DISRUPT_DATA_DIR": str(tmp_path / "data"), "DISRUPT_STORE": ""}
    header = "nominal_id,surname,forenames,dob,sex,ethnicity,address,postcode,phone\n"
    rows = [
        f"PN3000{i:02d},Zqrefused,Testa,01/02/1990,F,White,{'x' * 140_000 if i == 40 else 'Row'},ZZ1 1AA,\n"
        for i in range(60)
    ]
    path = tmp_path / "nominals.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    code, out = run(
        "ingest", str(path), "--source", "police_nominals", "--chunk-size", "10", "--commit-rows", "10", "--json",
        env=env,
    )  # fmt: skip
    assert code != 0
    report = json.loads(out[: out.rindex("}") + 1])
    (file,) = report["files"]
    assert file["status"] == "failed" and "line 42" in file["message"] and "nothing of this file" in file["message"]
    assert file["rows_loaded"] == 0 and file["rows_read"] == file["rows_rejected"]
    code, out = run("stats", "--json", env=env)
    assert code == 0 and json.loads(out)["entities"].get("Person", 0) == 0
