"""The SQL the embedded store runs. Every value reaches SQLite as a parameter; lists of ids and kinds
travel as one JSON parameter read with ``json_each``."""

from __future__ import annotations

# Merge on conflict, by the rules of graph.merge: json_patch overlays ?13, the new record's
# non-empty properties (graph.merge.non_empty); ?7 says whether the new record carries any label
# property (if not, the stored label stays). ?8 to ?12 are the record's first source, kept inline
# by a new entity; a stored entity keeps the source it has.
_UPSERT_ENTITY = """
INSERT INTO entities(id, kind, label, props, first_seen, last_seen, source, record_id, loaded_at, run_id, grading)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT(id) DO UPDATE SET
    props = json_patch(entities.props, ?13),
    label = CASE WHEN ?7 THEN excluded.label ELSE entities.label END,
    first_seen = CASE WHEN entities.first_seen IS NULL OR excluded.first_seen < entities.first_seen
                      THEN coalesce(excluded.first_seen, entities.first_seen) ELSE entities.first_seen END,
    last_seen = CASE WHEN entities.last_seen IS NULL OR excluded.last_seen > entities.last_seen
                     THEN coalesce(excluded.last_seen, entities.last_seen) ELSE entities.last_seen END
"""


# A link is stored between the canonical entities of the records it was loaded with (orig_src,
# orig_dst), so that resolution can move it and a split can move it back.
_UPSERT_LINK = """
INSERT INTO links(
    id, kind, src, dst, props, first_seen, last_seen, orig_src, orig_dst, source, record_id, loaded_at, run_id, grading
) VALUES (
    ?1, ?2,
    coalesce((SELECT merged_into FROM entities WHERE id = ?3), ?3),
    coalesce((SELECT merged_into FROM entities WHERE id = ?4), ?4),
    ?5, ?6, ?7, ?3, ?4, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT(id) DO UPDATE SET
    props = json_patch(links.props, ?13),
    first_seen = CASE WHEN links.first_seen IS NULL OR excluded.first_seen < links.first_seen
                      THEN coalesce(excluded.first_seen, links.first_seen) ELSE links.first_seen END,
    last_seen = CASE WHEN links.last_seen IS NULL OR excluded.last_seen > links.last_seen
                     THEN coalesce(excluded.last_seen, links.last_seen) ELSE links.last_seen END
"""


# The same for a store in which no record is merged (so during a first load): each end is itself.
_UPSERT_LINK_UNMERGED = _UPSERT_LINK.replace(
    "coalesce((SELECT merged_into FROM entities WHERE id = ?3), ?3),\n"
    "    coalesce((SELECT merged_into FROM entities WHERE id = ?4), ?4),",
    "?3, ?4,",
)


assert _UPSERT_LINK_UNMERGED != _UPSERT_LINK


_ANY_MERGED = "SELECT 1 FROM entities WHERE merged_into IS NOT NULL LIMIT 1"


# The links of the same kind between the same two entities as a link that resolution moved (an end
# is not the record it was loaded with), either way round: the only links that can be parallel to
# another (graph.facts), so the only ones a count of facts must look at.
# Every source record of entities, links and merged records, in load order.
_ALL_SOURCES = (
    "SELECT owner, source, record_id, grading FROM ("
    "SELECT id AS owner, source, record_id, grading, loaded_at FROM entities WHERE source IS NOT NULL "
    "UNION ALL SELECT id, source, record_id, grading, loaded_at FROM links WHERE source IS NOT NULL "
    "UNION ALL SELECT owner, source, record_id, grading, loaded_at FROM provenance"
    ") ORDER BY loaded_at, source, record_id, owner"
)


_BESIDE_MOVED = """
SELECT s.id, s.kind, s.src, s.dst, s.props FROM links AS m
CROSS JOIN links AS s ON s.src = m.src AND s.kind = m.kind AND s.dst = m.dst
WHERE m.src != m.orig_src OR m.dst != m.orig_dst
UNION
SELECT s.id, s.kind, s.src, s.dst, s.props FROM links AS m
CROSS JOIN links AS s ON s.src = m.dst AND s.kind = m.kind AND s.dst = m.src
WHERE m.src != m.orig_src OR m.dst != m.orig_dst
"""


_INSERT_PROVENANCE = """
INSERT INTO provenance(owner, source, record_id, loaded_at, run_id, grading) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(owner, source, record_id) DO NOTHING
"""


