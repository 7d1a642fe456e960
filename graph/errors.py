"""Exceptions raised by the graph package."""

from __future__ import annotations


class GraphError(Exception):
    """Base class for every error raised by :mod:`graph`."""


class SchemaError(GraphError):
    """The schema file itself is malformed."""


class InvalidRecord(GraphError):
    """A record does not fit the schema.

    Carries the kind, property and offending value so that callers (ingest) can report them.
    """

    def __init__(self, kind: str, prop: str | None, value: object, reason: str) -> None:
        self.kind = kind
        self.prop = prop
        self.value = value
        self.reason = reason
        where = f"{kind}.{prop}" if prop else kind
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{where} = {shown}: {reason}")


def fact_without_source(kind: str, value: object) -> InvalidRecord:
    """The error for an entity or link with no provenance: every fact must say where it came from."""
    return InvalidRecord(kind, None, value, "a fact with no source cannot be stored")


class StoreError(GraphError):
    """A store operation failed; the batch it belonged to was rolled back."""


class StoreBusy(StoreError):
    """Another process holds the store's write lock (a load or an upgrade) for longer than the
    store waits; the message says what to do."""


class UnknownEntity(StoreError):
    """An entity id that the store does not hold."""


class StoreConfigError(GraphError):
    """A store URL or option is wrong; the message says how to fix it."""
