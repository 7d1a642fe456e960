"""What a graph import says it did, and the errors it raises.

The report of an import (:class:`ImportReport`) is counted from the store after the import: per
source label and relationship type, what it became (:class:`SourceCount`), what was renamed,
inferred, kept as an extra property or set aside. ``run_id`` names the import in the ingest ledger,
as an ingest run is named there, so its rows set aside can be told from another load's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ingest.errors import IngestError


class GraphImportError(IngestError):
    """A graph bundle or edge list cannot be imported; the message says why and what to do."""


class RefusedRow(Exception):
    """A row with a bad value: the source column (or property) and the reason it is set aside."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


@dataclass
class SourceCount:
    """What one source label or relationship type became, counted from the store after the import."""

    became: Counter[str] = field(default_factory=Counter)  # kind -> entities or links held
    read: int = 0
    set_aside: int = 0
    renamed: dict[str, str] = field(default_factory=dict)  # source property -> Disrupt property
    inferred: dict[str, str] = field(default_factory=dict)  # renamed from a common name, no map said
    kept_as_extra: set[str] = field(default_factory=set)  # undeclared, stored as extra_<name>
    not_normalised: Counter[str] = field(default_factory=Counter)  # key values kept as written
    folded: int = 0  # relationships held by a link another type between the same ends also made

    def as_dict(self) -> dict[str, Any]:
        return {
            "became": dict(self.became),
            "read": self.read,
            "set_aside": self.set_aside,
            "renamed": dict(self.renamed),
            "inferred": dict(self.inferred),
            "kept_as_extra": sorted(self.kept_as_extra),
            "not_normalised": dict(self.not_normalised),
            "folded": self.folded,
        }


@dataclass
class ImportReport:
    """What one import read, stored and set aside (see the module's docstring)."""

    source: str
    label_map: str = ""  # the map used, and why
    run_id: str = ""  # the import's run in the ingest ledger
    nodes_read: int = 0
    relationships_read: int = 0
    rows_rejected: int = 0
    entities_by_kind: Counter[str] = field(default_factory=Counter)
    links_by_kind: Counter[str] = field(default_factory=Counter)
    unknown_labels: Counter[str] = field(default_factory=Counter)  # labels of nodes kept as Other
    unknown_types: Counter[str] = field(default_factory=Counter)  # types of relationships kept as RELATED_TO
    properties_kept_as_extra: Counter[str] = field(default_factory=Counter)  # "Person.nhs_no" -> values kept
    labels: dict[str, SourceCount] = field(default_factory=lambda: defaultdict(SourceCount))
    types: dict[str, SourceCount] = field(default_factory=lambda: defaultdict(SourceCount))

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "label_map": self.label_map,
            "run_id": self.run_id,
            "nodes_read": self.nodes_read,
            "relationships_read": self.relationships_read,
            "rows_rejected": self.rows_rejected,
            "entities_by_kind": dict(self.entities_by_kind),
            "links_by_kind": dict(self.links_by_kind),
            "unknown_labels": dict(self.unknown_labels),
            "unknown_types": dict(self.unknown_types),
            "properties_kept_as_extra": dict(self.properties_kept_as_extra),
            "labels": {k: v.as_dict() for k, v in sorted(self.labels.items())},
            "types": {k: v.as_dict() for k, v in sorted(self.types.items())},
        }

    def run_summary(self, files: list[str], seconds: float) -> dict[str, object]:
        """The summary the ingest ledger keeps of the import's run, in the keys an ingest run's has
        (rows read, loaded and set aside; the files read; seconds), so the app's list of runs shows it."""
        read = self.nodes_read + self.relationships_read
        return {
            "source": self.source,
            "label_map": self.label_map,
            "rows_read": read,
            "rows_loaded": read - self.rows_rejected,
            "rows_rejected": self.rows_rejected,
            "seconds": round(seconds, 3),
            "files": files,
            "entities_by_kind": dict(self.entities_by_kind),
            "links_by_kind": dict(self.links_by_kind),
        }


__all__ = ["GraphImportError", "ImportReport", "RefusedRow", "SourceCount"]