# Links touching a set of entities (a JSON array), optionally filtered by link kinds and by the
# kind of the entity at the far end (both JSON arrays or NULL). Kind and properties come too, so
# that parallel links of one fact are walked as one (graph.facts).
_NEIGHBOUR_LINKS = """
SELECT l.id, l.kind, l.src, l.dst, l.props FROM json_each(?1) AS f
JOIN links AS l ON l.src = f.value
JOIN entities AS o ON o.id = l.dst
WHERE (?2 IS NULL OR l.kind IN (SELECT value FROM json_each(?2)))
  AND (?3 IS NULL OR o.kind IN (SELECT value FROM json_each(?3)))
UNION
SELECT l.id, l.kind, l.src, l.dst, l.props FROM json_each(?1) AS f
JOIN links AS l ON l.dst = f.value
JOIN entities AS o ON o.id = l.src
WHERE (?2 IS NULL OR l.kind IN (SELECT value FROM json_each(?2)))
  AND (?3 IS NULL OR o.kind IN (SELECT value FROM json_each(?3)))
"""


# Every link of the same kind between the same two entities as each of a set of links (a JSON
# array of ids), either way round, with the id it was asked for: the candidates for its fact.
_PARALLEL_LINKS = """
SELECT f.value, s.id, s.kind, s.src, s.dst, s.props, s.first_seen, s.last_seen
FROM json_each(?1) AS f CROSS JOIN links AS l ON l.id = f.value
CROSS JOIN links AS s ON s.src = l.src AND s.kind = l.kind AND s.dst = l.dst
UNION ALL
SELECT f.value, s.id, s.kind, s.src, s.dst, s.props, s.first_seen, s.last_seen
FROM json_each(?1) AS f CROSS JOIN links AS l ON l.id = f.value
CROSS JOIN links AS s ON s.src = l.dst AND s.kind = l.kind AND s.dst = l.src
"""


# Erasure records with their lifts, each column named for the ErasureRecord field it fills.
_ERASURES = """
SELECT e.erasure_id, e.erased_at, e.kind, e.links_removed, e.sources_removed, e.results_removed, e.reason,
       e.reference, l.lifted_at, l.reason AS lift_reason, l.reference AS lift_reference
FROM erasures AS e LEFT JOIN erasure_lifts AS l ON l.erasure_id = e.erasure_id
"""


_INSERT_ERASURE = """
INSERT INTO erasures(erasure_id, erased_at, kind, links_removed, sources_removed, results_removed, reason, reference)
VALUES (:erasure_id, :erased_at, :kind, :links_removed, :sources_removed, :results_removed, :reason, :reference)
"""


_INSERT_LIFT = """
INSERT INTO erasure_lifts(erasure_id, lifted_at, reason, reference)
VALUES (:erasure_id, :lifted_at, :lift_reason, :lift_reference)
"""


_ERASED_AMONG = "SELECT f.value, e.erasure_id FROM json_each(?) AS f CROSS JOIN erased AS e ON e.id = f.value"


# Which of a set of ids (a JSON array) are stored, each with the source it holds inline.
_HELD_ENTITIES = "SELECT t.id, t.source, t.record_id FROM json_each(?) AS f CROSS JOIN entities AS t ON t.id = f.value"


_KIND_AND_CANONICAL = (
    "SELECT t.id, t.kind, coalesce(t.merged_into, t.id) FROM json_each(?) AS f "
    "CROSS JOIN entities AS t ON t.id = f.value"
)


_KINDS_OF = "SELECT t.id, t.kind FROM json_each(?) AS f CROSS JOIN entities AS t ON t.id = f.value"


_HELD_LINKS = "SELECT t.id, t.source, t.record_id FROM json_each(?) AS f CROSS JOIN links AS t ON t.id = f.value"


# Every source of each of a set of entities and links (a JSON array of ids; an id names one or the
# other, as in ``provenance``): the one held inline and the further ones.
_SOURCES_OF = """
SELECT e.id, e.source, e.record_id, e.loaded_at, e.run_id, e.grading
FROM json_each(?1) AS f JOIN entities AS e ON e.id = f.value WHERE e.source IS NOT NULL
UNION ALL
SELECT l.id, l.source, l.record_id, l.loaded_at, l.run_id, l.grading
FROM json_each(?1) AS f JOIN links AS l ON l.id = f.value WHERE l.source IS NOT NULL
UNION ALL
SELECT p.owner, p.source, p.record_id, p.loaded_at, p.run_id, p.grading
FROM json_each(?1) AS f JOIN provenance AS p ON p.owner = f.value
"""


