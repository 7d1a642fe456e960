"""A chart for i2 Analyst's Notebook: the ANX XML exchange format, from a Disrupt graph.

What the chart carries, in ANX terms (the layout is checked by ``tests/graph/anx_layout.xsd``):

- one ``EntityType`` per Disrupt kind and one ``LinkType`` per link kind (named in words);
- per entity a ``ChartItem`` with its label, an ``End``/``Entity`` whose ``Identity`` is the Disrupt id,
  its date (an event's own date, else when first seen), its properties as ``Attribute`` values of
  typed ``AttributeClass`` es (text, number, flag, time), and one ``Card`` per source record (source
  type and reference, and the record's 3x5x2 grading);
- per link a ``ChartItem`` with a ``Link`` between the two entities (arrow on head, none for a
  symmetric kind), labelled with its kind and what tells it apart (role, relationship, type);
- grading: the chart's ``GradeOne``, ``GradeTwo`` and ``GradeThree`` collections are the UK 3x5x2
  scale (source evaluation 1-3, intelligence assessment A-E, handling code P/C); an item's grade
  indices are those of its best-graded source, and each card has its own;
- the chart ``Summary`` names the title, who prepared it and its handling marking.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from graph.schema import Schema

SOURCE_EVALUATION = ("1 Reliable", "2 Untested", "3 Not reliable")
INTELLIGENCE_ASSESSMENT = (
    "A Known directly to the source",
    "B Known indirectly to the source but corroborated",
    "C Known indirectly to the source",
    "D Not known",
    "E Suspected to be false",
)
HANDLING_CODE = ("P Lawful sharing permitted", "C Lawful sharing permitted subject to conditions")
_GRADING = re.compile(r"^\s*([123])\s*([A-E])\s*([PC])?\s*$")
# The property that dates an event kind; other entities are dated by when they were first seen.
EVENT_DATES = {
    "Incident": "occurred_at",
    "MissingEpisode": "reported_at",
    "Intelligence": "recorded_at",
    "Sighting": "seen_at",
    "Referral": "referred_on",
    "LicensingDecision": "decided_on",
    "DisruptionAction": "started_on",
}
_META = {"kind", "label", "provenance", "first_seen", "last_seen"}
_ATT_TYPES = {"integer": "AttNumber", "number": "AttNumber", "boolean": "AttFlag", "date": "AttTime"}
_ATT_TYPES |= {"datetime": "AttTime"}


def kind_words(kind: str) -> str:
    """``MissingEpisode`` -> ``Missing episode``; ``USES_VEHICLE`` -> ``Uses vehicle``.

    >>> kind_words("MissingEpisode"), kind_words("USES_VEHICLE")
    ('Missing episode', 'Uses vehicle')
    """
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind).replace("_", " ").lower()
    return words[:1].upper() + words[1:]


def grade_indices(grading: str | None) -> tuple[int, int, int | None] | None:
    """The 0-based ANX grade indices of a 3x5x2 grading such as ``"2B P"``; None if it is not one.

    >>> grade_indices("2B P"), grade_indices("1A"), grade_indices("")
    ((1, 1, 0), (0, 0, None), None)
    """
    m = _GRADING.match(grading or "")
    if not m:
        return None
    code = None if m[3] is None else "PC".index(m[3])
    return int(m[1]) - 1, "ABCDE".index(m[2]), code


def _time(value: Any) -> str | None:
    """An ANX date and time (``yyyy-mm-ddThh:mm:ss``, the time zone dropped) from an ISO date or time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")


