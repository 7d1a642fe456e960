"""neo4j-admin import bundles from a Disrupt graph (:mod:`graph.interchange`'s exchange form)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from graph.interchange import FORMAT_VERSION, InterchangeError
from graph.schema import Schema

_NEO4J_TYPES = {"string": "string", "text": "string", "enum": "string", "integer": "long", "number": "double"}
_NEO4J_TYPES |= {"boolean": "boolean", "date": "date", "datetime": "datetime", "strings": "string[]"}
ARRAY_DELIMITER = ";"
MANIFEST = "disrupt-bundle.json"  # marks a bundle Disrupt wrote; neo4j-admin reads only the CSV files
LINK_ID = "disrupt_id"  # the relationship column holding the Disrupt link id
# kind is the file (and :LABEL / :TYPE), the label derives from the properties; seen dates and sources are written
_NOT_WRITTEN = ("kind", "label")
# Written under these names, so that a bundle read without its manifest (or from Neo4j) keeps them as
# plain properties that never pass for the store's own seen dates and sources.
META_COLUMNS = {name: f"disrupt_{name}" for name in ("first_seen", "last_seen", "provenance")}


def write_neo4j_bundle(G: nx.MultiDiGraph, schema: Schema, folder: Path) -> list[Path]:
    """Write a neo4j-admin import bundle: one node file per kind, one relationship file per link kind.

    Load it into a fresh Neo4j with ``neo4j-admin database import full --multiline-fields=true
    --nodes=nodes-*.csv --relationships=relationships-*.csv`` (texts such as intelligence reports may
    hold line breaks, quoted as CSV quotes them), or with ``disrupt import-graph``. Column types come from the
    schema (undeclared properties of open kinds are strings, or JSON text when they hold a list or
    mapping); a ``RELATED_TO`` link is written under the type it keeps. Every node and relationship
    also carries its first and last seen and its sources (``provenance``, JSON text), and every
    relationship its Disrupt link id (``disrupt_id``). A manifest (:data:`MANIFEST`) marks the bundle as
    Disrupt's and says which columns hold JSON text and which link kind each relationship file holds,
    so ``disrupt import-graph`` loads it back as the same graph (ids, kinds, properties, seen dates).
    Returns the files written (the manifest last).

    Raises:
        InterchangeError: a list item holds the array delimiter ``;``, which neo4j-admin would split.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    json_columns: dict[str, list[str]] = {}
    link_kinds: dict[str, str] = {}
    by_kind: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for node, data in G.nodes(data=True):
        by_kind.setdefault(str(data.get("kind", "Other")), []).append((str(node), data))
    for kind, rows in sorted(by_kind.items()):
        declared = schema.entities[kind].properties if kind in schema.entities else {}
        names = sorted({k for _, d in rows for k in d if k not in _NOT_WRITTEN and d[k] is not None})
        columns = [_column(n, declared, rows) for n in names]
        as_json = [n for n, c in zip(names, columns, strict=True) if _needs_json(n, c, rows)]
        header = [":ID", ":LABEL", *_header(names, columns, as_json)]
        body = []
        for node, data in rows:
            labels = [kind, *(data.get("labels") or [])] if kind == "Other" else [kind]
            cells = [_cell(data.get(n), f"node {node}", as_json=n in as_json) for n in names]
            body.append([node, ARRAY_DELIMITER.join(labels), *cells])
        name = f"nodes-{kind}.csv"
        json_columns[name] = [META_COLUMNS.get(n, n) for n in as_json]
        written.append(_write_csv(folder / name, header, body))
    by_type: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = {}
    for u, v, key, data in G.edges(keys=True, data=True):
        rel = str(data.get("kind", "RELATED_TO"))
        by_type.setdefault(rel, []).append((str(u), str(v), str(key), data))
    for rel, edges in sorted(by_type.items()):
        declared = schema.links[rel].properties if rel in schema.links else {}
        names = sorted({k for *_, d in edges for k in d if k not in _NOT_WRITTEN and d[k] is not None})
        if rel == "RELATED_TO":
            names = [n for n in names if n != "type"]
        keyed = [(k, d) for *_, k, d in edges]
        columns = [_column(n, declared, keyed) for n in names]
        as_json = [n for n, c in zip(names, columns, strict=True) if _needs_json(n, c, keyed)]
        header = [
            ":START_ID",
            ":END_ID",
            ":TYPE",
            f"{LINK_ID}:string",
            *_header(names, columns, as_json),
        ]
        body = [
            [
                u,
                v,
                str(d.get("type") or rel) if rel == "RELATED_TO" else rel,
                k,
                *(_cell(d.get(n), f"edge {k}", as_json=n in as_json) for n in names),
            ]
            for u, v, k, d in edges
        ]
        name = f"relationships-{rel}.csv"
        json_columns[name], link_kinds[name] = [META_COLUMNS.get(n, n) for n in as_json], rel
        written.append(_write_csv(folder / name, header, body))
    manifest = {"disrupt_format": FORMAT_VERSION, "json_columns": json_columns, "link_kinds": link_kinds}
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(path)
    return written


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a bundle Disrupt wrote (its format is this version's), else None."""
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InterchangeError(f"{path}: not the manifest Disrupt writes: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("disrupt_format") != FORMAT_VERSION:
        return None
    return manifest


def _header(names: list[str], columns: list[str], as_json: list[str]) -> list[str]:
    out = []
    for name, column in zip(names, columns, strict=True):
        typed = "string" if name in as_json else column.rsplit(":", 1)[1]
        out.append(f"{META_COLUMNS.get(name, name)}:{typed}")
    return out


def _needs_json(name: str, column: str, rows: Sequence[tuple[str, Mapping[str, Any]]]) -> bool:
    """Whether a column's values only come back as they were when written as JSON text."""
    if name == "provenance":
        return True  # a list of (source, record id, grading)
    values = [d[name] for _, d in rows if d.get(name) is not None]
    if column.endswith(":string[]"):
        return any(v == [] for v in values)  # an empty list would read back as no value
    if column.endswith(":string"):
        return any(not isinstance(v, str) for v in values)
    return False


def _column(name: str, declared: Mapping[str, Any], rows: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    prop = declared.get(name)
    if prop is not None:
        return f"{name}:{_NEO4J_TYPES.get(prop.type, 'string')}"
    values = [d[name] for _, d in rows if d.get(name) is not None]
    kinds = {_scalar_name(v) for v in values}
    if len(kinds) == 1 and (only := kinds.pop()) != "string":
        return f"{name}:{only}"  # long, double or boolean: the same names in GEXF and neo4j-admin
    if values and all(isinstance(v, list) and all(isinstance(i, str) for i in v) for v in values):
        return f"{name}:string[]"
    return f"{name}:string"


def _cell(value: Any, where: str, *, as_json: bool = False) -> str:
    if value is None:
        return ""
    if as_json:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(i, str) for i in value):
        if any(ARRAY_DELIMITER in i for i in value):
            raise InterchangeError(f"{where}: a list item holds {ARRAY_DELIMITER!r}, which neo4j-admin splits on")
        return ARRAY_DELIMITER.join(value)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return repr(value) if isinstance(value, float) else str(value)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _scalar_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    return "double" if isinstance(value, float) else "string"


__all__ = ["ARRAY_DELIMITER", "LINK_ID", "MANIFEST", "META_COLUMNS", "read_manifest", "write_neo4j_bundle"]
