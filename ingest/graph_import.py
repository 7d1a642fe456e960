"""Imports of data that already is a graph: neo4j-admin import CSV bundles and plain edge lists.

Nothing is dropped. A node becomes the kind its label names or a label map maps it to (a shipped
map is chosen when a bundle fits it, see :mod:`ingest.graph_maps`), with its properties renamed as
the map says or as common names suggest (``reg`` is a VRM, ``phoneNo`` a phone number); a property
the kind does not declare is kept as ``extra_<name>``, and the node's source labels as
``extra_labels``. A node of a label no map names, or that lacks its kind's key, is an ``Other``
entity keeping its ``labels`` and properties. A relationship becomes the link kind its type names
or is mapped to (renamed properties, fixed ones, the source type in ``extra_types``); one of a
type no map names, or between kinds the link kind may not join, is a ``RELATED_TO`` link keeping
its ``type``. Relationships of several types between the same two ends that map to one link kind
make one link carrying every type (``nature`` "knows; lives with"), never the last one alone.

A row with a bad value, or naming an entity that was erased, is set aside with file, line, column
and reason (``rejects.csv``, as ingest does) and the rest loads. The report counts what the store
holds after the import; the ledger holds the import as a run.

The work is in parts, by job: :mod:`ingest.graph_columns` reads a bundle's typed CSV files,
:mod:`ingest.graph_importer` makes nodes and relationships into entities and links (with
:mod:`ingest.graph_properties`), :mod:`ingest.graph_report` is the report, :mod:`ingest.disrupt_bundle`
loads a bundle Disrupt exported, :mod:`ingest.edge_list_import` an edge list, and
:mod:`ingest.neo4j_import` a live database. This module reads a foreign bundle and is the door to all.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from graph import GraphError, GraphStore
from graph.interchange import InterchangeError
from graph.neo4j_bundle import read_manifest
from ingest.disrupt_bundle import import_own_bundle
from ingest.edge_list_import import import_edge_list
from ingest.graph_columns import Column, bundle_rows, file_kind, header_of, read_columns, typed_row
from ingest.graph_importer import BATCH, GraphImporter, NodeRow
from ingest.graph_maps import choose_map_for, load_label_map
from ingest.graph_report import GraphImportError, ImportReport, RefusedRow, SourceCount
from ingest.ledger import Reject

log = logging.getLogger(__name__)


def import_neo4j_bundle(
    store: GraphStore, folder: Path, work_dir: Path, *, labels: Path | None = None, choose_map: bool = True
) -> ImportReport:
    """Import every node file, then every relationship file, of a neo4j-admin import CSV bundle.

    With no ``labels`` file, a shipped map whose labels and headers the bundle has is used (unless
    ``choose_map`` is False); the report says which and why. A bundle Disrupt exported (it has a
    manifest) is loaded as it was written (:mod:`ingest.disrupt_bundle`).

    Raises:
        GraphImportError: the folder holds no node file, or a header or labels file is malformed.
    """
    files = sorted(p for p in folder.glob("*.csv") if p.is_file())
    if not files:
        raise GraphImportError(f"{folder}: no .csv files; a neo4j-admin bundle has node and relationship CSV files")
    columns = {p: read_columns(header_of(p), p) for p in files}
    kinds = {p: file_kind(cols) for p, cols in columns.items()}
    if "nodes" not in kinds.values():
        raise GraphImportError(f"{folder}: no node file (a header with :ID); is this a neo4j-admin import bundle?")
    try:
        manifest = read_manifest(folder)
    except InterchangeError as exc:
        raise GraphImportError(str(exc)) from exc
    if manifest is not None:
        return import_own_bundle(store, folder, work_dir, files, columns, kinds, manifest)
    label_map, why = choose_map_for(store, labels, choose_map, lambda: _headers_by_label(columns, kinds))
    log.info("importing bundle with label map %r", label_map.name or "(none)")
    importer = GraphImporter(store, work_dir, f"import:{folder.name}", label_map, why)
    try:
        for path in (p for p in files if kinds[p] == "nodes"):
            _import_nodes(importer, path, columns[path])
        for path in (p for p in files if kinds[p] == "relationships"):
            _import_relationships(importer, path, columns[path])
        importer.write_links()
        importer.count_stored()
        importer.finish([str(p) for p in files if kinds[p] != "unknown"])
    except GraphError as exc:
        raise GraphImportError(f"{folder}: the graph refused the import: {exc}") from exc
    finally:
        importer.close()
    return importer.report


def _headers_by_label(columns: Mapping[Path, list[Column]], kinds: Mapping[Path, str]) -> dict[str, set[str]]:
    """For each label of the bundle's node files (its :ID space and its first row's :LABEL), the
    property names of the file's header."""
    found: dict[str, set[str]] = defaultdict(set)
    for path, cols in columns.items():
        if kinds[path] != "nodes":
            continue
        names = {c.name for c in cols if c.name and c.type.upper() not in ("LABEL", "TYPE", "IGNORE")}
        labels = {c.space for c in cols if c.type.upper() == "ID" and c.space}
        label_col = next((c.header for c in cols if c.type.upper() == "LABEL"), None)
        if label_col is not None:
            rows = bundle_rows(path)
            first = next(rows, None)
            rows.close()
            if first is not None:
                labels |= {lb for lb in first[1].get(label_col, "").split(";") if lb}
        for lb in labels:
            found[lb] |= names
    return found


