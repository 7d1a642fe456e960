"""``disrupt export-graph`` (GraphML, GEXF, a neo4j-admin bundle or an i2 chart) and ``disrupt import-network``
(a GraphML or GEXF file, from Gephi, yEd or another Disrupt)."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import networkx as nx
from rich.table import Table
from rich.text import Text

from common.settings import ledger_path, rejects_path
from disrupt.cliutil import _audit, audit_change, console, emit_json, json_option, opened, store_option
from graph import GraphError, GraphStore
from graph.gexf import write_gexf
from graph.i2 import chart_anx
from graph.interchange import InterchangeError, LoadReport, load_graph, read_graph_file, write_graphml
from graph.neo4j_bundle import write_neo4j_bundle
from graph.records import now_iso
from graph.result_rows import GroupMember, GroupRow, Labelled, decode_rows
from graph.search import find_entities
from ingest.ledger import Checkpoint, Ledger, Reject, file_digest

FORMATS = ("graphml", "gexf", "neo4j-admin", "anx")


def _one_entity(store: GraphStore, text: str) -> str:
    """An entity id, or the only entity the text finds (as ``disrupt search`` finds it)."""
    if store.get_entity(text) is not None:
        return text
    hits = find_entities(store, text, limit=6)
    if len(hits) == 1:
        return hits[0].id
    if not hits:
        raise click.ClickException(f"nothing matches {text!r}; try `disrupt search` to find the entity")
    listed = "\n".join(f"  {e.id}  {e.kind}  {e.label}" for e in hits[:5])
    raise click.ClickException(f"{text!r} matches several entities; pass one of these ids:\n{listed}")


def _group_ids(store: GraphStore, group: str) -> list[str]:
    """The people, children and things a saved group lists (from the latest ``disrupt analyse``)."""
    table = store.read_results(GroupRow.TABLE)
    if table is None:
        raise click.ClickException("no groups are saved; run `disrupt analyse` first")
    groups = decode_rows(GroupRow, table.rows)
    row = next((g for g in groups if g.group_id == group), None)
    if row is None:
        known = ", ".join(g.group_id for g in groups[:10])
        raise click.ClickException(f"no group {group!r} in run {table.run_id}; groups include {known}")
    listed: list[GroupMember | Labelled] = [*row.members, *row.children, *row.vehicles, *row.phones]
    listed += [*row.licences, *row.premises]
    return list(dict.fromkeys(str(item.entity_id) for item in listed if item.entity_id))


def _selected(store: GraphStore, entity: str | None, hops: int, group: str | None, max_nodes: int) -> nx.MultiDiGraph:
    if entity and group:
        raise click.UsageError("give --entity or --group, not both")
    if entity:
        centre = _one_entity(store, entity)
        part = store.neighbourhood(centre, hops=hops, max_nodes=max_nodes)
        if part.truncated:
            console.print(f"[yellow]{part.note or 'the neighbourhood was cut at --max-nodes'}[/yellow]")
        return store.to_networkx(entity_ids=[e.id for e in part.entities], provenance=True)
    if group:
        return store.to_networkx(entity_ids=_group_ids(store, group), provenance=True)
    return store.to_networkx(provenance=True)


def _what(entity: str | None, hops: int, group: str | None) -> str:
    if group:
        return f"group {group}"
    return f"{hops} hops around one entity" if entity else "the whole graph"


@click.command("export-graph")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="File format to write.")
@click.option("--entity", metavar="ID_OR_TEXT", help="Only the network around this entity (id or search text).")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(1, 6), help="With --entity: how far.")
@click.option("--group", metavar="GROUP_ID", help="Only this group's people and things (e.g. G001).")
@click.option("--max-nodes", default=2000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--prepared-by", default=None, help="Name on an i2 chart (default: your login).")
@store_option
@json_option
@click.pass_context
def export_graph(
    ctx: click.Context,
    out: Path,
    fmt: str,
    entity: str | None,
    hops: int,
    group: str | None,
    max_nodes: int,
    prepared_by: str | None,
    store_url: str | None,
    as_json: bool,
) -> None:
    """Write the graph (or the part around an entity or a group) for Gephi, yEd, Neo4j or i2.

    \b
    disrupt export-graph network.graphml --format graphml          # yEd, Gephi, Cytoscape
    disrupt export-graph network.gexf --format gexf --group G001    # Gephi
    disrupt export-graph bundle/ --format neo4j-admin               # neo4j-admin database import full
    disrupt export-graph chart.anx --format anx --entity "Ada Zqx"  # i2 Analyst's Notebook

    The file holds personal data: the export is recorded in the audit log, with the ids it holds,
    before it is written. Set DISRUPT_PURPOSE to say why.
    """
    with opened(ctx, store_url) as store:
        G = _selected(store, entity, hops, group, max_nodes)
        schema = store.schema
    if fmt == "neo4j-admin" and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise click.ClickException(f"{out}: a neo4j-admin bundle is written into a new or empty folder")
    if fmt != "neo4j-admin" and out.is_dir():
        raise click.ClickException(f"{out} is a folder; name the file to write")
    detail = (
        f"{fmt} of {_what(entity, hops, group)} to {out.name}: "
        f"{G.number_of_nodes()} entities and {G.number_of_edges()} links"
    )
    # Recorded before the file exists, so no copy leaves without its entry (the app's rule too).
    try:
        _audit(ctx, "export graph", [str(n) for n in G], "exported", detail)
    except (sqlite3.Error, OSError) as exc:
        raise click.ClickException(f"nothing written: the audit log could not record the export ({exc})") from exc
    try:
        _write(G, schema, fmt, out, prepared_by or getpass.getuser(), _what(entity, hops, group))
    except (InterchangeError, OSError) as exc:
        raise click.ClickException(f"{out}: {exc}") from exc
    summary = {"format": fmt, "out": str(out), "entities": G.number_of_nodes(), "links": G.number_of_edges()}
    if as_json:
        emit_json(summary)
    else:
        console.print(f"Wrote {out}: {G.number_of_nodes():,} entities, {G.number_of_edges():,} links ({fmt}).")


def _write(G: nx.MultiDiGraph, schema: Any, fmt: str, out: Path, prepared_by: str, what: str) -> None:
    marking = os.environ.get("DISRUPT_MARKING", "") or "OFFICIAL-SENSITIVE"
    G.graph["description"] = (
        f"{marking}. Prepared by {prepared_by} on {dt.date.today().isoformat()} with Disrupt: {what}."
    )
    if fmt == "graphml":
        write_graphml(G, out)
    elif fmt == "gexf":
        write_gexf(G, out)
    elif fmt == "neo4j-admin":
        write_neo4j_bundle(G, schema, out)
    else:
        out.write_bytes(chart_anx(G, schema, title=f"Disrupt chart: {what}", prepared_by=prepared_by, marking=marking))


@click.command("import-network")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@store_option
@json_option
@click.pass_context
def import_network(ctx: click.Context, file: Path, store_url: str | None, as_json: bool) -> None:
    """Import a GraphML or GEXF file (Gephi, yEd, or a Disrupt export, which loads back as it was).

    Nodes whose ``kind`` names a Disrupt kind become that kind; others become Other entities keeping
    every attribute. Edges of a Disrupt link kind that fits become that kind; others RELATED_TO links
    keeping their type. Elements that cannot be stored are listed with why.
    """
    try:
        G = read_graph_file(file)
    except InterchangeError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    with opened(ctx, store_url) as store:
        try:
            report = load_graph(store, G, source=f"file:{file.name}")
        except GraphError as exc:
            raise click.ClickException(f"{file}: the graph refused the import: {exc}") from exc
        if report.set_aside:
            _keep_set_aside(ctx.obj.data_dir, store.url, file, report)
    audit_change(
        ctx,
        "import network",
        "collected",
        f"{report.source}: {report.nodes_read} nodes and {report.edges_read} edges read, "
        f"{len(report.set_aside)} set aside; {sum(report.entities_by_kind.values())} entities and "
        f"{sum(report.links_by_kind.values())} links held",
    )
    if as_json:
        emit_json(report.as_dict())
        return
    _print_report(report.as_dict())


def _keep_set_aside(data_dir: Path, store_url: str, file: Path, report: LoadReport) -> None:
    """What was set aside goes where ingest's rejected rows go (the ingest ledger and rejects.csv), so the
    administrator's ingest pages list it with the file, the element and why."""
    ledger = Ledger(ledger_path(data_dir), store_url)
    try:
        elements = report.nodes_read + report.edges_read
        done = Checkpoint(elements, elements, elements - len(report.set_aside), len(report.set_aside), True)
        rejects = [Reject(str(file), a.number, a.element, a.reason) for a in report.set_aside]
        ledger.advance(file_digest(file), report.source, str(file), done, rejects, report.source, now_iso())
        ledger.write_rejects_csv(rejects_path(data_dir))
    finally:
        ledger.close()


def _print_report(report: dict[str, Any]) -> None:
    table = Table(title=f"{report['source']}: {report['nodes_read']:,} nodes, {report['edges_read']:,} edges read")
    for column in ("stored as", "kind", "count"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for what, counts in (("entities", report["entities_by_kind"]), ("links", report["links_by_kind"])):
        for kind, n in sorted(counts.items()):
            table.add_row(what, Text(kind), f"{n:,}")
    for what, counts in (("kept as Other", report["kept_as_other"]), ("kept as RELATED_TO", report["kept_as_related"])):
        for kind, n in sorted(counts.items()):
            table.add_row(what, Text(kind), f"{n:,}")
    console.print(table)
    aside: Sequence[dict[str, Any]] = report["set_aside"]
    for row in aside[:20]:
        console.print(Text(f"set aside: {row['element']} (element {row['number']}): {row['reason']}"))
    if len(aside) > 20:
        console.print(f"... and {len(aside) - 20} more set aside (--json lists them all)")


COMMANDS = [export_graph, import_network]