# Entities (of the kinds in ?1, or all), records merged into them and links (of the kinds in ?1, or all)
# for to_networkx: of the whole store, or only of / between the entities in a JSON list (by index).
_ALL_ENTITIES = (
    "SELECT id, kind, label, props, first_seen, last_seen FROM entities WHERE merged_into IS NULL "
    "AND (?1 IS NULL OR kind IN (SELECT value FROM json_each(?1))) AND ?2 IS NULL ORDER BY id"
)


_ENTITIES_IN = (  # by primary key: an ``?2 IS NULL OR`` in one query made SQLite scan every entity
    "SELECT id, kind, label, props, first_seen, last_seen FROM entities "
    "WHERE id IN (SELECT value FROM json_each(?2)) AND merged_into IS NULL "
    "AND (?1 IS NULL OR kind IN (SELECT value FROM json_each(?1))) ORDER BY id"
)


_ALL_MERGED = "SELECT id, merged_into, props FROM entities WHERE merged_into IS NOT NULL ORDER BY id"


_MERGED_INTO = (
    "SELECT id, merged_into, props FROM entities WHERE merged_into IS NOT NULL "
    "AND merged_into IN (SELECT value FROM json_each(?1)) ORDER BY id"
)


_ALL_LINKS = (
    "SELECT id, kind, src, dst, props, first_seen, last_seen FROM links "
    "WHERE (?1 IS NULL OR kind IN (SELECT value FROM json_each(?1))) ORDER BY id"
)


_LINKS_BETWEEN = (
    "SELECT id, kind, src, dst, props, first_seen, last_seen FROM links "
    "WHERE (?1 IS NULL OR kind IN (SELECT value FROM json_each(?1))) "
    "AND src IN (SELECT value FROM json_each(?2)) AND dst IN (SELECT value FROM json_each(?2)) ORDER BY id"
)


# The sources of the owners in a JSON list (entity, merged record and link ids), in load order.
_SUBGRAPH_SOURCES = (
    f"SELECT id, source, record_id, grading FROM ({_SOURCES_OF}) ORDER BY loaded_at, source, record_id, id"  # noqa: S608
)


# After resolution changes records' canonical entities, their links follow them.
_MOVE_LINK_SOURCES = """
UPDATE links SET src = coalesce((SELECT merged_into FROM entities WHERE id = links.orig_src), links.orig_src)
WHERE orig_src IN (SELECT id FROM changed)
"""


_MOVE_LINK_TARGETS = """
UPDATE links SET dst = coalesce((SELECT merged_into FROM entities WHERE id = links.orig_dst), links.orig_dst)
WHERE orig_dst IN (SELECT id FROM changed)
"""


_SEARCH_FTS = """
SELECT coalesce(e.merged_into, e.id) AS cid,
       min(CASE WHEN t.term = ?2 THEN 0 WHEN substr(t.term, 1, length(?2)) = ?2 THEN 1 ELSE 2 END) AS rank,
       min(length(t.term)) AS shortest
FROM search_fts AS f
JOIN search_terms AS t ON t.rowid = f.rowid
JOIN entities AS e ON e.id = t.entity_id
WHERE search_fts MATCH ?1 AND instr(t.term, ?2) > 0
  AND (?3 IS NULL OR e.kind IN (SELECT value FROM json_each(?3)))
GROUP BY cid
ORDER BY rank, shortest, min(e.label), cid
LIMIT ?4
"""


# Queries shorter than three characters cannot use the trigram index: scan the terms instead.
_SEARCH_SCAN = """
SELECT coalesce(e.merged_into, e.id) AS cid,
       min(CASE WHEN t.term = ?1 THEN 0 WHEN substr(t.term, 1, length(?1)) = ?1 THEN 1 ELSE 2 END) AS rank,
       min(length(t.term)) AS shortest
FROM search_terms AS t
JOIN entities AS e ON e.id = t.entity_id
WHERE instr(t.term, ?1) > 0
  AND (?2 IS NULL OR e.kind IN (SELECT value FROM json_each(?2)))
GROUP BY cid
ORDER BY rank, shortest, min(e.label), cid
LIMIT ?3
"""