def _has_time(value: Any) -> bool:
    return isinstance(value, str) and "T" in value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class _Chart:
    """Ids and collections of one chart as it is built (ANX ids are IDREFs, unique in the file)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.next = 0
        self.entity_types: dict[str, str] = {}
        self.link_types: dict[str, str] = {}
        self.classes: dict[str, tuple[str, str]] = {}  # attribute class name -> (id, type)

    def new_id(self) -> str:
        self.next += 1
        return f"ID{self.next}"

    def type_id(self, table: dict[str, str], name: str) -> str:
        if name not in table:
            table[name] = self.new_id()
        return table[name]

    def attribute(self, kind: str, name: str, value: Any, link: bool) -> tuple[str, str, str] | None:
        """(class name, class id, value text) of a property, its class typed from the schema."""
        declared = (self.schema.links if link else self.schema.entities).get(kind)
        prop = declared.properties.get(name) if declared is not None else None
        att = _ATT_TYPES.get(prop.type, "AttText") if prop is not None else _loose_type(value)
        text = _time(value) if att == "AttTime" else _text(value)
        if text is None:
            att, text = "AttText", _text(value)
        if att == "AttNumber" and isinstance(value, float) and not math.isfinite(value):
            att, text = "AttText", str(value)
        title = kind_words(name)
        held = self.classes.get(title)
        if held is not None and held[1] != att:  # one title, two types: keep them apart
            title = f"{title} ({att[3:].lower()})"
            held = self.classes.get(title)
        if held is None:
            held = self.classes[title] = (self.new_id(), att)
        return title, held[0], text


def _loose_type(value: Any) -> str:
    if isinstance(value, bool):
        return "AttFlag"
    return "AttNumber" if isinstance(value, int | float) else "AttText"


def chart_anx(
    G: nx.MultiDiGraph,
    schema: Schema,
    *,
    title: str,
    prepared_by: str,
    marking: str = "OFFICIAL-SENSITIVE",
    seed: int = 1,
) -> bytes:
    """An ANX chart of a graph from :meth:`graph.GraphStore.to_networkx` (with ``provenance=True``
    for cards and grading): entities laid out by a seeded spring layout, ready to open in i2 ANB."""
    chart = _Chart(schema)
    positions = _layout(G, seed)
    items: list[ET.Element] = []
    entity_ids: dict[Any, str] = {}
    for node, data in G.nodes(data=True):
        entity_ids[node] = chart.new_id()
        items.append(_entity_item(chart, node, data, entity_ids[node], positions.get(node, (0, 0))))
    for u, v, _key, data in G.edges(keys=True, data=True):
        items.append(_link_item(chart, data, entity_ids[u], entity_ids[v]))
    root = ET.Element("Chart", {"IdReferenceLinking": "false", "Rigorous": "true", "LabelRule": "LabelRuleMerge"})
    ET.SubElement(root, "ApplicationVersion", {"Major": "9", "Minor": "0", "Point": "0", "Build": "0"})
    for tag, names in (
        ("GradeOne", SOURCE_EVALUATION),
        ("GradeTwo", INTELLIGENCE_ASSESSMENT),
        ("GradeThree", HANDLING_CODE),
    ):
        strings = ET.SubElement(ET.SubElement(root, tag), "StringCollection")
        for name in names:
            ET.SubElement(strings, "String", {"Id": chart.new_id(), "Text": name})
    sources = sorted({str(p[0]) for _, d in G.nodes(data=True) for p in d.get("provenance") or ()})
    if sources:
        strings = ET.SubElement(ET.SubElement(root, "SourceHints"), "StringCollection")
        for name in sources:
            ET.SubElement(strings, "String", {"Id": chart.new_id(), "Text": name})
    if chart.classes:
        classes = ET.SubElement(root, "AttributeClassCollection")
        for name, (cid, att) in chart.classes.items():
            ET.SubElement(
                classes,
                "AttributeClass",
                {"Id": cid, "Name": name, "Type": att, "IsUser": "true", "ShowValue": "true", "Visible": "true"},
            )
    for tag, child, table in (
        ("EntityTypeCollection", "EntityType", chart.entity_types),
        ("LinkTypeCollection", "LinkType", chart.link_types),
    ):
        if table:
            collection = ET.SubElement(root, tag)
            for name, tid in table.items():
                attrs = {"Id": tid, "Name": name}
                if child == "EntityType":
                    attrs["PreferredRepresentation"] = "RepresentAsIcon"
                ET.SubElement(collection, child, attrs)
    fields = ET.SubElement(ET.SubElement(root, "Summary"), "FieldCollection")
    for field_type, text in (
        ("SummaryFieldTitle", title),
        ("SummaryFieldAuthor", prepared_by),
        ("SummaryFieldCategory", marking),
        (
            "SummaryFieldComments",
            f"{marking}. Prepared by {prepared_by} with Disrupt on {dt.date.today().isoformat()}.",
        ),
    ):
        ET.SubElement(fields, "Field", {"Type": field_type, "Field": text})
    collection = ET.SubElement(root, "ChartItemCollection")
    collection.extend(items)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _layout(G: nx.MultiDiGraph, seed: int) -> dict[Any, tuple[int, int]]:
    """Chart coordinates: a seeded spring layout for a chart a person reads, a grid beyond 2,000 entities."""
    nodes = list(G)
    if not nodes:
        return {}
    if len(nodes) > 2_000:
        side = math.ceil(math.sqrt(len(nodes)))
        return {n: ((i % side) * 120, (i // side) * 120) for i, n in enumerate(nodes)}
    pos = nx.spring_layout(nx.Graph(G.to_undirected()), seed=seed)
    scale = 60 * math.sqrt(len(nodes)) + 200
    return {n: (round(float(x) * scale), round(float(y) * scale)) for n, (x, y) in pos.items()}


def _common(item: dict[str, str], data: Mapping[str, Any], date: Any) -> None:
    moment = _time(date)
    if moment is not None:
        item.update({"DateSet": "true", "TimeSet": "true" if _has_time(date) else "false", "DateTime": moment})
    else:
        item.update({"DateSet": "false", "TimeSet": "false"})
    best = _best_grading(data.get("provenance") or ())
    if best is not None:
        one, two, three = best
        item.update({"GradeOneIndex": str(one), "GradeTwoIndex": str(two)})
        if three is not None:
            item["GradeThreeIndex"] = str(three)
    sources = list(data.get("provenance") or ())
    if sources:
        item["SourceType"] = str(sources[0][0])
        item["SourceReference"] = "; ".join(str(p[1]) for p in sources)


def _best_grading(provenance: Iterable[Sequence[Any]]) -> tuple[int, int, int | None] | None:
    grades = [g for p in provenance if (g := grade_indices(p[2] if len(p) > 2 else None)) is not None]
    return min(grades, key=lambda g: (g[0], g[1], g[2] if g[2] is not None else 9)) if grades else None


def _cards(parent: ET.Element, data: Mapping[str, Any]) -> None:
    sources = list(data.get("provenance") or ())
    if not sources:
        return
    cards = ET.SubElement(parent, "CardCollection")
    for source, record, *rest in sources:
        grading = rest[0] if rest else None
        card = {"Summary": f"{source}: {record}", "SourceType": str(source), "SourceReference": str(record)}
        grades = grade_indices(grading)
        if grades is not None:
            card.update({"GradeOneIndex": str(grades[0]), "GradeTwoIndex": str(grades[1])})
            if grades[2] is not None:
                card["GradeThreeIndex"] = str(grades[2])
        if grading:
            card["Text"] = f"Graded {grading}"
        ET.SubElement(cards, "Card", card)


def _attributes(chart: _Chart, item: ET.Element, kind: str, data: Mapping[str, Any], *, link: bool) -> None:
    values = []
    for name, value in data.items():
        if name in _META or value in (None, "", [], {}):
            continue
        made = chart.attribute(kind, name, value, link)
        if made is not None:
            values.append(made)
    if values:
        collection = ET.SubElement(item, "AttributeCollection")
        for title, cid, text in values:
            ET.SubElement(
                collection, "Attribute", {"AttributeClass": title, "AttributeClassReference": cid, "Value": text}
            )


def _entity_item(chart: _Chart, node: Any, data: Mapping[str, Any], eid: str, xy: tuple[int, int]) -> ET.Element:
    kind = str(data.get("kind") or "Other")
    type_name = kind_words(kind)
    type_id = chart.type_id(chart.entity_types, type_name)
    label = str(data.get("label") or node)
    attrs = {"Id": chart.new_id(), "Label": label, "XPosition": str(xy[0])}
    _common(attrs, data, data.get(EVENT_DATES.get(kind, ""), data.get("first_seen")))
    item = ET.Element("ChartItem", attrs)
    end = ET.SubElement(item, "End", {"X": str(xy[0]), "Y": str(xy[1]), "Z": "0"})
    entity = ET.SubElement(end, "Entity", {"EntityId": eid, "Identity": str(node), "LabelIsIdentity": "false"})
    icon = ET.SubElement(entity, "Icon")
    ET.SubElement(icon, "IconStyle", {"Type": type_name, "EntityTypeReference": type_id})
    _cards(entity, data)
    _attributes(chart, item, kind, data, link=False)
    return item


def _link_label(kind: str, data: Mapping[str, Any], schema: Schema) -> str:
    lk = schema.links.get(kind)
    told = [str(data[k]) for k in (lk.key if lk is not None else ()) if data.get(k) not in (None, "")]
    for name in ("role", "nature", "relationship"):
        if data.get(name) not in (None, "") and str(data[name]) not in told:
            told.append(str(data[name]))
    return kind_words(kind) + (f": {', '.join(told)}" if told else "")


def _link_item(chart: _Chart, data: Mapping[str, Any], end1: str, end2: str) -> ET.Element:
    kind = str(data.get("kind") or "RELATED_TO")
    type_name = kind_words(kind)
    type_id = chart.type_id(chart.link_types, type_name)
    lk = chart.schema.links.get(kind)
    attrs = {"Id": chart.new_id(), "Label": _link_label(kind, data, chart.schema)}
    _common(attrs, data, data.get("from_date") or data.get("first_seen"))
    item = ET.Element("ChartItem", attrs)
    link = ET.SubElement(item, "Link", {"End1Id": end1, "End2Id": end2})
    _cards(link, data)
    arrow = "ArrowNone" if lk is not None and lk.symmetric else "ArrowOnHead"
    ET.SubElement(link, "LinkStyle", {"Type": type_name, "LinkTypeReference": type_id, "ArrowStyle": arrow})
    _attributes(chart, item, kind, data, link=True)
    return item


__all__ = ["EVENT_DATES", "HANDLING_CODE", "INTELLIGENCE_ASSESSMENT", "SOURCE_EVALUATION", "chart_anx", "kind_words"]
