"""The analyst's network as the gateway shapes it: expanding adds to the chart within the node cap,
people are styled by the role the analysis found, and one fact is one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import network_view
from app.gateway import Gateway, Viewer
from common.app_db import open_app_db
from common.audit import AuditLog
from graph import GraphStore, open_store
from graph.facts import fact_key
from graph.records import Link, Provenance
from graph.result_rows import ChildIndicatorRow, GroupRow
from tests.app.conftest import AppWorld


@pytest.fixture()
def store(app_world: AppWorld) -> Iterator[GraphStore]:
    opened = open_store(app_world.store_url)
    yield opened
    opened.close()


@pytest.fixture()
def gw(store: GraphStore, tmp_path: Path) -> Gateway:
    # the test reads the store itself from its own fixture: the gateway keeps its store private
    return Gateway(store, AuditLog(open_app_db(tmp_path / "app.db")), Viewer("t-analyst", "analyst", "TEST-OP-3 check"))


def _organiser(store: GraphStore) -> str:
    return str(store.read_results("groups").rows[0]["entity_id"])  # type: ignore[union-attr]


def test_expanding_a_node_adds_its_neighbours_and_keeps_the_chart(gw: Gateway, store: GraphStore) -> None:
    centre = _organiser(store)
    before = gw.network(centre, hops=1)
    drawn = {e.id for e in before.sub.entities}
    # a drawn node with neighbours the chart does not show yet
    outer = next(
        e.id
        for e in before.sub.entities
        if e.id != centre and {n.id for n in store.neighbourhood(e.id, hops=1).entities} - drawn
    )
    after = gw.network(centre, hops=1, expand=[outer])
    grown = {e.id for e in after.sub.entities}
    assert drawn < grown and after.expanded == (outer,)
    assert {n.id for n in store.neighbourhood(outer, hops=1).entities} <= grown
    assert not after.sub.truncated


def test_expanding_respects_the_node_cap_and_says_what_it_left_out(gw: Gateway, store: GraphStore) -> None:
    centre = _organiser(store)
    before = gw.network(centre, hops=1)
    drawn = {e.id for e in before.sub.entities}
    outer, extra = next(
        (e.id, len({n.id for n in store.neighbourhood(e.id, hops=1).entities} - drawn))
        for e in before.sub.entities
        if len({n.id for n in store.neighbourhood(e.id, hops=1).entities} - drawn) >= 3
    )
    cap = len(drawn) + 1
    after = gw.network(centre, hops=1, max_nodes=cap, expand=[outer])
    assert len(after.sub.entities) == cap and after.sub.truncated
    assert f"{extra - 1} neighbours of an expanded node not drawn" in network_view.status_line(after)


def test_people_are_styled_by_the_role_the_analysis_found(gw: Gateway, store: GraphStore) -> None:
    centre = _organiser(store)
    view = gw.network(centre, hops=2)
    assert view.facts[centre].category == "organiser"
    children = {str(r.entity_id) for r in gw.results(ChildIndicatorRow)}
    drawn_children = [e.id for e in view.sub.entities if e.id in children]
    assert drawn_children and all(view.facts[c].category == "child_or_victim" for c in drawn_children)
    suspects = [e.id for e in view.sub.entities if "suspect" in view.facts[e.id].roles]
    assert suspects and all(view.facts[s].category in ("suspect", "organiser", "child_or_victim") for s in suspects)
    data = network_view.network_data(network_view.build_network(view), view)
    titles = {n["id"]: n["title"] for n in data["nodes"]}
    assert "Age: " in titles[centre] and "Roles: " in titles[centre] and "Last seen: " in titles[centre]
    legend = {entry["text"] for entry in data["legend"]}
    assert {"Organiser", "Child at risk or exploitation victim", "Suspect", "Event", "Location"} <= legend
    assert any(e["label"] == "party to: suspect" for e in data["edges"])
    assert not any("PARTY_TO" in e["label"] for e in data["edges"])


def test_no_adult_is_drawn_as_a_child_for_being_a_victim_of_something_else(gw: Gateway) -> None:
    """A newcomer saw a 45-54-year-old suspect drawn as "Child at risk or victim" (a fraud victim once)."""
    children = {str(r.entity_id) for r in gw.results(ChildIndicatorRow)}
    drawn_as_children = 0
    for group in gw.results(GroupRow):
        view = gw.network(str(group.entity_id), hops=2)
        for e in view.sub.entities:
            facts = view.facts[e.id]
            if facts.category != "child_or_victim":
                continue
            drawn_as_children += 1
            adult_victim = "exploitation_victim" in facts.roles and not {"suspect", "exploitation_suspect"} & set(
                facts.roles
            )
            assert e.id in children or adult_victim, (e.label, facts)
    assert drawn_as_children


def test_one_fact_is_one_line_in_the_chart(gw: Gateway, store: GraphStore) -> None:
    centre = _organiser(store)
    view = gw.network(centre, hops=2, expand=[e.id for e in gw.network(centre, hops=1).sub.entities][:6])
    keys = [fact_key(store.schema, lk.kind, lk.source, lk.target, lk.properties) for lk in view.sub.links]
    assert len(keys) == len(set(keys))
    data = network_view.network_data(network_view.build_network(view), view)
    assert len({(e["from"], e["to"], e["label"]) for e in data["edges"]}) == len(data["edges"])


def test_link_words_say_kind_and_role() -> None:
    src = (Provenance("police_incidents", "I1", "2026-01-01T00:00:00+00:00"),)
    assert network_view.link_words(Link("l1", "PARTY_TO", "p", "e", {"role": "suspect"}, src)) == "party to: suspect"
    assert network_view.link_words(Link("l2", "USES_VEHICLE", "p", "v", {}, src)) == "uses vehicle"
