"""The gateway's child view on the seed-1 demo world: distinct counts, one audit entry listing what
is shown, analysts only; and the found-places map, escaped and served without a CDN."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from app.child_view import found_places_map, indicator_lines
from app.gateway import Gateway, NotFound, Viewer
from common.audit import AuditLog
from graph import GraphStore, open_store
from graph.result_rows import ChildIndicatorRow
from tests.app.conftest import AppWorld


@pytest.fixture(scope="module")
def store(app_world: AppWorld) -> Iterator[GraphStore]:
    opened = open_store(app_world.store_url)
    yield opened
    opened.close()


def _gateway(store: GraphStore, role: str) -> tuple[Gateway, AuditLog]:
    log = AuditLog(sqlite3.connect(":memory:"))
    return Gateway(store, log, Viewer(f"test-{role}", role, "TEST-1 child view")), log


def _children(store: GraphStore) -> list[dict[str, object]]:
    return [dict(r) for r in store.read_results("child_indicators").rows]  # type: ignore[union-attr]


def test_every_child_view_counts_distinct_episodes_and_agrees_with_the_analysis_on_peers(store: GraphStore) -> None:
    analyst, _ = _gateway(store, "analyst")
    for row in _children(store):
        child = str(row["entity_id"])
        view = analyst.child(child)
        sub = store.neighbourhood(child, hops=1, max_nodes=2000)
        G = store.to_networkx(entity_ids=[e.id for e in sub.entities])
        truth = {
            e
            for _, e, d in G.out_edges(child, data=True)
            if d.get("kind") == "PARTY_TO" and d.get("role") == "missing" and G.nodes[e].get("kind") == "MissingEpisode"
        }
        assert [e["entity_id"] for e in view["episodes"]] == sorted(
            truth, key=lambda e: (str(G.nodes[e].get("reported_at") or G.nodes[e].get("first_seen")), e)
        )
        assert view["counts"]["episodes"] == len(truth)
        assert sorted(p["entity_id"] for p in view["peers"]) == row["peer_ids"], row["label"]
        assert view["counts"]["suspects_within_2"] == row["suspects_within_2"], row["label"]
        assert sum(p["episodes"] for p in view["places"]) >= len([e for e in view["episodes"] if e["found_at_ids"]])
        assert view["complete"]


def test_a_child_view_writes_one_audit_entry_listing_everything_shown(store: GraphStore) -> None:
    row = max(_children(store), key=lambda r: int(r["peer_children"]))  # type: ignore[call-overload]
    analyst, log = _gateway(store, "analyst")
    view = analyst.child(str(row["entity_id"]))
    entries = log.entries()
    assert [e.action for e in entries] == ["child"]
    shown = set(entries[0].records)
    expected = {view["entity_id"]}
    expected |= {r["entity_id"] for part in ("episodes", "places", "suspects", "peers") for r in view[part]}
    expected |= {e.id for e in view["network"].sub.entities}
    assert expected <= shown
    assert entries[0].purpose == "TEST-1 child view"


@pytest.mark.parametrize("role", ["licensing", "strategic", "admin"])
def test_only_an_analyst_may_see_a_child_view(store: GraphStore, role: str) -> None:
    child = str(_children(store)[0]["entity_id"])
    other, log = _gateway(store, role)
    with pytest.raises(PermissionError):
        other.child(child)
    assert [(e.action, e.outcome, tuple(e.records)) for e in log.entries()] == [("child", "refused", ())]


def test_a_record_that_is_no_child_of_the_analysis_has_no_child_view(store: GraphStore) -> None:
    analyst, log = _gateway(store, "analyst")
    adult = next(e.id for e in store.records_of_kind("Location"))
    with pytest.raises(NotFound):
        analyst.child(adult)
    assert [(e.action, tuple(e.records)) for e in log.entries()] == [("child", ())]


def test_indicators_read_as_sentences() -> None:
    lines = indicator_lines(
        ChildIndicatorRow.from_mapping(
            {
                "age": 14,
                "missing_episodes": 1,
                "last_missing": "2026-04-20",
                "days_since_missing": 1,
                "return_interviews": 1,
                "exploitation_factors": ["gifts"],
                "suspects_within_1": 1,
                "suspects_within_2": 3,
                "exposed_not_offending": True,
                "found_locations": 2,
                "places_of_concern": 1,
                "peer_children": 1,
                "risk_level": "high",
                "looked_after": False,
            }
        )
    )
    assert "Missing 1 time; last reported missing 20 Apr 2026 (1 day before the analysis date)." in lines
    assert "1 suspect one step away, 3 within two steps in the person network." in lines
    assert "1 other child share episodes, places or adults." in lines
    assert "Risk level at the latest referral: high." in lines
    assert not any("None" in line for line in lines)


def test_the_found_places_map_escapes_names_and_loads_nothing_from_outside() -> None:
    hostile = "<img src=x onerror=alert(1)> `${alert(2)}` Café"
    html = found_places_map(
        [
            {"label": hostile, "episodes": 2, "in_hotspot": True, "latitude": 54.6, "longitude": 0.7},
            {"label": "No coordinates", "episodes": 1, "in_hotspot": False, "latitude": None, "longitude": None},
        ]
    )
    assert html is not None
    assert "<img src=x" not in html and "${alert(2)}" not in html and "`${" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script src=" not in html and "<link " not in html  # Leaflet inlined: nothing fetched
    assert "unpkg" not in html and "cdn.jsdelivr" not in html
    assert found_places_map([{"label": "x", "episodes": 1, "latitude": None, "longitude": None}]) is None
