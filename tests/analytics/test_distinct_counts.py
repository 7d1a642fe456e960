"""Counts count distinct things: a small graph in which one episode is linked twice to its child (a
police and a care record, as a graph from elsewhere may still hold them) and one episode has two
missing children. Every count can be checked by eye."""

from __future__ import annotations

import datetime as dt

import networkx as nx

from analytics.children import child_indicators
from analytics.dashboard import management_information
from analytics.projections import parties, person_network
from analytics.roles import person_roles

AS_OF = dt.date(2026, 6, 30)


def _graph() -> nx.MultiDiGraph:
    """Ada: episodes e1 (reported 3 March, linked twice, interviewed) and e3 (known only from an
    interview about 20 May); Bo and Ada together: e2 (reported 4 April)."""
    G = nx.MultiDiGraph()
    G.add_node("ada", kind="Person", label="Ada", date_of_birth="2011-01-01")
    G.add_node("bo", kind="Person", label="Bo", date_of_birth="2012-01-01")
    G.add_node("e1", kind="MissingEpisode", reported_at="2025-03-03T22:00:00", return_interview_on="2025-03-06")
    G.add_node("e2", kind="MissingEpisode", reported_at="2025-04-04T23:00:00")
    G.add_node("e3", kind="MissingEpisode", first_seen="2025-05-20", return_interview_on="2025-05-24")
    G.add_node("home", kind="Location", label="1 Example Row")
    for key in ("police", "care"):
        G.add_edge("ada", "e1", key=f"{key}-e1", kind="PARTY_TO", role="missing")
        G.add_edge("e1", "home", key=f"{key}-found", kind="OCCURRED_AT", role="found")
    G.add_edge("ada", "e2", key="l-ada-e2", kind="PARTY_TO", role="missing")
    G.add_edge("bo", "e2", key="l-bo-e2", kind="PARTY_TO", role="missing")
    G.add_edge("ada", "e3", key="l-ada-e3", kind="PARTY_TO", role="missing")
    return G


def _children(G: nx.MultiDiGraph) -> list[dict[str, object]]:
    roles = person_roles(G, as_of=AS_OF)
    return child_indicators(G, person_network(G, as_of=AS_OF), roles=roles, as_of=AS_OF)


def test_a_childs_episodes_and_places_are_counted_once_each() -> None:
    ada = next(row for row in _children(_graph()) if row.entity_id == "ada")
    assert (ada.missing_episodes, ada.return_interviews, ada.found_locations) == (3, 2, 1)


def test_management_information_counts_each_episode_once_by_its_month() -> None:
    G = _graph()
    rows = management_information(G, _children(G), [])

    def measure(name: str) -> dict[str, int]:
        return {str(r.category): int(r.count) for r in rows if r.measure == name}

    # e2 has two missing children and is one episode; e3 is placed by the missing date its interview records
    assert measure("missing episodes by month") == {"2025-03": 1, "2025-04": 1, "2025-05": 1}
    assert measure("return interviews by month") == {"2025-03": 1, "2025-05": 1}
    assert measure("children missing by month") == {"2025-03": 1, "2025-04": 2, "2025-05": 1}


def test_parties_name_each_person_and_role_once() -> None:
    assert parties(_graph(), "e1") == [("ada", "missing")]
