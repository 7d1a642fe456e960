"""What a licensing officer sees of a driver, vehicle, operator or premises.

Built from the analysis's flag rows, whose reasons already name no child and quote no intelligence
text. Here record references are replaced by the agencies that hold them, so an officer knows on
whose information a flag rests and whom to ask, without seeing the records themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from app.policy import LICENSING_SUBJECT_KINDS, source_agency
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


def find_subjects(
    store: GraphStore, subjects: Mapping[str, Mapping[str, Any]], text: str, *, limit: int = 25
) -> list[dict[str, Any]]:
    """Licensing subjects matching ``text``; a licence found by its number leads to what it licenses.

    Only entities with a flag row (licensed drivers, vehicles, operators, premises) are returned, so
    a search for anyone else, a child above all, finds nothing.
    """
    found: dict[str, Mapping[str, Any]] = {}
    for hit in store.search(text, kinds=LICENSING_SUBJECT_KINDS, limit=limit * 4):
        if hit.id in subjects:
            found.setdefault(hit.id, subjects[hit.id])
        elif hit.kind == "Licence":
            around = store.neighbourhood(hit.id, hops=1, max_nodes=50)
            for e in around.entities:
                if e.id in subjects:
                    found.setdefault(e.id, subjects[e.id])
        if len(found) >= limit:
            break
    return [
        {
            "entity_id": subject_id,
            "type": row.get("subject_type"),
            "label": row.get("label"),
            "level": row.get("level"),
            "status": row.get("status"),
        }
        for subject_id, row in list(found.items())[:limit]
    ]


def agencies(sources: list[str]) -> str:
    """The agencies behind source records, counted.

    >>> agencies(["police_intelligence:IR-1", "police_missing:MP-2", "care_children:C-3"])
    "police (2), children's social care (1)"
    """
    counts = Counter(source_agency(s) for s in sources if ":" in s)
    return ", ".join(f"{agency} ({n})" for agency, n in counts.most_common())


def check(store: GraphStore, flag: Mapping[str, Any], *, home: str | None) -> dict[str, Any]:
    """The licensing view of one flagged subject."""
    reasons = [
        {
            "level": r["level"],
            "reason": r["reason"],
            "grading": ", ".join(r.get("grading") or []),
            "on whose information": agencies(list(r.get("sources") or [])),
        }
        for r in flag.get("reasons", [])
    ]
    around = store.neighbourhood(flag["entity_id"], hops=1, kinds={"Licence"}, max_nodes=50)
    licences = [
        {"entity_id": e.id, **{k: e.properties.get(k) for k in LICENCE_FIELDS}}
        for e in around.entities
        if e.kind == "Licence"
    ]
    if flag.get("subject_kind") == "Licence":
        held = store.get_entity(flag["entity_id"])
        if held is not None:
            licences.insert(0, {"entity_id": held.id, **{k: held.properties.get(k) for k in LICENCE_FIELDS}})
    for licence in licences:
        licence["cross_border"] = bool(home and licence.get("authority") and licence["authority"] != home)
    return {
        "entity_id": flag["entity_id"],
        "label": flag.get("label"),
        "type": flag.get("subject_type"),
        "level": flag.get("level"),
        "status": flag.get("status"),
        "reasons": reasons,
        "licences": licences,
        "register": [r["reason"] for r in reasons if r["reason"].startswith(REGISTER_PREFIX)],
        "cross_border": [l["authority"] for l in licences if l["cross_border"]]  # noqa: E741
        + [r["reason"] for r in reasons if r["reason"].startswith("licensed by")],
        "home_authority": home,
    }
