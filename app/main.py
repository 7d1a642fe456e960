"""Disrupt's web app: the entry point. Signs the user in, asks the purpose, and routes to pages.

Run with ``disrupt app``. Only pages the user's role may open are registered with
``st.navigation``; each page checks again through :func:`app.session.page_gateway`, and the
gateway checks once more where data leaves the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app import session
from app.policy import ROLE_TITLES, Capability, may
from app.widgets import plain

HERE = Path(__file__).parent


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    section: str
    capability: Capability


PAGES = (
    PageSpec("views/search.py", "Search", "Analysis", "search_entities"),
    PageSpec("views/profile.py", "Profile and timeline", "Analysis", "view_profile"),
    PageSpec("views/network.py", "Network", "Analysis", "view_network"),
    PageSpec("views/paths.py", "Connecting paths", "Analysis", "view_network"),
    PageSpec("views/groups.py", "Groups", "Analysis", "view_groups"),
    PageSpec("views/licensing.py", "Licensing check", "Licensing", "check_licensing"),
    PageSpec("views/hotspot_map.py", "Hotspot map", "Strategy", "view_hotspots"),
    PageSpec("views/dashboard.py", "Management information", "Strategy", "view_dashboard"),
    PageSpec("views/audit_log.py", "Audit log", "Administration", "view_audit"),
    PageSpec("views/users.py", "Users", "Administration", "manage_users"),
    PageSpec("views/ingest_runs.py", "Ingest runs and rejected rows", "Administration", "view_ingest"),
    PageSpec("views/erasures.py", "Erasures", "Administration", "view_erasures"),
)


def _sign_in_page() -> None:
    st.title("Disrupt")
    st.caption("Multi-agency intelligence and disruption. Every view of personal data is recorded.")
    rt = session.runtime()
    if rt.settings.auth == "oidc":
        _oidc_sign_in()
        return
    with st.form("sign-in"):
        name = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        user = rt.accounts.verify(name.strip(), password)
        if user is None:
            rt.audit.record(user=name.strip()[:40] or "-", role="-", action="sign in", purpose="-", outcome="refused")
            st.error("Wrong user name or password, or the account is locked for 15 minutes after 5 failed attempts.")
        else:
            session.sign_in(user)
            st.rerun()


def _oidc_sign_in() -> None:
    if not st.user.is_logged_in:
        st.button("Sign in with your organisation", on_click=st.login)
        return
    rt = session.runtime()
    email = str(st.user.get("email") or "").lower()
    user = rt.accounts.get(email)
    if user is None or not user.oidc:
        st.error("You are signed in with your organisation but have no Disrupt role. Ask an administrator.")
        st.button("Sign out", on_click=st.logout)
        return
    session.sign_in(user)
    st.rerun()


def _purpose_page() -> None:
    st.title("Purpose of this session")
    st.write(
        "Say why you are using Disrupt now, for example an operation or case reference and the task. "
        "It is recorded with everything you view in this session."
    )
    with st.form("purpose"):
        text = st.text_input("Purpose", max_chars=200)
        if st.form_submit_button("Continue"):
            if len(text.strip()) < 8:
                st.error("Give a purpose of at least 8 characters, such as 'OP-TEMPLAR review of group G001'.")
            else:
                session.set_purpose(text)
                st.rerun()


def _sidebar(role: str, name: str) -> None:
    with st.sidebar:
        st.markdown(f"**{plain(name)}**, {ROLE_TITLES[role]}")  # type: ignore[index]
        if session.purpose():
            st.caption(f"Purpose: {plain(session.purpose())}")
        if st.button("Sign out"):
            session.sign_out()
            st.rerun()


def main() -> None:
    st.set_page_config(page_title="Disrupt", layout="wide")
    user = session.current_user()
    if user is None:
        st.navigation([st.Page(_sign_in_page, title="Sign in", url_path="sign-in")]).run()
        return
    _sidebar(user.role, user.name)
    if not session.purpose():
        st.navigation([st.Page(_purpose_page, title="Purpose", url_path="purpose")]).run()
        return
    sections: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        if may(user.role, spec.capability):
            sections.setdefault(spec.section, []).append(st.Page(str(HERE / spec.path), title=spec.title))
    st.navigation(sections).run()


main()
