"""Flags for licensing: a concern level for every licence and business, with reasons that cite sources.

Levels: ``high`` (direct evidence of involvement in exploitation), ``medium`` (indirect or weaker
evidence), ``low`` (compliance or context), ``none``. Reasons never quote intelligence text or name a
child: they say what kind of record, how many, and how graded, and cite the records by reference.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import h3
import networkx as nx

from analytics.places import coordinates, events_at
from analytics.projections import ACTOR_KINDS, label_of, parties
from analytics.roles import is_exploitation_event
from analytics.rules import Rules, default_rules
from graph.result_rows import FlagReason, FlagRow

LEVELS = ("none", "low", "medium", "high")


@dataclass
class _Reasons:
    items: list[FlagReason] = field(default_factory=list)

    def add(self, level: str, text: str, sources: Iterable[Any] = (), grading: Iterable[str] = ()) -> None:
        self.items.append(FlagReason(level, text, sorted({str(s) for s in sources}), sorted(set(grading))))

    def level(self) -> str:
        return max((r.level for r in self.items), key=LEVELS.index, default="none")


def _record_refs(G: nx.MultiDiGraph, nodes: Iterable[Any]) -> list[str]:
    refs = []
    for node in nodes:
        for source, record_id, _ in G.nodes[node].get("provenance", ()) or ():
            refs.append(f"{source}:{record_id}")
        if not G.nodes[node].get("provenance"):
            refs.append(str(G.nodes[node].get("reference") or node))
    return refs


def _grading(G: nx.MultiDiGraph, report: Any) -> str:
    data = G.nodes[report]
    s, a = data.get("source_evaluation"), data.get("intelligence_assessment")
    return f"{a}{s}" if s and a else "ungraded"


def _about(G: nx.MultiDiGraph, subjects: Collection[Any], rules: Rules, reasons: _Reasons, whose: str) -> None:
    """Intelligence, incidents and missing episodes that name the subjects directly."""
    reports, incidents, episodes = set(), set(), set()
    for subject in subjects:
        for _, event, data in G.out_edges(subject, data=True):
            kind = G.nodes[event].get("kind")
            if kind not in ("Intelligence", "Incident", "MissingEpisode") or not is_exploitation_event(G, event, rules):
                continue
            role = str(data.get("role") or "")
            if kind == "Intelligence":
                reports.add(event)
            elif kind == "Incident" and (role in rules.suspect_roles or data.get("kind") == "INVOLVED_IN"):
                incidents.add(event)
            elif kind == "MissingEpisode" and role == "found_with":
                episodes.add(event)
    if reports:
        grades = [_grading(G, r) for r in reports]
        reasons.add(
            "high",
            f"{whose} named in {len(reports)} intelligence report{'s' * (len(reports) > 1)} about child exploitation, "
            f"graded {', '.join(sorted(set(grades)))}",
            _record_refs(G, reports),
            grades,
        )
    if incidents:
        reasons.add(
            "high",
            f"{whose} linked to {len(incidents)} exploitation incident{'s' * (len(incidents) > 1)}",
            _record_refs(G, incidents),
        )
    if episodes:
        reasons.add(
            "high",
            f"{whose} recorded with a missing child when found, {len(episodes)} time{'s' * (len(episodes) > 1)}",
            _record_refs(G, episodes),
        )


def _holders(G: nx.MultiDiGraph, licence: Any) -> list[Any]:
    return [h for h, _, d in G.in_edges(licence, data=True) if d.get("kind") == "HOLDS_LICENCE"]


def _licensed_vehicles(G: nx.MultiDiGraph, licence: Any) -> list[Any]:
    return [v for _, v, d in G.out_edges(licence, data=True) if d.get("kind") == "LICENSED_VEHICLE"]


def _sightings(G: nx.MultiDiGraph, vehicles: Iterable[Any]) -> list[Any]:
    return [s for v in vehicles for _, s in G.out_edges(v) if G.nodes[s].get("kind") == "Sighting"]


def home_authority(G: nx.MultiDiGraph) -> str | None:
    """The authority that issued most licences in the graph: "here"."""
    counts = Counter(
        d.get("authority") for _, d in G.nodes(data=True) if d.get("kind") == "Licence" and d.get("authority")
    )
    return counts.most_common(1)[0][0] if counts else None


def flag_licensing(
    G: nx.MultiDiGraph,
    *,
    roles: Mapping[Any, frozenset[str]],
    group_of: Mapping[Any, str],
    hot_cells: Collection[str],
    places: Mapping[Any, set[Any]],
    rules: Rules | None = None,
    authority: str | None = None,
    resolution: int = 9,
) -> list[FlagRow]:
    """A concern level with reasons for every licence (driver, vehicle, operator, premises) and business.

    Reasons, strongest first:
    - high: the subject, its holder or its vehicle named in exploitation intelligence, party to an
      exploitation incident, or found with a missing child; two or more missing children found at a
      business's premises;
    - medium: the holder in a group found by the analysis; one missing child found at the premises;
      the premises in a Gi* hotspot; a refusal or revocation recorded elsewhere (national register);
      drivers of an operator flagged high;
    - low: no safeguarding training recorded; licensed by another authority but sighted working here.

    ``group_of`` maps people to group ids, ``hot_cells`` are H3 cells flagged by Gi*, ``places`` is
    :func:`analytics.places.business_places`. ``authority`` is "here" (by default the authority
    that issued most licences).
    """
    rules = rules or default_rules()
    here = authority or home_authority(G)
    rows: list[FlagRow] = []
    business_level: dict[Any, _Reasons] = {}
    for node, data in sorted(G.nodes(data=True), key=lambda item: str(item[0])):
        if data.get("kind") == "Business":
            business_level[node] = _business_reasons(
                G, node, places.get(node, set()), hot_cells, roles, rules, resolution
            )
    driver_level: dict[Any, str] = {}
    for node, data in sorted(G.nodes(data=True), key=lambda item: str(item[0])):
        if data.get("kind") != "Licence":
            continue
        licence_type = data.get("licence_type")
        holders = _holders(G, node)
        reasons = _Reasons()
        people = [h for h in holders if G.nodes[h].get("kind") in ACTOR_KINDS]
        businesses = [h for h in holders if G.nodes[h].get("kind") == "Business"]
        vehicles = _licensed_vehicles(G, node)
        if licence_type == "driver":
            for person in people:
                for _, plate, d in G.out_edges(person, data=True):
                    if d.get("kind") == "HOLDS_LICENCE" and G.nodes[plate].get("licence_type") == "vehicle":
                        vehicles += _licensed_vehicles(G, plate)
        _about(G, people, rules, reasons, "holder")
        _about(G, vehicles, rules, reasons, "licensed vehicle")
        _people_context(G, people, roles, group_of, reasons)
        for business in businesses:
            for item in business_level[business].items:
                reasons.items.append(dataclasses.replace(item, reason=f"licence holder: {item.reason}"))
        if licence_type == "driver" and not data.get("safeguarding_training_on"):
            reasons.add("low", "no safeguarding training recorded", _record_refs(G, [node]))
        sighted = _sightings(G, vehicles)
        if here and data.get("authority") and data.get("authority") != here and sighted:
            reasons.add(
                "low",
                f"licensed by {data.get('authority')} but its vehicle was sighted {len(sighted)} times in {here}",
                _record_refs(G, sighted[:20]),
            )
        if licence_type == "driver":
            driver_level[node] = reasons.level()
        rows.append(_row(G, node, "Licence", str(licence_type or "licence"), reasons))
    for business, reasons in business_level.items():
        drivers = _drivers_of(G, business)
        high = [d for d in drivers if driver_level.get(d) == "high"]
        if high:
            reasons.add("medium", f"{len(high)} of its {len(drivers)} drivers are flagged high", _record_refs(G, high))
        rows.append(_row(G, business, "Business", str(G.nodes[business].get("business_type") or "business"), reasons))
    rows.sort(key=lambda r: (-LEVELS.index(r.level), r.subject_kind, r.label))
    return rows


def _people_context(
    G: nx.MultiDiGraph,
    people: Iterable[Any],
    roles: Mapping[Any, frozenset[str]],
    group_of: Mapping[Any, str],
    reasons: _Reasons,
) -> None:
    for person in people:
        held = roles.get(person, frozenset())
        if person in group_of:
            # the officer needs whose records place the holder there, not the analyst's group number
            reasons.add(
                "medium",
                "holder belongs to a group the network analysis found around people of concern for exploitation",
                _record_refs(G, [person]),
            )
        if "register_match" in held:
            decisions = [
                d
                for d, _, link in G.in_edges(person, data=True)
                if link.get("kind") == "DECISION_ON" and G.nodes[d].get("decision") in ("revoke", "refuse")
            ]
            for decision in decisions:
                dd = G.nodes[decision]
                reasons.add(
                    "medium",
                    f"national register: {dd.get('decision')}d by {dd.get('authority') or 'another authority'}"
                    f" on {dd.get('decided_on') or 'an unrecorded date'}",
                    _record_refs(G, [decision]),
                )


def _business_reasons(
    G: nx.MultiDiGraph,
    business: Any,
    held_places: set[Any],
    hot_cells: Collection[str],
    roles: Mapping[Any, frozenset[str]],
    rules: Rules,
    resolution: int,
) -> _Reasons:
    reasons = _Reasons()
    _about(G, [business], rules, reasons, "premises")
    # each episode and incident once, though it may be recorded at more than one of the places
    found = list(
        dict.fromkeys(e for e, role in events_at(G, held_places) if role == "found" and _of_concern(G, e, roles, rules))
    )
    if found:
        reasons.add(
            "high" if len(found) >= 2 else "medium",
            f"{len(found)} missing episode{'s' * (len(found) > 1)} of children at risk of exploitation ended here",
            _record_refs(G, found),
        )
    incidents = list(
        dict.fromkeys(
            e
            for e, _ in events_at(G, held_places)
            if G.nodes[e].get("kind") == "Incident" and is_exploitation_event(G, e, rules)
        )
    )
    if incidents:
        reasons.add(
            "high",
            f"{len(incidents)} exploitation incident{'s' * (len(incidents) > 1)} recorded here",
            _record_refs(G, incidents),
        )
    for place in held_places:
        where = coordinates(G, place)
        if where and h3.latlng_to_cell(where[0], where[1], resolution) in hot_cells:
            reasons.add("medium", "inside a hotspot of exploitation-related events (Gi*, FDR 5%)", [place])
            break
    return reasons


def _of_concern(G: nx.MultiDiGraph, episode: Any, roles: Mapping[Any, frozenset[str]], rules: Rules) -> bool:
    """A missing episode that shows exploitation, or of a child recorded as a victim of it."""
    if is_exploitation_event(G, episode, rules):
        return True
    return any(
        "exploitation_victim" in roles.get(p, frozenset()) for p, role in parties(G, episode) if role == "missing"
    )


def _drivers_of(G: nx.MultiDiGraph, business: Any) -> list[Any]:
    """Driver licences of the people who work for a business."""
    licences = []
    for person, _, d in G.in_edges(business, data=True):
        if d.get("kind") == "WORKS_FOR":
            licences += [
                lic
                for _, lic, d2 in G.out_edges(person, data=True)
                if d2.get("kind") == "HOLDS_LICENCE" and G.nodes[lic].get("licence_type") == "driver"
            ]
    return licences


def _row(G: nx.MultiDiGraph, node: Any, kind: str, subject_type: str, reasons: _Reasons) -> FlagRow:
    data = G.nodes[node]
    order = sorted(reasons.items, key=lambda r: -LEVELS.index(r.level))
    return FlagRow(
        entity_id=node,
        label=label_of(G, node),
        subject_kind=kind,
        subject_type=subject_type,
        authority=data.get("authority"),
        status=data.get("status"),
        level=reasons.level(),
        reasons=order,
    )
