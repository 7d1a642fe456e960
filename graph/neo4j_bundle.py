"""neo4j-admin import bundles from a Disrupt graph (:mod:`graph.interchange`'s exchange form)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from graph.interchange import EDGE_META, NODE_META, InterchangeError
from graph.schema import Schema

_NEO4J_TYPES = {"string": "string", "text": "string", "enum": "string", "integer": "long", "number": "double"}
_NEO4J_TYPES |= {"boolean": "boolean", "date": "date", "datetime": "datetime", "strings": "string[]"}
ARRAY_DELIMITER = ";"


def write_neo4j_bundle(G: nx.MultiDiGraph, schema: Schema, folder: Path) -> list[Path]:
    """Write a neo4j-admin import bundle: one node file per kind, one relationship file per link kind.

    Load it into a fresh Neo4j with ``neo4j-admin database import full --multiline-fields=true
    --nodes=nodes-*.csv --relationships=relationships-*.csv`` (texts such as intelligence reports may
    hold line breaks, quoted as CSV quotes them), or with ``disrupt import-graph``. Column types come from the
    schema (undeclared properties of open kinds are strings, or JSON text when they hold a list or
    mapping); a ``RELATED_TO`` link is written under the type it keeps. Returns the files written.

    Raises:
        InterchangeError: a list item holds the array delimiter ``;``, which neo4j-admin would split.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    by_kind: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for node, data in G.nodes(data=True):
        by_kind.setdefault(str(data.get("kind", "Other")), []).append((str(node), data))
    for kind, rows in sorted(by_kind.items()):
        declared = schema.entities[kind].properties if kind in schema.entities else {}
        names = sorted({k for _, d in rows for k in d if k not in NODE_META and d[k] is not None})
        header = [":ID", ":LABEL", *(_column(n, declared, rows) for n in names)]
        body = []
        for node, data in rows:
            labels = [kind, *(data.get("labels") or [])] if kind == "Other" else [kind]
            body.append([node, ARRAY_DELIMITER.join(labels), *(_cell(data.get(n), f"node {node}") for n in names)])
        written.append(_write_csv(folder / f"nodes-{kind}.csv", header, body))
    by_type: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = {}
    for u, v, key, data in G.edges(keys=True, data=True):
        rel = str(data.get("kind", "RELATED_TO"))
        by_type.setdefault(rel, []).append((str(u), str(v), str(key), data))
    for rel, edges in sorted(by_type.items()):
        declared = schema.links[rel].properties if rel in schema.links else {}
        names = sorted({k for *_, d in edges for k in d if k not in EDGE_META and d[k] is not None})
        if rel == "RELATED_TO":
            names = [n for n in names if n != "type"]
        header = [
            ":START_ID",
            ":END_ID",
            ":TYPE",
            *(_column(n, declared, [(k, d) for *_, k, d in edges]) for n in names),
        ]
        body = [
            [
                u,
                v,
                str(d.get("type") or rel) if rel == "RELATED_TO" else rel,
                *(_cell(d.get(n), f"edge {k}") for n in names),
            ]
            for u, v, k, d in edges
        ]
        written.append(_write_csv(folder / f"relationships-{rel}.csv", header, body))
    return written


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


def _cell(value: Any, where: str) -> str:
    if value is None:
        return ""
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


__all__ = ["ARRAY_DELIMITER", "write_neo4j_bundle"]
