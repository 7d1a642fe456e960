"""The network view: a neighbourhood drawn with pyvis's vis-network, served from local files.

pyvis assembles the nodes, edges and options; a small bidirectional component in
``app/components/network`` draws them with the vis-network copy shipped beside it (no CDN) and
reports the node the user clicks. Labels and titles are escaped here (see PITFALLS: pyvis shows
titles as HTML); the same data makes the self-contained HTML export.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from pyvis.network import Network

from app.exports import asset_text, script_safe
from graph.records import Subgraph

COMPONENT_DIR = Path(__file__).parent / "components" / "network"
EVENT_STYLE = ("#8c8c8c", "ellipse")
KIND_STYLE: dict[str, tuple[str, str]] = {
    "Person": ("#d62728", "dot"),
    "Vehicle": ("#1f77b4", "box"),
    "Phone": ("#17becf", "triangle"),
    "Licence": ("#9467bd", "diamond"),
    "Location": ("#2ca02c", "square"),
    "Business": ("#ff7f0e", "star"),
    "Other": ("#bcbd22", "dot"),
}
OPTIONS: dict[str, Any] = {
    "physics": {
        "enabled": True,
        "solver": "forceAtlas2Based",
        "stabilization": {"enabled": True, "iterations": 200, "fit": True},
    },
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}, "font": {"size": 9, "align": "middle"}},
    "nodes": {"font": {"size": 16, "multi": False}},
}
_LABEL_LIMIT = 28


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_LIMIT else text[: _LABEL_LIMIT - 1] + "…"


def build_network(sub: Subgraph, *, focus: str | None = None) -> Network:
    """A pyvis network of a subgraph, coloured and shaped by kind, edges labelled by link kind and source."""
    net = Network(height="600px", width="100%", directed=True, cdn_resources="in_line")
    for e in sub.entities:
        colour, shape = KIND_STYLE.get(e.kind, EVENT_STYLE)
        sources = sorted({p.source for p in e.provenance})
        net.add_node(
            e.id,
            label=escape(_short(e.label), quote=False),
            title=escape(f"{e.kind}: {e.label}\nsources: {', '.join(sources) or 'none'}"),
            color=colour,
            shape=shape,
            borderWidth=4 if e.id == focus else 1,
            size=22 if e.id == focus else 14,
        )
    for link in sub.links:
        sources = sorted({p.source for p in link.provenance})
        net.add_edge(
            link.source,
            link.target,
            label=escape(link.kind, quote=False),
            title=escape(f"{link.kind} (from {', '.join(sources) or 'no source'})"),
        )
    net.set_options(json.dumps(OPTIONS))
    return net


def network_data(net: Network) -> dict[str, Any]:
    """Nodes, edges and options as plain data for the component."""
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "options": json.loads(options) if isinstance(options, str) else options}


def status_line(sub: Subgraph) -> str:
    """One line that says what is drawn and whether the node cap cut it short."""
    kinds = Counter(e.kind for e in sub.entities)
    by_kind = ", ".join(f"{n} {k}" for k, n in kinds.most_common())
    text = f"{len(sub.entities)} entities ({by_kind}), {len(sub.links)} links"
    if sub.truncated:
        text += f". Cut at the node cap: {sub.note or 'narrow the hops or link kinds to see the rest'}"
    return text


def network_key(data: dict[str, Any]) -> str:
    """A digest of what is drawn, so the component redraws only when the picture changes."""
    blob = json.dumps([sorted(n["id"] for n in data["nodes"]), len(data["edges"])], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def network_html(net: Network, *, title: str) -> str:
    """A self-contained HTML page of the network (vis-network inlined, no remote resources)."""
    data = network_data(net)
    script = asset_text(COMPONENT_DIR / "vis-network.min.js")
    style = asset_text(COMPONENT_DIR / "vis-network.css")
    payload = script_safe(json.dumps(data))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{style}</style><style>#net{{height:90vh;border:1px solid #ddd}}"
        ".tip{max-width:360px;white-space:pre-wrap}</style>"
        f"<script>{script_safe(script)}</script></head><body><h3>{escape(title)}</h3><div id='net'></div><script>"
        f"const data = {payload};"
        "function tip(t){const d=document.createElement('div');d.className='tip';d.innerHTML=t;return d;}"
        "const nodes=data.nodes.map(n=>Object.assign({},n,{title:n.title?tip(n.title):undefined}));"
        "const edges=data.edges.map(e=>Object.assign({},e,{title:e.title?tip(e.title):undefined}));"
        "const net=new vis.Network(document.getElementById('net'),"
        "{nodes:new vis.DataSet(nodes),edges:new vis.DataSet(edges)},data.options);"
        "net.once('stabilizationIterationsDone',()=>net.setOptions({physics:{enabled:false}}));"
        "</script></body></html>"
    )
