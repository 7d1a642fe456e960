"""The gateway: the only way the app reads data. Checks the policy, writes the audit, shapes the output.

Every public method first asks :mod:`app.policy` whether the viewer's role may do it (a refusal
is audited and raised), then reads the store, shapes what leaves it for the role, writes the
audit entry, and only then returns. If the audit cannot be written, nothing is returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from analytics.projections import ACTOR_KINDS, EVENT_KINDS, event_date, label_of
from analytics.roles import person_roles
from analytics.safeguarding import (
    CONTEXT_HOPS,
    FOUND_HOPS,
    FOUND_KINDS,
    FOUND_LINKS,
    child_safeguarding,
    context_link_kinds,
)
from app import licensing, result_cache, strategic
from app.accounts import Accounts, User
from app.audit import AuditLog
from app.labels import source_text
from app.network_facts import NetworkView, describe_nodes
from app.policy import AUDIT_SUBJECT_FIELDS, Capability, require, visible_properties
from graph.facts import merge_links
from graph.records import Entity, Subgraph
from graph.search import find_entities
from graph.store import GraphStore

MAX_NETWORK_NODES = 150
_EXPAND_LIMIT = 2000  # read a node's whole neighbourhood to expand it; the chart's cap decides what is drawn
AUDIT_NAMES_PER_ENTRY = 10  # record names shown per audit entry (the ids column keeps 20)
_CHILD_CONTEXT = 3000  # entities read around a child, each walk (seed-1 100k world: at most 353 for 60 children)


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
    role: str
    purpose: str


@dataclass(frozen=True, slots=True)
class Profile:
    entity: Entity
    properties: dict[str, Any]
    sources: list[dict[str, Any]]
    roles: list[str]
    timeline: list[dict[str, Any]]
    linked: list[dict[str, Any]]
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class Gateway:
    """Data access for one viewer. Cheap to make; make one per page run."""

    def __init__(self, store: GraphStore, audit: AuditLog, viewer: Viewer) -> None:
        if not viewer.purpose.strip():
            raise ValueError("a purpose is needed before any data is shown")
        self.store = store
        self.audit = audit
        self.viewer = viewer
        self._tables: dict[str, Sequence[Mapping[str, Any]]] = {}

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

    def results(self, name: str) -> Sequence[Mapping[str, Any]]:
        """The latest analysis table, the same for this gateway's life. Internal: shaped before showing.

        The rows are the process's shared, decoded copy (``app.result_cache``): read them, never edit them.
        """
        if name not in self._tables:
            self._tables[name] = result_cache.rows(self.store, name)
        return self._tables[name]

    def analysis_run(self) -> dict[str, Any] | None:
        """The latest analysis summary (no personal data: counts and dates)."""
        rows = self.results("summary")
        return dict(rows[0]) if rows else None

    # -- analyst

    def search(self, text: str, *, kinds: Collection[str] | None = None, limit: int = 25) -> list[dict[str, Any]]:
        """Entities matching what was typed: a name in any order, a reference, VRM, phone, postcode or address.

        Each row says what tells the hit apart (date of birth and age band, address) as far as the
        viewer's role may see it; a phone or vehicle found brings the people who use it.
        """
        self._allow("search_entities", "search")
        hits = find_entities(self.store, text, kinds=kinds, limit=limit) if text.strip() else []
        found = {e.id: "" for e in hits}
        entities = list(hits)
        if kinds is None or "Person" in kinds:
            for e in [h for h in hits if h.kind in _USED_BY][:5]:
                sub = self.store.neighbourhood(e.id, hops=1, link_kinds={_USED_BY[e.kind]}, max_nodes=11)
                for user in sub.entities:
                    if user.kind == "Person" and user.id not in found:
                        found[user.id] = f"uses {e.label}"
                        entities.append(user)
        as_of = _as_of(self.analysis_run()) or dt.date.today()
        rows = [
            {
                "entity_id": e.id,
                "kind": e.kind,
                "label": e.label,
                **_telling_apart(visible_properties(self.viewer.role, e.kind, e.properties, self.store.schema), as_of),
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
        entity = self.store.get_entity(entity_id)
        if entity is None:
            self._log("profile", (), detail=f"not held: {entity_id}")
            raise NotFound(f"no record {entity_id!r}: it may have been erased or merged away")
        sub = self.store.neighbourhood(entity.id, hops=1, max_nodes=400)
        G = self.store.to_networkx(entity_ids=[e.id for e in sub.entities], provenance=True)
        as_of = _as_of(self.analysis_run())
        roles = sorted(person_roles(G, as_of=as_of).get(entity.id, frozenset())) if entity.kind == "Person" else []
        timeline = _timeline(G, [entity.id])
        linked = [
            {"entity_id": e.id, "kind": e.kind, "label": e.label}
            for e in sub.entities
            if e.id != entity.id and e.kind not in EVENT_KINDS
        ]
        results = {
            name: [dict(r) for r in result_cache.rows_of(self.store, name, entity.id)]
            for name in ("key_players", "flags", "child_indicators", "disruption_options")
        }
        results["groups"] = [  # the groups the entity is a member of, so the profile can open them
            {"group_id": g["group_id"], "label": g.get("label") or g["group_id"]}
            for g in self.results("groups")
            if entity.id in {m.get("entity_id") for m in g.get("members", [])}
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
        props = visible_properties(self.viewer.role, entity.kind, entity.properties, self.store.schema)
        shown = [entity.id, *(str(t["entity_id"]) for t in timeline), *(str(x["entity_id"]) for x in linked)]
        self._log("profile", shown, detail=entity.kind)
        return Profile(entity, props, sources, roles, timeline, linked, {k: v for k, v in results.items() if v})

    def network(
        self,
        entity_id: str,
        *,
        hops: int = 1,
        max_nodes: int = MAX_NETWORK_NODES,
        link_kinds: Collection[str] | None = None,
        expand: Sequence[str] = (),
    ) -> NetworkView:
        """The neighbourhood of an entity, plus the neighbours of each node in ``expand``, at most
        ``max_nodes`` in all (``truncated`` and ``notes`` say what the cap left out), with what the
        analysis found about each node (role, flag level, age band, last seen).

        ``link_kinds`` may also name relationship types an import kept on a link (its ``type``, or a
        type of its ``extra_types``, such as ``KNOWS_SN``): such a link is drawn when its kind or one
        of its types is chosen."""
        self._allow("view_network", "network")
        chosen_types = set(link_kinds or ()) - set(self.store.schema.links)
        kinds = None if not link_kinds else {*link_kinds} - chosen_types
        if kinds is not None and chosen_types:
            kinds |= {"RELATED_TO", "ASSOCIATE_OF"}  # the kinds an imported relationship type is kept on

        def chosen(link: Any) -> bool:
            if not link_kinds or link.kind in link_kinds:
                return True
            held = link.properties.get("extra_types")
            types = {*(held if isinstance(held, list) else [held]), link.properties.get("type")}
            return bool(chosen_types & {str(t) for t in types if t})

        sub = self.store.neighbourhood(entity_id, hops=hops, max_nodes=max_nodes, link_kinds=kinds)
        if not sub.entities:
            self._log("network", (), detail=f"not held: {entity_id}")
            return NetworkView(entity_id, sub, {})
        order = [e.id for e in sub.entities]
        kept, expanded = set(order), []
        notes, cut = ([sub.note] if sub.note else []), sub.truncated
        for node in expand:
            if node not in kept or node in expanded:
                continue  # only a drawn node can be expanded (a smaller cap or a filter may have dropped it)
            expanded.append(node)
            around = self.store.neighbourhood(node, hops=1, max_nodes=_EXPAND_LIMIT, link_kinds=kinds)
            new = [e.id for e in around.entities if e.id not in kept]
            room = max(max_nodes - len(order), 0)
            if len(new) > room or around.truncated:
                cut = True
                notes.append(f"{len(new) - min(room, len(new))} neighbours of an expanded node not drawn")
            order.extend(new[:room])
            kept.update(new[:room])
        entities = self.store.get_entities(order)
        people = [e.id for e in entities if e.kind in ACTOR_KINDS]
        # The drawn entities and their people's events: roles and last seen are read from the events.
        G = self.store.to_networkx(entity_ids=sorted(set(self._with_events(people)) | kept))
        link_ids = {k for u, v, k, d in G.edges(keys=True, data=True) if u in kept and v in kept}
        links = [lk for lk in self.store.get_links(sorted(link_ids)) if chosen(lk)]
        if chosen_types:  # reached over a link of another type only: not part of the chosen network
            ends = {entity_id} | {lk.source for lk in links} | {lk.target for lk in links}
            entities = [e for e in entities if e.id in ends]
        drawn = Subgraph(tuple(entities), tuple(merge_links(self.store.schema, links)), cut, "; ".join(notes))
        as_of = _as_of(self.analysis_run()) or dt.date.today()
        schema = self.store.schema
        ages = {
            e.id: _telling_apart(visible_properties(self.viewer.role, e.kind, e.properties, schema), as_of)["age"]
            for e in entities
            if e.kind in ACTOR_KINDS
        }
        tables = {name: self.results(name) for name in ("groups", "key_players", "flags", "child_indicators")}
        facts = describe_nodes(G, drawn, roles=person_roles(G, as_of=as_of), tables=tables, ages=ages)
        self._log(
            "network",
            order,
            detail=f"around {entity_id}, {hops} hop(s)" + (f", expanded {len(expanded)}" if expanded else ""),
        )
        return NetworkView(entity_id, drawn, facts, tuple(expanded), tuple(notes))

    def paths(self, first: str, second: str, *, max_hops: int = 4, max_paths: int = 10) -> list[list[dict[str, Any]]]:
        """The shortest connecting paths between two entities, each a list of steps (entity and the link before it)."""
        self._allow("view_network", "paths")
        found = self.store.shortest_paths(first, second, max_hops=max_hops, max_paths=max_paths)
        entities = {e.id: e for e in self.store.get_entities({i for p in found for i in p.entities})}
        links = {lk.id: lk for lk in self.store.get_links({i for p in found for i in p.links})}
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

    def groups(self) -> list[dict[str, Any]]:
        """The groups the analysis found, one summary row each."""
        self._allow("view_groups", "groups")
        rows = [
            {
                "group_id": g["group_id"],
                "label": g["label"],
                "size": g.get("size"),
                "children": len(g.get("children", [])),
                "events": g.get("events"),
                "first_activity": g.get("first_activity"),
                "last_activity": g.get("last_activity"),
                "density": g.get("density"),
            }
            for g in self.results("groups")
        ]
        self._log("groups", [g["entity_id"] for g in self.results("groups")])
        return rows

    def network_ranking(self, *, limit: int = 50) -> list[dict[str, Any]]:
        """The top ``limit`` people of the network-wide key-player ranking (the whole person network,
        comparable across groups), each with their rank, group, measures and reasons; children are
        never ranked. Only the rows returned are recorded as viewed."""
        self._allow("view_groups", "network ranking")
        rows = [dict(r) for r in self.results("network_ranking")[: max(limit, 0)]]
        self._log("network ranking", [str(r["entity_id"]) for r in rows], detail=f"top {limit}")
        return rows

    def group(self, group_id: str) -> dict[str, Any]:
        """A group's profile, key players, disruption options and timeline."""
        self._allow("view_groups", "group")
        found = [g for g in self.results("groups") if g["group_id"] == group_id]
        if not found:
            self._log("group", (), detail=f"no group {group_id}")
            raise NotFound(f"no group {group_id!r} in the latest analysis")
        profile = found[0]
        members = [m["entity_id"] for m in profile.get("members", [])]
        G = self.store.to_networkx(entity_ids=self._with_events(members), provenance=False)
        view = {
            "profile": profile,
            "key_players": [r for r in self.results("key_players") if r["group_id"] == group_id],
            "disruption_options": [r for r in self.results("disruption_options") if r["group_id"] == group_id],
            "timeline": _timeline(G, members),
        }
        self._log("group", [*members, *(m["entity_id"] for m in profile.get("children", []))], detail=group_id)
        return view

    def disruption_plan(self) -> dict[str, list[dict[str, Any]]]:
        """The analysis's disruption plan on the whole network: ``steps`` (ordered actions, each with
        what it achieves and how it compares with the baselines) and ``curves`` (the plan's and each
        baseline's figures after each number of actions). The plan's targets are recorded as viewed."""
        self._allow("view_groups", "disruption plan")
        steps = sorted((dict(r) for r in self.results("disruption_plan")), key=lambda r: int(r["step"]))
        curves = [dict(r) for r in self.results("disruption_curves")]
        self._log("disruption plan", [str(r["entity_id"]) for r in steps])
        return {"steps": steps, "curves": curves}

    def _with_events(self, people: Sequence[str]) -> list[str]:
        ids = set(people)
        for person in people:
            sub = self.store.neighbourhood(person, hops=1, kinds=EVENT_KINDS, max_nodes=300)
            ids.update(e.id for e in sub.entities)
        return sorted(ids)

    def child(self, entity_id: str) -> dict[str, Any]:
        """A child's contextual-safeguarding view: the analysis's indicators, distinct missing episodes with
        return-interview factors, suspects one and two steps away, peers, places of concern and a small network.

        Only a child the latest analysis lists has this view. The child's surroundings are read in
        two walks: five links deep through the person network's ties and events (a suspect two steps
        away, and the event that makes them one), and four through missing episodes and the places
        children were found; ``complete`` is False when the cap cut either short. One audit entry
        lists every entity shown.
        """
        self._allow("view_profile", "child")
        entity = self.store.get_entity(entity_id)
        row = next((r for r in self.results("child_indicators") if entity and r.get("entity_id") == entity.id), None)
        if entity is None or row is None:
            self._log("child", (), detail=f"not a child in the analysis: {entity_id}")
            raise NotFound(f"{entity_id!r} is not a child the latest analysis lists (or it has been erased)")
        summary = self.analysis_run() or {}
        as_of = _as_of(summary)
        walks = [
            self.store.neighbourhood(
                entity.id,
                hops=CONTEXT_HOPS,
                link_kinds=context_link_kinds(self.store.schema.links),
                max_nodes=_CHILD_CONTEXT,
            ),
            self.store.neighbourhood(
                entity.id, hops=FOUND_HOPS, kinds=FOUND_KINDS, link_kinds=FOUND_LINKS, max_nodes=_CHILD_CONTEXT
            ),
        ]
        around = {e.id: e for walk in walks for e in walk.entities}
        G = self.store.to_networkx(entity_ids=sorted(around))
        roles = person_roles(G, as_of=as_of)
        hot = {str(r["entity_id"]) for r in self.results("hotspots") if r.get("hotspot")}
        view = child_safeguarding(
            G, entity.id, roles=roles, hot_cells=hot, as_of=as_of, resolution=int(summary.get("h3_resolution") or 9)
        )
        drawn = {str(n): i for i, n in enumerate(view["network"])}
        entities = sorted((e for e in around.values() if e.id in drawn), key=lambda e: drawn[e.id])
        links = {lk.id: lk for walk in walks for lk in walk.links if lk.source in drawn and lk.target in drawn}
        sub = Subgraph(tuple(entities), tuple(merge_links(self.store.schema, list(links.values()))), False, "")
        ages = {
            e.id: _telling_apart(
                visible_properties(self.viewer.role, e.kind, e.properties, self.store.schema), as_of or dt.date.today()
            )["age"]
            for e in entities
            if e.kind in ACTOR_KINDS
        }
        tables = {name: self.results(name) for name in ("groups", "key_players", "flags", "child_indicators")}
        network = NetworkView(entity.id, sub, describe_nodes(G, sub, roles=roles, tables=tables, ages=ages))
        shown = [
            entity.id,
            *(r["entity_id"] for r in view["episodes"]),
            *(a for r in view["episodes"] for a in r["found_with_ids"]),
            *(r["entity_id"] for part in ("places", "suspects", "peers") for r in view[part]),
            *drawn,
        ]
        self._log("child", list(dict.fromkeys(str(i) for i in shown)), detail=f"contextual safeguarding {entity.id}")
        return {
            **view,
            "indicators": row,
            "age": ages.get(entity.id, ""),
            "as_of": as_of.isoformat() if as_of else None,
            "complete": not any(walk.truncated for walk in walks),
            "network": network,
        }

    # -- licensing

    def licensing_search(self, text: str, *, born: dt.date | None = None, limit: int = 25) -> list[dict[str, Any]]:
        """Licensed drivers, vehicles, operators and premises matching a licence number, VRM, name or
        address (``born`` narrows people found by name), one row each with holder, VRM, address, authority."""
        self._allow("check_licensing", "licensing search")
        subjects = {f["entity_id"]: f for f in self.results("flags")}
        rows = (
            licensing.find_subjects(
                self.store, subjects, text, born=born, children=self._children(), as_of=self._as_of(), limit=limit
            )
            if text.strip()
            else []
        )
        detail = f"{self.audit.searched(text)}; date of birth {'given' if born else 'not given'}"  # text withheld
        self._log("licensing search", [r["entity_id"] for r in rows], detail=detail)
        return rows

    def licensing_register(self, name: str, *, born: dt.date | None) -> list[dict[str, Any]]:
        """National register refusals, suspensions and revocations against an applicant's name and date of birth."""
        self._allow("check_licensing", "licensing register check")
        rows = (
            licensing.check_register(self.store, name, born=born, children=self._children(), as_of=self._as_of())
            if name.strip()
            else []
        )
        self._log(
            "licensing register check",
            [r["entity_id"] for r in rows],
            detail=f"{self.audit.searched(name, what='name')}; date of birth {'given' if born else 'not given'}",
        )
        return rows

    def licensing_set_aside(self, ledger: LedgerView) -> list[dict[str, Any]]:
        """Rows of the licensing exports the ingest set aside (file, line, column, reason; no content).

        A licence on a row set aside is not in the graph, so a check that finds nothing must say so.
        """
        self._allow("check_licensing", "licensing rows set aside")
        rows = [
            {"file": Path(f).name, "line": n, "column": c, "reason": why}
            for _run, source, f, n, c, why in ledger.rejects()
            if source.startswith("licensing_")
        ]
        self._log("licensing rows set aside", (), "shown", detail=f"{len(rows)} rows")
        return rows

    def _children(self) -> set[str]:
        return {str(r["entity_id"]) for r in self.results("child_indicators")}

    def _as_of(self) -> dt.date | None:
        return _as_of(self.analysis_run())

    def licensing_check(self, entity_id: str) -> dict[str, Any]:
        """Concern level, reasons, licences, register matches, cross-border working.

        The reasons name no child and quote no intelligence text (the analysis writes them so).
        """
        self._allow("check_licensing", "licensing check")
        subjects = {f["entity_id"]: f for f in self.results("flags")}
        if entity_id not in subjects:
            self._log("licensing check", (), detail=f"not a licensing subject: {entity_id}")
            raise NotFound("not a licensed driver, vehicle, operator or premises in the latest analysis")
        summary = self.analysis_run() or {}
        view = licensing.check(
            self.store,
            subjects[entity_id],
            home=summary.get("home_authority"),
            children=self._children(),
            as_of=self._as_of(),
        )
        self._log("licensing check", [entity_id, *(x["entity_id"] for x in view["licences"])])
        return view

    # -- strategic

    def hotspot_areas(
        self, period: str | None = None, *, boundaries: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Hexagon, ward and hotspot-area counts of one set of events (suppressed on people, rounded), the
        hotspot cells and each cell's local pattern in words, for a quarter or all time.

        With ``boundaries`` (the ward GeoJSON) wards are named and hexagons placed in their wards.
        """
        self._allow("view_hotspots", "hotspot map")
        view = strategic.hotspot_areas(
            self.results("hotspots"),
            self.results("hotspot_counts"),
            period,
            boundaries=boundaries,
            areas=self.results("hotspot_areas"),
        )
        self._log("hotspot map", (), "shown", detail=f"period={period or 'all'}; aggregates only")
        return view

    def hotspot_periods(self) -> list[str]:
        self._allow("view_hotspots", "hotspot periods")
        return sorted({r["period"] for r in self.results("hotspot_periods")})

    def dashboard(self) -> dict[str, list[dict[str, Any]]]:
        """Management information by measure, every count suppressed under 10 (or under 10 different
        children behind it) and rounded to 5."""
        self._allow("view_dashboard", "dashboard")
        view = strategic.dashboard(self.results("management_information"))
        self._log("dashboard", (), "shown", detail="aggregates only")
        return view

    # -- administration

    def audit_entries(
        self,
        *,
        user: str | None = None,
        records: Collection[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        purpose: str | None = None,
        searched: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Audit entries, newest first, narrowed by user, record, date range, purpose and the words a
        search was for (``searched``, matched by hash); with record names, except that a child is
        named only when the administrator asked for that record (they named it themselves)."""
        self._allow("view_audit", "audit log")
        entries = self.audit.entries(
            user=user, records=records, since=since, until=until, purpose=purpose, searched=searched, limit=limit
        )
        shown = {i for e in entries for i in e.records[:AUDIT_NAMES_PER_ENTRY]}
        children, today = self._children(), dt.date.today()
        names = {
            x.id: x.label if x.id in records or not _is_child(x, children, today) else f"a child ({x.id})"
            for x in (self.store.get_entities(shown) if shown else [])
        }
        asked = [f"{k}={v}" for k, v in (("user", user), ("since", since), ("until", until), ("purpose", purpose)) if v]
        asked += [f"record={r}" for r in sorted(records)]
        if searched and searched.strip():
            asked.append(self.audit.searched(searched, what="searched-for filter"))
        self._log("audit log", (), "shown", detail="; ".join([f"{len(entries)} entries", *asked]))
        return [
            {
                "at": e.at,
                "user": e.user,
                "role": e.role,
                "action": e.action,
                "record_names": "; ".join(names.get(i, i) for i in e.records[:AUDIT_NAMES_PER_ENTRY]),
                "records": e.record_count,
                "purpose": e.purpose,
                "outcome": e.outcome,
                "detail": e.detail,
                "record_ids": ", ".join(e.records[:20]),
            }
            for e in entries
        ]

    def audit_subjects(self, text: str, *, limit: int = 10) -> list[dict[str, Any]]:
        """Records whose name matches ``text``, as id, kind and name only, for filtering the audit log.

        The administrator's one way to name a record ("who viewed this child?"): it shows no
        properties, links or analysis, and the look-up is itself audited.
        """
        self._allow("find_audit_subject", "audit subject search")
        # as the search page finds people: names in either order, VRMs, phones and references as typed
        hits = find_entities(self.store, text, limit=limit) if text.strip() else []
        rows = [
            {field: value for field, value in zip(AUDIT_SUBJECT_FIELDS, (e.id, e.kind, e.label), strict=True)}
            for e in hits
        ]
        self._log("audit subject search", [e.id for e in hits], detail=self.audit.searched(text))
        return rows

    def audit_users(self) -> list[str]:
        """The user names the audit log holds entries for (to pick one to filter by)."""
        self._allow("view_audit", "audit log users")
        return self.audit.users()

    def users(self, accounts: Accounts) -> list[User]:
        """The app's users and their roles."""
        self._allow("manage_users", "users")
        users = accounts.list()
        self._log("users", (), "shown", detail=f"{len(users)} users")
        return users

    def erasures(self) -> list[dict[str, Any]]:
        """The erasure records, newest first: when, what kind, how much, why, and any lift."""
        self._allow("view_erasures", "erasures")
        records = sorted(self.store.erasures(), key=lambda r: (r.erased_at, r.erasure_id), reverse=True)
        self._log("erasures", (), "shown", detail=f"{len(records)} erasures")
        return [
            {
                "erasure_id": r.erasure_id,
                "erased_at": r.erased_at,
                "kind": r.kind,
                "links_removed": r.links_removed,
                "sources_removed": r.sources_removed,
                "results_removed": r.results_removed,
                "reason": r.reason,
                "reference": r.reference,
                "lifted_at": r.lifted_at or "",
                "lift_reason": r.lift_reason or "",
                "lift_reference": r.lift_reference or "",
            }
            for r in records
        ]

    def ingest_runs(self, ledger: LedgerView) -> list[dict[str, Any]]:
        """Ingest runs, newest first, with rows read, loaded and rejected per run."""
        self._allow("view_ingest", "ingest runs")
        rows = []
        for run_id, started, summary in ledger.runs():
            rows.append(
                {
                    "run_id": run_id,
                    "started_at": started,
                    **{k: summary.get(k) for k in ("rows_read", "rows_loaded", "rows_rejected", "seconds")},
                    "files": len(summary.get("files") or []),  # type: ignore[arg-type]
                }
            )
        self._log("ingest runs", (), "shown", detail=f"{len(rows)} runs")
        return rows

    def rejected_rows(self, ledger: LedgerView) -> list[dict[str, Any]]:
        """Every row set aside at ingest, with its file, row number, column and reason."""
        self._allow("view_ingest", "rejected rows")
        rows = [
            {"run_id": r, "source": s, "file": f, "row": n, "column": c, "reason": why}
            for r, s, f, n, c, why in ledger.rejects()
        ]
        self._log("rejected rows", (), "shown", detail=f"{len(rows)} rows")
        return rows

    def note_export(self, what: str, records: Collection[str]) -> None:
        """Record that the viewer downloaded ``what``: an export is a view that leaves the app."""
        self._log(f"export {what}", records, "exported")


# A phone or vehicle found by search brings the people who use it (what the analyst was after).
_USED_BY: Mapping[str, str] = {"Phone": "USES_PHONE", "Vehicle": "USES_VEHICLE"}
_AGE_BANDS = (
    (10, "under 10"),
    (18, "10-17"),
    (25, "18-24"),
    (35, "25-34"),
    (45, "35-44"),
    (55, "45-54"),
    (65, "55-64"),
)


def _telling_apart(props: Mapping[str, Any], as_of: dt.date) -> dict[str, str]:
    """Date of birth, age band and address of a hit, from the properties the viewer may see."""
    born = props.get("date_of_birth")
    band = ""
    if isinstance(born, str):
        try:
            band = _age_band(licensing.age_on(dt.date.fromisoformat(born), as_of))
        except ValueError:
            band = ""
    address = ", ".join(str(props[k]) for k in ("address", "postcode") if props.get(k))
    return {"born": born if isinstance(born, str) else "", "age": band, "address": address}


def _is_child(entity: Entity, children: Collection[str], today: dt.date) -> bool:
    """Whether the analysis lists ``entity`` as a child, or its date of birth makes it under 18 today."""
    if entity.id in children:
        return True
    born = entity.properties.get("date_of_birth") if entity.kind == "Person" else None
    try:
        return isinstance(born, str) and licensing.age_on(dt.date.fromisoformat(born), today) < 18
    except ValueError:
        return False


def _age_band(age: int) -> str:
    """The age band of an age in whole years.

    >>> _age_band(15)
    '10-17'
    """
    return next((name for upper, name in _AGE_BANDS if age < upper), "65 and over")


def _as_of(summary: Mapping[str, Any] | None) -> dt.date | None:
    value = (summary or {}).get("as_of")
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _timeline(G: Any, people: Sequence[str]) -> list[dict[str, Any]]:
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
