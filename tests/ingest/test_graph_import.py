"""neo4j-admin import bundles and edge lists, made here, import with the right counts and keep
what Disrupt does not model."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import GraphStore, make_id
from ingest.graph_import import GraphImportError, import_edge_list, import_neo4j_bundle


def _bundle(folder: Path) -> Path:
    folder.mkdir()
    (folder / "people.csv").write_text(
        "personId:ID(Person),full_name,date_of_birth:date,nickname,:LABEL\n"
        "p1,Ada Zedfield,2011-02-03,Ace,Person;Suspect\n"
        "p2,Bo Other,1990-05-06,,Person\n"
        "p3,Cy Third,not-a-date,,Person\n",
        encoding="utf-8",
    )
    (folder / "cars.csv").write_text("vrm:ID(Car),make,:LABEL\nZA12BCD,Ford,Car\nZB34CDE,Kia,Car\n", encoding="utf-8")
    (folder / "gangs.csv").write_text(
        "gangId:ID(Gang),name,score:double,tags:string[],:LABEL\ng1,Harbour Crew,0.8,a;b,Gang;Network\n",
        encoding="utf-8",
    )
    (folder / "rels.csv").write_text(
        ":START_ID(Person),:END_ID(Car),:TYPE,since:int\np1,ZA12BCD,DROVE,2024\np2,ZB34CDE,DROVE,2025\np9,ZA12BCD,DROVE,2025\n",
        encoding="utf-8",
    )
    (folder / "people_rels.csv").write_text(
        ":START_ID(Person),:END_ID(Person),:TYPE\np1,p2,ASSOCIATE_OF\np1,p2,KNOWS\n", encoding="utf-8"
    )
    (folder / "members.csv").write_text(
        ":START_ID(Person),:END_ID(Gang),:TYPE,rank\np1,g1,MEMBER_OF,leader\np2,g1,MEMBER_OF,\n", encoding="utf-8"
    )
    return folder


def test_a_neo4j_admin_bundle_imports_with_the_right_counts_and_keeps_unknown_labels(
    store: GraphStore, tmp_path: Path
) -> None:
    labels = tmp_path / "labels.yaml"
    labels.write_text(
        "labels: {Car: Vehicle}\ntypes: {DROVE: {kind: USES_VEHICLE, properties: {role: driver}}}\n", encoding="utf-8"
    )
    report = import_neo4j_bundle(store, _bundle(tmp_path / "bundle"), tmp_path / "work", labels=labels)
    assert (report.nodes_read, report.relationships_read, report.rows_rejected) == (6, 7, 2)  # bad date, dangling p9
    assert dict(report.entities_by_kind) == {"Person": 2, "Vehicle": 2, "Other": 1}
    assert dict(report.links_by_kind) == {"USES_VEHICLE": 2, "ASSOCIATE_OF": 1, "RELATED_TO": 3}
    assert dict(report.unknown_labels) == {"Gang": 1, "Network": 1}
    assert dict(report.unknown_types) == {"KNOWS": 1, "MEMBER_OF": 2}
    assert report.properties_kept_as_extra["Person.nickname"] == 1  # kept, not left out (issue 24)
    ada = store.search("Ada Zedfield")[0]
    assert ada.properties["extra_nickname"] == "Ace" and ada.properties["extra_labels"] == ["Person", "Suspect"]
    counts = store.counts()
    assert counts.entities == {"Other": 1, "Person": 2, "Vehicle": 2}
    assert counts.links == {"ASSOCIATE_OF": 1, "RELATED_TO": 3, "USES_VEHICLE": 2}
    gang = store.search("Harbour Crew")[0]
    assert gang.kind == "Other" and gang.properties["labels"] == ["Gang", "Network"]
    assert gang.properties["score"] == 0.8 and gang.properties["tags"] == ["a", "b"]
    car = store.get_entity(make_id("Vehicle", "ZA12BCD"))  # the same id ingest gives the VRM: they merge
    assert car is not None and car.properties["make"] == "Ford"
    roles = {d["kind"]: d for _, _, d in store.to_networkx().edges(data=True)}
    assert roles["USES_VEHICLE"]["role"] == "driver"
    assert {d.get("type") for _, _, d in store.to_networkx(link_kinds=["RELATED_TO"]).edges(data=True)} == {
        "KNOWS",
        "MEMBER_OF",
    }
    rejects = (tmp_path / "work" / "rejects.csv").read_text(encoding="utf-8")
    assert "not-a-date" in rejects and "'p9'" in rejects


def test_a_folder_without_node_files_is_refused(store: GraphStore, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(GraphImportError, match="no node file"):
        import_neo4j_bundle(store, tmp_path / "b", tmp_path / "work")


def test_an_edge_list_imports_with_the_right_counts(store: GraphStore, tmp_path: Path) -> None:
    edges = tmp_path / "edges.csv"
    edges.write_text(
        "source,target,weight,type\nA,B,2,ASSOCIATE_OF\nB,C,1,\nC,D,,calls\nD,D,1,\nE,F,heavy,\n", encoding="utf-8"
    )
    report = import_edge_list(store, edges, tmp_path / "work", node_kind="Person")
    assert (report.relationships_read, report.rows_rejected) == (5, 2)  # a self-loop, a bad weight
    assert store.counts().entities == {"Person": 4}
    assert store.counts().links == {"ASSOCIATE_OF": 1, "RELATED_TO": 2}
    assert dict(report.unknown_types) == {"EDGE": 1, "calls": 1}


def test_an_edge_list_of_other_nodes_keeps_its_names(store: GraphStore, tmp_path: Path) -> None:
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\nalpha,beta\nbeta,gamma\n", encoding="utf-8")
    report = import_edge_list(store, edges, tmp_path / "work")
    assert dict(report.entities_by_kind) == {"Other": 3}
    found = store.search("gamma")
    assert [(e.kind, e.properties["name"], e.properties["labels"]) for e in found] == [
        ("Other", "gamma", ["edge list node"])
    ]
    with pytest.raises(GraphImportError, match="source and target"):
        bad = tmp_path / "bad.csv"
        bad.write_text("from,to\na,b\n", encoding="utf-8")
        import_edge_list(store, bad, tmp_path / "work")


def test_an_edge_list_naming_an_erased_person_sets_those_lines_aside_and_loads_the_rest(
    store: GraphStore, tmp_path: Path
) -> None:
    edges = tmp_path / "edges.tsv"
    edges.write_text("A\tB\t2\nB\tC\t1\nC\tD\t1\n", encoding="utf-8")
    import_edge_list(store, edges, tmp_path / "work", node_kind="Person")
    b = make_id("Person", "B")
    record = store.erase_entity(b, reason="subject_request", reference="SAR-7")
    report = import_edge_list(store, edges, tmp_path / "work", node_kind="Person")
    assert store.get_entity(b) is None
    assert store.counts().entities == {"Person": 3} and store.counts().links == {"RELATED_TO": 1}
    assert (report.relationships_read, report.rows_rejected) == (3, 2)
    rejects = (tmp_path / "work" / "rejects.csv").read_text(encoding="utf-8").splitlines()
    named = [line for line in rejects if f"names node 'B', which was erased (erasure {record.erasure_id})" in line]
    assert len(named) == 2 and all(report.run_id in line for line in named)
