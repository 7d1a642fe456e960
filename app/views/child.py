"""A child's page, the contextual-safeguarding view: indicators, missing episodes, return-interview
factors, suspects one and two steps away, peers, places of concern, a small network and a map.

Reached from a child's profile, or from the address (``?entity=<id>``). Analysts only: the gateway
checks the role and writes one audit entry listing everything shown.
"""

import streamlit as st

from app import child_view, navigation, network_view, pickers, session, widgets
from app.gateway import NotFound
from app.labels import code_words, date_text
from geodata.boundaries import load_boundaries

gw = session.page_gateway("view_profile")
st.title("Child (contextual safeguarding)")
child_id = navigation.param("entity") or session.selected_entity()


def _find_a_child() -> None:
    pickers.entity_picker(
        gw, "Find a child by name or reference", key="child_find", on_pick=lambda found: navigation.keep(entity=found)
    )


if not child_id:
    _find_a_child()
    st.stop()
try:
    view = gw.child(child_id)
except NotFound:
    st.warning("That record is not a child the latest analysis lists, or it has been erased.")
    # The id came from the address: shown as plain text (markdown would make a link of a URL in it).
    st.text(f"Record asked for: {child_id}")
    _find_a_child()
    st.stop()
here = view["entity_id"]
navigation.keep(entity=here)
session.select_entity(here)
# Tables are keyed by the child shown: a row selected here must not be selected again on the
# page it opens (another child's page holds the same tables, and would open a row of its own).
counts = view["counts"]
st.subheader(widgets.plain(view["label"]))
when = f"analysis as of {date_text(view['as_of'])}" if view["as_of"] else "latest analysis"
st.caption(f"Age band {view['age'] or 'unknown'}; {when}. Every fact below is a recorded fact, not a score.")
if not view["complete"]:
    st.warning("The child's surroundings hold more records than this page reads; lists may be incomplete.")
metrics = st.columns(6)
for column, (title, value) in zip(
    metrics,
    [
        ("Missing episodes", counts["episodes"]),
        ("Return interviews", counts["return_interviews"]),
        ("Suspects, 1 step", counts["suspects_within_1"]),
        ("Suspects, 2 steps", counts["suspects_within_2"]),
        ("Peers", counts["peers"]),
        ("Places found", counts["found_places"]),
    ],
    strict=True,
):
    column.metric(title, value)
left, right = st.columns([3, 2])
with left:
    st.markdown("**Indicators**")
    for line in child_view.indicator_lines(view["indicators"]):
        st.text("• " + line)  # plain text: markdown would make a link of a URL in the data
    navigation.link("profile", "Open the child's profile", entity=str(view["entity_id"]))
with right:
    st.markdown("**Return-interview factors** (distinct episodes naming each)")
    st.markdown("Pull factors (what drew the child away)")
    if view["pull_factors"]:
        widgets.table(view["pull_factors"], columns=["factor", "episodes", "exploitation"])
    else:
        st.caption("None recorded.")
    st.markdown("Push factors (what pushed the child away)")
    if view["push_factors"]:
        widgets.table(view["push_factors"], columns=["factor", "episodes"])
    else:
        st.caption("None recorded.")

st.markdown(f"**Missing episodes** ({counts['episodes']}, oldest first; select a row to open the episode)")
if view["episodes"]:
    navigation.entity_table(
        view["episodes"],
        key=f"child_episodes-{here}",
        columns=[
            "reported_at",
            "returned_at",
            "reference",
            "found_at",
            "found_with",
            "return_interview_on",
            "pull_factors",
            "push_factors",
        ],
    )
else:
    st.caption("Never reported missing.")

st.markdown(
    f"**Places of concern** ({counts['found_places']} places the child was found, "
    f"{counts['places_of_concern']} in a hotspot)"
)
if view["places"]:
    navigation.entity_table(
        view["places"],
        key=f"child_places-{here}",
        columns=["label", "kind", "episodes", "other_children", "in_hotspot", "first_found", "last_found"],
    )
    settings = session.runtime().settings
    html = child_view.found_places_map(
        view["places"],
        boundaries=load_boundaries(settings.boundaries_path),
        tile_url=settings.tile_url,
        tile_attribution=settings.tile_attribution,
    )
    if html:
        widgets.map_frame(html, height=420)
else:
    st.caption("No place recorded where the child was found.")

st.markdown(f"**Peers** ({counts['peers']} other children; select a row to open that child's page)")
if view["peers"]:
    peers = [{**p, "person_network_steps": p["steps"]} for p in view["peers"]]
    navigation.entity_table(
        peers,
        key=f"child_peers-{here}",
        columns=["label", "shared_places", "shared_adults", "shared_episodes", "person_network_steps"],
        page="child",
    )
else:
    st.caption("No other child shares an episode, a place or an adult with this child.")
st.markdown(
    f"**Suspects within one and two steps** ({counts['suspects_within_1']} one step, "
    f"{counts['suspects_within_2']} within two; select a row to open the profile)"
)
if view["suspects"]:
    rows = [
        {**s, "steps_away": s["steps"], "roles": [code_words(r).lower() for r in s["roles"]]} for s in view["suspects"]
    ]
    navigation.entity_table(rows, key=f"child_suspects-{here}", columns=["label", "steps_away", "through", "roles"])
else:
    st.caption("No suspect within two steps in the person network.")

st.markdown("**Network**: the child, episodes, where found, who with, suspects one step away and peers")
chart = view["network"]
status = network_view.status_line(chart)
net = network_view.build_network(chart)
data = network_view.network_data(net, chart)
selected = widgets.network_canvas(data, digest=f"child-{view['entity_id']}", status=status, height=520)
names = {e.id: e for e in chart.sub.entities}
picked = names.get(selected or "")
if picked is not None:
    st.markdown(f"Selected: {widgets.plain(code_words(picked.kind))}: **{widgets.plain(picked.label)}**")
    navigation.link("profile", "Open its profile", entity=picked.id)
else:
    st.caption("Click a node to select it, then open its profile.")
