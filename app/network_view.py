"""The network view: a neighbourhood drawn with pyvis's vis-network, served from local files.

pyvis assembles the nodes, edges and options; a small bidirectional component in
``app/components/network`` draws them with the vis-network copy shipped beside it (no CDN),
shows the legend and reports the node the user clicks. Nodes are styled here, from what the
analysis found (:mod:`app.network_facts`): people by role, everything by flag level, events,
objects and places by shape. Labels and titles are escaped here (see PITFALLS: pyvis shows titles
as HTML); the same data makes the self-contained HTML export.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Mapping
from html import escape
from pathlib import Path
from typing import Any

from pyvis.network import Network

from app.exports import asset_text, script_safe
from app.labels import code_words, source_text
from app.network_facts import CATEGORY_TITLES, PERSON_CATEGORIES, Category, NetworkView, NodeFacts
from graph.records import Entity, Link

COMPONENT_DIR = Path(__file__).parent / "components" / "network"
# People are dots coloured by role; events, objects and places have shapes of their own.
CATEGORY_COLOUR: Mapping[Category, str] = {
    "child_or_victim": "#c51b7d",
    "organiser": "#54278f",  # purple: the dark red it was read as a suspect's red
    "suspect": "#e31a1c",
    "driver": "#ff7f00",
    "other_person": "#6baed6",
    "event": "#969696",
    "object": "#1f78b4",
    "place": "#b15928",
    "location": "#33a02c",
    "context": "#bdbdbd",
}
KIND_SHAPE: Mapping[str, str] = {
    "Person": "dot",
    "Other": "dot",
    "Vehicle": "box",
    "Phone": "triangle",
    "Licence": "diamond",
    "Business": "star",
    "Location": "square",
}
EVENT_SHAPE = "hexagon"
# The flag level shows as a halo round the node (a border would swamp a small star or diamond).
LEVEL_HALO: Mapping[str, str] = {"high": "#d7191c", "medium": "#fd8d3c", "low": "#f2d600"}
LEVEL_TITLES: Mapping[str, str] = {"high": "Flagged high", "medium": "Flagged medium", "low": "Flagged low"}
# The legend's glyph for each shape (text, so the component draws it without markup).
SHAPE_GLYPH: Mapping[str, str] = {
    "dot": "●",
    "box": "■",
    "square": "■",
    "triangle": "▲",
    "diamond": "◆",
    "star": "★",
    "hexagon": "⬢",
}
OPTIONS: dict[str, Any] = {
    "physics": {
        "enabled": True,
        "solver": "forceAtlas2Based",
        "stabilization": {"enabled": True, "iterations": 200, "fit": True},
    },
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
    "edges": {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
        "font": {"size": 12, "align": "middle", "color": "#555555"},
        "color": {"color": "#b0b0b0", "highlight": "#333333"},
    },
    "nodes": {"font": {"size": 20, "multi": False}},
}
_LABEL_LIMIT = 28


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_LIMIT else text[: _LABEL_LIMIT - 1] + "…"


def _words(code: str) -> str:
    """A code of the model as words inside a sentence: ``PARTY_TO`` -> ``party to``."""
    text = code_words(code)
    return text[:1].lower() + text[1:] if text[1:2].islower() or not text[1:2] else text


def link_words(link: Link) -> str:
    """A link's kind and role in words: ``party to: suspect``, ``associate of: stopped together``.

    >>> from graph.records import Link
    >>> link_words(Link("l", "PARTY_TO", "a", "b", {"role": "found_with"}, ()))
    'party to: found with'
    >>> link_words(Link("l", "LIVES_AT", "a", "b", {}, ()))
    'lives at'
    >>> link_words(Link("l", "SUBJECT_OF", "a", "b", {"role": "subject"}, ()))
    'subject of'
    >>> link_words(Link("l", "FAMILY_OF", "a", "b", {"relationship": "SIBLING"}, ()))
    'family of: sibling'
    >>> link_words(Link("l", "RELATED_TO", "a", "b", {"type": "KNOWS_SN"}, ()))
    'related to: KNOWS_SN'
    """
    said = next((str(v) for name in ("role", "nature", "relationship") if (v := link.properties.get(name))), "")
    if not said and (types := imported_types(link)):  # a type only an import knows, as the source wrote it
        return f"{_words(link.kind)}: {', '.join(types)}"
    return kind_and_role(link.kind, said.lower() if said.isupper() else said)  # an imported SIBLING reads sibling


def imported_types(link: Link) -> list[str]:
    """The relationship types an import kept on a link (its ``type``, or its ``extra_types``), in order.

    >>> from graph.records import Link
    >>> imported_types(Link("l", "ASSOCIATE_OF", "a", "b", {"extra_types": ["KNOWS", "KNOWS_SN"]}, ()))
    ['KNOWS', 'KNOWS_SN']
    """
    held = link.properties.get("extra_types")
    types = [*(held if isinstance(held, list) else [held]), link.properties.get("type")]
    return list(dict.fromkeys(str(t) for t in types if t))


def kind_and_role(kind: str, role: str) -> str:
    """A link kind and the role it records, in words (a role the kind already says is left out)."""
    kind_text, role_text = _words(kind), _words(role) if role else ""
    return f"{kind_text}: {role_text}" if role_text and role_text not in kind_text.split() else kind_text


# An imported node (kind Other) that is not a person takes the shape of what it is read as.
_IMPORTED_SHAPE: Mapping[str, str] = {"object": "box", "place": "star", "context": "diamond"}


def _shape(kind: str, facts: NodeFacts) -> str:
    if facts.category == "event":
        return EVENT_SHAPE
    if kind == "Other" and facts.category in _IMPORTED_SHAPE:
        return _IMPORTED_SHAPE[facts.category]
    return KIND_SHAPE.get(kind, "dot")


def node_tip(e: Entity, facts: NodeFacts) -> str:
    """The tooltip of a node as plain text: what an analyst needs to know before opening the profile."""
    what = CATEGORY_TITLES[facts.category] if e.kind == "Person" else code_words(e.kind)
    lines = [e.label, what]
    if facts.age:
        lines.append(f"Age: {facts.age}")
    if facts.roles:
        lines.append("Roles: " + ", ".join(_words(r) for r in facts.roles))
    if facts.group:
        lines.append(f"Group: {facts.group}")
    if facts.level:
        lines.append(f"Flag: {facts.level}" + "".join(f"\n  - {r}" for r in facts.reasons))
    elif facts.reasons:
        lines.append("Notes: " + "; ".join(facts.reasons))
    if facts.last_seen:
        lines.append(f"Last seen: {facts.last_seen}")
    sources = sorted({source_text(p.source) for p in e.provenance})
    lines.append(f"Sources: {', '.join(sources) or 'none'}")
    return "\n".join(lines)


def build_network(view: NetworkView) -> Network:
    """A pyvis network of a chart: people coloured by role, shapes by kind, a halo by flag level,
    links labelled with their kind and role in words; every title escaped (labels are canvas text)."""
    net = Network(height="600px", width="100%", directed=True, cdn_resources="in_line")
    for e in view.sub.entities:
        facts = view.facts.get(e.id) or NodeFacts("other_person" if e.kind == "Person" else "object")
        colour = CATEGORY_COLOUR[facts.category]
        halo = LEVEL_HALO.get(facts.level)
        centre = e.id == view.centre
        net.add_node(
            e.id,
            label=_short(e.label),  # canvas text (font.multi off), never HTML: escaped, it read "&lt;"
            title=escape(node_tip(e, facts)),
            color={"background": colour, "border": "#333333", "highlight": {"background": colour, "border": "#000000"}},
            shape=_shape(e.kind, facts),
            borderWidth=3 if centre else 2 if e.id in view.expanded else 1,
            shadow={"enabled": bool(halo), "color": halo or "#000000", "size": 40, "x": 0, "y": 0},
            size=28 if centre else 20 if facts.category == "organiser" or facts.level else 14,
            shapeProperties={"borderDashes": [5, 3] if e.id in view.expanded else False},
            font={"size": 26 if centre else 20, "bold": centre},
        )
    for link in view.sub.links:
        sources = sorted({p.source for p in link.provenance})
        seen = " to ".join(dict.fromkeys(d[:10] for d in (link.first_seen, link.last_seen) if d))
        net.add_edge(
            link.source,
            link.target,
            id=link.id,
            label=link_words(link),
            title=escape(
                f"{link_words(link)}\nfrom {', '.join(sources) or 'no source'}"
                + (f"\nimported as {', '.join(types)}" if (types := imported_types(link)) else "")
                + (f"\nseen {seen}" if seen else "")
            ),
        )
    net.set_options(json.dumps(OPTIONS))
    return net


def legend(view: NetworkView) -> list[dict[str, str]]:
    """The legend of what this chart shows: each role, kind of node and flag level drawn."""
    drawn = Counter(
        (view.facts[e.id].category, _shape(e.kind, view.facts[e.id])) for e in view.sub.entities if e.id in view.facts
    )
    entries = [
        {"glyph": "●", "colour": CATEGORY_COLOUR[c], "text": CATEGORY_TITLES[c]}
        for c in PERSON_CATEGORIES
        if (c, "dot") in drawn
    ]
    for category in ("event", "object", "place", "location", "context"):
        shapes = sorted({shape for c, shape in drawn if c == category})
        if shapes:
            glyphs = "".join(SHAPE_GLYPH.get(s, "●") for s in shapes)
            entries.append({"glyph": glyphs, "colour": CATEGORY_COLOUR[category], "text": CATEGORY_TITLES[category]})
    levels = {f.level for f in view.facts.values() if f.level}
    for level in ("high", "medium", "low"):
        if level in levels:
            entries.append({"glyph": "◉", "colour": LEVEL_HALO[level], "text": f"{LEVEL_TITLES[level]} (halo)"})
    if view.expanded:
        entries.append({"glyph": "◌", "colour": "#333333", "text": "Expanded (dashed border)"})
    return entries


def network_data(net: Network, view: NetworkView | None = None) -> dict[str, Any]:
    """Nodes, edges, options and legend as plain data for the component."""
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    return {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options) if isinstance(options, str) else options,
        "legend": legend(view) if view is not None else [],
    }


def status_line(view: NetworkView) -> str:
    """One line that says what is drawn and whether the node cap cut it short."""
    sub = view.sub
    people = Counter(view.facts[e.id].category for e in sub.entities if e.kind == "Person" and e.id in view.facts)
    others = Counter(code_words(e.kind).lower() for e in sub.entities if e.kind != "Person")
    parts = [f"{n} {CATEGORY_TITLES[c].lower()}" for c, n in people.most_common()]
    parts += [f"{n} {k}" for k, n in others.most_common()]
    text = f"{len(sub.entities)} entities ({', '.join(parts)}), {len(sub.links)} links"
    if view.expanded:
        text += f"; expanded around {len(view.expanded)} node{'s' if len(view.expanded) > 1 else ''}"
    if sub.truncated:
        text += f". Cut at the node cap: {sub.note or 'narrow the hops or link kinds, or raise the cap'}"
    return text


def chart_key(centre: str, *, hops: int, cap: int, link_kinds: Collection[str]) -> str:
    """Which chart this is: a new centre or new filters start a new chart; expanding keeps the chart
    (the component then adds the new nodes beside the ones it shows)."""
    blob = json.dumps([centre, hops, cap, sorted(link_kinds)])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def network_html(
    net: Network, *, title: str, legend_entries: list[dict[str, str]] | None = None, preface: str = ""
) -> str:
    """A self-contained HTML page of the network (vis-network inlined, no remote resources), with
    ``preface`` (the handling marking and who prepared it) under its title."""
    data = network_data(net)
    data["legend"] = legend_entries or []
    script = asset_text(COMPONENT_DIR / "vis-network.min.js")
    # Inlined as shipped: escaping "</" would corrupt its regular expressions (PITFALLS); it holds no
    # "</script" to end the element early, and a changed copy that did would be refused here.
    if "</script" in script.lower():
        raise ValueError("the vendored vis-network script contains '</script' and cannot be inlined")
    style = asset_text(COMPONENT_DIR / "vis-network.css")
    payload = script_safe(json.dumps(data).replace("<", "\\u003c"))  # no tag in the page, whatever a label holds
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{style}</style><style>#net{{height:85vh;border:1px solid #ddd}}"
        ".tip{max-width:360px;white-space:pre-wrap}#legend span{margin-right:14px}</style>"
        f"<script>{script}</script></head><body><h3>{escape(title)}</h3>"
        + (f"<p>{escape(preface)}</p>" if preface else "")
        + "<div id='legend'></div>"
        "<div id='net'></div><script>"
        f"const data = {payload};"
        "function tip(t){const d=document.createElement('div');d.className='tip';d.innerHTML=t;return d;}"
        "for(const item of data.legend){const s=document.createElement('span');const g=document.createElement('b');"
        "g.textContent=item.glyph+' ';g.style.color=item.colour;s.appendChild(g);"
        "s.appendChild(document.createTextNode(item.text));document.getElementById('legend').appendChild(s);}"
        "const nodes=data.nodes.map(n=>Object.assign({},n,{title:n.title?tip(n.title):undefined}));"
        "const edges=data.edges.map(e=>Object.assign({},e,{title:e.title?tip(e.title):undefined}));"
        "const net=new vis.Network(document.getElementById('net'),"
        "{nodes:new vis.DataSet(nodes),edges:new vis.DataSet(edges)},data.options);"
        "net.once('stabilizationIterationsDone',()=>net.setOptions({physics:{enabled:false}}));"
        "</script></body></html>"
    )
