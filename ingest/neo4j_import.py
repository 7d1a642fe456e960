"""Import straight from a live Neo4j database (``disrupt import-neo4j URL``): labels, properties
and relationships read over Bolt in pages, made into entities and links by the same importer, label
map and report as a neo4j-admin bundle (:mod:`ingest.graph_import`).

The source database is only read (:class:`graph.neo4j_store.Neo4jSource` opens read sessions and
writes nothing). A node's id in the source is its element id; a row set aside is reported as the
database's ``nodes`` or ``relationships``, numbered in the order read, with the property and reason
(a node whose entity was erased is set aside naming the erasure, as a bundle's row is).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from graph import GraphError, GraphStore, StoreConfigError
from ingest.graph_importer import BATCH, GraphImporter, NodeRow
from ingest.graph_maps import choose_map_for
from ingest.graph_report import GraphImportError, ImportReport, RefusedRow
from ingest.ledger import Reject

if TYPE_CHECKING:
    from graph.neo4j_store import Neo4jSource

log = logging.getLogger(__name__)


def import_neo4j_database(
    store: GraphStore,
    url: str,
    work_dir: Path,
    *,
    password: str | None = None,
    labels: Path | None = None,
    choose_map: bool = True,
    page: int = 5_000,
) -> ImportReport:
    """Import every node, then every relationship, of the Neo4j database at ``url``.

    ``password`` is taken as the store takes it (DISRUPT_NEO4J_PASSWORD or its file when None).

    Raises:
        GraphImportError: the database cannot be reached or read, or the labels file is malformed.
    """
    from graph.neo4j_store import Neo4jSource

    try:
        source = Neo4jSource(url, password=password, page=page)
    except StoreConfigError as exc:
        raise GraphImportError(str(exc)) from exc
    where = f"{source.config.uri}/{source.config.database or 'default'}"
    try:
        label_map, why = choose_map_for(store, labels, choose_map, source.keys_by_label)
        importer = GraphImporter(store, work_dir, f"neo4j:{source.config.database or 'default'}", label_map, why)
        try:
            _import_nodes(importer, source, where)
            _import_relationships(importer, source, where)
            importer.write_links()
            importer.count_stored()
            importer.finish([f"{where} nodes", f"{where} relationships"])
        finally:
            importer.close()
    except GraphError as exc:
        raise GraphImportError(f"{where}: the import failed: {exc}") from exc
    finally:
        source.close()
    return importer.report


def _digest(where: str, what: str, loaded_at: str) -> str:
    return hashlib.sha256(f"{where} {what} {loaded_at}".encode()).hexdigest()


def _import_nodes(importer: GraphImporter, source: Neo4jSource, where: str) -> None:
    batch: list[NodeRow] = []
    rejects: list[Reject] = []
    for number, (element_id, labels, props) in enumerate(source.nodes(), start=1):
        importer.report.nodes_read += 1
        counts = importer.report.labels[importer.report_label(labels)]
        counts.read += 1
        try:
            entity = importer.node("", element_id, labels, props, {}, f"node {element_id}")
        except RefusedRow as refused:
            rejects.append(Reject(f"{where} nodes", number, refused.column, refused.reason))
            counts.set_aside += 1
            continue
        batch.append(NodeRow("", element_id, entity, f"{where} nodes", number, "", counts))
        if len(batch) >= BATCH:
            rejects += importer.store_entities(batch)
            batch = []
    rejects += importer.store_entities(batch)
    importer.reject(f"{where} nodes", rejects, digest=_digest(where, "nodes", importer.loaded_at))


def _import_relationships(importer: GraphImporter, source: Neo4jSource, where: str) -> None:
    rejects: list[Reject] = []
    for number, (rel_type, start_id, end_id, props) in enumerate(source.relationships(), start=1):
        importer.report.relationships_read += 1
        start, end = importer.ids.get(("", start_id)), importer.ids.get(("", end_id))
        reason, column = None, ""
        if start is None or end is None:
            reason = f"names node {start_id if start is None else end_id!r}, which was set aside"
        elif start == end:
            reason = "joins a node to itself"
        else:
            try:
                importer.link(rel_type, start, end, props, f"relationship {number}")
                continue
            except RefusedRow as refused:
                reason, column = refused.reason, refused.column
        rejects.append(Reject(f"{where} relationships", number, column, reason))
        importer.report.types[rel_type].set_aside += 1
    importer.reject(f"{where} relationships", rejects, digest=_digest(where, "relationships", importer.loaded_at))


__all__ = ["import_neo4j_database"]
