"""Management information: raw counts of children, missing episodes and businesses of concern.

The counts here are exact. Whoever shows them to people who must not see individuals applies
:mod:`analytics.disclosure` (the app's access policy does it for strategic leads).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from analytics.categories import published_category
from analytics.places import ward_of

NOT_RECORDED = "not recorded"
CONCERN_LEVELS = ("medium", "high")


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


def _rows(measure: str, counts: Mapping[str, int]) -> list[dict[str, Any]]:
    return [
        {"entity_id": f"{measure}/{k}", "label": f"{measure}: {k}", "measure": measure, "category": k, "count": v}
        for k, v in sorted(counts.items())
    ]


def _linked_events(G: nx.MultiDiGraph, person: Any, kind: str) -> Iterable[Any]:
    """The events of a kind a person is party to, each once whatever the number of links or roles."""
    return dict.fromkeys(
        event
        for _, event, data in G.out_edges(person, data=True)
        if data.get("kind") == "PARTY_TO" and G.nodes[event].get("kind") == kind
    )


def management_information(
    G: nx.MultiDiGraph, children: Sequence[Mapping[str, Any]], flags: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Counts by measure and category, one row each (``measure``, ``category``, ``count``).

    ``children`` are the rows of :func:`analytics.children.child_indicators`; ``flags`` the rows
    of :func:`analytics.flags.flag_licensing`. Each child is counted once per category of a
    measure (a child referred by two sources counts once under each). Gender, ethnicity and referral
    source are counted under the categories of closed lists (:mod:`analytics.categories`), never
    as the text a record holds. Episodes are those of these
    children, each once (two children missing together are one episode), by the month they were
    reported (for an episode known only from its return interview, the month of the missing date
    the interview records); return interviews by the month they were held.
    """
    ids = [c["entity_id"] for c in children]
    by: dict[str, Counter[str]] = {
        m: Counter()
        for m in (
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
    for row, child in zip(children, ids, strict=True):
        data = G.nodes[child] if child in G else {}
        by["children by risk level"][_text(row.get("risk_level"))] += 1
        by["children by age band"][age_band(row.get("age"))] += 1
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
        by["children missing by month"].update(months)
    for reported, interview in episodes.values():
        if reported:
            by["missing episodes by month"][reported] += 1
        if interview:
            by["return interviews by month"][interview] += 1
    concern = [f for f in flags if f.get("subject_kind") == "Business" and f.get("level") in CONCERN_LEVELS]
    by["businesses of concern by type"] = Counter(_text(f.get("subject_type")) for f in concern)
    by["businesses of concern by ward"] = Counter(
        _text(G.nodes[f["entity_id"]].get("ward") or ward_of(G, f["entity_id"]))
        if f["entity_id"] in G
        else NOT_RECORDED
        for f in concern
    )
    return [row for measure, counts in by.items() for row in _rows(measure, counts)]
