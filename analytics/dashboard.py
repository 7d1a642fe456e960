"""Management information: raw counts of children, missing episodes and businesses of concern.

The counts here are exact. Whoever shows them to people who must not see individuals applies
:mod:`analytics.disclosure` (the app's access policy does it for strategic leads), deciding on
``people``: how many different children stand behind a count (an episode count of 11 from 8
children rests on 8).

The children are those of :func:`analytics.children.child_indicators`: people under 18 on the
analysis date who are known to children's social care (a referral), were reported missing, or
are recorded as the victim of a crime. Children's social care's own list holds only the first,
so ``children by how they are known`` says how many are known each way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from analytics.categories import published_category
from analytics.places import ward_of
from analytics.rules import Rules, default_rules
from graph.result_rows import ChildIndicatorRow, FlagRow, MeasureRow

NOT_RECORDED = "not recorded"
CONCERN_LEVELS = ("medium", "high")
HOW_KNOWN = "children by how they are known"
ALL_CHILDREN = "all children in this information"
KNOWN_TO_CARE = "known to children's social care"
REPORTED_MISSING = "reported missing"
CRIME_VICTIM = "victim of a recorded crime"
# Measures that count each child once under one category: with the number of all children
# published, one suppressed category among them could be found by subtraction.
CHILD_PARTITIONS = frozenset(
    {"children by risk level", "children by age band", "children by gender", "children by ethnicity"}
)
# Measures whose counts are of businesses, not people.
BUSINESS_MEASURES = frozenset({"businesses of concern by type", "businesses of concern by ward"})


def age_band(age: object) -> str:
    """The band of an age in years, as children's services report them.

    >>> [age_band(a) for a in (9, 10, 13, 16, None)]
    ['under 10', '10-12', '13-15', '16-17', 'not recorded']
    """
    if not isinstance(age, int):
        return NOT_RECORDED
    if age < 10:
        return "under 10"
    if age <= 12:
        return "10-12"
    if age <= 15:
        return "13-15"
    return "16-17" if age <= 17 else "18+"


def _text(value: object) -> str:
    return str(value) if value not in (None, "") else NOT_RECORDED


def _rows(measure: str, counts: Mapping[str, int], people: Mapping[str, int] | None) -> list[MeasureRow]:
    """One row per category; ``people`` is how many different children stand behind the count
    (None for counts of businesses, which are not people)."""
    return [
        MeasureRow(
            entity_id=f"{measure}/{k}",
            label=f"{measure}: {k}",
            measure=measure,
            category=k,
            count=v,
            people=None if people is None else people.get(k, 0),
        )
        for k, v in sorted(counts.items())
    ]


def _how_known(G: nx.MultiDiGraph, child: Any, rules: Rules) -> set[str]:
    """The ways a child is known: a referral, a report of them missing, a crime against them."""
    ways = set()
    for _, event, data in G.out_edges(child, data=True) if child in G else ():
        if data.get("kind") not in ("PARTY_TO", "SUBJECT_OF"):
            continue
        kind, role = G.nodes[event].get("kind"), str(data.get("role") or "").lower()
        if kind == "Referral":
            ways.add(KNOWN_TO_CARE)
        elif role == "missing":
            ways.add(REPORTED_MISSING)
        elif kind == "Incident" and role in rules.victim_roles:
            ways.add(CRIME_VICTIM)
    return ways


def _linked_events(G: nx.MultiDiGraph, person: Any, kind: str) -> Iterable[Any]:
    """The events of a kind a person is party to, each once whatever the number of links or roles."""
    return dict.fromkeys(
        event
        for _, event, data in G.out_edges(person, data=True)
        if data.get("kind") == "PARTY_TO" and G.nodes[event].get("kind") == kind
    )


def management_information(
    G: nx.MultiDiGraph,
    children: Sequence[ChildIndicatorRow],
    flags: Sequence[FlagRow],
    *,
    rules: Rules | None = None,
) -> list[MeasureRow]:
    """Counts by measure and category, one row each (``measure``, ``category``, ``count``).

    ``children`` are the rows of :func:`analytics.children.child_indicators`; ``flags`` the rows
    of :func:`analytics.flags.flag_licensing`. Each child is counted once per category of a
    measure (a child referred by two sources counts once under each). Gender, ethnicity and referral
    source are counted under the categories of closed lists (:mod:`analytics.categories`), never
    as the text a record holds. Episodes are those of these
    children, each once (two children missing together are one episode), by the month they were
    reported (for an episode known only from its return interview, the month of the missing date
    the interview records); return interviews by the month they were held. Each row's ``people``
    is how many different children its count rests on.
    """
    rules = rules or default_rules()
    ids = [c.entity_id for c in children]
    by: dict[str, Counter[str]] = {
        m: Counter()
        for m in (
            HOW_KNOWN,
            "children by risk level",
            "children by age band",
            "children by gender",
            "children by ethnicity",
            "children by referral source",
            "children missing by month",
            "missing episodes by month",
            "return interviews by month",
        )
    }
    episodes: dict[Any, tuple[str, str]] = {}  # each episode once: (month reported, month interviewed)
    children_of: dict[Any, set[Any]] = defaultdict(set)  # each episode's missing children
    for row, child in zip(children, ids, strict=True):
        data = G.nodes[child] if child in G else {}
        by[HOW_KNOWN].update({ALL_CHILDREN, *_how_known(G, child, rules)})
        by["children by risk level"][_text(row.risk_level)] += 1
        by["children by age band"][age_band(row.age)] += 1
        for measure, value in (
            ("children by gender", data.get("gender")),
            ("children by ethnicity", data.get("ethnicity")),
        ):
            by[measure][published_category(measure, value)] += 1
        sources = {
            published_category("children by referral source", G.nodes[r].get("referral_source"))
            for r in _linked_events(G, child, "Referral")
        }
        by["children by referral source"].update(sources or {NOT_RECORDED})
        months = set()
        for episode in _linked_events(G, child, "MissingEpisode"):
            ep = G.nodes[episode]
            reported = str(ep.get("reported_at") or ep.get("first_seen") or "")[:7]
            if reported:
                months.add(reported)
            episodes[episode] = (reported, str(ep.get("return_interview_on") or "")[:7])
            children_of[episode].add(child)
        by["children missing by month"].update(months)
    episode_measures = ("missing episodes by month", "return interviews by month")
    behind: dict[str, dict[str, set[Any]]] = {m: defaultdict(set) for m in episode_measures}  # whose episodes
    for episode, (reported, interview) in episodes.items():
        if reported:
            by["missing episodes by month"][reported] += 1
            behind["missing episodes by month"][reported] |= children_of[episode]
        if interview:
            by["return interviews by month"][interview] += 1
            behind["return interviews by month"][interview] |= children_of[episode]
    concern = [f for f in flags if f.subject_kind == "Business" and f.level in CONCERN_LEVELS]
    by["businesses of concern by type"] = Counter(_text(f.subject_type) for f in concern)
    by["businesses of concern by ward"] = Counter(
        _text(G.nodes[f.entity_id].get("ward") or ward_of(G, f.entity_id)) if f.entity_id in G else NOT_RECORDED
        for f in concern
    )
    people: dict[str, Mapping[str, int]] = {m: {k: len(v) for k, v in behind[m].items()} for m in episode_measures}
    return [
        row
        for measure, counts in by.items()
        for row in _rows(measure, counts, None if measure in BUSINESS_MEASURES else people.get(measure, counts))
    ]
