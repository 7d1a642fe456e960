"""Search as people type: one planner for the analyst search, the licensing check and the CLI.

A store's :meth:`~graph.store.GraphStore.search` finds entities whose searchable terms contain the
text as typed. People type a VRM with a space, a phone number the national way, a postcode without
its space, a name surname first, or a source record's reference. :func:`plan_search` turns what was
typed into the forms the store holds; :func:`find_entities` asks the store for each, keeps the hits
every name token matches, looks references up among the records each source loaded, and ranks whole
matches above partial ones and people above the businesses and places that share their words.

>>> plan = plan_search("zp50 cme")
>>> "zp50cme" in plan.variants
True
>>> plan_search("0114 496 0638").variants[-1]
'+441144960638'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from graph.ids import MAX_SEARCH_CHARS, fold_text
from graph.records import Entity, search_terms
from graph.store import GraphStore

log = logging.getLogger(__name__)

# A query is cut to this many characters before anything reaches the trigram index: a long query
# against long stored values costs seconds and gigabytes (docs: PITFALLS, SQLite FTS5 trigram).
MAX_QUERY_CHARS = MAX_SEARCH_CHARS
MAX_TOKENS = 8
MAX_TOKEN_CHARS = 40
# Each store query asks for this many candidates per hit wanted, so that filtering by every name
# token and ranking still leave ``limit`` hits.
_CANDIDATES_PER_HIT = 4
_MAX_CANDIDATES = 200

# The sources whose record ids people type (nominal, care, missing, occurrence, intelligence,
# licence, register and premises references), with the kinds of entity each record makes.
# tests/graph/test_search.py checks every pair against the ingest specs, so a renamed source fails
# a test rather than silently finding nothing.
REFERENCE_SOURCES: Mapping[str, tuple[str, ...]] = {
    "police_nominals": ("Person",),
    "police_missing": ("MissingEpisode",),
    "police_occurrences": ("Incident",),
    "police_intelligence": ("Intelligence",),
    "care_children": ("Person", "Referral"),
    "care_return_interviews": ("MissingEpisode",),
    "licensing_drivers": ("Licence", "Person"),
    "licensing_vehicles": ("Licence", "Vehicle"),
    "licensing_operators": ("Licence", "Business"),
    "licensing_national_register": ("LicensingDecision", "Person"),
    "premises_register": ("Licence", "Business"),
}

# Within one strength of match, a person named comes before a vehicle, phone or licence, and those
# before a business or place whose name merely shares the word.
_KIND_ORDER: Mapping[str, int] = {
    "Person": 0,
    "Vehicle": 1,
    "Phone": 1,
    "Licence": 1,
    "Business": 2,
    "Location": 3,
}
_VRM = re.compile(r"[a-z0-9]{2,8}")
_PHONE = re.compile(r"\+?[\d\s().-]{6,24}")
_POSTCODE = re.compile(r"([a-z]{1,2}\d[a-z\d]?)\s*(\d[a-z]{2})")
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{2,39}")
_TOKEN_SPLIT = re.compile(r"[\s,;]+")

# Strengths of match, best first.
_REFERENCE_MATCH, _WHOLE_TERM, _WHOLE_WORDS, _TERM_PREFIX, _WORD_PREFIXES, _PARTIAL = range(6)


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """What to ask the store for one typed query.

    Attributes:
        text: the query folded (case and accents ignored) and cut to :data:`MAX_QUERY_CHARS`.
        variants: whole-query forms to look up: as typed, then VRM, postcode and phone forms.
        tokens: name tokens; a hit found by tokens must match every one in some searchable term.
        references: forms of the query that may be a source record's id.
    """

    text: str
    variants: tuple[str, ...]
    tokens: tuple[str, ...]
    references: tuple[str, ...]


def plan_search(text: str) -> SearchPlan:
    """The forms of ``text`` to look up: as typed, and as a VRM, phone, postcode and reference.

    >>> plan_search("AB12 cde").variants
    ('ab12 cde', 'ab12cde')
    >>> plan_search("zz15 7ud").variants
    ('zz15 7ud', 'zz157ud')
    >>> plan_search("Holworth  Mateusz").tokens
    ('holworth', 'mateusz')
    """
    raw = text[: MAX_QUERY_CHARS * 2]
    folded = fold_text(raw)[:MAX_QUERY_CHARS].strip()
    if not folded:
        return SearchPlan("", (), (), ())
    variants = [folded]
    compact = re.sub(r"[\s-]", "", folded)
    postcode = _POSTCODE.fullmatch(folded)
    if postcode:
        variants += [f"{postcode[1]} {postcode[2]}", postcode[1] + postcode[2]]
    elif _VRM.fullmatch(compact) and re.search(r"\d", compact) and re.search(r"[a-z]", compact):
        variants.append(compact)  # a VRM is stored upper case without spaces
    phone = _phone_form(folded)
    if phone:
        variants.append(phone)
    tokens = [t[:MAX_TOKEN_CHARS] for t in _TOKEN_SPLIT.split(folded) if t][:MAX_TOKENS]
    stripped = raw.strip()
    references = []
    if _REFERENCE.fullmatch(stripped) and re.search(r"\d", stripped):
        references = [stripped, stripped.upper()]
    return SearchPlan(folded, _unique(variants), _unique(tokens), _unique(references))


def _phone_form(folded: str) -> str | None:
    """A UK phone number as stored (E.164, ``+44...``), from national, international or spaced forms.

    Part of a number gives part of the stored form, so the store's substring match still finds it.
    """
    if not _PHONE.fullmatch(folded):
        return None
    digits = re.sub(r"\D", "", folded.replace("(0)", ""))
    if len(digits) < 6:
        return None
    if folded.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("44"):
        return "+" + digits
    if digits.startswith("0"):
        return "+44" + digits[1:]
    return digits


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


@dataclass(slots=True)
class _Found:
    entity: Entity
    strength: int
    order: int


def find_entities(
    store: GraphStore,
    text: str,
    *,
    kinds: Collection[str] | None = None,
    limit: int = 25,
    sources: Mapping[str, Collection[str]] = REFERENCE_SOURCES,
) -> list[Entity]:
    """Entities matching what a person typed, best first (canonical entities, each once).

    Args:
        store: any graph store.
        text: a name (tokens in any order), VRM, phone number, postcode, address, licence number or
            a source record's reference.
        kinds: only these kinds of entity (all when None).
        limit: at most this many hits.
        sources: the sources whose record ids may be typed, with the kinds their records make.

    Returns:
        Hits ranked: a source reference, then a whole searchable value, whole words, a value's
        start, words' starts, any part; within each, people before vehicles, phones and licences,
        before businesses and places.
    """
    plan = plan_search(text)
    if not plan.text or limit < 1:
        return []
    wanted = set(kinds) if kinds is not None else None
    candidates = min(max(limit * _CANDIDATES_PER_HIT, 50), _MAX_CANDIDATES)
    found: dict[str, _Found] = {}

    def keep(entity: Entity, strength: int) -> None:
        held = found.get(entity.id)
        if held is None:
            found[entity.id] = _Found(entity, strength, len(found))
        elif strength < held.strength:
            held.strength = strength

    for entity in _by_reference(store, plan.references, wanted, sources):
        keep(entity, _REFERENCE_MATCH)
    for variant in plan.variants:
        for entity in store.search(variant, kinds=wanted, limit=candidates):
            # the store matched the whole query (perhaps through a record merged into this entity)
            keep(entity, min(_strength(store, entity, plan), _TERM_PREFIX))
    if len(plan.tokens) > 1:
        # names in any order: every token must match the entity, in its own values or (through a
        # record merged into it) in the store's answer for that token; the longest tokens anchor
        by_token = {
            t: {e.id: e for e in store.search(t, kinds=wanted, limit=candidates)} for t in _searchable(plan.tokens)
        }
        for anchor in sorted(by_token, key=len, reverse=True)[:2]:
            for entity in by_token[anchor].values():
                terms = _terms(store, entity)
                if all(entity.id in by_token.get(t, ()) or _token_matches(terms, t) for t in plan.tokens):
                    keep(entity, _strength(store, entity, plan))
    ranked = sorted(found.values(), key=lambda f: (f.strength, _KIND_ORDER.get(f.entity.kind, 4), f.order))
    log.debug("search planned %d variants, %d tokens: %d hits", len(plan.variants), len(plan.tokens), len(ranked))
    return [f.entity for f in ranked[:limit]]


def _by_reference(
    store: GraphStore,
    references: tuple[str, ...],
    wanted: set[str] | None,
    sources: Mapping[str, Collection[str]],
) -> list[Entity]:
    """The canonical entities made by source records with one of these ids."""
    if not references:
        return []
    ids: list[str] = []
    for source, source_kinds in sources.items():
        for kind in source_kinds:
            if wanted is None or kind in wanted:
                ids.extend(store.find_by_source(source, references, kind=kind).values())
    return [e for e in store.get_entities(ids) if wanted is None or e.kind in wanted]


def _terms(store: GraphStore, entity: Entity) -> list[str]:
    if entity.kind not in store.schema.entities:
        return [fold_text(entity.label)]
    return [*search_terms(store.schema, entity.kind, entity.properties), fold_text(entity.label)]


def _strength(store: GraphStore, entity: Entity, plan: SearchPlan) -> int:
    """How well an entity's own searchable values match the query (one of the strengths above)."""
    terms = _terms(store, entity)
    words = {w for t in terms for w in t.split()}
    if any(t == v for t in terms for v in plan.variants):
        return _WHOLE_TERM
    if plan.tokens and all(tok in words for tok in plan.tokens):
        return _WHOLE_WORDS
    if any(t.startswith(v) for t in terms for v in plan.variants):
        return _TERM_PREFIX
    if plan.tokens and all(any(w.startswith(tok) for w in words) for tok in plan.tokens):
        return _WORD_PREFIXES
    return _PARTIAL


def _searchable(tokens: tuple[str, ...]) -> list[str]:
    """Tokens worth a store search: three characters or more (shorter ones are checked on the hits)."""
    return [t for t in tokens if len(t) >= 3]


def _token_matches(terms: list[str], token: str) -> bool:
    """A token is part of some term (a token under three characters must start a word)."""
    if len(token) >= 3:
        return any(token in t for t in terms)
    return any(w.startswith(token) for t in terms for w in t.split())
