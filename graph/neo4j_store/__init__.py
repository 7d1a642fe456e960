"""The Neo4j backend: the store contract over Bolt, with the official ``neo4j`` driver.

What the database holds (so Neo4j Browser and Bloom users see the same graph as Disrupt):

- each entity record is a node labelled ``Entity`` and its kind (``:Entity:Person``) with ``id``,
  ``kind``, ``label``, ``first_seen``, ``last_seen``, ``merged_into`` (only on a record that entity
  resolution merged into another), its properties spread out for people to read, ``_props`` (the exact
  properties as JSON, which is what the store reads back: open kinds may hold mixed lists that Neo4j
  cannot) and ``_search`` (the folded searchable values, one per line, behind a TEXT index);
- each link is a relationship of its kind between canonical entities, with ``id``, ``orig_src`` and
  ``orig_dst`` (the records it was loaded between, so that resolution moves it and a split moves it back);
- provenance, judgements, erasures and result tables are ``DisruptSource``, ``DisruptJudgement``,
  ``DisruptErasure``, ``DisruptResultRun`` and ``DisruptResultRow`` nodes;
- analysis results are also written onto entity nodes as ``<result>_<field>`` properties
  (``key_players_score``, ``flags_level`` ...), replaced by the next save of that result.

Every value travels as a query parameter. Labels and relationship types come from the schema's
allow-list (checked against a strict pattern, then quoted); a path length bound comes from a fixed
table of query texts. Each batch is one managed transaction that reads, then writes: a retry repeats
the read, so a repeated or retried batch leaves the graph as one run would.
"""

from __future__ import annotations

from graph.neo4j_store.base import MAX_PATH_HOPS
from graph.neo4j_store.lifecycle import FORMAT_VERSION
from graph.neo4j_store.results import _Results
from graph.neo4j_store.source import Neo4jSource


class Neo4jBackend(_Results):
    """The backend over Bolt (:class:`graph.backend.StoreBackend`). Thread-safe: the driver pools
    connections and each call takes a session."""


__all__ = ["FORMAT_VERSION", "MAX_PATH_HOPS", "Neo4jBackend", "Neo4jSource"]
