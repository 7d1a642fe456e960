"""One fact, one line, on the seed-1 demo world: counts of episodes, interviews and events equal the
truth file's distinct counts, and no view shows one fact twice (issue 20, point 2)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.gateway import Gateway, Viewer
from common.app_db import open_app_db
from common.audit import AuditLog
from graph import GraphStore, open_store
from graph.facts import fact_key
from graph.records import Link
from tests.app.conftest import AppWorld


@pytest.fixture(scope="module")
def truth(app_world: AppWorld) -> dict[str, Any]:
    distinct: dict[str, Any] = json.loads((app_world.data_dir / "world-5000-1" / "truth.json").read_text())["distinct"]
    return distinct


@pytest.fixture()
def store(app_world: AppWorld) -> Iterator[GraphStore]:
    opened = open_store(app_world.store_url)
    yield opened
    opened.close()


@pytest.fixture()
def gw(store: GraphStore, tmp_path: Path) -> Gateway:
    # the test reads the store itself from its own fixture: the gateway keeps its store private
    return Gateway(store, AuditLog(open_app_db(tmp_path / "app.db")), Viewer("t-analyst", "analyst", "TEST-OP-9 check"))


def _rows(store: GraphStore, name: str) -> list[dict[str, Any]]:
    table = store.read_results(name)
    assert table is not None, f"the demo saved no {name}"
    return [dict(r) for r in table.rows]


def test_episodes_interviews_and_events_are_counted_once_each(store: GraphStore, truth: dict[str, Any]) -> None:
    assert dict(truth["events"]) == {
        kind: store.counts().entities.get(kind, 0) for kind in truth["events"]
    }  # Incident, Intelligence, MissingEpisode, Referral, Sighting
    G = store.to_networkx()
    episodes = [n for n, kind in G.nodes(data="kind") if kind == "MissingEpisode"]
    assert len(episodes) == truth["missing_episodes"]
    assert sum(1 for e in episodes if G.nodes[e].get("return_interview_on")) == truth["return_interviews"]


def test_child_indicators_and_management_information_count_distinct_episodes(
    store: GraphStore, truth: dict[str, Any]
) -> None:
    # a child whose every loaded record lacks a date of birth cannot be known to be a child
    known = truth["children_dated_by_their_records"]
    children = _rows(store, "child_indicators")
    assert sum(1 for c in children if c["missing_episodes"]) == known["with_episodes"]
    # in this world each episode has one missing child, so the children's episodes add up to the distinct count
    assert sum(c["missing_episodes"] for c in children) == known["missing_episodes"]
    assert sum(c["return_interviews"] for c in children) == known["return_interviews"]
    mi = _rows(store, "management_information")

    def measure(name: str) -> dict[str, int]:
        return {r["category"]: r["count"] for r in mi if r["measure"] == name}

    assert measure("missing episodes by month") == known["missing_episodes_by_month"]
    assert measure("return interviews by month") == known["return_interviews_by_month"]
    assert measure("children missing by month") == known["children_missing_by_month"]


def _repeated(schema: Any, links: Iterable[tuple[str, str, str, dict[str, Any]]]) -> list[tuple[str, ...]]:
    seen = Counter(fact_key(schema, kind, u, v, props) for kind, u, v, props in links)
    return [key for key, n in seen.items() if n > 1]


def _as_rows(links: Iterable[Link]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [(ln.kind, ln.source, ln.target, dict(ln.properties)) for ln in links]


def _children_with_merged_records(store: GraphStore) -> list[str]:
    """Children the analysis knows whose entity stands for more than one source record."""
    children = {str(c["entity_id"]) for c in _rows(store, "child_indicators") if c["missing_episodes"]}
    merged = {e.merged_into for e in store.records_of_kind("Person") if e.merged_into}
    chosen = sorted(children & merged)
    assert len(chosen) >= 5, "the demo world should hold children known to both police and care"
    return chosen


def test_no_view_shows_one_fact_twice(gw: Gateway, store: GraphStore) -> None:
    G = store.to_networkx()
    assert _repeated(store.schema, ((d["kind"], u, v, d) for u, v, d in G.edges(data=True))) == []
    organiser = str(_rows(store, "groups")[0]["entity_id"])
    for child in _children_with_merged_records(store):
        profile = gw.profile(child)
        assert profile.timeline, child
        events = [row["entity_id"] for row in profile.timeline]
        assert len(events) == len(set(events))
        for row in profile.timeline:
            parts = row["who"].split("; ")
            assert len(parts) == len(set(parts)), row["who"]
        view = gw.network(child, hops=2)
        drawn: Any = getattr(view, "sub", view)  # a Subgraph, or the network view being reshaped (issue 20, point 5)
        assert _repeated(store.schema, _as_rows(drawn.links)) == []
        assert _repeated(store.schema, _as_rows(store.neighbourhood(child, hops=2).links)) == []
        part = store.to_networkx(entity_ids=[e.id for e in drawn.entities], provenance=True)
        assert _repeated(store.schema, ((d["kind"], u, v, d) for u, v, d in part.edges(data=True))) == []
        for target in (organiser, *(row["entity_id"] for row in profile.timeline[:2])):
            paths = gw.paths(child, target, max_hops=4, max_paths=50)
            shapes = [tuple((step["entity_id"], step["via"]) for step in path) for path in paths]
            assert len(shapes) == len(set(shapes)), (child, target)
