"""Disclosure control for the strategic lead is decided on people, not events (issue 21), and hexagons
and wards count the same events (issue 20): small hand-made event tables whose answers can be read."""

from __future__ import annotations

import random
from typing import Any

import h3
import pandas as pd

from analytics.dashboard import management_information
from analytics.disclosure import THRESHOLD
from analytics.hotspots import EVENT_COLUMNS, area_counts
from app import strategic
from graph.result_rows import AreaCountRow, ChildIndicatorRow, MeasureRow, decode_rows

# Two hexagons side by side in the demo district's sea.
HERE = "8919441882fffff"
NEXT = sorted(set(h3.grid_disk(HERE, 1)) - {HERE})[0]


def _events(rows: list[tuple[str, str | None, str, tuple[str, ...]]]) -> pd.DataFrame:
    """Events from (cell, recorded ward, date, subjects)."""
    out = []
    for i, (cell, ward, day, subjects) in enumerate(rows):
        lat, lng = h3.cell_to_latlng(cell)
        out.append(
            {
                "event_id": f"e{i}",
                "kind": "Incident",
                "what": "incident",
                "date": day,
                "month": day[:7],
                "latitude": lat,
                "longitude": lng,
                "ward": ward,
                "exploitation": True,
                "subjects": subjects,
            }
        )
    return pd.DataFrame(out, columns=EVENT_COLUMNS)


def _view(events: pd.DataFrame, period: str | None = None) -> dict[str, Any]:
    rows = [
        {"entity_id": a, "area_type": t, "ward": w, "period": q, "events": e, "people": n}
        for t, a, w, q, e, n in area_counts(events).itertuples(index=False)
    ]
    return strategic.hotspot_areas([], decode_rows(AreaCountRow, rows), period)


def test_a_hexagon_of_many_events_about_two_people_is_suppressed() -> None:
    busy = [(HERE, "W1", "2025-02-01", ("p1", "p2"))] * 40  # forty records of two people
    view = _view(_events(busy))
    assert view["cells"] == [] and view["wards"] == []
    assert view["ward_table"] == [{"area": "W1", "count": strategic.SUPPRESSED, "ward": "W1"}]
    many = [(HERE, "W1", "2025-02-01", (f"p{i}",)) for i in range(40)]  # forty events of forty people
    assert _view(_events(many))["cells"] == [{"area": HERE, "count": 40}]


def test_an_event_known_twice_is_counted_once() -> None:
    events = _events([(HERE, "W1", "2025-02-01", (f"p{i}",)) for i in range(12)])
    twice = pd.concat([events, events.iloc[:3]])
    counts = area_counts(twice)
    assert set(counts.loc[counts["period"] == "all", "events"]) == {12}


def test_a_hexagon_and_its_ward_count_the_same_events() -> None:
    """A hexagon whose events were mostly recorded in W2 is counted whole in W2, named after W2, and its
    ward never reads less than it; the quarter and the whole window count the same events."""
    events = _events(
        [(HERE, "W2", "2025-02-01", (f"a{i}",)) for i in range(30)]
        + [(HERE, "W1", "2025-02-01", (f"b{i}",)) for i in range(5)]
        + [(NEXT, "W1", "2025-05-01", (f"c{i}",)) for i in range(3)]
    )
    for period in (None, "2025-Q1"):
        view = _view(events, period)
        cells = {c["area"]: c["count"] for c in view["cells"]}
        wards = {w["area"]: w["count"] for w in view["wards"]}
        assert cells == {HERE: 35} and wards == {"W2": 35}, (period, view)


