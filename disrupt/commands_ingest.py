"""``disrupt ingest``, ``resolve``, ``split``, ``import-graph``, ``import-edges`` and ``demo``."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from common.settings import Settings
from disrupt.audited import (
    audit_analysis,
    audit_import,
    audit_ingest,
    audit_ingest_stopped,
    audit_resolution,
    audit_split,
    canonical_ids,
)
from disrupt.cliutil import audit_read, console, emit_json, json_option, opened, store_option
from graph import GraphError, GraphStore
from ingest.defaults import DEFAULT_CHUNK, DEFAULT_COMMIT_ROWS

_QUIET_OPTION = click.option("--quiet", is_flag=True, help="No progress bar.")


@contextmanager
def _progress_bar(total: int | None, quiet: bool) -> Iterator[Any]:
    """A rich progress bar counting rows, with rows per second; a no-op when quiet or not a terminal."""
    if quiet or not console.is_terminal:
        yield lambda n: None
        return
    started = time.perf_counter()
    done = [0]
    columns = (
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("rows", total=total, rate="-")

        def advance(n: int) -> None:
            done[0] += n
            rate = done[0] / max(time.perf_counter() - started, 1e-6)
            bar.update(task, advance=n, rate=f"{rate:,.0f}")

        yield advance


def _manifest_rows(path: Path) -> int | None:
    manifest = path / "manifest.json" if path.is_dir() else None
    if manifest is None or not manifest.is_file():
        return None
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        return sum(int(f.get("rows", 0)) for f in files if f.get("format") != "geojson")
    except (ValueError, KeyError, TypeError):
        return None


def _known_encoding(name: str | None) -> str | None:
    """The encoding name, if Python knows it (checked before any file is read)."""
    if name is None:
        return None
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise click.BadParameter(f"unknown encoding {name!r}; try utf-8, cp1252 or latin-1") from None


def _work_dir(ctx: click.Context) -> Path:
    settings: Settings = ctx.obj
    return settings.data_dir


def run_ingest(
    store: GraphStore,
    path: Path,
    work_dir: Path,
    *,
    source: str | None = None,
    specs: Path | None = None,
    restart: bool = False,
    quiet: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    commit_rows: int = DEFAULT_COMMIT_ROWS,
    encoding: str | None = None,
) -> Any:
    from ingest.mapping import InvalidMapping
    from ingest.pipeline import IngestError, ingest_paths

    try:
        with _progress_bar(_manifest_rows(path), quiet) as advance:
            return ingest_paths(
                store,
                path,
                work_dir,
                source=source,
                specs_dir=specs,
                restart=restart,
                chunk_size=chunk_size,
                commit_rows=commit_rows,
                progress=advance,
                encoding=encoding,
            )
    except (IngestError, InvalidMapping) as exc:
        raise click.ClickException(str(exc)) from exc


def print_ingest_report(report: Any) -> None:
    table = Table(title=f"Ingest run {report.run_id}: {report.seconds:.1f} s")
    for col in ("source", "read", "loaded", "rejected", "new", "merged", "placeholders", "status"):
        table.add_column(col, justify="left" if col in ("source", "status") else "right")
    for f in report.files:
        table.add_row(
            Text(f.source),
            f"{f.rows_read:,}",
            f"{f.rows_loaded:,}",
            f"{f.rows_rejected:,}",
            f"{f.entities_created:,}",
            f"{f.entities_merged:,}",
            f"{f.placeholders:,}",
            Text(f.status + (f": {f.message}" if f.status == "failed" else "")),
        )
    table.add_row("total", f"{report.rows_read:,}", f"{report.rows_loaded:,}", f"{report.rows_rejected:,}")
    console.print(table)
    kinds = Table(title="Entities by kind")
    for col in ("kind", "before", "after"):
        kinds.add_column(col, justify="left" if col == "kind" else "right")
    for kind, n in report.by_kind.items():
        kinds.add_row(Text(kind), f"{n['before']:,}", f"{n['after']:,}")
    console.print(kinds)
    for name in report.unrecognised:
        console.print(Text(f"not recognised, not loaded: {name}", style="yellow"))
    if report.rows_rejected:
        console.print(Text(f"{report.rows_rejected:,} rows set aside with reasons in {report.rejects_file}"))
    erased = sum(f.rows_erased for f in report.files)
    if erased:
        console.print(
            Text(
                f"{erased:,} of them name an entity that was erased, so they are not loaded again "
                "(`disrupt erasures` lists the erasures; `disrupt lift-erasure` lifts one made in error)"
            )
        )


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--source", metavar="KIND", help="The source kind of a single file (e.g. police_nominals).")
@click.option(
    "--specs", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Folder of your own mapping specs."
)
@click.option(
    "--restart", is_flag=True, help="Ignore checkpoints and load every file again (changes nothing already loaded)."
)
@click.option(
    "--chunk-size", default=DEFAULT_CHUNK, show_default=True, type=click.IntRange(1, 1_000_000), help="Rows per batch."
)
@click.option(
    "--commit-rows",
    default=DEFAULT_COMMIT_ROWS,
    show_default=True,
    type=click.IntRange(1, 10_000_000),
    help="Rows between commits and checkpoints; a crash replays at most this many.",
)
@click.option(
    "--encoding",
    metavar="NAME",
    callback=lambda ctx, param, value: _known_encoding(value),
    help="The text encoding of the CSV files (e.g. cp1252, latin-1); by default judged over each whole file.",
)
@_QUIET_OPTION
@store_option
@json_option
@click.pass_context
def ingest(
    ctx: click.Context,
    path: Path,
    source: str | None,
    specs: Path | None,
    restart: bool,
    chunk_size: int,
    commit_rows: int,
    encoding: str | None,
    quiet: bool,
    store_url: str | None,
    as_json: bool,
) -> None:
    """Load a partner export (a file with --source) or a folder of exports into the graph.

    Each file loads whole or not at all: a file that cannot be read whole is refused, with the
    reason, and leaves nothing in the graph; bad rows of a good file are set aside with reasons.
    """
    with opened(ctx, store_url) as store:
        try:
            report = run_ingest(
                store,
                path,
                _work_dir(ctx),
                source=source,
                specs=specs,
                restart=restart,
                quiet=quiet or as_json,
                chunk_size=chunk_size,
                commit_rows=commit_rows,
                encoding=encoding,
            )
        except BaseException as exc:  # collection is audited even when the run stops part way
            audit_ingest_stopped(ctx, path, exc)
            raise
    audit_ingest(ctx, report, path)
    if as_json:
        emit_json(report.as_dict())
    else:
        print_ingest_report(report)
    if report.failed:
        raise click.ClickException(f"{len(report.failed)} file(s) could not be loaded; see the table above")


def run_resolve(store: GraphStore, threshold: float) -> list[Any]:
    from ingest.resolve import resolve_businesses, resolve_episodes, resolve_people

    with console.status("Resolving people, missing episodes and businesses ..."):
        # episodes after people: an interview joins the episode of the same resolved child
        return [resolve_people(store, threshold=threshold), resolve_episodes(store), resolve_businesses(store)]


def print_resolve_reports(reports: list[Any]) -> None:
    table = Table(title="Entity resolution")
    for col in ("kind", "records", "entities", "records merged", "moved this run", "pairs linked", "seconds"):
        table.add_column(col, justify="left" if col == "kind" else "right")
    for r in reports:
        table.add_row(
            Text(r.kind),
            f"{r.records:,}",
            f"{r.clusters:,}",
            f"{r.merged_records:,}",
            f"{r.records_moved:,}",
            f"{r.pairs_linked:,}",
            f"{r.seconds:.1f}",
        )
    console.print(table)


@click.command()
@click.option(
    "--threshold", default=0.9, show_default=True, type=click.FloatRange(0.5, 0.999), help="Match probability."
)
@store_option
@json_option
@click.pass_context
def resolve(ctx: click.Context, threshold: float, store_url: str | None, as_json: bool) -> None:
    """Resolve people (Splink, trained on the data) and businesses across sources."""
    with opened(ctx, store_url) as store:
        before = canonical_ids(store)
        reports = run_resolve(store, threshold)
        audit_resolution(ctx, before, canonical_ids(store), reports)
    if as_json:
        emit_json([vars(r) for r in reports])
    else:
        print_resolve_reports(reports)


@click.command()
@click.argument("record_ids", nargs=-1, required=True)
@click.option("--reference", required=True, help="Case or ticket reference for the decision (kept as a judgement).")
@store_option
@click.pass_context
def split(ctx: click.Context, record_ids: tuple[str, ...], reference: str, store_url: str | None) -> None:
    """Undo a wrong merge: these source records leave their entity and stand as one of their own."""
    from ingest.resolve import split_records

    with opened(ctx, store_url) as store:
        before = store.canonical_ids(record_ids)
        moved = split_records(store, record_ids, reference=reference)
        audit_split(ctx, store, record_ids, before, moved, reference)
    console.print(f"{moved} record(s) split off; the next `disrupt resolve` keeps them apart")


@click.command()
@click.argument("entity_id")
@store_option
@json_option
@click.pass_context
def records(ctx: click.Context, entity_id: str, store_url: str | None, as_json: bool) -> None:
    """List the source records an entity stands for (ids to give to `disrupt split`)."""
    with opened(ctx, store_url) as store:
        entity = store.get_entity(entity_id)
        if entity is None:
            raise click.ClickException(f"no entity {entity_id!r}")
        members = [e for e in store.records_of_kind(entity.kind) if (e.merged_into or e.id) == entity.id]
    rows = [{"record_id": e.id, "label": e.label, "canonical": e.merged_into is None} for e in members]
    audit_read(ctx, "records", [entity.id, *(e.id for e in members)])
    if as_json:
        emit_json(rows)
        return
    table = Table(title=f"Records of {entity.kind} {entity.id}")
    for col in ("record id", "label", "canonical"):
        table.add_column(col)
    for r in rows:
        table.add_row(Text(str(r["record_id"])), Text(str(r["label"])), "yes" if r["canonical"] else "")
    console.print(table)


def _print_import(report: Any) -> None:
    table = Table(title=f"Imported {report.source}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("nodes read", f"{report.nodes_read:,}")
    table.add_row("relationships read", f"{report.relationships_read:,}")
    table.add_row("rows set aside (rejects.csv)", f"{report.rows_rejected:,}")
    for kind, n in sorted(report.entities_by_kind.items()):
        table.add_row(Text(f"entities held: {kind}"), f"{n:,}")
    for kind, n in sorted(report.links_by_kind.items()):
        table.add_row(Text(f"links held: {kind}"), f"{n:,}")
    console.print(table)
    if report.label_map:
        console.print(Text(f"label map: {report.label_map}"))
    for title, rows in (("source label", report.labels), ("relationship type", report.types)):
        detail = Table(title=f"By {title} (held counts come from the store)")
        for col in (title, "read", "became", "set aside", "renamed / inferred", "kept as extra"):
            detail.add_column(col)
        for name, held in sorted(rows.items()):
            became = ", ".join(f"{k} {n:,}" for k, n in sorted(held.became.items())) or "-"
            if held.folded:
                became += f" ({held.folded:,} folded into a link of another type)"
            renames = [f"{a} -> {b}" for a, b in held.renamed.items()]
            renames += [f"{a} -> {b} (inferred)" for a, b in held.inferred.items()]
            renames += [f"{p}: {n:,} kept as written, not normalised" for p, n in held.not_normalised.items()]
            detail.add_row(
                Text(name), f"{held.read:,}", Text(became), f"{held.set_aside:,}", Text("; ".join(renames)),
                Text(", ".join(sorted(held.kept_as_extra))),
            )  # fmt: skip
        console.print(detail)


@click.command("import-graph")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="YAML map of labels and types."
)
@click.option("--no-map", is_flag=True, help="Use no shipped map even if the bundle fits one (e.g. Neo4j's POLE).")
@store_option
@json_option
@click.pass_context
def import_graph(
    ctx: click.Context, folder: Path, labels: Path | None, no_map: bool, store_url: str | None, as_json: bool
) -> None:
    """Import a neo4j-admin import CSV bundle (node and relationship files).

    Without --labels, a shipped map (ingest/maps) is used when the bundle's labels and headers fit it.
    """
    from ingest.graph_import import GraphImportError, import_neo4j_bundle

    with opened(ctx, store_url) as store:
        try:
            report = import_neo4j_bundle(store, folder, _work_dir(ctx), labels=labels, choose_map=not no_map)
        except GraphImportError as exc:
            raise click.ClickException(str(exc)) from exc
    audit_import(ctx, "import graph", report, folder)
    emit_json(report.as_dict()) if as_json else _print_import(report)


@click.command("import-neo4j")
@click.argument("url")
@click.option(
    "--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="YAML map of labels and types."
)
@click.option("--no-map", is_flag=True, help="Use no shipped map even if the database fits one (e.g. Neo4j's POLE).")
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file holding the source database's password (default: as the store takes it, DISRUPT_NEO4J_PASSWORD "
    "or DISRUPT_NEO4J_PASSWORD_FILE).",
)
@store_option
@json_option
@click.pass_context
def import_neo4j(
    ctx: click.Context,
    url: str,
    labels: Path | None,
    no_map: bool,
    password_file: Path | None,
    store_url: str | None,
    as_json: bool,
) -> None:
    """Import a live Neo4j database (bolt:// or neo4j://user@host:7687/database), read over Bolt in pages.

    The source is only read. Labels, types and properties are mapped as import-graph maps a bundle.
    """
    from ingest.graph_import import GraphImportError
    from ingest.neo4j_import import import_neo4j_database

    password = password_file.read_text(encoding="utf-8").strip() if password_file is not None else None
    with opened(ctx, store_url) as store:
        try:
            report = import_neo4j_database(
                store, url, _work_dir(ctx), password=password, labels=labels, choose_map=not no_map
            )
        except GraphImportError as exc:
            raise click.ClickException(str(exc)) from exc
    audit_import(ctx, "import neo4j", report, url)
    emit_json(report.as_dict()) if as_json else _print_import(report)


@click.command("import-edges")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--node-kind", default="Other", show_default=True, help="Kind of the nodes (Other or Person).")
@click.option("--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="YAML map of types.")
@click.option(
    "--header/--no-header", default=None, help="Whether the first line names the columns (found out if not said)."
)
@click.option(
    "--delimiter",
    type=click.Choice(["comma", "tab", "semicolon", "whitespace"]),
    help="What separates the columns (found out if not said).",
)
@store_option
@json_option
@click.pass_context
def import_edges(
    ctx: click.Context,
    file: Path,
    node_kind: str,
    labels: Path | None,
    header: bool | None,
    delimiter: str | None,
    store_url: str | None,
    as_json: bool,
) -> None:
    """Import an edge list: source, target, and optionally weight and type; comma, tab, semicolon or
    whitespace separated, with or without a header line."""
    from ingest.graph_import import GraphImportError, import_edge_list

    with opened(ctx, store_url) as store:
        try:
            report = import_edge_list(
                store, file, _work_dir(ctx), node_kind=node_kind, labels=labels, header=header, delimiter=delimiter
            )
        except GraphImportError as exc:
            raise click.ClickException(str(exc)) from exc
    audit_import(ctx, "import edges", report, file)
    emit_json(report.as_dict()) if as_json else _print_import(report)


@click.command()
@click.option("--people", default=5000, show_default=True, type=click.IntRange(200, 5_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Stop after the data work; do not start the app.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the app listens on.")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@_QUIET_OPTION
@click.pass_context
def demo(ctx: click.Context, people: int, seed: int, no_serve: bool, host: str, port: int, quiet: bool) -> None:
    """Generate the demo district, ingest it, resolve it, then serve the app.

    Uses DISRUPT_DATA_DIR (the world goes to <data dir>/world-<people>-<seed>) and DISRUPT_STORE.
    """
    from disrupt.commands_analyse import run_analysis
    from synthetic import generate as generate_world

    settings: Settings = ctx.obj
    world = settings.data_dir / f"world-{people}-{seed}"
    if not (world / "manifest.json").is_file():
        with console.status(f"Simulating {people:,} people (seed {seed}) ..."):
            generate_world(world, people=people, seed=seed)
    console.print(f"Demo exports in {world}")
    try:
        with opened(ctx, None) as store:
            report = run_ingest(store, world, settings.data_dir, quiet=quiet)
            audit_ingest(ctx, report, world)
            print_ingest_report(report)
            before = canonical_ids(store)
            resolved = run_resolve(store, 0.9)
            audit_resolution(ctx, before, canonical_ids(store), resolved)
            print_resolve_reports(resolved)
            with console.status("Analysing ..."):
                run_id, analysis = run_analysis(store, seed=seed)
            audit_analysis(ctx, run_id, analysis)
            counts = store.counts()
    except GraphError as exc:
        raise click.ClickException(str(exc)) from exc
    console.print(
        f"Graph ready: {sum(counts.entities.values()):,} entities, {sum(counts.links.values()):,} links "
        f"in {settings.store_url}"
    )
    console.print(
        f"Analysis {run_id} in {analysis['timings']['total']:.1f}s: {analysis['rows']['groups']} groups, "
        f"{analysis['rows']['flags']} licences and businesses checked; see `disrupt results groups`"
    )
    boundaries = world / "geography" / "wards.geojson"
    if boundaries.is_file() and settings.boundaries is None:
        settings.boundaries_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(boundaries, settings.boundaries_path)
    if no_serve:
        return
    from disrupt.commands_app import make_demo_users, serve

    table = Table(title="Demo users (passwords shown once; new ones at every `disrupt demo`)")
    for column in ("user", "role", "password"):
        table.add_column(column)
    for name, password in make_demo_users(settings).items():
        table.add_row(name, name.removeprefix("demo-"), password)
    console.print(table)
    serve(settings, host, port)


COMMANDS = [ingest, resolve, split, records, import_graph, import_neo4j, import_edges, demo]
