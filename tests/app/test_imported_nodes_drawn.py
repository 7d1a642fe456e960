"""An imported graph's areas, postcodes and crimes are drawn as what they are, not as people.

The walkthrough of a POLE import saw postcodes and areas drawn as "Other person" circles: every node
of kind Other was drawn as a person, while the analytics read it by its source labels (a crime an
event, an area context). The chart now draws what the analytics read.
"""

from __future__ import annotations

import networkx as nx

from app.network_facts import NetworkView, NodeTables, describe_nodes
from app.network_view import legend
from graph.records import Provenance, Subgraph, new_entity

P = Provenance("import:bundle", "r", "2026-01-01T00:00:00+00:00")


def test_an_area_a_postcode_and_a_crime_are_not_drawn_as_people() -> None:
    people = [new_entity("Person", {"ref": "p1", "full_name": "Zqx Person"}, provenance=P)]
    imported = [
        new_entity("Other", {"ref": f"import:{n}", "name": n, "labels": [label]}, provenance=P)
        for n, label in (("Zqx North", "Area"), ("ZZ1 1ZZ", "PostCode"), ("Zqx burglary", "Crime"))
    ]
    G = nx.MultiDiGraph()
    for e in [*people, *imported]:
        G.add_node(e.id, kind=e.kind, label=e.label, **e.properties)
    sub = Subgraph(tuple([*people, *imported]), (), False, "")
    facts = describe_nodes(G, sub, roles={}, tables=NodeTables(), ages={})
    drawn = {e.properties["name"] if e.kind == "Other" else "person": facts[e.id].category for e in sub.entities}
    assert drawn == {"person": "other_person", "Zqx North": "context", "ZZ1 1ZZ": "context", "Zqx burglary": "event"}
    texts = [entry["text"] for entry in legend(NetworkView(people[0].id, sub, facts))]
    assert any(t.startswith("Context") for t in texts) and "Event" in texts, texts
