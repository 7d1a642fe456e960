"""Projections, roles, flags, hotspots and child indicators on a hand-made POLE graph.

The little world: organiser O and driver D are suspects in an exploitation incident; child C went
missing twice and was found with D at the Rest Hotel; D holds a driver licence (no safeguarding
training) for vehicle V, named in an intelligence report graded B2; bystanders X and Y share a phone.
"""

from __future__ import annotations

import doctest
import importlib

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analytics.analysis import analyse
from analytics.children import child_indicators
from analytics.disclosure import safe_counts
from analytics.flags import flag_licensing
from analytics.hotspots import count_by_cell, getis_ord_hotspots, monthly_trend, predictive_accuracy_index, study_cells
from analytics.places import business_places
from analytics.projections import person_network, person_object_graph, person_place_graph
from analytics.roles import concern_seeds, person_roles
from graph.result_rows import KeyPlayerRow, Labelled

SECRET = "MARKER-intel-text-7731"


def _world() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()

    def node(n: str, kind: str, **props: object) -> None:
        G.add_node(n, kind=kind, label=props.pop("label", n), provenance=[("test", f"rec-{n}", None)], **props)

    def link(u: str, v: str, kind: str, **props: object) -> None:
        G.add_edge(u, v, key=f"{u}-{kind}-{v}", kind=kind, **props)

    node("O", "Person", date_of_birth="1980-01-01", last_seen="2026-06-01")
    node("D", "Person", date_of_birth="1975-05-05")
    node("C", "Person", date_of_birth="2011-03-03", label="child C")
    node("X", "Person", date_of_birth="1990-01-01")
    node("Y", "Person", date_of_birth="1991-01-01")
    node("inc", "Incident", category="Child sexual exploitation", occurred_at="2026-03-01T22:00:00")
    node(
        "intel",
        "Intelligence",
        topic="child sexual exploitation",
        source_evaluation="2",
        intelligence_assessment="B",
        text=SECRET,
        recorded_at="2026-04-01T10:00:00",
    )
    node("mp1", "MissingEpisode", reported_at="2026-05-01T23:00:00", pull_factors=["hotel parties"])
    node("mp2", "MissingEpisode", reported_at="2026-05-20T23:00:00")
    node("hotel-place", "Location", address="Rest Hotel, Mill Lane", postcode="ZZ1 1AA", latitude=54.5, longitude=0.7)
    node("hotel-base", "Location", address="1 Mill Lane", postcode="ZZ1 1AA", latitude=54.5, longitude=0.7)
    node("hotel", "Business", name="Rest Hotel", postcode="ZZ1 1AA", business_type="hotel")
    node("shop", "Business", name="Corner Shop", postcode="ZZ1 1AA", business_type="shop")
    node("lic", "Licence", authority="Velmouth", number="VEL/PHD/1", licence_type="driver", status="active")
    node("plate", "Licence", authority="Velmouth", number="VEL/PHV/1", licence_type="vehicle", status="active")
    node("V", "Vehicle", vrm="ZA12ABC")
    node("phone", "Phone", number="+447700900001")
    link("O", "inc", "PARTY_TO", role="suspect")
    link("D", "inc", "PARTY_TO", role="suspect")
    link("C", "inc", "PARTY_TO", role="victim")
    link("V", "intel", "SUBJECT_OF", role="subject")
    link("O", "intel", "SUBJECT_OF", role="subject")
    for mp in ("mp1", "mp2"):
        link("C", mp, "PARTY_TO", role="missing")
        link(mp, "hotel-place", "OCCURRED_AT", role="found")
    link("D", "mp1", "PARTY_TO", role="found_with")
    link("hotel", "hotel-base", "OPERATES_AT")
    link("shop", "hotel-base", "OPERATES_AT")
    link("D", "lic", "HOLDS_LICENCE")
    link("D", "plate", "HOLDS_LICENCE")
    link("plate", "V", "LICENSED_VEHICLE")
    link("X", "phone", "USES_PHONE")
    link("Y", "phone", "USES_PHONE")
    link("D", "hotel-base", "LIVES_AT")
    return G


def test_the_person_network_explains_each_tie() -> None:
    P = person_network(_world())
    assert P["O"]["D"]["reasons"] == {"co_offending": 1}
    assert P["C"]["D"]["reasons"] == {"co_party": 1, "found_with": 1}
    assert P["X"]["Y"]["reasons"] == {"shared_phone": 1}
    assert P["X"]["Y"]["evidence"] == ["phone"]
    assert P["O"]["D"]["weight"] > P["X"]["Y"]["weight"] * 0.99  # co-offending counts at least as a phone
    assert not P.has_edge("O", "X")


def test_graded_intelligence_weighs_less_than_a_recorded_offence() -> None:
    G = _world()
    G.add_edge("D", "intel", key="D-intel", kind="SUBJECT_OF", role="subject")
    P = person_network(G)
    co_subject = P["O"]["D"]["weight"] - person_network(_world())["O"]["D"]["weight"]
    assert 0 < co_subject < 0.8 * 0.85  # 0.8 (co-subject) x 0.85 (B) x 0.8 (2) x recency


def test_bipartite_views_hold_people_with_their_things_and_places() -> None:
    G = _world()
    objects = person_object_graph(G)
    assert set(objects["D"]) == {"lic", "plate"}
    places = person_place_graph(G)
    assert "hotel-place" in places["C"] and "hotel-base" in places["D"]


def test_roles_come_from_the_records() -> None:
    roles = person_roles(_world())
    assert {"suspect", "exploitation_suspect", "intelligence_subject"} <= roles["O"]
    assert {"driver", "licence_holder", "found_with", "exploitation_suspect"} <= roles["D"]
    assert {"child", "victim", "exploitation_victim", "missing"} <= roles["C"]
    assert roles["X"] == frozenset()
    assert set(concern_seeds(roles)) == {"O", "D", "C"}


