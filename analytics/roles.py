"""The roles people have through links and events: suspect, victim, missing child, driver ...

Roles are not kinds (DESIGN.md): one person can be a victim in one incident and a suspect in another.
Each role here is read from recorded facts, so every role can be explained by the facts behind it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import networkx as nx

from analytics.projections import actors, analysis_date, parties
from analytics.rules import Rules, default_rules, parse_day

EXPLOITATION_SUSPECT = "exploitation_suspect"
EXPLOITATION_VICTIM = "exploitation_victim"


def age_on(date_of_birth: object, day: dt.date | None) -> int | None:
    """Age in whole years on ``day``, or None when either is unknown."""
    born = parse_day(date_of_birth)
    if born is None or day is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_exploitation_event(G: nx.MultiDiGraph, event: Any, rules: Rules) -> bool:
    """An exploitation incident or intelligence report, or a missing episode with exploitation pull factors."""
    data = G.nodes[event]
    kind = data.get("kind")
    if kind == "Incident":
        return bool(data.get("exploitation_flag")) or rules.is_exploitation_category(data.get("category"))
    if kind == "Intelligence":
        return rules.is_exploitation_topic(data.get("topic"))
    if kind == "MissingEpisode":
        pulls = data.get("pull_factors") or []
        return any(str(p).strip().lower() in rules.pull_factors for p in pulls) or any(
            role == "found_with" for _, role in parties(G, event)
        )
    return False


def person_roles(
    G: nx.MultiDiGraph, *, rules: Rules | None = None, as_of: dt.date | None = None
) -> dict[Any, frozenset[str]]:
    """Every person's roles.

    Roles: ``suspect``, ``victim``, ``witness``, ``missing``, ``found_with`` (found with a missing
    person), ``intelligence_subject``, ``child`` (under ``rules.child_age`` on ``as_of``),
    ``licence_holder``, ``driver`` (holds a driver licence), ``register_match`` (a refusal or
    revocation recorded against the person), ``known_to_care`` (subject of a referral), and the two
    that seed the concern network: ``exploitation_suspect`` (a suspect in an exploitation incident,
    a subject of exploitation intelligence, or found with a missing person) and
    ``exploitation_victim`` (a victim of an exploitation incident, or a missing child whose episode
    shows exploitation).
    """
    rules = rules or default_rules()
    as_of = as_of or analysis_date(G)
    roles: dict[Any, set[str]] = defaultdict(set)
    for node in actors(G, rules=rules):
        held = roles.setdefault(node, set())  # every person gets an entry, even with no role
        age = age_on(G.nodes[node].get("date_of_birth"), as_of)
        if age is not None and age < rules.child_age:
            held.add("child")
    for node, kind in G.nodes(data="kind"):
        if kind not in ("Incident", "Intelligence", "MissingEpisode", "Referral"):
            continue
        exploitation = is_exploitation_event(G, node, rules)
        for person, role in parties(G, node):
            held = roles[person]
            if kind == "Intelligence":
                held.add("intelligence_subject")
                if exploitation:
                    held.add(EXPLOITATION_SUSPECT)
            elif kind == "Referral":
                held.add("known_to_care")
            elif role in rules.suspect_roles:
                held.add("suspect")
                if exploitation:
                    held.add(EXPLOITATION_SUSPECT)
            elif role in rules.victim_roles:
                held.add("victim")
                if exploitation:
                    held.add(EXPLOITATION_VICTIM)
            elif role in ("missing", "found_with", "witness"):
                held.add(role)
                if role == "found_with":
                    held.add(EXPLOITATION_SUSPECT)
    for person in list(roles):
        held = roles[person]
        if "missing" in held and "child" in held and _missing_with_concern(G, person, rules):
            held.add(EXPLOITATION_VICTIM)
    for u, v, data in G.edges(data=True):
        kind = data.get("kind")
        if kind == "HOLDS_LICENCE" and u in roles:
            roles[u].add("licence_holder")
            if G.nodes[v].get("licence_type") == "driver":
                roles[u].add("driver")
        elif kind == "DECISION_ON" and v in roles and G.nodes[u].get("decision") in ("revoke", "refuse"):
            roles[v].add("register_match")
    return {person: frozenset(held) for person, held in roles.items()}


def _missing_with_concern(G: nx.MultiDiGraph, person: Any, rules: Rules) -> bool:
    for _, episode, data in G.out_edges(person, data=True):
        if (
            data.get("kind") == "PARTY_TO"
            and G.nodes[episode].get("kind") == "MissingEpisode"
            and is_exploitation_event(G, episode, rules)
        ):
            return True
    return False


# Roles that make a person a possible target of disruption, and roles that mark someone the records
# know as harmed or as a bystander. A person with a protected role and no target role is safeguarded.
# Being named in intelligence is not one: victims are often its subjects (exploitation intelligence
# already makes its subjects exploitation suspects).
TARGET_ROLES = frozenset({"suspect", EXPLOITATION_SUSPECT, "found_with"})
PROTECTED_ROLES = frozenset({"victim", EXPLOITATION_VICTIM, "witness", "missing"})


def safeguarded(held: frozenset[str]) -> bool:
    """Whether a person must never be proposed as a target (ranked as a key player, offered as a
    disruption option or put in a plan): a child, or someone the records know only as a victim, a
    witness or a missing person. Paths through them still count; they are simply never acted against.

    >>> safeguarded(frozenset({"victim"})), safeguarded(frozenset({"victim", "suspect"})), safeguarded(frozenset())
    (True, False, False)
    """
    return "child" in held or (bool(held & PROTECTED_ROLES) and not held & TARGET_ROLES)


def concern_seeds(roles: Mapping[Any, frozenset[str]]) -> list[Any]:
    """People whose recorded roles put them at the centre of concern: exploitation suspects and victims."""
    return [p for p, held in roles.items() if EXPLOITATION_SUSPECT in held or EXPLOITATION_VICTIM in held]
