"""One fact, one line: links that say the same thing about the same two entities are read as one.

After entity resolution, the records of one person (a police nominal, a care record) are one
entity, but each record's links stay as loaded, so a child's police and care records each give a
``PARTY_TO`` link to the same episode. Those links are one fact with two sources. Every read that
shows or analyses links (neighbourhoods, paths, the NetworkX export, counts) goes through the rule
here, so both stores merge them the same way and no store rewrites what was loaded (a split still
gives each record its own links back).

The rule: links are the same fact when they have the same kind, join the same two (canonical)
entities, in the same direction unless the kind is symmetric, and agree on the properties the
schema names as the link kind's ``key`` (``PARTY_TO`` as ``missing`` and as ``found_with`` are two
facts). The fact keeps the id of its first link in id order, so its id is stable; its sources are
the union of theirs, its properties theirs merged (the first link's values win, the others fill in
what it lacks) and its first and last seen span all of theirs.

Link ids derive from kind, the ends as loaded and the key values (``graph.records.new_link``), so
two links that were never moved by resolution are never parallel: a fact with more than one link
has at least one that resolution moved. Counting facts therefore needs to look only at the links
between the ends of moved links.

An entity merged from several records keeps what each record alone says in the same way: its
canonical record's properties, filled in by those of the records merged into it
(:func:`fill_properties`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from graph.identity import ABSENT_KEY
from graph.ids import normalise_key_part
from graph.records import Link, Provenance
from graph.schema import Schema

if TYPE_CHECKING:
    import networkx as nx

_NODE_FIELDS = frozenset({"kind", "label", "first_seen", "last_seen", "provenance"})  # set by the export itself

FactKey = tuple[str, ...]
# (link id, kind, source, target, properties): what a store reads to tell facts apart
LinkRow = tuple[str, str, str, str, Mapping[str, Any]]


def fact_key(schema: Schema, kind: str, source: str, target: str, properties: Mapping[str, Any]) -> FactKey:
    """What makes a link the fact it is: kind, ends (in order unless symmetric) and key values.

    >>> from graph.schema import load_schema
    >>> s = load_schema()
    >>> fact_key(s, "ASSOCIATE_OF", "b", "a", {}) == fact_key(s, "ASSOCIATE_OF", "a", "b", {"nature": "x"})
    True
    >>> missing, found_with = ({"role": "missing"}, {"role": "found_with"})
    >>> fact_key(s, "PARTY_TO", "p", "e", missing) == fact_key(s, "PARTY_TO", "p", "e", found_with)
    False
    """
    lk = schema.links.get(kind)
    if lk is not None and lk.symmetric and target < source:
        source, target = target, source
    keys = lk.key if lk is not None else ()
    return (kind, source, target, *(_key_text(properties.get(k)) for k in keys))


def _key_text(value: object) -> str:
    # key values compare as link ids compare them (trimmed, case folded)
    return ABSENT_KEY if value in (None, "") else normalise_key_part(value)


def has_key_properties(schema: Schema, kind: str) -> bool:
    """Whether facts of this kind are told apart by properties (so a store must read them)."""
    lk = schema.links.get(kind)
    return bool(lk is not None and lk.key)


def links_beyond_facts(schema: Schema, rows: Iterable[LinkRow]) -> dict[str, int]:
    """How many of these links, by kind, are not the first link of their fact (what a count of
    links must take off to count facts)."""
    facts: dict[str, set[FactKey]] = {}
    links: dict[str, int] = {}
    for _link_id, kind, src, dst, props in rows:
        facts.setdefault(kind, set()).add(fact_key(schema, kind, src, dst, props))
        links[kind] = links.get(kind, 0) + 1
    return {kind: n - len(facts[kind]) for kind, n in links.items() if n > len(facts[kind])}


def distinct_steps(schema: Schema, rows: Iterable[LinkRow], *, by_kind: bool = False) -> list[tuple[str, str, str]]:
    """One (link id, source, target) per fact, for the graph walks of :mod:`graph.traversal`.

    With ``by_kind`` there is one step per kind between two entities whatever the direction or key
    values, so that no two paths pass the same entities through the same kinds of link.
    """
    chosen: dict[tuple[str, ...], tuple[str, str, str]] = {}
    for link_id, kind, src, dst, props in rows:
        key = (kind, *sorted((src, dst))) if by_kind else fact_key(schema, kind, src, dst, props)
        held = chosen.get(key)
        if held is None or link_id < held[0]:
            chosen[key] = (link_id, src, dst)
    return sorted(chosen.values())


def merge_links(schema: Schema, links: Iterable[Link]) -> list[Link]:
    """One link per fact, in the order each fact first appears (see the module docstring)."""
    groups: dict[FactKey, list[Link]] = {}
    for ln in links:
        groups.setdefault(fact_key(schema, ln.kind, ln.source, ln.target, ln.properties), []).append(ln)
    return [merge_parallel(group) for group in groups.values()]


def merge_parallel(links: Sequence[Link]) -> Link:
    """The one link that parallel links of one fact make: first id, every source, merged properties."""
    ordered = sorted(links, key=lambda ln: ln.id)
    first = ordered[0]
    if len(ordered) == 1:
        return first
    properties = dict(first.properties)
    for ln in ordered[1:]:
        for name, value in ln.properties.items():
            if properties.get(name) in (None, "", []):
                properties[name] = value
    return Link(
        first.id,
        first.kind,
        first.source,
        first.target,
        properties,
        union_provenance(p for ln in ordered for p in ln.provenance),
        _earliest(ln.first_seen for ln in ordered),
        _latest(ln.last_seen for ln in ordered),
    )


def facts_asked(schema: Schema, asked: Iterable[str], parallel: Mapping[str, Sequence[Link]]) -> list[Link]:
    """The fact of each asked link, in the order asked, each fact once (under its own id).

    ``parallel`` gives, for each asked id a store holds, the links of its kind between its two
    entities (either way round, itself included); ids it does not hold are left out.
    """
    found: list[Link] = []
    seen: set[str] = set()
    for link_id in asked:
        candidates = parallel.get(link_id, ())
        me = next((ln for ln in candidates if ln.id == link_id), None)
        if me is None:
            continue
        key = fact_key(schema, me.kind, me.source, me.target, me.properties)
        fact = merge_parallel(
            [ln for ln in candidates if fact_key(schema, ln.kind, ln.source, ln.target, ln.properties) == key]
        )
        if fact.id not in seen:
            seen.add(fact.id)
            found.append(fact)
    return found


def fill_properties(own: Mapping[str, Any], merged: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A canonical entity's properties: its own record's, filled in where it has none by the
    records merged into it (``merged`` in id order), so that what one record alone knows (the
    date of a return interview, a date of birth only social care holds) is not lost by a merge.

    >>> fill_properties({"reference": "MP1", "pull_factors": []}, [{"reference": "RI1", "pull_factors": ["gifts"]}])
    {'reference': 'MP1', 'pull_factors': ['gifts']}
    """
    properties = dict(own)
    for record in merged:
        for name, value in record.items():
            if properties.get(name) in (None, "", []):
                properties[name] = value
    return properties


