"""A police graph in the shape of Neo4j's POLE example model, imported as `disrupt import-graph` does
it and analysed: only people are grouped and ranked, and people are tied through what they share.

The bundle is made here (fictional names, ZZ postcodes): people who know each other in three
crews, crimes they are party to, the phones they hold and the calls between them, vehicles and
objects involved in crimes, e-mail addresses, their addresses, and the areas, postcodes and
officers that a police database also holds but that tie nobody together.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

from analytics.analysis import analyse
from analytics.projections import actors, node_roles, person_network
from analytics.rules import InvalidRules, rules_from_mapping
from graph import GraphStore, open_store
from graph.result_rows import ResultTables
from ingest.graph_import import import_edge_list, import_neo4j_bundle

CONTEXT_LABELS = frozenset({"Area", "PostCode", "Officer"})
GIVEN = ["Arlo", "Bexa", "Corin", "Dace", "Elvy", "Fenn", "Gisla", "Hobb", "Ivo", "Jory", "Kesta", "Lomen"]
FAMILY = ["Quarrow", "Tindle", "Vexley"]


@dataclass
class Bundle:
    folder: Path
    crews: list[list[str]]  # person ids of each crew
    crimes: dict[str, list[str]]  # crime id -> the person ids party to it
    calls: list[tuple[str, str]]  # (caller person id, called person id), one per call


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def pole_bundle(folder: Path, *, seed: int = 7) -> Bundle:
    """A neo4j-admin import bundle in the POLE example model's labels, types and headers."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    people = [f"p{i:02d}" for i in range(36)]
    crews = [people[i : i + 12] for i in range(0, 36, 12)]
    _write(
        folder / "people.csv",
        ["id:ID(Person)", "name", "surname", "nhs_no", "age:int", ":LABEL"],
        [[p, GIVEN[i % 12], FAMILY[i // 12], f"ZZ{i:04d}", 20 + i, "Person"] for i, p in enumerate(people)],
    )
    areas = ["ZZ1", "ZZ2", "ZZ3"]
    postcodes = [f"{a} {n}AA" for a in areas for n in range(1, 4)]
    locations = [f"L{i:02d}" for i in range(18)]
    officers = [f"O{i}" for i in range(4)]
    _write(folder / "areas.csv", ["areaCode:ID(Area)", ":LABEL"], [[a, "Area"] for a in areas])
    _write(folder / "postcodes.csv", ["code:ID(PostCode)", ":LABEL"], [[c, "PostCode"] for c in postcodes])
    _write(
        folder / "locations.csv",
        ["id:ID(Location)", "address", "postcode", "latitude:float", "longitude:float", ":LABEL"],
        [
            [loc, f"{i + 1} Testbury Row", postcodes[i % 9], 53.4 + i / 1000, -2.2 - i / 1000, "Location"]
            for i, loc in enumerate(locations)
        ],
    )
    _write(
        folder / "officers.csv",
        ["badge_no:ID(Officer)", "name", "surname", "rank", ":LABEL"],
        [[o, "Officer", f"Zeddon{i}", "Sergeant", "Officer"] for i, o in enumerate(officers)],
    )
    # Each crew's crimes: two or three of its members party to each; every crime investigated by an officer.
    crimes: dict[str, list[str]] = {}
    for c, crew in enumerate(crews):
        for k in range(5):
            crimes[f"C{c}{k}"] = rng.sample(crew, rng.choice((2, 3)))
    _write(
        folder / "crimes.csv",
        ["id:ID(Crime)", "date", "type", "last_outcome", ":LABEL"],
        [[c, f"0{1 + i % 9}/08/2017", "Drugs", "Under investigation", "Crime"] for i, c in enumerate(crimes)],
    )
    phones = {p: f"P{p}" for p in people}
    _write(
        folder / "phones.csv",
        ["phoneNo:ID(Phone)", ":LABEL"],
        [[phone, "Phone"] for phone in phones.values()],
    )
    calls: list[tuple[str, str]] = []
    for crew in crews:
        for _ in range(8):
            a, b = rng.sample(crew, 2)
            calls.append((a, b))
    _write(
        folder / "calls.csv",
        ["id:ID(PhoneCall)", "call_date", "call_time", "call_duration:int", "call_type", ":LABEL"],
        [[f"K{i:02d}", "01/08/2017", "12:00", 60 + i, "CALL", "PhoneCall"] for i in range(len(calls))],
    )
    vehicles = [f"V{i}" for i in range(6)]
    _write(
        folder / "vehicles.csv",
        ["id:ID(Vehicle)", "make", "model", "reg", "year:int", ":LABEL"],
        [[v, "Zedmobile", "Testa", f"ZZ{i}7 ABC", 2010 + i, "Vehicle"] for i, v in enumerate(vehicles)],
    )
    _write(
        folder / "objects.csv",
        ["id:ID(Object)", "description", "type", ":LABEL"],
        [[f"B{i}", "holdall", "bag", "Object"] for i in range(3)],
    )
    _write(
        folder / "emails.csv",
        ["email_address:ID(Email)", ":LABEL"],
        [[f"user{i}@example.invalid", "Email"] for i in range(4)],
    )

    def rels(name: str, header: list[str], rows: list[list[Any]]) -> None:
        _write(folder / f"rel_{name}.csv", header, rows)

    knows = []
    for crew in crews:
        for i, a in enumerate(crew):
            knows.append([a, crew[(i + 1) % len(crew)], "KNOWS"])
            knows.append([a, crew[(i + 4) % len(crew)], "KNOWS_SN"])
    knows.append([crews[0][0], crews[1][0], "KNOWS"])  # the crews know each other through a few people
    knows.append([crews[1][6], crews[2][6], "KNOWS_PHONE"])
    rels("knows", [":START_ID(Person)", ":END_ID(Person)", ":TYPE"], knows)
    rels(
        "family",
        [":START_ID(Person)", ":END_ID(Person)", ":TYPE", "rel_type"],
        [[crews[2][1], crews[2][2], "FAMILY_REL", "SIBLING"]],
    )
    rels(
        "party",
        [":START_ID(Person)", ":END_ID(Crime)", ":TYPE"],
        [[p, c, "PARTY_TO"] for c, party in crimes.items() for p in party],
    )
    rels(
        "address",
        [":START_ID(Person)", ":END_ID(Location)", ":TYPE"],
        [[p, locations[i // 2], "CURRENT_ADDRESS"] for i, p in enumerate(people)],
    )
    rels(
        "has_phone",
        [":START_ID(Person)", ":END_ID(Phone)", ":TYPE"],
        [[p, phone, "HAS_PHONE"] for p, phone in phones.items()],
    )
    rels(
        "has_email",
        [":START_ID(Person)", ":END_ID(Email)", ":TYPE"],
        [[people[i * 9], f"user{i}@example.invalid", "HAS_EMAIL"] for i in range(4)],
    )
    rels(
        "calls",
        [":START_ID(PhoneCall)", ":END_ID(Phone)", ":TYPE"],
        [
            row
            for i, (a, b) in enumerate(calls)
            for row in ([f"K{i:02d}", phones[a], "CALLER"], [f"K{i:02d}", phones[b], "CALLED"])
        ],
    )
    crime_ids = list(crimes)
    rels(
        "occurred",
        [":START_ID(Crime)", ":END_ID(Location)", ":TYPE"],
        [[c, locations[rng.randrange(18)], "OCCURRED_AT"] for c in crime_ids],
    )
    rels(
        "investigated",
        [":START_ID(Crime)", ":END_ID(Officer)", ":TYPE"],
        [[c, officers[i % 4], "INVESTIGATED_BY"] for i, c in enumerate(crime_ids)],
    )
    rels(
        "vehicle_involved",
        [":START_ID(Vehicle)", ":END_ID(Crime)", ":TYPE"],
        [[v, crime_ids[i * 2], "INVOLVED_IN"] for i, v in enumerate(vehicles)],
    )
    rels(
        "object_involved",
        [":START_ID(Object)", ":END_ID(Crime)", ":TYPE"],
        [[f"B{i}", crime_ids[i * 5 + 1], "INVOLVED_IN"] for i in range(3)],
    )
    rels(
        "in_area",
        [":START_ID(Location)", ":END_ID(Area)", ":TYPE"],
        [[loc, areas[(i % 9) // 3], "LOCATION_IN_AREA"] for i, loc in enumerate(locations)],
    )
    rels(
        "has_postcode",
        [":START_ID(Location)", ":END_ID(PostCode)", ":TYPE"],
        [[loc, postcodes[i % 9], "HAS_POSTCODE"] for i, loc in enumerate(locations)],
    )
    rels(
        "postcode_in_area",
        [":START_ID(PostCode)", ":END_ID(Area)", ":TYPE"],
        [[c, areas[i // 3], "POSTCODE_IN_AREA"] for i, c in enumerate(postcodes)],
    )
    return Bundle(folder, crews, crimes, calls)


@dataclass
class Imported:
    bundle: Bundle
    store: GraphStore
    G: nx.MultiDiGraph
    entity: dict[str, str]  # the bundle's person id -> the stored entity id


def _source_id(G: nx.MultiDiGraph, node: Any) -> str | None:
    """The bundle's id of an imported node (the importer keeps it at the end of the node's ref)."""
    ref = G.nodes[node].get("ref") or G.nodes[node].get("extra_import_id")  # a mapped kind keeps it there
    return str(ref).rsplit(":", 1)[-1] if ref else None


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    base = tmp_path_factory.mktemp("pole")
    bundle = pole_bundle(base / "bundle")
    store = open_store(f"sqlite:///{base / 'graph.db'}")
    try:
        report = import_neo4j_bundle(store, bundle.folder, base / "work")
        assert report.rows_rejected == 0
        G = store.to_networkx(provenance=True)
        people = {_source_id(G, n): n for n in G if is_person(G, n)}
        yield Imported(bundle, store, G, {p: people[p] for crew in bundle.crews for p in crew})
    finally:
        store.close()


def labels_of(G: nx.MultiDiGraph, node: Any) -> set[str]:
    """A node's kind and, for an imported Other, its source labels."""
    data = G.nodes[node]
    return {str(data.get("kind")), *(str(lb) for lb in data.get("labels") or [])}


def is_person(G: nx.MultiDiGraph, node: Any) -> bool:
    """A person as the bundle has it: stored as a Person, or kept as an Other labelled Person."""
    return "Person" in labels_of(G, node) and not labels_of(G, node) & CONTEXT_LABELS


@pytest.fixture(scope="module")
def tables(imported: Imported) -> ResultTables:
    return analyse(imported.G, seed=1).tables


def test_only_people_are_in_groups(imported: Imported, tables: ResultTables) -> None:
    G = imported.G
    assert tables["groups"]
    members = [m.entity_id for g in tables["groups"] for m in g.members]
    assert [sorted(labels_of(G, n)) for n in members if not is_person(G, n)] == []
    assert {g.entity_id for g in tables["groups"]} <= set(members)


def test_only_people_are_key_players_in_either_ranking(imported: Imported, tables: ResultTables) -> None:
    G = imported.G
    for name in ("key_players", "network_ranking"):
        rows = tables[name]
        assert rows, name
        assert [sorted(labels_of(G, r.entity_id)) for r in rows if not is_person(G, r.entity_id)] == [], name
    ranked = {r.entity_id for r in tables["network_ranking"]}
    assert ranked == set(imported.entity.values())  # every person of the bundle has ties, so is ranked


def test_no_option_targets_an_area_a_postcode_or_an_officer(imported: Imported, tables: ResultTables) -> None:
    """Neither a group's options nor a step of the network's plan acts on context, or removes it."""
    G = imported.G
    options = tables["disruption_options"] + tables.get("disruption_plan", [])
    assert tables["disruption_options"]
    targets = [labels_of(G, o.entity_id) for o in options if o.entity_id in G]
    assert len(targets) == len(options)
    assert [sorted(labels) for labels in targets if labels & CONTEXT_LABELS] == []
    for option in options:  # nor does any option remove one along with its target
        assert not [n for n in option.removes if n in G and labels_of(G, n) & CONTEXT_LABELS]


def test_two_people_party_to_the_same_crime_are_tied_through_it(imported: Imported) -> None:
    G, entity = imported.G, imported.entity
    P = person_network(G)
    assert set(P) == set(actors(G)) == set(entity.values())
    crime_of = {_source_id(G, n): n for n in G if "Crime" in labels_of(G, n) or G.nodes[n].get("kind") == "Incident"}
    for crime, party in imported.bundle.crimes.items():
        a, b = entity[party[0]], entity[party[1]]
        assert P.has_edge(a, b), (crime, party)
        assert crime_of[crime] in P[a][b]["evidence"]


def test_two_people_whose_phones_called_each_other_are_tied_through_the_call(imported: Imported) -> None:
    G, entity = imported.G, imported.entity
    P = person_network(G)
    call_of = {_source_id(G, n): n for n in G if "PhoneCall" in labels_of(G, n)}
    for i, (a, b) in enumerate(imported.bundle.calls):
        tie = P.get_edge_data(entity[a], entity[b])
        assert tie is not None and call_of[f"K{i:02d}"] in tie["evidence"], (a, b)


def test_areas_postcodes_and_officers_tie_nobody(imported: Imported) -> None:
    """Everyone in one area shares nothing but the area: no tie's evidence is an area, postcode or officer."""
    G = imported.G
    P = person_network(G)
    context = {n for n in G if labels_of(G, n) & CONTEXT_LABELS}
    assert len(context) == 3 + 9 + 4
    assert not context & set(P)
    assert not [e for _, _, d in P.edges(data=True) for e in d["evidence"] if e in context]


def test_the_crews_are_the_groups(imported: Imported, tables: ResultTables) -> None:
    """Each crew's people know, call and offend with each other: each crew falls in one group."""
    found = {m.entity_id: g.group_id for g in tables["groups"] for m in g.members}
    for crew in imported.bundle.crews:
        held = [found.get(imported.entity[p]) for p in crew]
        assert max(held.count(g) for g in set(held)) >= 10, held


def test_an_imported_graph_with_no_kind_of_its_own_is_a_person_network(tmp_path: Path) -> None:
    """Nodes under a label the rules do not name, in a graph with no known person, are people."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    H = nx.connected_caveman_graph(3, 5)
    _write(folder / "nodes.csv", ["id:ID(Actor)", ":LABEL"], [[f"a{n}", "Actor"] for n in H])
    _write(
        folder / "links.csv",
        [":START_ID(Actor)", ":END_ID(Actor)", ":TYPE"],
        [[f"a{u}", f"a{v}", "TIE"] for u, v in H.edges],
    )
    edges = tmp_path / "edges.csv"
    _write(edges, ["source", "target"], [[f"e{u}", f"e{v}"] for u, v in H.edges])
    for name, load in (
        ("bundle", lambda s: import_neo4j_bundle(s, folder, tmp_path / "work-bundle")),
        ("edges", lambda s: import_edge_list(s, edges, tmp_path / "work-edges")),
    ):
        store = open_store(f"sqlite:///{tmp_path / name}.db")
        try:
            load(store)
            G = store.to_networkx(provenance=True)
        finally:
            store.close()
        assert len(actors(G)) == 15
        assert person_network(G).number_of_edges() == H.number_of_edges()
        result = analyse(G, seed=1).tables
        assert sorted(g.size for g in result["groups"]) == [5, 5, 5]
        assert len(result["network_ranking"]) == 15


def test_imported_link_types_the_rules_weigh_keep_their_name(imported: Imported) -> None:
    """KNOWS between two people is an association (mapped by the import, or weighed as KNOWS by
    rules.yaml), never a link of unknown meaning; and a type the rules weigh keeps its name."""
    P = person_network(imported.G)
    a, b = imported.entity[imported.bundle.crews[0][0]], imported.entity[imported.bundle.crews[0][1]]
    assert {"KNOWS", "ASSOCIATE_OF"} & set(P[a][b]["reasons"])
    assert "RELATED_TO" not in {r for _, _, d in P.edges(data=True) for r in d["reasons"]}
    G = nx.MultiDiGraph()
    G.add_nodes_from([("a", {"kind": "Person"}), ("b", {"kind": "Person"}), ("c", {"kind": "Person"})])
    G.add_edge("a", "b", key="l1", kind="RELATED_TO", type="KNOWS_SN")
    G.add_edge("b", "c", key="l2", kind="RELATED_TO", type="DRANK_WITH", weight=2.0)
    P = person_network(G)
    assert P["a"]["b"]["reasons"] == {"KNOWS_SN": 1} and P["a"]["b"]["weight"] == 0.6
    assert P["b"]["c"]["reasons"] == {"RELATED_TO": 1} and P["b"]["c"]["weight"] == 1.0  # 0.5, times its weight


def test_an_unnamed_label_beside_known_people_ties_them_and_is_not_a_person() -> None:
    """A gang (a label the rules do not name) in a graph of people: its members are tied through it."""
    G = nx.MultiDiGraph()
    for p in ("a", "b", "c"):
        G.add_node(p, kind="Person", label=p)
    G.add_node("g", kind="Other", labels=["Gang"], label="Harbour Crew")
    G.add_edge("a", "g", key="l1", kind="RELATED_TO", type="MEMBER_OF")
    G.add_edge("b", "g", key="l2", kind="RELATED_TO", type="MEMBER_OF")
    P = person_network(G)
    assert set(P) == {"a", "b", "c"}
    assert P["a"]["b"]["reasons"] == {"shared_entity": 1} and P["a"]["b"]["evidence"] == ["g"]


def test_analysts_name_their_own_labels_in_the_rules_and_a_bad_entry_is_refused() -> None:
    raw = yaml.safe_load(resources.files("analytics").joinpath("rules.yaml").read_text(encoding="utf-8"))
    raw["imported_labels"]["Gang"] = {"role": "context"}
    rules = rules_from_mapping(raw)
    G = nx.MultiDiGraph()
    G.add_nodes_from(
        [("a", {"kind": "Person"}), ("b", {"kind": "Person"}), ("g", {"kind": "Other", "labels": ["gang"]})]
    )
    G.add_edges_from([("a", "g", "l1", {"kind": "RELATED_TO"}), ("b", "g", "l2", {"kind": "RELATED_TO"})])
    assert node_roles(G, rules=rules)["g"].role == "context"
    assert person_network(G, rules=rules).number_of_edges() == 0
    raw["imported_labels"]["Gang"] = {"role": "event", "tie": "gang_member"}  # no weight for that tie
    with pytest.raises(InvalidRules, match=r"imported_labels\.Gang: role event needs a tie whose weight"):
        rules_from_mapping(raw)
    raw["imported_labels"]["Gang"] = {"role": "member"}
    with pytest.raises(InvalidRules, match="Gang: needs role, one of person, event, thing, place, context"):
        rules_from_mapping(raw)


def test_a_knows_subtype_weighs_what_the_rules_give_it_after_a_pole_import(imported: Imported) -> None:
    """The POLE map makes the KNOWS family associations that keep their types (``extra_types``); the
    person network weighs each by its type where rules.yaml names one: KNOWS_SN 0.6, not 1.0."""
    G, entity = imported.G, imported.entity
    P = person_network(G)
    only_sn = []
    for crew in imported.bundle.crews:  # the bundle's KNOWS_SN pairs: each member and the fourth after
        for i, a in enumerate(crew):
            tie = P.get_edge_data(entity[a], entity[crew[(i + 4) % len(crew)]])
            assert tie is not None and tie["reasons"].get("ASSOCIATE_OF") == 1
            if tie["reasons"] == {"ASSOCIATE_OF": 1}:  # tied by nothing else (no crime, call or address)
                only_sn.append(tie["weight"])
    assert len(only_sn) >= 5 and set(only_sn) == {0.6}
    links = {tuple(d["extra_types"]) for _, _, d in G.edges(data=True) if d["kind"] == "ASSOCIATE_OF"}
    assert links == {("KNOWS",), ("KNOWS_SN",), ("KNOWS_PHONE",)}  # each association keeps its type


def test_a_link_keeping_several_types_weighs_the_heaviest_the_rules_name() -> None:
    G = nx.MultiDiGraph()
    G.add_nodes_from((p, {"kind": "Person"}) for p in "abcde")
    G.add_edge("a", "b", key="l1", kind="ASSOCIATE_OF", extra_types=["KNOWS_SN", "KNOWS_PHONE"])  # 0.6, 0.8
    G.add_edge("b", "c", key="l2", kind="ASSOCIATE_OF", extra_types=["KNOWS_LW"])
    G.add_edge("c", "d", key="l3", kind="ASSOCIATE_OF", extra_types=["MET_ONCE"])  # a type the rules do not name
    G.add_edge("d", "e", key="l4", kind="FAMILY_OF", relationship="SIBLING", extra_types=["FAMILY_REL"])
    P = person_network(G)
    assert (P["a"]["b"]["reasons"], P["a"]["b"]["weight"]) == ({"ASSOCIATE_OF": 1}, 0.8)
    assert (P["b"]["c"]["reasons"], P["b"]["c"]["weight"]) == ({"ASSOCIATE_OF": 1}, 0.6)
    assert (P["c"]["d"]["reasons"], P["c"]["d"]["weight"]) == ({"ASSOCIATE_OF": 1}, 1.0)  # the kind's weight
    assert (P["d"]["e"]["reasons"], P["d"]["e"]["weight"]) == ({"FAMILY_OF": 1}, 0.6)  # still family to groups


def test_two_people_party_to_one_crime_are_co_offenders(imported: Imported) -> None:
    """PARTY_TO in the POLE model joins a person to a crime they are recorded as a party to, which is
    what suspects and offenders are: the map gives the role suspect, so the tie is co-offending (1.0),
    not the 0.4 of two people merely party to one event."""
    G, entity = imported.G, imported.entity
    roles = {d.get("role") for _, _, d in G.edges(data=True) if d["kind"] == "PARTY_TO"}
    assert roles == {"suspect"}
    P = person_network(G)
    for crime, party in imported.bundle.crimes.items():
        reasons = P[entity[party[0]]][entity[party[1]]]["reasons"]
        assert "co_offending" in reasons and "co_party" not in reasons, (crime, reasons)


def test_no_order_that_presumes_sexual_harm_or_trafficking_is_offered_where_no_child_is_linked(
    imported: Imported, tables: ResultTables
) -> None:
    """A graph of burglaries, drugs and robbery holds no child and no exploitation: the walkthrough's plan
    offered "Sexual risk order" for each of its 15 steps. Suspects get arrest and charge; people the
    records tie to no offence get the generic tactics; no option or step names a sexual or trafficking order."""
    presuming = {"Sexual risk order", "Slavery and trafficking prevention order", "Child abduction warning notice"}
    offered = [t.name for o in tables["disruption_options"] for t in o.tactics]
    planned = [name for s in tables["disruption_plan"] for name in (t.name for t in s.tactics)]
    assert offered and planned
    assert not presuming & {*offered, *planned}, sorted(presuming & {*offered, *planned})
    assert "Arrest and charge" in offered  # people party to a crime are its suspects


def test_the_analysis_reckons_from_the_latest_crime_date(imported: Imported, tables: ResultTables) -> None:
    """The imported crimes carry their dates and no last seen: the analysis said it had no date at all
    ("Analysis of a graph with no dated events") beside a group active in 2017 (walkthrough)."""
    dates = [str(d["occurred_at"])[:10] for _, d in imported.G.nodes(data=True) if d.get("occurred_at")]
    assert dates and tables["summary"][0].as_of == max(dates)
