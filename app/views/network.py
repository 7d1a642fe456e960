"""The network around an entity: find the centre by name, click a node, then expand around it,
centre on it or open its profile. The centre and the expanded nodes live in the address
(``?entity=<id>&expand=<id>,<id>``), so a refresh or a pasted link draws the same chart."""

import functools
from collections.abc import Iterable

import streamlit as st

from app import exports, navigation, network_view, pickers, session, widgets
from app.gateway.network import NetworkFileForm
from app.labels import code_words
from graph.records import Link

HOPS = (1, 2, 3)


def _number(name: str, default: int, allowed: range | tuple[int, ...]) -> int:
    """A number kept in the address, or ``default`` when it is missing or not one allowed."""
    text = navigation.param(name) or ""
    return int(text) if text.isdigit() and int(text) in allowed else default


def _kept(name: str, key: str) -> None:
    """Keep a changed filter in the address; a new filter starts a new chart, so expansions go."""
    value = st.session_state[key]
    text = ",".join(value) if isinstance(value, list) else str(value)
    navigation.keep(**{name: text or None, "expand": None})


def _link_types(links: Iterable[Link]) -> set[str]:
    """The relationship types an import kept on links (``type``, ``extra_types``), e.g. ``KNOWS_SN``."""
    return {t for link in links for t in network_view.imported_types(link)}


def _html_export() -> bytes:
    """The chart as a page of its own, made only when asked for and after the export is audited."""
    gw.note_export("network html", list(entities))
    page = network_view.network_html(
        net,
        title=f"Network around {shown.label}",
        legend_entries=data["legend"],
        preface=f"OFFICIAL-SENSITIVE. {exports.prepared_line(gw.viewer.name, gw.viewer.purpose)}",
    )
    return page.encode("utf-8")


gw = session.page_gateway("view_network")
st.title("Network")
centre = navigation.param("entity") or session.selected_entity()
if centre and not navigation.param("entity"):
    navigation.keep(entity=centre)
expand = [x for x in (navigation.param("expand") or "").split(",") if x.strip()]
pickers.entity_picker(
    gw,
    "Centre on: find a person, place or thing",
    key="network-centre",
    on_pick=lambda entity_id: navigation.keep(entity=entity_id, expand=None),
)
c1, c2, c3 = st.columns(3)
hops = c1.selectbox(
    "Hops",
    HOPS,
    index=HOPS.index(_number("hops", 2, HOPS)),
    key="network_hops",
    on_change=_kept,
    args=("hops", "network_hops"),
)
cap = c2.slider(
    "Node cap",
    20,
    400,
    _number("cap", 150, range(20, 401)),
    step=10,
    key="network_cap",
    on_change=_kept,
    args=("cap", "network_cap"),
)
all_kinds = gw.link_kinds()
asked = [k for k in (navigation.param("links") or "").split(",") if k.strip()]
wanted = list(st.session_state.get("network_links", asked))
# The drawn network is read before the filter is drawn: the relationship types an import kept on its
# links (KNOWS_SN, ...) are offered beside the link kinds, and only the network can say which it holds.
view = gw.network(centre, hops=hops, max_nodes=cap, link_kinds=wanted or None, expand=expand) if centre else None
# The types offered are those seen around this centre in this session, so choosing a kind first does
# not take away the types the narrower chart no longer holds (the walkthrough could not add KNOWS_SN
# after choosing "Family of").
seen_types: dict[str, set[str]] = st.session_state.setdefault("network_types_seen", {})
held_types = seen_types.setdefault(str(centre), set())
held_types |= _link_types(view.sub.links) if view is not None else set()
options = all_kinds + sorted((held_types | set(wanted)) - set(all_kinds))
link_kinds = c3.multiselect(
    "Link kinds and relationship types (all when empty)",
    options,
    default=[k for k in asked if k in options],
    format_func=lambda k: code_words(k) if k in all_kinds else f"{k} (type)",
    key="network_links",
    on_change=_kept,
    args=("links", "network_links"),
)
if view is None:
    st.info("Find who or what to centre the network on: type a name above and choose from what is found.")
    st.stop()
if not view.sub.entities:
    st.warning("No such entity, or it has been erased.")
    st.stop()
if link_kinds and not view.sub.links:
    st.info("No link of the chosen kinds or types around it: choose others, or clear the filter to see every link.")
entities = {e.id: e for e in view.sub.entities}
centre = view.centre if view.centre in entities else view.sub.entities[0].id
shown = entities[centre]
st.markdown(f"Centred on **{widgets.plain(shown.label)}** ({widgets.plain(code_words(shown.kind).lower())})")
status = network_view.status_line(view)
if view.sub.truncated:
    st.warning(status)
net = network_view.build_network(view)
data = network_view.network_data(net, view)
chart = network_view.chart_key(centre, hops=hops, cap=cap, link_kinds=link_kinds)
selected = widgets.network_canvas(data, digest=chart, status=status)
if selected in entities:
    picked = entities[selected]
    st.markdown(f"Selected: {widgets.plain(code_words(picked.kind))}: **{widgets.plain(picked.label)}**")
    left, middle, right = st.columns(3)
    if selected in view.expanded:
        left.caption("Expanded: its neighbours are drawn.")
    elif left.button("Expand around it", help="Add its neighbours to this chart"):
        navigation.keep(expand=",".join([*view.expanded, selected]))
        st.rerun()
    if selected != centre and middle.button("Centre on it", help="Start a new chart around it"):
        navigation.keep(entity=selected, expand=None)
        st.rerun()
    with right:
        navigation.link("profile", "Open its profile", entity=selected)
else:
    st.caption("Click a node to select it: then expand around it, centre on it or open its profile.")
if view.expanded and st.button("Back to the chart before expanding"):
    navigation.keep(expand=None)
    st.rerun()
st.caption(
    "Take the chart to another tool: as drawn (the filter's links only), with every property and its sources. "
    "Each download is recorded in the audit log."
)
html_col, graphml_col, gexf_col, anx_col = st.columns(4)
html_col.download_button("Network as HTML", _html_export, file_name="network.html", mime="text/html", on_click="ignore")
downloads: tuple[tuple[NetworkFileForm, str, str], ...] = (
    ("graphml", "GraphML (yEd, Gephi)", "application/graphml+xml"),
    ("gexf", "GEXF (Gephi)", "application/gexf+xml"),
    ("anx", "i2 chart (ANX)", "application/xml"),
)
for column, (form, button, mime) in zip((graphml_col, gexf_col, anx_col), downloads, strict=True):
    column.download_button(
        button,
        functools.partial(gw.network_file, view, form, title=f"Network around {shown.label}"),
        file_name=f"network.{form}",
        mime=mime,
        on_click="ignore",
    )
