"""A neo4j-admin bundle Disrupt exported (it holds :data:`graph.neo4j_bundle.MANIFEST`), loaded back
as the same graph: read into the exchange form and stored by :func:`graph.interchange.load_graph`,
so entity and link ids, kinds, properties, seen dates and sources are as written, nothing added.

A row that cannot be read, or an entity that was erased since, is set aside with its file and line
and the reason (the erasure named); the rest loads. See ``docs/interchange.md`` for the manifest and
the ``disrupt_*`` columns.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from common.settings import ledger_path, rejects_path
from graph import GraphError, GraphStore, now_iso
from graph.interchange import FORMAT_KEY, FORMAT_VERSION, load_graph
from graph.neo4j_bundle import ARRAY_DELIMITER, LINK_ID, META_COLUMNS
from ingest.graph_columns import Column, bundle_rows, typed_row
from ingest.graph_report import GraphImportError, ImportReport, RefusedRow
from ingest.ledger import Checkpoint, Ledger, Reject, file_digest

log = logging.getLogger(__name__)

_META_NAMES = {column: name for name, column in META_COLUMNS.items()}  # a Disrupt bundle's column -> exchange name


def import_own_bundle(
    store: GraphStore,
    folder: Path,
    work_dir: Path,
    files: list[Path],
    columns: Mapping[Path, list[Column]],
    kinds: Mapping[Path, str],
    manifest: Mapping[str, Any],
) -> ImportReport:
    """Load a bundle Disrupt exported (``files``, their ``columns`` and ``kinds`` as
    :func:`ingest.graph_import.import_neo4j_bundle` read them; its ``manifest``).

    Raises:
        GraphImportError: the store refused the graph.
    """
    started, started_at = time.perf_counter(), now_iso()
    json_columns: Mapping[str, list[str]] = manifest.get("json_columns") or {}
    link_kinds: Mapping[str, str] = manifest.get("link_kinds") or {}
    source = f"import:{folder.name}"
    run_id = uuid.uuid4().hex[:16]  # as an ingest run's (ingest.pipeline)
    report = ImportReport(source, "none: a bundle Disrupt exported, loaded as it was written", run_id)
    G = nx.MultiDiGraph(**{FORMAT_KEY: FORMAT_VERSION})
    where: list[tuple[Path, int]] = []  # element number - 1 -> (file, line), nodes first as load_graph numbers them
    rejects: dict[Path, list[Reject]] = defaultdict(list)
    pending: list[tuple[Path, int, str, str, str, dict[str, Any]]] = []  # file, line, ends, link id, data
    for path in files:
        as_json = set(json_columns.get(path.name, []))
        for number, values, problem in bundle_rows(path):
            props, problems, special = typed_row(columns[path], values)
            if kinds[path] == "nodes":
                report.nodes_read += 1
            elif kinds[path] == "relationships":
                report.relationships_read += 1
            else:
                continue
            try:
                if problem or problems:
                    raise RefusedRow(problems[0].column if problems else "", problem or problems[0].reason)
                props = {_META_NAMES.get(k, k): v for k, v in _json_decoded(props, as_json).items()}
                if kinds[path] == "nodes":
                    node = special.get("ID", "")
                    if not node or node in G:
                        raise RefusedRow(":ID", "no :ID" if not node else f"a second row for node {node[:40]!r}")
                    labels = [lb for lb in special.get("LABEL", "").split(ARRAY_DELIMITER) if lb]
                    G.add_node(node, kind=labels[0] if labels else "Other", **props)
                    where.append((path, number))
                else:
                    key = str(props.pop(LINK_ID, "") or "")
                    props["kind"] = link_kinds.get(path.name) or special.get("TYPE", "") or "RELATED_TO"
                    if props["kind"] == "RELATED_TO":  # the file holds the kind, :TYPE the type it keeps
                        props["type"] = special.get("TYPE", "") or "EDGE"
                    pending.append((path, number, special.get("START_ID", ""), special.get("END_ID", ""), key, props))
            except RefusedRow as refused:
                rejects[path].append(Reject(str(path), number, refused.column, refused.reason))
    keys: set[str] = set()
    for path, number, start, end, key, props in pending:
        missing = next((n for n in (start, end) if n not in G), None)
        if missing is not None or not key or key in keys:
            why = (
                f"names node {missing[:40]!r}, which no node file of the bundle holds (or it was set aside)"
                if missing is not None
                else f"no {LINK_ID}"
                if not key
                else f"a second row for link {key[:40]!r}"
            )
            rejects[path].append(Reject(str(path), number, ":START_ID" if missing == start else LINK_ID, why))
            continue
        keys.add(key)
        G.add_edge(start, end, key=key, **props)
        where.append((path, number))
    try:
        loaded = load_graph(store, G, source=source)
    except GraphError as exc:
        raise GraphImportError(f"{folder}: the graph refused the import: {exc}") from exc
    for aside in loaded.set_aside:
        path, number = where[aside.number - 1]
        rejects[path].append(Reject(str(path), number, aside.element, aside.reason))
    report.entities_by_kind = Counter(loaded.entities_by_kind)
    report.links_by_kind = Counter(loaded.links_by_kind)
    ledger = Ledger(ledger_path(work_dir), store.url)
    try:
        for path, found in rejects.items():
            report.rows_rejected += len({(r.file, r.row) for r in found})
            ledger.advance(file_digest(path), source, str(path), Checkpoint(), found, run_id, now_iso())
        ledger.write_rejects_csv(rejects_path(work_dir))
        summary = report.run_summary([str(p) for p in files], time.perf_counter() - started)
        ledger.record_run(run_id, started_at, summary)
    finally:
        ledger.close()
    log.info("loaded Disrupt's own bundle %s: %d rows set aside", folder, report.rows_rejected)
    return report


def _json_decoded(props: dict[str, Any], as_json: set[str]) -> dict[str, Any]:
    out = dict(props)
    for name in as_json & set(props):
        try:
            value = json.loads(props[name])
        except (TypeError, json.JSONDecodeError) as exc:
            raise RefusedRow(name, f"should hold JSON text: {exc}") from exc
        if name == META_COLUMNS["provenance"] and isinstance(value, list):
            value = [tuple(p) if isinstance(p, list) else p for p in value]
        out[name] = value
    return out


__all__ = ["import_own_bundle"]
