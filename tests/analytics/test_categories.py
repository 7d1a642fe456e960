"""Management information publishes categories from closed lists, never a record's free text
(issue 21, point 7: all 17 referral-source markers planted in children's records were published)."""

from __future__ import annotations

import networkx as nx

from analytics.categories import OTHER, closed_list, published_category
from analytics.dashboard import management_information
from graph.result_rows import ChildIndicatorRow, decode_rows

MARKER = "Zqfreetextmark"


def _world(n: int) -> tuple[nx.MultiDiGraph, list[dict[str, object]]]:
    G = nx.MultiDiGraph()
    children = []
    sources = ["Police", "school", f"Referred by {MARKER} of 1 Any Road", "GP", f"{MARKER}{0}"]
    ethnicities = ["White", "asian", f"{MARKER} heritage", "", "Black British"]
    genders = ["F", "Male", f"{MARKER}", None, "girl"]
    for i in range(n):
        child, referral = f"c{i}", f"r{i}"
        G.add_node(child, kind="Person", ethnicity=ethnicities[i % 5], gender=genders[i % 5])
        G.add_node(referral, kind="Referral", referral_source=sources[i % 5])
        G.add_edge(child, referral, key=f"l{i}", kind="PARTY_TO", role="subject")
        children.append({"entity_id": child, "risk_level": "high", "age": 14})
    return G, children


def test_free_text_is_counted_as_other_never_published() -> None:
    G, children = _world(50)
    rows = management_information(G, decode_rows(ChildIndicatorRow, children), [])
    for measure in ("children by gender", "children by ethnicity", "children by referral source"):
        published = {r.category for r in rows if r.measure == measure}
        assert published <= closed_list(measure), published - closed_list(measure)
        assert OTHER in published
    assert not [r for r in rows if MARKER.casefold() in str(r).casefold()]
    by_source = {r.category: r.count for r in rows if r.measure == "children by referral source"}
    assert by_source == {"police": 10, "school": 10, "health": 10, OTHER: 20}


def test_recorded_spellings_map_to_one_category() -> None:
    assert {published_category("children by gender", g) for g in ("F", "female", " FEMALE ", "girl")} == {"female"}
    assert published_category("children by ethnicity", "Asian British") == "Asian or Asian British"
    assert published_category("children by referral source", "") == "not recorded"