def fill_nodes(G: nx.MultiDiGraph, merged: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
    """Fill the nodes of ``G`` from the records merged into them: (canonical id, record properties)
    in record id order, by the rule of :func:`fill_properties`."""
    for canonical, record in merged:
        if canonical not in G:
            continue
        data = G.nodes[canonical]
        for name, value in record.items():
            if name not in _NODE_FIELDS and data.get(name) in (None, "", []):
                data[name] = value


def union_provenance(items: Iterable[Provenance]) -> tuple[Provenance, ...]:
    """Sources in load order, each source record once."""
    kept: dict[tuple[str, str], Provenance] = {}
    for p in sorted(items, key=lambda p: (p.loaded_at, p.source, p.record_id)):
        kept.setdefault((p.source, p.record_id), p)
    return tuple(kept.values())


def _earliest(values: Iterable[str | None]) -> str | None:
    present = [v for v in values if v]
    return min(present) if present else None


def _latest(values: Iterable[str | None]) -> str | None:
    present = [v for v in values if v]
    return max(present) if present else None


def add_fact_edges(
    G: nx.MultiDiGraph, schema: Schema, edges: Iterable[tuple[str, str, str, str, Mapping[str, Any], Any, Any]]
) -> dict[str, str]:
    """Add (id, kind, source, target, properties, first seen, last seen) edges in id order, one per fact.

    Edges whose ends are not both nodes of ``G`` are left out. A link of a fact already drawn
    fills in properties the edge lacks and widens its first and last seen. Returns, for every link
    of a fact with more than one, the id of the fact's edge (to give the edge its sources).
    """
    drawn: dict[FactKey, tuple[str, str, str]] = {}
    folded: dict[str, str] = {}
    for link_id, kind, src, dst, props, first, last in edges:
        if src not in G or dst not in G:
            continue
        key = fact_key(schema, kind, src, dst, props)
        held = drawn.get(key)
        if held is None:
            drawn[key] = (src, dst, link_id)
            G.add_edge(src, dst, key=link_id, **props, kind=kind, first_seen=first, last_seen=last)
            continue
        data = G.edges[held]
        for name, value in props.items():
            if data.get(name) in (None, "", []):
                data[name] = value
        data["first_seen"] = _earliest((data.get("first_seen"), first))
        data["last_seen"] = _latest((data.get("last_seen"), last))
        folded[link_id] = held[2]
    return folded


__all__ = [
    "FactKey",
    "LinkRow",
    "add_fact_edges",
    "distinct_steps",
    "fact_key",
    "facts_asked",
    "fill_nodes",
    "fill_properties",
    "has_key_properties",
    "links_beyond_facts",
    "merge_links",
    "merge_parallel",
    "union_provenance",
]
