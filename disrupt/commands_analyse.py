"""``disrupt analyse`` and ``disrupt results``: run the analytics over the store and read what they saved."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from disrupt.audited import audit_analysis
from disrupt.cliutil import audit_read, console, emit_json, json_option, opened, store_option
from graph import GraphStore
from graph.result_rows import (
    ROW_TYPES,
    FlagReason,
    GroupMember,
    Labelled,
    ResultRow,
    decode_rows,
    field_names,
    stored_rows,
    table_items,
)

# The columns worth a glance for each result, in the terminal; --json prints everything.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "groups": ("group_id", "label", "size", "density", "events", "first_activity", "last_activity"),
    "key_players": ("group_id", "rank_in_group", "label", "score", "network_rank", "degree", "degree_in_group"),
    "network_ranking": ("rank", "label", "score", "group_id", "degree", "betweenness", "pagerank", "brokerage"),
    "disruption_options": ("group_id", "rank", "target_kind", "label", "score", "children_cut_off", "paths_broken"),
    "disruption_plan": ("step", "action", "children_cut_off", "largest_component_share", "source", "reasons"),
    "disruption_curves": ("strategy", "step", "children_cut_off", "largest_component_share", "fragmentation"),
    "hotspots": ("entity_id", "count", "sightings", "z", "p", "hotspot"),
    "hotspot_wards": ("label", "count"),
    "hotspot_trend": ("label", "month", "count"),
    "hotspot_periods": ("entity_id", "period", "count"),
    "density": ("latitude", "longitude", "density"),
    "flags": ("level", "subject_type", "label", "status", "reasons"),
    "child_indicators": ("entity_id", "age", "missing_episodes", "trend", "suspects_within_2", "peer_children"),
    "management_information": ("measure", "category", "count"),
    "summary": ("as_of", "people", "groups", "hotspot_cells", "pai", "flags_high"),
}
# A column renamed in graph.result_rows must be renamed here too: this fails at import, not at a user's command.
_UNKNOWN = {(n, c) for n, cols in _COLUMNS.items() for c in cols if c not in field_names(ROW_TYPES[n])}
if _UNKNOWN:
    raise RuntimeError(f"disrupt results shows columns its row types do not have: {sorted(_UNKNOWN)}")


def run_analysis(store: GraphStore, *, seed: int, run_id: str | None = None) -> tuple[str, dict[str, Any]]:
    """Analyse the store's graph and save every table under one run id. Returns the run id and timings."""
    from analytics.analysis import analyse

    run_id = run_id or uuid.uuid4().hex[:16]
    started = time.perf_counter()
    G = store.to_networkx(provenance=True)
    loaded = time.perf_counter() - started
    analysis = analyse(G, seed=seed, clock=time.perf_counter)
    saving = time.perf_counter()
    tables = table_items(analysis.tables)
    for name, rows in tables:
        store.save_results(name, stored_rows(rows), run_id=run_id)  # typed rows become the stored mapping here
    timings = {"load_graph": round(loaded, 3), **analysis.timings, "save": round(time.perf_counter() - saving, 3)}
    timings["total"] = round(time.perf_counter() - started, 3)
    return run_id, {"timings": timings, "rows": {name: len(rows) for name, rows in tables}}


@click.command()
@click.option("--seed", default=1, show_default=True, help="Seed for community detection and sampling.")
@store_option
@json_option
@click.pass_context
def analyse(ctx: click.Context, seed: int, store_url: str | None, as_json: bool) -> None:
    """Find groups, key players, disruption options, hotspots, licensing flags and child indicators."""
    with opened(ctx, store_url) as store, console.status("Analysing ..."):
        run_id, report = run_analysis(store, seed=seed)
    audit_analysis(ctx, run_id, report)  # results about people are made or replaced: recorded (s.62)
    if as_json:
        emit_json({"run_id": run_id, **report})
        return
    table = Table(title=f"Analysis {run_id}")
    table.add_column("result")
    table.add_column("rows", justify="right")
    for name, count in report["rows"].items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    steps = ", ".join(f"{k} {v:.2f}s" for k, v in report["timings"].items())
    console.print(f"Timings: {steps}")


def _part_text(value: Any) -> str:
    """A part of a list cell: a reason's words, a named entity's label, or the value."""
    if isinstance(value, FlagReason):
        return value.reason or str(value)
    if isinstance(value, Labelled | GroupMember):
        return value.label or str(value)
    if isinstance(value, dict):  # a table with no row type (saved by something other than the analysis)
        return str(value.get("reason") or value.get("label") or value)
    return str(value)


def _cell(value: Any) -> Text:
    """A table cell as plain text: values from the data never reach rich's markup parser."""
    if isinstance(value, list):
        return Text("; ".join(_part_text(v) for v in value))
    return Text("" if value is None else str(value))


def _shown(row: ResultRow | Mapping[str, Any], column: str) -> Any:
    return getattr(row, column) if isinstance(row, ResultRow) else row.get(column)


@click.command()
@click.argument("name")
@click.option("--run", "run_id", default=None, help="A run id (default: the latest run).")
@click.option("--limit", default=50, show_default=True, help="Rows to show in the table (JSON prints all).")
@store_option
@json_option
@click.pass_context
def results(
    ctx: click.Context, name: str, run_id: str | None, limit: int, store_url: str | None, as_json: bool
) -> None:
    """Print a saved result table (groups, key_players, disruption_options, hotspots, flags, child_indicators ...)."""
    with opened(ctx, store_url) as store:
        table = store.read_results(name, run_id=run_id)
        known = store.result_names()
    if table is None:
        hint = f"saved results: {', '.join(known)}" if known else "no results saved yet: run `disrupt analyse` first"
        raise click.ClickException(f"no result named {name!r}; {hint}")
    row_type = ROW_TYPES.get(name)
    rows: Sequence[ResultRow | Mapping[str, Any]] = decode_rows(row_type, table.rows) if row_type else table.rows
    audit_read(ctx, f"results {name}", [str(_shown(r, "entity_id")) for r in rows], detail=f"run {table.run_id}")
    if as_json:  # the rows as saved
        emit_json(
            {"name": table.name, "run_id": table.run_id, "created_at": table.created_at, "rows": list(table.rows)}
        )
        return
    columns = _COLUMNS.get(name) or tuple(table.rows[0].keys() if table.rows else ("entity_id", "label"))
    shown = Table(title=f"{name} (run {table.run_id}, {len(rows):,} rows)")
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in rows[:limit]:
        shown.add_row(*(_cell(_shown(row, c)) for c in columns))
    console.print(shown)


COMMANDS = [analyse, results]