def test_flags_cite_sources_and_grading_but_never_the_text() -> None:
    G = _world()
    roles = person_roles(G)
    rows = {
        r.entity_id: r for r in flag_licensing(G, roles=roles, group_of={}, hot_cells=set(), places=business_places(G))
    }
    driver = rows["lic"]
    assert driver.level == "high"
    texts = [r.reason for r in driver.reasons]
    assert "holder linked to 1 exploitation incident" in texts
    assert any("recorded with a missing child when found" in t for t in texts)
    assert any(
        t == "licensed vehicle named in 1 intelligence report about child exploitation, graded B2" for t in texts
    )
    assert "no safeguarding training recorded" in texts
    assert all(r.sources for r in driver.reasons)
    assert rows["hotel"].level == "high"  # two episodes of a child showing exploitation ended there
    assert rows["shop"].level == "none"  # same postcode, but no record names it
    assert SECRET not in repr(rows)
    assert "child C" not in repr(rows)


def test_child_indicators_count_episodes_exposure_and_places() -> None:
    G = _world()
    roles = person_roles(G)
    P = person_network(G)
    (row,) = child_indicators(G, P, roles=roles, as_of=pd.Timestamp("2026-06-30").date())
    assert row.entity_id == "C"
    assert row.age == 15
    assert row.missing_episodes == 2
    assert row.episodes_last_6_months == 2 and row.trend == "rising"
    assert row.exploitation_factors == ["hotel parties"]
    assert row.suspects_within_1 == 2  # O (co-party in the incident) and D
    assert row.found_locations == 1
    assert row.exposed_not_offending is True


def test_gi_star_flags_the_cluster_and_nothing_else() -> None:
    rng = np.random.default_rng(5)
    background = pd.DataFrame({"latitude": rng.uniform(54.46, 54.64, 300), "longitude": rng.uniform(0.52, 0.99, 300)})
    cluster = pd.DataFrame({"latitude": rng.normal(54.55, 0.001, 80), "longitude": rng.normal(0.75, 0.0015, 80)})
    cells = study_cells(background["latitude"], background["longitude"])
    events = pd.concat([background, cluster])
    gi = getis_ord_hotspots(count_by_cell(events, cells), seed=1)
    hot = set(gi.loc[gi["hotspot"], "cell"])
    cluster_cells = set(count_by_cell(cluster, cells).loc[lambda s: s > 0].index)
    assert hot and hot & cluster_cells
    import h3

    for cell in hot:  # every flagged cell is the cluster or touches it
        assert any(h3.grid_distance(cell, c) <= 1 for c in cluster_cells)


def test_pai_is_hit_rate_over_area_share() -> None:
    later = pd.DataFrame({"latitude": [0.0], "longitude": [0.0]})
    import h3

    home = h3.latlng_to_cell(0.0, 0.0, 9)
    others = [c for c in h3.grid_disk(home, 1) if c != home][:3]
    cells = [home, *others]
    assert predictive_accuracy_index([home], cells, later) == pytest.approx(4.0)  # all events in 1/4 of the area
    assert predictive_accuracy_index([others[0]], cells, later) == 0.0


def test_monthly_trend_fills_empty_months() -> None:
    events = pd.DataFrame({"ward": ["W1", "W1", "W2"], "month": ["2026-01", "2026-03", "2026-03"]})
    trend = monthly_trend(events)
    w1 = trend[trend["ward"] == "W1"].set_index("month")["count"].to_dict()
    assert w1 == {"2026-01": 1, "2026-02": 0, "2026-03": 1}


def test_the_whole_analysis_runs_on_an_imported_edge_list() -> None:
    """No kinds but Other and RELATED_TO, no roles, no places: groups and key players still come out."""
    G = nx.MultiDiGraph()
    caveman = nx.connected_caveman_graph(3, 5)
    for n in caveman:
        G.add_node(f"n{n}", kind="Other", label=f"node {n}")
    for i, (u, v) in enumerate(caveman.edges):
        G.add_edge(f"n{u}", f"n{v}", key=f"e{i}", kind="RELATED_TO", weight=2.0)
    result = analyse(G, seed=1)
    assert len(result.tables["groups"]) == 3
    assert {r.size for r in result.tables["groups"]} == {5}
    assert result.tables["key_players"] and all(isinstance(r, KeyPlayerRow) for r in result.tables["key_players"])
    assert result.tables["hotspots"] == [] and result.tables["flags"] == []


def test_the_whole_analysis_runs_on_the_small_world() -> None:
    result = analyse(_world(), seed=1)
    (group,) = result.tables["groups"]
    assert {m.entity_id for m in group.members} >= {"O", "D", "C"}
    assert group.children == [Labelled("C", "child C")]
    options = result.tables["disruption_options"]
    assert options[0].rank == 1 and all(o.note.startswith("Networks rewire") for o in options)
    assert {o.target_kind for o in options} >= {"Person", "Licence:driver"}


@pytest.mark.parametrize(
    "module",
    [
        "analytics.projections",
        "analytics.key_players",
        "analytics.groups",
        "analytics.disruption",
        "analytics.disclosure",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0


def test_disclosure_control_suppresses_small_counts_and_rounds_the_rest() -> None:
    shown = safe_counts(pd.Series([0, 4, 9, 10, 11, 12, 13, 17, 18, 102]))
    assert shown.isna().sum() == 3
    assert shown.dropna().tolist() == [10, 10, 10, 15, 15, 20, 100]