def _import_nodes(importer: GraphImporter, path: Path, cols: list[Column]) -> None:
    origin = {c.name: c.header for c in cols if c.name}
    id_column = next((c.header for c in cols if c.type.upper() == "ID"), ":ID")
    batch: list[NodeRow] = []
    rejects: list[Reject] = []
    for number, values, problem in bundle_rows(path):
        importer.report.nodes_read += 1
        props, problems, special = typed_row(cols, values)
        node_id = special.get("ID", "")
        labels = [lb for lb in special.get("LABEL", "").split(";") if lb] or (
            [special["ID_SPACE"]] if special.get("ID_SPACE") else []
        )
        counts = importer.report.labels[importer.report_label(labels)]
        counts.read += 1
        if problem or problems or not node_id:
            why = problem or ("; ".join(p.reason for p in problems) if problems else ":ID is empty")
            rejects.append(Reject(str(path), number, problems[0].column if problems else "", why))
            counts.set_aside += 1
            continue
        space = special.get("ID_SPACE", "")
        try:
            entity = importer.node(space, node_id, labels, props, origin, f"{path.name}:{number}")
        except RefusedRow as refused:
            rejects.append(Reject(str(path), number, refused.column, refused.reason))
            counts.set_aside += 1
            continue
        batch.append(NodeRow(space, node_id, entity, str(path), number, id_column, counts))
        if len(batch) >= BATCH:
            rejects += importer.store_entities(batch)
            batch = []
    rejects += importer.store_entities(batch)
    importer.reject(path, rejects)


def _import_relationships(importer: GraphImporter, path: Path, cols: list[Column]) -> None:
    rejects: list[Reject] = []
    header_of_name = {c.name: c.header for c in cols if c.name}
    for number, values, problem in bundle_rows(path):
        importer.report.relationships_read += 1
        props, problems, special = typed_row(cols, values)
        start = importer.ids.get((special.get("START_ID_SPACE", ""), special.get("START_ID", "")))
        end = importer.ids.get((special.get("END_ID_SPACE", ""), special.get("END_ID", "")))
        rel_type = special.get("TYPE", "") or "RELATED"
        reason = problem or ("; ".join(p.reason for p in problems) if problems else None)
        column = problems[0].column if problems else ""
        if reason is None and (start is None or end is None):
            missing = special.get("START_ID") if start is None else special.get("END_ID")
            reason = f"names node {str(missing)[:40]!r}, which no node file of the bundle holds (or it was set aside)"
            column = next((c.header for c in cols if c.type.upper() == ("START_ID" if start is None else "END_ID")), "")
        if reason is None and start == end:
            reason = "joins a node to itself"
        if reason is None and start is not None and end is not None:
            try:
                importer.link(rel_type, start, end, props, f"{path.name}:{number}")
                continue
            except RefusedRow as refused:
                reason, column = refused.reason, header_of_name.get(refused.column, refused.column)
        rejects.append(Reject(str(path), number, column, reason or ""))
        importer.report.types[rel_type].set_aside += 1
    importer.reject(path, rejects)


__all__ = [
    "GraphImportError",
    "GraphImporter",
    "ImportReport",
    "RefusedRow",
    "SourceCount",
    "choose_map_for",
    "import_edge_list",
    "import_neo4j_bundle",
    "load_label_map",
]
