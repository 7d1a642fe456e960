"""Commands on a whole store: ``copy-store`` (move a graph between stores and check the copy by
counting), ``erase``, ``erasures`` and ``lift-erasure`` (retention and data-protection decisions)."""

from __future__ import annotations

import dataclasses
from contextlib import closing
from urllib.parse import urlsplit

import click
from rich.progress import Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from disrupt.cliutil import audit_change, console, emit_json, json_option, opened, store_option
from graph import ErasureRecord, GraphError, open_store
from graph.contract import ERASURE_REASONS, LIFT_REASONS, check_erasure, check_lift
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
@click.pass_context
def copy_store_command(ctx: click.Context, source_url: str, target_url: str, batch_size: int, as_json: bool) -> None:
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
    # a whole copy of the graph is a disclosure of everything in it: the log says from where to where
    audit_change(ctx, "copy store", "exported", f"{_where(source_url)} to {_where(target_url)}")
    emit_json(report.as_dict()) if as_json else _print_copy(report)
    if not report.verified:
        raise click.ClickException("the copy's counts differ from the source's (see the lines marked DIFFERENT)")


def _where(url: str) -> str:
    """A store URL without any user or password in it, fit for the audit log."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{':' + str(parts.port) if parts.port else ''}{parts.path}"


_REFERENCE_HELP = "Case or ticket reference for the decision (letters, digits, / _ . -); never a name."


@click.command()
@click.argument("entity_id")
@click.option("--reason", required=True, type=click.Choice(ERASURE_REASONS), help="Why it is erased.")
@click.option("--reference", required=True, help=_REFERENCE_HELP)
@click.option("--yes", is_flag=True, help="Erase without asking to confirm.")
@store_option
@json_option
@click.pass_context
def erase(
    ctx: click.Context, entity_id: str, reason: str, reference: str, yes: bool, store_url: str | None, as_json: bool
) -> None:
    """Erase an entity: it, every record merged into it, its links, their sources and its saved
    result rows. A record of the erasure stays (when, why, what kind, how much; no personal data),
    and later loads refuse the erased records until the erasure is lifted (`disrupt lift-erasure`).
    The audit log records who erased it."""
    try:
        erasure_reason = check_erasure(reason, reference)
    except GraphError as exc:
        raise click.UsageError(str(exc)) from exc
    with opened(ctx, store_url) as store:
        entity = store.get_entity(entity_id)
        if entity is None:
            raise click.ClickException(f"no entity {entity_id!r}; `disrupt search` finds an entity's id")
        if not yes:
            click.confirm(
                f"Erase {entity.kind} {entity.id} (it stands for {len(entity.provenance)} source record(s)) "
                "and its links? This cannot be undone",
                abort=True,
            )
        record = store.erase_entity(entity.id, reason=erasure_reason, reference=reference)
    audit_change(ctx, "erase", "erased", _described(record))
    if as_json:
        emit_json(dataclasses.asdict(record))
        return
    console.print(
        f"Erased one {record.kind}, {record.links_removed:,} links, {record.sources_removed:,} source records and "
        f"{record.results_removed:,} result rows (erasure {record.erasure_id}). Later loads set aside the rows "
        "that would bring it back."
    )


@click.command()
@store_option
@json_option
@click.pass_context
def erasures(ctx: click.Context, store_url: str | None, as_json: bool) -> None:
    """List the erasure records, oldest first, with any lift."""
    with opened(ctx, store_url) as store:
        records = store.erasures()
    if as_json:
        emit_json([dataclasses.asdict(r) for r in records])
        return
    if not records:
        console.print("No erasures.")
        return
    for r in records:  # a block each: a table of nine columns is unreadable in a terminal
        lines = [
            f"Erasure {r.erasure_id}: one {r.kind}, erased {r.erased_at}",
            f"  removed {r.links_removed:,} links, {r.sources_removed:,} source records, "
            f"{r.results_removed:,} result rows",
            f"  reason {r.reason}, reference {r.reference}",
        ]
        if r.lifted_at:
            lines.append(f"  lifted {r.lifted_at}: reason {r.lift_reason}, reference {r.lift_reference}")
        console.print(Text("\n".join(lines)))


@click.command("lift-erasure")
@click.argument("erasure_id")
@click.option("--reason", required=True, type=click.Choice(LIFT_REASONS), help="Why the erasure no longer holds.")
@click.option("--reference", required=True, help=_REFERENCE_HELP)
@store_option
@json_option
@click.pass_context
def lift_erasure(
    ctx: click.Context, erasure_id: str, reason: str, reference: str, store_url: str | None, as_json: bool
) -> None:
    """Let loads store an erased entity's records again (the erasure was a mistake, or a court
    says so). Nothing erased comes back by itself: load the exports that held it again
    (`disrupt ingest PATH --restart`). The erasure record stays, marked lifted; the audit log
    records who lifted it."""
    try:
        lift_reason = check_lift(reason, reference)
    except GraphError as exc:
        raise click.UsageError(str(exc)) from exc
    with opened(ctx, store_url) as store:
        record = store.lift_erasure(erasure_id, reason=lift_reason, reference=reference)
    audit_change(ctx, "lift erasure", "lifted", _described(record))
    if as_json:
        emit_json(dataclasses.asdict(record))
        return
    console.print(
        f"Lifted erasure {record.erasure_id} (one {record.kind}, erased {record.erased_at}). Load the exports "
        "that held it again (`disrupt ingest PATH --restart`) to bring its records back."
    )


def _described(record: ErasureRecord) -> str:
    """An erasure for the audit log: its id, kind, reasons and references, nobody's data."""
    text = f"erasure {record.erasure_id} of one {record.kind}: {record.reason} {record.reference}"
    if record.lifted_at:
        text += f"; lifted: {record.lift_reason} {record.lift_reference}"
    return text


COMMANDS = [copy_store_command, erase, erasures, lift_erasure]
