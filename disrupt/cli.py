"""The ``disrupt`` command."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from common.settings import configure_logging, load_settings
from disrupt import __version__
from disrupt.cliutil import audit_read, console, emit_json, json_option, opened, store_option
from graph import GraphStore
from graph.records import Entity
from graph.records import Path as GraphPath
from graph.search import find_entities

PRIVATE_UMASK = 0o077  # files Disrupt creates are readable by their owner only


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="disrupt")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Disrupt: intelligence and disruption graph analysis against child exploitation.

    Settings come from DISRUPT_* environment variables (see the README).
    """
    try:
        settings = load_settings()
    except ValueError as exc:
        raise click.ClickException(f"bad DISRUPT_* setting: {exc}") from exc
    configure_logging(settings.log_level)
    os.umask(PRIVATE_UMASK)  # the store, app database, ledger, rejects and exports hold personal data
    ctx.obj = settings


@main.command()
@store_option
@json_option
@click.pass_context
def stats(ctx: click.Context, store_url: str | None, as_json: bool) -> None:
    """Print the number of entities and links of each kind."""
    with opened(ctx, store_url) as store:
        counts = store.counts()
    if as_json:
        emit_json(counts.as_dict())
        return
    for title, table_counts in (("Entities", counts.entities), ("Links", counts.links)):
        table = Table(title=f"{title} ({sum(table_counts.values()):,})")
        table.add_column("kind")
        table.add_column("count", justify="right")
        for kind, n in sorted(table_counts.items()):
            table.add_row(Text(kind), f"{n:,}")
        console.print(table)


def _entity_row(e: Entity) -> dict[str, str]:
    return {"id": e.id, "kind": e.kind, "label": e.label}


@main.command()
@click.argument("text")
@click.option("--kind", "kinds", multiple=True, metavar="KIND", help="Only this kind (repeatable).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@store_option
@json_option
@click.pass_context
def search(
    ctx: click.Context, text: str, kinds: tuple[str, ...], limit: int, store_url: str | None, as_json: bool
) -> None:
    """Find entities as people type them: a name in either order, a reference, VRM, phone, postcode or address.

    Partial; case, accents and spacing ignored.
    """
    with opened(ctx, store_url) as store:
        _check_kinds(store, kinds)
        hits = find_entities(store, text, kinds=kinds or None, limit=limit)
    audit_read(ctx, "search", [e.id for e in hits], searched=text)  # the text is kept only as a hash
    if as_json:
        emit_json([_entity_row(e) for e in hits])
        return
    if not hits:
        click.echo("No match.")
        return
    table = Table(title=f"{len(hits)} match(es)")
    for col in ("id", "kind", "label"):
        table.add_column(col, overflow="fold")
    for e in hits:
        table.add_row(Text(e.id), Text(e.kind), Text(e.label))
    console.print(table)


def _check_kinds(store: GraphStore, kinds: tuple[str, ...]) -> None:
    unknown = [k for k in kinds if k not in store.schema.entities]
    if unknown:
        raise click.BadParameter(
            f"unknown kind {unknown[0]!r}; choose from {', '.join(sorted(store.schema.entities))}",
            param_hint="--kind",
        )


def _resolve_one(store: GraphStore, text: str) -> Entity:
    """An entity by id, or the only search hit for the text; otherwise a helpful error."""
    entity = store.get_entity(text)
    if entity is not None:
        return entity
    hits = find_entities(store, text, limit=6)  # typed as for `disrupt search`
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise click.ClickException(f"nothing matches {text!r}; try `disrupt search` to find the entity")
    listed = "\n".join(f"  {e.id}  {e.kind}  {e.label}" for e in hits[:5])
    raise click.ClickException(f"{text!r} matches several entities; pass one of these ids:\n{listed}")


@main.command()
@click.argument("first")
@click.argument("second")
@click.option("--max-hops", default=4, show_default=True, type=click.IntRange(1, 12))
@click.option("--max-paths", default=10, show_default=True, type=click.IntRange(1, 1000))
@store_option
@json_option
@click.pass_context
def paths(
    ctx: click.Context,
    first: str,
    second: str,
    max_hops: int,
    max_paths: int,
    store_url: str | None,
    as_json: bool,
) -> None:
    """Shortest connecting paths between two entities, each given by id or by search text."""
    with opened(ctx, store_url) as store:
        a, b = _resolve_one(store, first), _resolve_one(store, second)
        found = store.shortest_paths(a.id, b.id, max_hops=max_hops, max_paths=max_paths)
        entities = {e.id: e for e in store.get_entities({i for p in found for i in p.entities})}
        links = {ln.id: ln for ln in store.get_links({i for p in found for i in p.links})}
    audit_read(ctx, "paths", [a.id, b.id, *entities], detail=f"{a.id} to {b.id}")
    if as_json:
        emit_json(
            {
                "from": _entity_row(a),
                "to": _entity_row(b),
                "paths": [
                    {
                        "hops": p.hops,
                        "entities": [_entity_row(entities[i]) for i in p.entities],
                        "links": [
                            {"id": i, "kind": links[i].kind, "source": links[i].source, "target": links[i].target}
                            for i in p.links
                        ],
                    }
                    for p in found
                ],
            }
        )
        return
    if not found:
        click.echo(f"No path of {max_hops} hops or fewer.")
        return
    for n, p in enumerate(found, 1):
        click.echo(f"{n}. {_describe_path(p, entities, links)}")


def _describe_path(p: GraphPath, entities: dict[str, Entity], links: dict[str, Any]) -> str:
    parts = [f"{entities[p.entities[0]].label} ({entities[p.entities[0]].kind})"]
    for i, link_id in enumerate(p.links):
        here, there = p.entities[i], p.entities[i + 1]
        ln = links[link_id]
        arrow = f"-[{ln.kind}]->" if ln.source == here else f"<-[{ln.kind}]-"
        parts.append(f"{arrow} {entities[there].label} ({entities[there].kind})")
    return " ".join(parts)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write.")
@click.option("--people", default=5000, show_default=True, type=click.IntRange(200, 5_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
def generate(out: Path, people: int, seed: int) -> None:
    """Write a synthetic district's partner-agency exports and its ground truth (truth.json)."""
    from synthetic import generate as generate_world

    started = time.perf_counter()
    with console.status(f"Simulating {people:,} people ..."):
        truth = generate_world(out, people=people, seed=seed)
    table = Table(title=f"Wrote {out} in {time.perf_counter() - started:.1f} s")
    for col in ("file", "rows", "bad rows"):
        table.add_column(col, justify="left" if col == "file" else "right")
    for path, info in truth["files"].items():
        table.add_row(Text(path), f"{info['rows']:,}", f"{info['bad_rows']:,}")
    console.print(table)
    console.print(f"{len(truth['groups'])} planted groups, {len(truth['hotspots'])} hotspots; truth in truth.json")


def _register_commands() -> None:
    from disrupt import (
        commands_analyse,
        commands_app,
        commands_audit,
        commands_backup,
        commands_export,
        commands_ingest,
        commands_store,
    )

    for command in [
        *commands_audit.COMMANDS,
        *commands_ingest.COMMANDS,
        *commands_analyse.COMMANDS,
        *commands_app.COMMANDS,
        *commands_store.COMMANDS,
        *commands_backup.COMMANDS,
        *commands_export.COMMANDS,
    ]:
        main.add_command(command)


_register_commands()
