"""The Cypher the Neo4j store runs. Every value is a parameter; labels and relationship types come
from the schema's allow-list, checked and quoted (:func:`graph.neo4j_store.base._quoted`)."""

from __future__ import annotations

_READ_NODES = """
UNWIND $ids AS x MATCH (n:Entity {id: x})
RETURN n.id AS id, n.kind AS kind, n.label AS label, n._props AS props, n.first_seen AS first_seen,
       n.last_seen AS last_seen, n._search AS search, n.merged_into AS merged_into
"""


_ERASED_AMONG = "UNWIND $ids AS x MATCH (e:DisruptErased {id: x}) RETURN e.id AS id, e.erasure_id AS erasure_id"


_READ_ENDS = "UNWIND $ids AS x MATCH (n:Entity {id: x}) RETURN n.id AS id, n.kind AS kind, n.merged_into AS merged_into"


_UPDATE_NODES = "UNWIND $rows AS r MATCH (n:Entity {id: r.id}) SET n += r.props"


_SET_MERGED = "UNWIND $rows AS r MATCH (n:Entity {id: r.id}) SET n.merged_into = r.canon"


_MEMBERS = "UNWIND $ids AS x MATCH (m:Entity {merged_into: x}) RETURN m.id AS id, m.merged_into AS canon"


_MEMBER_PROPS = (
    "UNWIND $ids AS x MATCH (m:Entity {merged_into: x}) RETURN m.id AS id, m.merged_into AS canon, m._props AS props"
)


_ALL_MEMBER_PROPS = (
    "MATCH (m:Entity) WHERE m.merged_into IS NOT NULL RETURN m.merged_into AS canon, m._props AS props ORDER BY m.id"
)


_EXISTING_SOURCES = "UNWIND $keys AS k MATCH (s:DisruptSource {key: k}) RETURN s.key AS key"


_CREATE_SOURCES = "UNWIND $rows AS r CREATE (s:DisruptSource) SET s = r"


_READ_SOURCES = """
UNWIND $ids AS x MATCH (s:DisruptSource {owner: x})
RETURN s.owner AS owner, s.source AS source, s.record_id AS record_id, s.loaded_at AS loaded_at,
       s.run_id AS run_id, s.grading AS grading
"""


_SEARCH = """
MATCH (n:Entity) WHERE n._search CONTAINS $q AND ($kinds IS NULL OR n.kind IN $kinds)
WITH coalesce(n.merged_into, n.id) AS cid, n.label AS label,
     [t IN split(n._search, $line) WHERE t CONTAINS $q] AS hits
UNWIND hits AS t
WITH cid, label, t, CASE WHEN t = $q THEN 0 WHEN t STARTS WITH $q THEN 1 ELSE 2 END AS rank
WITH cid, min(rank) AS rank, min(size(t)) AS shortest, min(label) AS label
RETURN cid ORDER BY rank, shortest, label, cid LIMIT $limit
"""


_RECORDS_PAGE = """
MATCH (n:Entity) WHERE n.kind = $kind AND n.id > $after
RETURN n.id AS id, n.label AS label, n._props AS props, n.first_seen AS first_seen, n.last_seen AS last_seen,
       n.merged_into AS merged_into ORDER BY n.id LIMIT $limit
"""


_LINKS_PAGE = """
MATCH ()-[r:{kind}]->() WHERE r.id > $after
RETURN r.id AS id, r.orig_src AS src, r.orig_dst AS dst, r._props AS props, r.first_seen AS first_seen,
       r.last_seen AS last_seen ORDER BY r.id LIMIT $limit
"""


_NODE_FIELDS = (
    "n.id AS id, n.kind AS kind, n.label AS label, n._props AS props, n.first_seen AS first_seen, "
    "n.last_seen AS last_seen"
)


_EDGE_FIELDS = (
    "l.id AS id, type(l) AS kind, a.id AS src, b.id AS dst, l._props AS props, l.first_seen AS first_seen, "
    "l.last_seen AS last_seen"
)


_EXPORT_NODES = f"""
MATCH (n:Entity) WHERE n.merged_into IS NULL AND ($kinds IS NULL OR n.kind IN $kinds)
RETURN {_NODE_FIELDS} ORDER BY id
"""


