"""Groups the analysis found: profile, key players, disruption options, timeline, briefing."""

import streamlit as st

from app import exports, session, widgets
from app.gateway import NotFound

gw = session.page_gateway("view_groups")
st.title("Groups")
run = gw.analysis_run()
if run is None:
    st.warning("No analysis yet: run `disrupt analyse`.")
    st.stop()
st.caption(f"Analysis as of {run.get('as_of')}: {run.get('groups')} groups among {run.get('people')} people.")
groups = gw.groups()
widgets.table(groups, columns=["group_id", "label", "size", "children", "events", "first_activity", "last_activity"])
if not groups:
    st.stop()
choice = st.selectbox("Group", [g["group_id"] for g in groups], key="group_choice")
try:
    view = gw.group(choice)
except NotFound as exc:
    st.warning(str(exc))
    st.stop()
profile = view["profile"]
st.subheader(widgets.plain(profile["label"]))
st.write(
    f"{profile.get('size')} people, {len(profile.get('children', []))} children linked, density "
    f"{profile.get('density')}; active {profile.get('first_activity', '')[:10]} to {profile.get('last_activity', '')[:10]}."
)
tabs = st.tabs(["Key players", "Disruption options", "Members and assets", "Timeline", "Briefing"])
with tabs[0]:
    widgets.table(
        view["key_players"],
        columns=[
            "rank_in_group",
            "label",
            "score",
            "degree",
            "betweenness",
            "brokerage",
            "in_key_player_set",
            "reasons",
            "entity_id",
        ],
    )
with tabs[1]:
    options = view["disruption_options"]
    for option in options:
        with st.expander(f"{option['rank']}. {widgets.plain(option['label'])} (score {option['score']})"):
            for reason in option.get("reasons", []):
                st.markdown("- " + widgets.plain(reason))
            for tactic in option.get("tactics", []):
                st.markdown(f"*{tactic['name']}*: {tactic['description']} Needs: {tactic['needs']}")
            st.caption(option.get("note", ""))
with tabs[2]:
    widgets.table(profile.get("members", []), columns=["label", "role", "roles", "entity_id"])
    for kind in ("vehicles", "phones", "licences", "premises"):
        if profile.get(kind):
            st.markdown(f"**{kind.title()}**")
            widgets.table(profile[kind], columns=["label", "entity_id"])
with tabs[3]:
    widgets.table(view["timeline"], columns=["date", "kind", "label", "who"])
with tabs[4]:
    briefing = exports.briefing_html(
        f"Group briefing: {profile['label']}",
        [
            ("Key players", view["key_players"], ["rank_in_group", "label", "score", "reasons"]),
            ("Disruption options", options, ["rank", "label", "score", "reasons", "note"]),
            ("Members", profile.get("members", []), ["label", "role", "roles"]),
            ("Timeline", view["timeline"], ["date", "kind", "label", "who"]),
        ],
        prepared_by=gw.viewer.name,
    )
    ids = [m["entity_id"] for m in profile.get("members", [])]
    st.download_button(
        "Download briefing (HTML)",
        briefing,
        file_name=f"briefing-{choice}.html",
        mime="text/html",
        on_click=lambda: gw.note_export(f"briefing {choice}", ids),
    )
    widgets.downloads(
        view["key_players"],
        name=f"key-players-{choice}",
        on_export=lambda: gw.note_export(f"key players {choice}", ids),
    )
