"""The analyst's reads of people and records: search, an entity's profile, and the paths between two."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from analytics.projections import EVENT_KINDS
from analytics.roles import person_roles
from app import result_cache
from app.gateway.base import GatewayBase, NotFound, as_of_date, telling_apart, timeline
from app.labels import source_text
from app.policy import visible_properties
from graph.records import Entity
from graph.result_rows import ChildIndicatorRow, DisruptionOptionRow, FlagRow, GroupRow, KeyPlayerRow
from graph.search import find_entities

# A phone or vehicle found by search brings the people who use it (what the analyst was after).
_USED_BY: Mapping[str, str] = {"Phone": "USES_PHONE", "Vehicle": "USES_VEHICLE"}


@dataclass(frozen=True, slots=True)
class Profile:
    """An entity, what the viewer may see of it, and what the latest analysis says about it."""

    entity: Entity
    properties: dict[str, Any]
    sources: list[dict[str, Any]]
    roles: list[str]
    timeline: list[dict[str, Any]]
    linked: list[dict[str, Any]]
    key_players: list[KeyPlayerRow] = field(default_factory=list)
    flags: list[FlagRow] = field(default_factory=list)
    child_indicators: list[ChildIndicatorRow] = field(default_factory=list)
    disruption_options: list[DisruptionOptionRow] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)  # the groups the entity is a member of


class PeopleReads(GatewayBase):
    """Search, profiles and paths."""

    def search(self, text: str, *, kinds: Collection[str] | None = None, limit: int = 25) -> list[dict[str, Any]]:
        """Entities matching what was typed: a name in any order, a reference, VRM, phone, postcode or address.

        Each row says what tells the hit apart (date of birth and age band, address) as far as the
        viewer's role may see it; a phone or vehicle found brings the people who use it.
        """
        self._allow("search_entities", "search")
        hits = find_entities(self._store, text, kinds=kinds, limit=limit) if text.strip() else []
        found = {e.id: "" for e in hits}
        entities = list(hits)
        if kinds is None or "Person" in kinds:
            for e in [h for h in hits if h.kind in _USED_BY][:5]:
                sub = self._store.neighbourhood(e.id, hops=1, link_kinds={_USED_BY[e.kind]}, max_nodes=11)
                for user in sub.entities:
                    if user.kind == "Person" and user.id not in found:
                        found[user.id] = f"uses {e.label}"
                        entities.append(user)
        as_of = self._as_of() or dt.date.today()
        schema = self._store.schema
        rows = [
            {
                "entity_id": e.id,
                "kind": e.kind,
                "label": e.label,
                **telling_apart(visible_properties(self.viewer.role, e.kind, e.properties, schema), as_of),
                "found by": found[e.id],
                "sources": len(e.provenance),
            }
            for e in entities
        ]
        self._log("search", [e.id for e in entities], detail=self.audit.searched(text))  # the text is withheld
        return rows

    def profile(self, entity_id: str) -> Profile:
        """An entity with its sources and grading, roles, events in date order and what it links to."""
        self._allow("view_profile", "profile")
        entity = self._store.get_entity(entity_id)
        if entity is None:
            self._log("profile", (), detail=f"not held: {entity_id}")
            raise NotFound(f"no record {entity_id!r}: it may have been erased or merged away")
        sub = self._store.neighbourhood(entity.id, hops=1, max_nodes=400)
        G = self._store.to_networkx(entity_ids=[e.id for e in sub.entities], provenance=True)
        as_of = as_of_date(self.analysis_run())
        roles = sorted(person_roles(G, as_of=as_of).get(entity.id, frozenset())) if entity.kind == "Person" else []
        events = timeline(G, [entity.id])
        linked = [
            {"entity_id": e.id, "kind": e.kind, "label": e.label}
            for e in sub.entities
            if e.id != entity.id and e.kind not in EVENT_KINDS
        ]
        sources = [
            {
                "source": source_text(p.source),
                "record": p.record_id,
                "grading": p.grading or "",
                "loaded_at": p.loaded_at,
            }
            for p in entity.provenance
        ]
        props = visible_properties(self.viewer.role, entity.kind, entity.properties, self._store.schema)
        shown = [entity.id, *(str(t["entity_id"]) for t in events), *(str(x["entity_id"]) for x in linked)]
        self._log("profile", shown, detail=entity.kind)
        return Profile(
            entity,
            props,
            sources,
            roles,
            events,
            linked,
            key_players=list(result_cache.rows_of(self._store, KeyPlayerRow, entity.id)),
            flags=list(result_cache.rows_of(self._store, FlagRow, entity.id)),
            child_indicators=list(result_cache.rows_of(self._store, ChildIndicatorRow, entity.id)),
            disruption_options=list(result_cache.rows_of(self._store, DisruptionOptionRow, entity.id)),
            # the groups the entity is a member of, so the profile can open them
            groups=[g for g in self.results(GroupRow) if entity.id in {m.entity_id for m in g.members}],
        )

    def paths(self, first: str, second: str, *, max_hops: int = 4, max_paths: int = 10) -> list[list[dict[str, Any]]]:
        """The shortest connecting paths between two entities, each a list of steps (entity and the link before it)."""
        self._allow("view_network", "paths")
        found = self._store.shortest_paths(first, second, max_hops=max_hops, max_paths=max_paths)
        entities = {e.id: e for e in self._store.get_entities({i for p in found for i in p.entities})}
        links = {lk.id: lk for lk in self._store.get_links({i for p in found for i in p.links})}
        shaped = []
        for path in found:
            steps = []
            for i, node in enumerate(path.entities):
                e = entities.get(node)
                via = links.get(path.links[i - 1]) if i else None
                steps.append(
                    {
                        "entity_id": node,
                        "kind": e.kind if e else "?",
                        "label": e.label if e else node,
                        "via": via.kind if via else "",
                        "via_role": str(via.properties.get("role") or via.properties.get("nature") or "")
                        if via
                        else "",
                        "via_forward": via.target == node if via else None,
                        "via_sources": sorted({source_text(p.source) for p in via.provenance}) if via else [],
                    }
                )
            shaped.append(steps)
        self._log("paths", list(entities), detail=f"{first} to {second}")
        return shaped