_EXPORT_EDGES = f"""
MATCH (a:Entity)-[l]->(b:Entity) WHERE $link_kinds IS NULL OR type(l) IN $link_kinds
RETURN {_EDGE_FIELDS} ORDER BY id
"""


_PART_NODES = f"""
UNWIND $ids AS x MATCH (n:Entity {{id: x}}) WHERE n.merged_into IS NULL AND ($kinds IS NULL OR n.kind IN $kinds)
RETURN {_NODE_FIELDS} ORDER BY id
"""


_PART_EDGES = f"""
UNWIND $ids AS x MATCH (a:Entity {{id: x}})-[l]->(b:Entity)
WHERE b.id IN $ids AND ($link_kinds IS NULL OR type(l) IN $link_kinds)
RETURN {_EDGE_FIELDS} ORDER BY id
"""


_ALL_MERGED = "MATCH (n:Entity) WHERE n.merged_into IS NOT NULL RETURN n.id AS id, n.merged_into AS canon"


_ALL_SOURCES = """
MATCH (s:DisruptSource) RETURN s.owner AS owner, s.source AS source, s.record_id AS record_id, s.grading AS grading
ORDER BY s.loaded_at, s.source, s.record_id, s.owner
"""


# Write-lock link anchors before reading their links. Neo4j reads what is committed, so without
# it two transactions could both find a link missing and both create it (relationships have no
# uniqueness constraint); with it, the second waits for the first and then finds its link.
_LOCK_ANCHORS = "UNWIND $rows AS r MATCH (a:Entity {id: r.id}) SET a._lock = true REMOVE a._lock"


# a link sits on its source record's canonical entity: find it from there, not by scanning its type
_STORED_LINKS = """
UNWIND $rows AS r MATCH (a:Entity {{id: r.src}})-[l:{kind}]->(b) WHERE l.id = r.id
RETURN l.id AS id, l._props AS props, l.first_seen AS first_seen, l.last_seen AS last_seen,
       l.orig_src AS orig_src, l.orig_dst AS orig_dst, a.id AS src, b.id AS dst
"""


_NEIGHBOURS = """
UNWIND $ids AS x MATCH (a:Entity {id: x})-[r]-(o:Entity)
WHERE ($link_kinds IS NULL OR type(r) IN $link_kinds) AND ($kinds IS NULL OR o.kind IN $kinds)
RETURN r.id AS id, type(r) AS kind, startNode(r).id AS src, endNode(r).id AS dst, r._props AS props
"""


# The links of one kind between the two entities of each asked link, either way round (itself
# included): the candidates for its fact (graph.facts). From the link's start entity when known.
# The links of one kind beside a link that resolution moved (see graph.facts: only they can be parallel).
_BESIDE_MOVED = """
MATCH (a:Entity)-[m:{kind}]->(b:Entity) WHERE m.orig_src <> a.id OR m.orig_dst <> b.id
WITH DISTINCT a, b MATCH (a)-[s:{kind}]-(b)
RETURN DISTINCT s.id AS id, startNode(s).id AS src, endNode(s).id AS dst, s._props AS props
"""


_PARALLEL_FIELDS = (
    " RETURN {asked} AS asked, s.id AS id, type(s) AS kind, s._props AS props, s.first_seen AS first_seen,"
    " s.last_seen AS last_seen, startNode(s).id AS src, endNode(s).id AS dst"
)


# From each link's start entity, whatever its type (the walk that found it knows where it starts).
_PARALLEL_ANCHORED = (
    "UNWIND $rows AS r MATCH (a:Entity {id: r.src})-[l]->(b) WHERE l.id = r.id WITH r, a, b, type(l) AS t "
    "MATCH (a)-[s]-(b) WHERE type(s) = t" + _PARALLEL_FIELDS.format(asked="r.id")
)


# By id alone: one indexed lookup per link type (a relationship index is per type), in one query.
_PARALLEL_BY_ID = (
    "UNWIND $ids AS x MATCH (a)-[l:{kind} {{id: x}}]->(b) WITH x, a, b "
    "MATCH (a)-[s:{kind}]-(b)" + _PARALLEL_FIELDS.format(asked="x")
)
