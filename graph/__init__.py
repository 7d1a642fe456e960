"""The Disrupt graph model (POLE) and its stores. Imports nothing else of Disrupt's."""

from __future__ import annotations

from graph.errors import (
    GraphError,
    InvalidRecord,
    SchemaError,
    StoreBusy,
    StoreConfigError,
    StoreError,
    UnknownEntity,
)
from graph.identity import ABSENT_KEY, carries_label, entity_id, entity_label, link_id, oriented_ends
from graph.ids import fold_text, make_id
from graph.merge import coalesce_entities, coalesce_links, merge_entity, merge_link
from graph.records import (
    Counts,
    Entity,
    ErasureRecord,
    Judgement,
    Link,
    Path,
    Provenance,
    ResultTable,
    Subgraph,
    UpsertSummary,
    new_entity,
    new_link,
    now_iso,
)
from graph.schema import EntityKind, LinkKind, Property, Schema, load_schema
from graph.store import DEFAULT_STORE_URL, GraphStore, open_store

__all__ = [
    "ABSENT_KEY",
    "DEFAULT_STORE_URL",
    "Counts",
    "Entity",
    "EntityKind",
    "ErasureRecord",
    "GraphError",
    "GraphStore",
    "InvalidRecord",
    "Judgement",
    "Link",
    "LinkKind",
    "Path",
    "Property",
    "Provenance",
    "ResultTable",
    "Schema",
    "SchemaError",
    "StoreBusy",
    "StoreConfigError",
    "StoreError",
    "Subgraph",
    "UnknownEntity",
    "UpsertSummary",
    "carries_label",
    "coalesce_entities",
    "coalesce_links",
    "entity_id",
    "entity_label",
    "fold_text",
    "link_id",
    "load_schema",
    "make_id",
    "merge_entity",
    "merge_link",
    "new_entity",
    "new_link",
    "now_iso",
    "open_store",
    "oriented_ends",
]
