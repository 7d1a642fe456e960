"""`disrupt export-graph` and `disrupt import-network` (issue 24, point 5): a graph goes out as GraphML,
GEXF, a neo4j-admin bundle or an i2 chart and comes back the same, and every export is in the audit
log, with the ids it holds, before its file exists."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from common.app_db import open_app_db
from common.audit import AuditLog
from graph import open_store
from tests.disrupt.test_cli_ingest import run
from tests.graph.test_interchange import _edges, _nodes, build_world

LAYOUT = Path(__file__).parents[1] / "graph" / "anx_layout.xsd"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    store = open_store(url)
    build_world(store)
    G = store.to_networkx()
    people = sorted(n for n, d in G.nodes(data=True) if d["kind"] == "Person")
    store.save_results(
        "groups",
        [{"group_id": "G001", "label": "G001: 2 people", "members": [{"entity_id": p} for p in people]}],
        run_id="run-1",
    )
    store.close()
    # DISRUPT_APP_DB empty: the audit log beside the data, whatever an earlier test left in the environment
    return {
        "DISRUPT_DATA_DIR": str(tmp_path),
        "DISRUPT_STORE": url,
        "DISRUPT_APP_DB": "",
        "DISRUPT_PURPOSE": "OP-ZQX export test",
    }


def _exports(env: dict[str, str]) -> list:  # type: ignore[type-arg]
    log = AuditLog(open_app_db(Path(env["DISRUPT_DATA_DIR"]) / "app.db"))
    return [e for e in log.entries(limit=100) if e.action == "export graph"]


def _counts(url: str) -> dict[str, dict[str, int]]:
    store = open_store(url)
    try:
        return store.counts().as_dict()
    finally:
        store.close()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_an_exported_file_imports_into_a_fresh_store_with_the_same_counts(
    env: dict[str, str], tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"world.{fmt}"
    code, printed = run("export-graph", str(out), "--format", fmt, "--json", env=env)
    assert code == 0, printed
    assert json.loads(printed) == {"format": fmt, "out": str(out), "entities": 8, "links": 10}
    [entry] = _exports(env)
    assert entry.outcome == "exported" and entry.record_count == 8 and entry.purpose == "OP-ZQX export test"
    assert f"{fmt} of the whole graph" in entry.detail and "Ada" not in entry.detail
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, printed = run("import-network", str(out), "--store", fresh, "--json", env=env)
    assert code == 0, printed
    assert json.loads(printed)["set_aside"] == []
    assert _counts(fresh) == _counts(env["DISRUPT_STORE"])
    log = AuditLog(open_app_db(Path(env["DISRUPT_DATA_DIR"]) / "app.db"))
    assert [e.outcome for e in log.entries(limit=100) if e.action == "import network"] == ["collected"]


def test_a_neo4j_admin_bundle_imports_back_with_import_graph(env: dict[str, str], tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    code, printed = run("export-graph", str(bundle), "--format", "neo4j-admin", env=env)
    assert code == 0, printed
    assert (bundle / "nodes-Person.csv").is_file()
    code, printed = run("export-graph", str(bundle), "--format", "neo4j-admin", env=env)
    assert code != 0 and "new or empty folder" in printed  # never mixed into an older bundle
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, printed = run("import-graph", str(bundle), "--store", fresh, "--json", env=env)
    assert code == 0, printed
    assert json.loads(printed)["rows_rejected"] == 0
    assert _counts(fresh) == _counts(env["DISRUPT_STORE"])
    # the same graph, nothing stripped: ids, kinds, labels, properties, seen dates, sources, links
    before, after = open_store(env["DISRUPT_STORE"]), open_store(fresh)
    try:
        G, again = before.to_networkx(provenance=True), after.to_networkx(provenance=True)
    finally:
        before.close()
        after.close()
    assert _nodes(again) == _nodes(G)
    assert _edges(again) == _edges(G)


def test_an_i2_chart_of_the_network_around_a_person_found_by_name(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "chart.anx"
    code, printed = run(
        "export-graph", str(out), "--format", "anx", "--entity", "Qwertyson Bo", "--hops", "1",
        "--prepared-by", "Zqx Analyst", env=env,
    )  # fmt: skip
    assert code == 0, printed
    text = out.read_text(encoding="utf-8")
    xmlschema.XMLSchema(LAYOUT).validate(text)
    chart = ET.fromstring(text)
    labels = {i.get("Label") for i in chart.iterfind("ChartItemCollection/ChartItem")}
    assert {"Bo Qwertyson", "Ada Zqxample", "ZZ12ABC", "INT-4"} <= labels
    assert "1 Nowhere Row ZZ1 1AA" not in labels  # two hops away (Ada's home), not one
    fields = {f.get("Type"): f.get("Field") for f in chart.iterfind("Summary/FieldCollection/Field")}
    assert fields["SummaryFieldAuthor"] == "Zqx Analyst" and fields["SummaryFieldCategory"] == "OFFICIAL-SENSITIVE"
    [entry] = _exports(env)
    assert "anx of 1 hops around one entity" in entry.detail and entry.record_count == len(
        [i for i in chart.iterfind("ChartItemCollection/ChartItem") if i.find("End") is not None]
    )


def test_a_group_export_holds_the_group(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "group.gexf"
    code, printed = run("export-graph", str(out), "--format", "gexf", "--group", "G001", "--json", env=env)
    assert code == 0, printed
    assert json.loads(printed)["entities"] == 2  # the two people the group lists
    code, printed = run("export-graph", str(out), "--format", "gexf", "--group", "G999", env=env)
    assert code != 0 and "no group 'G999'" in printed


def test_no_file_is_written_when_the_audit_log_cannot_record_it(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "not-a-db").mkdir()
    out = tmp_path / "world.graphml"
    code, printed = run(
        "export-graph", str(out), "--format", "graphml", env={**env, "DISRUPT_APP_DB": str(tmp_path / "not-a-db")}
    )
    assert code != 0 and "nothing written" in printed
    assert not out.exists()


def test_what_an_import_sets_aside_is_listed_where_ingest_rejects_are(env: dict[str, str], tmp_path: Path) -> None:
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_node("a", label="Cell A")
    G.add_node("b", label="Cell B")
    G.add_edge("a", "b", kind="CALLS")
    G.add_edge("a", "a", kind="CALLS")
    path = tmp_path / "cells.graphml"
    nx.write_graphml(G, path)
    code, printed = run("import-network", str(path), env=env)
    assert code == 0, printed
    assert "set aside: edge 0 from 'a' to 'a' (element 4): joins a node to itself" in printed
    rejects = (Path(env["DISRUPT_DATA_DIR"]) / "rejects.csv").read_text(encoding="utf-8")
    assert "cells.graphml" in rejects and "joins a node to itself" in rejects and "edge 0 from 'a' to 'a'" in rejects
