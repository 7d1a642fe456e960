"""What the network view says about each node: its role in words, its flag level and the facts an analyst reads.

The roles come from the analysis (:func:`analytics.roles.person_roles` over the drawn people and
their events, and the saved ``groups``, ``key_players``, ``flags`` and ``child_indicators``
tables), so the styling of the chart says what the analysis found; the chart component only draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from analytics.projections import ACTOR_KINDS, EVENT_KINDS, OBJECT_KINDS, event_date, node_roles
from analytics.roles import EXPLOITATION_VICTIM
from graph.records import Entity, Subgraph
from graph.result_rows import ChildIndicatorRow, FlagRow, GroupRow, KeyPlayerRow

Category = Literal[
    "child_or_victim",
    "organiser",
    "suspect",
    "driver",
    "other_person",
    "event",
    "object",
    "place",
    "location",
    "context",
]
Level = Literal["high", "medium", "low", ""]

# Role categories of people, highest precedence first: a child who is also "found with" another
# missing child stays a child at risk on the chart; every role still shows in the tooltip.
PERSON_CATEGORIES: tuple[Category, ...] = ("child_or_victim", "organiser", "suspect", "driver", "other_person")
CATEGORY_TITLES: Mapping[Category, str] = {
    "child_or_victim": "Child at risk or exploitation victim",
    "organiser": "Organiser",
    "suspect": "Suspect",
    "driver": "Driver",
    "other_person": "Other person",
    "event": "Event",
    "object": "Vehicle, phone or licence",
    "place": "Business or premises",
    "location": "Location",
    "context": "Context (an area, postcode or officer an import holds)",
}
LEVELS: tuple[Level, ...] = ("high", "medium", "low")

_SUSPECT_ROLES = frozenset({"suspect", "exploitation_suspect"})


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What the chart shows of one node beyond its name: category, flag level and tooltip facts."""

    category: Category
    level: Level = ""
    roles: tuple[str, ...] = ()
    age: str = ""
    last_seen: str = ""
    group: str = ""
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NetworkView:
    """A chart's content: the centre, what was expanded, the drawn subgraph and each node's facts.

    ``notes`` say what the node cap left out (each expansion that could not be drawn in full).
    """

    centre: str
    sub: Subgraph
    facts: Mapping[str, NodeFacts]
    expanded: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def person_category(
    roles: Collection[str], *, child: bool = False, organiser: bool = False, key_player: bool = False
) -> Category:
    """The one role a person's node is drawn with.

    >>> person_category({"child", "found_with", "exploitation_suspect"})
    'child_or_victim'
    >>> person_category({"suspect"}, organiser=True), person_category(set(), key_player=True)
    ('organiser', 'suspect')
    >>> person_category({"driver", "licence_holder"}), person_category({"witness"})
    ('driver', 'other_person')
    >>> person_category({"victim", "exploitation_suspect"}), person_category({"victim"})  # a fraud victim, say
    ('suspect', 'other_person')
    >>> person_category({"exploitation_victim"})
    'child_or_victim'
    """
    if child or "child" in roles:
        return "child_or_victim"
    if organiser:
        return "organiser"
    if key_player or _SUSPECT_ROLES & set(roles):
        return "suspect"  # an adult suspect who was once a victim of something else is drawn as a suspect
    if EXPLOITATION_VICTIM in roles:
        return "child_or_victim"
    if "driver" in roles:
        return "driver"
    return "other_person"


# What an imported node (kind Other) is drawn as, from what the analytics read it as (node_roles).
_IMPORTED_ROLE_CATEGORY: Mapping[str, Category] = {
    "event": "event",
    "thing": "object",
    "place": "place",
    "context": "context",
}


def kind_category(kind: str) -> Category:
    """The category of a node that is not a person: event, object, business or location."""
    if kind in EVENT_KINDS:
        return "event"
    if kind in OBJECT_KINDS:
        return "object"
    if kind == "Business":
        return "place"
    if kind == "Location":
        return "location"
    return "other_person" if kind in ACTOR_KINDS else "object"


def highest_level(levels: Iterable[object]) -> Level:
    """The highest of some flag levels (anything not high, medium or low counts as none).

    >>> highest_level(["low", None, "high", "none"]), highest_level(["none"])
    ('high', '')
    """
    given = {str(v).lower() for v in levels}
    return next((level for level in LEVELS if level in given), "")


@dataclass(frozen=True, slots=True)
class NodeTables:
    """The saved analysis tables the network view reads about its nodes."""

    groups: Sequence[GroupRow] = ()
    key_players: Sequence[KeyPlayerRow] = ()
    flags: Sequence[FlagRow] = ()
    child_indicators: Sequence[ChildIndicatorRow] = ()


