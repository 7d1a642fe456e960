"""A signed-in session lives on the server behind the browser's HttpOnly, SameSite cookie (issues 20, 21).

Tasks as a person meets them: a refresh keeps them signed in on the same view; signing out and
then refreshing leaves them signed out; a second browser given only the first's Streamlit session
id gets the sign-in page; page script cannot read the cookie. And the server's edges: the websocket
is refused without this app's origin and XSRF token, and the cookie claim is refused without them.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import sqlite3
import subprocess
import time
import urllib.request
from base64 import b64encode
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Cookie, Page, WebSocket
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from app.web_sessions import CLAIM_PATH, COOKIE, WebSessions, digest
from common.app_db import open_app_db
from disrupt.commands_app import SERVER_ENTRY, streamlit_command
from tests.app.browser import PASSWORD, free_port, shot, sign_in
from tests.app.conftest import AppWorld

# ---- the server-side table, by itself -------------------------------------------------------


def test_a_session_is_found_by_its_cookie_only_after_the_page_claims_a_fresh_one(tmp_path: Path) -> None:
    sessions = WebSessions(open_app_db(tmp_path / "app.db"))
    planted = "a value someone planted in the browser before sign-in"
    row, claim = sessions.begin("test-analyst", "analyst", planted)
    assert sessions.find(planted) is None  # the cookie the page signed in with never signs anyone in later
    assert sessions.claim(planted, "not the claim") is None
    assert sessions.claim("another browser's cookie", claim) is None
    fresh = sessions.claim(planted, claim)
    assert fresh is not None and fresh != planted
    assert sessions.claim(planted, claim) is None  # one use
    found = sessions.find(fresh)
    assert found is not None and found.id == row.id and found.user == "test-analyst"
    assert found.carried_by(planted) and found.carried_by(fresh) and not found.carried_by("")
    sessions.end(row.id)
    assert sessions.find(fresh) is None


def test_only_digests_of_cookies_and_claims_are_stored(tmp_path: Path) -> None:
    db = open_app_db(tmp_path / "app.db")
    sessions = WebSessions(db)
    cookie = secrets.token_urlsafe(32)
    _, claim = sessions.begin("test-analyst", "analyst", cookie)
    fresh = sessions.claim(cookie, claim)
    assert fresh is not None
    dumped = "\n".join(db.iterdump())
    assert cookie not in dumped and claim not in dumped and fresh not in dumped
    assert digest(fresh) in dumped


# ---- the server's edges, with a plain HTTP client ---------------------------------------------


def _cookies_from(url: str) -> dict[str, str]:
    """The cookies a browser gets from the page's health check (the XSRF cookie and the session cookie)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    conn.request("GET", "/_stcore/health")
    resp = conn.getresponse()
    resp.read()
    jar: SimpleCookie = SimpleCookie()
    for header in resp.headers.get_all("set-cookie") or []:
        jar.load(header)
    return {k: m.value for k, m in jar.items()}


