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
from graph.ids import fold_text, make_id
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
    "fold_text",
    "load_schema",
    "make_id",
    "new_entity",
    "new_link",
    "now_iso",
    "open_store",
]
