"""The embedded graph store: one SQLite file (WAL), no server.

Tables: ``entities`` and ``links`` hold properties as JSON and, inline, the first source record
each was loaded from; ``provenance`` holds one row per further (entity or link, source record), so
the usual fact, made by one row of one export, is one stored row, not two; ``search_terms`` holds
folded searchable values indexed by an FTS5 trigram index; ``erasures``, ``result_runs`` and
``result_rows`` hold the rest.
Every value reaches SQLite as a parameter; lists of ids and kinds travel as one JSON parameter
read with ``json_each``.
"""

from __future__ import annotations

from graph.sqlite_store.ddl import _READ_INDEX_NAMES, _READ_INDEXES, FORMAT_VERSION
from graph.sqlite_store.results import _Results


class SQLiteBackend(_Results):
    """The embedded backend (:class:`graph.backend.StoreBackend`): a single SQLite file in WAL mode.

    Safe to share between threads (one connection behind a lock), as Streamlit does."""


__all__ = ["FORMAT_VERSION", "_READ_INDEXES", "_READ_INDEX_NAMES", "SQLiteBackend"]
