"""Import of an edge list (``disrupt import-edges``): source, target, and optionally weight and type,
read by :mod:`ingest.edge_lists` and made into entities and links by the importer every foreign
graph goes through (:class:`ingest.graph_importer.GraphImporter`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from graph import Entity, GraphError, GraphStore
from ingest.edge_lists import EdgeListError, EdgeRow, edge_list_layout, read_edge_list
from ingest.graph_columns import convert
from ingest.graph_importer import BATCH, GraphImporter
from ingest.graph_maps import LabelMapError, load_label_map
from ingest.graph_report import GraphImportError, ImportReport, RefusedRow
from ingest.ledger import Reject

log = logging.getLogger(__name__)

_NODE_LABEL = "edge list node"  # the report's label, and an Other node's labels, for every node of a list


def import_edge_list(
    store: GraphStore,
    path: Path,
    work_dir: Path,
    *,
    node_kind: str = "Other",
    labels: Path | None = None,
    header: bool | None = None,
    delimiter: str | None = None,
) -> ImportReport:
    """Import an edge list: source, target, and optionally weight and type, comma, tab, semicolon or
    whitespace separated, with or without a header (see :mod:`ingest.edge_lists`).

    Nodes are ``node_kind`` entities named by the values of source and target (``Other`` by default,
    or ``Person`` with the value as reference); each row is a link of its type (a Disrupt link kind
    or a type mapped by the labels file), else ``RELATED_TO`` keeping the type (``EDGE`` when none).
    A row naming a node that was erased is set aside, naming the erasure; the rest loads.

    Raises:
        GraphImportError: the node kind is not one identified by a reference, or the file's layout
            cannot be read (no source and target, no delimiter that fits).
    """
    if node_kind not in store.schema.entities or store.schema.entities[node_kind].key not in (("ref",), ("reference",)):
        keyed = sorted(k for k, ek in store.schema.entities.items() if ek.key in (("ref",), ("reference",)))
        raise GraphImportError(f"edge-list nodes must be a kind identified by a reference: one of {', '.join(keyed)}")
    try:
        layout = edge_list_layout(path, header=header, delimiter=delimiter)
        label_map = load_label_map(labels, store.schema)
    except (EdgeListError, LabelMapError) as exc:
        raise GraphImportError(str(exc)) from exc
    how = f"{layout.delimiter} separated, {'with a header' if layout.header else 'no header'}"
    importer = GraphImporter(store, work_dir, f"edges:{path.stem}", label_map, how)
    rejects: list[Reject] = []
    key = "ref" if "ref" in store.schema.entities[node_kind].key else "reference"
    try:
        # Every row read and checked first, and its nodes made, to know which were erased before any link is made
        checked: list[tuple[EdgeRow, dict[str, Any] | RefusedRow]] = []
        entities: dict[str, Entity] = {}
        for row in read_edge_list(path, layout):
            try:
                checked.append((row, _edge_properties(row, layout.delimiter)))
            except RefusedRow as refused:
                checked.append((row, refused))
                continue
            for name in (row.source, row.target):
                if name not in entities:
                    node = {key: name, **({"name": name, "labels": [_NODE_LABEL]} if node_kind == "Other" else {})}
                    entities[name] = importer.entity(node_kind, node, {}, {}, f"{path.name}:{row.line}", _NODE_LABEL)
                    importer.report.nodes_read += 1
                    importer.report.labels[_NODE_LABEL].read += 1
        erased = store.erased_ids({e.id for e in entities.values()}) if entities else {}
        for row, props in checked:
            importer.report.relationships_read += 1
            rel_type = row.type or "EDGE"
            try:
                if isinstance(props, RefusedRow):
                    raise props
                gone = next((n for n in (row.source, row.target) if entities[n].id in erased), None)
                if gone is not None:
                    why = f"names node {gone[:40]!r}, which was erased (erasure {erased[entities[gone].id]})"
                    raise RefusedRow("source" if gone == row.source else "target", f"{why}; it is not stored again")
                ends = [(entities[n].id, node_kind) for n in (row.source, row.target)]
                importer.link(rel_type, ends[0], ends[1], props, f"{path.name}:{row.line}")
            except RefusedRow as refused:
                rejects.append(Reject(str(path), row.line, refused.column, refused.reason))
                importer.report.types[rel_type].set_aside += 1
        nodes = [e for e in entities.values() if e.id not in erased]
        importer.report.labels[_NODE_LABEL].set_aside += len(entities) - len(nodes)
        for start in range(0, len(nodes), BATCH):
            store.upsert(nodes[start : start + BATCH], [])
        importer.write_links()
        importer.count_stored()
        importer.reject(path, rejects)
        importer.finish([str(path)])
    except (GraphError, RefusedRow) as exc:
        raise GraphImportError(f"{path}: the graph refused the import: {exc}") from exc
    finally:
        importer.close()
    return importer.report


def _edge_properties(row: EdgeRow, delimiter: str) -> dict[str, Any]:
    """A row's link properties (its weight a number), or why it is set aside.

    Raises:
        RefusedRow: the row cannot be read, names no source or target, joins a node to itself, or
            its weight is not a number.
    """
    reason = row.problem or ("source or target is empty" if not row.source or not row.target else None)
    reason = reason or ("joins a node to itself" if row.source == row.target else None)
    if reason is not None:
        raise RefusedRow("", reason)
    props: dict[str, Any] = dict(row.extra)
    if row.weight:
        text = row.weight.replace(",", ".") if delimiter == "semicolon" else row.weight
        try:
            props["weight"] = convert(text, "double")
        except ValueError as exc:
            raise RefusedRow("weight", f"weight {row.weight[:40]!r} is not a number: {exc}") from None
    return props


__all__ = ["import_edge_list"]
