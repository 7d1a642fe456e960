"""Audit entries for the command line's changes to what the store holds: collection and combination.

The Data Protection Act 2018, Part 3, s.62 asks for a log of collection, alteration, consultation,
disclosure, combination and erasure. Ingest and import collect (one entry per run and one per file:
who ran it, the file, rows read, loaded and rejected); entity resolution and ``disrupt split``
combine and separate records (entries listing the ids of the records moved and of the entities
they left and joined, never a name). The user is the operating-system login (see
:func:`disrupt.cliutil.audit_change`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click

from common.audit import Outcome
from common.audit_chain import MAX_RECORDS
from disrupt.cliutil import audit_change
from graph import GraphStore

RESOLVED_KINDS = ("Person", "MissingEpisode", "Business")  # the kinds `disrupt resolve` merges


def audit_ingest(ctx: click.Context, report: Any, path: object) -> None:
    """One entry per file of an ingest run (what it read, loaded and set aside), then one for the run."""
    for f in report.files:
        outcome: Outcome = "failed" if f.status == "failed" else "collected"
        detail = (
            f"run {report.run_id}: {f.source} from {f.file}: {f.rows_read} rows read, {f.rows_loaded} loaded, "
            f"{f.rows_rejected} rejected; {f.entities_created} entities new, {f.entities_merged} updated; {f.status}"
        )
        audit_change(ctx, "ingest file", outcome, detail)
    audit_change(
        ctx,
        "ingest run",
        "failed" if report.failed else "collected",
        f"run {report.run_id}: {path}: {len(report.files)} files, {report.rows_read} rows read, "
        f"{report.rows_loaded} loaded, {report.rows_rejected} rejected, {len(report.failed)} files failed, "
        f"{len(report.unrecognised)} not recognised",
    )


def audit_ingest_stopped(ctx: click.Context, path: object, error: BaseException) -> None:
    """An ingest run that stopped before its report: the files it loaded are in the ingest ledger."""
    audit_change(
        ctx, "ingest run", "failed", f"{path}: stopped ({type(error).__name__}); the ingest ledger lists what loaded"
    )


def audit_import(ctx: click.Context, action: str, report: Any, path: object) -> None:
    """One entry for a graph or edge-list import: what it read and what it made."""
    entities = sum(report.entities_by_kind.values())
    links = sum(report.links_by_kind.values())
    audit_change(
        ctx,
        action,
        "collected",
        f"{report.source} from {path}: {report.nodes_read} nodes and {report.relationships_read} relationships read, "
        f"{report.rows_rejected} rows rejected; {entities} entities and {links} links held",
    )


def canonical_ids(store: GraphStore, kinds: Iterable[str] = RESOLVED_KINDS) -> dict[str, dict[str, str]]:
    """By kind, every record of ``kinds`` and the entity it stands for now (itself when it stands alone)."""
    return {kind: {e.id: e.merged_into or e.id for e in store.records_of_kind(kind)} for kind in kinds}


def audit_resolution(
    ctx: click.Context,
    before: Mapping[str, Mapping[str, str]],
    after: Mapping[str, Mapping[str, str]],
    reports: Sequence[Any],
) -> None:
    """Entries for a resolution run: per kind, the records that moved and the entities they left and joined.

    Ids only, at most :data:`common.audit_chain.MAX_RECORDS` to an entry, in as many entries as it takes.
    """
    for report in reports:
        was, now = before.get(report.kind, {}), after.get(report.kind, {})
        moved = sorted(r for r, entity in now.items() if was.get(r, r) != entity)
        summary = (
            f"{len(moved)} records moved this run; {report.records} records stand for "
            f"{report.clusters} entities; {report.pairs_linked} pairs linked ({report.method or 'rules'})"
        )
        if not moved:
            audit_change(ctx, f"resolve {report.kind}", "combined", summary)
            continue
        involved = list(dict.fromkeys([*(now[r] for r in moved), *(was.get(r, r) for r in moved), *moved]))
        parts = [involved[i : i + MAX_RECORDS] for i in range(0, len(involved), MAX_RECORDS)]
        for n, ids in enumerate(parts, 1):
            where = f"; part {n} of {len(parts)}" if len(parts) > 1 else ""
            audit_change(
                ctx,
                f"resolve {report.kind}",
                "combined",
                f"{summary}; ids: the entities joined, the entities left, the records moved{where}",
                records=ids,
            )


def audit_split(
    ctx: click.Context,
    store: GraphStore,
    record_ids: Sequence[str],
    before: Mapping[str, str],
    moved: int,
    reference: str,
) -> None:
    """An entry for ``disrupt split``: the entity the records left, the one they now make, and the records."""
    after = store.canonical_ids(record_ids)
    ids = list(dict.fromkeys([*before.values(), *after.values(), *record_ids]))
    audit_change(
        ctx,
        "split",
        "combined",
        f"{moved} records split off {', '.join(sorted(set(before.values())))} into "
        f"{', '.join(sorted(set(after.values())))} under reference {reference}",
        records=ids,
    )


def audit_analysis(ctx: click.Context, run_id: str, report: Mapping[str, Any]) -> None:
    """An entry for an analysis run: the results it wrote about people (groups, flags, child indicators), by count."""
    rows = report.get("rows", {})
    tables = ", ".join(f"{name} {count}" for name, count in sorted(rows.items()))
    audit_change(ctx, "analyse", "changed", f"run {run_id}: results saved: {tables}")
