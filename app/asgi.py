"""The web server in front of the Streamlit script: the browser's HttpOnly cookie and the websocket's checks.

``disrupt app`` serves this file (``streamlit run app/asgi.py``; Streamlit finds the ``App``). It
adds to Streamlit's own server:

- a ``disrupt_session`` cookie (32 random bytes; HttpOnly, so page script cannot read it; SameSite=
  Strict, so another site cannot send it; Secure over https) set on the first page load, so the
  page's websocket carries it and :mod:`app.session` can bind a signed-in session to it;
- ``POST /_disrupt/session``, where the page, just after signing in, spends the one-use claim it was
  given over its websocket and receives a fresh cookie value (see :mod:`app.web_sessions`);
- a websocket that is refused unless it comes from this app's own origin and carries the XSRF
  token matching the browser's XSRF cookie (Streamlit checks the origin but accepts a websocket
  without the token; the token then only guards ``st.user``).

Nothing sensitive is ever put in a URL.
"""

from __future__ import annotations

import functools
import json
import logging
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.starlette import App
from streamlit.web.server.starlette.starlette_app_utils import validate_xsrf_token

from app.web_sessions import CLAIM_PATH, COOKIE, WebSessions, new_secret
from common.app_db import open_app_db
from common.settings import load_settings

log = logging.getLogger(__name__)
MAIN = Path(__file__).resolve().parent / "main.py"
XSRF_COOKIE = "_streamlit_xsrf"
_STREAM = "/_stcore/stream"


def session_cookie(value: str, *, secure: bool) -> str:
    """The Set-Cookie value for the browser's session cookie (no Max-Age: it ends with the browser)."""
    return f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")


def same_origin(headers: Headers) -> bool:
    """Whether the request says it comes from a page of this app: its Origin names the host it was sent to."""
    origin, host = headers.get("origin"), headers.get("host")
    if not origin or not host:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == host


def _cookies(headers: Headers) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:  # a malformed Cookie header is treated as no cookies
        return {}
    return {k: m.value for k, m in jar.items()}


def websocket_allowed(headers: Headers) -> bool:
    """The page's own websocket: same origin, and the XSRF token in its subprotocol matches the XSRF cookie."""
    if not same_origin(headers):
        return False
    entries = [e.strip() for e in headers.get("sec-websocket-protocol", "").split(",")]
    token = entries[1] if len(entries) > 1 else None
    return validate_xsrf_token(token, _cookies(headers).get(XSRF_COOKIE))


class BrowserGuard:
    """ASGI middleware: refuses foreign or token-less websockets and gives each browser its cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and str(scope["path"]).endswith(_STREAM):
            headers = Headers(scope=scope)
            if not websocket_allowed(headers):
                log.warning("refused a websocket without this app's origin and XSRF token")
                await send({"type": "websocket.close", "code": 1008})  # before accept: the handshake gets 403
                return
        if scope["type"] != "http" or COOKIE in _cookies(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # the page (index.html) and the health check the page makes before its websocket
                if headers.get("content-type", "").startswith("text/html") or str(scope["path"]).endswith("/health"):
                    headers.append("set-cookie", session_cookie(new_secret(), secure=secure))
            await send(message)

        await self.app(scope, receive, with_cookie)


@functools.cache
def _sessions() -> WebSessions:
    return WebSessions(open_app_db(load_settings().app_db_path))


async def claim_session(request: Request) -> Response:
    """The page spends its one-use claim and receives a fresh session cookie (204), or is refused (403)."""
    refused = Response(status_code=403, headers={"cache-control": "no-store"})
    if not same_origin(request.headers):
        return refused
    if not validate_xsrf_token(request.headers.get("x-xsrftoken"), request.cookies.get(XSRF_COOKIE)):
        return refused
    cookie = request.cookies.get(COOKIE)
    try:
        body = json.loads(await request.body())
        claim = body.get("claim") if isinstance(body, dict) else None
    except ValueError:
        return refused
    if not cookie or not isinstance(claim, str):
        return refused
    fresh = await run_in_threadpool(_sessions().claim, cookie, claim)  # a database write: off the event loop
    if fresh is None:
        log.warning("refused a session claim that matched no session begun in this browser")
        return refused
    response = Response(status_code=204, headers={"cache-control": "no-store"})
    response.headers["set-cookie"] = session_cookie(fresh, secure=request.url.scheme == "https")
    return response


app = App(
    MAIN,
    routes=[Route(CLAIM_PATH, claim_session, methods=["POST"])],
    middleware=[Middleware(BrowserGuard)],
)
