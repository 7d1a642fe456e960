"""The Neo4j store end to end: ``disrupt demo --no-serve`` over Bolt gives the graph and the analysis
the embedded store gives, and ``disrupt copy-store`` moves that graph both ways intact."""

from __future__ import annotations

import itertools
import json
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from disrupt.cli import main
from graph import Entity, GraphStore, Link, open_store

PEOPLE = 600  # a small district keeps CI quick; `python benchmarks/bench_store.py --store bolt` times larger loads
pytestmark = pytest.mark.slow


def _demo(data_dir: Path, store_url: str) -> str:
    env = {"DISRUPT_DATA_DIR": str(data_dir), "DISRUPT_STORE": store_url}
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--people", str(PEOPLE), "--quiet"], env=env)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory, bolt_server: Any) -> Iterator[tuple[str, str]]:
    """The demo run twice on one generated world: into the embedded store and into the Bolt server."""
    from bolt_server import wipe

    embedded_dir = tmp_path_factory.mktemp("embedded")
    embedded = f"sqlite:///{embedded_dir / 'graph.db'}"
    _demo(embedded_dir, embedded)
    bolt_dir = tmp_path_factory.mktemp("bolt")
    world = f"world-{PEOPLE}-1"
    shutil.copytree(embedded_dir / world, bolt_dir / world)
    wipe(bolt_server.url, bolt_server.password)
    _demo(bolt_dir, bolt_server.url)
    yield embedded, bolt_server.url


def _results(store: GraphStore) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for name in store.result_names():
        table = store.read_results(name)
        assert table is not None
        tables[name] = [json.loads(json.dumps(r, sort_keys=True)) for r in table.rows]
    return tables


def _graph(store: GraphStore, part: list[str] | None = None) -> tuple[list[Any], list[Any]]:
    G = store.to_networkx(provenance=True, entity_ids=part)
    return list(G.nodes(data=True)), list(G.edges(keys=True, data=True))


def _facts(items: Iterable[Entity | Link]) -> list[tuple[Any, ...]]:
    """What a record says, without the load times and run ids that differ between the two runs."""
    return [
        (i.id, i.kind, getattr(i, "label", None), getattr(i, "source", None), getattr(i, "target", None),
         dict(i.properties), [(p.source, p.record_id, p.grading) for p in i.provenance], i.first_seen, i.last_seen)
        for i in items
    ]  # fmt: skip


def test_the_demo_over_bolt_gives_the_embedded_counts_and_analysis(demos: tuple[str, str]) -> None:
    embedded_url, bolt_url = demos
    with closing(open_store(embedded_url)) as embedded, closing(open_store(bolt_url)) as bolt:
        counts = embedded.counts()
        assert counts.entities["Person"] > 50 and sum(counts.links.values()) > 500
        assert bolt.counts() == counts
        assert _graph(bolt) == _graph(embedded)
        embedded_results, bolt_results = _results(embedded), _results(bolt)
        assert len(embedded_results) >= 10 and sum(map(len, embedded_results.values())) > 100
        assert bolt_results == embedded_results
        # the same questions get the same answers
        people = [e for e in embedded.records_of_kind("Person") if e.merged_into is None][:25]
        for person in people:
            a = embedded.neighbourhood(person.id, hops=2, max_nodes=60)
            b = bolt.neighbourhood(person.id, hops=2, max_nodes=60)
            assert (_facts(a.entities), _facts(a.links), a.truncated) == (
                _facts(b.entities),
                _facts(b.links),
                b.truncated,
            )
            # the part of the graph a profile or group page draws, with its sources
            part = [e.id for e in a.entities]
            assert _graph(bolt, part) == _graph(embedded, part)
        without_places = sorted(set(embedded.schema.entities) - {"Location", "Business"})
        connected = Counter[str]()
        players = list(dict.fromkeys(r["entity_id"] for r in embedded_results["key_players"]))[:10]
        for first, second in itertools.combinations(players, 2):
            for kinds in (None, without_places):
                a_paths = embedded.shortest_paths(first, second, max_hops=6, kinds=kinds, max_paths=500)
                b_paths = bolt.shortest_paths(first, second, max_hops=6, kinds=kinds, max_paths=500)
                assert sorted(a_paths, key=str) == sorted(b_paths, key=str)
                connected[str(kinds)] += bool(a_paths)
        assert min(connected.values()) >= 5, connected  # the comparison saw real paths, with and without a filter
        for text in ("road", "ab", people[0].label):
            assert [e.id for e in bolt.search(text, limit=15)] == [e.id for e in embedded.search(text, limit=15)]


