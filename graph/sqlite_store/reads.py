"""Reading entities and links from the embedded store: by id, by source, by search, and counts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from graph.facts import facts_asked, fill_properties, links_beyond_facts
from graph.merge import load_order
from graph.records import Counts, Entity, Link, Provenance
from graph.sqlite_store.base import _chunks, _json, _json_list
from graph.sqlite_store.lifecycle import _Lifecycle
from graph.sqlite_store.queries import _BESIDE_MOVED, _PARALLEL_LINKS, _SEARCH_FTS, _SEARCH_SCAN, _SOURCES_OF


class _Reads(_Lifecycle):
    """Entities and links by id, by source record and by search; counts."""

    def _provenance_of(self, owner_ids: Sequence[str]) -> dict[str, tuple[Provenance, ...]]:
        """The sources of these entities and links, each owner's in load order."""
        found: dict[str, list[Provenance]] = defaultdict(list)
        for chunk in _chunks(owner_ids):
            rows = self._db.execute(_SOURCES_OF, (_json(list(chunk)),))
            for owner, *rest in rows:
                found[owner].append(Provenance(*rest))
        return {k: load_order(v) for k, v in found.items()}

    def get_entities(self, entity_ids: Iterable[str]) -> list[Entity]:
        """Entities in the order asked, merged records answered by their canonical entity (once);
        ids not held are left out. Provenance includes that of the records merged in."""
        with self._lock:
            ids = list(dict.fromkeys(self.canonical_ids(entity_ids).values()))
            rows: dict[str, tuple[Any, ...]] = {}
            members: dict[str, str] = {}
            member_props: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for chunk in _chunks(ids):
                for row in self._db.execute(
                    "SELECT e.id, e.kind, e.label, e.props, e.first_seen, e.last_seen "
                    "FROM json_each(?) AS f JOIN entities AS e ON e.id = f.value",
                    (_json(list(chunk)),),
                ):
                    rows[row[0]] = row
                for member, canonical, props in self._db.execute(
                    "SELECT e.id, e.merged_into, e.props FROM json_each(?) AS f "
                    "JOIN entities AS e ON e.merged_into = f.value",
                    (_json(list(chunk)),),
                ):
                    members[member] = canonical
                    member_props[canonical].append((member, props))
            prov = self._provenance_of([*rows, *members])
        gathered: dict[str, list[Provenance]] = defaultdict(list)
        for owner, items in prov.items():
            gathered[members.get(owner, owner)].extend(items)
        return [
            Entity(
                i,
                r[1],
                r[2],
                fill_properties(json.loads(r[3]), (json.loads(p) for _, p in sorted(member_props.get(i, [])))),
                load_order(gathered.get(i, [])),
                r[4],
                r[5],
            )
            for i in ids
            if (r := rows.get(i)) is not None
        ]

    def find_by_source(self, source: str, record_ids: list[str], kind: str) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._lock:
            for chunk in _chunks(sorted(set(record_ids))):
                found.update(
                    self._db.execute(
                        # CROSS JOIN fixes the order: each id, then its source, then the entity
                        "SELECT e.record_id, e.id FROM json_each(?1) AS f "
                        "CROSS JOIN entities AS e ON e.source = ?2 AND e.record_id = f.value AND e.kind = ?3 "
                        "UNION ALL "
                        "SELECT p.record_id, p.owner FROM json_each(?1) AS f "
                        "CROSS JOIN provenance AS p ON p.source = ?2 AND p.record_id = f.value "
                        "CROSS JOIN entities AS e ON e.id = p.owner AND e.kind = ?3",
                        (_json(list(chunk)), source, kind),
                    )
                )
        return found

    def canonical_ids(self, entity_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(entity_ids))
        found: dict[str, str] = {}
        with self._lock:
            for chunk in _chunks(ids):
                found.update(
                    self._db.execute(
                        "SELECT e.id, coalesce(e.merged_into, e.id) FROM json_each(?) AS f "
                        "JOIN entities AS e ON e.id = f.value",
                        (_json(list(chunk)),),
                    )
                )
        return {i: found[i] for i in ids if i in found}

    def get_links(self, link_ids: Iterable[str]) -> list[Link]:
        """The facts of these links, in the order asked, each once; ids not held are left out.

        Parallel links of one fact (see :mod:`graph.facts`) are answered by that fact: its first
        link's id, every link's sources."""
        ids = list(dict.fromkeys(link_ids))
        parallel: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        with self._lock:
            for chunk in _chunks(ids):
                for asked, *row in self._db.execute(_PARALLEL_LINKS, (_json(list(chunk)),)):
                    parallel[asked].append(tuple(row))
            prov = self._provenance_of(list({row[0] for rows in parallel.values() for row in rows}))
        links = {
            asked: [Link(r[0], r[1], r[2], r[3], json.loads(r[4]), prov.get(r[0], ()), r[5], r[6]) for r in rows]
            for asked, rows in parallel.items()
        }
        return facts_asked(self.schema, ids, links)

    def search(self, query: str, kinds: list[str] | None, limit: int) -> list[Entity]:
        kinds_json = _json_list(kinds)
        with self._lock:
            if len(query) >= 3:
                phrase = '"' + query.replace('"', '""') + '"'
                rows = self._db.execute(_SEARCH_FTS, (phrase, query, kinds_json, limit)).fetchall()
            else:
                rows = self._db.execute(_SEARCH_SCAN, (query, kinds_json, limit)).fetchall()
            return self.get_entities(r[0] for r in rows)

    def counts(self) -> Counts:
        with self._lock:
            entities = dict(
                self._db.execute(
                    "SELECT kind, count(*) FROM entities WHERE merged_into IS NULL GROUP BY kind ORDER BY kind"
                )
            )
            links = dict(self._db.execute("SELECT kind, count(*) FROM links GROUP BY kind ORDER BY kind"))
            beside = [(i, k, s, d, json.loads(p)) for i, k, s, d, p in self._db.execute(_BESIDE_MOVED)]
            for kind, extra in links_beyond_facts(self.schema, beside).items():
                links[kind] -= extra
        return Counts(entities, links)
