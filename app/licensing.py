"""What a licensing officer sees of a driver, vehicle, operator or premises, and of an applicant.

Built from the analysis's flag rows, whose reasons already name no child and quote no intelligence
text. Here record references are replaced by the agencies that hold them, so an officer knows on
whose information a flag rests and whom to ask, without seeing the records themselves.

An officer finds the licensed trade however it is typed (graph.search plans the query): a licence
number, a VRM, a driver's name, an address or postcode, an operator's or premises' name. A person,
vehicle or address found leads only to the licences and businesses it holds, is licensed under or
hosts; a person who holds no licence (a child, a victim, anyone else) leads nowhere, so the check
cannot be used to look people up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from app.policy import source_agency
from graph.ids import fold_text
from graph.records import Entity
from graph.result_rows import FlagRow
from graph.search import find_entities
from graph.store import GraphStore

LICENCE_FIELDS = (
    "authority",
    "number",
    "licence_type",
    "status",
    "issued_on",
    "expires_on",
    "safeguarding_training_on",
)
REGISTER_PREFIX = "national register:"
# What a licensing search may find; each hit then leads to the flagged licences and businesses.
HIT_KINDS = frozenset({"Person", "Vehicle", "Licence", "Business", "Location"})
ROW_FIELDS = ("level", "type", "label", "holder", "vrm", "address", "authority", "status")
REGISTER_DECISIONS_SAID = {"refuse": "refused", "suspend": "suspended", "revoke": "revoked"}
REGISTER_DECISIONS = frozenset(REGISTER_DECISIONS_SAID)
ADULT_AGE = 18
_CURRENT_VRM = re.compile(r"[A-Z]{2}\d{2}[A-Z]{3}")
_NEAR = 60  # neighbours read around one hit: enough for a licence holder or an address


def find_subjects(
    store: GraphStore,
    subjects: Mapping[str, FlagRow],
    text: str,
    *,
    born: dt.date | None = None,
    children: Collection[str] = (),
    as_of: dt.date | None = None,
    limit: int = 25,
) -> list[dict[str, Any]]:
    """Licensing subjects (flagged licences and businesses) matching ``text``, one row each.

    Args:
        store: the graph store.
        subjects: the analysis's flag rows by entity id.
        text: a licence number, VRM, name, address, postcode, operator or premises name.
        born: a date of birth that narrows people found by name.
        children: ids of children the analysis knows; never found, never shown.
        as_of: the day ages are reckoned on (today when None).
        limit: at most this many rows.

    Returns:
        Rows with what tells each subject apart: holder, VRM, address and authority.
    """
    order: dict[str, None] = {}
    hits = find_entities(store, text, kinds=HIT_KINDS, limit=limit * 2)
    # a licence whose number was typed comes first, before what its holder also holds
    typed = fold_text(text)
    hits.sort(key=lambda e: not (e.kind == "Licence" and fold_text(str(e.properties.get("number") or "")) == typed))
    for hit in hits:
        for subject_id in _subjects_of(store, hit, subjects, born=born, children=set(children), as_of=as_of):
            order.setdefault(subject_id)
        if len(order) >= limit:
            break
    return [describe(store, subjects[s], children=children, as_of=as_of) for s in list(order)[:limit]]


def _subjects_of(
    store: GraphStore,
    hit: Entity,
    subjects: Mapping[str, FlagRow],
    *,
    born: dt.date | None,
    children: set[str],
    as_of: dt.date | None,
) -> list[str]:
    """The flagged licences and businesses a hit leads to (itself first when it is one)."""
    ids: list[str] = []
    if hit.kind == "Licence":
        ids.append(hit.id)
    elif hit.kind == "Business":
        ids += [hit.id, *(e.id for e in _linked(store, hit.id, {"HOLDS_LICENCE"}))]
    elif hit.kind == "Person":
        if _protected(hit, children, as_of) or (born is not None and _born_on(hit) != born):
            return []
        # the licences a person holds, then the operators they drive for
        ids += [e.id for e in _linked(store, hit.id, {"HOLDS_LICENCE"})]
        ids += [e.id for e in _linked(store, hit.id, {"WORKS_FOR"})]
    elif hit.kind == "Vehicle":
        plates = [e for e in _linked(store, hit.id, {"LICENSED_VEHICLE"}) if e.kind == "Licence"]
        ids += [p.id for p in plates]
        # then every licence whose row lists this VRM: a driver's covers the vehicles they hold licences for
        for plate in plates:
            for holder in _linked(store, plate.id, {"HOLDS_LICENCE"}):
                if holder.kind != "Person" or not _protected(holder, children, as_of):
                    ids += [e.id for e in _linked(store, holder.id, {"HOLDS_LICENCE"}) if e.kind == "Licence"]
    elif hit.kind == "Location":
        for e in _linked(store, hit.id, {"LIVES_AT", "OPERATES_AT"}):
            ids += _subjects_of(store, e, subjects, born=born, children=children, as_of=as_of)
    return [i for i in ids if i in subjects]


def _linked(store: GraphStore, entity_id: str, link_kinds: set[str]) -> list[Entity]:
    """Entities one link of these kinds away, nearest-first order as the store gives them."""
    sub = store.neighbourhood(entity_id, hops=1, link_kinds=link_kinds, max_nodes=_NEAR)
    return [e for e in sub.entities if e.id != entity_id]


def _born_on(person: Entity) -> dt.date | None:
    value = person.properties.get("date_of_birth")
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _protected(person: Entity, children: Collection[str], as_of: dt.date | None) -> bool:
    """A child (known to the analysis, or under 18 by date of birth): never found by a licensing search."""
    if person.id in children:
        return True
    born = _born_on(person)
    return born is not None and age_on(born, as_of or dt.date.today()) < ADULT_AGE


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years from ``born`` to ``day``.

    >>> age_on(dt.date(2000, 6, 30), dt.date(2018, 6, 29))
    17
    """
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def describe(
    store: GraphStore,
    flag: FlagRow,
    *,
    children: Collection[str] = (),
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """One subject's row: concern level, type, name, and the holder, VRM, address and authority."""
    entity = store.get_entity(flag.entity_id)
    holder: Entity | None = None
    vehicles: list[str] = []
    authorities: list[str] = []
    if entity is not None and entity.kind == "Licence":
        authorities.append(str(entity.properties.get("authority") or ""))
        holders = [e for e in _linked(store, entity.id, {"HOLDS_LICENCE"}) if e.kind in ("Person", "Business")]
        holder = holders[0] if holders else None
        vehicles = _licensed_vehicles(store, entity, holder)
    elif entity is not None:
        holder = entity
        authorities += [str(e.properties.get("authority") or "") for e in _linked(store, entity.id, {"HOLDS_LICENCE"})]
    shown_holder = holder is not None and not (holder.kind == "Person" and _protected(holder, children, as_of))
    incomplete = []
    if entity is not None and known_only_by_reference(store, entity):
        incomplete.append(f"the record of {entity.label} itself was not loaded: only other records name it")
    if entity is not None and entity.kind == "Licence" and holder is None:
        incomplete.append(f"no holder of {entity.label} is recorded")
    elif holder is not None and holder.id != flag.entity_id and known_only_by_reference(store, holder):
        incomplete.append(
            f"the holder's own licence record was not loaded (it was set aside at ingest or is missing), so "
            f"the holder is known only as the holder of licence {holder.label.split(':', 1)[-1]}: no name, date "
            "of birth or address to check"
        )
        shown_holder = False
    return {
        "incomplete": incomplete,
        "entity_id": flag.entity_id,
        "level": flag.level,
        "type": str(flag.subject_type or "").replace("_", " "),  # "taxi operator", not a code
        "label": flag.label,
        "holder": holder.label if shown_holder and holder is not None and holder.id != flag.entity_id else "",
        "vrm": ", ".join(vehicles),
        "address": _address(holder) if shown_holder and holder is not None else "",
        "authority": ", ".join(dict.fromkeys(a for a in [*authorities, flag.authority or ""] if a)),
        "status": flag.status or (entity.properties.get("status") if entity is not None else None),
    }


def known_only_by_reference(store: GraphStore, entity: Entity) -> bool:
    """Whether an entity holds nothing but its identifying key: a placeholder made because another
    record named it while its own record was not loaded (set aside at ingest, or not in the extract).

    A check resting on such an entity cannot say there is nothing of concern.
    """
    kind = store.schema.entities.get(entity.kind)
    if kind is None:
        return False
    held = {k for k, v in entity.properties.items() if v not in (None, "", [])}
    return held <= set(kind.key)


def _licensed_vehicles(store: GraphStore, licence: Entity, holder: Entity | None) -> list[str]:
    """The VRMs a licence covers: a vehicle licence's own; a driver's, those of the holder's vehicle licences."""
    plates = [licence]
    if licence.properties.get("licence_type") == "driver" and holder is not None:
        plates = [e for e in _linked(store, holder.id, {"HOLDS_LICENCE"}) if e.kind == "Licence"]
    vrms = [
        shown_vrm(str(v.properties.get("vrm") or v.label))
        for plate in plates
        for v in _linked(store, plate.id, {"LICENSED_VEHICLE"})
        if v.kind == "Vehicle"
    ]
    return list(dict.fromkeys(vrms))


def shown_vrm(vrm: str) -> str:
    """A VRM as it reads on a plate: the current style with its space, older styles as stored.

    >>> shown_vrm("ZM67LWD"), shown_vrm("A123BCD")
    ('ZM67 LWD', 'A123BCD')
    """
    return f"{vrm[:4]} {vrm[4:]}" if _CURRENT_VRM.fullmatch(vrm) else vrm


def _address(entity: Entity) -> str:
    parts = [entity.properties.get("address"), entity.properties.get("postcode")]
    return ", ".join(str(p) for p in parts if p)


def option_label(row: Mapping[str, Any]) -> str:
    """A subject as one line a person can tell from the others (name first, then what tells it apart)."""
    parts = [row.get(k) for k in ("type", "holder", "vrm", "address")]
    details = " · ".join(str(p) for p in parts if p)
    return f"{row['label']} · {details} ({str(row.get('level') or 'none').upper()})"


# What a reason resting on no partner record (a hotspot, a ranking) rests on, and whom to ask.
ANALYSIS_SOURCE = "Disrupt's analysis of the partners' records (ask the analyst team)"


def agencies(sources: list[str]) -> str:
    """The agencies behind source records, counted.

    >>> agencies(["police_intelligence:IR-1", "police_missing:MP-2", "care_children:C-3"])
    "police (2), children's social care (1)"
    """
    counts = Counter(source_agency(s) for s in sources if ":" in s)
    return ", ".join(f"{agency} ({n})" for agency, n in counts.most_common())


def check(
    store: GraphStore,
    flag: FlagRow,
    *,
    home: str | None,
    children: Collection[str] = (),
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """The licensing view of one flagged subject: why, its licences (each once), register, cross-border."""
    reasons = [
        {
            "level": r.level,
            "reason": r.reason,
            "grading": ", ".join(r.grading),
            "on whose information": agencies(list(r.sources)) or ANALYSIS_SOURCE,
        }
        for r in flag.reasons
    ]
    subject = store.get_entity(flag.entity_id)
    held = [subject] if subject is not None and subject.kind == "Licence" else []
    held += [e for e in _linked(store, flag.entity_id, {"HOLDS_LICENCE"}) if e.kind == "Licence"]
    licences = [
        {"entity_id": e.id, **{k: e.properties.get(k) for k in LICENCE_FIELDS}}
        for e in {e.id: e for e in held}.values()
    ]
    for licence in licences:
        licence["cross_border"] = bool(home and licence.get("authority") and licence["authority"] != home)
    return {
        **describe(store, flag, children=children, as_of=as_of),
        "reasons": reasons,
        "licences": licences,
        "register": [r["reason"] for r in reasons if r["reason"].startswith(REGISTER_PREFIX)],
        "cross_border": cross_border(licences, [r["reason"] for r in reasons]),
        "home_authority": home,
    }


def cross_border(licences: Iterable[Mapping[str, Any]], reasons: Iterable[str]) -> list[str]:
    """One line per other authority the subject is licensed by, saying so once.

    >>> cross_border([{"authority": "Orsdale", "cross_border": True}],
    ...              ["licensed by Orsdale but its vehicle was sighted 4 times in Velmouth"])
    ['licensed by Orsdale but its vehicle was sighted 4 times in Velmouth']
    >>> cross_border([{"authority": "Orsdale", "cross_border": True}], [])
    ['licensed by Orsdale']
    """
    said = [r for r in reasons if r.startswith("licensed by")]
    lines = list(said)
    for authority in dict.fromkeys(str(lc["authority"]) for lc in licences if lc.get("cross_border")):
        if not any(r.startswith(f"licensed by {authority}") for r in said):
            lines.append(f"licensed by {authority}")
    return lines


def check_register(
    store: GraphStore,
    name: str,
    *,
    born: dt.date | None,
    children: Collection[str] = (),
    as_of: dt.date | None = None,
    limit: int = 25,
) -> list[dict[str, Any]]:
    """National register refusals, suspensions and revocations recorded against a person of this name.

    With ``born``, people recorded with another date of birth are left out (those with none recorded
    are kept: the officer decides). The register's reasons are not shown; the deciding authority
    holds them.
    """
    rows = []
    for person in find_entities(store, name, kinds={"Person"}, limit=limit * 2):
        if _protected(person, children, as_of):
            continue
        recorded = _born_on(person)
        if born is not None and recorded is not None and recorded != born:
            continue
        for decision in _linked(store, person.id, {"DECISION_ON"}):
            p = decision.properties
            if decision.kind != "LicensingDecision" or p.get("decision") not in REGISTER_DECISIONS:
                continue
            rows.append(
                {
                    "entity_id": person.id,
                    "name": person.label,
                    "date of birth": recorded.isoformat() if recorded else "not recorded",
                    "decision": REGISTER_DECISIONS_SAID.get(str(p.get("decision")), p.get("decision")),
                    "by authority": p.get("authority"),
                    "decided on": p.get("decided_on"),
                    "register reference": p.get("reference"),
                }
            )
    return rows[:limit]