def describe_nodes(
    G: Any,
    sub: Subgraph,
    *,
    roles: Mapping[Any, frozenset[str]],
    tables: NodeTables,
    ages: Mapping[str, str],
) -> dict[str, NodeFacts]:
    """Facts for every drawn node.

    Args:
        G: the drawn entities and the events their people took part in (for roles and last seen).
        roles: :func:`analytics.roles.person_roles` of ``G``.
        tables: the saved analysis tables ``groups``, ``key_players``, ``flags``, ``child_indicators``.
        ages: the age band of each person the viewer may see a date of birth for.
    """
    membership = _membership(tables.groups)
    read_as = node_roles(G) if any(e.kind == "Other" for e in sub.entities) else {}
    key_players = {str(r.entity_id): r for r in tables.key_players}
    flags = {str(r.entity_id): r for r in tables.flags}
    children = {str(r.entity_id): r for r in tables.child_indicators}
    facts: dict[str, NodeFacts] = {}
    for e in sub.entities:
        flag = flags.get(e.id)
        reasons = tuple(_flag_reasons(flag))
        level = highest_level([flag.level if flag else None])
        imported = read_as.get(e.id)
        if imported is not None and imported.role != "person":  # an import's crime, area or postcode
            category = _IMPORTED_ROLE_CATEGORY.get(imported.role, "object")
            facts[e.id] = NodeFacts(category, level, (), "", _last_seen(G, e), "", reasons)
        elif e.kind in ACTOR_KINDS:
            held = roles.get(e.id, frozenset())
            group_id, group_role = membership.get(e.id, ("", ""))
            child = children.get(e.id)
            held_licences = _licence_levels(G, e.id, flags)
            level = highest_level([child.risk_level if child else None, *held_licences])
            reasons = tuple(_child_reasons(child)) if child else ()
            if highest_level(held_licences):
                reasons += (f"holds a licence flagged {highest_level(held_licences)}",)
            player = key_players.get(e.id)
            group = f"{group_id}, {group_role}" if group_id else ""
            if player is not None:
                group = f"{player.group_id}, key player {player.rank_in_group}" + (
                    f" ({group_role})" if group_role and group_id == player.group_id else ""
                )
            category = person_category(
                held, child=child is not None, organiser=group_role == "organiser", key_player=player is not None
            )
            facts[e.id] = NodeFacts(
                category, level, tuple(sorted(held)), ages.get(e.id, ""), _last_seen(G, e), group, reasons
            )
        else:
            facts[e.id] = NodeFacts(kind_category(e.kind), level, (), "", _last_seen(G, e), "", reasons)
    return facts


def _membership(groups: Iterable[GroupRow]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for g in groups:
        for m in g.members:
            found.setdefault(str(m.entity_id), (str(g.group_id), str(m.role or "")))
    return found


def _licence_levels(G: Any, person: str, flags: Mapping[str, FlagRow]) -> list[object]:
    """Flag levels of the licences a person holds (a driver is flagged as the licence is)."""
    if person not in G:
        return []
    return [
        flags[v].level for _, v, d in G.out_edges(person, data=True) if d.get("kind") == "HOLDS_LICENCE" and v in flags
    ]


def _flag_reasons(row: FlagRow | None) -> list[str]:
    if not row:
        return []
    return [str(r.reason) for r in row.reasons][:3]


def _child_reasons(row: ChildIndicatorRow) -> list[str]:
    parts = []
    if row.risk_level:
        parts.append(f"risk {row.risk_level}")
    if row.missing_episodes:
        trend = f", trend {row.trend}" if row.trend else ""
        parts.append(f"{row.missing_episodes} missing episodes{trend}")
    if row.suspects_within_1:
        parts.append(f"{row.suspects_within_1} suspects within one step")
    return parts


def _last_seen(G: Any, e: Entity) -> str:
    """The latest date anything recorded puts this entity in view: itself, its links, its events."""
    dates = [e.last_seen or ""]
    if e.id in G:
        if G.nodes[e.id].get("kind") in EVENT_KINDS:
            dates.append(event_date(G, e.id) or "")
        for u, v, d in [*G.out_edges(e.id, data=True), *G.in_edges(e.id, data=True)]:
            dates.append(str(d.get("last_seen") or ""))
            other = v if u == e.id else u
            if G.nodes[other].get("kind") in EVENT_KINDS:
                dates.append(event_date(G, other) or "")
    latest = max((d for d in dates if d), default="")
    return _day(latest)


def _day(value: str) -> str:
    try:
        return dt.date.fromisoformat(value[:10]).strftime("%-d %b %Y")
    except ValueError:
        return ""
