"""Copy a whole graph from one store to another (embedded to Neo4j and back), then check the copy.

What moves: every source record as loaded with its own provenance, every link between the records
it was loaded with, the resolution that merged records (so a later split still works in the copy),
analysts' judgements with their times, erasure records, and the latest run of each result table.
The copy is checked by counting entities, source records and links of each kind on both sides.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from graph.errors import StoreError
from graph.store import GraphStore

log = logging.getLogger(__name__)

T = TypeVar("T")
COPY_RUN = "copy-store"


@dataclass
class KindCount:
    """One line of the check: a kind, what the source holds and what the copy holds."""

    what: str  # "entities", "records" or "links"
    kind: str
    source: int
    copy: int

    @property
    def same(self) -> bool:
        return self.source == self.copy


@dataclass
class CopyReport:
    """What a copy moved and whether the counts agree."""

    counts: list[KindCount] = field(default_factory=list)
    merges: int = 0
    judgements: int = 0
    erasure_records: int = 0
    results: int = 0

    @property
    def verified(self) -> bool:
        return all(c.same for c in self.counts)

    def as_dict(self) -> dict[str, object]:
        return {
            "verified": self.verified,
            "merges": self.merges,
            "judgements": self.judgements,
            "erasure_records": self.erasure_records,
            "results": self.results,
            "counts": [{**c.__dict__, "same": c.same} for c in self.counts],
        }


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _record_counts(store: GraphStore) -> Counter[str]:
    return Counter(e.kind for kind in sorted(store.schema.entities) for e in store.records_of_kind(kind))


def copy_store(
    source: GraphStore,
    target: GraphStore,
    *,
    batch_size: int = 5_000,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy ``source`` into the empty store ``target`` and count both sides by kind.

    Raises:
        StoreError: ``target`` already holds a graph (a copy merges nothing into existing data).
    """
    held = target.counts()
    if any(held.entities.values()) or target.result_names():
        raise StoreError(
            f"{target.url} already holds {sum(held.entities.values()):,} entities or saved results; "
            "copy-store fills an empty store: point it at a new database or file"
        )
    tell = progress or (lambda _what, _n: None)
    report = CopyReport()
    merged: dict[str, str] = {}
    for kind in sorted(source.schema.entities):
        for batch in _batches(source.records_of_kind(kind, provenance=True), batch_size):
            target.upsert(batch)
            merged.update((e.id, e.merged_into) for e in batch if e.merged_into)
            tell("records", len(batch))
    for kind in sorted(source.schema.links):
        for links in _batches(source.links_of_kind(kind), batch_size):
            target.upsert(links=links)
            tell("links", len(links))
    if merged:
        report.merges = target.set_canonical(merged, run_id=COPY_RUN)
    for j in source.judgements():
        target.add_judgement(j.first, j.second, j.verdict, reference=j.reference, decided_at=j.decided_at)
        report.judgements += 1
    report.erasure_records = target.keep_erasure_records(source.erasures(), source.erased_ids())
    for name in source.result_names():
        table = source.read_results(name)
        if table is not None:
            target.save_results(name, table.rows, run_id=table.run_id)
            report.results += 1
    report.counts = compare_counts(source, target)
    log.info("copied %s to %s: verified=%s", source.url, target.url, report.verified)
    return report


def compare_counts(source: GraphStore, target: GraphStore) -> list[KindCount]:
    """Entities (canonical), source records and links of each kind in both stores."""
    a, b = source.counts(), target.counts()
    ra, rb = _record_counts(source), _record_counts(target)
    lines: list[KindCount] = []
    for what, left, right in (("entities", a.entities, b.entities), ("records", ra, rb), ("links", a.links, b.links)):
        for kind in sorted(set(left) | set(right)):
            lines.append(KindCount(what, kind, left.get(kind, 0), right.get(kind, 0)))
    return lines
