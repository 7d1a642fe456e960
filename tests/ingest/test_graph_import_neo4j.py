"""`disrupt import-neo4j`: the POLE bundle, loaded into a live database on the session's Bolt
server (ArcadeDB, see tests/support/bolt_server.py) as neo4j-admin would load it, then read back
over Bolt in pages, gives the same graph as the bundle imported from its files (issue 24, point 4).

"The same" is compared without what names the source itself (a person's ``ref`` and every node's
``extra_import_id`` hold the bundle's ids in one and the database's element ids in the other) and
without the order in which the relationships between two people were read.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import neo4j
import networkx as nx
from bolt_server import BoltServer, wipe

from graph import open_store
from graph.neo4j_config import PASSWORD_ENV, parse_neo4j_url
from ingest.graph_import import import_neo4j_bundle
from ingest.neo4j_import import import_neo4j_database
from tests.ingest.pole_bundle import Pole, pole_bundle

SOURCE_NAMED = frozenset({"ref", "extra_import_id", "label", "first_seen", "last_seen"})


def _load_into_server(server: BoltServer, pole: Pole) -> None:
    """Write the bundle's nodes and relationships into the server's database, as an import would."""
    config = parse_neo4j_url(server.url)
    with neo4j.GraphDatabase.driver(config.uri, auth=(config.user, server.password)) as driver:
        for label, nodes in pole.nodes.items():  # labels come from the bundle's fixed list, never data
            driver.execute_query(
                f"UNWIND $rows AS r CREATE (n:`{label}`) SET n = r",
                rows=list(nodes.values()),
                database_=config.database,
            )
        by_type: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for rel_type, start, end, _, props in pole.relationships:
            (a_label, a), (b_label, b) = start.split(":", 1), end.split(":", 1)
            by_type.setdefault((rel_type, a_label, b_label), []).append({"a": a, "b": b, "props": props})
        for (rel_type, a_label, b_label), rows in by_type.items():
            a_key, b_key = pole.id_property[a_label], pole.id_property[b_label]
            driver.execute_query(
                f"UNWIND $rows AS r MATCH (a:`{a_label}` {{`{a_key}`: r.a}}) MATCH (b:`{b_label}` {{`{b_key}`: r.b}}) "
                f"CREATE (a)-[x:`{rel_type}`]->(b) SET x = r.props",
                rows=rows,
                database_=config.database,
            )


def _shape(G: nx.MultiDiGraph) -> tuple[Counter[Any], Counter[Any]]:
    """Nodes and edges as multisets of what they say, leaving out what names the source."""

    def plain(data: dict[str, Any]) -> tuple[Any, ...]:
        items = []
        for k, v in sorted(data.items()):
            if k in SOURCE_NAMED:
                continue
            if k == "nature":
                v = tuple(sorted(v.split("; ")))
            items.append((k, tuple(sorted(v)) if isinstance(v, list) else v))
        return tuple(items)

    node = {n: plain(d) for n, d in G.nodes(data=True)}
    edges: Counter[Any] = Counter()
    for u, v, d in G.edges(data=True):
        ends = frozenset((node[u], node[v])) if d["kind"] == "ASSOCIATE_OF" else (node[u], node[v])
        edges[(ends, plain(d))] += 1
    return Counter(node.values()), edges


def test_the_bundle_read_from_a_live_database_gives_the_same_graph(bolt_server: BoltServer, tmp_path: Path) -> None:
    pole = pole_bundle(tmp_path / "bundle")
    wipe(bolt_server.url, bolt_server.password)
    try:
        _load_into_server(bolt_server, pole)
        from_files = open_store(f"sqlite:///{tmp_path / 'files.db'}")
        from_server = open_store(f"sqlite:///{tmp_path / 'server.db'}")
        try:
            files = import_neo4j_bundle(from_files, pole.folder, tmp_path / "work-files")
            live = import_neo4j_database(
                from_server, bolt_server.url, tmp_path / "work-server", password=bolt_server.password, page=97
            )
            assert live.label_map.startswith("neo4j_pole: chosen because")
            assert (live.nodes_read, live.relationships_read) == (files.nodes_read, files.relationships_read)
            assert live.rows_rejected == files.rows_rejected == 6  # the bad crime and the five naming it
            assert from_server.counts() == from_files.counts()
            assert dict(live.entities_by_kind) == dict(files.entities_by_kind)
            assert dict(live.links_by_kind) == dict(files.links_by_kind)
            nodes_a, edges_a = _shape(from_files.to_networkx())
            nodes_b, edges_b = _shape(from_server.to_networkx())
            assert nodes_b == nodes_a
            assert edges_b == edges_a
            rejects = (tmp_path / "work-server" / "rejects.csv").read_text(encoding="utf-8")
            assert "31/02/2017" in rejects and " nodes," in rejects
        finally:
            from_files.close()
            from_server.close()
    finally:
        wipe(bolt_server.url, bolt_server.password)


def _disrupt(command: str, env: dict[str, str]) -> tuple[int, str]:
    """Run a command line as a user types it, with this checkout's `disrupt`; its exit code and output."""
    args = shlex.split(command)
    assert args[0] == "disrupt"
    done = subprocess.run(
        [sys.executable, "-m", "disrupt", *args[1:]],
        env=env,
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_disrupt_import_neo4j_reads_the_live_database_and_reports_what_it_holds(
    bolt_server: BoltServer, tmp_path: Path
) -> None:
    pole = pole_bundle(tmp_path / "bundle")
    wipe(bolt_server.url, bolt_server.password)
    try:
        _load_into_server(bolt_server, pole)
        base = {k: v for k, v in os.environ.items() if not k.startswith("DISRUPT_")}
        base |= {"COLUMNS": "200", "PYTHONPATH": str(Path(__file__).parents[2])}
        data = tmp_path / "data"
        env = base | {"DISRUPT_DATA_DIR": str(data), "DISRUPT_STORE": "", "DISRUPT_APP_DB": ""}
        secret = tmp_path / "source-password"
        secret.write_text(bolt_server.password + "\n", encoding="utf-8")
        code, out = _disrupt(f"disrupt import-neo4j {bolt_server.url} --password-file {secret}", env)
        assert code == 0, out
        assert "label map: neo4j_pole: chosen because the bundle has the labels Person, Crime, Location" in out
        assert "entities held: Person" in out and "rows set aside (rejects.csv)" in out
        store = open_store(f"sqlite:///{data / 'graph.db'}")
        try:
            held = store.counts()
            bexa = store.search("Bexa Quarrow", kinds=["Person"])[0]
            record = store.erase_entity(bexa.id, reason="subject_request", reference="SAR-24")
        finally:
            store.close()
        assert held.entities["Person"] == 120 and held.entities["Incident"] == 59  # the bad crime set aside
        # Read again after a person was erased: that node is set aside naming the erasure, the rest loads
        code, out = _disrupt(f"disrupt import-neo4j {bolt_server.url} --password-file {secret}", env)
        assert code == 0, out
        assert f"was erased (erasure {record.erasure_id})" in (data / "rejects.csv").read_text(encoding="utf-8")
        # As JSON, with the password as the store takes it (DISRUPT_NEO4J_PASSWORD), into another store
        other = tmp_path / "other"
        env = base | {"DISRUPT_DATA_DIR": str(other), "DISRUPT_STORE": "", "DISRUPT_APP_DB": ""}
        env[PASSWORD_ENV] = bolt_server.password
        code, out = _disrupt(f"disrupt import-neo4j {bolt_server.url} --json", env)
        assert code == 0, out
        report = json.loads(out)
        assert report["entities_by_kind"] == held.entities and report["rows_rejected"] == 6
        assert report["source"] == "neo4j:graph" and report["run_id"]
        assert "31/02/2017" in (other / "rejects.csv").read_text(encoding="utf-8")
        # A wrong password: a clear refusal, a failing exit code, nothing stored
        secret.write_text("not-the-password", encoding="utf-8")
        empty = tmp_path / "empty"
        env = base | {"DISRUPT_DATA_DIR": str(empty), "DISRUPT_STORE": "", "DISRUPT_APP_DB": ""}
        code, out = _disrupt(f"disrupt import-neo4j {bolt_server.url} --password-file {secret}", env)
        assert code == 1 and "Error:" in out and "Traceback" not in out, out
        assert "not-the-password" not in out
    finally:
        wipe(bolt_server.url, bolt_server.password)
