"""Users and roles. Adding and removing users is done with `disrupt users`, so passwords never pass the browser."""

import streamlit as st

from app import session, widgets
from app.policy import GRANTS, ROLE_TITLES

gw = session.page_gateway("manage_users")
st.title("Users")
users = gw.users(session.runtime().accounts)
widgets.table(
    [
        {
            "name": u.name,
            "role": ROLE_TITLES[u.role],
            "sign-in": "organisation" if u.oidc else "password",
            "created": u.created_at,
        }
        for u in users
    ]
)
st.markdown("**What each role may do**")
widgets.table(
    [
        {"role": ROLE_TITLES[r], "may": ", ".join(sorted(c.replace("_", " ") for c in caps))}
        for r, caps in GRANTS.items()
    ]
)
st.caption(
    "Add, reset or remove users on the server: `disrupt users add NAME --role ROLE`, `disrupt users remove NAME`."
)
