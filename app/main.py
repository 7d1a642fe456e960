"""Disrupt's web app: the entry point. Signs the user in, asks the purpose, and routes to pages.

Run with ``disrupt app``. A page asked for while signed out (a refresh, a pasted link) opens
once the user has signed in and given a purpose (:mod:`app.navigation`). Only pages the user's
role may open are registered with ``st.navigation``; each page checks again through
:func:`app.session.page_gateway`, and the gateway checks once more where data leaves the store.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import streamlit as st

from app import navigation, session
from app.accounts import check_sign_in
from app.policy import ROLE_TITLES, Role, a_role, may
from app.widgets import plain

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 15
_START_OVER = "disrupt_start_over"


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
        # a refusal is counted, not written once per attempt, and a name no account has is withheld
        ip = st.context.ip_address  # None on loopback (and not a string under AppTest)
        user = check_sign_in(rt.accounts, rt.audit, name.strip(), password, client=ip if isinstance(ip, str) else "")
        if user is None:
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


def _sidebar(role: Role, name: str) -> None:
    with st.sidebar:
        st.markdown(f"**{plain(name)}**, {ROLE_TITLES[role]}")
        if session.purpose():
            st.caption(f"Purpose: {plain(session.purpose())}")
        if st.button("Sign out"):
            session.sign_out()  # ends the server session: every tab of this browser
            _forget_the_page()
            st.rerun()
        session.claim_cookie()
        _idle_watch()


@st.fragment(run_every=IDLE_CHECK_SECONDS)
def _idle_watch() -> None:
    """Signs an idle screen out by itself, so a child's profile does not stay on an unattended screen.

    The fragment reruns on its own every few seconds without counting as activity; once the
    session has been idle past the limit, or was signed out in another tab, the whole app reruns
    and the sign-in page replaces it.
    """
    reason = session.ended()
    if reason is not None:
        session.sign_out(reason, end_server_session=reason != session.ELSEWHERE)
        _forget_the_page()
        st.rerun(scope="app")


def main() -> None:
    """Run the page; a fault is logged on the server and told to the user plainly.

    Streamlit's own error box (details are off) still names Streamlit Cloud and links to web searches
    carrying the error's text: neither belongs in front of a user of this data.
    """
    try:
        _page()
    except Exception:  # st.stop, st.rerun and page switches are BaseExceptions and pass through
        at = dt.datetime.now(dt.UTC).strftime("%d %b %Y %H:%M:%S UTC")
        log.exception("a page failed at %s", at)
        st.error(
            f"This page could not be shown: something failed on the server at {at}. Nothing was changed. "
            "Tell your administrator the time; the server's log holds the details."
        )


def _page() -> None:
    st.set_page_config(page_title="Disrupt", layout="wide")
    user = session.current_user()
    if user is None:
        _only(_sign_in_page, "Sign in", "sign-in")
        return
    _sidebar(user.role, user.name)
    if not session.purpose():
        _only(_purpose_page, "Purpose", "purpose")
        return
    role = user.role
    st.navigation(navigation.pages_for(role, refused=lambda spec: lambda: _refused_page(role, spec))).run()


def _forget_the_page() -> None:
    """After signing out, the next person at this screen starts at the sign-in page with no state
    of the last user's in the address (a refresh or a pasted link keeps its address: that is a new
    session, not a sign-out)."""
    st.query_params.clear()
    st.session_state[_START_OVER] = True


def _only(run: Callable[[], None], title: str, url_path: str) -> None:
    """Run ``run`` at every address of the app, so the address asked for (and its state) survives it."""
    first = st.Page(run, title=title, url_path=url_path, default=True)
    chosen = st.navigation(
        [first, *(navigation.placeholder(spec, run) for spec in navigation.PAGES)], position="hidden"
    )
    if st.session_state.pop(_START_OVER, False) and chosen.url_path != url_path:
        st.switch_page(first)
    chosen.run()


def _refused_page(role: Role, spec: navigation.PageSpec) -> None:
    """What a page address the role may not open shows (reached through a pasted link)."""
    user = session.current_user()
    if user is not None:
        session.runtime().audit.record(
            user=user.name,
            role=role,
            action="open page",
            purpose=session.purpose(),
            outcome="refused",
            detail=spec.name,
        )
    st.title("Not available")
    st.error(f"The {spec.title} page is not available to {a_role(role)}.")
    first = next(p for p in navigation.PAGES if may(role, p.capability))
    st.page_link(first.page(), label=f"Go to {first.title}")


main()