def _handshake(url: str, *, origin: str | None, protocols: list[str], cookies: dict[str, str]) -> int:
    """The status a websocket handshake to the app's stream gets (101 accepted, 403 refused)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": b64encode(secrets.token_bytes(16)).decode(),
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Protocol": ", ".join(protocols),
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
    }
    if origin is not None:
        headers["Origin"] = origin
    conn.request("GET", "/_stcore/stream", headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_the_websocket_needs_this_apps_origin_and_the_xsrf_token(server: str) -> None:
    cookies = _cookies_from(server)
    token = cookies["_streamlit_xsrf"]
    assert _handshake(server, origin=server, protocols=["streamlit", token], cookies=cookies) == 101
    assert _handshake(server, origin="http://evil.example", protocols=["streamlit", token], cookies=cookies) == 403
    other_port = f"http://localhost:{(urlsplit(server).port or 80) + 1}"  # a local site is still another origin
    assert _handshake(server, origin=other_port, protocols=["streamlit", token], cookies=cookies) == 403
    assert _handshake(server, origin=None, protocols=["streamlit", token], cookies=cookies) == 403
    assert _handshake(server, origin=server, protocols=["streamlit"], cookies=cookies) == 403
    assert _handshake(server, origin=server, protocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"], cookies=cookies) == 403
    forged = "2|00000000|" + "00" * 16 + "|1"
    assert _handshake(server, origin=server, protocols=["streamlit", forged], cookies=cookies) == 403


def _post_claim(url: str, *, origin: str, xsrf: str | None, cookies: dict[str, str], claim: str) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    headers = {
        "Origin": origin,
        "Content-Type": "application/json",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
    }
    if xsrf is not None:
        headers["X-Xsrftoken"] = xsrf
    conn.request("POST", CLAIM_PATH, body=json.dumps({"claim": claim}), headers=headers)
    resp = conn.getresponse()
    resp.read()
    assert resp.getheader("set-cookie") is None or resp.status == 204
    return resp.status


def test_a_cookie_claim_without_origin_token_or_a_begun_session_is_refused(server: str) -> None:
    cookies = _cookies_from(server)
    token = cookies["_streamlit_xsrf"]
    assert _post_claim(server, origin="http://evil.example", xsrf=token, cookies=cookies, claim="x") == 403
    assert _post_claim(server, origin=server, xsrf=None, cookies=cookies, claim="x") == 403
    assert _post_claim(server, origin=server, xsrf=token, cookies=cookies, claim="no such claim") == 403


# ---- tasks in the browser ---------------------------------------------------------------------


def test_served_without_the_cookie_server_nobody_can_sign_in(app_world: AppWorld, browser: Browser) -> None:
    """`streamlit run app/main.py` by hand sets no session cookie: a sign-in there would bind to nothing."""
    port, main = free_port(), SERVER_ENTRY.with_name("main.py")
    command = [str(main) if part == str(SERVER_ENTRY) else part for part in streamlit_command("127.0.0.1", port)]
    assert str(main) in command
    env = {**os.environ, **app_world.env}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.5)
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("textbox", name="User name").fill("test-analyst")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("did not send the session cookie").wait_for(timeout=30000)
        assert page.get_by_role("textbox", name="Purpose").count() == 0
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _session_cookie(page: Page) -> Cookie:
    return next(c for c in page.context.cookies() if c.get("name") == COOKIE)


def _wait_until_claimed(page: Page, before: str) -> None:
    """The page claims its fresh cookie moments after sign-in; wait for the browser to hold it."""
    for _ in range(200):
        if _session_cookie(page).get("value") != before:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page never claimed its session cookie")


def test_a_refresh_keeps_the_user_signed_in_on_the_same_view(server: str, browser: Browser, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []
    page = sign_in(context, server, "analyst", blocked, path="/groups?group=G002")
    page.get_by_role("heading", name="Groups").first.wait_for(timeout=30000)
    page.wait_for_timeout(2000)  # the claim has been answered by now
    page.reload()
    page.get_by_role("heading", name="Groups").first.wait_for(timeout=30000)
    assert "/groups" in page.url and "group=G002" in page.url, page.url
    assert page.get_by_text("test-analyst").count() >= 1
    assert page.get_by_role("textbox", name="User name").count() == 0
    assert page.get_by_role("textbox", name="Purpose").count() == 0  # the purpose given before is kept
    assert page.get_by_text("Purpose: TEST-OP-2 browser check").count() == 1
    shot(page, "refresh-still-signed-in", tmp_path)
    # signed out, a refresh stays signed out
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="User name").wait_for(timeout=30000)
    page.reload()
    page.get_by_role("textbox", name="User name").wait_for(timeout=30000)
    page.wait_for_timeout(1500)
    assert page.get_by_role("link", name="Groups").count() == 0
    assert page.get_by_text("test-analyst").count() == 0
    shot(page, "signed-out-refresh-signed-out", tmp_path)
    assert not blocked, blocked
    context.close()


def test_the_session_cookie_is_httponly_and_samesite(server: str, browser: Browser) -> None:
    context = browser.new_context()
    blocked: list[str] = []
    page = context.new_page()
    page.goto(server)
    page.get_by_role("textbox", name="User name").wait_for(timeout=30000)
    before = str(_session_cookie(page).get("value"))
    page.close()
    page = sign_in(context, server, "analyst", blocked)
    _wait_until_claimed(page, before)  # a fresh value once signed in: a planted one is worth nothing
    cookie = _session_cookie(page)
    assert cookie.get("httpOnly") is True and cookie.get("sameSite") == "Strict" and cookie.get("path") == "/"
    assert COOKIE not in str(page.evaluate("document.cookie"))
    assert str(cookie.get("value")) not in page.content()
    assert not blocked, blocked
    context.close()


def _session_id_of(page_ws: list[WebSocket]) -> str:
    for ws in page_ws:
        for frame in getattr(ws, "_disrupt_frames", []):
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            if msg.HasField("new_session") and msg.new_session.initialize.session_id:
                return str(msg.new_session.initialize.session_id)
    raise AssertionError("no session id seen on the websocket")


def test_a_second_browser_given_only_the_session_id_cannot_use_the_session(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    first = browser.new_context(viewport={"width": 1400, "height": 1000})
    seen: list[WebSocket] = []

    def keep(ws: WebSocket) -> None:
        frames: list[bytes] = []
        ws._disrupt_frames = frames  # type: ignore[attr-defined]
        ws.on("framereceived", lambda payload: frames.append(payload) if isinstance(payload, bytes) else None)
        seen.append(ws)

    first.on("page", lambda page: page.on("websocket", keep))
    blocked: list[str] = []
    victim = sign_in(first, server, "analyst", blocked)
    victim.get_by_role("link", name="Groups").click()
    victim.get_by_role("heading", name="Groups").first.wait_for(timeout=30000)
    session_id = _session_id_of(seen)

    # another browser that knows the id (and nothing else) connects with it, as Streamlit reconnects
    second = browser.new_context(viewport={"width": 1400, "height": 1000})
    second.add_init_script(
        "(() => { const Real = window.WebSocket;"
        " window.WebSocket = function (url, protocols) {"
        f"  return new Real(url, [...(protocols || []), {json.dumps(session_id)}]); }};"
        " window.WebSocket.prototype = Real.prototype; Object.assign(window.WebSocket, Real); })();"
    )
    thief = second.new_page()
    thief.goto(server + "/groups")
    thief.get_by_role("textbox", name="User name").wait_for(timeout=30000)
    thief.wait_for_timeout(3000)
    shot(thief, "session-id-alone-gets-sign-in", tmp_path)
    assert thief.get_by_text("test-analyst").count() == 0
    assert thief.get_by_role("link", name="Groups").count() == 0
    # the browser that signed in is still signed in (its cookie resumes it if the tab was disturbed)
    victim.reload()
    victim.get_by_text("test-analyst").first.wait_for(timeout=30000)
    assert victim.get_by_role("textbox", name="User name").count() == 0
    assert not blocked, blocked
    first.close()
    second.close()


def test_signing_out_ends_the_server_session(server: str, browser: Browser, app_world: AppWorld) -> None:
    context = browser.new_context()
    blocked: list[str] = []
    page = sign_in(context, server, "analyst", blocked)
    page.wait_for_timeout(2000)
    value = str(_session_cookie(page).get("value"))
    db = sqlite3.connect(f"file:{app_world.data_dir / 'app.db'}?mode=ro", uri=True)
    assert db.execute("SELECT count(*) FROM web_sessions WHERE cookie_hash = ?", (digest(value),)).fetchone() == (1,)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="User name").wait_for(timeout=30000)
    page.wait_for_timeout(500)
    assert db.execute("SELECT count(*) FROM web_sessions WHERE cookie_hash = ?", (digest(value),)).fetchone() == (0,)
    db.close()
    assert not blocked, blocked
    context.close()
