"""The state of entities and links while the Neo4j store merges a batch into them, and how that
state becomes node and relationship properties. Plain Python: no driver, no server.

The store reads what the database holds for a batch's ids, merges the batch in by the rules of
:mod:`graph.merge` (as the embedded store does), and writes the result back in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.records import Provenance
from graph.store_core import to_json

SEP = "\x1f"  # joins the parts of a lookup key; cannot occur inside ids or source names
LINE = "\n"  # separates search terms; fold_text never leaves one inside a term
# property names the store uses itself; an entity's own property of that name stays in _props only
RESERVED = frozenset({"id", "kind", "label", "first_seen", "last_seen", "merged_into", "orig_src", "orig_dst"})


def spreadable(value: Any) -> bool:
    """Whether Neo4j can hold the value as a property: a scalar or a list of one scalar type."""
    if isinstance(value, bool | str | float):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, list):
        return len({type(v) for v in value}) <= 1 and all(spreadable(v) and not isinstance(v, list) for v in value)
    return False


def spread(properties: Mapping[str, Any]) -> dict[str, Any]:
    """The properties people read in Neo4j Browser; names the store uses itself are left to ``_props``."""
    return {k: v for k, v in properties.items() if k not in RESERVED and not k.startswith("_") and spreadable(v)}


def provenance_key(owner: str, p: Provenance) -> str:
    return SEP.join((owner, p.source, p.record_id))


def source_row(owner: str, p: Provenance) -> dict[str, Any]:
    row = {
        "key": provenance_key(owner, p),
        "record": p.source + SEP + p.record_id,
        "owner": owner,
        "source": p.source,
        "record_id": p.record_id,
        "loaded_at": p.loaded_at,
        "run_id": p.run_id,
        "grading": p.grading,
    }
    return {k: v for k, v in row.items() if v is not None}


@dataclass
class NodeState:
    """An entity record's state while a batch merges into it."""

    id: str
    kind: str
    label: str
    props: dict[str, Any]
    first_seen: str | None
    last_seen: str | None
    terms: list[str]
    merged_into: str | None = None
    stored: bool = False

    def node_properties(self) -> dict[str, Any]:
        base = {
            **spread(self.props),
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "_props": to_json(self.props),
            "_search": LINE.join(self.terms),
        }
        return {k: v for k, v in base.items() if v is not None}


@dataclass
class RelState:
    """A link's state while a batch merges into it."""

    id: str
    kind: str
    orig_src: str
    orig_dst: str
    props: dict[str, Any]
    first_seen: str | None
    last_seen: str | None
    stored: bool = False
    ends: tuple[str, str] = ("", "")

    def rel_properties(self) -> dict[str, Any]:
        base = {
            **spread(self.props),
            "id": self.id,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "orig_src": self.orig_src,
            "orig_dst": self.orig_dst,
            "_props": to_json(self.props),
        }
        return {k: v for k, v in base.items() if v is not None}
