"""The i2 Analyst's Notebook chart (ANX): it validates against the layout schema written from the
documented ANX layout (tests/graph/anx_layout.xsd), and carries entity types, link types, labels,
dates, attributes, sources and 3x5x2 grading."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from graph import GraphStore, load_schema, open_store
from graph.i2 import HANDLING_CODE, INTELLIGENCE_ASSESSMENT, SOURCE_EVALUATION, chart_anx
from tests.graph.test_interchange import build_world, seeded_store  # noqa: F401 (a fixture)

LAYOUT = Path(__file__).with_name("anx_layout.xsd")


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path / 'world.db'}")
    build_world(store)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture()
def chart(world: GraphStore) -> ET.Element:
    anx = chart_anx(world.to_networkx(provenance=True), world.schema, title="Group Z chart", prepared_by="test-analyst")
    xmlschema.XMLSchema(LAYOUT).validate(anx.decode("utf-8"))  # raises with the element and why
    return ET.fromstring(anx)


def _items(chart: ET.Element) -> tuple[list[ET.Element], list[ET.Element]]:
    items = chart.findall("ChartItemCollection/ChartItem")
    return [i for i in items if i.find("End") is not None], [i for i in items if i.find("Link") is not None]


def test_the_layout_schema_refuses_what_i2_would(chart: ET.Element) -> None:
    """The schema can fail: a link to no entity, and a chart item with no label, are refused."""
    schema = xmlschema.XMLSchema(LAYOUT)
    _, links = _items(chart)
    links[0].find("Link").set("End2Id", "ID-nobody")  # type: ignore[union-attr]
    assert not schema.is_valid(ET.tostring(chart, encoding="unicode"))
    links[0].find("Link").set("End2Id", links[0].find("Link").get("End1Id"))  # type: ignore[union-attr, arg-type]
    del links[0].attrib["Label"]
    assert not schema.is_valid(ET.tostring(chart, encoding="unicode"))


def test_every_entity_and_fact_is_a_chart_item_with_its_type_and_label(world: GraphStore, chart: ET.Element) -> None:
    G = world.to_networkx()
    entities, links = _items(chart)
    assert len(entities) == G.number_of_nodes() and len(links) == G.number_of_edges()
    types = {t.get("Name") for t in chart.iterfind("EntityTypeCollection/EntityType")}
    assert types == {"Person", "Vehicle", "Phone", "Location", "Incident", "Intelligence", "Other"}
    link_types = {t.get("Name") for t in chart.iterfind("LinkTypeCollection/LinkType")}
    assert {"Associate of", "Family of", "Uses vehicle", "Party to", "Related to"} <= link_types
    by_identity = {i.find("End/Entity").get("Identity"): i for i in entities}  # type: ignore[union-attr]
    assert set(by_identity) == set(G)
    for node, data in G.nodes(data=True):
        item = by_identity[node]
        assert item.get("Label") == data["label"]
        assert item.find("End/Entity/Icon/IconStyle").get("Type") == {  # type: ignore[union-attr]
            "MissingEpisode": "Missing episode"
        }.get(data["kind"], data["kind"])
    ends = {i.find("End/Entity").get("EntityId") for i in entities}  # type: ignore[union-attr]
    for item in links:
        link = item.find("Link")
        assert link is not None and {link.get("End1Id"), link.get("End2Id")} <= ends
    labels = sorted(i.get("Label") or "" for i in links)
    assert "Family of: cousin" in labels and "Family of: sibling" in labels  # the two relations stay apart
    assert "Related to: KNOWS_SN" in labels and "Party to: victim" in labels
    symmetric = next(i for i in links if (i.get("Label") or "").startswith("Associate of"))
    assert symmetric.find("Link/LinkStyle").get("ArrowStyle") == "ArrowNone"  # type: ignore[union-attr]


def test_dates_attributes_and_grading_are_carried(chart: ET.Element) -> None:
    entities, links = _items(chart)
    by_label = {i.get("Label"): i for i in [*entities, *links]}
    crime = by_label["assault INC-77"]
    assert (crime.get("DateSet"), crime.get("TimeSet"), crime.get("DateTime")) == (
        "true",
        "true",
        "2025-06-01T21:30:00",
    )
    values = {a.get("AttributeClass"): a.get("Value") for a in crime.iterfind("AttributeCollection/Attribute")}
    assert values["Exploitation flag"] == "true" and values["Reference"] == "INC-77"
    classes = {c.get("Name"): c.get("Type") for c in chart.iterfind("AttributeClassCollection/AttributeClass")}
    assert classes["Exploitation flag"] == "AttFlag" and classes["Occurred at"] == "AttTime"
    assert classes["Latitude"] == "AttNumber" and classes["Full name"] == "AttText"
    ada = by_label["Ada Zqxample"]
    assert ada.get("DateTime") == "2025-02-01T00:00:00" and ada.get("TimeSet") == "false"  # first seen
    ada_values = {a.get("AttributeClass"): a.get("Value") for a in ada.iterfind("AttributeCollection/Attribute")}
    assert ada_values["Aliases"] == "Ads; A. Zqx" and ada_values["Date of birth"] == "2009-04-03T00:00:00"
    cards = ada.findall("End/Entity/CardCollection/Card")
    assert sorted(c.get("SourceReference") or "" for c in cards) == ["CH-9", "NOM-1"]  # both resolved records

    grades = [
        [s.get("Text") for s in chart.iterfind(f"{tag}/StringCollection/String")]
        for tag in ("GradeOne", "GradeTwo", "GradeThree")
    ]
    assert grades == [list(SOURCE_EVALUATION), list(INTELLIGENCE_ASSESSMENT), list(HANDLING_CODE)]
    intel = by_label["INT-4"]
    indices = [intel.get(f"Grade{n}Index") for n in ("One", "Two", "Three")]
    assert [grades[i][int(x)] for i, x in enumerate(indices) if x is not None] == [  # type: ignore[arg-type]
        "2 Untested",
        "B Known indirectly to the source but corroborated",
        "P Lawful sharing permitted",
    ]
    card = intel.find("End/Entity/CardCollection/Card")
    assert card is not None and card.get("Text") == "Graded 2B P" and card.get("GradeTwoIndex") == "1"
    ungraded = by_label["ZZ12ABC"]
    assert ungraded.get("GradeOneIndex") is None and ungraded.get("SourceType") == "police.nominals"


def test_the_chart_summary_names_who_prepared_it_and_its_marking(chart: ET.Element) -> None:
    fields = {f.get("Type"): f.get("Field") for f in chart.iterfind("Summary/FieldCollection/Field")}
    assert fields["SummaryFieldTitle"] == "Group Z chart"
    assert fields["SummaryFieldAuthor"] == "test-analyst"
    assert fields["SummaryFieldCategory"] == "OFFICIAL-SENSITIVE"
    assert dt.date.today().isoformat() in (fields["SummaryFieldComments"] or "")


def test_hostile_text_stays_text() -> None:
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_node("a", kind="Other", label='<ChartItem Label="x"/>&amp; "quoted"', ref="a", name="n")
    G.add_node("b", kind="Other", label="=HYPERLINK(1)", ref="b", name="m")
    G.add_edge("a", "b", key="l", kind="RELATED_TO", type="T")
    anx = chart_anx(G, load_schema(), title="t", prepared_by="p")
    xmlschema.XMLSchema(LAYOUT).validate(anx.decode("utf-8"))
    labels = [i.get("Label") for i in ET.fromstring(anx).iterfind("ChartItemCollection/ChartItem")]
    assert labels[0] == '<ChartItem Label="x"/>&amp; "quoted"'


@pytest.mark.slow
def test_a_chart_of_the_whole_demo_world_validates(seeded_store: GraphStore) -> None:  # noqa: F811
    """Thousands of real-looking values (free text, dates, coordinates, gradings) all fit the layout."""
    G = seeded_store.to_networkx(provenance=True)
    anx = chart_anx(G, seeded_store.schema, title="Demo world", prepared_by="test-analyst")
    xmlschema.XMLSchema(LAYOUT).validate(anx.decode("utf-8"))
    entities, links = _items(ET.fromstring(anx))
    assert len(entities) == G.number_of_nodes() and len(links) == G.number_of_edges()
    graded = [i for i in entities if i.get("GradeOneIndex") is not None]
    assert len(graded) >= sum(1 for _, d in G.nodes(data=True) if d["kind"] == "Intelligence")
