"""What every part of the gateway shares: the viewer, the policy check and audit entry every read goes
through, the latest analysis tables, and the helpers that shape what leaves the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from analytics.projections import ACTOR_KINDS, EVENT_KINDS, event_date, label_of
from app import licensing, result_cache
from app.policy import Capability, require, visible_properties
from common.audit import AuditLog
from common.roles import Role
from graph.records import Entity
from graph.result_rows import ChildIndicatorRow, ResultRow, SummaryRow
from graph.store import GraphStore

R = TypeVar("R", bound=ResultRow)


class LedgerView(Protocol):
    """What the administrator pages read from the ingest ledger."""

    def runs(self) -> list[tuple[str, str, dict[str, object]]]: ...

    def rejects(self) -> list[tuple[str, str, str, int, str, str]]: ...

    def close(self) -> None: ...


class NotFound(LookupError):
    """The record asked for is not held, or not one this page shows."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking, in what role, and why (the purpose given once per session)."""

    name: str
    role: Role
    purpose: str


class GatewayBase:
    """The store, the audit log and the viewer; the two steps every read goes through."""

    def __init__(self, store: GraphStore, audit: AuditLog, viewer: Viewer) -> None:
        if not viewer.purpose.strip():
            raise ValueError("a purpose is needed before any data is shown")
        self._store = store  # private: pages read data only through the gateway's methods
        self.audit = audit
        self.viewer = viewer
        self._tables: dict[type[ResultRow], Sequence[ResultRow]] = {}

    # -- the two steps every read goes through

    def _allow(self, capability: Capability, action: str) -> None:
        try:
            require(self.viewer.role, capability)
        except PermissionError:
            self._log(action, (), "refused", detail=capability)
            raise

    def _log(self, action: str, records: Collection[str], outcome: Any = None, detail: str = "") -> None:
        self.audit.record(
            user=self.viewer.name,
            role=self.viewer.role,
            action=action,
            records=records,
            purpose=self.viewer.purpose,
            outcome=outcome or ("shown" if records else "empty"),
            detail=detail,
        )

    def results(self, row_type: type[R]) -> Sequence[R]:
        """The latest analysis table of ``row_type``, the same for this gateway's life. Internal: shaped
        before showing.

        The rows are the process's shared, decoded copy (``app.result_cache``): read them, never edit them.
        """
        if row_type not in self._tables:
            self._tables[row_type] = result_cache.rows(self._store, row_type)
        return cast(Sequence[R], self._tables[row_type])  # each type is the key of its own rows

    def analysis_run(self) -> SummaryRow | None:
        """The latest analysis summary (no personal data: counts and dates)."""
        rows = self.results(SummaryRow)
        return rows[0] if rows else None

    # -- what pages offer to choose from (the schema's names: no data, nothing to audit)

    def entity_kinds(self) -> list[str]:
        """The kinds of entity the store holds, by name (to narrow a search by)."""
        return sorted(self._store.schema.entities)

    def link_kinds(self) -> list[str]:
        """The kinds of link the schema defines, by name (to filter a network by)."""
        return sorted(self._store.schema.links)

    def note_export(self, what: str, records: Collection[str]) -> None:
        """Record that the viewer downloaded ``what``: an export is a view that leaves the app."""
        self._log(f"export {what}", records, "exported")

    # -- shared helpers

    def _children(self) -> set[str]:
        return {str(r.entity_id) for r in self.results(ChildIndicatorRow)}

    def _as_of(self) -> dt.date | None:
        return as_of_date(self.analysis_run())

    def _with_events(self, people: Sequence[str]) -> list[str]:
        ids = set(people)
        for person in people:
            sub = self._store.neighbourhood(person, hops=1, kinds=EVENT_KINDS, max_nodes=300)
            ids.update(e.id for e in sub.entities)
        return sorted(ids)

    def _ages(self, entities: Sequence[Entity], as_of: dt.date) -> dict[str, str]:
        """The age band of each person or organisation drawn, as far as the viewer's role may see it."""
        schema = self._store.schema
        return {
            e.id: telling_apart(visible_properties(self.viewer.role, e.kind, e.properties, schema), as_of)["age"]
            for e in entities
            if e.kind in ACTOR_KINDS
        }


_AGE_BANDS = (
    (10, "under 10"),
    (18, "10-17"),
    (25, "18-24"),
    (35, "25-34"),
    (45, "35-44"),
    (55, "45-54"),
    (65, "55-64"),
)


def telling_apart(props: Mapping[str, Any], as_of: dt.date) -> dict[str, str]:
    """Date of birth, age band, address and source reference of a hit, from the properties the viewer
    may see. With no date of birth, an age a source gave (an import's ``age``, kept as ``extra_age``)
    gives the band: two people of one name in an imported graph were otherwise told apart by nothing."""
    born = props.get("date_of_birth")
    band = ""
    if isinstance(born, str):
        try:
            band = age_band(licensing.age_on(dt.date.fromisoformat(born), as_of))
        except ValueError:
            band = ""
    stated = props.get("extra_age")
    if not band and (isinstance(stated, int | float) or (isinstance(stated, str) and stated.strip().isdigit())):
        band = age_band(int(stated))
    address = ", ".join(str(props[k]) for k in ("address", "postcode") if props.get(k))
    reference = props.get("ref")
    return {
        "born": born if isinstance(born, str) else "",
        "age": band,
        "address": address,
        "reference": str(reference) if reference else "",
    }


def is_child(entity: Entity, children: Collection[str], today: dt.date) -> bool:
    """Whether the analysis lists ``entity`` as a child, or its date of birth makes it under 18 today."""
    if entity.id in children:
        return True
    born = entity.properties.get("date_of_birth") if entity.kind == "Person" else None
    try:
        return isinstance(born, str) and licensing.age_on(dt.date.fromisoformat(born), today) < 18
    except ValueError:
        return False


def age_band(age: int) -> str:
    """The age band of an age in whole years.

    >>> age_band(15)
    '10-17'
    """
    return next((name for upper, name in _AGE_BANDS if age < upper), "65 and over")


def as_of_date(summary: SummaryRow | None) -> dt.date | None:
    """The analysis date of a summary (None with no analysis, or one with no dated events)."""
    value = summary.as_of if summary else None
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def timeline(G: Any, people: Sequence[str]) -> list[dict[str, Any]]:
    """Events linked to any of ``people``, oldest first, with who took part in what role."""
    rows = []
    wanted = set(people)
    for node, data in G.nodes(data=True):
        if data.get("kind") not in EVENT_KINDS:
            continue
        # each person and role once: two records' links to one event are one part in it
        involved = list(
            dict.fromkeys(
                (p, str(d.get("role") or d.get("kind", "")).lower())
                for p, _, d in G.in_edges(node, data=True)
                if p in wanted
            )
        )
        if not involved:
            continue
        rows.append(
            {
                "date": (event_date(G, node) or "")[:16],
                "entity_id": node,
                "kind": data["kind"],
                "label": label_of(G, node),
                "who": "; ".join(f"{label_of(G, p)} ({role})" for p, role in involved),
            }
        )
    rows.sort(key=lambda r: (r["date"] or "9999", r["entity_id"]))
    return rows