def test_results_are_written_onto_the_entities_in_neo4j(demos: tuple[str, str], bolt_server: Any) -> None:
    import neo4j

    _, bolt_url = demos
    with closing(open_store(bolt_url)) as bolt:
        key_players = bolt.read_results("key_players")
    assert key_players is not None and key_players.rows
    first = key_players.rows[0]
    with neo4j.GraphDatabase.driver(
        f"bolt://127.0.0.1:{bolt_server.bolt_port}", auth=("root", bolt_server.password)
    ) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (n:Entity {id: $id}) RETURN n.key_players_score AS score, n.kind AS kind",
            id=first["entity_id"],
            database_="graph",
        )
    assert records[0]["kind"] == "Person" and records[0]["score"] == pytest.approx(first["score"])


def test_copy_store_moves_the_graph_both_ways_and_checks_it(
    demos: tuple[str, str], bolt_server: Any, tmp_path: Path
) -> None:
    from bolt_server import wipe

    embedded_url, bolt_url = demos
    back_url = f"sqlite:///{tmp_path / 'back.db'}"
    runner = CliRunner()
    out = runner.invoke(main, ["copy-store", bolt_url, back_url, "--json", "--batch-size", "700"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["verified"] and report["merges"] > 0 and report["results"] >= 10
    with closing(open_store(embedded_url)) as embedded, closing(open_store(back_url)) as back:
        assert _graph(back) == _graph(embedded)
        assert _results(back) == _results(embedded)
        assert back.judgements() == embedded.judgements()
        # resolution came across as resolution: a merged record can still be split off in the copy
        merged = next(e for e in back.records_of_kind("Person") if e.merged_into)
        assert back.set_canonical({merged.id: merged.id}, run_id="split") >= 1
        assert back.counts().entities["Person"] == embedded.counts().entities["Person"] + 1
    refused = runner.invoke(main, ["copy-store", embedded_url, back_url])
    assert refused.exit_code != 0 and "copy-store fills an empty store" in refused.output
    # and from the embedded store into an emptied Neo4j database
    with closing(open_store(bolt_url)) as bolt:
        before = _graph(bolt)
    wipe(bolt_url, bolt_server.password)
    out = runner.invoke(main, ["copy-store", embedded_url, bolt_url])
    assert out.exit_code == 0, out.output
    assert "DIFFERENT" not in out.output and "Counts by kind" in out.output
    with closing(open_store(bolt_url)) as bolt:
        assert _graph(bolt) == before


@pytest.fixture
def app_over_bolt(demos: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app's settings pointing at the Bolt store the demo filled, with a user of each role."""
    import streamlit as st

    from app.accounts import Accounts
    from app.policy import ROLES
    from common.app_db import open_app_db
    from tests.app.conftest import PASSWORD

    app_db = tmp_path / "app.db"
    accounts = Accounts(open_app_db(app_db))
    for role in ROLES:
        accounts.add(f"test-{role}", role, PASSWORD, replace=True)
    for key, value in {
        "DISRUPT_DATA_DIR": str(tmp_path),
        "DISRUPT_STORE": demos[1],
        "DISRUPT_APP_DB": str(app_db),
    }.items():
        monkeypatch.setenv(key, value)
    st.cache_resource.clear()
    yield
    import app.session

    app.session._shared_store(demos[1]).close()  # the cached one, opened by the test's sessions
    st.cache_resource.clear()


def test_every_page_renders_over_bolt_and_sessions_share_one_driver(
    demos: tuple[str, str], app_over_bolt: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    import app.session
    from app.navigation import PAGES
    from app.policy import ROLES, may
    from tests.app.conftest import signed_in_state
    from tests.app.test_pages import MAIN

    opened: list[str] = []

    def counted_open_store(url: str) -> GraphStore:
        opened.append(url)
        return open_store(url)

    monkeypatch.setattr(app.session, "open_store", counted_open_store)
    for role in ROLES:
        at = AppTest.from_file(MAIN, default_timeout=120)
        for key, value in signed_in_state(role).items():
            at.session_state[key] = value
        at.run()
        for spec in PAGES:
            if may(role, spec.capability):
                at.switch_page(spec.path).run()
                assert not at.exception, (role, spec.path, at.exception)
                assert at.title[0].value == spec.title
                assert not at.error, (role, spec.path, [e.value for e in at.error])
        assert "disrupt_store" not in at.session_state
    assert opened == [demos[1]]  # four sessions, one store: one driver and its pool