def test_a_ward_less_its_hexagons_never_leaves_one_suppressed_hexagon_of_many_events() -> None:
    """W1 publishes 55; with its 40-event hexagon published, 55 - 40 would give the 15 events of the
    hexagon whose 3 people are too few, so that hexagon is suppressed with it."""
    events = _events(
        [(HERE, "W1", "2025-02-01", (f"a{i}",)) for i in range(40)]
        + [(NEXT, "W1", "2025-02-01", ("b1", "b2", "b3")) for _ in range(15)]
    )
    view = _view(events)
    assert view["wards"] == [{"area": "W1", "count": 55}]
    assert view["cells"] == []
    small = _events(
        [(HERE, "W1", "2025-02-01", (f"a{i}",)) for i in range(40)] + [(NEXT, "W1", "2025-02-01", ("b1",))] * 3
    )
    assert _view(small)["cells"] == [{"area": HERE, "count": 40}]  # 43 - 40 is blurred by rounding to 5


def test_published_figures_always_rest_on_ten_people_and_a_hexagon_never_outnumbers_its_ward() -> None:
    rng = random.Random(21)
    cells = sorted(h3.grid_disk(HERE, 2))
    for _ in range(40):
        people = [f"p{i}" for i in range(rng.randint(3, 60))]
        rows = [
            (
                rng.choice(cells),
                rng.choice(["W1", "W2", "W3", None]),
                f"2025-{rng.randint(1, 12):02d}-01",
                tuple(rng.sample(people, rng.randint(0, 3))),
            )
            for _ in range(rng.randint(5, 150))
        ]
        events = _events(rows)
        counts = area_counts(events)
        for period in [None, *sorted(set(counts["period"]) - {"all"})]:
            view = _view(events, period)
            truth = {(t, a): (e, n) for t, a, _, q, e, n in counts.itertuples(index=False) if q == (period or "all")}
            ward_of = dict(zip(counts["area"], counts["ward"], strict=True))
            wards = {w["area"]: w["count"] for w in view["wards"]}
            for kind, shown in (("h3", view["cells"]), ("ward", view["wards"])):
                for area in shown:
                    events_in, behind = truth[(kind, area["area"])]
                    assert area["count"] >= THRESHOLD and behind >= THRESHOLD and events_in >= THRESHOLD
            for cell in view["cells"]:
                assert wards.get(ward_of[cell["area"]], 0) >= cell["count"], (period, cell)


def test_a_month_of_eleven_episodes_of_eight_children_is_suppressed() -> None:
    rows = [
        {"measure": "missing episodes by month", "category": "2025-01", "count": 11, "people": 8},
        {"measure": "missing episodes by month", "category": "2025-02", "count": 14, "people": 12},
    ]
    months = strategic.dashboard(decode_rows(MeasureRow, rows))["missing episodes by month"]
    assert [m["shown"] for m in months] == [strategic.SUPPRESSED, "15"]


def test_management_information_says_how_many_children_stand_behind_each_count() -> None:
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_node("ada", kind="Person", date_of_birth="2011-01-01")
    G.add_node("bo", kind="Person", date_of_birth="2012-01-01")
    for i in range(3):  # Ada missing three times in March, Bo once
        G.add_node(f"e{i}", kind="MissingEpisode", reported_at=f"2025-03-0{i + 1}")
        G.add_edge("ada", f"e{i}", kind="PARTY_TO", role="missing")
    G.add_edge("bo", "e0", kind="PARTY_TO", role="missing")
    G.add_node("r1", kind="Referral", referred_on="2025-01-01")
    G.add_edge("bo", "r1", kind="PARTY_TO", role="subject")
    children = [{"entity_id": "ada", "age": 14}, {"entity_id": "bo", "age": 13}]
    rows = {(r.measure, r.category): r for r in management_information(G, decode_rows(ChildIndicatorRow, children), [])}
    assert (
        rows[("missing episodes by month", "2025-03")].count,
        rows[("missing episodes by month", "2025-03")].people,
    ) == (3, 2)
    how = {c: r.count for (m, c), r in rows.items() if m == "children by how they are known"}
    assert how == {"all children in this information": 2, "known to children's social care": 1, "reported missing": 2}
