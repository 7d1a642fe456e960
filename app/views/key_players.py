"""Key players of the whole network: people ranked on every tie the analysis found, not only their group's.

Scores mean the same in every group (the Groups page ranks each group's people on the group's own
ties). Each row opens the person's profile when selected; children, and people known only as victims,
witnesses or missing persons, are never ranked."""

import math
from typing import Any

import streamlit as st

from analytics.key_players import MEASURE_MEANINGS
from app import navigation, session, widgets
from app.labels import as_of_text
from graph.result_rows import NetworkRankRow

# Column names are the titles analysts read (the table titles a column by its name).
RANK = "Rank (whole network)"
TIED = "People tied to directly"
STRENGTH = "Strength of ties"
BETWEEN = "Go-between (% of paths)"
REACH = "Reach (above % of people)"
GROUPS_REACHED = "Other groups tied into"
SCORE = "Overall score"
COLUMNS = [RANK, "label", "group_id", SCORE, TIED, BETWEEN, REACH, STRENGTH, GROUPS_REACHED, "roles", "reasons"]
EXPLAINED = (
    (SCORE, "the mean of the four measures below, each as a share of the highest in the whole network (1 is the top)"),
    (TIED, MEASURE_MEANINGS["degree"]),
    (STRENGTH, MEASURE_MEANINGS["strength"]),
    (BETWEEN, MEASURE_MEANINGS["betweenness"] + " (the share of shortest paths between two others through them)"),
    (REACH, MEASURE_MEANINGS["pagerank"] + " (the share of ranked people with less reach)"),
    (GROUPS_REACHED, "how many groups other than their own their ties reach"),
)


def shown(row: NetworkRankRow) -> dict[str, Any]:
    """A ranking row as the table shows it: measures in the units their titles name."""
    return {
        "entity_id": row.entity_id,
        RANK: row.rank,
        "label": row.label,
        "group_id": row.group_id or "no group",
        SCORE: row.score,
        TIED: row.degree,
        STRENGTH: round(float(row.strength), 2),
        BETWEEN: round(100 * float(row.betweenness), 1),
        REACH: math.floor(100 * float(row.pagerank_percentile)),  # the top is above 99%, never 100%
        GROUPS_REACHED: row.brokerage,
        "roles": row.roles,
        "reasons": row.reasons,
    }


gw = session.page_gateway("view_groups")
st.title("Key players")
run = gw.analysis_run()
if run is None:
    st.warning("No analysis yet: run `disrupt analyse`.")
    st.stop()
ranked = run.people_ranked
st.caption(
    f"Analysis {as_of_text(run.as_of)}: "
    + (f"{ranked} people ranked " if ranked is not None else "people ranked ")
    + f"on the whole network of {run.people} people, so a score means the same whichever group they "
    "are in. The Groups page ranks each group's people on the group's own ties. Never ranked, though paths "
    "through them count: children, people the records know only as victims, witnesses or missing persons, "
    "and people with no tie to anyone."
)
top = st.selectbox("How many people to show", [25, 50, 100, 250], index=1, key="key_players_top")
rows = [shown(r) for r in gw.network_ranking(limit=int(top))]
if not rows:
    st.info("The latest analysis ranked nobody: no person in the network has a tie.")
    st.stop()
st.caption("Select a row (the box at its left) to open that person's profile.")
navigation.entity_table(rows, key="network-ranking", columns=COLUMNS)
with st.expander("What the columns mean"):
    for title, meaning in EXPLAINED:
        st.markdown(f"**{widgets.plain(title)}**: {widgets.plain(meaning)}.")
ids = [str(r["entity_id"]) for r in rows]
widgets.downloads(rows, name="key-players", on_export=lambda: gw.note_export("key players (whole network)", ids))
