"""``disrupt copy-store``: move a whole graph between stores and check the copy by counting."""

from __future__ import annotations

from contextlib import closing

import click
from rich.progress import Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from disrupt.cliutil import console, emit_json, json_option
from graph import GraphError, open_store
from graph.copy import CopyReport, copy_store


def _print_copy(report: CopyReport) -> None:
    table = Table(title="Counts by kind (source / copy)")
    for column in ("what", "kind", "source", "copy", ""):
        table.add_column(column, justify="right" if column in ("source", "copy") else "left")
    for line in report.counts:
        table.add_row(line.what, line.kind, f"{line.source:,}", f"{line.copy:,}", "" if line.same else "DIFFERENT")
    console.print(table)
    console.print(
        f"{report.merges:,} resolution merges, {report.judgements:,} judgements, "
        f"{report.erasure_records:,} erasure records and {report.results:,} result tables copied"
    )


@click.command("copy-store")
@click.argument("source_url")
@click.argument("target_url")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1, 100_000))
@json_option
def copy_store_command(source_url: str, target_url: str, batch_size: int, as_json: bool) -> None:
    """Copy the graph at SOURCE_URL into the empty store at TARGET_URL and verify counts by kind.

    \b
    disrupt copy-store sqlite:///disrupt-data/graph.db neo4j://disrupt@graph.internal:7687/disrupt
    disrupt copy-store bolt://disrupt@10.0.0.5:7687/disrupt sqlite:///backup/graph.db

    A Neo4j password comes from DISRUPT_NEO4J_PASSWORD (or DISRUPT_NEO4J_PASSWORD_FILE).
    """
    try:
        with closing(open_store(source_url)) as source, closing(open_store(target_url)) as target, Progress(
            TextColumn("{task.description}"), TextColumn("{task.completed:,}"), TimeElapsedColumn(),
            console=console, transient=True, disable=as_json,
        ) as bar:  # fmt: skip
            tasks = {what: bar.add_task(f"copying {what}", total=None) for what in ("records", "links")}
            report = copy_store(
                source, target, batch_size=batch_size, progress=lambda what, n: bar.advance(tasks[what], n)
            )
    except GraphError as exc:
        raise click.ClickException(str(exc)) from exc
    emit_json(report.as_dict()) if as_json else _print_copy(report)
    if not report.verified:
        raise click.ClickException("the copy's counts differ from the source's (see the lines marked DIFFERENT)")


COMMANDS = [copy_store_command]
